// SPDX-License-Identifier: MIT
/* The dynamic SPD (SPEC §3): identities, defaults, policies in use, copies,
 * the rules as engine input, and the run-directory mirror. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model/secmethods.h"
#include "model/spd.h"
#include "store/spd_file.h"
#include "tap.h"

static struct dyn_rule rule(const char *src, const char *dst, uint8_t proto, uint16_t dport)
{
	struct dyn_rule r;
	struct err e;
	int l;

	dyn_rule_init(&r);
	addr_parse(src, &r.f.src, &l, &e);
	addr_parse(dst, &r.f.dst, &l, &e);
	if (l >= 0)
		addr_apply_prefix(&r.f.dst, (uint8_t)l);
	r.f.proto = proto;
	r.f.dport = (struct port_range){ dport, dport };
	snprintf(r.mmpolicy, sizeof(r.mmpolicy), "MM");
	snprintf(r.guid, sizeof(r.guid), "{00000000-0000-0000-0000-%012u}", dport);
	return r;
}

static void test_defaults(void)
{
	struct dyn_rule r;

	dyn_rule_init(&r);
	ok(r.action_in == ACTION_NEGOTIATE && r.action_out == ACTION_NEGOTIATE,
	   "actions default to negotiate both ways");
	ok(r.f.mirrored && r.conntype == CONN_ALL, "mirrored yes, conntype all");
}

static void test_identity(void)
{
	struct spd s = { 0 };
	struct dyn_rule a = rule("any", "me", 6, 23), b = a;
	struct err e;

	ok(spd_rule_add(&s, &a, &e) == 0, "a rule is added");
	b.action_in = ACTION_BLOCK;
	ok(spd_rule_add(&s, &b, &e) < 0 && strstr(e.msg, "use set rule"),
	   "the same identity with other actions is a duplicate: %s", e.msg);
	b = a;
	b.f.mirrored = false;
	ok(spd_rule_add(&s, &b, &e) == 0, "mirrored is part of the identity");
	b = a;
	b.conntype = CONN_LAN;
	ok(spd_rule_find(&s, &b) < 0, "so is conntype");
	b = a;
	snprintf(b.mmpolicy, sizeof(b.mmpolicy), "Other");
	ok(spd_rule_find(&s, &b) == 0, "the main mode policy is not");
	ok(s.rules[0].f.seq == 1 && s.rules[1].f.seq == 2, "creation order is kept");
	spd_rule_delete(&s, 0);
	ok(s.n_rules == 1 && !s.rules[0].f.mirrored, "delete keeps the others");
	spd_clear(&s);
	ok(spd_rule_add(&s, &a, &e) == 0 && s.rules[0].f.seq == 3,
	   "after delete all the creation order still counts up");
	spd_clear(&s);
}

static void test_policies(void)
{
	struct spd s = { 0 }, copy;
	struct mm_policy mm;
	struct qm_policy qm;
	struct dyn_rule r = rule("any", "me", 17, 53);
	struct err e;

	mm_policy_init(&mm);
	snprintf(mm.name, sizeof(mm.name), "MM");
	qm_policy_init(&qm);
	snprintf(qm.name, sizeof(qm.name), "QM");
	ok(spd_mm_add(&s, &mm, &e) == 0 && spd_mm_add(&s, &mm, &e) < 0,
	   "main mode policy names are unique: %s", e.msg);
	ok(spd_qm_add(&s, &qm, &e) == 0 && spd_qm_find(&s, "qm") == 0,
	   "quick mode names match without case");
	snprintf(r.qmpolicy, sizeof(r.qmpolicy), "QM");
	spd_rule_add(&s, &r, &e);
	ok(spd_mm_users(&s, "mm") == 1 && spd_qm_users(&s, "QM") == 1, "users are counted");
	ok(spd_copy(&copy, &s) == 0 && copy.n_rules == 1 && copy.rules != s.rules,
	   "a copy is deep");
	spd_rule_delete(&copy, 0);
	ok(s.n_rules == 1, "changing the copy leaves the original");
	spd_clear(&copy);
	spd_clear(&s);
}

static void test_ruleset(void)
{
	struct spd s = { 0 };
	struct ruleset rs = { 0 };
	struct dyn_rule r = rule("any", "192.0.2.0/24", 6, 80);
	struct err e;

	r.action_in = ACTION_PERMIT;
	r.action_out = ACTION_BLOCK;
	spd_rule_add(&s, &r, &e);
	ok(spd_to_ruleset(&s, &rs) == 0 && rs.n_rules == 1, "one engine rule per dynamic rule");
	ok(rs.rules[0].store == WSTORE_DYNAMIC && !strcmp(rs.rules[0].store_name, "dynamic"),
	   "in the dynamic store, weight Store 0");
	ok(rs.rules[0].action_in == ACTION_PERMIT && rs.rules[0].action_out == ACTION_BLOCK,
	   "with its own inbound and outbound actions");
	ok(rs.rules[0].n_filters == 1 && rs.rules[0].filters[0].id == 1 &&
		   rs.rules[0].filters[0].dport.lo == 80,
	   "its filter, numbered by creation");
	ok(!rs.rules[0].soft, "not soft without a soft quick-mode policy");
	ruleset_free(&rs);
	struct qm_policy q;
	qm_policy_init(&q);
	snprintf(q.name, sizeof(q.name), "soft");
	q.soft = true;
	spd_qm_add(&s, &q, &e);
	snprintf(s.rules[0].qmpolicy, sizeof(s.rules[0].qmpolicy), "soft");
	ok(spd_to_ruleset(&s, &rs) == 0 && rs.rules[0].soft,
	   "a rule naming a soft quick-mode policy falls back to clear (ipsecpol -soft)");
	ruleset_free(&rs);
	spd_clear(&s);
}

static void test_file(void)
{
	char dir[] = "/tmp/ipsecfw-spd-XXXXXX";
	struct spd s = { 0 }, back;
	struct ruleset rs = { 0 };
	struct dyn_rule a = rule("any", "2001:db8::/32", 6, 443), b = rule("DNS", "me", 17, 53);
	struct err e;
	char path[64];
	FILE *f;

	ok(mkdtemp(dir) != NULL, "scratch directory");
	ok(spd_file_load_rules(dir, &rs, &e) == 0 && rs.n_rules == 0, "no file: no rules");
	snprintf(a.tunnel, sizeof(a.tunnel), "192.0.2.1");
	a.conntype = CONN_DIALUP;
	spd_rule_add(&s, &a, &e);
	spd_rule_add(&s, &b, &e);
	ok(spd_file_save(dir, &s, &e) == 0, "saved");
	ok(spd_file_load(dir, &back, &e) == 0 && back.n_rules == 2, "read back");
	ok(back.n_rules == 2 && dyn_rule_same_identity(&back.rules[0], &s.rules[0]) &&
		   dyn_rule_same_identity(&back.rules[1], &s.rules[1]) &&
		   !strcmp(back.rules[0].guid, s.rules[0].guid) && back.next_seq == 2,
	   "every identifying field, the GUID and the order survive");
	spd_clear(&back);

	/* What charon and soft need survives too: the rule's authentication
	 * and the main and quick mode policies it names. */
	struct mm_policy m;
	struct qm_policy q;
	mm_policy_init(&m);
	snprintf(m.name, sizeof(m.name), "MM");
	snprintf(m.mmsecmethods, sizeof(m.mmsecmethods), "3DES-MD5-3");
	m.mmlifetime = 60;
	qm_policy_init(&q);
	snprintf(q.name, sizeof(q.name), "QM");
	snprintf(q.qmsecmethods, sizeof(q.qmsecmethods), "ESP[3DES,MD5]");
	q.soft = true;
	q.pfsgroup = PFS_GRP3;
	snprintf(s.rules[1].qmpolicy, sizeof(s.rules[1].qmpolicy), "QM");
	snprintf(s.rules[1].auth, sizeof(s.rules[1].auth), "psk:dyn key");
	snprintf(s.rules[0].mmpolicy, sizeof(s.rules[0].mmpolicy), "Gone");
	ok(spd_mm_add(&s, &m, &e) == 0 && spd_qm_add(&s, &q, &e) == 0 &&
		   spd_file_save(dir, &s, &e) == 0 && spd_file_load(dir, &back, &e) == 0,
	   "saved and read back with its policies");
	ok(back.n_mm == 1 && back.n_qm == 1 && !strcmp(back.mm[0].mmsecmethods, "3DES-MD5-3") &&
		   back.mm[0].mmlifetime == 60 && back.qm[0].soft &&
		   back.qm[0].pfsgroup == PFS_GRP3 && !strcmp(back.rules[1].auth, "psk:dyn key"),
	   "the policies' offers, lifetime, soft and PFS group, and the rule's key");
	spd_clear(&back);
	ok(spd_file_load_rules(dir, &rs, &e) == 0 && rs.n_rules == 2 && rs.rules[1].soft,
	   "a soft quick mode policy makes the rule soft read from the file too");
	ok(rs.n_rules == 2 && rs.rules[1].ike.dynamic && rs.rules[1].ike.policy == -1 &&
		   !strcmp(rs.rules[1].ike.mm_secmethods, "3DES-MD5-3") &&
		   rs.rules[1].ike.mm_lifetime == 60 &&
		   !strcmp(rs.rules[1].ike.qmsecmethods, "ESP[3DES,MD5]") && rs.rules[1].ike.qmpfs &&
		   rs.rules[1].ike.qmpfs_group == 3 && !strcmp(rs.rules[1].ike.auth, "psk:dyn key"),
	   "its IKE settings for charon: main mode, quick mode, PFS group 3, the key");
	ok(rs.n_rules == 2 && !strcmp(rs.rules[0].ike.qmsecmethods, QM_DEFAULT_METHODS) &&
		   !rs.rules[0].ike.qmpfs && rs.rules[0].ike.mm_lifetime == 480 &&
		   !strcmp(rs.rules[0].ike.tunnel, "192.0.2.1"),
	   "a rule naming no quick mode policy (and an unknown main mode one) gets the defaults");
	ruleset_free(&rs);
	snprintf(path, sizeof(path), "%s/" SPD_FILE, dir);
	f = fopen(path, "w");
	fputs("[{\"guid\": 5}]", f);
	fclose(f);
	ok(spd_file_load_rules(dir, &rs, &e) < 0 && strstr(e.msg, "unreadable"),
	   "a damaged file is an error, not an empty SPD: %s", e.msg);
	spd_file_remove(dir);
	ok(access(path, F_OK) != 0, "removed");
	rmdir(dir);
	spd_clear(&s);
}

int main(void)
{
	test_defaults();
	test_identity();
	test_policies();
	test_ruleset();
	test_file();
	return done_testing();
}
