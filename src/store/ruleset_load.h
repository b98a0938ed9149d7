// SPDX-License-Identifier: MIT
/* ruleset_load.h - the engine's input read from the stores (SPEC §8): the
 * persistent store's assigned policy, and the domain store's assigned policy
 * or, without one, the local store's; active rules only. */
#ifndef IPSECFW_RULESET_LOAD_H
#define IPSECFW_RULESET_LOAD_H

#include "model/ruleset.h"
#include "store.h"

/* Which assigned policies were found, for messages. */
struct ruleset_origin {
	char persistent[NAME_MAX_LEN]; /* "" = none assigned */
	char effective[NAME_MAX_LEN];  /* the domain or local policy, "" = none */
	enum store_kind effective_store;
};

/* Appends the rules in force to rs (which the caller initialised) and sets
 * rs->ipsecexempt. Reads in one snapshot transaction. */
int ruleset_load(struct db *db, struct ruleset *rs, struct ruleset_origin *origin,
		 struct err *e);

/* ruleset_load, plus the policy agent's dynamic rules, which it mirrors
 * into run_dir (SPEC §3): everything in force. */
int ruleset_load_in_force(struct db *db, const char *run_dir, struct ruleset *rs,
			  struct ruleset_origin *origin, struct err *e);

/* Only the persistent store's policy: what stays in force when the others
 * fail (SPEC §8). */
int ruleset_load_persistent(struct db *db, struct ruleset *rs, struct ruleset_origin *origin,
			    struct err *e);

#endif
