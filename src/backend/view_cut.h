// SPDX-License-Identifier: MIT
/* view_cut.h - a view's cut: its boxes cut into partitions (partition.h)
 * and what is left in tiers (tiers.h), or all in tiers when cutting does
 * not pay. A cut depends on the boxes alone (and on whether the view is a
 * fragment view), not on the verdicts: the inbound and outbound views of
 * a family and protocol often hold the same boxes, and the second takes
 * the first's cut within one build (secure.c). */
#ifndef IPSECFW_VIEW_CUT_H
#define IPSECFW_VIEW_CUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "partition.h"
#include "tiers.h"

/* The boxes a partition left over (all of them: every box), tiered. */
struct rest_tiers {
	struct tier_box *boxes;
	uint32_t *tier;
	long n_tiers; /* -1: out of memory */
};

/* A cut, of boxes[n]. */
struct view_cut {
	struct tier_box *boxes;
	size_t n;
	bool frag;
	struct partition part;
	struct rest_tiers rt;
};

/* The cut of boxes: the one in cuts[n_cuts] of the same boxes, or made
 * and added there. NULL: out of memory. */
const struct view_cut *view_cut_of(struct view_cut **cuts, size_t *n_cuts,
				   const struct tier_box *boxes, size_t n, bool frag);
void view_cuts_free(struct view_cut **cuts, size_t *n_cuts);

#endif
