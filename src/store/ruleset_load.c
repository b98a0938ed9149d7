// SPDX-License-Identifier: MIT
/* ruleset_load.c - reading the rules in force from the stores. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ruleset_load.h"
#include "spd_file.h"

static int load_rule(struct db *db, const struct policy *p, const struct rule *r,
		     struct ruleset *rs, struct err *e)
{
	struct ruleset_rule rr = { 0 };
	struct filterlist list;
	struct filteraction act;
	struct filter *filters;
	struct rs_filter *compact;
	size_t n;
	int rc = -1;

	int found;

	if ((found = db_filterlist_by_id(db, r->filterlist_id, &list, e)) == 0)
		err_set(e, "its filter list is missing");
	if (found > 0 && (found = db_filteraction_by_id(db, r->filteraction_id, &act, e)) == 0)
		err_set(e, "its filter action is missing");
	if (found <= 0)
		return err_prefix(e, "rule '%s' of policy '%s'", r->name, p->name);
	if (db_filter_list(db, list.id, &filters, &n, e) < 0)
		return -1;
	rr.store = weight_store_of(p->store);
	snprintf(rr.store_name, sizeof(rr.store_name), "%s", store_kind_name(p->store));
	memcpy(rr.policy, p->name, sizeof(rr.policy));
	memcpy(rr.rule, r->name, sizeof(rr.rule));
	memcpy(rr.list, list.name, sizeof(rr.list));
	memcpy(rr.action_name, act.name, sizeof(rr.action_name));
	rr.action_in = rr.action_out = act.action;
	rr.inpass = act.inpass;
	rr.soft = act.soft;
	rr.conntype = r->conntype;
	memcpy(rr.ike.guid, r->guid, sizeof(rr.ike.guid));
	rr.ike.policy = (int)rs->n_policies - 1;
	rr.ike.qmpfs = act.qmpfs;
	memcpy(rr.ike.qmsecmethods, act.qmsecmethods, sizeof(rr.ike.qmsecmethods));
	memcpy(rr.ike.tunnel, r->tunnel, sizeof(rr.ike.tunnel));
	memcpy(rr.ike.auth, r->auth, sizeof(rr.ike.auth));
	if ((compact = calloc(n ? n : 1, sizeof(*compact)))) {
		for (size_t i = 0; i < n; i++)
			rs_filter_from(&compact[i], &filters[i]);
		rc = ruleset_add(rs, &rr, compact, n) ? 0 : err_set(e, "out of memory");
		free(compact);
	} else {
		err_set(e, "out of memory");
	}
	free(filters);
	return rc;
}

/* The policy's main mode settings, for IKE. */
static void keep_policy(const struct policy *p, struct ruleset *rs)
{
	struct rs_policy *rp;

	if (rs->n_policies >= sizeof(rs->policies) / sizeof(rs->policies[0]))
		return; /* a ruleset is loaded once: persistent, then one other */
	rp = &rs->policies[rs->n_policies++];

	snprintf(rp->store_name, sizeof(rp->store_name), "%s", store_kind_name(p->store));
	memcpy(rp->name, p->name, sizeof(rp->name));
	memcpy(rp->guid, p->guid, sizeof(rp->guid));
	rp->mmpfs = p->mmpfs;
	rp->qmpermm = p->qmpermm;
	rp->mmlifetime = p->mmlifetime;
	memcpy(rp->mmsecmethods, p->mmsecmethods, sizeof(rp->mmsecmethods));
	rp->defrule = p->defrule;
}

static int load_policy(struct db *db, const struct policy *p, struct ruleset *rs, struct err *e)
{
	struct rule *rules;
	size_t n;
	int rc = 0;

	if (db_rule_list(db, p->id, &rules, &n, e) < 0)
		return -1;
	keep_policy(p, rs);
	for (size_t i = 0; i < n && rc == 0; i++)
		if (rules[i].active)
			rc = load_rule(db, p, &rules[i], rs, e);
	free(rules);
	return rc;
}

static int load_all(struct db *db, struct ruleset *rs, struct ruleset_origin *origin,
		    bool persistent_only, struct err *e)
{
	struct policy p;
	struct config cfg;
	int found;

	memset(origin, 0, sizeof(*origin));
	if (db_config_load(db, &cfg, e) < 0)
		return -1;
	rs->ipsecexempt = cfg.ipsecexempt;
	if ((found = db_policy_assigned(db, STORE_PERSISTENT, &p, e)) < 0 ||
	    (found && load_policy(db, &p, rs, e) < 0))
		return -1;
	if (found)
		memcpy(origin->persistent, p.name, sizeof(origin->persistent));
	if (persistent_only)
		return 0;
	/* A domain-assigned policy overrides the local one (SPEC §8). */
	origin->effective_store = STORE_DOMAIN;
	if ((found = db_policy_assigned(db, STORE_DOMAIN, &p, e)) == 0) {
		origin->effective_store = STORE_LOCAL;
		found = db_policy_assigned(db, STORE_LOCAL, &p, e);
	}
	if (found < 0 || (found && load_policy(db, &p, rs, e) < 0))
		return -1;
	if (found)
		memcpy(origin->effective, p.name, sizeof(origin->effective));
	return 0;
}

static int load_snapshot(struct db *db, struct ruleset *rs, struct ruleset_origin *origin,
			 bool persistent_only, struct err *e)
{
	bool own_tx = !db_in_transaction(db);
	int rc;

	if (own_tx && db_begin_read(db, e) < 0)
		return -1;
	rc = load_all(db, rs, origin, persistent_only, e);
	if (own_tx) {
		if (rc == 0)
			rc = db_commit(db, e);
		else
			db_rollback(db);
	}
	return rc;
}

int ruleset_load(struct db *db, struct ruleset *rs, struct ruleset_origin *origin,
		 struct err *e)
{
	return load_snapshot(db, rs, origin, false, e);
}

int ruleset_load_persistent(struct db *db, struct ruleset *rs, struct ruleset_origin *origin,
			    struct err *e)
{
	return load_snapshot(db, rs, origin, true, e);
}

int ruleset_load_in_force(struct db *db, const char *run_dir, struct ruleset *rs,
			  struct ruleset_origin *origin, struct err *e)
{
	if (ruleset_load(db, rs, origin, e) < 0)
		return -1;
	return spd_file_load_rules(run_dir, rs, e);
}
