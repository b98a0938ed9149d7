// SPDX-License-Identifier: MIT
/* test_partition.c - the partitions decide as the weight order does: on
 * random policies of crossing and nested boxes, every level's pieces are
 * disjoint and inside their box, and the lookup the kernel makes (levels
 * in order, then the tiers of what is left, first hit wins) finds, for
 * every probe key, the best box that holds it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/partition.h"
#include "backend/tiers.h"
#include "tap.h"

typedef unsigned __int128 u128;

static unsigned seed = 4242;

static unsigned rnd(unsigned n)
{
	seed = seed * 1103515245u + 12345u;
	return (seed >> 8) % n;
}

/* Few distinct addresses and ports, so that boxes nest and cross a lot. */
static void random_box(struct tier_box *b, bool frag)
{
	static const uint8_t lens[] = { 0, 0, 8, 16, 24, 30, 32 };
	static const uint8_t protos[] = { 0, 0, 6, 6, 17, 17, 1, 47 };
	static const struct port_range ports[] = { { 0, 65535 }, { 0, 65535 }, { 80, 80 },
						   { 53, 53 }, { 1024, 65535 }, { 0, 1023 },
						   { 80, 443 } };

	memset(b, 0, sizeof(*b));
	b->src[0] = (uint8_t)(10 + rnd(2));
	b->src[2] = (uint8_t)rnd(3);
	b->src[3] = (uint8_t)rnd(6);
	b->dst[0] = 192;
	b->dst[2] = (uint8_t)rnd(2);
	b->dst[3] = (uint8_t)rnd(8);
	b->src_len = lens[rnd(sizeof(lens))];
	b->dst_len = lens[rnd(sizeof(lens))];
	b->proto = protos[rnd(sizeof(protos))];
	b->sport = b->dport = PORT_ANY;
	if (frag)
		return;
	if (b->proto == 6 || b->proto == 17) {
		b->sport = ports[rnd(sizeof(ports) / sizeof(ports[0]))];
		b->dport = ports[rnd(sizeof(ports) / sizeof(ports[0]))];
	} else if (b->proto == 1) {
		if (rnd(2))
			b->sport = (struct port_range){ 8, 8 };
		if (rnd(3) == 0)
			b->dport = (struct port_range){ 0, 0 };
	}
}

static bool key_holds(const struct key_box *k, const u128 *pt)
{
	for (int f = 0; f < KEY_FIELDS; f++)
		if (pt[f] < k->lo[f] || pt[f] > k->hi[f])
			return false;
	return true;
}

static bool keys_overlap(const struct key_box *a, const struct key_box *b)
{
	for (int f = 0; f < KEY_FIELDS; f++)
		if (a->lo[f] > b->hi[f] || b->lo[f] > a->hi[f])
			return false;
	return true;
}

static bool box_holds(const struct tier_box *b, bool frag, const u128 *pt, struct key_box *kb)
{
	size_t n = key_boxes_of(b, frag, kb);

	for (size_t i = 0; i < n; i++)
		if (key_holds(&kb[i], pt))
			return true;
	return false;
}

static bool key_inside(const struct key_box *in, const struct key_box *out)
{
	for (int f = 0; f < KEY_FIELDS; f++)
		if (in->lo[f] < out->lo[f] || in->hi[f] > out->hi[f] || in->lo[f] > in->hi[f])
			return false;
	return true;
}

/* A probe near the edges of a random box: each field at its low end, its
 * high end, one past either, or in between. */
static void random_probe(const struct tier_box *boxes, size_t n, bool frag, struct key_box *kb,
			 u128 *pt)
{
	size_t m = key_boxes_of(&boxes[rnd((unsigned)n)], frag, kb);
	const struct key_box *k = &kb[rnd((unsigned)m)];
	static const u128 field_max[KEY_FIELDS] = { ~(u128)0, ~(u128)0, 255, 65535, 65535 };

	for (int f = 0; f < KEY_FIELDS; f++) {
		switch (rnd(5)) {
		case 0: pt[f] = k->lo[f]; break;
		case 1: pt[f] = k->hi[f]; break;
		case 2: pt[f] = k->lo[f] ? k->lo[f] - 1 : 0; break;
		case 3: pt[f] = k->hi[f] < field_max[f] ? k->hi[f] + 1 : k->hi[f]; break;
		default: pt[f] = k->lo[f] + (k->hi[f] - k->lo[f]) / 2; break;
		}
	}
}

/* The box the kernel's lookups decide with, or -1. */
static long kernel_pick(const struct partition *p, const struct tier_box *rest,
			const uint32_t *tier, long n_tiers, bool frag, const u128 *pt,
			struct key_box *kb)
{
	size_t from = 0;

	for (size_t l = 0; l < p->n_levels; l++) {
		for (size_t i = from; i < p->level_end[l]; i++)
			if (key_holds(&p->pieces[i].key, pt))
				return p->pieces[i].box;
		from = p->level_end[l];
	}
	for (long t = 0; t < n_tiers; t++)
		for (size_t j = 0; j < p->n_rest; j++)
			if (tier[j] == (uint32_t)t && box_holds(&rest[j], frag, pt, kb))
				return p->rest[j];
	return -1;
}

static void test_round(int round, size_t n, bool frag)
{
	struct tier_box *boxes = calloc(n, sizeof(*boxes)), *rest = calloc(n, sizeof(*rest));
	uint32_t *tier = calloc(n, sizeof(*tier));
	struct key_box *kb = malloc(sizeof(*kb) * KEY_BOXES_MAX);
	struct partition p;
	bool disjoint = true, inside = true, agree = true;
	size_t probes = 0;

	for (size_t i = 0; i < n; i++)
		random_box(&boxes[i], frag);
	if (partition_build(boxes, n, frag, &p) < 0) {
		ok(0, "round %d: partition built", round);
		goto out;
	}
	for (size_t j = 0; j < p.n_rest; j++)
		rest[j] = boxes[p.rest[j]];
	long n_tiers = tiers_assign(rest, p.n_rest, tier);
	size_t from = 0;
	for (size_t l = 0; l < p.n_levels; l++) {
		for (size_t i = from; i < p.level_end[l]; i++) {
			size_t m = key_boxes_of(&boxes[p.pieces[i].box], frag, kb);
			bool in_one = false;
			for (size_t k = 0; k < m; k++)
				in_one |= key_inside(&p.pieces[i].key, &kb[k]);
			inside &= in_one;
			for (size_t j = from; j < i; j++)
				disjoint &= !keys_overlap(&p.pieces[i].key, &p.pieces[j].key);
		}
		from = p.level_end[l];
	}
	for (int k = 0; k < 400; k++, probes++) {
		u128 pt[KEY_FIELDS];
		long want = -1;
		random_probe(boxes, n, frag, kb, pt);
		for (size_t i = 0; i < n && want < 0; i++)
			if (box_holds(&boxes[i], frag, pt, kb))
				want = (long)i;
		long got = kernel_pick(&p, rest, tier, n_tiers, frag, pt, kb);
		if (got != want) {
			agree = false;
			printf("# round %d: probe decided by box %ld, the kernel's lookups pick "
			       "%ld\n",
			       round, want, got);
			break;
		}
	}
	ok(disjoint && inside && agree,
	   "round %d: %zu boxes%s in %zu levels (%zu pieces) and %ld tiers (%zu boxes); "
	   "pieces disjoint and inside their box; %zu probes decided alike",
	   round, n, frag ? " (fragments)" : "", p.n_levels, p.n_pieces, n_tiers, p.n_rest,
	   probes);
	partition_free(&p);
out:
	free(boxes);
	free(rest);
	free(tier);
	free(kb);
}

int main(void)
{
	for (int round = 0; round < 60; round++)
		test_round(round, 1 + rnd(round < 30 ? 40 : 400), round % 5 == 4);
	return done_testing();
}
