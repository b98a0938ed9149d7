// SPDX-License-Identifier: MIT
/* partition.h - fewer lookups than tiers by cutting filters into pieces.
 *
 * The kernel looks a packet's key (src . dst . proto . sport . dport) up in
 * interval maps; a filter is one or more boxes of that key space. What a
 * "most specific filter wins" classifier decides is a partition of the
 * space: each box minus every better box it overlaps (its residual) is
 * where it decides, and the residuals of all boxes are disjoint, so one
 * map holds them all and one lookup finds the decision.
 *
 * A residual can explode (a wide filter under thousands of narrower ones),
 * so it is bounded: a box whose residual takes more than a few pieces is
 * left for the next level, a partition of the boxes left over, whose
 * residuals subtract only the better boxes left over too. A packet that
 * misses level L is decided by a box left for level L + 1: its best box
 * was not placed in L (or L would have matched it: nothing better contains
 * the packet), and no piece of L can hold it (each subtracts that better
 * box). After the last level, the boxes still left go to tiers (tiers.h). */
#ifndef IPSECFW_PARTITION_H
#define IPSECFW_PARTITION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tiers.h"

enum key_field { KEY_SRC, KEY_DST, KEY_PROTO, KEY_SPORT, KEY_DPORT, KEY_FIELDS };

/* A box of the key space: per field an inclusive interval. Addresses are
 * 128-bit big-endian numbers (IPv4 in the top 32 bits). */
struct key_box {
	unsigned __int128 lo[KEY_FIELDS], hi[KEY_FIELDS];
};

enum { KEY_BOXES_MAX = 256 };

/* The key boxes of a filter box, as the kernel reads the key: ICMP type and
 * code are one 16-bit field in th sport (type << 8 | code), so a code
 * without a type is one box per type; the fragment view (frag) has no
 * ports. Returns the count, at most KEY_BOXES_MAX. */
size_t key_boxes_of(const struct tier_box *b, bool frag, struct key_box *out);

struct partition_piece {
	uint32_t box; /* the input box it is a piece of */
	struct key_box key;
};

struct partition {
	struct partition_piece *pieces; /* level by level, best box first */
	size_t n_pieces;
	size_t level_end[4]; /* pieces of level L end at level_end[L] */
	size_t n_levels;
	uint32_t *rest; /* boxes left to tiers, best first */
	size_t n_rest;
};

/* boxes[] best first, of one view (frag: the fragment view). */
int partition_build(const struct tier_box *boxes, size_t n, bool frag, struct partition *out);
void partition_free(struct partition *p);

#endif
