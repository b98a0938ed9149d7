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
 * the highest tier so far. */
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

/* A box's addresses in one of a cell's orders, (src, dst) or (dst, src):
 * kept in that order next to each other, so the binary searches that are
 * most of the tiering's time read one array instead of two indirections. */
struct order_key {
	u128 major, minor;
};

/* The boxes of one pair of prefix lengths and one protocol. */
struct cell {
	uint8_t src_len, dst_len;
	uint8_t proto; /* 0: any */
	int32_t next;  /* the next cell of the same lengths, -1: none */
	uint32_t n, max_level;
	uint32_t *by_src, *by_dst; /* item indexes */
	struct order_key *keys_src, *keys_dst; /* their addresses, in those orders */
	/* Max-trees of the levels in by_src and by_dst order: node 1 is the
	 * root, node k has children 2k and 2k+1, leaf j is node leaves + j. */
	uint32_t leaves;
	uint32_t *tree_src, *tree_dst;
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

/* The first position in keys[lo..n) whose (major, minor) is not below the
 * key, or with past_equal, is above it. */
static size_t bound(const struct order_key *keys, size_t lo, size_t n, u128 major, u128 minor,
		    bool past_equal)
{
	size_t hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		u128 a = keys[mid].major, b = keys[mid].minor;
		if (a < major || (a == major && (b < minor || (past_equal && b == minor))))
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
		cl->keys_src = malloc(sizeof(*cl->keys_src) * (cl->n ? cl->n : 1));
		cl->keys_dst = malloc(sizeof(*cl->keys_dst) * (cl->n ? cl->n : 1));
		if (!cl->keys_src || !cl->keys_dst)
			return -1;
		for (uint32_t k = 0; k < cl->n; k++) {
			const struct item *s = &tg->items[cl->by_src[k]], *d = &tg->items[cl->by_dst[k]];
			tg->pos_src[cl->by_src[k]] = k;
			tg->pos_dst[cl->by_dst[k]] = k;
			cl->keys_src[k] = (struct order_key){ s->src, s->dst };
			cl->keys_dst[k] = (struct order_key){ d->dst, d->src };
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
	const struct order_key *keys; /* of idx's order */
	const struct tier_box *box;
	u128 minor_lo, minor_hi;
	size_t from, to;
	uint32_t best, ceiling;
};

/* Does the box at position pos of the run overlap the query box? */
static bool run_leaf_overlaps(const struct run_query *q, size_t pos)
{
	u128 minor = q->keys[pos].minor;

	return minor >= q->minor_lo && minor <= q->minor_hi &&
	       rest_overlaps(q->box, &q->tg->boxes[q->idx[pos]]);
}

/* Raises q->best with the boxes under tree node k (covering positions
 * [lo, hi)) that overlap the query box, skipping subtrees whose highest
 * level cannot raise it. */
static void run_best(struct run_query *q, size_t k, size_t lo, size_t hi)
{
	if (hi <= q->from || lo >= q->to || q->tree[k] <= q->best || q->best >= q->ceiling)
		return;
	if (hi - lo == 1) {
		if (run_leaf_overlaps(q, lo))
			q->best = q->tg->items[q->idx[lo]].level;
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
		.keys = src_major ? cl->keys_src : cl->keys_dst,
		.box = qb,
		.minor_lo = src_major ? d_lo : s_lo,
		.minor_hi = src_major ? d_hi : s_hi,
	};
	rq->from = bound(rq->keys, 0, cl->n, major_lo, major_lo == major_hi ? rq->minor_lo : 0,
			 false);
	rq->to = bound(rq->keys, rq->from, cl->n, major_hi,
		       major_lo == major_hi ? rq->minor_hi : ~(u128)0, true);
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
	run_best(&rq, 1, 0, cl->leaves);
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
		free(tg->cells[c].keys_src);
		free(tg->cells[c].keys_dst);
		free(tg->cells[c].tree_src);
		free(tg->cells[c].tree_dst);
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

long tiers_assign(const struct tier_box *boxes, size_t n, uint32_t *tier)
{
	return tiers_assign_until(boxes, n, tier, UINT32_MAX);
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
	if (hi - lo == 1) {
		if (run_leaf_overlaps(q, lo))
			v->out[v->n++] = q->idx[lo];
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
		if (cell_run(tg, cl, q, &v.rq))
			run_collect(&v, 1, 0, cl->leaves);
	}
	return v.n;
}
