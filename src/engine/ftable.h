// SPDX-License-Identifier: MIT
/* ftable.h - the FilterTable: every specific filter in force (SPEC §5.2),
 * expanded, mirrored, weighted and sorted best first, each traceable to its
 * filter, list, rule, policy and store. What the kernel enforces and what
 * every query explains. */
#ifndef IPSECFW_FTABLE_H
#define IPSECFW_FTABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "model/ruleset.h"
#include "sys/facts.h"

/* An entry's action per direction: enum action, or this. */
enum { ACT_EXEMPT = 3 };

/* Where an address side came from, for explanations and analysis. */
enum side_kind { SIDE_ANY, SIDE_ME, SIDE_HOST, SIDE_SUBNET, SIDE_SERVER };

enum entry_flags {
	EF_INPASS = 1, /* negotiate: accept cleartext inbound */
	EF_SOFT = 2,   /* negotiate: fall back to clear outbound */
	EF_BCAST = 4,  /* may match inbound multicast/broadcast (SPEC §5.4) */
	EF_MIRROR = 8, /* made by mirroring the stored filter */
	EF_IN_ONLY = 16,  /* matches inbound packets only (an exemption by local port) */
	EF_OUT_ONLY = 32, /* matches outbound packets only */
};

/* Conntype as a mask of interface kinds (SPEC §5.4 iface_type). */
enum { CONN_LAN_BIT = 1, CONN_DIALUP_BIT = 2, CONN_BOTH = 3 };

/* The exemption classes of SPEC §6.4. */
enum exempt_class { EXC_NONE, EXC_ISAKMP, EXC_KERBEROS, EXC_RSVP, EXC_MULTICAST, EXC_BROADCAST };

struct fentry {
	uint8_t family; /* AF_INET, AF_INET6, or 0: any to any, both families */
	uint8_t src_len, dst_len;
	uint8_t proto; /* 0 = any */
	uint8_t src[16], dst[16];
	struct port_range sport, dport; /* ICMP: type and code */
	uint8_t action_in, action_out;
	uint8_t flags, conn;
	uint8_t src_kind, dst_kind;
	uint8_t exempt; /* enum exempt_class */
	uint32_t weight;
	/* weight, then the earlier creation: larger wins. Equal only for
	 * entries of one filter; then the lower index wins. */
	uint64_t prio;
	uint32_t filter; /* index into ftable.filters; UINT32_MAX for exemptions */
};

/* Does the entry match packets of this direction at all? */
static inline bool fentry_sees(const struct fentry *en, bool inbound)
{
	return !(en->flags & (inbound ? EF_OUT_ONLY : EF_IN_ONLY));
}

struct ftable_filter {
	uint32_t rule; /* index into ftable.rules */
	struct rs_filter f;
	bool fact_dependent; /* me or a server type: re-expanded when facts change */
};

struct ftable {
	struct fentry *entries; /* best first */
	size_t n_entries;
	struct ruleset_rule *rules; /* copies, without their filters */
	size_t n_rules;
	struct ftable_filter *filters;
	size_t n_filters;
	int ipsecexempt;
};

enum { FTABLE_MAX_ENTRIES = 1000000 }; /* SPEC §11 soft limit */

/* Compiles the rules in force with the host facts. Deterministic: the same
 * inputs give the same table, byte for byte. */
int ftable_compile(const struct ruleset *rs, const struct host_facts *facts, struct ftable *out,
		   struct err *e);

/* Recompiles after a change of host facts only: entries of filters that do
 * not depend on facts are kept, the others re-expanded. The result equals
 * a full compile with the new facts. */
int ftable_refresh(const struct ftable *old, const struct host_facts *facts, struct ftable *out,
		   struct err *e);

void ftable_free(struct ftable *t);

/* The total order of the table: 1 when a decides before b. */
bool fentry_better(const struct fentry *a, uint32_t ia, const struct fentry *b, uint32_t ib);

/* Entries present in only one of two tables, as (index, in_new) pairs, in
 * table order: what an incremental update must delete and insert. */
typedef void (*ftable_diff_cb)(const struct ftable *t, size_t index, bool added, void *ctx);
void ftable_diff(const struct ftable *old, const struct ftable *new_, ftable_diff_cb cb,
		 void *ctx);

/* One line per entry, everything that defines it: for diffs and golden
 * files. */
void ftable_write(const struct ftable *t, FILE *out);

/* Describing entries. */
void fentry_format_match(const struct fentry *en, char *buf, size_t len);
const char *exempt_class_name(enum exempt_class c);
const char *side_kind_name(enum side_kind k);
/* "filter 12 {guid} of list 'Web' in rule 'Web' of policy 'X' (local)". */
void fentry_format_origin(const struct ftable *t, const struct fentry *en, char *buf, size_t len);
void ftable_filter_origin(const struct ftable *t, uint32_t fi, bool mirror, char *buf, size_t len);

#endif
