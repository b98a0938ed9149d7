// SPDX-License-Identifier: MIT
/* filterspec.h - reads the filter tags shared by `add filter`, `delete
 * filter` and the dynamic rules (srcaddr, srcmask, protocol, ports, ...)
 * into filters, resolving host names once (SPEC §1.1, §2.4). */
#ifndef IPSECFW_FILTERSPEC_H
#define IPSECFW_FILTERSPEC_H

#include <stdbool.h>

#include "session.h"

struct filter_spec {
	struct filter base; /* every field but the addresses a name expands to */
	struct addr src[RESOLVE_MAX], dst[RESOLVE_MAX];
	size_t n_src, n_dst;
	/* Which optional tags were given (delete filter: the rest are wildcards). */
	bool has_proto, has_mirrored, has_srcmask, has_dstmask, has_sport, has_dport,
		has_icmp_type, has_icmp_code;
};

/* Parses the tags present in b. resolve=false keeps host names unresolved
 * (for matching stored names). */
int filterspec_read(struct session *s, struct bound *b, bool resolve, struct filter_spec *fs,
		    struct err *e);

/* Calls fn for every valid (src, dst) combination; combinations of
 * different families are skipped, and it fails when none is left. */
int filterspec_each(const struct filter_spec *fs,
		    int (*fn)(struct filter *f, void *ctx, struct err *e), void *ctx,
		    struct err *e);

/* delete filter: does a stored filter match the given criteria? */
bool filterspec_matches(const struct filter_spec *fs, const struct filter *f);

#endif
