// SPDX-License-Identifier: MIT
/* mapping.h - the negotiate rules in force as strongSwan connections
 * (SPEC §2.2, §2.5, §2.6): one IKEv1 connection per rule (main mode
 * offers and lifetime from its policy), one trap-started CHILD_SA per
 * filter (quick mode offers, lifetimes and PFS from its filter action,
 * traffic selectors from the filter's compiled entries), a responder-only
 * connection per policy for its default response rule. Each connection
 * is a VICI load-conn message, with a load-shared message for a preshared
 * key; the same messages print as swanctl.conf text. What strongSwan
 * cannot express is kept as notes, shown as comments. */
#ifndef IPSECFW_IKE_MAPPING_H
#define IPSECFW_IKE_MAPPING_H

#include <stdio.h>

#include "engine/ftable.h"
#include "ike/vici.h"
#include "model/ruleset.h"

struct ike_conn {
	char name[64];       /* "ipsecfw-<8 hex of the rule's or policy's GUID>[-default]" */
	char origin[600];    /* "rule 'Admin' of policy 'Web' (local)" */
	bool mapped;         /* false: no usable method, notes say why */
	struct vici_msg conn;   /* load-conn: one section named name */
	struct vici_msg secret; /* load-shared, or empty */
	char notes[2048];       /* gaps, a line each */
	/* A soft transport rule: how long a fallback to clear with a peer
	 * that does not answer IKE lasts (seconds); 0 for any other. */
	long soft_seconds;
	long rule; /* index into the table's rules; -1: a default response rule */
};

/* A fallback to clear in force (SPEC §5.5 soft): the soft rule's
 * connection gave up on a peer that never answered. */
enum { SOFT_SECONDS_DEFAULT = 300 };
struct ike_fallback {
	char conn[64]; /* the rule's connection */
	char peer[64]; /* an address */
	long long since, until; /* CLOCK_MONOTONIC seconds */
};

struct ike_config {
	struct ike_conn *conns;
	size_t n;
};

/* rs: the rules and policies in force; t: their compiled table (for the
 * traffic selectors, with `me` and the server types resolved); facts: the
 * host's addresses (a filter naming one is local on that side). Each
 * fallback adds, to a connection "<rule's>-clear", pass CHILD_SAs for its
 * rule's traffic with that peer: charon's shunt policies, which outrank
 * its trap policies, so clear traffic flows both ways. */
int ike_map(const struct ruleset *rs, const struct ftable *t, const struct host_facts *facts,
	    const struct ike_fallback *fallbacks, size_t n_fallbacks, struct ike_config *out,
	    struct err *e);
void ike_config_free(struct ike_config *c);

/* swanctl.conf text: connections, then secrets (keys hidden), with the
 * origin and notes of each connection as comments. */
void ike_write_conf(const struct ike_config *c, FILE *out);

#endif
