// SPDX-License-Identifier: MIT
/* tiers.h - splitting weight-ordered filters into tiers for first-match
 * lookups. A tier holds filters that do not overlap, and a filter sits in
 * a later tier than every better filter it overlaps. So the first tier
 * with a match holds the best matching filter, and the kernel can test one
 * tier after another, one map lookup each, and stop at the first hit.
 *
 * Why not let a map hold overlapping filters, best first? A pipapo set
 * does answer with the element it was given first in small tests, but not
 * always: in a map of a 10,000-filter policy, a probe that matched its
 * 5th and its 158th element got the 158th (kernel 6.18; `nft get element`
 * alike), and no subset of fewer than 128 of its elements did so. Nothing documents an order, so a
 * map's elements must not overlap. */
#ifndef IPSECFW_TIERS_H
#define IPSECFW_TIERS_H

#include <stddef.h>
#include <stdint.h>

#include "model/proto.h"

/* One filter as a box in header space: two prefixes, a protocol (0 = any)
 * and two port ranges (ICMP: type and code). */
struct tier_box {
	uint8_t src[16], dst[16];
	uint8_t src_len, dst_len;
	uint8_t proto;
	struct port_range sport, dport;
};

/* An address as a 128-bit big-endian number (IPv4 in the top 32 bits), and
 * the mask of a prefix length. */
static inline unsigned __int128 tier_addr_load(const uint8_t *b)
{
	unsigned __int128 v = 0;

	for (int i = 0; i < 16; i++)
		v = v << 8 | b[i];
	return v;
}

static inline unsigned __int128 tier_prefix_mask(unsigned len)
{
	return len == 0 ? 0 : ~(unsigned __int128)0 << (128 - len);
}

/* Do two boxes share a packet? */
_Bool tier_boxes_overlap(const struct tier_box *a, const struct tier_box *b);

/* boxes[] best first. Sets tier[i] (from 0) to one more than the highest
 * tier of the better boxes box i overlaps: the fewest tiers that keep the
 * order. Returns the number of tiers, or -1 when out of memory. */
long tiers_assign(const struct tier_box *boxes, size_t n, uint32_t *tier);
/* The same, but stops once enough tiers are taken (returning enough; the
 * tiers of the boxes after the one that took the last are not set): for
 * a caller that only asks whether the boxes need that many. */
long tiers_assign_until(const struct tier_box *boxes, size_t n, uint32_t *tier, uint32_t enough);

/* An index of boxes for overlap queries among those marked so far (the
 * better boxes, when boxes are marked best first). */
struct tier_index;
struct tier_index *tier_index_new(const struct tier_box *boxes, size_t n); /* NULL: no memory */
void tier_index_free(struct tier_index *ix);
void tier_index_mark(struct tier_index *ix, size_t i);
/* The marked boxes that overlap box q, into out[]; stops once it found
 * max + 1 (out holds max + 1). Returns how many it found. */
size_t tier_index_overlaps(const struct tier_index *ix, size_t q, uint32_t *out, size_t max);

#endif
