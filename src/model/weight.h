// SPDX-License-Identifier: MIT
/* weight.h - the specificity key of SPEC §5.3 and §14, in one place (Q1):
 * Key = (A, P, T, Dp, Sev, Store), larger wins; the creation sequence breaks
 * what is left (smaller wins) and is not part of the packed value. */
#ifndef IPSECFW_WEIGHT_H
#define IPSECFW_WEIGHT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policy.h"

/* How much a port (or an ICMP type or code) narrows a filter (SPEC §14). */
enum port_kind { PORTK_ANY = 0, PORTK_RANGE = 1, PORTK_SINGLE = 2 };

/* The Store component: persistent beats domain and local, which beat the
 * dynamic rules of the agent (SPEC §5.3, Q3). */
enum weight_store { WSTORE_DYNAMIC = 0, WSTORE_POLICY = 1, WSTORE_PERSISTENT = 2 };

struct weight_fields {
	unsigned src_bits, dst_bits; /* prefix bits in the filter's own family */
	bool proto;                  /* protocol is not "any" */
	enum port_kind sport, dport; /* ICMP: type as sport, code as dport */
	enum action action;
	enum weight_store store;
};

/* Exemptions (SPEC §6.4) bypass every filter: above any packed weight. */
#define WEIGHT_EXEMPT (1u << 25)

/* W = A<<16 | P<<12 | T<<8 | Dp<<6 | Sev<<2 | Store. */
uint32_t weight_pack(const struct weight_fields *w);

/* The components back from a packed weight. */
struct weight_parts {
	bool exempt;
	unsigned a, p, t, dp, sev, store;
};
void weight_unpack(uint32_t w, struct weight_parts *out);

/* "A=32 P=1 T=2 Dp=1 Sev=1 Store=1" or "exempt". */
void weight_format(uint32_t w, char *buf, size_t len);

enum port_kind port_kind_of(struct port_range p);
/* The action that wins the severity tie-break (a dynamic rule's two
 * actions are weighed by the more severe). */
enum action action_more_severe(enum action a, enum action b);
enum weight_store weight_store_of(enum store_kind s);

#endif
