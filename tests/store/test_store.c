// SPDX-License-Identifier: MIT
/* The SQLite stores: CRUD, constraints, assignment, the change counter and
 * the built-in objects of a fresh store (SPEC §15). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/builtins.h"
#include "store/store.h"
#include "tap.h"

static size_t count_objects(struct db *db, enum store_kind s)
{
	struct policy *ps;
	struct filterlist *ls;
	struct filteraction *as;
	size_t np = 0, nl = 0, na = 0;
	struct err e;

	if (db_policy_list(db, s, &ps, &np, &e) == 0)
		free(ps);
	if (db_filterlist_list(db, s, &ls, &nl, &e) == 0)
		free(ls);
	if (db_filteraction_list(db, s, &as, &na, &e) == 0)
		free(as);
	return np + nl + na;
}

/* Deletes every object of the local store, as `delete all` does. */
static void delete_all(struct db *db)
{
	struct policy *ps;
	struct filterlist *ls;
	struct filteraction *as;
	size_t n;
	struct err e;

	if (db_policy_list(db, STORE_LOCAL, &ps, &n, &e) == 0) {
		for (size_t i = 0; i < n; i++)
			db_policy_delete(db, ps[i].id, &e);
		free(ps);
	}
	if (db_filterlist_list(db, STORE_LOCAL, &ls, &n, &e) == 0) {
		for (size_t i = 0; i < n; i++)
			db_filterlist_delete(db, ls[i].id, &e);
		free(ls);
	}
	if (db_filteraction_list(db, STORE_LOCAL, &as, &n, &e) == 0) {
		for (size_t i = 0; i < n; i++)
			db_filteraction_delete(db, as[i].id, &e);
		free(as);
	}
}

static void test_builtins(const char *dir)
{
	char path[64];
	struct db *db;
	struct err e;
	struct policy p;
	struct filterlist l;
	struct filteraction a;
	struct rule *rules;
	struct filter *fs = NULL;
	size_t n;

	snprintf(path, sizeof(path), "%s/builtins.db", dir);
	ok(db_open(&db, path, &e) == 0, "a new database");
	ok(count_objects(db, STORE_LOCAL) == 8, "its local store holds the eight built-ins");
	ok(count_objects(db, STORE_PERSISTENT) == 0 && count_objects(db, STORE_DOMAIN) == 0,
	   "the persistent and domain stores start empty");
	ok(db_builtins_pristine(db, STORE_LOCAL, &e) == 1, "as created (pristine)");
	ok(db_policy_assigned(db, STORE_LOCAL, &p, &e) == 0, "none is assigned");
	ok(db_policy_find(db, STORE_LOCAL, NULL, "{7238523c-70fa-11d1-864c-14a300000000}", &p,
			  &e) == 1 &&
		   strcmp(p.name, "Secure Server (Require Security)") == 0,
	   "Secure Server by Windows' GUID");
	ok(p.mmlifetime == 480 && p.pollinginterval == 180 && p.qmpermm == 0 && !p.mmpfs &&
		   p.defrule.active && strcmp(p.defrule.auth, "kerberos") == 0,
	   "with the main-mode settings of its ipsecData");
	ok(db_rule_list(db, p.id, &rules, &n, &e) == 0 && n == 2, "two rules");
	ok(db_filteraction_by_id(db, rules[0].filteraction_id, &a, &e) == 1 &&
		   strcmp(a.guid, "{7238523F-70FA-11D1-864C-14A300000000}") == 0 &&
		   a.action == ACTION_NEGOTIATE && a.inpass && !a.soft,
	   "Require Security: negotiate, inpass, not soft");
	ok(db_filterlist_by_id(db, rules[0].filterlist_id, &l, &e) == 1 &&
		   strcmp(l.name, "All IP Traffic") == 0,
	   "over All IP Traffic");
	free(rules);
	ok(db_filteraction_find(db, STORE_LOCAL, "Request Security (Optional)", NULL, &a, &e) == 1 &&
		   a.inpass && a.soft && strcmp(a.guid, "{72385233-70FA-11D1-864C-14A300000000}") == 0,
	   "Request Security (Optional): inpass and soft");
	ok(db_filterlist_find(db, STORE_LOCAL, "All ICMP Traffic", NULL, &l, &e) == 1 &&
		   db_filter_list(db, l.id, &fs, &n, &e) == 0 && n == 1 &&
		   fs[0].src.kind == ADDR_ME && fs[0].dst.kind == ADDR_ANY &&
		   fs[0].proto == PROTO_ICMP && fs[0].mirrored,
	   "All ICMP Traffic: me <-> any, ICMP, mirrored");
	free(fs);
	ok(builtin_guid("{7238523A-70FA-11D1-864C-14A300000000}") && !builtin_guid(l.guid + 1),
	   "builtin_guid knows them");

	db_begin(db, &e);
	ok(db_builtins_restore(db, STORE_LOCAL, NULL, &e) == 0, "restore with nothing missing: 0");
	ok(count_objects(db, STORE_LOCAL) == 8, "and nothing added");
	delete_all(db);
	ok(count_objects(db, STORE_LOCAL) == 0, "deleted like any object");
	ok(db_builtins_pristine(db, STORE_LOCAL, &e) == 0, "then not pristine");
	ok(db_builtins_restore(db, STORE_LOCAL, NULL, &e) == 8, "restore recreates all eight");
	ok(db_builtins_pristine(db, STORE_LOCAL, &e) == 1, "exactly as created");
	ok(db_builtins_restore(db, STORE_LOCAL, NULL, &e) == 0, "restore again: idempotent");

	ok(db_filteraction_find(db, STORE_LOCAL, "Permit", NULL, &a, &e) == 1, "Permit");
	strcpy(a.description, "changed");
	db_filteraction_update(db, &a, &e);
	ok(db_builtins_pristine(db, STORE_LOCAL, &e) == 0, "a changed built-in is not pristine");
	db_policy_find(db, STORE_LOCAL, "Client (Respond Only)", NULL, &p, &e);
	db_policy_delete(db, p.id, &e);
	ok(db_builtins_restore(db, STORE_LOCAL, NULL, &e) == 1, "only the missing policy comes back");
	db_filteraction_find(db, STORE_LOCAL, "Permit", NULL, &a, &e);
	ok(strcmp(a.description, "changed") == 0, "the changed one is left alone");

	delete_all(db);
	struct filteraction mine;
	filteraction_init(&mine);
	strcpy(mine.name, "permit");
	db_filteraction_add(db, STORE_LOCAL, &mine, &e);
	ok(db_builtins_restore(db, STORE_LOCAL, NULL, &e) < 0 && strstr(e.msg, "'Permit'") &&
		   strstr(e.msg, "not the built-in"),
	   "refused when another object holds a name: %s", e.msg);
	ok(count_objects(db, STORE_LOCAL) == 1, "and nothing is written");
	ok(db_builtins_restore(db, STORE_PERSISTENT, NULL, &e) < 0, "refused in the persistent store");
	db_rollback(db);
	db_close(db);
}

int main(void)
{
	char dir[] = "/tmp/ipsecfw-store-XXXXXX", path[64];
	struct db *db;
	struct err e;

	if (!mkdtemp(dir))
		return 1;
	snprintf(path, sizeof(path), "%s/sub/t.db", dir);
	ok(db_open(&db, path, &e) == 0, "open creates the parent directory and migrates");
	ok(db_begin(db, &e) == 0, "begin");

	struct policy p1, p2, got;
	policy_init(&p1);
	strcpy(p1.name, "One");
	ok(db_policy_add(db, &p1, &e) == 0 && p1.id > 0 && p1.guid[0] == '{', "add with a GUID");
	policy_init(&p2);
	strcpy(p2.name, "one");
	ok(db_policy_add(db, &p2, &e) < 0, "names are unique per store, ignoring case");
	p2.store = STORE_PERSISTENT;
	ok(db_policy_add(db, &p2, &e) == 0, "the same name in another store is fine");
	ok(db_policy_find(db, STORE_LOCAL, NULL, p1.guid, &got, &e) == 1 &&
		   strcmp(got.name, "One") == 0,
	   "find by GUID");

	struct policy p3;
	policy_init(&p3);
	strcpy(p3.name, "Three");
	db_policy_add(db, &p3, &e);
	ok(db_policy_assign(db, STORE_LOCAL, p1.id, &e) == 0, "assign one");
	ok(db_policy_assign(db, STORE_LOCAL, p3.id, &e) == 0, "assign another");
	db_policy_find(db, STORE_LOCAL, "One", NULL, &got, &e);
	ok(!got.assigned, "the first is no longer assigned");
	db_policy_find(db, STORE_LOCAL, "Three", NULL, &got, &e);
	ok(got.assigned, "one assigned policy per store");
	db_policy_find(db, STORE_PERSISTENT, "one", NULL, &got, &e);
	ok(!got.assigned, "other stores are untouched");

	struct filterlist l = { 0 };
	strcpy(l.name, "L");
	ok(db_filterlist_add(db, STORE_LOCAL, &l, &e) == 0, "filter list");
	struct filter f;
	filter_init(&f);
	f.dst.kind = ADDR_ME;
	f.proto = PROTO_TCP;
	f.dport.lo = f.dport.hi = 80;
	ok(db_filter_add(db, l.id, &f, &e) == 0, "filter");
	ok(db_filter_add(db, l.id, &f, &e) < 0, "duplicate filter: %s", e.msg);
	struct filter *fs;
	size_t n;
	ok(db_filter_list(db, l.id, &fs, &n, &e) == 0 && n == 1 && fs[0].dst.kind == ADDR_ME &&
		   fs[0].dport.lo == 80 && fs[0].mirrored,
	   "the filter reads back");
	free(fs);

	struct filteraction a;
	filteraction_init(&a);
	strcpy(a.name, "Block");
	a.action = ACTION_BLOCK;
	ok(db_filteraction_add(db, STORE_LOCAL, &a, &e) == 0, "filter action");
	struct rule r;
	rule_init(&r);
	strcpy(r.name, "R");
	r.policy_id = p1.id;
	r.filterlist_id = l.id;
	r.filteraction_id = a.id;
	ok(db_rule_add(db, &r, &e) == 0, "rule");
	ok(db_rules_using(db, REF_FILTERLIST, l.id, &n, &e) == 0 && n == 1, "the list is in use");
	ok(db_filterlist_delete(db, l.id, &e) < 0, "a list in use cannot be deleted");
	ok(db_rule_find(db, p1.id, NULL, 1, &r, &e) == 1 && strcmp(r.name, "R") == 0,
	   "rule by position");
	ok(db_policy_delete(db, p1.id, &e) == 0, "deleting the policy");
	ok(db_rules_using(db, REF_FILTERLIST, l.id, &n, &e) == 0 && n == 0, "takes its rules along");
	ok(db_filterlist_delete(db, l.id, &e) == 0, "then the list can go");

	struct config c;
	config_init(&c);
	c.ipsecexempt = 1;
	c.bootmode = BOOT_BLOCK;
	c.bootmode_set = true;
	ok(db_config_save(db, &c, &e) == 0, "config saved");
	int64_t before = db_change_counter(db);
	ok(db_commit(db, &e) == 0, "commit");
	ok(db_change_counter(db) == before + 1, "a commit with writes bumps the counter");
	db_close(db);

	ok(db_open(&db, path, &e) == 0, "reopen");
	struct config c2;
	ok(db_config_load(db, &c2, &e) == 0 && c2.ipsecexempt == 1 && c2.bootmode == BOOT_BLOCK &&
		   c2.bootmode_set,
	   "config persists");
	db_begin(db, &e);
	db_policy_find(db, STORE_LOCAL, "Three", NULL, &got, &e);
	db_policy_delete(db, got.id, &e);
	db_rollback(db);
	ok(db_policy_find(db, STORE_LOCAL, "Three", NULL, &got, &e) == 1, "rollback undoes");
	db_close(db);

	test_builtins(dir);

	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ok(system(cmd) == 0, "cleanup");
	return done_testing();
}
