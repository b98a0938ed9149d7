// SPDX-License-Identifier: MIT
/* tiers.c - the fewest tiers that keep the weight order.
 *
 * Boxes are taken best first; each gets one more than the highest tier
 * among the better boxes it overlaps. Finding those quickly is the work:
 * boxes are grouped in cells by their pair of prefix lengths and their
 * protocol (a cell of another protocol is passed over at once), and each
 * cell is sorted twice, by (src, dst) and by (dst, src). For a query box,
 * the boxes of a cell that can overlap it form one run of either order,
 * found by binary search, whatever the cell's lengths are. Over each order
 * a max-tree of the levels assigned so far lets the search skip every part
 * of a run that cannot raise the answer (on policies with wide filters a
 * run holds most of its cell). Cells whose highest tier cannot raise the
 * answer are skipped, and the search stops as soon as the answer reaches
 * the highest tier so far. Most cells hold no box near the query: a small
 * bitmap per cell of the address blocks its prefixes cover rules them out
 * before any search. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "tiers.h"

typedef unsigned __int128 u128;

enum {
	LEN_MAX = 128,
	CELL_DIM = LEN_MAX + 1,
	/* A cell's summary of the addresses it holds, one bitmap per field:
	 * bucket k is set when a box's prefix covers an address whose
	 * SUM_BITS bits after the tiering's window start are k. Two prefixes
	 * that overlap share a bucket, so a query whose buckets miss a cell's
	 * bitmap skips that cell without a search. A cell of n boxes keeps
	 * about 16 n buckets a field (merged by a shift), from 64 to all:
	 * memory stays a few bytes a box whatever the cells. */
	SUM_BITS = 14,
	SUM_BUCKETS = 1 << SUM_BITS,
	SUM_MIN_BITS = 6,
	SUM_PER_BOX_BITS = 4,
};

/* The buckets [lo, hi] a prefix covers. */
struct span {
	uint16_t lo, hi;
};

struct item {
	u128 src, dst;
	uint32_t level; /* tier + 1; 0 = not assigned yet (a worse box) */
	struct span src_span, dst_span;
};

/* A box's ports, kept in the order of a cell's sort: a search tests them
 * without loading the box. */
struct leaf_ports {
	struct port_range sport, dport;
};

/* The boxes of one pair of prefix lengths and one protocol. */
struct cell {
	uint8_t src_len, dst_len;
	uint8_t proto; /* 0: any */
	int32_t next;  /* the next cell of the same lengths, -1: none */
	uint32_t n, max_level;
	uint32_t *by_src, *by_dst; /* item indexes */
	struct leaf_ports *ports_src, *ports_dst; /* the same orders' ports */
	/* Max-trees of the levels in by_src and by_dst order: node 1 is the
	 * root, node k has children 2k and 2k+1, leaf j is node leaves + j. */
	uint32_t leaves;
	uint32_t *tree_src, *tree_dst;
	uint8_t sum_shift;  /* bucket k of an item is bucket k >> sum_shift here */
	uint32_t sum_words; /* words a field */
	uint64_t *summary;  /* sum_words of src buckets, then sum_words of dst */
};

struct tiering {
	const struct tier_box *boxes;
	struct item *items;
	struct cell *cells;
	size_t n_cells;
	uint32_t *cell_of;          /* box -> cell */
	uint32_t *pos_src, *pos_dst; /* box -> its place in its cell's orders */
	/* Cells by highest level, highest first (cell -> rank too): a search
	 * meets the cells likeliest to raise its answer first, and stops at
	 * the first cell that cannot. */
	uint32_t *by_level, *rank;
};

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
	u128 m = tier_prefix_mask(alen < blen ? alen : blen);

	return (tier_addr_load(a) & m) == (tier_addr_load(b) & m);
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

static unsigned clz128(u128 x)
{
	uint64_t hi = (uint64_t)(x >> 64), lo = (uint64_t)x;

	return hi ? (unsigned)__builtin_clzll(hi) : lo ? 64 + (unsigned)__builtin_clzll(lo) : 128;
}

/* Where a field's buckets start: after the bits all its prefixes share
 * (e.g. 2001:db8::/32), so that the buckets tell the boxes apart. */
static unsigned summary_window(const struct item *items, const struct tier_box *boxes, size_t n,
			       bool src)
{
	u128 first = 0, diff = 0;
	bool seen = false;

	for (size_t i = 0; i < n; i++) {
		u128 v = src ? items[i].src : items[i].dst;
		if ((src ? boxes[i].src_len : boxes[i].dst_len) == 0)
			continue;
		if (!seen)
			first = v;
		seen = true;
		diff |= v ^ first;
	}
	unsigned win = clz128(diff);
	return win > LEN_MAX - SUM_BITS ? LEN_MAX - SUM_BITS : win;
}

static struct span span_of(u128 v, unsigned len, unsigned win)
{
	if (len <= win)
		return (struct span){ 0, SUM_BUCKETS - 1 };
	unsigned bucket = (unsigned)((v << win) >> (LEN_MAX - SUM_BITS));
	unsigned free = len >= win + SUM_BITS ? 0 : win + SUM_BITS - len;
	unsigned lo = bucket >> free << free;
	return (struct span){ (uint16_t)lo, (uint16_t)(lo | ((1u << free) - 1)) };
}

/* The bits of summary word k that fall in span s. */
static uint64_t span_word(struct span s, unsigned k)
{
	unsigned first = k * 64 < s.lo ? s.lo - k * 64 : 0;
	unsigned last = k * 64 + 63 > s.hi ? s.hi - k * 64 : 63;

	return (~0ULL << first) & (~0ULL >> (63 - last));
}

/* A cell's summary shift for n boxes. */
static unsigned summary_shift(uint32_t n)
{
	unsigned bits = SUM_MIN_BITS;

	while (bits < SUM_BITS && (1u << bits) < (uint64_t)n << SUM_PER_BOX_BITS)
		bits++;
	return SUM_BITS - bits;
}

static void summary_add(uint64_t *words, struct span s, unsigned shift)
{
	s = (struct span){ (uint16_t)(s.lo >> shift), (uint16_t)(s.hi >> shift) };
	for (unsigned k = s.lo / 64; k <= s.hi / 64u; k++)
		words[k] |= span_word(s, k);
}

static bool summary_hits(const uint64_t *words, struct span s, unsigned shift)
{
	if (s.lo == 0 && s.hi == SUM_BUCKETS - 1)
		return true; /* a cell is never empty */
	s = (struct span){ (uint16_t)(s.lo >> shift), (uint16_t)(s.hi >> shift) };
	for (unsigned k = s.lo / 64; k <= s.hi / 64u; k++)
		if (words[k] & span_word(s, k))
			return true;
	return false;
}

/* Is the item's (major, minor) below the key (with past_equal, not above
 * it)? */
static bool item_before(const struct item *it, bool src_major, u128 major, u128 minor,
			bool past_equal)
{
	u128 a = src_major ? it->src : it->dst, b = src_major ? it->dst : it->src;

	return a < major || (a == major && (b < minor || (past_equal && b == minor)));
}

/* The first position in idx[0..n) whose (major, minor) is not below the
 * key, or with past_equal, is above it. */
static size_t bound(const struct item *items, const uint32_t *idx, size_t n, bool src_major,
		    u128 major, u128 minor, bool past_equal)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (item_before(&items[idx[mid]], src_major, major, minor, past_equal))
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
		int32_t c = slot[k];
		while (c >= 0 && tg->cells[c].proto != b->proto)
			c = tg->cells[c].next;
		if (c < 0) {
			c = (int32_t)tg->n_cells++;
			tg->cells[c] = (struct cell){ .src_len = b->src_len, .dst_len = b->dst_len,
						      .proto = b->proto, .next = slot[k] };
			slot[k] = c;
		}
		tg->cell_of[i] = (uint32_t)c;
		tg->cells[c].n++;
	}
	free(slot);
	if (!(fill = calloc(tg->n_cells ? tg->n_cells : 1, sizeof(*fill))))
		return -1;
	for (size_t c = 0; c < tg->n_cells; c++) {
		struct cell *cl = &tg->cells[c];
		cl->by_src = malloc(sizeof(uint32_t) * cl->n);
		cl->by_dst = malloc(sizeof(uint32_t) * cl->n);
		cl->ports_src = malloc(sizeof(struct leaf_ports) * cl->n);
		cl->ports_dst = malloc(sizeof(struct leaf_ports) * cl->n);
		cl->sum_shift = (uint8_t)summary_shift(cl->n);
		cl->sum_words = (SUM_BUCKETS >> cl->sum_shift) / 64;
		cl->summary = calloc(2 * (size_t)cl->sum_words, sizeof(uint64_t));
		if (!cl->by_src || !cl->by_dst || !cl->ports_src || !cl->ports_dst ||
		    !cl->summary) {
			free(fill);
			return -1;
		}
	}
	for (size_t i = 0; i < n; i++) {
		struct cell *cl = &tg->cells[tg->cell_of[i]];
		cl->by_src[fill[tg->cell_of[i]]] = (uint32_t)i;
		cl->by_dst[fill[tg->cell_of[i]]++] = (uint32_t)i;
		summary_add(cl->summary, tg->items[i].src_span, cl->sum_shift);
		summary_add(cl->summary + cl->sum_words, tg->items[i].dst_span, cl->sum_shift);
	}
	free(fill);
	for (size_t c = 0; c < tg->n_cells; c++) {
		struct cell *cl = &tg->cells[c];
		qsort_r(cl->by_src, cl->n, sizeof(uint32_t), by_src_cmp, tg->items);
		qsort_r(cl->by_dst, cl->n, sizeof(uint32_t), by_dst_cmp, tg->items);
		for (uint32_t k = 0; k < cl->n; k++) {
			const struct tier_box *bs = &tg->boxes[cl->by_src[k]];
			const struct tier_box *bd = &tg->boxes[cl->by_dst[k]];
			tg->pos_src[cl->by_src[k]] = k;
			tg->pos_dst[cl->by_dst[k]] = k;
			cl->ports_src[k] = (struct leaf_ports){ bs->sport, bs->dport };
			cl->ports_dst[k] = (struct leaf_ports){ bd->sport, bd->dport };
		}
		for (cl->leaves = 1; cl->leaves < cl->n; cl->leaves *= 2)
			;
		cl->tree_src = calloc(2 * (size_t)cl->leaves, sizeof(uint32_t));
		cl->tree_dst = calloc(2 * (size_t)cl->leaves, sizeof(uint32_t));
		if (!cl->tree_src || !cl->tree_dst)
			return -1;
	}
	return 0;
}

/* Sets leaf pos of a max-tree to level (levels only grow). */
static void tree_raise(uint32_t *tree, uint32_t leaves, uint32_t pos, uint32_t level)
{
	for (size_t k = leaves + pos; k >= 1 && tree[k] < level; k /= 2)
		tree[k] = level;
}

/* One search of a cell's run [from, to) of one order. */
struct run_query {
	const struct tiering *tg;
	const uint32_t *idx, *tree;
	const struct leaf_ports *ports;
	const struct tier_box *box;
	bool src_major;
	bool minor_check; /* the run's ends do not bound the minor field */
	u128 minor_lo, minor_hi;
	size_t from, to;
	uint32_t best, ceiling;
};

/* Does the box at position pos of the run overlap the query box? Its
 * major field does, and its protocol (the cell's, checked first). */
static bool run_leaf_overlaps(const struct run_query *q, size_t pos)
{
	const struct leaf_ports *p = &q->ports[pos];

	if (!ranges_overlap(q->box->sport, p->sport) || !ranges_overlap(q->box->dport, p->dport))
		return false;
	if (!q->minor_check)
		return true;
	const struct item *it = &q->tg->items[q->idx[pos]];
	u128 minor = q->src_major ? it->dst : it->src;
	return minor >= q->minor_lo && minor <= q->minor_hi;
}

/* The lowest tree node over the whole run [from, to) of a cell with the
 * given leaves, and its positions [lo, hi): a search starts there, not at
 * the root (most runs are a few boxes of a large cell). */
struct run_node {
	size_t k, lo, hi;
};

static struct run_node run_root(const struct run_query *q, uint32_t leaves)
{
	size_t a = leaves + q->from, b = leaves + q->to - 1;
	unsigned h = a == b ? 0 : 64 - (unsigned)__builtin_clzll((unsigned long long)(a ^ b));
	size_t lo = ((a >> h) << h) - leaves;

	return (struct run_node){ a >> h, lo, lo + ((size_t)1 << h) };
}

/* Below this many positions a search tests leaves one by one: cheaper
 * than walking the last levels of the tree. */
enum { RUN_FLAT = 8 };

/* The tree node of position pos, under node k over positions [lo, hi). */
static size_t run_leaf_node(size_t k, size_t lo, size_t hi, size_t pos)
{
	return k * (hi - lo) + (pos - lo);
}

/* Raises q->best with the boxes under tree node k (covering positions
 * [lo, hi)) that overlap the query box, skipping subtrees whose highest
 * level cannot raise it. */
static void run_best(struct run_query *q, size_t k, size_t lo, size_t hi)
{
	if (hi <= q->from || lo >= q->to || q->tree[k] <= q->best || q->best >= q->ceiling)
		return;
	if (hi - lo <= RUN_FLAT) {
		size_t first = lo > q->from ? lo : q->from, end = hi < q->to ? hi : q->to;
		for (size_t pos = first; pos < end && q->best < q->ceiling; pos++) {
			uint32_t level = q->tree[run_leaf_node(k, lo, hi, pos)];
			if (level > q->best && run_leaf_overlaps(q, pos))
				q->best = level;
		}
		return;
	}
	size_t mid = lo + (hi - lo) / 2;
	run_best(q, 2 * k, lo, mid);
	run_best(q, 2 * k + 1, mid, hi);
}

/* The run of cell cl's order that can hold boxes overlapping box q: q's
 * search of that cell, before any level is known. False when none can. */
static bool cell_run(const struct tiering *tg, const struct cell *cl, size_t q,
		     struct run_query *rq)
{
	const struct tier_box *qb = &tg->boxes[q];
	const struct item *qi = &tg->items[q];
	bool src_inside = cl->src_len <= qb->src_len, dst_inside = cl->dst_len <= qb->dst_len;

	if (cl->proto && qb->proto && cl->proto != qb->proto)
		return false;
	if (!summary_hits(cl->summary, qi->src_span, cl->sum_shift) ||
	    !summary_hits(cl->summary + cl->sum_words, qi->dst_span, cl->sum_shift))
		return false;
	u128 s_lo = qi->src, s_hi = qi->src | ~tier_prefix_mask(qb->src_len);
	u128 d_lo = qi->dst, d_hi = qi->dst | ~tier_prefix_mask(qb->dst_len);
	bool src_major = src_inside || !dst_inside;
	const uint32_t *idx = src_major ? cl->by_src : cl->by_dst;
	u128 major_lo, major_hi;

	/* A shorter prefix of the cell overlaps q only as q's own prefix cut to
	 * that length (one value); a longer one anywhere inside q (a range). */
	if (src_inside) {
		s_lo = s_hi = qi->src & tier_prefix_mask(cl->src_len);
	}
	if (dst_inside) {
		d_lo = d_hi = qi->dst & tier_prefix_mask(cl->dst_len);
	}
	major_lo = src_major ? s_lo : d_lo;
	major_hi = src_major ? s_hi : d_hi;
	*rq = (struct run_query){
		.tg = tg,
		.idx = idx,
		.tree = src_major ? cl->tree_src : cl->tree_dst,
		.ports = src_major ? cl->ports_src : cl->ports_dst,
		.box = qb,
		.src_major = src_major,
		.minor_check = major_lo != major_hi,
		.minor_lo = src_major ? d_lo : s_lo,
		.minor_hi = src_major ? d_hi : s_hi,
	};
	u128 minor_last = major_lo == major_hi ? rq->minor_hi : ~(u128)0;
	rq->from = bound(tg->items, idx, cl->n, src_major, major_lo,
			 major_lo == major_hi ? rq->minor_lo : 0, false);
	/* most runs are empty: the box at from is already past the run */
	if (rq->from == cl->n ||
	    !item_before(&tg->items[idx[rq->from]], src_major, major_hi, minor_last, true))
		return false;
	rq->to = rq->from + bound(tg->items, idx + rq->from, cl->n - rq->from, src_major,
				  major_hi, minor_last, true);
	return rq->from < rq->to;
}

/* The highest level among the assigned boxes of one cell that overlap box
 * q, if above best; stops early at ceiling. */
static uint32_t cell_best(const struct tiering *tg, const struct cell *cl, size_t q,
			  uint32_t best, uint32_t ceiling)
{
	struct run_query rq;

	if (!cell_run(tg, cl, q, &rq))
		return best;
	rq.best = best;
	rq.ceiling = ceiling;
	struct run_node root = run_root(&rq, cl->leaves);
	run_best(&rq, root.k, root.lo, root.hi);
	return rq.best;
}

/* Cell c's highest level rose: move it up the by_level order. */
static void cell_rose(struct tiering *tg, uint32_t c)
{
	uint32_t r = tg->rank[c];

	while (r > 0 && tg->cells[tg->by_level[r - 1]].max_level < tg->cells[c].max_level) {
		uint32_t other = tg->by_level[r - 1];
		tg->by_level[r] = other;
		tg->rank[other] = r;
		r--;
	}
	tg->by_level[r] = c;
	tg->rank[c] = r;
}

static void tiering_free(struct tiering *tg)
{
	for (size_t c = 0; c < tg->n_cells; c++) {
		free(tg->cells[c].by_src);
		free(tg->cells[c].by_dst);
		free(tg->cells[c].tree_src);
		free(tg->cells[c].tree_dst);
		free(tg->cells[c].summary);
		free(tg->cells[c].ports_src);
		free(tg->cells[c].ports_dst);
	}
	free(tg->cells);
	free(tg->items);
	free(tg->cell_of);
	free(tg->pos_src);
	free(tg->pos_dst);
	free(tg->by_level);
	free(tg->rank);
}

static int tiering_init(struct tiering *tg, const struct tier_box *boxes, size_t n)
{
	*tg = (struct tiering){ .boxes = boxes };
	tg->items = calloc(n ? n : 1, sizeof(*tg->items));
	tg->cells = calloc(n ? n : 1, sizeof(*tg->cells));
	tg->cell_of = calloc(n ? n : 1, sizeof(*tg->cell_of));
	tg->pos_src = calloc(n ? n : 1, sizeof(*tg->pos_src));
	tg->pos_dst = calloc(n ? n : 1, sizeof(*tg->pos_dst));
	tg->by_level = calloc(n ? n : 1, sizeof(*tg->by_level));
	tg->rank = calloc(n ? n : 1, sizeof(*tg->rank));
	if (!tg->items || !tg->cells || !tg->cell_of || !tg->pos_src || !tg->pos_dst ||
	    !tg->by_level || !tg->rank)
		return -1;
	for (size_t i = 0; i < n; i++) {
		tg->items[i].src = tier_addr_load(boxes[i].src) & tier_prefix_mask(boxes[i].src_len);
		tg->items[i].dst = tier_addr_load(boxes[i].dst) & tier_prefix_mask(boxes[i].dst_len);
	}
	unsigned win_src = summary_window(tg->items, boxes, n, true);
	unsigned win_dst = summary_window(tg->items, boxes, n, false);
	for (size_t i = 0; i < n; i++) {
		tg->items[i].src_span = span_of(tg->items[i].src, boxes[i].src_len, win_src);
		tg->items[i].dst_span = span_of(tg->items[i].dst, boxes[i].dst_len, win_dst);
	}
	if (build_cells(tg, n) < 0)
		return -1;
	for (uint32_t c = 0; c < tg->n_cells; c++)
		tg->by_level[c] = tg->rank[c] = c;
	return 0;
}

/* Gives box i its level (levels only grow). */
static void tiering_raise(struct tiering *tg, size_t i, uint32_t level)
{
	struct cell *own = &tg->cells[tg->cell_of[i]];

	tg->items[i].level = level;
	tree_raise(own->tree_src, own->leaves, tg->pos_src[i], level);
	tree_raise(own->tree_dst, own->leaves, tg->pos_dst[i], level);
	if (own->max_level < level) {
		own->max_level = level;
		cell_rose(tg, tg->cell_of[i]);
	}
}

long tiers_assign_until(const struct tier_box *boxes, size_t n, uint32_t *tier, uint32_t enough)
{
	struct tiering tg;
	uint32_t top = 0;
	long rc = -1;

	if (tiering_init(&tg, boxes, n) < 0)
		goto out;
	for (size_t i = 0; i < n; i++) {
		uint32_t best = 0;
		for (size_t r = 0; r < tg.n_cells && best < top; r++) {
			const struct cell *cl = &tg.cells[tg.by_level[r]];
			if (cl->max_level <= best)
				break;
			best = cell_best(&tg, cl, i, best, top);
		}
		tier[i] = best;
		tiering_raise(&tg, i, best + 1);
		if (top < best + 1)
			top = best + 1;
		if (top >= enough)
			break;
	}
	rc = top;
out:
	tiering_free(&tg);
	return rc;
}

long tiers_assign(const struct tier_box *boxes, size_t n, uint32_t *tier)
{
	return tiers_assign_until(boxes, n, tier, UINT32_MAX);
}

/* --- the overlap index --- */

struct tier_index {
	struct tiering tg;
};

struct tier_index *tier_index_new(const struct tier_box *boxes, size_t n)
{
	struct tier_index *ix = malloc(sizeof(*ix));

	if (ix && tiering_init(&ix->tg, boxes, n) < 0) {
		tiering_free(&ix->tg);
		free(ix);
		return NULL;
	}
	return ix;
}

void tier_index_free(struct tier_index *ix)
{
	if (ix) {
		tiering_free(&ix->tg);
		free(ix);
	}
}

void tier_index_mark(struct tier_index *ix, size_t i)
{
	tiering_raise(&ix->tg, i, 1);
}

struct visit {
	struct run_query rq;
	uint32_t *out;
	size_t n, max;
};

/* Collects the marked boxes under tree node k (positions [lo, hi)) that
 * overlap the query box, until one more than max are found. */
static void run_collect(struct visit *v, size_t k, size_t lo, size_t hi)
{
	const struct run_query *q = &v->rq;

	if (hi <= q->from || lo >= q->to || q->tree[k] == 0 || v->n > v->max)
		return;
	if (hi - lo <= RUN_FLAT) {
		size_t first = lo > q->from ? lo : q->from, end = hi < q->to ? hi : q->to;
		for (size_t pos = first; pos < end && v->n <= v->max; pos++)
			if (q->tree[run_leaf_node(k, lo, hi, pos)] && run_leaf_overlaps(q, pos))
				v->out[v->n++] = q->idx[pos];
		return;
	}
	size_t mid = lo + (hi - lo) / 2;
	run_collect(v, 2 * k, lo, mid);
	run_collect(v, 2 * k + 1, mid, hi);
}

size_t tier_index_overlaps(const struct tier_index *ix, size_t q, uint32_t *out, size_t max)
{
	const struct tiering *tg = &ix->tg;
	struct visit v = { .out = out, .max = max };

	/* marked cells come first in by_level order */
	for (size_t r = 0; r < tg->n_cells && v.n <= max; r++) {
		const struct cell *cl = &tg->cells[tg->by_level[r]];
		if (cl->max_level == 0)
			break;
		if (cell_run(tg, cl, q, &v.rq)) {
			struct run_node root = run_root(&v.rq, cl->leaves);
			run_collect(&v, root.k, root.lo, root.hi);
		}
	}
	return v.n;
}
