// SPDX-License-Identifier: MIT
/* partition.c - residuals of boxes, level by level (partition.h). */
#include <stdlib.h>
#include <string.h>

#include "partition.h"

typedef unsigned __int128 u128;

enum {
	LEVELS_MAX = 3, /* partitions before the tiers */
	/* Larger budgets were tried on ClassBench sets: they multiply the
	 * pieces (and the kernel's memory) for few lookups saved, as what is
	 * left is wide filters that cross each other (src-only against
	 * dst-only), whose residuals are as many pieces as the filters they
	 * cross. */
	OVERLAPS_MAX = 16, /* better boxes a residual may subtract */
	PIECES_MAX = 24,   /* pieces a box may be cut into */
	WORK_MAX = 4 * PIECES_MAX, /* pieces while cutting */
	/* the work lists also take a box's key boxes, uncut */
	WORK_CAP = WORK_MAX > KEY_BOXES_MAX ? WORK_MAX : KEY_BOXES_MAX,
	REPLICATION_MAX = 4,       /* pieces per key box, over a whole view */
};

static void set_field(struct key_box *k, enum key_field f, u128 lo, u128 hi)
{
	k->lo[f] = lo;
	k->hi[f] = hi;
}

size_t key_boxes_of(const struct tier_box *b, bool frag, struct key_box *out)
{
	struct key_box k;
	u128 src = tier_addr_load(b->src) & tier_prefix_mask(b->src_len);
	u128 dst = tier_addr_load(b->dst) & tier_prefix_mask(b->dst_len);
	size_t n = 0;

	set_field(&k, KEY_SRC, src, src | ~tier_prefix_mask(b->src_len));
	set_field(&k, KEY_DST, dst, dst | ~tier_prefix_mask(b->dst_len));
	set_field(&k, KEY_PROTO, b->proto, b->proto ? b->proto : 255);
	if (frag || !proto_is_icmp(b->proto)) {
		set_field(&k, KEY_SPORT, frag ? 0 : b->sport.lo, frag ? 65535 : b->sport.hi);
		set_field(&k, KEY_DPORT, frag ? 0 : b->dport.lo, frag ? 65535 : b->dport.hi);
		out[0] = k;
		return 1;
	}
	/* ICMP: type and code are each one value or any; th dport is not read */
	bool any_type = port_is_any(b->sport), any_code = port_is_any(b->dport);
	set_field(&k, KEY_DPORT, 0, 65535);
	if (any_type && any_code) {
		set_field(&k, KEY_SPORT, 0, 65535);
		out[n++] = k;
		return n;
	}
	for (unsigned type = any_type ? 0 : b->sport.lo; type <= (any_type ? 255u : b->sport.lo);
	     type++) {
		if (any_code)
			set_field(&k, KEY_SPORT, type << 8, type << 8 | 0xff);
		else
			set_field(&k, KEY_SPORT, type << 8 | b->dport.lo, type << 8 | b->dport.lo);
		out[n++] = k;
	}
	return n;
}

static bool keys_overlap(const struct key_box *a, const struct key_box *b)
{
	for (int f = 0; f < KEY_FIELDS; f++)
		if (a->lo[f] > b->hi[f] || b->lo[f] > a->hi[f])
			return false;
	return true;
}

/* p minus s, into out (at most 2 * KEY_FIELDS pieces). Cuts ports and
 * protocol first: address pieces that stay prefixes cost the kernel less. */
static size_t key_subtract(const struct key_box *p, const struct key_box *s, struct key_box *out)
{
	static const enum key_field order[KEY_FIELDS] = { KEY_PROTO, KEY_DPORT, KEY_SPORT,
							  KEY_DST, KEY_SRC };
	struct key_box cur = *p;
	size_t n = 0;

	if (!keys_overlap(p, s)) {
		out[0] = *p;
		return 1;
	}
	for (int i = 0; i < KEY_FIELDS; i++) {
		enum key_field f = order[i];
		if (cur.lo[f] < s->lo[f]) {
			out[n] = cur;
			out[n++].hi[f] = s->lo[f] - 1;
			cur.lo[f] = s->lo[f];
		}
		if (cur.hi[f] > s->hi[f]) {
			out[n] = cur;
			out[n++].lo[f] = s->hi[f] + 1;
			cur.hi[f] = s->hi[f];
		}
	}
	return n; /* what is left of cur lies inside s */
}

struct cutter {
	struct key_box *a, *b, *kb; /* work lists; key boxes of one box */
	uint32_t *ovl;              /* better boxes overlapping one box */
};

/* The residual of box q: its key boxes minus those of the better boxes
 * (ovl). Returns the count of pieces left in c->a, or -1 when more than
 * PIECES_MAX. */
static long residual(struct cutter *c, const struct tier_box *boxes, bool frag, uint32_t q,
		     const uint32_t *ovl, size_t n_ovl)
{
	size_t n = key_boxes_of(&boxes[q], frag, c->a);

	if (n > PIECES_MAX)
		return -1;
	for (size_t j = 0; j < n_ovl; j++) {
		size_t n_sub = key_boxes_of(&boxes[ovl[j]], frag, c->kb);
		for (size_t s = 0; s < n_sub; s++) {
			size_t m = 0;
			for (size_t i = 0; i < n; i++) {
				if (m + 2 * KEY_FIELDS > WORK_MAX)
					return -1;
				m += key_subtract(&c->a[i], &c->kb[s], c->b + m);
			}
			struct key_box *t = c->a;
			c->a = c->b;
			c->b = t;
			n = m;
		}
	}
	return n > PIECES_MAX ? -1 : (long)n;
}

static int add_pieces(struct partition *p, size_t *cap, uint32_t box, const struct key_box *k,
		      size_t n)
{
	if (p->n_pieces + n > *cap) {
		size_t c = *cap ? *cap : 1024;
		while (c < p->n_pieces + n)
			c *= 2;
		struct partition_piece *v = realloc(p->pieces, c * sizeof(*v));
		if (!v)
			return -1;
		p->pieces = v;
		*cap = c;
	}
	for (size_t i = 0; i < n; i++)
		p->pieces[p->n_pieces++] = (struct partition_piece){ .box = box, .key = k[i] };
	return 0;
}

/* One level over the boxes cur[0..n_cur): places what it can, leaves the
 * rest in next (returns their count, or -1 when out of memory). */
static long build_level(struct partition *p, size_t *cap, struct cutter *c,
			const struct tier_box *boxes, size_t n_all, bool frag, const uint32_t *cur,
			size_t n_cur, uint32_t *next)
{
	struct tier_box *sub = calloc(n_cur ? n_cur : 1, sizeof(*sub));
	uint32_t *tier = malloc(sizeof(*tier) * (n_cur ? n_cur : 1));
	uint32_t *ovl = c->ovl;
	struct tier_index *ix = NULL;
	size_t n_next = 0;
	long rc = -1;

	if (!sub || !tier)
		goto out;
	for (size_t k = 0; k < n_cur; k++)
		sub[k] = boxes[cur[k]];
	/* Tiers answer the overlap search cheaply for most boxes: one in tier
	 * 0 overlaps no better box, and one above tier OVERLAPS_MAX sits on a
	 * chain that long, likely over budget (waiting is always right). */
	if (tiers_assign(sub, n_cur, tier) < 0 || !(ix = tier_index_new(sub, n_cur)))
		goto out;
	for (size_t k = 0; k < n_cur; k++) {
		size_t n_ovl = tier[k] == 0		? 0
			       : tier[k] > OVERLAPS_MAX ? OVERLAPS_MAX + 1
							: tier_index_overlaps(ix, k, ovl, OVERLAPS_MAX);
		long n = -1;
		if (n_ovl == 0) {
			n = (long)key_boxes_of(&boxes[cur[k]], frag, c->a);
		} else if (n_ovl <= OVERLAPS_MAX) {
			for (size_t j = 0; j < n_ovl; j++)
				ovl[j] = cur[ovl[j]];
			n = residual(c, boxes, frag, cur[k], ovl, n_ovl);
			if (n >= 0 && p->n_pieces + (size_t)n > REPLICATION_MAX * n_all + 1024)
				n = -1;
		}
		if (n < 0)
			next[n_next++] = cur[k];
		else if (add_pieces(p, cap, cur[k], c->a, (size_t)n) < 0)
			goto out;
		tier_index_mark(ix, k);
	}
	rc = (long)n_next;
out:
	tier_index_free(ix);
	free(sub);
	free(tier);
	return rc;
}

int partition_build(const struct tier_box *boxes, size_t n, bool frag, struct partition *out)
{
	struct cutter c = { malloc(sizeof(struct key_box) * WORK_CAP),
			    malloc(sizeof(struct key_box) * WORK_CAP),
			    malloc(sizeof(struct key_box) * KEY_BOXES_MAX),
			    malloc(sizeof(uint32_t) * (OVERLAPS_MAX + 1)) };
	uint32_t *cur = malloc(sizeof(*cur) * (n ? n : 1));
	uint32_t *next = malloc(sizeof(*next) * (n ? n : 1));
	size_t cap = 0, n_cur = n;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (!c.a || !c.b || !c.kb || !c.ovl || !cur || !next)
		goto out;
	for (size_t i = 0; i < n; i++)
		cur[i] = (uint32_t)i;
	while (n_cur > 0 && out->n_levels < LEVELS_MAX) {
		long left = build_level(out, &cap, &c, boxes, n, frag, cur, n_cur, next);
		if (left < 0)
			goto out;
		out->level_end[out->n_levels++] = out->n_pieces;
		uint32_t *t = cur;
		cur = next;
		next = t;
		n_cur = (size_t)left;
	}
	out->rest = cur;
	out->n_rest = n_cur;
	cur = NULL;
	rc = 0;
out:
	free(c.a);
	free(c.b);
	free(c.kb);
	free(c.ovl);
	free(cur);
	free(next);
	if (rc < 0)
		partition_free(out);
	return rc;
}

void partition_free(struct partition *p)
{
	free(p->pieces);
	free(p->rest);
	memset(p, 0, sizeof(*p));
}
