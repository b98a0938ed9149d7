// SPDX-License-Identifier: MIT
/* ruleset.h - the engine's input: the active rules in force, each with its
 * filters and what it does, traced to where it came from (SPEC §5.2, §8):
 * the persistent policy, the domain-else-local policy and the agent's
 * dynamic rules. */
#ifndef IPSECFW_RULESET_H
#define IPSECFW_RULESET_H

#include <stddef.h>

#include "policy.h"
#include "weight.h"

/* A filter as the engine needs it: the matching fields and its identity,
 * without the descriptions and names the store keeps. */
struct rs_addr {
	enum addr_kind kind;
	enum server_type server; /* ADDR_SERVER */
	struct ip_prefix ip;     /* ADDR_IP */
};

struct rs_filter {
	struct rs_addr src, dst;
	uint8_t proto;
	bool mirrored;
	struct port_range sport, dport;
	int16_t icmp_type, icmp_code; /* -1 = any */
	int64_t id, seq;
	char guid[GUID_LEN];
};

/* What IKE needs of a negotiate rule (SPEC §2.5, §2.6): the quick mode
 * offers and authentication; the main mode comes from its policy. */
struct rs_ike_rule {
	char guid[GUID_LEN]; /* the rule's */
	int policy;          /* index into ruleset.policies, -1 for dynamic rules */
	bool qmpfs;
	int qmpfs_group; /* 1..3: the dynamic SPD's pfsgroup; 0: main mode's */
	char qmsecmethods[METHODS_MAX_LEN];
	char tunnel[ADDR_NAME_MAX]; /* "" = transport */
	char auth[AUTH_MAX_LEN];
	/* A dynamic rule's main mode policy (SPEC §3), which no ruleset
	 * policy holds; used when policy is -1 and dynamic is set. */
	bool dynamic;
	long mm_qmpermm, mm_lifetime; /* mm_lifetime in minutes */
	long mm_softsa; /* softsaexpirationtime (seconds), 0: not set */
	char mm_secmethods[METHODS_MAX_LEN];
};

/* A policy in force, for its main mode and default response rule
 * (SPEC §2.2). */
struct rs_policy {
	char store_name[16];
	char name[NAME_MAX_LEN];
	char guid[GUID_LEN];
	bool mmpfs;
	long qmpermm, mmlifetime; /* mmlifetime in minutes */
	char mmsecmethods[METHODS_MAX_LEN];
	struct default_rule defrule;
};

struct ruleset_rule {
	enum weight_store store; /* the Store component of the weight */
	char store_name[16];     /* "persistent", "local", "domain", "dynamic" */
	char policy[NAME_MAX_LEN];
	char rule[NAME_MAX_LEN];
	char list[NAME_MAX_LEN];
	char action_name[NAME_MAX_LEN]; /* the filter action's name */
	/* Static rules act the same both ways; dynamic rules (SPEC §3) have an
	 * inbound and an outbound action. */
	enum action action_in, action_out;
	bool inpass, soft;
	enum conntype conntype;
	struct rs_ike_rule ike;
	struct rs_filter *filters;
	size_t n_filters;
};

struct ruleset {
	struct ruleset_rule *rules;
	size_t n_rules;
	int ipsecexempt; /* SPEC §6.4 */
	struct rs_policy policies[2]; /* persistent, then domain or local */
	size_t n_policies;
};

/* Appends a rule (filters copied); returns it or NULL when out of memory. */
struct ruleset_rule *ruleset_add(struct ruleset *rs, const struct ruleset_rule *r,
				 const struct rs_filter *filters, size_t n_filters);
void rs_filter_from(struct rs_filter *out, const struct filter *f);
void ruleset_free(struct ruleset *rs);

#endif
