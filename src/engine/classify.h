// SPDX-License-Identifier: MIT
/* classify.h - which entry of a FilterTable decides a packet.
 *
 * The reference classifier is a plain loop over every entry keeping the
 * best: it defines the right answer. The fast classifier is a tuple space
 * (one hash table per pair of prefix lengths, merged TupleMerge-style and
 * searched in order of the best weight each holds), with insert and delete,
 * and must give the same answer for every packet. */
#ifndef IPSECFW_CLASSIFY_H
#define IPSECFW_CLASSIFY_H

#include <stddef.h>
#include <stdint.h>

#include "ftable.h"
#include "packet.h"

/* Do the first len bits of addr equal those of net (whose other bits are
 * clear)? */
bool prefix_matches(const uint8_t *net, uint8_t len, const uint8_t *addr);

/* Does entry en match packet p? (SPEC §5.4, with the inbound
 * multicast/broadcast rule and fragments.) */
bool entry_matches(const struct fentry *en, const struct packet *p);

/* The index of the deciding entry, or -1: no filter matches. */
long ref_classify(const struct ftable *t, const struct packet *p);

struct fast_cls;

struct fast_stats {
	size_t rules;  /* entries held (any-family entries count twice) */
	size_t tables; /* tuples, over both families and views */
	size_t bytes;  /* memory held */
};

struct fast_cls *fast_new(void);
void fast_free(struct fast_cls *c);
/* Inserts every entry of t with its index as id. */
int fast_build(struct fast_cls *c, const struct ftable *t);
/* One entry, under a caller-chosen id unique in c. ids order ties of prio:
 * the lower id wins, as the lower index does in a table. */
int fast_insert(struct fast_cls *c, const struct fentry *en, uint32_t id);
/* Removes the entry inserted with this id (en must equal what was inserted).
 * Returns 0, or -1 when it is not there. */
int fast_delete(struct fast_cls *c, const struct fentry *en, uint32_t id);
/* The id of the deciding entry, or -1. */
long fast_classify(const struct fast_cls *c, const struct packet *p);
void fast_get_stats(const struct fast_cls *c, struct fast_stats *out);

#endif
