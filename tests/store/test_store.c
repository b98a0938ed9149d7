/* The SQLite stores: CRUD, constraints, assignment and the change counter. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store.h"
#include "tap.h"

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

	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ok(system(cmd) == 0, "cleanup");
	return done_testing();
}
