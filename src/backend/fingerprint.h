// SPDX-License-Identifier: MIT
/* fingerprint.h - digests that tie what ipsecfw loaded to what the kernel
 * holds. A program's fingerprint is a digest of its serialized text; the
 * kernel's is a digest of our table as the kernel dumps it over netlink
 * (the table, chains, rules, sets, their elements and the named objects),
 * leaving out what changes while the contents do not: counter values, and
 * the order elements are dumped in. Handles are kept, so a table deleted
 * and made again counts as changed. Both are SHA-256 cut to 128 bits, in
 * hex. The kernel's is read with libmnl, not libnftables: 80,000 elements
 * in milliseconds rather than seconds. */
#ifndef IPSECFW_FINGERPRINT_H
#define IPSECFW_FINGERPRINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <nettle/sha2.h>

#include "model/err.h"

enum { FINGERPRINT_HEX = 32 };

void fingerprint_text(const char *text, size_t len, char out[FINGERPRINT_HEX + 1]);

/* Our table's fingerprint now, the chains named skip_prefix* left out
 * (the state chain, whose name carries the fingerprint), and the ruleset
 * generation it was read at (every nftables commit moves it by one).
 * Returns 1, 0 when there is no table, -1 on error. */
int fingerprint_kernel(const char *skip_prefix, char out[FINGERPRINT_HEX + 1], uint32_t *gen,
		       struct err *e);

/* A set element's digest, from its attributes as the kernel dumps them
 * (elem: the NFTA_LIST_ELEM nest), its counters and timers left out. */
enum { FINGERPRINT_ELEM = 16 };
struct nlattr;
void fingerprint_element(const struct nlattr *elem, uint8_t out[FINGERPRINT_ELEM]);

/* What the kernel's fingerprint is made of: the digest of the table's
 * objects (all but elements) so far, then each set's name and the sorted
 * digests of its elements. Kept, it turns element changes into the new
 * fingerprint without reading the table back. */
struct fingerprint_set {
	char *name;
	uint8_t (*elems)[FINGERPRINT_ELEM];
	size_t n;
};
struct fingerprint_state {
	struct sha256_ctx objects;
	struct fingerprint_set *sets;
	size_t n_sets;
};

/* fingerprint_kernel, keeping what it read in *out. */
int fingerprint_kernel_state(const char *skip_prefix, struct fingerprint_state *out,
			     uint32_t *gen, struct err *e);
void fingerprint_state_hex(const struct fingerprint_state *s, char out[FINGERPRINT_HEX + 1]);
/* In set, elements of digests gone (each must be there) give way to
 * fresh. -1 (s unchanged) when one is missing or memory is. */
int fingerprint_state_update(struct fingerprint_state *s, const char *set,
			     const uint8_t (*gone)[FINGERPRINT_ELEM], size_t n_gone,
			     const uint8_t (*fresh)[FINGERPRINT_ELEM], size_t n_fresh);
void fingerprint_state_free(struct fingerprint_state *s);

/* Whether an nftables netlink message is about our table (every object
 * message names its table in attribute 1: NFTA_TABLE_NAME, NFTA_CHAIN_TABLE,
 * NFTA_SET_TABLE, ... are all 1). */
struct nlmsghdr;
bool fingerprint_names_our_table(const struct nlmsghdr *nlh);

/* The ruleset generation now. */
int fingerprint_generation(uint32_t *gen, struct err *e);

#endif
