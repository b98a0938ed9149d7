// SPDX-License-Identifier: MIT
/* analyze.h - what is wrong with a policy (SPEC §14 analysis): filters that
 * can never decide (shadowed), equally specific overlapping filters with
 * different actions (conflicts), filters whose removal changes no verdict
 * (redundant), and filters whose me or server type expands to nothing.
 * Each finding carries a witness packet. Shadowing and redundancy are
 * proved pairwise: what is reported is true; a filter hidden only by the
 * union of several others is not reported. */
#ifndef IPSECFW_ANALYZE_H
#define IPSECFW_ANALYZE_H

#include <stddef.h>

#include "ftable.h"
#include "packet.h"

enum finding_kind { FIND_SHADOWED, FIND_CONFLICT, FIND_REDUNDANT, FIND_EMPTY };

struct finding {
	enum finding_kind kind;
	uint32_t filter;     /* table filter index */
	long entry;          /* its entry that the witness hits; -1 for FIND_EMPTY */
	long other;          /* the shadowing, conflicting or covering entry; -1 if none */
	struct packet witness;
};

/* Findings in table order. *out is malloc'd. */
int analyze(const struct ftable *t, struct finding **out, size_t *n, struct err *e);

/* Would entry a decide every packet that b matches? */
bool fentry_covers(const struct fentry *a, const struct fentry *b);
bool fentry_overlaps(const struct fentry *a, const struct fentry *b);

const char *finding_kind_name(enum finding_kind k);

/* The first better entry that covers entry i (it decides every packet i
 * matches), or -1. */
long analyze_shadower(const struct ftable *t, size_t i);
/* A packet inside entry a and, if b is not NULL, inside b too. */
void analyze_witness(const struct fentry *a, const struct fentry *b, struct packet *p);

#endif
