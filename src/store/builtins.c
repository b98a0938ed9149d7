// SPDX-License-Identifier: MIT
/* builtins.c - the built-in objects of a fresh local store (SPEC §15).
 *
 * Sources of every value (facts only; no file of either source is copied):
 *  - Names, GUIDs and descriptions: the default IPSec objects that a new
 *    Active Directory domain is provisioned with, as Samba ships them
 *    (Debian samba-ad-provision 4.17, setup/provision.ldif, "IP security
 *    objects"); Windows creates the same objects in a fresh local store.
 *    Descriptions are kept word for word, double spaces included.
 *  - Settings: those objects' ipsecData blobs, decoded with the layouts of
 *    [MS-GPIPSEC] §2.2.1 (S5):
 *    * policies: polling 10,800 s (180 min); ISAKMP: no master PFS, no
 *      quick-mode limit, lifetime 0 (= 28,800 s = 480 min), offers
 *      3DES-SHA1-2 3DES-MD5-2 DES-SHA1-1 DES-MD5-1: policy_init()'s defaults;
 *    * rules (NFAs) and default response rules: Kerberos only, all
 *      interfaces, active, transport;
 *    * filters: one each, Legacy-Source-Address 0 with mask 255.255.255.255
 *      ("me") to 0/0 ("any"), mirrored, protocol 0 (All IP Traffic, no
 *      description) or 1 (All ICMP Traffic, description "ICMP");
 *    * filter actions: Permit has the permit action GUID and no offers;
 *      Request Security (Optional) and Require Security have the inbound
 *      pass-through action GUID (inpass=yes), and only the first ends its
 *      offers with an empty one (no algorithms: fall back to clear, soft=yes);
 *      no quick-mode PFS. Offers: lifetimes as stored; algorithm id 1 read as
 *      DES (as in the ISAKMP offers of the same objects and Windows' lists;
 *      [MS-GPIPSEC]'s ESP table names 1 "null", which would make Require
 *      Security offer unencrypted ESP third);
 *    * the default response rules' offers store lifetime 0 (not set): they
 *      get ipsecfw's default lifetimes, 100,000 KB / 3,600 s.
 * The Version Information Object and the ISAKMP objects have no ipsecfw
 * counterpart (their settings live in the policy). */
#include "builtins.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MS_GUID(tail) "{" tail "-70FA-11D1-864C-14A300000000}"

/* Filter lists. */
#define G_ALL_IP MS_GUID("7238523A")
#define G_ALL_ICMP MS_GUID("72385235")
/* Filter actions. */
#define G_PERMIT MS_GUID("7238523B")
#define G_REQUEST MS_GUID("72385233")
#define G_REQUIRE MS_GUID("7238523F")

#define ICMP_RULE "Permit unsecure ICMP packets to pass through."
#define REQUEST_DESC                                                                         \
	"For all IP traffic, always request security using Kerberos trust. Allow unsecured " \
	"communication with clients that do not respond to request."
#define REQUIRE_DESC                                                                   \
	"Accepts unsecured communication, but always requires clients to establish " \
	"trust and security methods.  Will NOT communicate with untrusted clients."

struct def_filter {
	const char *guid, *description;
	uint8_t proto;
};

static const struct def_list {
	const char *guid, *name, *description;
	struct def_filter filter; /* each has exactly one: me <-> any, mirrored */
} lists[] = {
	{ G_ALL_ICMP, "All ICMP Traffic",
	  "Matches all ICMP packets between this computer and any other computer.",
	  { "{5119D263-071D-11D3-AD22-0060B0ECCA17}", "ICMP", PROTO_ICMP } },
	{ G_ALL_IP, "All IP Traffic",
	  "Matches all IP packets from this computer to any other computer, except broadcast, "
	  "multicast, Kerberos, RSVP and ISAKMP (IKE).",
	  { "{59319BDD-5EE3-11D2-ACE8-0060B0ECCA17}", "", 0 } },
};

static const struct def_action {
	const char *guid, *name, *description;
	enum action action;
	bool inpass, soft;
	const char *qmsecmethods; /* NULL: filteraction_init()'s */
} actions[] = {
	{ G_PERMIT, "Permit", "Permit unsecured IP packets to pass through.", ACTION_PERMIT, false,
	  false, NULL },
	{ G_REQUEST, "Request Security (Optional)",
	  "Accepts unsecured communication, but requests clients to establish trust and "
	  "security methods.  Will communicate insecurely to untrusted clients if they do not "
	  "respond to request.",
	  ACTION_NEGOTIATE, true, true,
	  "ESP[3DES,SHA1]:100000k/900s ESP[DES,SHA1]:100000k/900s AH[SHA1]:100000k/300s "
	  "AH[MD5]:100000k/300s" },
	{ G_REQUIRE, "Require Security", REQUIRE_DESC, ACTION_NEGOTIATE, true, false,
	  "ESP[3DES,SHA1]:100000k/900s ESP[3DES,MD5]:100000k/900s ESP[DES,SHA1]:100000k/900s "
	  "ESP[DES,MD5]:100000k/900s" },
};

struct def_rule {
	const char *guid, *name, *description, *list, *action;
};

enum { RULES_MAX = 2 };

static const struct def_policy {
	const char *guid, *name, *description;
	struct def_rule rules[RULES_MAX]; /* besides the default response rule */
} policies[] = {
	{ MS_GUID("72385236"), "Client (Respond Only)",
	  "Communicate normally (unsecured). Use the default response rule to negotiate with "
	  "servers that request security. Only the requested protocol and port traffic with "
	  "that server is secured.",
	  { { 0 } } },
	{ MS_GUID("7238523C"), "Secure Server (Require Security)",
	  "For all IP traffic, always require security using Kerberos trust. Do NOT allow "
	  "unsecured communication with untrusted clients.",
	  { { MS_GUID("7238523E"), "Require Security", REQUIRE_DESC, G_ALL_IP, G_REQUIRE },
	    { "{594272FD-071D-11D3-AD22-0060B0ECCA17}", ICMP_RULE, ICMP_RULE, G_ALL_ICMP,
	      G_PERMIT } } },
	{ MS_GUID("72385230"), "Server (Request Security)", REQUEST_DESC,
	  { { MS_GUID("72385232"), "Request Security (Optional) Rule", REQUEST_DESC, G_ALL_IP,
	      G_REQUEST },
	    { "{594272E2-071D-11D3-AD22-0060B0ECCA17}", ICMP_RULE, ICMP_RULE, G_ALL_ICMP,
	      G_PERMIT } } },
};

/* The default response rule's six offers (lifetimes not set in the blob). */
static const char dr_methods[] =
	"ESP[3DES,SHA1]:100000k/3600s ESP[3DES,MD5]:100000k/3600s ESP[DES,SHA1]:100000k/3600s "
	"ESP[DES,MD5]:100000k/3600s AH[SHA1]:100000k/3600s AH[MD5]:100000k/3600s";

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* --- the objects as created ------------------------------------------- */

static void make_list(const struct def_list *d, struct filterlist *l, struct filter *f)
{
	memset(l, 0, sizeof(*l));
	snprintf(l->guid, sizeof(l->guid), "%s", d->guid);
	snprintf(l->name, sizeof(l->name), "%s", d->name);
	snprintf(l->description, sizeof(l->description), "%s", d->description);
	filter_init(f);
	snprintf(f->guid, sizeof(f->guid), "%s", d->filter.guid);
	snprintf(f->description, sizeof(f->description), "%s", d->filter.description);
	f->src.kind = ADDR_ME;
	f->proto = d->filter.proto;
}

static void make_action(const struct def_action *d, struct filteraction *a)
{
	filteraction_init(a);
	snprintf(a->guid, sizeof(a->guid), "%s", d->guid);
	snprintf(a->name, sizeof(a->name), "%s", d->name);
	snprintf(a->description, sizeof(a->description), "%s", d->description);
	a->action = d->action;
	a->inpass = d->inpass;
	a->soft = d->soft;
	if (d->qmsecmethods)
		snprintf(a->qmsecmethods, sizeof(a->qmsecmethods), "%s", d->qmsecmethods);
}

static void make_policy(const struct def_policy *d, struct policy *p)
{
	policy_init(p);
	p->store = STORE_LOCAL;
	snprintf(p->guid, sizeof(p->guid), "%s", d->guid);
	snprintf(p->name, sizeof(p->name), "%s", d->name);
	snprintf(p->description, sizeof(p->description), "%s", d->description);
	snprintf(p->defrule.qmsecmethods, sizeof(p->defrule.qmsecmethods), "%s", dr_methods);
}

/* A rule of policy_id, its list and action found by GUID. 1, 0 (its list
 * or action is gone) or -1. */
static int make_rule(struct db *db, const struct def_rule *d, int64_t policy_id, struct rule *r,
		     struct err *e)
{
	struct filterlist l;
	struct filteraction a;
	int rc;

	rule_init(r);
	snprintf(r->guid, sizeof(r->guid), "%s", d->guid);
	snprintf(r->name, sizeof(r->name), "%s", d->name);
	snprintf(r->description, sizeof(r->description), "%s", d->description);
	r->policy_id = policy_id;
	if ((rc = db_filterlist_find(db, STORE_LOCAL, NULL, d->list, &l, e)) <= 0 ||
	    (rc = db_filteraction_find(db, STORE_LOCAL, NULL, d->action, &a, e)) <= 0)
		return rc;
	r->filterlist_id = l.id;
	r->filteraction_id = a.id;
	return 1;
}

static size_t rule_count(const struct def_policy *d)
{
	size_t n = 0;

	while (n < RULES_MAX && d->rules[n].guid)
		n++;
	return n;
}

bool builtin_guid(const char *guid)
{
	for (size_t i = 0; i < COUNT(lists); i++)
		if (strcasecmp(guid, lists[i].guid) == 0)
			return true;
	for (size_t i = 0; i < COUNT(actions); i++)
		if (strcasecmp(guid, actions[i].guid) == 0)
			return true;
	for (size_t i = 0; i < COUNT(policies); i++)
		if (strcasecmp(guid, policies[i].guid) == 0)
			return true;
	return false;
}

/* --- restore ------------------------------------------------------------ */

/* 1 when guid is missing from the store and name is free, 0 when guid is
 * there, -1 (with the reason) when another object holds the name. */
typedef int (*find_fn)(struct db *, enum store_kind, const char *, const char *, void *,
		       struct err *);

static int missing(struct db *db, find_fn find, void *buf, const char *kind, const char *guid,
		   const char *name, struct err *e)
{
	int rc = find(db, STORE_LOCAL, NULL, guid, buf, e);

	if (rc != 0)
		return rc < 0 ? -1 : 0;
	if ((rc = find(db, STORE_LOCAL, name, NULL, buf, e)) < 0)
		return -1;
	if (rc == 1)
		return err_set(e, "the %s '%s' is not the built-in one (%s): rename or delete it "
				  "first",
			       kind, name, guid);
	return 1;
}

static int find_list(struct db *db, enum store_kind s, const char *name, const char *guid,
		     void *out, struct err *e)
{
	return db_filterlist_find(db, s, name, guid, out, e);
}

static int find_action(struct db *db, enum store_kind s, const char *name, const char *guid,
		       void *out, struct err *e)
{
	return db_filteraction_find(db, s, name, guid, out, e);
}

static int find_policy(struct db *db, enum store_kind s, const char *name, const char *guid,
		       void *out, struct err *e)
{
	return db_policy_find(db, s, name, guid, out, e);
}

/* Which objects are missing, checking every name before anything is
 * written, so that a refusal leaves the store as it was. */
struct plan {
	bool list[COUNT(lists)], action[COUNT(actions)], policy[COUNT(policies)];
};

static int plan_restore(struct db *db, struct plan *plan, struct err *e)
{
	struct filterlist l;
	struct filteraction a;
	struct policy p;
	int rc;

	for (size_t i = 0; i < COUNT(lists); i++) {
		if ((rc = missing(db, find_list, &l, "filter list", lists[i].guid, lists[i].name,
				  e)) < 0)
			return -1;
		plan->list[i] = rc;
	}
	for (size_t i = 0; i < COUNT(actions); i++) {
		if ((rc = missing(db, find_action, &a, "filter action", actions[i].guid,
				  actions[i].name, e)) < 0)
			return -1;
		plan->action[i] = rc;
	}
	for (size_t i = 0; i < COUNT(policies); i++) {
		if ((rc = missing(db, find_policy, &p, "policy", policies[i].guid, policies[i].name,
				  e)) < 0)
			return -1;
		plan->policy[i] = rc;
	}
	return 0;
}

static void say(FILE *report, const char *kind, const char *name)
{
	if (report)
		fprintf(report, "Restored the built-in %s '%s'.\n", kind, name);
}

static int restore_policy(struct db *db, const struct def_policy *d, struct err *e)
{
	struct policy p;

	make_policy(d, &p);
	if (db_policy_add(db, &p, e) < 0)
		return -1;
	for (size_t j = 0; j < rule_count(d); j++) {
		struct rule r;
		/* The plan made sure its list and action exist (by GUID). */
		int rc = make_rule(db, &d->rules[j], p.id, &r, e);
		if (rc == 0)
			return err_set(e, "the policy '%s' lost a built-in filter list or action",
				       d->name);
		if (rc < 0 || db_rule_add(db, &r, e) < 0)
			return -1;
	}
	return 0;
}

int db_builtins_restore(struct db *db, enum store_kind s, FILE *report, struct err *e)
{
	struct plan plan;
	int made = 0;

	if (s != STORE_LOCAL)
		return err_set(e, "the built-in objects belong to the local store; the %s store "
				  "starts empty (set store location=local)",
			       store_kind_name(s));
	if (plan_restore(db, &plan, e) < 0)
		return -1;
	for (size_t i = 0; i < COUNT(lists); i++) {
		struct filterlist l;
		struct filter f;
		if (!plan.list[i])
			continue;
		make_list(&lists[i], &l, &f);
		if (db_filterlist_add(db, STORE_LOCAL, &l, e) < 0 ||
		    db_filter_add(db, l.id, &f, e) < 0)
			return -1;
		say(report, "filter list", l.name);
		made++;
	}
	for (size_t i = 0; i < COUNT(actions); i++) {
		struct filteraction a;
		if (!plan.action[i])
			continue;
		make_action(&actions[i], &a);
		if (db_filteraction_add(db, STORE_LOCAL, &a, e) < 0)
			return -1;
		say(report, "filter action", a.name);
		made++;
	}
	for (size_t i = 0; i < COUNT(policies); i++) {
		if (!plan.policy[i])
			continue;
		if (restore_policy(db, &policies[i], e) < 0)
			return -1;
		say(report, "policy", policies[i].name);
		made++;
	}
	return made;
}

/* --- pristine ------------------------------------------------------------ */

static int list_pristine(struct db *db, const struct def_list *d, struct err *e)
{
	struct filterlist want, got;
	struct filter wf, *fs;
	size_t n;
	char k1[512], k2[512];
	int rc;

	make_list(d, &want, &wf);
	if ((rc = db_filterlist_find(db, STORE_LOCAL, NULL, d->guid, &got, e)) <= 0)
		return rc;
	if (strcmp(got.name, want.name) != 0 || strcmp(got.description, want.description) != 0)
		return 0;
	if (db_filter_list(db, got.id, &fs, &n, e) < 0)
		return -1;
	if (n == 1) {
		filter_key(&wf, k1, sizeof(k1));
		filter_key(&fs[0], k2, sizeof(k2));
	}
	rc = n == 1 && strcasecmp(fs[0].guid, wf.guid) == 0 && strcmp(k1, k2) == 0 &&
	     strcmp(fs[0].description, wf.description) == 0;
	free(fs);
	return rc;
}

static int action_pristine(struct db *db, const struct def_action *d, struct err *e)
{
	struct filteraction want, got;
	int rc;

	make_action(d, &want);
	if ((rc = db_filteraction_find(db, STORE_LOCAL, NULL, d->guid, &got, e)) <= 0)
		return rc;
	return strcmp(got.name, want.name) == 0 &&
	       strcmp(got.description, want.description) == 0 && got.action == want.action &&
	       got.inpass == want.inpass && got.soft == want.soft && got.qmpfs == want.qmpfs &&
	       strcmp(got.qmsecmethods, want.qmsecmethods) == 0;
}

static bool same_rule(const struct rule *a, const struct rule *b)
{
	return strcasecmp(a->guid, b->guid) == 0 && strcmp(a->name, b->name) == 0 &&
	       strcmp(a->description, b->description) == 0 &&
	       a->filterlist_id == b->filterlist_id && a->filteraction_id == b->filteraction_id &&
	       strcmp(a->tunnel, b->tunnel) == 0 && a->conntype == b->conntype &&
	       a->active == b->active && strcmp(a->auth, b->auth) == 0;
}

static bool same_policy(const struct policy *a, const struct policy *b)
{
	return strcmp(a->name, b->name) == 0 && strcmp(a->description, b->description) == 0 &&
	       a->mmpfs == b->mmpfs && a->qmpermm == b->qmpermm &&
	       a->mmlifetime == b->mmlifetime && a->pollinginterval == b->pollinginterval &&
	       strcmp(a->gponame, b->gponame) == 0 &&
	       strcmp(a->mmsecmethods, b->mmsecmethods) == 0 &&
	       a->defrule.active == b->defrule.active && a->defrule.qmpfs == b->defrule.qmpfs &&
	       strcmp(a->defrule.qmsecmethods, b->defrule.qmsecmethods) == 0 &&
	       strcmp(a->defrule.auth, b->defrule.auth) == 0;
}

static int policy_pristine(struct db *db, const struct def_policy *d, struct err *e)
{
	struct policy want, got;
	struct rule *rules;
	size_t n;
	int rc;

	make_policy(d, &want);
	if ((rc = db_policy_find(db, STORE_LOCAL, NULL, d->guid, &got, e)) <= 0)
		return rc;
	if (!same_policy(&want, &got))
		return 0;
	if (db_rule_list(db, got.id, &rules, &n, e) < 0)
		return -1;
	rc = n == rule_count(d);
	for (size_t j = 0; rc == 1 && j < n; j++) {
		struct rule r;
		rc = make_rule(db, &d->rules[j], got.id, &r, e);
		if (rc == 1)
			rc = same_rule(&r, &rules[j]);
	}
	free(rules);
	return rc;
}

int db_builtins_pristine(struct db *db, enum store_kind s, struct err *e)
{
	int rc = s == STORE_LOCAL;

	for (size_t i = 0; rc == 1 && i < COUNT(lists); i++)
		rc = list_pristine(db, &lists[i], e);
	for (size_t i = 0; rc == 1 && i < COUNT(actions); i++)
		rc = action_pristine(db, &actions[i], e);
	for (size_t i = 0; rc == 1 && i < COUNT(policies); i++)
		rc = policy_pristine(db, &policies[i], e);
	return rc;
}
