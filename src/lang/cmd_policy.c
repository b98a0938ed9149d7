// SPDX-License-Identifier: MIT
/* cmd_policy.c - netsh static commands on policies, rules and the default
 * response rule (SPEC §2.2, §2.6). */
#include "cmd_policy.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cmd_common.h"
#include "directory/domainsrc.h"
#include "model/secmethods.h"
#include "show.h"

/* Minutes; generous bounds, the filter engine ignores both (SPEC §2.2). */
enum { MINUTES_MAX = INT_MAX / 60 };
/* The safe-assign window: long enough to test a remote session, at most a day. */
enum { CONFIRM_MIN_S = 2, CONFIRM_MAX_S = 86400 };

static int policy_exists(struct session *s, const char *name, struct err *e)
{
	struct policy p;
	return db_policy_find(s->db, s->store, name, NULL, &p, e);
}

/* The options shared by add and set policy. */
static int read_policy(struct session *s, struct bound *b, struct policy *p, struct err *e)
{
	const char *methods = args_get(b, "mmsecmethods");

	if (cmd_read_description(b, p->description, sizeof(p->description), e) < 0 ||
	    args_bool(b, "mmpfs", &p->mmpfs, e) < 0 ||
	    args_long(b, "qmpermm", 0, INT_MAX, &p->qmpermm, e) < 0 ||
	    args_long(b, "mmlifetime", 1, MINUTES_MAX, &p->mmlifetime, e) < 0 ||
	    args_bool(b, "activatedefaultrule", &p->defrule.active, e) < 0 ||
	    args_long(b, "pollinginterval", 1, MINUTES_MAX, &p->pollinginterval, e) < 0)
		return -1;
	if (methods && mmsecmethods_parse(methods, p->mmsecmethods, sizeof(p->mmsecmethods), e) < 0)
		return args_fail(b, "mmsecmethods", e);
	/* SPEC §2.2: master-key PFS forces one quick mode per main mode. */
	if (p->mmpfs && p->qmpermm != 1) {
		if (args_has(b, "qmpermm"))
			session_warn(s, "mmpfs=yes forces qmpermm=1");
		p->qmpermm = 1;
	}
	return 0;
}

/* confirm=SECONDS (safe assign): remember the assignment this change
 * replaces, so that it comes back unless `ipsecfw confirm` does in time. */
static int arm_confirm(struct session *s, struct bound *b, const struct policy *p, bool assign,
		       struct err *e)
{
	struct pending_assign pa;
	struct policy prev;
	long seconds;
	int found;

	if (args_long(b, "confirm", CONFIRM_MIN_S, CONFIRM_MAX_S, &seconds, e) < 0)
		return -1;
	if ((found = db_pending_get(s->db, &pa, e)) < 0)
		return -1;
	if (found) {
		long long left = (long long)(pa.deadline - (int64_t)time(NULL));
		err_set(e, "an earlier assignment is still waiting for `ipsecfw confirm` "
			   "(it rolls back in %lld s); confirm it or let it roll back first",
			left > 0 ? left : 0);
		return args_fail(b, "confirm", e);
	}
	if ((found = db_policy_assigned(s->db, s->store, &prev, e)) < 0)
		return -1;
	memset(&pa, 0, sizeof(pa));
	pa.store = s->store;
	pa.deadline = (int64_t)time(NULL) + seconds;
	if (found)
		memcpy(pa.previous, prev.guid, sizeof(pa.previous));
	if (assign)
		memcpy(pa.policy, p->guid, sizeof(pa.policy));
	if (db_pending_set(s->db, &pa, e) < 0)
		return -1;
	s->confirm_armed = true;
	return 0;
}

/* assign=yes makes the policy the store's one assigned policy; assign=no
 * unassigns it. The domain store is assigned through gponame= instead. */
static int apply_assign(struct session *s, struct bound *b, struct policy *p, struct err *e)
{
	bool assign;

	if (!args_has(b, "assign")) {
		if (!args_has(b, "confirm"))
			return 0;
		err_set(e, "confirm= guards an assignment: give assign=yes or assign=no");
		return args_fail(b, "confirm", e);
	}
	if (args_bool(b, "assign", &assign, e) < 0)
		return -1;
	if (s->store == STORE_DOMAIN) {
		if (args_has(b, "confirm")) {
			err_set(e, "confirm= applies to the local and persistent stores only");
			return args_fail(b, "confirm", e);
		}
		session_warn(s, "assign= has no effect in the domain store; use gponame=");
		return 0;
	}
	if (args_has(b, "confirm") && arm_confirm(s, b, p, assign, e) < 0)
		return -1;
	if (assign)
		return db_policy_assign(s->db, s->store, p->id, e);
	if (p->assigned)
		return db_policy_assign(s->db, s->store, 0, e);
	return 0;
}

int cmd_add_policy(struct session *s, struct bound *b, struct err *e)
{
	struct policy p;
	const char *name = args_get(b, "name");

	policy_init(&p);
	p.store = s->store;
	if (cmd_check_name(b, "name", name, policy_exists(s, name, e), "policy", e) < 0 ||
	    read_policy(s, b, &p, e) < 0)
		return -1;
	snprintf(p.name, sizeof(p.name), "%s", name);
	if (db_policy_add(s->db, &p, e) < 0)
		return -1;
	return apply_assign(s, b, &p, e);
}

int cmd_set_policy(struct session *s, struct bound *b, struct err *e)
{
	struct policy p;
	const char *newname = args_get(b, "newname"), *gpo = args_get(b, "gponame");

	if (cmd_find_policy(s, b, "name", &p, e) < 0)
		return -1;
	if (newname && strcmp(newname, p.name) != 0) {
		if (cmd_check_name(b, "newname", newname, policy_exists(s, newname, e), "policy",
				   e) < 0)
			return -1;
		snprintf(p.name, sizeof(p.name), "%s", newname);
	}
	if (read_policy(s, b, &p, e) < 0)
		return -1;
	if (gpo) {
		if (s->store != STORE_DOMAIN) {
			err_set(e, "gponame= applies to the domain store only "
				   "(set store location=domain)");
			return args_fail(b, "gponame", e);
		}
		if (field_copy(p.gponame, sizeof(p.gponame), gpo, "gponame", e) < 0)
			return args_fail(b, "gponame", e);
	}
	if (db_policy_update(s->db, &p, e) < 0)
		return -1;
	/* A GPO link is the domain store's assignment. */
	if (gpo && db_policy_assign(s->db, STORE_DOMAIN, gpo[0] ? p.id : 0, e) < 0)
		return -1;
	return apply_assign(s, b, &p, e);
}

int cmd_delete_policy(struct session *s, struct bound *b, struct err *e)
{
	struct policy one, *ps = &one;
	size_t n = 1;
	int rc = 0;

	if (cmd_is_all(args_get(b, "name"))) {
		if (db_policy_list(s->db, s->store, &ps, &n, e) < 0)
			return -1;
	} else if (cmd_find_policy(s, b, "name", &one, e) < 0) {
		return -1;
	}
	/* Rules go with the policy; lists and actions stay (SPEC §2.2). */
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = db_policy_delete(s->db, ps[i].id, e);
	if (ps != &one)
		free(ps);
	return rc;
}

int cmd_show_policy(struct session *s, struct bound *b, struct err *e)
{
	struct show_opts o;
	struct policy one, *ps = &one;
	size_t n = 1;
	json_t *items;

	if (show_opts_read(b, &o, e) < 0)
		return -1;
	if (cmd_is_all(args_get(b, "name"))) {
		if (db_policy_list(s->db, s->store, &ps, &n, e) < 0)
			return -1;
	} else if (cmd_find_policy(s, b, "name", &one, e) < 0) {
		return -1;
	}
	items = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *j = show_policy(s, &ps[i], true, &o, e);
		if (!j) {
			json_decref(items);
			items = NULL;
			break;
		}
		json_array_append_new(items, j);
	}
	if (ps != &one)
		free(ps);
	if (!items)
		return -1;
	show_print(s, "policy", items, &o);
	return 0;
}

/* The directory the agent fetched the policy from (SPEC §2.7), when it
 * is the policy that fetch cached. */
static json_t *with_source(struct session *s, const struct policy *p, json_t *j)
{
	struct domain_source src;
	struct err e;
	char state[1536];

	if (domain_source_get(s->db, &src, &e) != 1 || strcasecmp(src.gponame, p->gponame) != 0)
		return j;
	json_object_set_new(j, "gpo", json_string(src.gpo));
	json_object_set_new(j, "directory object", json_string(src.policydn));
	json_object_set_new(j, "server", json_string(src.server));
	json_object_set_new(j, "fetched", json_string(src.fetched));
	if (s->directory_state && s->directory_state(s, state, sizeof state) == 1)
		json_object_set_new(j, "agent", json_string(state));
	return j;
}

int cmd_show_gpoassignedpolicy(struct session *s, struct bound *b, struct err *e)
{
	const char *gpo = args_get(b, "name");
	struct show_opts o = { .format = SHOW_LIST };
	struct policy *ps;
	size_t n;
	json_t *items = json_array();
	int rc = 0;

	if (db_policy_list(s->db, STORE_DOMAIN, &ps, &n, e) < 0) {
		json_decref(items);
		return -1;
	}
	for (size_t i = 0; i < n && rc == 0; i++) {
		if (!ps[i].gponame[0] || (gpo && strcasecmp(gpo, ps[i].gponame) != 0))
			continue;
		json_t *j = show_policy(s, &ps[i], false, &o, e);
		if (!j)
			rc = -1;
		else
			json_array_append_new(items, with_source(s, &ps[i], j));
	}
	free(ps);
	if (rc < 0) {
		json_decref(items);
		return -1;
	}
	if (json_array_size(items) == 0 && !s->json) {
		json_decref(items);
		fprintf(s->out, "No policy is assigned to %s%s.\n", gpo ? "the GPO " : "any GPO",
			gpo ? gpo : "");
		return 0;
	}
	show_print(s, "policy", items, &o);
	return 0;
}

/* ---- rules -------------------------------------------------------------- */

/* tunnel=: an IP address or a host name, resolved now; "" clears it. */

/* The options shared by add and set rule. */
static int read_rule(struct session *s, struct bound *b, struct rule *r, struct err *e)
{
	static const char *const conntypes[] = { "all", "lan", "dialup", NULL };
	int conn = (int)r->conntype;
	struct filterlist l;
	struct filteraction a;

	if (args_has(b, "filterlist")) {
		if (cmd_find_filterlist(s, b, "filterlist", &l, e) < 0)
			return -1;
		r->filterlist_id = l.id;
	}
	if (args_has(b, "filteraction")) {
		if (cmd_find_filteraction(s, b, "filteraction", &a, e) < 0)
			return -1;
		r->filteraction_id = a.id;
	}
	if (cmd_read_tunnel(s, b, "tunnel", r->tunnel, sizeof(r->tunnel), e) < 0 || args_word(b, "conntype", conntypes, &conn, e) < 0 ||
	    args_bool(b, "activate", &r->active, e) < 0 ||
	    cmd_read_description(b, r->description, sizeof(r->description), e) < 0 ||
	    cmd_read_auth(b, r->auth, sizeof(r->auth), e) < 0)
		return -1;
	r->conntype = (enum conntype)conn;
	return 0;
}

static int rule_exists(struct session *s, int64_t policy_id, const char *name, struct err *e)
{
	struct rule r;
	return db_rule_find(s->db, policy_id, name, 0, &r, e);
}

int cmd_add_rule(struct session *s, struct bound *b, struct err *e)
{
	struct policy p;
	struct rule r;
	const char *name = args_get(b, "name");

	rule_init(&r);
	if (cmd_find_policy(s, b, "policy", &p, e) < 0 ||
	    cmd_check_name(b, "name", name, rule_exists(s, p.id, name, e), "rule", e) < 0 ||
	    read_rule(s, b, &r, e) < 0)
		return -1;
	snprintf(r.name, sizeof(r.name), "%s", name);
	r.policy_id = p.id;
	return db_rule_add(s->db, &r, e);
}

/* A rule by name= or by id= (its 1-based position in the policy). */
static int find_rule(struct session *s, struct bound *b, const struct policy *p, struct rule *r,
		     struct err *e)
{
	const char *name = args_get(b, "name");
	long id = 0;
	int rc;

	if (name && args_has(b, "id")) {
		err_set(e, "give name= or id=, not both");
		return args_fail(b, "id", e);
	}
	if (!name && !args_has(b, "id"))
		return err_set(e, "name: required (or id=)");
	if (args_long(b, "id", 1, LONG_MAX, &id, e) < 0)
		return -1;
	rc = db_rule_find(s->db, p->id, name, id, r, e);
	if (rc < 0)
		return -1;
	if (rc == 0) {
		if (name)
			err_set(e, "policy '%s' has no rule named '%s'", p->name, name);
		else
			err_set(e, "policy '%s' has no rule %ld", p->name, id);
		return args_fail(b, name ? "name" : "id", e);
	}
	return 0;
}

int cmd_set_rule(struct session *s, struct bound *b, struct err *e)
{
	struct policy p;
	struct rule r;
	const char *newname = args_get(b, "newname");

	if (cmd_find_policy(s, b, "policy", &p, e) < 0 || find_rule(s, b, &p, &r, e) < 0)
		return -1;
	if (newname && strcmp(newname, r.name) != 0) {
		if (cmd_check_name(b, "newname", newname, rule_exists(s, p.id, newname, e), "rule",
				   e) < 0)
			return -1;
		snprintf(r.name, sizeof(r.name), "%s", newname);
	}
	if (read_rule(s, b, &r, e) < 0)
		return -1;
	return db_rule_update(s->db, &r, e);
}

int cmd_delete_rule(struct session *s, struct bound *b, struct err *e)
{
	struct policy p;
	struct rule one, *rules = &one;
	size_t n = 1;
	int rc = 0;

	if (cmd_find_policy(s, b, "policy", &p, e) < 0)
		return -1;
	if (cmd_is_all(args_get(b, "name"))) {
		if (db_rule_list(s->db, p.id, &rules, &n, e) < 0)
			return -1;
	} else if (find_rule(s, b, &p, &one, e) < 0) {
		return -1;
	}
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = db_rule_delete(s->db, rules[i].id, e);
	if (rules != &one)
		free(rules);
	return rc;
}

int cmd_show_rule(struct session *s, struct bound *b, struct err *e)
{
	static const char *const types[] = { "all", "tunnel", "transport", NULL };
	const char *name = args_get(b, "name");
	struct show_opts o;
	struct policy p;
	struct rule *rules;
	size_t n;
	int type = 0;
	json_t *items;

	if (show_opts_read(b, &o, e) < 0 || args_word(b, "type", types, &type, e) < 0 ||
	    cmd_find_policy(s, b, "policy", &p, e) < 0)
		return -1;
	if (name && strcasecmp(name, "default") == 0) {
		items = json_array();
		json_array_append_new(items, show_default_rule(&p, &o));
		show_print(s, "defaultrule", items, &o);
		return 0;
	}
	if (db_rule_list(s->db, p.id, &rules, &n, e) < 0)
		return -1;
	items = json_array();
	struct rule wanted = { 0 };
	bool one = !cmd_is_all(name);
	if (one && find_rule(s, b, &p, &wanted, e) < 0) {
		free(rules);
		json_decref(items);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		const struct rule *r = &rules[i];
		if ((one && r->id != wanted.id) || (type == 1 && !r->tunnel[0]) ||
		    (type == 2 && r->tunnel[0]))
			continue;
		json_t *j = show_rule(s, r, (long)i + 1, &o, e);
		if (!j) {
			free(rules);
			json_decref(items);
			return -1;
		}
		json_array_append_new(items, j);
	}
	free(rules);
	show_print(s, "rule", items, &o);
	return 0;
}

int cmd_set_defaultrule(struct session *s, struct bound *b, struct err *e)
{
	struct policy p;
	const char *methods = args_get(b, "qmsecmethods");

	if (cmd_find_policy(s, b, "policy", &p, e) < 0 ||
	    args_bool(b, "qmpfs", &p.defrule.qmpfs, e) < 0 ||
	    args_bool(b, "activate", &p.defrule.active, e) < 0 ||
	    cmd_read_auth(b, p.defrule.auth, sizeof(p.defrule.auth), e) < 0)
		return -1;
	if (methods && qmsecmethods_parse(methods, p.defrule.qmsecmethods,
					  sizeof(p.defrule.qmsecmethods), e) < 0)
		return args_fail(b, "qmsecmethods", e);
	return db_policy_update(s->db, &p, e);
}
