// SPDX-License-Identifier: MIT
#include "show.h"

#include <string.h>
#include <strings.h>

#include "model/auth.h"

static const char *const yes_no[] = { "no", "yes", NULL };

int show_opts_read(struct bound *b, struct show_opts *o, struct err *e)
{
	static const char *const levels[] = { "normal", "verbose", NULL };
	static const char *const formats[] = { "list", "table", NULL };
	int level = 0, format = 0, dns = 0;

	memset(o, 0, sizeof(*o));
	for (size_t i = 0; i < b->n_params; i++) {
		const char *name = b->params[i].name;
		if (strcmp(name, "level") == 0 && args_word(b, name, levels, &level, e) < 0)
			return -1;
		if (strcmp(name, "format") == 0 && args_word(b, name, formats, &format, e) < 0)
			return -1;
		if (strcmp(name, "resolvedns") == 0 && args_word(b, name, yes_no, &dns, e) < 0)
			return -1;
		if (strcmp(name, "wide") == 0 && args_word(b, name, yes_no, &(int){ 0 }, e) < 0)
			return -1;
	}
	o->verbose = level == 1;
	o->format = format == 1 ? SHOW_TABLE : SHOW_LIST;
	o->resolvedns = dns == 1;
	return 0;
}

static void set_str(json_t *o, const char *key, const char *value)
{
	json_object_set_new(o, key, json_string(value));
}

/* Space-separated offers become an array, one offer each. */
static json_t *words_array(const char *text)
{
	json_t *a = json_array();
	const char *p = text;

	while (*p) {
		size_t n = strcspn(p, " ");
		if (n)
			json_array_append_new(a, json_stringn(p, n));
		p += n;
		p += strspn(p, " ");
	}
	return a;
}

static void auth_entry(const char *kind, const char *value, void *ctx)
{
	char buf[AUTH_MAX_LEN + 16];

	if (strcmp(kind, "kerberos") == 0)
		snprintf(buf, sizeof(buf), "kerberos");
	else
		snprintf(buf, sizeof(buf), "%s \"%s\"", kind, value);
	json_array_append_new(ctx, json_string(buf));
}

static json_t *auth_array(const char *text)
{
	json_t *a = json_array();
	auth_each(text, auth_entry, a);
	return a;
}

static void side_json(json_t *o, const char *prefix, const struct addr *a, bool resolvedns)
{
	char key[16], buf[64];

	snprintf(key, sizeof(key), "%saddr", prefix);
	if (a->kind != ADDR_IP) {
		addr_format(a, buf, sizeof(buf));
		set_str(o, key, buf);
		return;
	}
	ip_format(&a->ip, buf, sizeof(buf));
	set_str(o, key, resolvedns && a->name[0] ? a->name : buf);
	snprintf(key, sizeof(key), "%smask", prefix);
	mask_format(&a->ip, buf, sizeof(buf));
	set_str(o, key, buf);
	if (a->name[0]) {
		snprintf(key, sizeof(key), "%sname", prefix);
		set_str(o, key, a->name);
	}
}

json_t *show_filter(const struct filter *f, const struct show_opts *o)
{
	json_t *j = json_object();
	char buf[32];

	if (o->verbose)
		set_str(j, "guid", f->guid);
	set_str(j, "description", f->description);
	json_object_set_new(j, "mirrored", json_boolean(f->mirrored));
	side_json(j, "src", &f->src, o->resolvedns);
	side_json(j, "dst", &f->dst, o->resolvedns);
	proto_format(f->proto, buf, sizeof(buf));
	set_str(j, "protocol", buf);
	if (proto_has_ports(f->proto)) {
		port_format(f->sport, buf, sizeof(buf));
		set_str(j, "srcport", buf);
		port_format(f->dport, buf, sizeof(buf));
		set_str(j, "dstport", buf);
	}
	if (f->icmp_type >= 0)
		json_object_set_new(j, "icmptype", json_integer(f->icmp_type));
	if (f->icmp_code >= 0)
		json_object_set_new(j, "icmpcode", json_integer(f->icmp_code));
	return j;
}

json_t *show_filterlist(struct session *s, const struct filterlist *l, const struct show_opts *o,
			struct err *e)
{
	struct filter *fs;
	size_t n;
	json_t *j, *arr;

	if (db_filter_list(s->db, l->id, &fs, &n, e) < 0)
		return NULL;
	j = json_object();
	set_str(j, "name", l->name);
	if (o->verbose)
		set_str(j, "guid", l->guid);
	set_str(j, "description", l->description);
	json_object_set_new(j, "filtercount", json_integer((json_int_t)n));
	arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, show_filter(&fs[i], o));
	json_object_set_new(j, "filters", arr);
	free(fs);
	return j;
}

json_t *show_filteraction(const struct filteraction *a, const struct show_opts *o)
{
	json_t *j = json_object();

	set_str(j, "name", a->name);
	if (o->verbose)
		set_str(j, "guid", a->guid);
	set_str(j, "description", a->description);
	set_str(j, "action", action_name(a->action));
	if (a->action == ACTION_NEGOTIATE) {
		json_object_set_new(j, "inpass", json_boolean(a->inpass));
		json_object_set_new(j, "soft", json_boolean(a->soft));
		json_object_set_new(j, "qmpfs", json_boolean(a->qmpfs));
		json_object_set_new(j, "qmsecmethods", words_array(a->qmsecmethods));
	}
	return j;
}

json_t *show_rule(struct session *s, const struct rule *r, long position,
		  const struct show_opts *o, struct err *e)
{
	struct filterlist l;
	struct filteraction a;
	json_t *j;

	if (db_filterlist_by_id(s->db, r->filterlist_id, &l, e) <= 0 ||
	    db_filteraction_by_id(s->db, r->filteraction_id, &a, e) <= 0)
		return NULL;
	j = json_object();
	json_object_set_new(j, "id", json_integer(position));
	set_str(j, "name", r->name);
	if (o->verbose)
		set_str(j, "guid", r->guid);
	set_str(j, "description", r->description);
	set_str(j, "filterlist", l.name);
	set_str(j, "filteraction", a.name);
	set_str(j, "action", action_name(a.action));
	set_str(j, "tunnel", r->tunnel);
	set_str(j, "conntype", conntype_name(r->conntype));
	json_object_set_new(j, "active", json_boolean(r->active));
	json_object_set_new(j, "auth", auth_array(r->auth));
	return j;
}

json_t *show_default_rule(const struct policy *p, const struct show_opts *o)
{
	json_t *j = json_object();

	(void)o;
	json_object_set_new(j, "active", json_boolean(p->defrule.active));
	set_str(j, "action", "negotiate");
	json_object_set_new(j, "qmpfs", json_boolean(p->defrule.qmpfs));
	json_object_set_new(j, "qmsecmethods", words_array(p->defrule.qmsecmethods));
	json_object_set_new(j, "auth", auth_array(p->defrule.auth));
	return j;
}

json_t *show_policy(struct session *s, const struct policy *p, bool with_rules,
		    const struct show_opts *o, struct err *e)
{
	json_t *j = json_object();

	set_str(j, "name", p->name);
	if (o->verbose)
		set_str(j, "guid", p->guid);
	set_str(j, "description", p->description);
	set_str(j, "store", store_kind_name(p->store));
	json_object_set_new(j, "assigned", json_boolean(p->assigned));
	if (p->gponame[0])
		set_str(j, "gponame", p->gponame);
	json_object_set_new(j, "mmpfs", json_boolean(p->mmpfs));
	json_object_set_new(j, "qmpermm", json_integer(p->qmpermm));
	json_object_set_new(j, "mmlifetime", json_integer(p->mmlifetime));
	json_object_set_new(j, "pollinginterval", json_integer(p->pollinginterval));
	json_object_set_new(j, "activatedefaultrule", json_boolean(p->defrule.active));
	json_object_set_new(j, "mmsecmethods", words_array(p->mmsecmethods));
	if (!with_rules)
		return j;

	struct rule *rules;
	size_t n;
	if (db_rule_list(s->db, p->id, &rules, &n, e) < 0) {
		json_decref(j);
		return NULL;
	}
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *r = show_rule(s, &rules[i], (long)i + 1, o, e);
		if (!r) {
			free(rules);
			json_decref(arr);
			json_decref(j);
			return NULL;
		}
		json_array_append_new(arr, r);
	}
	free(rules);
	json_object_set_new(j, "rules", arr);
	if (o->verbose)
		json_object_set_new(j, "defaultrule", show_default_rule(p, o));
	return j;
}

json_t *show_config(const struct config *c)
{
	json_t *j = json_object();
	char buf[BOOTEXEMPT_MAX * 32];

	for (int p = 0; p < CFG_COUNT; p++) {
		config_format(c, p, buf, sizeof(buf));
		if (p == CFG_BOOTMODE || p == CFG_BOOTEXEMPTIONS)
			set_str(j, config_property_name(p), buf);
		else
			json_object_set_new(j, config_property_name(p), json_integer(atoi(buf)));
	}
	return j;
}

/* ---- rendering ---------------------------------------------------------- */

static const struct {
	const char *key, *label;
} labels[] = {
	{ "name", "Name" },
	{ "guid", "GUID" },
	{ "description", "Description" },
	{ "store", "Store" },
	{ "domain", "Domain" },
	{ "assigned", "Assigned" },
	{ "gponame", "GPO Name" },
	{ "mmpfs", "Master PFS" },
	{ "qmpermm", "QM Per MM" },
	{ "mmlifetime", "MM Lifetime (minutes)" },
	{ "pollinginterval", "Polling Interval (minutes)" },
	{ "activatedefaultrule", "Default Response Rule" },
	{ "mmsecmethods", "Main Mode Security Methods" },
	{ "rules", "Rules" },
	{ "defaultrule", "Default Response Rule Details" },
	{ "id", "Rule ID" },
	{ "filterlist", "Filter List" },
	{ "filteraction", "Filter Action" },
	{ "action", "Action" },
	{ "tunnel", "Tunnel Endpoint" },
	{ "conntype", "Connection Type" },
	{ "active", "Activated" },
	{ "auth", "Authentication Methods" },
	{ "inpass", "Inbound Passthrough" },
	{ "soft", "Allow Unsecured (soft)" },
	{ "qmpfs", "Quick Mode PFS" },
	{ "qmsecmethods", "Security Methods" },
	{ "filtercount", "Filter Count" },
	{ "filters", "Filters" },
	{ "mirrored", "Mirrored" },
	{ "srcaddr", "Source IP Address" },
	{ "srcmask", "Source Mask" },
	{ "srcname", "Source DNS Name" },
	{ "dstaddr", "Destination IP Address" },
	{ "dstmask", "Destination Mask" },
	{ "dstname", "Destination DNS Name" },
	{ "protocol", "Protocol" },
	{ "srcport", "Source Port" },
	{ "dstport", "Destination Port" },
	{ "icmptype", "ICMP Type" },
	{ "icmpcode", "ICMP Code" },
	{ "ipsecdiagnostics", "IPsec Diagnostics" },
	{ "ikelogging", "IKE Logging" },
	{ "strongcrlcheck", "Strong CRL Check" },
	{ "ipsecloginterval", "Log Interval (seconds)" },
	{ "ipsecexempt", "IPsec Exempt" },
	{ "bootmode", "Boot Mode" },
	{ "bootexemptions", "Boot Exemptions" },
	{ "filtercounters", "Filter Counters" },
	{ "actioninbound", "Inbound Action" },
	{ "actionoutbound", "Outbound Action" },
	{ "mmpolicy", "Main Mode Policy" },
	{ "qmpolicy", "Quick Mode Policy" },
	{ "softsaexpirationtime", "Soft SA Expiration Time (seconds)" },
	{ "pfsgroup", "PFS Group" },
	{ "match", "Specific Filter" },
	{ "weight", "Weight" },
};

static const char *label_of(const char *key)
{
	for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++)
		if (strcmp(labels[i].key, key) == 0)
			return labels[i].label;
	return key;
}

static const char *kind_title(const char *kind)
{
	static const struct {
		const char *kind, *title;
	} titles[] = {
		{ "policy", "Policy" },           { "filterlist", "Filter List" },
		{ "filteraction", "Filter Action" }, { "rule", "Rule" },
		{ "filter", "Filter" },           { "config", "Configuration" },
		{ "store", "Store" },             { "defaultrule", "Default Response Rule" },
		{ "mmpolicy", "Main Mode Policy" }, { "qmpolicy", "Quick Mode Policy" },
		{ "dynrule", "Dynamic Rule" },    { "mmfilter", "Main Mode Filter" },
		{ "qmfilter", "Quick Mode Filter" },
	};
	for (size_t i = 0; i < sizeof(titles) / sizeof(titles[0]); i++)
		if (strcmp(titles[i].kind, kind) == 0)
			return titles[i].title;
	return kind;
}

/* A scalar as netsh prints it: YES/NO, NONE for empty text. */
static void scalar_text(const json_t *v, char *buf, size_t len)
{
	if (json_is_boolean(v))
		snprintf(buf, len, "%s", json_is_true(v) ? "YES" : "NO");
	else if (json_is_integer(v))
		snprintf(buf, len, "%lld", (long long)json_integer_value(v));
	else if (json_is_string(v))
		snprintf(buf, len, "%s", json_string_length(v) ? json_string_value(v) : "NONE");
	else if (!v)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "...");
}

static bool is_object_array(const json_t *v)
{
	return json_is_array(v) && json_array_size(v) > 0 &&
	       json_is_object(json_array_get(v, 0));
}

/* The kind of the objects a nested array holds. */
static const char *child_kind(const char *key)
{
	if (strcmp(key, "rules") == 0)
		return "rule";
	if (strcmp(key, "filters") == 0)
		return "filter";
	return key;
}

enum { LABEL_WIDTH = 28 };

static void list_object(FILE *out, const char *kind, const json_t *obj, int indent);

static void list_value(FILE *out, const char *key, const json_t *v, int indent)
{
	char buf[AUTH_MAX_LEN + 32];
	int width = LABEL_WIDTH - indent;

	if (is_object_array(v)) {
		size_t i;
		json_t *item;
		fprintf(out, "%*s%s:\n", indent, "", label_of(key));
		json_array_foreach (v, i, item) {
			list_object(out, child_kind(key), item, indent + 2);
		}
	} else if (json_is_object(v)) {
		fprintf(out, "%*s%s:\n", indent, "", label_of(key));
		list_object(out, key, v, indent + 2);
	} else if (json_is_array(v)) {
		size_t i;
		json_t *item;
		if (json_array_size(v))
			fprintf(out, "%*s%-*s:\n", indent, "", width, label_of(key));
		else
			fprintf(out, "%*s%-*s: NONE\n", indent, "", width, label_of(key));
		json_array_foreach (v, i, item) {
			scalar_text(item, buf, sizeof(buf));
			fprintf(out, "%*s%s\n", indent + 4, "", buf);
		}
	} else {
		scalar_text(v, buf, sizeof(buf));
		fprintf(out, "%*s%-*s: %s\n", indent, "", width, label_of(key), buf);
	}
}

static void list_object(FILE *out, const char *kind, const json_t *obj, int indent)
{
	const char *key;
	json_t *v;

	(void)kind;
	fputc('\n', out);
	json_object_foreach ((json_t *)obj, key, v) {
		list_value(out, key, v, indent);
	}
}

/* Columns of the table format, per kind. */
static const char *const *table_columns(const char *kind)
{
	static const char *const policy[] = { "name", "assigned", "pollinginterval",
					      "description", NULL };
	static const char *const filterlist[] = { "name", "filtercount", "description", NULL };
	static const char *const filter[] = { "mirrored", "srcaddr", "srcmask", "dstaddr",
					      "dstmask", "protocol", "srcport", "dstport", NULL };
	static const char *const filteraction[] = { "name", "action", "inpass", "soft",
						    "description", NULL };
	static const char *const rule[] = { "id", "name", "filterlist", "filteraction",
					    "action", "active", NULL };
	static const char *const config[] = { "ipsecdiagnostics", "ikelogging", "strongcrlcheck",
					      "ipsecloginterval", "ipsecexempt", "bootmode",
					      "bootexemptions", "filtercounters", NULL };
	static const char *const store[] = { "store", "domain", NULL };
	static const char *const defaultrule[] = { "active", "action", "qmpfs", NULL };

	if (strcmp(kind, "policy") == 0)
		return policy;
	if (strcmp(kind, "filterlist") == 0)
		return filterlist;
	if (strcmp(kind, "filter") == 0)
		return filter;
	if (strcmp(kind, "filteraction") == 0)
		return filteraction;
	if (strcmp(kind, "rule") == 0)
		return rule;
	if (strcmp(kind, "store") == 0)
		return store;
	if (strcmp(kind, "defaultrule") == 0)
		return defaultrule;
	return config;
}

enum { CELL_MAX = 64, COLS_MAX = 12 };

static void table_print(FILE *out, const char *kind, const json_t *items, int indent)
{
	const char *const *cols = table_columns(kind);
	int width[COLS_MAX] = { 0 };
	char cell[CELL_MAX];
	size_t ncols = 0, i;
	json_t *item;

	while (cols[ncols] && ncols < COLS_MAX)
		ncols++;
	for (size_t c = 0; c < ncols; c++)
		width[c] = (int)strlen(label_of(cols[c]));
	json_array_foreach ((json_t *)items, i, item) {
		for (size_t c = 0; c < ncols; c++) {
			scalar_text(json_object_get(item, cols[c]), cell, sizeof(cell));
			if ((int)strlen(cell) > width[c])
				width[c] = (int)strlen(cell);
		}
	}
	fprintf(out, "%*s", indent, "");
	for (size_t c = 0; c < ncols; c++)
		fprintf(out, "%-*s%s", width[c], label_of(cols[c]), c + 1 < ncols ? "  " : "\n");
	fprintf(out, "%*s", indent, "");
	for (size_t c = 0; c < ncols; c++) {
		for (int k = 0; k < width[c]; k++)
			fputc('-', out);
		fputs(c + 1 < ncols ? "  " : "\n", out);
	}
	json_array_foreach ((json_t *)items, i, item) {
		fprintf(out, "%*s", indent, "");
		for (size_t c = 0; c < ncols; c++) {
			scalar_text(json_object_get(item, cols[c]), cell, sizeof(cell));
			if (c + 1 < ncols)
				fprintf(out, "%-*s  ", width[c], cell);
			else
				fprintf(out, "%s\n", cell);
		}
	}
	/* Nested objects (a list's filters, a policy's rules) follow as their own tables. */
	json_array_foreach ((json_t *)items, i, item) {
		const char *key;
		json_t *v;
		json_object_foreach (item, key, v) {
			if (!is_object_array(v))
				continue;
			fprintf(out, "\n%*s%s of %s %s:\n", indent, "", label_of(key), kind_title(kind),
				json_string_value(json_object_get(item, "name")));
			table_print(out, child_kind(key), v, indent + 2);
		}
	}
}

void show_print(struct session *s, const char *kind, json_t *items, const struct show_opts *o)
{
	if (s->json) {
		json_dumpf(items, s->out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', s->out);
	} else if (json_array_size(items) == 0) {
		fprintf(s->out, "No %s objects in the %s store.\n", kind_title(kind),
			store_kind_name(s->store));
	} else if (o->format == SHOW_TABLE) {
		fputc('\n', s->out);
		table_print(s->out, kind, items, 0);
	} else {
		size_t i;
		json_t *item;
		json_array_foreach (items, i, item) {
			list_object(s->out, kind, item, 0);
		}
	}
	json_decref(items);
}
