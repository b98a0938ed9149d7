// SPDX-License-Identifier: MIT
/* The MS-GPIPSEC codec against vectors no one here wrote: Windows' three
 * default IPSec policies as Samba provisions them into a new AD domain
 * (Debian's samba-ad-provision, read at test time). They must decode,
 * encode again byte for byte, give SPEC §15's objects, compile to a
 * FilterTable; and ipsecfw's own objects must survive the round trip.
 * Hostile blobs (every truncation and byte flip) give errors naming the
 * object and the field, never a crash. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/ftable.h"
#include "gpipsec/convert.h"
#include "gpipsec/gpmodel.h"
#include "model/secmethods.h"
#include "tap.h"

#define PROVISION "/usr/share/samba/setup/provision.ldif"
#define DOMAIN "DC=example,DC=com"
#define CONTAINER "CN=IP Security,CN=System," DOMAIN

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0, got;

	if (!f)
		return NULL;
	do {
		if (n + 4096 > cap && !(buf = realloc(buf, cap = cap * 2 + 8192)))
			abort();
		got = fread(buf + n, 1, cap - n - 1, f);
		n += got;
	} while (got > 0);
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* Samba's template has ${DOMAINDN} where the domain goes. */
static char *provision_text(size_t *len)
{
	size_t n;
	char *t = slurp(PROVISION, &n), *out, *o;
	const char *var = "${DOMAINDN}";

	if (!t)
		return NULL;
	out = o = malloc(n * 2 + 1);
	for (const char *p = t; *p;) {
		if (!strncmp(p, var, strlen(var))) {
			o += sprintf(o, "%s", DOMAIN);
			p += strlen(var);
		} else {
			*o++ = *p++;
		}
	}
	*o = '\0';
	free(t);
	*len = (size_t)(o - out);
	return out;
}

static const struct policy *policy_named(const struct gp_domain *d, const char *name)
{
	for (size_t i = 0; i < d->n_policies; i++)
		if (!strcmp(d->policies[i].name, name))
			return &d->policies[i];
	return NULL;
}

static const struct filteraction *action_guid(const struct gp_domain *d, const char *guid)
{
	for (size_t i = 0; i < d->n_actions; i++)
		if (!strcmp(d->actions[i].guid, guid))
			return &d->actions[i];
	return NULL;
}

static const struct gp_list *list_guid(const struct gp_domain *d, const char *guid)
{
	for (size_t i = 0; i < d->n_lists; i++)
		if (!strcmp(d->lists[i].list.guid, guid))
			return &d->lists[i];
	return NULL;
}

static size_t rules_of(const struct gp_domain *d, const struct policy *p, const struct gp_rule **out)
{
	size_t n = 0;

	for (size_t i = 0; i < d->n_rules; i++)
		if (!strcmp(d->rules[i].policy, p->guid))
			out[n++] = &d->rules[i];
	return n;
}

static void check_rule(const struct gp_domain *d, const struct policy *p, const char *list,
		       const char *action)
{
	const struct gp_rule *rs[8];
	size_t n = rules_of(d, p, rs);
	bool found = false;

	for (size_t i = 0; i < n; i++)
		found = found || (!strcmp(rs[i]->list, list) && !strcmp(rs[i]->action, action) &&
				  rs[i]->rule.active && !strcmp(rs[i]->rule.auth, "kerberos") &&
				  rs[i]->rule.conntype == CONN_ALL && !rs[i]->rule.tunnel[0]);
	ok(found, "%s: rule %s -> %s, active, kerberos, all interfaces", p->name, list, action);
}

static void check_samba_model(const struct gp_domain *d)
{
	const struct policy *srv = policy_named(d, "Server (Request Security)"),
			    *sec = policy_named(d, "Secure Server (Require Security)"),
			    *cli = policy_named(d, "Client (Respond Only)");
	const struct gp_rule *rs[8];
	const struct filteraction *req, *rq, *pm;
	const struct gp_list *all, *icmp;

	ok(d->n_policies == 3, "three policies (%zu)", d->n_policies);
	ok(srv && !strcmp(srv->guid, "{72385230-70FA-11D1-864C-14A300000000}"), "Server (Request Security) and its GUID");
	ok(sec && !strcmp(sec->guid, "{7238523C-70FA-11D1-864C-14A300000000}"), "Secure Server (Require Security) and its GUID");
	ok(cli && !strcmp(cli->guid, "{72385236-70FA-11D1-864C-14A300000000}"), "Client (Respond Only) and its GUID");
	if (!srv || !sec || !cli)
		return;
	ok(srv->pollinginterval == 180 && srv->mmlifetime == 480 && !srv->mmpfs && srv->qmpermm == 0,
	   "polling 0 s = 180 min, MM lifetime 0 = 480 min, no master PFS, no QM limit");
	is_str(srv->mmsecmethods, MM_DEFAULT_METHODS, "ISAKMP security methods are netsh's default four");
	ok(srv->defrule.active && !strcmp(srv->defrule.auth, "kerberos"), "default response rule active, Kerberos");
	ok(!strncmp(srv->defrule.qmsecmethods, "ESP[3DES,SHA1]:100000k/3600s ESP[3DES,MD5]", 42),
	   "default response offers start with ESP 3DES/SHA1, 3DES/MD5 (%s)", srv->defrule.qmsecmethods);
	ok(rules_of(d, cli, rs) == 0 && cli->defrule.active, "Client (Respond Only) has only the default response rule");
	ok(rules_of(d, srv, rs) == 2 && rules_of(d, sec, rs) == 2, "the servers have two rules each");
	check_rule(d, srv, "{7238523A-70FA-11D1-864C-14A300000000}", "{72385233-70FA-11D1-864C-14A300000000}");
	check_rule(d, srv, "{72385235-70FA-11D1-864C-14A300000000}", "{7238523B-70FA-11D1-864C-14A300000000}");
	check_rule(d, sec, "{7238523A-70FA-11D1-864C-14A300000000}", "{7238523F-70FA-11D1-864C-14A300000000}");
	check_rule(d, sec, "{72385235-70FA-11D1-864C-14A300000000}", "{7238523B-70FA-11D1-864C-14A300000000}");

	req = action_guid(d, "{72385233-70FA-11D1-864C-14A300000000}");
	rq = action_guid(d, "{7238523F-70FA-11D1-864C-14A300000000}");
	pm = action_guid(d, "{7238523B-70FA-11D1-864C-14A300000000}");
	ok(d->n_actions == 3, "three filter actions (%zu)", d->n_actions);
	ok(req && !strcmp(req->name, "Request Security (Optional)") && req->action == ACTION_NEGOTIATE &&
		   req->inpass && req->soft && !req->qmpfs,
	   "Request Security (Optional): negotiate, inpass, soft");
	if (req)
		is_str(req->qmsecmethods,
		       "ESP[3DES,SHA1]:100000k/900s ESP[DES,SHA1]:100000k/900s AH[SHA1]:100000k/300s AH[MD5]:100000k/300s",
		       "Request Security (Optional): its four offers");
	ok(rq && !strcmp(rq->name, "Require Security") && rq->action == ACTION_NEGOTIATE && rq->inpass &&
		   !rq->soft,
	   "Require Security: negotiate, inpass, not soft");
	if (rq)
		is_str(rq->qmsecmethods,
		       "ESP[3DES,SHA1]:100000k/900s ESP[3DES,MD5]:100000k/900s ESP[DES,SHA1]:100000k/900s ESP[DES,MD5]:100000k/900s",
		       "Require Security: ESP 3DES/DES with SHA1/MD5");
	ok(pm && !strcmp(pm->name, "Permit") && pm->action == ACTION_PERMIT, "Permit permits");

	all = list_guid(d, "{7238523A-70FA-11D1-864C-14A300000000}");
	icmp = list_guid(d, "{72385235-70FA-11D1-864C-14A300000000}");
	ok(d->n_lists == 2, "two filter lists (%zu)", d->n_lists);
	ok(all && !strcmp(all->list.name, "All IP Traffic") && all->n_filters == 1 &&
		   all->filters[0].src.kind == ADDR_ME && all->filters[0].dst.kind == ADDR_ANY &&
		   all->filters[0].proto == 0 && all->filters[0].mirrored,
	   "All IP Traffic: me -> any, any protocol, mirrored");
	ok(icmp && !strcmp(icmp->list.name, "All ICMP Traffic") && icmp->n_filters == 1 &&
		   icmp->filters[0].src.kind == ADDR_ME && icmp->filters[0].dst.kind == ADDR_ANY &&
		   icmp->filters[0].proto == 1 && icmp->filters[0].mirrored &&
		   !strcmp(icmp->filters[0].description, "ICMP"),
	   "All ICMP Traffic: me -> any, ICMP, mirrored");
}

static void check_compile(const struct gp_domain *d)
{
	struct ruleset rs;
	struct host_facts facts;
	struct ftable t;
	struct ip_prefix ip;
	struct err e;
	size_t neg = 0, permit_icmp = 0;

	if (gp_policy_ruleset(d, "{72385230-70FA-11D1-864C-14A300000000}", WSTORE_POLICY, &rs, &e) < 0) {
		ok(0, "ruleset of Server (Request Security): %s", e.msg);
		return;
	}
	ok(rs.n_rules == 2, "Server (Request Security) gives the engine two rules");
	memset(&facts, 0, sizeof(facts));
	ip_parse_host("192.0.2.10", &ip);
	ip.len = 24;
	facts_add_addr(&facts, &ip, 1, false);
	facts_normalize(&facts);
	if (ftable_compile(&rs, &facts, &t, &e) < 0) {
		ok(0, "compile: %s", e.msg);
		ruleset_free(&rs);
		facts_free(&facts);
		return;
	}
	for (size_t i = 0; i < t.n_entries; i++) {
		const struct fentry *en = &t.entries[i];

		if (en->filter == UINT32_MAX)
			continue;
		neg += en->action_in == ACTION_NEGOTIATE && (en->flags & EF_INPASS) && (en->flags & EF_SOFT);
		permit_icmp += en->action_in == ACTION_PERMIT && en->proto == 1;
	}
	ok(neg >= 2 && permit_icmp >= 2,
	   "compiled: negotiate/inpass/soft for all IP, permit for ICMP, both mirrored (%zu, %zu of %zu entries)",
	   neg, permit_icmp, t.n_entries);
	ftable_free(&t);
	ruleset_free(&rs);
	facts_free(&facts);
}

static void hostile(const struct gp_objset *set)
{
	size_t decoded = 0, refused = 0, named = 0;
	struct gp_blob b;
	struct err e;

	for (size_t i = 0; i < set->n; i++) {
		const struct gp_object *o = &set->objs[i];
		uint8_t *copy = malloc(o->data_len);

		/* Every truncation: the exact-size copy puts ASan right at the end. */
		for (size_t n = 0; n < o->data_len; n++) {
			uint8_t *t = malloc(n ? n : 1);

			memcpy(t, o->data, n);
			if (gp_blob_decode(t, n, o->dn, &b, &e) == 0) {
				decoded++;
				gp_blob_free(&b);
			} else {
				refused++;
				named += strstr(e.msg, o->dn) && strstr(e.msg, "ipsecData") ? 1 : 0;
			}
			free(t);
		}
		/* Every byte set to 0xFF. */
		for (size_t k = 0; k < o->data_len; k++) {
			memcpy(copy, o->data, o->data_len);
			copy[k] = 0xFF;
			if (gp_blob_decode(copy, o->data_len, o->dn, &b, &e) == 0)
				gp_blob_free(&b);
		}
		free(copy);
	}
	ok(refused > 0 && named == refused,
	   "every truncated blob is refused with an error naming the object and ipsecData (%zu refused, %zu named, %zu decoded: the cut fell in a part kept opaque)",
	   refused, named, decoded);
}

static bool same_bytes(const struct gp_object *a, const struct gp_object *b)
{
	return a->data_len == b->data_len && !memcmp(a->data, b->data, a->data_len);
}

static void samba(void)
{
	size_t len = 0, same = 0, kinds[GPC_COUNT] = { 0 };
	int rc;
	char *text = provision_text(&len);
	struct gp_objset set, again;
	struct gp_domain dom;
	struct err e;

	if (!ok(text != NULL, "%s is installed (package samba-ad-provision)", PROVISION))
		return;
	rc = gp_ldif_read(text, len, &set, &e);
	if (!ok(rc == 0, "Samba's provision LDIF decodes (%s)", rc ? e.msg : "ok")) {
		free(text);
		return;
	}
	free(text);
	for (size_t i = 0; i < set.n; i++) {
		uint8_t *p;
		size_t n;

		kinds[set.objs[i].cls]++;
		if (gp_blob_encode(&set.objs[i].blob, &p, &n, &e) == 0) {
			same += n == set.objs[i].data_len && !memcmp(p, set.objs[i].data, n);
			free(p);
		}
	}
	ok(set.n == 22 && kinds[GPC_POLICY] == 3 && kinds[GPC_ISAKMP] == 3 && kinds[GPC_NFA] == 8 &&
		   kinds[GPC_NEGPOL] == 6 && kinds[GPC_FILTER] == 2,
	   "22 objects: 3 policies, 3 ISAKMP, 8 NFAs (one the Version Information object), 6 negotiation policies, 2 filters (%zu)",
	   set.n);
	ok(same == set.n, "every ipsecData re-encodes byte for byte (%zu of %zu)", same, set.n);

	rc = gp_to_model(&set, &dom, &e);
	if (!ok(rc == 0, "the objects give model objects (%s)", rc ? e.msg : "ok")) {
		gp_objset_free(&set);
		return;
	}
	check_samba_model(&dom);
	check_compile(&dom);

	/* decode -> model -> encode: the same bytes for every object. */
	rc = gp_from_model(&dom, CONTAINER, &set, &again, &e);
	if (ok(rc == 0, "the model encodes again (%s)", rc ? e.msg : "ok")) {
		size_t found = 0, equal = 0;

		for (size_t i = 0; i < again.n; i++) {
			const struct gp_object *pv = gp_objset_find(&set, again.objs[i].dn);

			found += pv != NULL;
			equal += pv && same_bytes(pv, &again.objs[i]);
		}
		ok(again.n == set.n - 1 && found == again.n && equal == again.n,
		   "decode -> model -> encode: the same %zu objects, the same bytes (%zu found, %zu equal; the unreferenced Version Information object is not a policy)",
		   again.n, found, equal);
		gp_objset_free(&again);
	}
	hostile(&set);
	gp_domain_free(&dom);
	gp_objset_free(&set);
}

static char *ldif_of(const struct gp_objset *s, size_t *len)
{
	char *buf;
	FILE *f = open_memstream(&buf, len);

	gp_ldif_write(s, f);
	fclose(f);
	return buf;
}

/* ipsecfw's own objects: everything the codec can say, and back. */
static void own(void)
{
	struct gp_domain d = { 0 };
	struct policy p;
	struct gp_rule r[2];
	struct filteraction a[2];
	struct gp_list l[1];
	struct filter f[4];
	struct gp_objset s1, s2, s3;
	struct gp_domain d2;
	struct err e;
	int il, rc;
	char *t1, *t2, *t3;
	size_t n1, n2, n3;

	policy_init(&p);
	snprintf(p.guid, sizeof(p.guid), "{11111111-2222-3333-4444-555555555555}");
	snprintf(p.name, sizeof(p.name), "Web Server Policy");
	snprintf(p.description, sizeof(p.description), "lock-down, ünïcödé");
	p.store = STORE_DOMAIN;
	p.mmpfs = true;
	p.qmpermm = 1;
	p.mmlifetime = 120;
	p.pollinginterval = 30;
	snprintf(p.mmsecmethods, sizeof(p.mmsecmethods), "3DES-SHA1-3 DES-MD5-1");
	p.defrule.active = false;
	snprintf(p.defrule.auth, sizeof(p.defrule.auth), "psk:s3cret");

	for (int i = 0; i < 4; i++)
		filter_init(&f[i]);
	snprintf(f[0].guid, GUID_LEN, "{00000000-0000-0000-0000-000000000001}");
	addr_parse("192.0.2.0/24", &f[0].src, &il, &e);
	f[0].dst.kind = ADDR_ME;
	f[0].proto = 6;
	f[0].dport = (struct port_range){ 80, 80 };
	snprintf(f[0].description, sizeof(f[0].description), "web");
	snprintf(f[1].guid, GUID_LEN, "{00000000-0000-0000-0000-000000000002}");
	addr_parse("2001:db8::/32", &f[1].src, &il, &e);
	f[1].dst.kind = ADDR_ME;
	f[1].proto = 6;
	f[1].dport = (struct port_range){ 8000, 8080 };
	f[1].mirrored = false;
	snprintf(f[2].guid, GUID_LEN, "{00000000-0000-0000-0000-000000000003}");
	f[2].src.kind = ADDR_SERVER;
	f[2].src.server = SRV_DNS;
	f[2].dst.kind = ADDR_ME;
	f[2].proto = 17;
	snprintf(f[3].guid, GUID_LEN, "{00000000-0000-0000-0000-000000000004}");
	addr_parse("198.51.100.7", &f[3].dst, &il, &e);
	snprintf(f[3].dst.name, sizeof(f[3].dst.name), "www.example.com");
	f[3].src.kind = ADDR_ME;
	memset(&l[0], 0, sizeof(l[0]));
	snprintf(l[0].list.guid, GUID_LEN, "{AAAAAAAA-0000-0000-0000-000000000001}");
	snprintf(l[0].list.name, NAME_MAX_LEN, "HTTP");
	l[0].filters = f;
	l[0].n_filters = 4;

	filteraction_init(&a[0]);
	snprintf(a[0].guid, GUID_LEN, "{BBBBBBBB-0000-0000-0000-000000000001}");
	snprintf(a[0].name, NAME_MAX_LEN, "Block");
	a[0].action = ACTION_BLOCK;
	filteraction_init(&a[1]);
	snprintf(a[1].guid, GUID_LEN, "{BBBBBBBB-0000-0000-0000-000000000002}");
	snprintf(a[1].name, NAME_MAX_LEN, "Secure");
	a[1].qmpfs = true;
	a[1].soft = true;
	qmsecmethods_parse("AH[SHA1]+ESP[3DES,SHA1]:50000k/1800s ESP[None,MD5]", a[1].qmsecmethods,
			   METHODS_MAX_LEN, &e);

	for (int i = 0; i < 2; i++) {
		memset(&r[i], 0, sizeof(r[i]));
		rule_init(&r[i].rule);
		snprintf(r[i].policy, GUID_LEN, "%s", p.guid);
		snprintf(r[i].list, GUID_LEN, "%s", l[0].list.guid);
		snprintf(r[i].action, GUID_LEN, "%s", a[i].guid);
	}
	snprintf(r[0].rule.guid, GUID_LEN, "{CCCCCCCC-0000-0000-0000-000000000001}");
	snprintf(r[0].rule.name, NAME_MAX_LEN, "Block web");
	r[0].rule.conntype = CONN_DIALUP;
	r[0].rule.active = false;
	snprintf(r[1].rule.guid, GUID_LEN, "{CCCCCCCC-0000-0000-0000-000000000002}");
	snprintf(r[1].rule.name, NAME_MAX_LEN, "Tunnel");
	snprintf(r[1].rule.tunnel, sizeof(r[1].rule.tunnel), "203.0.113.1");
	snprintf(r[1].rule.auth, AUTH_MAX_LEN, "rootca:CN=Example Root CA\nkerberos\npsk:key with spaces");

	d.policies = &p;
	d.n_policies = 1;
	d.rules = r;
	d.n_rules = 2;
	d.lists = l;
	d.n_lists = 1;
	d.actions = a;
	d.n_actions = 2;

	rc = gp_from_model(&d, CONTAINER, NULL, &s1, &e);
	if (!ok(rc == 0, "ipsecfw's objects encode (%s)", rc ? e.msg : "ok"))
		return;
	t1 = ldif_of(&s1, &n1);
	rc = gp_ldif_read(t1, n1, &s2, &e);
	if (!ok(rc == 0, "their LDIF reads back (%s)", rc ? e.msg : "ok")) {
		free(t1);
		gp_objset_free(&s1);
		return;
	}
	rc = gp_to_model(&s2, &d2, &e);
	ok(rc == 0, "and decodes to model objects (%s)", rc ? e.msg : "ok");
	ok(d2.n_policies == 1 && d2.n_rules == 2 && d2.n_lists == 1 && d2.n_actions == 2,
	   "one policy, two rules, one list, two actions");
	if (d2.n_policies == 1 && d2.n_lists == 1 && d2.n_lists == 1 && d2.n_rules == 2 &&
	    d2.n_actions == 2) {
		const struct policy *q = &d2.policies[0];
		const struct gp_list *m = &d2.lists[0];
		char k1[512], k2[512];
		bool filters_same = m->n_filters == 4;

		ok(!strcmp(q->name, p.name) && !strcmp(q->description, p.description) && q->mmpfs &&
			   q->qmpermm == 1 && q->mmlifetime == 120 && q->pollinginterval == 30 &&
			   !q->defrule.active && !strcmp(q->defrule.auth, "psk:s3cret"),
		   "policy fields survive");
		is_str(q->mmsecmethods, "3DES-SHA1-3 DES-MD5-1", "main-mode methods survive, DH2048 too");
		for (size_t i = 0; filters_same && i < 4; i++) {
			filter_key(&f[i], k1, sizeof(k1));
			filter_key(&m->filters[i], k2, sizeof(k2));
			filters_same = !strcmp(k1, k2) && !strcmp(f[i].guid, m->filters[i].guid) &&
				       !strcmp(f[i].description, m->filters[i].description) &&
				       !strcmp(f[i].dst.name, m->filters[i].dst.name);
		}
		ok(filters_same, "IPv4, IPv6, a port range, a server type and a DNS name survive (v2 filters)");
		ok(d2.rules[0].rule.conntype == CONN_DIALUP && !d2.rules[0].rule.active &&
			   !strcmp(d2.rules[1].rule.tunnel, "203.0.113.1"),
		   "conntype, active and tunnel survive");
		is_str(d2.rules[1].rule.auth, "rootca:CN=Example Root CA\nkerberos\npsk:key with spaces",
		       "authentication methods survive in order");
		ok(d2.actions[0].action == ACTION_BLOCK && d2.actions[1].action == ACTION_NEGOTIATE &&
			   d2.actions[1].qmpfs && d2.actions[1].soft && !d2.actions[1].inpass,
		   "actions survive");
		is_str(d2.actions[1].qmsecmethods, a[1].qmsecmethods, "AH+ESP and ESP without encryption survive");
	}
	/* Encoding what was decoded gives the same bytes, with or without prev. */
	if (gp_from_model(&d2, CONTAINER, NULL, &s3, &e) == 0) {
		t3 = ldif_of(&s3, &n3);
		ok(n3 == n1 && !memcmp(t1, t3, n1), "encode(decode(encode(x))) == encode(x), byte for byte");
		free(t3);
		gp_objset_free(&s3);
	} else {
		ok(0, "re-encode: %s", e.msg);
	}
	if (gp_from_model(&d2, CONTAINER, &s2, &s3, &e) == 0) {
		t2 = ldif_of(&s3, &n2);
		ok(n2 == n1 && !memcmp(t1, t2, n1), "and with the decoded objects as prev, too");
		free(t2);
		gp_objset_free(&s3);
	}
	gp_domain_free(&d2);
	hostile(&s1);
	gp_objset_free(&s2);
	gp_objset_free(&s1);
	free(t1);

	/* What the codec cannot say is an error, not a silent loss. */
	f[0].icmp_type = 8;
	f[0].proto = 1;
	f[0].dport = PORT_ANY;
	ok(gp_from_model(&d, CONTAINER, NULL, &s1, &e) < 0 && strstr(e.msg, "HTTP") &&
		   strstr(e.msg, "ICMP type"),
	   "an ICMP type is refused, naming the list (%s)", e.msg);
	f[0].icmp_type = -1;
	snprintf(r[1].rule.auth, AUTH_MAX_LEN, "rootca:CN=Root certmap:yes excludecaname:no");
	ok(gp_from_model(&d, CONTAINER, NULL, &s1, &e) < 0 && strstr(e.msg, "Tunnel") &&
		   strstr(e.msg, "certmap"),
	   "certmap:yes is refused, naming the rule (%s)", e.msg);
}

static void bad_objects(void)
{
	static const char *const cases[][2] = {
		{ "dn: CN=ipsecFilter{1},CN=x\nobjectClass: ipsecFilter\nipsecID: {1}\n", "ipsecData is missing" },
		{ "dn: CN=ipsecFilter{1},CN=x\nobjectClass: ipsecFilter\nipsecID: {1}\nipsecData:: tSDcgMgu0RGongCgJI0wIQ==\n",
		  "Data-Length" },
		{ "dn: CN=ipsecFilter{1},CN=x\nobjectClass: ipsecFilter\nipsecID: {1}\nipsecData:: !!!!\n", "bad base64" },
		{ "dn: CN=ipsecPolicy{1},CN=x\nobjectClass: ipsecPolicy\nipsecID: {1}\nipsecData:: YyEgIkxP0RGGOwCgJI0wIQQAAAAwKgAA\n",
		  "Data-Length" },
		{ "dn: CN=ipsecNegotiationPolicy{1},CN=x\nobjectClass: ipsecNegotiationPolicy\nipsecID: {1}\nipsecData:: uSDcgMgu0RGongCgJI0wIQQAAAD/////AA==\n",
		  "Security-Offer-Count" },
	};
	struct gp_objset s;
	struct err e;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = gp_ldif_read(cases[i][0], strlen(cases[i][0]), &s, &e);

		ok(rc < 0 && strstr(e.msg, cases[i][1]), "bad object %zu: '%s'", i + 1, rc < 0 ? e.msg : "accepted");
		if (rc == 0)
			gp_objset_free(&s);
	}
}

/* Found by fuzz-gpipsec: an empty version-2 section whose Data-Length2 is 0. */
static void empty_v2(void)
{
	struct gp_wr w = { 0 };
	struct gp_blob b;
	struct err e;
	uint8_t *out;
	size_t n;

	wr_guid(&w, &GP_TYPE_FILTER);
	wr_u32(&w, 4);
	wr_u32(&w, 0);
	wr_guid(&w, &GP_TYPE_FILTER_V2);
	wr_u32(&w, 0);
	wr_u32(&w, 0);
	wr_u32(&w, 0);
	wr_u8(&w, 0);
	if (!ok(gp_blob_decode(w.p, w.n, "empty", &b, &e) == 0 && b.u.filter.has_v2,
		"an empty version-2 filter section decodes")) {
		free(w.p);
		return;
	}
	ok(gp_blob_encode(&b, &out, &n, &e) == 0 && n == w.n && !memcmp(out, w.p, n),
	   "and encodes to the same bytes, Data-Length2 0 included");
	free(out);
	gp_blob_free(&b);
	free(w.p);
}

int main(void)
{
	samba();
	own();
	bad_objects();
	empty_v2();
	return done_testing();
}
