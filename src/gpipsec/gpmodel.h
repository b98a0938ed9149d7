// SPDX-License-Identifier: MIT
/* gpmodel.h - MS-GPIPSEC directory objects <-> ipsecfw's model (SPEC §16).
 *
 * ipsecPolicy + its ipsecISAKMPPolicy      -> struct policy (main mode)
 * ipsecNFA with a default-response
 *   ipsecNegotiationPolicy                 -> the policy's default rule
 * other ipsecNFA                           -> struct rule
 * ipsecFilter                              -> struct filterlist + filters
 * other ipsecNegotiationPolicy             -> struct filteraction
 *
 * Objects are matched by their ipsecID; rules name their policy, filter
 * list and filter action by GUID, so a caller inserts lists and actions
 * first, then policies, then rules (the store's ids are its own). What the
 * model cannot say (a rule with several filter lists, address ranges,
 * per-filter tunnels, an ICMP type in a stored filter) is an error naming
 * the object and the field, never silently dropped. */
#ifndef IPSECFW_GP_MODEL_H
#define IPSECFW_GP_MODEL_H

#include <stddef.h>

#include "gpipsec/dirobj.h"
#include "model/policy.h"
#include "model/ruleset.h"

struct gp_list {
	struct filterlist list;
	struct filter *filters;
	size_t n_filters;
};

struct gp_rule {
	struct rule rule;
	char policy[GUID_LEN], list[GUID_LEN], action[GUID_LEN];
};

struct gp_domain {
	struct policy *policies;
	size_t n_policies;
	struct gp_rule *rules;
	size_t n_rules;
	struct gp_list *lists;
	size_t n_lists;
	struct filteraction *actions;
	size_t n_actions;
};

/* The GUIDs of the negotiation policy actions and types (MS-GPIPSEC
 * §2.2.1.4.1; the action ones are SPEC §2.5's too). */
#define GP_ACTION_BLOCK "{3F91A819-7647-11D1-864D-D46A00000000}"
#define GP_ACTION_PERMIT "{8A171DD2-77E3-11D1-8659-A04F00000000}"
#define GP_ACTION_SECURE "{8A171DD3-77E3-11D1-8659-A04F00000000}"
#define GP_ACTION_INPASS "{3F91A81A-7647-11D1-864D-D46A00000000}"
#define GP_TYPE_STANDARD "{62F49E10-6C37-11D1-864C-14A300000000}"
#define GP_TYPE_DEFAULT_RESPONSE "{62F49E13-6C37-11D1-864C-14A300000000}"
/* What Windows writes in ipsecDataType (MS-GPIPSEC says 256; see README). */
#define GP_DATA_TYPE "598"

/* Lists, actions and policies come in name order (a directory has none);
 * rules in their policy's ipsecNFAReference order. */
/* A GUID of its own for role, derived from guid (a name-based UUID: the
 * same each time). */
void gp_guid_derive(const char *guid, const char *role, char out[GUID_LEN]);

int gp_to_model(const struct gp_objset *set, struct gp_domain *out, struct err *e);

/* The objects for dom under container (e.g. "CN=IP Security,CN=System,
 * DC=example,DC=com"), their ipsecData encoded. With prev (the objects the
 * model was decoded from), an object whose meaning did not change keeps
 * prev's bytes, and the objects the model has no GUID for (ISAKMP policy,
 * default response rule) keep prev's names; without prev their GUIDs are
 * derived from the policy's. */
int gp_from_model(const struct gp_domain *dom, const char *container,
		  const struct gp_objset *prev, struct gp_objset *out, struct err *e);

/* The engine's input for one policy of dom (its active rules, SPEC §5.2),
 * as the store's ruleset loader would give it. */
int gp_policy_ruleset(const struct gp_domain *dom, const char *policy_guid,
		      enum weight_store store, struct ruleset *out, struct err *e);

void gp_domain_free(struct gp_domain *d);

#endif
