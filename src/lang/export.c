// SPDX-License-Identifier: MIT
#include "export.h"

#include <stdlib.h>
#include <string.h>

#include "model/auth.h"
#include "store/builtins.h"

/* A value as netsh reads it back: quoted when it is empty or has blanks
 * or '='. Values never hold '"' (the lexer strips it), except rootca,
 * which is re-escaped by its writer. */
static void put_value(FILE *out, const char *tag, const char *value)
{
	bool quote = !value[0] || strpbrk(value, " \t=") != NULL;

	fprintf(out, " %s=%s%s%s", tag, quote ? "\"" : "", value, quote ? "\"" : "");
}

static void put_bool(FILE *out, const char *tag, bool v)
{
	fprintf(out, " %s=%s", tag, v ? "yes" : "no");
}

static void put_auth_entry(const char *kind, const char *value, void *ctx)
{
	FILE *out = ctx;

	if (strcmp(kind, "kerberos") == 0) {
		put_bool(out, "kerberos", true);
	} else if (strcmp(kind, "psk") == 0) {
		put_value(out, "psk", value);
	} else {
		fputs(" rootca=\"", out);
		for (const char *p = value; *p; p++) {
			if (*p == '"')
				fputs("\\'", out);
			else
				fputc(*p, out);
		}
		fputc('"', out);
	}
}

/* kerberos=no when the methods leave Kerberos out, so the list is exact. */
static void put_auth(FILE *out, const char *auth)
{
	if (strncmp(auth, "kerberos", 8) != 0 && !strstr(auth, "\nkerberos"))
		put_bool(out, "kerberos", false);
	auth_each(auth, put_auth_entry, out);
}

static void put_side(FILE *out, const char *prefix, const struct addr *a)
{
	char tag[16], buf[64];

	snprintf(tag, sizeof(tag), "%saddr", prefix);
	if (a->kind != ADDR_IP) {
		addr_format(a, buf, sizeof(buf));
		put_value(out, tag, buf);
		return;
	}
	ip_format(&a->ip, buf, sizeof(buf));
	put_value(out, tag, buf);
	snprintf(tag, sizeof(tag), "%smask", prefix);
	mask_format(&a->ip, buf, sizeof(buf));
	put_value(out, tag, buf);
	if (a->name[0]) {
		snprintf(tag, sizeof(tag), "%sname", prefix);
		put_value(out, tag, a->name);
	}
}

static void put_filter(FILE *out, const char *list, const struct filter *f)
{
	char buf[32];

	fputs("add filter", out);
	put_value(out, "filterlist", list);
	put_side(out, "src", &f->src);
	put_side(out, "dst", &f->dst);
	proto_format(f->proto, buf, sizeof(buf));
	put_value(out, "protocol", buf);
	put_bool(out, "mirrored", f->mirrored);
	if (proto_has_ports(f->proto)) {
		port_format(f->sport, buf, sizeof(buf));
		put_value(out, "srcport", buf);
		port_format(f->dport, buf, sizeof(buf));
		put_value(out, "dstport", buf);
	}
	if (f->icmp_type >= 0)
		fprintf(out, " icmptype=%d", f->icmp_type);
	if (f->icmp_code >= 0)
		fprintf(out, " icmpcode=%d", f->icmp_code);
	if (f->description[0])
		put_value(out, "description", f->description);
	fputc('\n', out);
}

static int export_filterlists(struct session *s, FILE *out, bool skip_builtins, struct err *e)
{
	struct filterlist *lists;
	size_t n;

	if (db_filterlist_list(s->db, s->store, &lists, &n, e) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		struct filter *fs;
		size_t nf;
		if (skip_builtins && builtin_guid(lists[i].guid))
			continue;
		fputs("add filterlist", out);
		put_value(out, "name", lists[i].name);
		put_value(out, "description", lists[i].description);
		fputc('\n', out);
		if (db_filter_list(s->db, lists[i].id, &fs, &nf, e) < 0) {
			free(lists);
			return -1;
		}
		for (size_t j = 0; j < nf; j++)
			put_filter(out, lists[i].name, &fs[j]);
		free(fs);
	}
	free(lists);
	return 0;
}

static int export_filteractions(struct session *s, FILE *out, bool skip_builtins,
				struct err *e)
{
	struct filteraction *acts;
	size_t n;

	if (db_filteraction_list(s->db, s->store, &acts, &n, e) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const struct filteraction *a = &acts[i];
		if (skip_builtins && builtin_guid(a->guid))
			continue;
		fputs("add filteraction", out);
		put_value(out, "name", a->name);
		put_value(out, "description", a->description);
		put_bool(out, "qmpfs", a->qmpfs);
		put_bool(out, "inpass", a->inpass);
		put_bool(out, "soft", a->soft);
		put_value(out, "action", action_name(a->action));
		put_value(out, "qmsecmethods", a->qmsecmethods);
		fputc('\n', out);
	}
	free(acts);
	return 0;
}

static int export_rules(struct session *s, FILE *out, const struct policy *p, struct err *e)
{
	struct rule *rules;
	size_t n;
	int rc = 0;

	if (db_rule_list(s->db, p->id, &rules, &n, e) < 0)
		return -1;
	for (size_t i = 0; i < n && rc == 0; i++) {
		const struct rule *r = &rules[i];
		struct filterlist l;
		struct filteraction a;
		if (db_filterlist_by_id(s->db, r->filterlist_id, &l, e) <= 0 ||
		    db_filteraction_by_id(s->db, r->filteraction_id, &a, e) <= 0) {
			rc = -1;
			break;
		}
		fputs("add rule", out);
		put_value(out, "name", r->name);
		put_value(out, "policy", p->name);
		put_value(out, "filterlist", l.name);
		put_value(out, "filteraction", a.name);
		if (r->tunnel[0])
			put_value(out, "tunnel", r->tunnel);
		put_value(out, "conntype", conntype_name(r->conntype));
		put_bool(out, "activate", r->active);
		put_value(out, "description", r->description);
		put_auth(out, r->auth);
		fputc('\n', out);
	}
	free(rules);
	return rc;
}

static int export_policies(struct session *s, FILE *out, bool skip_builtins, struct err *e)
{
	struct policy *ps;
	size_t n;
	int rc = 0;

	if (db_policy_list(s->db, s->store, &ps, &n, e) < 0)
		return -1;
	for (size_t i = 0; i < n && rc == 0; i++) {
		const struct policy *p = &ps[i];
		if (skip_builtins && builtin_guid(p->guid))
			continue;
		fputs("add policy", out);
		put_value(out, "name", p->name);
		put_value(out, "description", p->description);
		put_bool(out, "mmpfs", p->mmpfs);
		fprintf(out, " qmpermm=%ld mmlifetime=%ld", p->qmpermm, p->mmlifetime);
		put_bool(out, "activatedefaultrule", p->defrule.active);
		fprintf(out, " pollinginterval=%ld", p->pollinginterval);
		put_value(out, "mmsecmethods", p->mmsecmethods);
		fputc('\n', out);
		fputs("set defaultrule", out);
		put_value(out, "policy", p->name);
		put_bool(out, "qmpfs", p->defrule.qmpfs);
		put_bool(out, "activate", p->defrule.active);
		put_value(out, "qmsecmethods", p->defrule.qmsecmethods);
		put_auth(out, p->defrule.auth);
		fputc('\n', out);
		if (p->gponame[0]) {
			fputs("set policy", out);
			put_value(out, "name", p->name);
			put_value(out, "gponame", p->gponame);
			fputc('\n', out);
		}
		rc = export_rules(s, out, p, e);
	}
	/* Assignment last: the policy is complete when it takes effect. */
	for (size_t i = 0; i < n && rc == 0; i++) {
		if (!ps[i].assigned)
			continue;
		fputs("set policy", out);
		put_value(out, "name", ps[i].name);
		put_bool(out, "assign", true);
		fputc('\n', out);
	}
	free(ps);
	return rc;
}

int export_store(struct session *s, FILE *out, struct err *e)
{
	/* A store holding every built-in object as created exports them as
	 * `restore defaults` (a no-op where they are, as in a fresh store):
	 * written out as `add` commands, they would clash with the importing
	 * store's own. Otherwise they are written like any object. */
	int builtins = db_builtins_pristine(s->db, s->store, e);

	if (builtins < 0)
		return -1;
	fprintf(out, "# ipsecfw policy export: the %s store as netsh ipsec static commands\n",
		store_kind_name(s->store));
	fputs("pushd ipsec static\n", out);
	if (builtins)
		fputs("restore defaults\n", out);
	if (export_filteractions(s, out, builtins, e) < 0 ||
	    export_filterlists(s, out, builtins, e) < 0 || export_policies(s, out, builtins, e) < 0)
		return -1;
	fputs("popd\n", out);
	if (fflush(out) != 0 || ferror(out))
		return err_set(e, "cannot write the export");
	return 0;
}
