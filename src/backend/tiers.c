/* tiers.c - the fewest tiers that keep the weight order.
 *
 * Boxes are taken best first; each gets one more than the highest tier
 * among the better boxes it overlaps. Finding those quickly is the work:
 * boxes are grouped in cells by their pair of prefix lengths, and each
 * cell is sorted twice, by (src, dst) and by (dst, src). For a query box,
 * the boxes of a cell that can overlap it form one run of either order,
 * found by binary search, whatever the cell's lengths are. Cells whose
 * highest tier cannot raise the answer are skipped, and the search stops
 * as soon as the answer reaches the highest tier so far. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "tiers.h"

typedef unsigned __int128 u128;

enum { LEN_MAX = 128, CELL_DIM = LEN_MAX + 1 };

struct item {
	u128 src, dst;
	uint32_t level; /* tier + 1; 0 = not assigned yet (a worse box) */
};

struct cell {
	uint8_t src_len, dst_len;
	uint32_t n, max_level;
	uint32_t *by_src, *by_dst; /* item indexes */
};

struct tiering {
	const struct tier_box *boxes;
	struct item *items;
	struct cell *cells;
	size_t n_cells;
	uint32_t *cell_of; /* box -> cell */
};

static u128 load_addr(const uint8_t *b)
{
	u128 v = 0;

	for (int i = 0; i < 16; i++)
		v = v << 8 | b[i];
	return v;
}

static u128 prefix_mask(unsigned len)
{
	return len == 0 ? 0 : ~(u128)0 << (LEN_MAX - len);
}

static bool ranges_overlap(struct port_range a, struct port_range b)
{
	return a.lo <= b.hi && b.lo <= a.hi;
}

static bool rest_overlaps(const struct tier_box *a, const struct tier_box *b)
{
	return (a->proto == 0 || b->proto == 0 || a->proto == b->proto) &&
	       ranges_overlap(a->sport, b->sport) && ranges_overlap(a->dport, b->dport);
}

static bool prefixes_overlap(const uint8_t *a, unsigned alen, const uint8_t *b, unsigned blen)
{
	u128 m = prefix_mask(alen < blen ? alen : blen);

	return (load_addr(a) & m) == (load_addr(b) & m);
}

bool tier_boxes_overlap(const struct tier_box *a, const struct tier_box *b)
{
	return prefixes_overlap(a->src, a->src_len, b->src, b->src_len) &&
	       prefixes_overlap(a->dst, a->dst_len, b->dst, b->dst_len) && rest_overlaps(a, b);
}

static int cmp_u128(u128 a, u128 b)
{
	return a < b ? -1 : a > b;
}

static int by_src_cmp(const void *pa, const void *pb, void *ctx)
{
	const struct item *it = ctx;
	const struct item *a = &it[*(const uint32_t *)pa], *b = &it[*(const uint32_t *)pb];
	int c = cmp_u128(a->src, b->src);

	return c ? c : cmp_u128(a->dst, b->dst);
}

static int by_dst_cmp(const void *pa, const void *pb, void *ctx)
{
	const struct item *it = ctx;
	const struct item *a = &it[*(const uint32_t *)pa], *b = &it[*(const uint32_t *)pb];
	int c = cmp_u128(a->dst, b->dst);

	return c ? c : cmp_u128(a->src, b->src);
}

/* First position in idx[0..n) whose (major, minor) is not below the key. */
static size_t lower_bound(const struct item *items, const uint32_t *idx, size_t n, bool src_major,
			  u128 major, u128 minor)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct item *it = &items[idx[mid]];
		u128 a = src_major ? it->src : it->dst, b = src_major ? it->dst : it->src;
		if (a < major || (a == major && b < minor))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int build_cells(struct tiering *tg, size_t n)
{
	int32_t *slot = malloc(sizeof(*slot) * CELL_DIM * CELL_DIM);
	uint32_t *fill;

	if (!slot)
		return -1;
	for (size_t i = 0; i < CELL_DIM * CELL_DIM; i++)
		slot[i] = -1;
	for (size_t i = 0; i < n; i++) {
		const struct tier_box *b = &tg->boxes[i];
		size_t k = (size_t)b->src_len * CELL_DIM + b->dst_len;
		if (slot[k] < 0) {
			slot[k] = (int32_t)tg->n_cells;
			tg->cells[tg->n_cells++] =
				(struct cell){ .src_len = b->src_len, .dst_len = b->dst_len };
		}
		tg->cell_of[i] = (uint32_t)slot[k];
		tg->cells[slot[k]].n++;
	}
	free(slot);
	if (!(fill = calloc(tg->n_cells ? tg->n_cells : 1, sizeof(*fill))))
		return -1;
	for (size_t c = 0; c < tg->n_cells; c++) {
		struct cell *cl = &tg->cells[c];
		cl->by_src = malloc(sizeof(uint32_t) * cl->n);
		cl->by_dst = malloc(sizeof(uint32_t) * cl->n);
		if (!cl->by_src || !cl->by_dst) {
			free(fill);
			return -1;
		}
	}
	for (size_t i = 0; i < n; i++) {
		struct cell *cl = &tg->cells[tg->cell_of[i]];
		cl->by_src[fill[tg->cell_of[i]]] = (uint32_t)i;
		cl->by_dst[fill[tg->cell_of[i]]++] = (uint32_t)i;
	}
	free(fill);
	for (size_t c = 0; c < tg->n_cells; c++) {
		struct cell *cl = &tg->cells[c];
		qsort_r(cl->by_src, cl->n, sizeof(uint32_t), by_src_cmp, tg->items);
		qsort_r(cl->by_dst, cl->n, sizeof(uint32_t), by_dst_cmp, tg->items);
	}
	return 0;
}

/* The highest level among the assigned boxes of one cell that overlap box
 * q, if above best; stops early at ceiling. */
static uint32_t cell_best(const struct tiering *tg, const struct cell *cl, size_t q,
			  uint32_t best, uint32_t ceiling)
{
	const struct tier_box *qb = &tg->boxes[q];
	const struct item *qi = &tg->items[q];
	bool src_inside = cl->src_len <= qb->src_len, dst_inside = cl->dst_len <= qb->dst_len;
	u128 s_lo = qi->src, s_hi = qi->src | ~prefix_mask(qb->src_len);
	u128 d_lo = qi->dst, d_hi = qi->dst | ~prefix_mask(qb->dst_len);
	bool src_major = src_inside || !dst_inside;
	const uint32_t *idx = src_major ? cl->by_src : cl->by_dst;
	u128 major_lo, major_hi, minor_lo, minor_hi;

	/* A shorter prefix of the cell overlaps q only as q's own prefix cut to
	 * that length (one value); a longer one anywhere inside q (a range). */
	if (src_inside) {
		s_lo = s_hi = qi->src & prefix_mask(cl->src_len);
	}
	if (dst_inside) {
		d_lo = d_hi = qi->dst & prefix_mask(cl->dst_len);
	}
	major_lo = src_major ? s_lo : d_lo;
	major_hi = src_major ? s_hi : d_hi;
	minor_lo = src_major ? d_lo : s_lo;
	minor_hi = src_major ? d_hi : s_hi;
	for (size_t k = lower_bound(tg->items, idx, cl->n, src_major, major_lo,
				    major_lo == major_hi ? minor_lo : 0);
	     k < cl->n; k++) {
		const struct item *it = &tg->items[idx[k]];
		u128 major = src_major ? it->src : it->dst, minor = src_major ? it->dst : it->src;
		if (major > major_hi)
			break;
		if (major_lo == major_hi && minor > minor_hi)
			break;
		if (it->level <= best || minor < minor_lo || minor > minor_hi ||
		    !rest_overlaps(qb, &tg->boxes[idx[k]]))
			continue;
		best = it->level;
		if (best >= ceiling)
			break;
	}
	return best;
}

long tiers_assign(const struct tier_box *boxes, size_t n, uint32_t *tier)
{
	struct tiering tg = { .boxes = boxes };
	uint32_t top = 0;
	long rc = -1;

	tg.items = calloc(n ? n : 1, sizeof(*tg.items));
	tg.cells = calloc(n ? n : 1, sizeof(*tg.cells));
	tg.cell_of = calloc(n ? n : 1, sizeof(*tg.cell_of));
	if (!tg.items || !tg.cells || !tg.cell_of)
		goto out;
	for (size_t i = 0; i < n; i++) {
		tg.items[i].src = load_addr(boxes[i].src) & prefix_mask(boxes[i].src_len);
		tg.items[i].dst = load_addr(boxes[i].dst) & prefix_mask(boxes[i].dst_len);
	}
	if (build_cells(&tg, n) < 0)
		goto out;
	for (size_t i = 0; i < n; i++) {
		uint32_t best = 0;
		for (size_t c = 0; c < tg.n_cells && best < top; c++)
			if (tg.cells[c].max_level > best)
				best = cell_best(&tg, &tg.cells[c], i, best, top);
		tg.items[i].level = best + 1;
		tier[i] = best;
		if (tg.cells[tg.cell_of[i]].max_level < best + 1)
			tg.cells[tg.cell_of[i]].max_level = best + 1;
		if (top < best + 1)
			top = best + 1;
	}
	rc = top;
out:
	for (size_t c = 0; c < tg.n_cells; c++) {
		free(tg.cells[c].by_src);
		free(tg.cells[c].by_dst);
	}
	free(tg.cells);
	free(tg.items);
	free(tg.cell_of);
	return rc;
}
