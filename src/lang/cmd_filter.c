// SPDX-License-Identifier: MIT
/* cmd_filter.c - netsh static commands on filter lists, filters and filter
 * actions (SPEC §2.3-§2.5). */
#include "cmd_filter.h"
#include "store/builtins.h"

#include <stdlib.h>
#include <string.h>

#include "cmd_common.h"
#include "filterspec.h"
#include "model/secmethods.h"

/* ---- filter lists ------------------------------------------------------- */

static int filterlist_exists(struct session *s, const char *name, struct err *e)
{
	struct filterlist l;
	return db_filterlist_find(s->db, s->store, name, NULL, &l, e);
}

int cmd_add_filterlist(struct session *s, struct bound *b, struct err *e)
{
	struct filterlist l = { 0 };
	const char *name = args_get(b, "name");

	if (cmd_check_name(b, "name", name, filterlist_exists(s, name, e), "filter list", e) < 0 ||
	    cmd_read_description(b, l.description, sizeof(l.description), e) < 0)
		return -1;
	snprintf(l.name, sizeof(l.name), "%s", name);
	return db_filterlist_add(s->db, s->store, &l, e);
}

int cmd_set_filterlist(struct session *s, struct bound *b, struct err *e)
{
	struct filterlist l;
	const char *newname = args_get(b, "newname");

	if (cmd_find_filterlist(s, b, "name", &l, e) < 0)
		return -1;
	if (newname && strcmp(newname, l.name) != 0) {
		if (cmd_check_name(b, "newname", newname, filterlist_exists(s, newname, e),
				   "filter list", e) < 0)
			return -1;
		snprintf(l.name, sizeof(l.name), "%s", newname);
	}
	if (cmd_read_description(b, l.description, sizeof(l.description), e) < 0)
		return -1;
	return db_filterlist_update(s->db, &l, e);
}

/* Refuses while a rule uses the object (SPEC §2.3). */
static int refuse_if_used(struct session *s, struct bound *b, enum rule_ref ref, int64_t id,
			  const char *kind, const char *name, struct err *e)
{
	size_t n;

	if (db_rules_using(s->db, ref, id, &n, e) < 0)
		return -1;
	if (n == 0)
		return 0;
	err_set(e, "%s '%s' is used by %zu rule%s; delete or change %s first", kind, name, n,
		n == 1 ? "" : "s", n == 1 ? "it" : "them");
	return args_fail(b, "name", e);
}

int cmd_delete_filterlist(struct session *s, struct bound *b, struct err *e)
{
	struct filterlist one, *lists = &one;
	size_t n = 1;
	int rc = 0;

	if (cmd_is_all(args_get(b, "name"))) {
		if (db_filterlist_list(s->db, s->store, &lists, &n, e) < 0)
			return -1;
	} else if (cmd_find_filterlist(s, b, "name", &one, e) < 0) {
		return -1;
	}
	for (size_t i = 0; i < n && rc == 0; i++) {
		rc = refuse_if_used(s, b, REF_FILTERLIST, lists[i].id, "filter list",
				    lists[i].name, e);
		if (rc == 0)
			rc = db_filterlist_delete(s->db, lists[i].id, e);
	}
	if (lists != &one)
		free(lists);
	return rc;
}

/* Lists named by name=, rule= or all. */
static int collect_lists(struct session *s, struct bound *b, struct filterlist **out, size_t *n,
			 struct err *e)
{
	const char *name = args_get(b, "name"), *rule = args_get(b, "rule");

	if (!name && !rule)
		return err_set(e, "name: required (a name, rule= or all)");
	if (cmd_is_all(name))
		return db_filterlist_list(s->db, s->store, out, n, e);
	if (!rule) {
		*out = malloc(sizeof(**out));
		*n = 1;
		if (!*out)
			return err_set(e, "out of memory");
		if (cmd_find_filterlist(s, b, "name", *out, e) < 0) {
			free(*out);
			return -1;
		}
		return 0;
	}
	struct rule *rules;
	size_t nr;
	if (cmd_rules_named(s, rule, &rules, &nr, e) < 0)
		return -1;
	if (nr == 0) {
		free(rules);
		err_set(e, "no rule named '%s' in the %s store", rule, store_kind_name(s->store));
		return args_fail(b, "rule", e);
	}
	*out = calloc(nr, sizeof(**out));
	*n = nr;
	for (size_t i = 0; *out && i < nr; i++)
		if (db_filterlist_by_id(s->db, rules[i].filterlist_id, &(*out)[i], e) <= 0) {
			free(rules);
			free(*out);
			return -1;
		}
	free(rules);
	return *out ? 0 : err_set(e, "out of memory");
}

int cmd_show_filterlist(struct session *s, struct bound *b, struct err *e)
{
	struct show_opts o;
	struct filterlist *lists;
	size_t n;
	json_t *items;

	if (show_opts_read(b, &o, e) < 0 || collect_lists(s, b, &lists, &n, e) < 0)
		return -1;
	items = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *j = show_filterlist(s, &lists[i], &o, e);
		if (!j) {
			free(lists);
			json_decref(items);
			return -1;
		}
		json_array_append_new(items, j);
	}
	free(lists);
	show_print(s, "filterlist", items, &o);
	return 0;
}

/* ---- filters ------------------------------------------------------------ */

struct add_ctx {
	struct session *s;
	struct bound *b;
	const struct filterlist *list;
	bool expanded; /* a host name gave more than one filter */
};

/* The filter's tags as the user wrote them: "srcaddr=any dstaddr=me
 * protocol=TCP dstport=80". */
static void describe_filter_words(const struct bound *b, char *buf, size_t len)
{
	static const char *const filter_tags[] = { "srcaddr", "dstaddr", "protocol", "mirrored",
						   "srcmask", "dstmask", "srcport", "dstport",
						   "icmptype", "icmpcode", NULL };
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < b->n_seq && used < len; i++) {
		const char *tag = b->params[b->seq[i].param].name, *v = b->seq[i].value;
		bool known = false, blank = !v[0] || strpbrk(v, " \t") != NULL;
		for (size_t k = 0; filter_tags[k] && !known; k++)
			known = strcmp(tag, filter_tags[k]) == 0;
		if (!known)
			continue;
		int n = snprintf(buf + used, len - used, "%s%s=%s%s%s", used ? " " : "", tag,
				 blank ? "\"" : "", v, blank ? "\"" : "");
		used += n > 0 ? (size_t)n : 0;
	}
}

static int add_one_filter(struct filter *f, void *ctx, struct err *e)
{
	struct add_ctx *a = ctx;
	char words[256], src[64], dst[64];
	int rc = db_filter_add(a->s->db, a->list->id, f, e);

	if (rc == DB_DUPLICATE) {
		describe_filter_words(a->b, words, sizeof(words));
		addr_format(&f->src, src, sizeof(src));
		addr_format(&f->dst, dst, sizeof(dst));
		err_set(e, "filter list '%s' already has the filter %s%s%s%s%s%s", a->list->name,
			words, a->expanded ? " (for the addresses " : "", a->expanded ? src : "",
			a->expanded ? " and " : "", a->expanded ? dst : "", a->expanded ? ")" : "");
		a->b->err_col = a->b->col[args_index(a->b, "srcaddr")];
	}
	if (rc < 0)
		return -1;
	session_note_filter(a->s, f->id);
	return 0;
}

int cmd_add_filter(struct session *s, struct bound *b, struct err *e)
{
	/* On the stack: a big script adds filters at a high rate, and a
	 * malloc of this size each time costs more than parsing the line. */
	struct filter_spec fs;
	const char *list = args_get(b, "filterlist");
	struct filterlist l = { 0 };
	int found;

	if (filterspec_read(s, b, true, &fs, e) < 0 ||
	    cmd_read_description(b, fs.base.description, sizeof(fs.base.description), e) < 0)
		return -1;
	/* SPEC §2.4: the list is created when it does not exist. */
	found = db_filterlist_find(s->db, s->store, list, NULL, &l, e);
	if (found < 0)
		return -1;
	if (found == 0) {
		if (cmd_check_name(b, "filterlist", list, 0, "filter list", e) < 0)
			return -1;
		snprintf(l.name, sizeof(l.name), "%s", list);
		if (db_filterlist_add(s->db, s->store, &l, e) < 0)
			return -1;
	}
	struct add_ctx ctx = { s, b, &l, fs.n_src * fs.n_dst > 1 };
	return filterspec_each(&fs, add_one_filter, &ctx, e);
}

int cmd_delete_filter(struct session *s, struct bound *b, struct err *e)
{
	struct filter_spec spec, *fs = &spec; /* on the stack, as in add filter */
	struct filterlist l;
	struct filter *filters = NULL;
	size_t n, deleted = 0;
	int rc = -1;

	if (filterspec_read(s, b, false, fs, e) < 0 ||
	    cmd_find_filterlist(s, b, "filterlist", &l, e) < 0 ||
	    db_filter_list(s->db, l.id, &filters, &n, e) < 0)
		goto out;
	rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		if (!filterspec_matches(fs, &filters[i]))
			continue;
		rc = db_filter_delete(s->db, filters[i].id, e);
		deleted++;
	}
	if (rc == 0 && deleted == 0) {
		char words[256];
		describe_filter_words(b, words, sizeof(words));
		err_set(e, "no filter in list '%s' matches %s", l.name, words);
		rc = args_fail(b, "srcaddr", e);
	}
out:
	free(filters);
	return rc;
}

/* ---- filter actions ----------------------------------------------------- */

static int filteraction_exists(struct session *s, const char *name, struct err *e)
{
	struct filteraction a;
	return db_filteraction_find(s->db, s->store, name, NULL, &a, e);
}

/* The options shared by add and set. */
static int read_filteraction(struct bound *b, struct filteraction *a, struct err *e)
{
	static const char *const actions[] = { "permit", "block", "negotiate", NULL };
	const char *methods = args_get(b, "qmsecmethods");
	int action = (int)a->action;

	if (cmd_read_description(b, a->description, sizeof(a->description), e) < 0 ||
	    args_bool(b, "qmpfs", &a->qmpfs, e) < 0 || args_bool(b, "inpass", &a->inpass, e) < 0 ||
	    args_bool(b, "soft", &a->soft, e) < 0 || args_word(b, "action", actions, &action, e) < 0)
		return -1;
	a->action = (enum action)action;
	if (methods && qmsecmethods_parse(methods, a->qmsecmethods, sizeof(a->qmsecmethods), e) < 0)
		return args_fail(b, "qmsecmethods", e);
	return 0;
}

/* Admins' scripts often begin with "add filteraction name=Permit action=permit"
 * although a fresh store already holds the built-in Permit; run line by line
 * on Windows the refusal is skipped and the built-in serves. Asking again for
 * a built-in with the same verdict (action, inpass, soft) keeps it, with a
 * note, instead of failing the whole script. */
static bool builtin_gives(const struct filteraction *have, const struct filteraction *wanted)
{
	if (!builtin_guid(have->guid) || have->action != wanted->action)
		return false;
	return have->action != ACTION_NEGOTIATE ||
	       (have->inpass == wanted->inpass && have->soft == wanted->soft);
}

int cmd_add_filteraction(struct session *s, struct bound *b, struct err *e)
{
	struct filteraction a, have;
	const char *name = args_get(b, "name");
	int exists = db_filteraction_find(s->db, s->store, name, NULL, &have, e);

	filteraction_init(&a);
	if (read_filteraction(b, &a, e) < 0)
		return -1;
	if (exists > 0 && builtin_gives(&have, &a)) {
		session_note(s, "the built-in filter action '%s' already does what this asks; "
				"kept as it is", have.name);
		return 0;
	}
	if (cmd_check_name(b, "name", name, exists, "filter action", e) < 0)
		return -1;
	snprintf(a.name, sizeof(a.name), "%s", name);
	return db_filteraction_add(s->db, s->store, &a, e);
}

int cmd_set_filteraction(struct session *s, struct bound *b, struct err *e)
{
	struct filteraction a;
	const char *newname = args_get(b, "newname");

	if (cmd_find_filteraction(s, b, "name", &a, e) < 0)
		return -1;
	if (newname && strcmp(newname, a.name) != 0) {
		if (cmd_check_name(b, "newname", newname, filteraction_exists(s, newname, e),
				   "filter action", e) < 0)
			return -1;
		snprintf(a.name, sizeof(a.name), "%s", newname);
	}
	if (read_filteraction(b, &a, e) < 0)
		return -1;
	return db_filteraction_update(s->db, &a, e);
}

int cmd_delete_filteraction(struct session *s, struct bound *b, struct err *e)
{
	struct filteraction one, *acts = &one;
	size_t n = 1;
	int rc = 0;

	if (cmd_is_all(args_get(b, "name"))) {
		if (db_filteraction_list(s->db, s->store, &acts, &n, e) < 0)
			return -1;
	} else if (cmd_find_filteraction(s, b, "name", &one, e) < 0) {
		return -1;
	}
	for (size_t i = 0; i < n && rc == 0; i++) {
		rc = refuse_if_used(s, b, REF_FILTERACTION, acts[i].id, "filter action",
				    acts[i].name, e);
		if (rc == 0)
			rc = db_filteraction_delete(s->db, acts[i].id, e);
	}
	if (acts != &one)
		free(acts);
	return rc;
}

int cmd_show_filteraction(struct session *s, struct bound *b, struct err *e)
{
	struct show_opts o;
	const char *name = args_get(b, "name"), *rule = args_get(b, "rule");
	struct filteraction *acts = NULL;
	size_t n = 0;
	json_t *items;

	if (show_opts_read(b, &o, e) < 0)
		return -1;
	if (!name && !rule)
		return err_set(e, "name: required (a name, rule= or all)");
	if (cmd_is_all(name)) {
		if (db_filteraction_list(s->db, s->store, &acts, &n, e) < 0)
			return -1;
	} else if (name) {
		if (!(acts = malloc(sizeof(*acts))))
			return err_set(e, "out of memory");
		n = 1;
		if (cmd_find_filteraction(s, b, "name", acts, e) < 0) {
			free(acts);
			return -1;
		}
	} else {
		struct rule *rules;
		if (cmd_rules_named(s, rule, &rules, &n, e) < 0)
			return -1;
		acts = calloc(n ? n : 1, sizeof(*acts));
		for (size_t i = 0; acts && i < n; i++)
			if (db_filteraction_by_id(s->db, rules[i].filteraction_id, &acts[i], e) <= 0) {
				free(rules);
				free(acts);
				return -1;
			}
		free(rules);
		if (!acts)
			return err_set(e, "out of memory");
		if (n == 0) {
			free(acts);
			err_set(e, "no rule named '%s' in the %s store", rule,
				store_kind_name(s->store));
			return args_fail(b, "rule", e);
		}
	}
	items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items, show_filteraction(&acts[i], &o));
	free(acts);
	show_print(s, "filteraction", items, &o);
	return 0;
}
