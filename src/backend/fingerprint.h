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

#include "model/err.h"

enum { FINGERPRINT_HEX = 32 };

void fingerprint_text(const char *text, size_t len, char out[FINGERPRINT_HEX + 1]);

/* Our table's fingerprint now, the chains named skip_prefix* left out
 * (the state chain, whose name carries the fingerprint), and the ruleset
 * generation it was read at (every nftables commit moves it by one).
 * Returns 1, 0 when there is no table, -1 on error. */
int fingerprint_kernel(const char *skip_prefix, char out[FINGERPRINT_HEX + 1], uint32_t *gen,
		       struct err *e);

/* Whether an nftables netlink message is about our table (every object
 * message names its table in attribute 1: NFTA_TABLE_NAME, NFTA_CHAIN_TABLE,
 * NFTA_SET_TABLE, ... are all 1). */
struct nlmsghdr;
bool fingerprint_names_our_table(const struct nlmsghdr *nlh);

/* The ruleset generation now. */
int fingerprint_generation(uint32_t *gen, struct err *e);

#endif
