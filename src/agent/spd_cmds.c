// SPDX-License-Identifier: MIT
/* spd_cmds.c - add, set, delete and show the dynamic SPD (SPEC §3). */
#include <limits.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "backend/kernel.h"
#include "ike/load.h"
#include "ike/sas.h"
#include "lang/cmd_common.h"
#include "lang/filterspec.h"
#include "lang/show.h"
#include "store/spd_file.h"
#include "model/secmethods.h"
#include "ike_soft.h"
#include "spd_cmds.h"
#include "store/store.h"

static struct spd_exec *exec_of(struct session *s)
{
	return s->spd_ctx;
}

/* --- policies --- */

static int read_mm(struct bound *b, struct mm_policy *p, struct err *e)
{
	const char *methods = args_get(b, "mmsecmethods");

	if (args_long(b, "qmpermm", 0, INT_MAX, &p->qmpermm, e) < 0 ||
	    args_long(b, "mmlifetime", 1, INT_MAX / 60, &p->mmlifetime, e) < 0 ||
	    args_long(b, "softsaexpirationtime", 0, INT_MAX, &p->softsaexpirationtime, e) < 0)
		return -1;
	if (methods && mmsecmethods_parse(methods, p->mmsecmethods, sizeof(p->mmsecmethods), e) < 0)
		return args_fail(b, "mmsecmethods", e);
	return 0;
}

static int read_qm(struct bound *b, struct qm_policy *p, struct err *e)
{
	const char *methods = args_get(b, "qmsecmethods"), *pfs = args_get(b, "pfsgroup");

	if (args_bool(b, "soft", &p->soft, e) < 0)
		return -1;
	if (pfs && pfs_group_parse(pfs, &p->pfsgroup) < 0) {
		err_set(e, "'%s' is not GRP1, GRP2, GRP3, GRPMM or NOPFS", pfs);
		return args_fail(b, "pfsgroup", e);
	}
	if (methods && qmsecmethods_parse(methods, p->qmsecmethods, sizeof(p->qmsecmethods), e) < 0)
		return args_fail(b, "qmsecmethods", e);
	return 0;
}

static int add_mmpolicy(struct session *s, struct bound *b, struct err *e)
{
	struct spd_exec *x = exec_of(s);
	struct mm_policy p;

	mm_policy_init(&p);
	if (field_copy(p.name, sizeof(p.name), args_get(b, "name"), "name", e) < 0)
		return args_fail(b, "name", e);
	if (cmd_is_all(p.name)) {
		err_set(e, "'all' names every policy; choose another name");
		return args_fail(b, "name", e);
	}
	if (read_mm(b, &p, e) < 0)
		return -1;
	new_guid(p.guid);
	if (spd_mm_add(x->spd, &p, e) < 0)
		return args_fail(b, "name", e);
	x->changed = true;
	return 0;
}

static int add_qmpolicy(struct session *s, struct bound *b, struct err *e)
{
	struct spd_exec *x = exec_of(s);
	struct qm_policy p;

	qm_policy_init(&p);
	if (field_copy(p.name, sizeof(p.name), args_get(b, "name"), "name", e) < 0)
		return args_fail(b, "name", e);
	if (cmd_is_all(p.name)) {
		err_set(e, "'all' names every policy; choose another name");
		return args_fail(b, "name", e);
	}
	if (read_qm(b, &p, e) < 0)
		return -1;
	new_guid(p.guid);
	if (spd_qm_add(x->spd, &p, e) < 0)
		return args_fail(b, "name", e);
	x->changed = true;
	return 0;
}

/* name=X or name=all (or all=yes for set): the indexes, or an error. */
static int pick(struct bound *b, bool mm, const struct spd *spd, long *one, bool *all,
		struct err *e)
{
	const char *name = args_get(b, "name");
	bool all_tag = false;

	if (args_declares(b, "all") && args_bool(b, "all", &all_tag, e) < 0)
		return -1;
	*all = all_tag || (name && cmd_is_all(name));
	if (*all)
		return 0;
	if (!name) {
		err_set(e, "give name= or all");
		return args_fail(b, "name", e);
	}
	*one = mm ? spd_mm_find(spd, name) : spd_qm_find(spd, name);
	if (*one < 0) {
		err_set(e, "no %s mode policy named '%s'", mm ? "main" : "quick", name);
		return args_fail(b, "name", e);
	}
	return 0;
}

static int set_mmpolicy(struct session *s, struct bound *b, struct err *e)
{
	struct spd_exec *x = exec_of(s);
	long one;
	bool all;

	if (pick(b, true, x->spd, &one, &all, e) < 0)
		return -1;
	for (size_t i = 0; i < x->spd->n_mm; i++)
		if ((all || (long)i == one) && read_mm(b, &x->spd->mm[i], e) < 0)
			return -1;
	x->changed = true;
	return 0;
}

static int set_qmpolicy(struct session *s, struct bound *b, struct err *e)
{
	struct spd_exec *x = exec_of(s);
	long one;
	bool all;

	if (pick(b, false, x->spd, &one, &all, e) < 0)
		return -1;
	for (size_t i = 0; i < x->spd->n_qm; i++)
		if ((all || (long)i == one) && read_qm(b, &x->spd->qm[i], e) < 0)
			return -1;
	x->changed = true;
	return 0;
}

static int delete_policy(struct session *s, struct bound *b, bool mm, struct err *e)
{
	struct spd_exec *x = exec_of(s);
	size_t n = mm ? x->spd->n_mm : x->spd->n_qm;
	long one;
	bool all;

	if (pick(b, mm, x->spd, &one, &all, e) < 0)
		return -1;
	/* a policy a rule names stays: delete the rule first */
	for (size_t i = 0; i < n; i++) {
		const char *name = mm ? x->spd->mm[i].name : x->spd->qm[i].name;
		size_t users = mm ? spd_mm_users(x->spd, name) : spd_qm_users(x->spd, name);
		if ((all || (long)i == one) && users) {
			err_set(e, "'%s' is used by %zu dynamic rule(s)", name, users);
			return args_fail(b, "name", e);
		}
	}
	for (size_t i = n; i-- > 0;)
		if (all || (long)i == one) {
			if (mm)
				spd_mm_delete(x->spd, i);
			else
				spd_qm_delete(x->spd, i);
		}
	x->changed = true;
	return 0;
}

static int delete_mmpolicy(struct session *s, struct bound *b, struct err *e)
{
	return delete_policy(s, b, true, e);
}

static int delete_qmpolicy(struct session *s, struct bound *b, struct err *e)
{
	return delete_policy(s, b, false, e);
}

/* --- rules --- */

static const char *const conntypes[] = { "all", "lan", "dialup", NULL };
static const char *const actions[] = { "permit", "block", "negotiate", NULL };

/* The identifying fields, with SPEC §3's defaults for those not given
 * (defaults, not wildcards). Names resolve: one identity per address. */
static int read_identity(struct session *s, struct bound *b, struct filter_spec *fs,
			 struct dyn_rule *proto, struct err *e)
{
	int conn = CONN_ALL;

	dyn_rule_init(proto);
	if (filterspec_read(s, b, true, fs, e) < 0 ||
	    args_word(b, "conntype", conntypes, &conn, e) < 0 ||
	    cmd_read_tunnel(s, b, "tunneldstaddress", proto->tunnel, sizeof(proto->tunnel), e) < 0)
		return -1;
	if (fs->base.icmp_type >= 0 || fs->base.icmp_code >= 0)
		return err_set(e, "dynamic rules take no ICMP type or code");
	proto->conntype = (enum conntype)conn;
	return 0;
}

/* The settable fields of add/set rule present in b. */
static int read_settable(struct session *s, struct bound *b, struct dyn_rule *r, struct err *e)
{
	struct spd_exec *x = exec_of(s);
	const char *mm = args_get(b, "mmpolicy"), *qm = args_get(b, "qmpolicy");
	int in = (int)r->action_in, out = (int)r->action_out;

	if (mm && spd_mm_find(x->spd, mm) < 0) {
		err_set(e, "no main mode policy named '%s' (add mmpolicy first)", mm);
		return args_fail(b, "mmpolicy", e);
	}
	if (qm && *qm && spd_qm_find(x->spd, qm) < 0) {
		err_set(e, "no quick mode policy named '%s' (add qmpolicy first)", qm);
		return args_fail(b, "qmpolicy", e);
	}
	if (args_word(b, "actioninbound", actions, &in, e) < 0 ||
	    args_word(b, "actionoutbound", actions, &out, e) < 0)
		return -1;
	if (mm)
		snprintf(r->mmpolicy, sizeof(r->mmpolicy), "%s", mm);
	if (qm)
		snprintf(r->qmpolicy, sizeof(r->qmpolicy), "%s", qm);
	r->action_in = (enum action)in;
	r->action_out = (enum action)out;
	if (args_has(b, "kerberos") || args_has(b, "psk") || args_has(b, "rootca"))
		return cmd_read_auth(b, r->auth, sizeof(r->auth), e);
	return 0;
}

struct rule_op {
	struct session *s;
	struct bound *b;
	const struct dyn_rule *proto;
	int verb; /* 0 add, 1 set, 2 delete */
};

static int rule_one(struct filter *f, void *ctx, struct err *e)
{
	struct rule_op *op = ctx;
	struct spd *spd = exec_of(op->s)->spd;
	struct dyn_rule r = *op->proto;
	long at;

	r.f = *f;
	if (op->verb == 0) {
		new_guid(r.guid);
		memcpy(r.f.guid, r.guid, sizeof(r.guid));
		return read_settable(op->s, op->b, &r, e) < 0 ? -1 : spd_rule_add(spd, &r, e);
	}
	if ((at = spd_rule_find(spd, &r)) < 0)
		return err_set(e, "no dynamic rule has these filter fields (omitted ones mean "
				  "their defaults: protocol any, ports 0, mirrored yes, conntype all)");
	if (op->verb == 2) {
		spd_rule_delete(spd, (size_t)at);
		return 0;
	}
	return read_settable(op->s, op->b, &spd->rules[at], e);
}

static int rule_command(struct session *s, struct bound *b, int verb, struct err *e)
{
	struct rule_op op = { s, b, NULL, verb };
	struct filter_spec fs;
	struct dyn_rule proto;

	if (read_identity(s, b, &fs, &proto, e) < 0)
		return -1;
	op.proto = &proto;
	if (filterspec_each(&fs, rule_one, &op, e) < 0)
		return -1;
	exec_of(s)->changed = true;
	return 0;
}

static int add_rule(struct session *s, struct bound *b, struct err *e)
{
	return rule_command(s, b, 0, e);
}

static int set_rule(struct session *s, struct bound *b, struct err *e)
{
	return rule_command(s, b, 1, e);
}

static int delete_rule(struct session *s, struct bound *b, struct err *e)
{
	return rule_command(s, b, 2, e);
}

static int delete_all(struct session *s, struct bound *b, struct err *e)
{
	(void)b;
	(void)e;
	spd_clear(exec_of(s)->spd);
	exec_of(s)->changed = true;
	return 0;
}

/* --- show --- */

static json_t *rule_json(const struct dyn_rule *r, const struct show_opts *o)
{
	json_t *j = json_pack("{s:s}", "guid", r->guid), *f = show_filter(&r->f, o);

	json_object_update(j, f);
	json_decref(f);
	json_object_set_new(j, "conntype", json_string(conntype_name(r->conntype)));
	json_object_set_new(j, "actioninbound", json_string(action_name(r->action_in)));
	json_object_set_new(j, "actionoutbound", json_string(action_name(r->action_out)));
	json_object_set_new(j, "mmpolicy", json_string(r->mmpolicy));
	json_object_set_new(j, "qmpolicy", json_string(r->qmpolicy));
	json_object_set_new(j, "tunnel", json_string(r->tunnel));
	json_object_set_new(j, "auth", json_string(r->auth));
	return j;
}

static void print_items(struct session *s, const char *kind, const char *none, json_t *items,
			const struct show_opts *o)
{
	if (!s->json && json_array_size(items) == 0) {
		fprintf(s->out, "%s\n", none);
		json_decref(items);
		return;
	}
	show_print(s, kind, items, o);
}

static int show_policies(struct session *s, struct bound *b, bool mm, struct err *e)
{
	struct spd_exec *x = exec_of(s);
	struct show_opts o = { .format = SHOW_LIST };
	json_t *items = json_array();
	size_t n = mm ? x->spd->n_mm : x->spd->n_qm;
	long one;
	bool all;

	if (pick(b, mm, x->spd, &one, &all, e) < 0) {
		json_decref(items);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		if (all || (long)i == one)
			json_array_append_new(items, mm ? spd_mm_json(&x->spd->mm[i])
							: spd_qm_json(&x->spd->qm[i]));
	print_items(s, mm ? "mmpolicy" : "qmpolicy",
		    mm ? "No main mode policies in the SPD." : "No quick mode policies in the SPD.",
		    items, &o);
	return 0;
}

static int show_mmpolicy(struct session *s, struct bound *b, struct err *e)
{
	return show_policies(s, b, true, e);
}

static int show_qmpolicy(struct session *s, struct bound *b, struct err *e)
{
	return show_policies(s, b, false, e);
}

/* filterspec_matches, with an address not given matching any. */
static bool criteria_match(const struct filter_spec *fs, const struct filter *f)
{
	static struct filter_spec c; /* large: not on the stack */

	c = *fs;
	if (!c.n_src) {
		c.src[0] = f->src;
		c.has_srcmask = false;
	}
	if (!c.n_dst) {
		c.dst[0] = f->dst;
		c.has_dstmask = false;
	}
	return filterspec_matches(&c, f);
}

/* Does r meet the criteria given in b (show rule, show qmfilter)? */
static bool rule_selected(const struct filter_spec *fs, const struct dyn_rule *r,
			  struct bound *b)
{
	int in = -1, out = -1;
	struct err ignored;

	if (args_declares(b, "actioninbound")) {
		args_word(b, "actioninbound", actions, &in, &ignored);
		args_word(b, "actionoutbound", actions, &out, &ignored);
		if ((in >= 0 && (int)r->action_in != in) || (out >= 0 && (int)r->action_out != out))
			return false;
	}
	return criteria_match(fs, &r->f);
}

static int show_rules(struct session *s, struct bound *b, const char *kind, struct err *e)
{
	struct spd_exec *x = exec_of(s);
	struct show_opts o = { .format = SHOW_LIST };
	static const char *const types[] = { "transport", "tunnel", NULL };
	json_t *items = json_array();
	struct filter_spec fs;
	int type = -1;

	if (args_word(b, "type", types, &type, e) < 0 || filterspec_read(s, b, false, &fs, e) < 0 ||
	    show_opts_read(b, &o, e) < 0) {
		json_decref(items);
		return -1;
	}
	for (size_t i = 0; i < x->spd->n_rules; i++) {
		const struct dyn_rule *r = &x->spd->rules[i];
		if ((type == 0 && *r->tunnel) || (type == 1 && !*r->tunnel) || !rule_selected(&fs, r, b))
			continue;
		json_array_append_new(items, rule_json(r, &o));
	}
	print_items(s, kind, "No dynamic rules in the SPD.", items, &o);
	return 0;
}

static int show_dynrule(struct session *s, struct bound *b, struct err *e)
{
	return show_rules(s, b, "dynrule", e);
}

/* The specific filters the dynamic rules became (SPEC §5.2), from the
 * table in force. mm: the address pairs only. */
static int show_specific(struct session *s, struct bound *b, bool mm, struct err *e)
{
	struct spd_exec *x = exec_of(s);
	struct show_opts o = { .format = SHOW_LIST };
	json_t *items = json_array();
	char match[512];

	(void)b;
	(void)e;
	for (size_t i = 0; x->table && i < x->table->n_entries; i++) {
		const struct fentry *en = &x->table->entries[i];
		const struct ftable_filter *f;
		if (en->filter == UINT32_MAX)
			continue;
		f = &x->table->filters[en->filter];
		if (strcmp(x->table->rules[f->rule].store_name, "dynamic") != 0)
			continue;
		fentry_format_match(en, match, sizeof(match));
		if (mm) {
			json_array_append_new(items, json_pack("{s:s,s:s}", "rule", f->f.guid, "match", match));
			continue;
		}
		json_array_append_new(items, json_pack("{s:s,s:s,s:s,s:s,s:I}", "rule", f->f.guid,
			"match", match, "actioninbound", action_name((enum action)en->action_in),
			"actionoutbound", action_name((enum action)en->action_out), "weight",
			(json_int_t)en->weight));
	}
	print_items(s, mm ? "mmfilter" : "qmfilter",
		    x->table ? "No specific dynamic filters in force."
			     : "No specific filters: the kernel is not in secure mode.",
		    items, &o);
	return 0;
}

static int show_filters(struct session *s, struct bound *b, bool mm, struct err *e)
{
	static const char *const types[] = { "generic", "specific", NULL };
	const char *name = args_get(b, "name");
	int type = 0;

	if (args_word(b, "type", types, &type, e) < 0)
		return -1;
	if (!cmd_is_all(name)) {
		/* a dynamic filter's name is its rule's GUID */
		struct spd_exec *x = exec_of(s);
		bool found = false;
		for (size_t i = 0; i < x->spd->n_rules; i++)
			found = found || strcasecmp(x->spd->rules[i].guid, name) == 0;
		if (!found) {
			err_set(e, "no dynamic filter named '%s' (names are rule GUIDs, or all)", name);
			return args_fail(b, "name", e);
		}
	}
	if (type == 1)
		return show_specific(s, b, mm, e);
	return show_rules(s, b, mm ? "mmfilter" : "qmfilter", e);
}

static int show_mmfilter(struct session *s, struct bound *b, struct err *e)
{
	return show_filters(s, b, true, e);
}

static int show_qmfilter(struct session *s, struct bound *b, struct err *e)
{
	return show_filters(s, b, false, e);
}

/* Packets and bytes of the kernel's drop counters, per reason. */
static json_t *kernel_drops(void)
{
	json_t *doc = NULL, *items, *item, *drops = json_object();
	struct err ignored;
	size_t i;

	if (kernel_list_json("list counters table " NFT_TABLE_FAMILY " " NFT_TABLE_NAME, &doc,
			     &ignored) < 0)
		return drops;
	items = json_object_get(doc, "nftables");
	json_array_foreach (items, i, item) {
		json_t *c = json_object_get(item, "counter");
		const char *name = json_string_value(json_object_get(c, "name"));
		if (!name || strlen(name) < 3 || strncmp(name + 1, "_drop_", 6) != 0)
			continue;
		json_object_set_new(drops, name + 7,
				    json_pack("{s:O,s:O}", "packets", json_object_get(c, "packets"),
					      "bytes", json_object_get(c, "bytes")));
	}
	json_decref(doc);
	return drops;
}

/* charon's SAs over VICI, or an empty list without it. */
static bool charon_here(void)
{
	const char *url = ike_socket_default();
	return access(vici_socket_file(url), F_OK) == 0;
}

static json_t *charon_sas(void)
{
	json_t *sas;
	struct err ignored;

	if (!charon_here() || ike_sas_list(ike_socket_default(), &sas, &ignored) < 0)
		return json_array();
	return sas;
}

/* charon's own counters (VICI stats), or JSON null without it. */
static json_t *charon_stats(void)
{
	json_t *st;
	struct err ignored;

	if (!charon_here() || ike_stats(ike_socket_default(), &st, &ignored) < 0)
		return json_null();
	return st;
}

static const char *str_or(const char *s, const char *otherwise)
{
	return s ? s : otherwise;
}

static int show_stats(struct session *s, struct bound *b, struct err *e)
{
	static const char *const types[] = { "all", "ike", "ipsec", NULL };
	struct spd_exec *x = exec_of(s);
	int type = 0;
	json_t *st = json_object();

	if (args_word(b, "type", types, &type, e) < 0) {
		json_decref(st);
		return -1;
	}
	/* The SAs and their byte counts are charon's (ike/): none without it. */
	json_t *sas = charon_sas(), *charon = charon_stats();
	json_int_t mm = (json_int_t)json_array_size(sas), qm = (json_int_t)ike_sas_count_children(sas);
	unsigned long long bytes_in, bytes_out;
	ike_sas_bytes(sas, &bytes_in, &bytes_out);
	json_decref(sas);
	if (type != 2)
		json_object_set_new(st, "ike", json_pack("{s:I,s:I,s:b,s:O}", "main_mode_sas", mm,
							   "quick_mode_sas", qm, "charon", charon_here(),
							   "charon_stats", charon));
	if (type != 1)
		json_object_set_new(st, "ipsec", json_pack("{s:I,s:I,s:I,s:I,s:I,s:o}", "active_sas", qm,
			"bytes_in", (json_int_t)bytes_in, "bytes_out", (json_int_t)bytes_out,
			"dynamic_rules", (json_int_t)x->spd->n_rules, "drops_logged",
			(json_int_t)x->drops_logged, "kernel_drops", kernel_drops()));
	if (s->json) {
		json_dumpf(st, s->out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', s->out);
	} else {
		const char *key;
		json_t *v;
		if (type != 2) {
			fprintf(s->out, "\nIKE Statistics\n--------------\nMain Mode SAs: %lld\n"
					"Quick Mode SAs: %lld\n%s",
				(long long)mm, (long long)qm,
				charon_here() ? "" : "(no charon: negotiate filters drop)\n");
			if (json_is_object(charon))
				fprintf(s->out, "charon: %lld IKE SAs, %lld half-open, up %s\n",
					(long long)json_integer_value(json_object_get(charon, "ike_sas")),
					(long long)json_integer_value(
						json_object_get(charon, "ike_sas_half_open")),
					str_or(json_string_value(json_object_get(charon, "running")), "-"));
		}
		if (type != 1) {
			fprintf(s->out, "\nIPsec Statistics\n----------------\nActive SAs: %lld\n"
					"Bytes protected: %llu in, %llu out\n"
					"Dynamic Rules: %zu\nDropped packets logged: %llu\n",
				(long long)qm, bytes_in, bytes_out, x->spd->n_rules,
				(unsigned long long)x->drops_logged);
			json_object_foreach (json_object_get(json_object_get(st, "ipsec"), "kernel_drops"), key, v)
				fprintf(s->out, "Dropped (%s): %lld packets, %lld bytes\n", key,
					(long long)json_integer_value(json_object_get(v, "packets")),
					(long long)json_integer_value(json_object_get(v, "bytes")));
		}
	}
	json_decref(charon);
	json_decref(st);
	return 0;
}

/* show mmsas: main mode SAs with theirs; show qmsas: quick mode SAs. */
static int show_sas(struct session *s, bool quick, struct err *e)
{
	json_t *sas;

	if (!charon_here()) {
		if (s->json)
			fputs("[]\n", s->out);
		else
			fputs("No SAs: charon (strongSwan) is not running; negotiate filters drop.\n",
			      s->out);
		return 0;
	}
	if (ike_sas_list(ike_socket_default(), &sas, e) < 0)
		return -1;
	if (s->json) {
		json_dumpf(sas, s->out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', s->out);
	} else {
		ike_sas_print(sas, s->out, !quick, quick);
	}
	json_decref(sas);
	return 0;
}

static int show_mmsas(struct session *s, struct bound *b, struct err *e)
{
	(void)b;
	return show_sas(s, false, e);
}

static int show_qmsas(struct session *s, struct bound *b, struct err *e)
{
	(void)b;
	return show_sas(s, true, e);
}

/* show fallbacks: the soft rules' peers in clear (SPEC §5.5 soft) and
 * until when. */
static int show_fallbacks(struct session *s, struct bound *b, struct err *e)
{
	struct spd_exec *x = exec_of(s);
	json_t *list = ike_soft_json(x->soft, x->n_soft), *fb;
	size_t i;

	(void)b;
	(void)e;
	if (s->json) {
		json_dumpf(list, s->out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', s->out);
	} else if (!json_array_size(list)) {
		fputs("No soft fallbacks to clear: every negotiate rule negotiates.\n", s->out);
	} else {
		fprintf(s->out, "\nSoft Fallbacks to Clear\n-----------------------\n");
		json_array_foreach (list, i, fb)
			fprintf(s->out, "Peer: %s\nRule: %s\nSince: %s\nUntil: %s (%lld s left)\n\n",
				json_string_value(json_object_get(fb, "peer")),
				json_string_value(json_object_get(fb, "rule")),
				json_string_value(json_object_get(fb, "since")),
				json_string_value(json_object_get(fb, "until")),
				(long long)json_integer_value(json_object_get(fb, "seconds_left")));
	}
	json_decref(list);
	return 0;
}

static int show_all(struct session *s, struct bound *b, struct err *e)
{
	struct spd_exec *x = exec_of(s);
	struct show_opts o = { .format = SHOW_LIST };
	json_t *mm = json_array(), *qm = json_array(), *rules = json_array();

	if (show_opts_read(b, &o, e) < 0) {
		json_decref(mm);
		json_decref(qm);
		json_decref(rules);
		return -1;
	}
	for (size_t i = 0; i < x->spd->n_mm; i++)
		json_array_append_new(mm, spd_mm_json(&x->spd->mm[i]));
	for (size_t i = 0; i < x->spd->n_qm; i++)
		json_array_append_new(qm, spd_qm_json(&x->spd->qm[i]));
	for (size_t i = 0; i < x->spd->n_rules; i++)
		json_array_append_new(rules, rule_json(&x->spd->rules[i], &o));
	if (s->json) {
		json_t *all = json_pack("{s:o,s:o,s:o}", "mmpolicies", mm, "qmpolicies", qm, "rules", rules);
		json_dumpf(all, s->out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', s->out);
		json_decref(all);
		return 0;
	}
	print_items(s, "mmpolicy", "No main mode policies in the SPD.", mm, &o);
	print_items(s, "qmpolicy", "No quick mode policies in the SPD.", qm, &o);
	print_items(s, "dynrule", "No dynamic rules in the SPD.", rules, &o);
	return 0;
}

static const struct {
	const char *command;
	int (*run)(struct session *s, struct bound *b, struct err *e);
} handlers[] = {
	{ "add mmpolicy", add_mmpolicy },       { "set mmpolicy", set_mmpolicy },
	{ "delete mmpolicy", delete_mmpolicy }, { "add qmpolicy", add_qmpolicy },
	{ "set qmpolicy", set_qmpolicy },       { "delete qmpolicy", delete_qmpolicy },
	{ "add rule", add_rule },               { "set rule", set_rule },
	{ "delete rule", delete_rule },         { "delete all", delete_all },
	{ "show all", show_all },               { "show mmpolicy", show_mmpolicy },
	{ "show qmpolicy", show_qmpolicy },     { "show mmfilter", show_mmfilter },
	{ "show qmfilter", show_qmfilter },     { "show rule", show_dynrule },
	{ "show stats", show_stats },           { "show mmsas", show_mmsas },
	{ "show qmsas", show_qmsas },           { "show fallbacks", show_fallbacks },
};

static int spd_run(struct session *s, struct bound *b, struct err *e)
{
	for (size_t i = 0; i < sizeof(handlers) / sizeof(handlers[0]); i++)
		if (strcmp(handlers[i].command, s->command) == 0)
			return handlers[i].run(s, b, e);
	return err_set(e, "the agent does not know this command");
}

void spd_exec_install(struct session *s, struct spd_exec *x)
{
	s->spd_run = spd_run;
	s->spd_ctx = x;
}
