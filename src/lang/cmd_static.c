// SPDX-License-Identifier: MIT
/* cmd_static.c - the `netsh ipsec static` command table (SPEC §2) and the
 * store-wide commands: set/show store, delete all, restore defaults, show
 * all, export, import, batching and dump. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd_common.h"
#include "cmd_filter.h"
#include "cmd_policy.h"
#include "export.h"
#include "session.h"
#include "show.h"
#include "store/builtins.h"
#include "sys/safefile.h"

static int cmd_set_store(struct session *s, struct bound *b, struct err *e)
{
	static const char *const locations[] = { "local", "persistent", "domain", NULL };
	const char *domain = args_get(b, "domain");
	int where = 0;

	if (args_word(b, "location", locations, &where, e) < 0)
		return -1;
	if (domain && where != STORE_DOMAIN) {
		err_set(e, "domain= goes with location=domain");
		return args_fail(b, "domain", e);
	}
	if (domain && field_copy(s->domain, sizeof(s->domain), domain, "domain", e) < 0)
		return args_fail(b, "domain", e);
	if (!domain)
		s->domain[0] = '\0';
	/* The directory and the database cannot change in one transaction. */
	if (s->domain_open && (where == STORE_DOMAIN || s->in_directory) && db_in_transaction(s->db))
		return err_set(e, "the open batch must be committed before the store changes to or "
				  "from the directory (set batch mode=disable, or a script of its own)");
	if (s->in_directory)
		s->domain_close(s);
	s->store = (enum store_kind)where;
	if (where == STORE_DOMAIN && s->domain_open && s->domain_open(s, domain, e) < 0) {
		s->store = STORE_LOCAL;
		return -1;
	}
	return 0;
}

static json_t *store_json(const struct session *s)
{
	json_t *j = json_object();

	json_object_set_new(j, "store", json_string(store_kind_name(s->store)));
	if (s->domain[0])
		json_object_set_new(j, "domain", json_string(s->domain));
	return j;
}

static int cmd_show_store(struct session *s, struct bound *b, struct err *e)
{
	struct show_opts o = { .format = SHOW_LIST };
	json_t *items = json_array();

	(void)b;
	(void)e;
	json_array_append_new(items, store_json(s));
	show_print(s, "store", items, &o);
	return 0;
}

static int cmd_delete_all(struct session *s, struct bound *b, struct err *e)
{
	(void)b;
	return db_store_clear(s->db, s->store, e);
}

/* ipsecfw's own (SPEC §15): recreate the built-in objects that are missing. */
static int cmd_restore_defaults(struct session *s, struct bound *b, struct err *e)
{
	(void)b;
	return db_builtins_restore(s->db, s->store, s->json ? NULL : s->out, e) < 0 ? -1 : 0;
}

/* Every object of the store, as one JSON object. */
static json_t *store_objects(struct session *s, const struct show_opts *o, struct err *e)
{
	json_t *all = json_object(), *pols = json_array(), *lists = json_array(),
	       *acts = json_array();
	struct policy *ps = NULL;
	struct filterlist *ls = NULL;
	struct filteraction *as = NULL;
	size_t np = 0, nl = 0, na = 0;
	bool ok = db_policy_list(s->db, s->store, &ps, &np, e) == 0 &&
		  db_filterlist_list(s->db, s->store, &ls, &nl, e) == 0 &&
		  db_filteraction_list(s->db, s->store, &as, &na, e) == 0;

	json_object_set_new(all, "store", json_string(store_kind_name(s->store)));
	json_object_set_new(all, "policies", pols);
	json_object_set_new(all, "filterlists", lists);
	json_object_set_new(all, "filteractions", acts);
	for (size_t i = 0; ok && i < np; i++) {
		json_t *j = show_policy(s, &ps[i], true, o, e);
		ok = j && json_array_append_new(pols, j) == 0;
	}
	for (size_t i = 0; ok && i < nl; i++) {
		json_t *j = show_filterlist(s, &ls[i], o, e);
		ok = j && json_array_append_new(lists, j) == 0;
	}
	for (size_t i = 0; ok && i < na; i++)
		json_array_append_new(acts, show_filteraction(&as[i], o));
	free(ps);
	free(ls);
	free(as);
	if (!ok) {
		json_decref(all);
		return NULL;
	}
	return all;
}

static int cmd_show_all(struct session *s, struct bound *b, struct err *e)
{
	struct show_opts o;
	json_t *all;

	if (show_opts_read(b, &o, e) < 0 || !(all = store_objects(s, &o, e)))
		return -1;
	if (s->json) {
		show_print(s, "all", all, &o);
		return 0;
	}
	static const struct {
		const char *key, *kind, *title;
	} sections[] = {
		{ "policies", "policy", "Policies" },
		{ "filterlists", "filterlist", "Filter Lists" },
		{ "filteractions", "filteraction", "Filter Actions" },
	};
	fprintf(s->out, "Store: %s\n", store_kind_name(s->store));
	for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++) {
		fprintf(s->out, "\n== %s ==\n", sections[i].title);
		show_print(s, sections[i].kind, json_incref(json_object_get(all, sections[i].key)),
			   &o);
	}
	json_decref(all);
	return 0;
}

static int cmd_exportpolicy(struct session *s, struct bound *b, struct err *e)
{
	struct safe_output o;
	int rc;

	if (!s->allow_files) {
		err_set(e, "files cannot be written here");
		return args_fail(b, "file", e);
	}
	/* Written beside the target and renamed: a reader never sees half a
	 * file, and a symbolic link there is refused, not followed. */
	if (safe_output_open(&o, args_get(b, "file"), false, e) < 0)
		return args_fail(b, "file", e);
	rc = export_store(s, o.f, e);
	if (safe_output_close(&o, rc == 0, e) < 0)
		return args_fail(b, "file", e);
	return 0;
}

static int cmd_importpolicy(struct session *s, struct bound *b, struct err *e)
{
	const char *path = args_get(b, "file");
	bool saved_batch = s->batch;
	enum store_kind saved_store = s->store;
	FILE *f;
	int rc;

	if (!s->allow_files) {
		err_set(e, "files cannot be read here");
		return args_fail(b, "file", e);
	}
	if (s->include_depth >= INCLUDE_MAX) {
		err_set(e, "imports nest deeper than %d", INCLUDE_MAX);
		return args_fail(b, "file", e);
	}
	if (!(f = fopen(path, "r"))) {
		err_set(e, "cannot open '%s': %s", path, strerror(errno));
		return args_fail(b, "file", e);
	}
	/* The import is part of this command's transaction: all or nothing. */
	s->include_depth++;
	s->batch = true;
	rc = session_script(s, f, path);
	s->batch = saved_batch;
	s->store = saved_store;
	s->include_depth--;
	fclose(f);
	if (rc < 0) {
		err_set(e, "'%s' did not import (see the error above)", path);
		return args_fail(b, "file", e);
	}
	return 0;
}

static int cmd_set_batch(struct session *s, struct bound *b, struct err *e)
{
	static const char *const modes[] = { "disable", "enable", NULL };
	int mode = 0;

	if (args_word(b, "mode", modes, &mode, e) < 0)
		return -1;
	if (s->include_depth > 0) {
		err_set(e, "batching cannot change inside an imported file");
		return args_fail(b, "mode", e);
	}
	if (mode == 1) {
		s->batch = true;
		return 0;
	}
	s->batch = false;
	return session_finish(s, e);
}

static int cmd_dump(struct session *s, struct bound *b, struct err *e)
{
	(void)b;
	return export_store(s, s->out, e);
}

static const struct param p_add_policy[] = {
	{ "name", P_REQUIRED }, { "description", 0 }, { "mmpfs", 0 }, { "qmpermm", 0 },
	{ "mmlifetime", 0 }, { "activatedefaultrule", 0 }, { "pollinginterval", 0 },
	{ "assign", 0 }, { "mmsecmethods", 0 }, { "confirm", P_TAGGED },
};
static const struct param p_set_policy[] = {
	{ "name", 0 }, { "guid", P_TAGGED }, { "newname", 0 }, { "description", 0 },
	{ "mmpfs", 0 }, { "qmpermm", 0 }, { "mmlifetime", 0 }, { "activatedefaultrule", 0 },
	{ "pollinginterval", 0 }, { "assign", 0 }, { "gponame", 0 }, { "mmsecmethods", 0 },
	{ "confirm", P_TAGGED },
};
static const struct param p_name[] = { { "name", P_REQUIRED } };
static const struct param p_show_policy[] = {
	{ "name", P_REQUIRED }, { "level", 0 }, { "format", 0 }, { "wide", 0 },
};
static const struct param p_gpo[] = { { "name", 0 } };
static const struct param p_add_filterlist[] = { { "name", P_REQUIRED }, { "description", 0 } };
static const struct param p_set_filterlist[] = {
	{ "name", 0 }, { "guid", P_TAGGED }, { "newname", 0 }, { "description", 0 },
};
static const struct param p_show_filterlist[] = {
	{ "name", 0 }, { "rule", P_TAGGED }, { "level", 0 }, { "format", 0 },
	{ "resolvedns", 0 }, { "wide", 0 },
};
static const struct param p_add_filter[] = {
	{ "filterlist", P_REQUIRED }, { "srcaddr", P_REQUIRED }, { "dstaddr", P_REQUIRED },
	{ "description", 0 }, { "protocol", 0 }, { "mirrored", 0 }, { "srcmask", 0 },
	{ "dstmask", 0 }, { "srcport", 0 }, { "dstport", 0 }, { "icmptype", P_TAGGED },
	{ "icmpcode", P_TAGGED }, { "srcname", P_TAGGED }, { "dstname", P_TAGGED },
};
static const struct param p_delete_filter[] = {
	{ "filterlist", P_REQUIRED }, { "srcaddr", P_REQUIRED }, { "dstaddr", P_REQUIRED },
	{ "protocol", 0 }, { "mirrored", 0 }, { "srcmask", 0 }, { "dstmask", 0 },
	{ "srcport", 0 }, { "dstport", 0 }, { "icmptype", P_TAGGED }, { "icmpcode", P_TAGGED },
};
static const struct param p_add_filteraction[] = {
	{ "name", P_REQUIRED }, { "description", 0 }, { "qmpfs", 0 }, { "inpass", 0 },
	{ "soft", 0 }, { "action", 0 }, { "qmsecmethods", 0 },
};
static const struct param p_set_filteraction[] = {
	{ "name", 0 }, { "guid", P_TAGGED }, { "newname", 0 }, { "description", 0 },
	{ "qmpfs", 0 }, { "inpass", 0 }, { "soft", 0 }, { "action", 0 }, { "qmsecmethods", 0 },
};
static const struct param p_show_filteraction[] = {
	{ "name", 0 }, { "rule", P_TAGGED }, { "level", 0 }, { "format", 0 }, { "wide", 0 },
};
static const struct param p_add_rule[] = {
	{ "name", P_REQUIRED }, { "policy", P_REQUIRED }, { "filterlist", P_REQUIRED },
	{ "filteraction", P_REQUIRED }, { "tunnel", 0 }, { "conntype", 0 }, { "activate", 0 },
	{ "description", 0 }, { "kerberos", 0 }, { "psk", 0 }, { "rootca", P_REPEAT },
};
static const struct param p_set_rule[] = {
	{ "name", 0 }, { "id", P_TAGGED }, { "policy", P_REQUIRED }, { "newname", 0 },
	{ "description", 0 }, { "filterlist", 0 }, { "filteraction", 0 }, { "tunnel", 0 },
	{ "conntype", 0 }, { "activate", 0 }, { "kerberos", 0 }, { "psk", 0 },
	{ "rootca", P_REPEAT },
};
static const struct param p_delete_rule[] = {
	{ "name", 0 }, { "id", P_TAGGED }, { "policy", P_REQUIRED },
};
static const struct param p_show_rule[] = {
	{ "name", 0 }, { "id", P_TAGGED }, { "policy", P_REQUIRED }, { "type", 0 },
	{ "level", 0 }, { "format", 0 }, { "wide", 0 },
};
static const struct param p_set_defaultrule[] = {
	{ "policy", P_REQUIRED }, { "qmpfs", 0 }, { "activate", 0 }, { "qmsecmethods", 0 },
	{ "kerberos", 0 }, { "psk", 0 }, { "rootca", P_REPEAT },
};
static const struct param p_set_store[] = { { "location", P_REQUIRED }, { "domain", 0 } };
static const struct param p_show_all[] = {
	{ "format", 0 }, { "wide", 0 }, { "level", 0 }, { "resolvedns", 0 },
};
static const struct param p_file[] = { { "file", P_REQUIRED } };
static const struct param p_batch[] = { { "mode", P_REQUIRED } };

const struct command static_commands[] = {
	{ "add", "policy", PARAMS(p_add_policy), cmd_add_policy, 0 },
	{ "set", "policy", PARAMS(p_set_policy), cmd_set_policy, 0 },
	{ "delete", "policy", PARAMS(p_name), cmd_delete_policy, 0 },
	{ "show", "policy", PARAMS(p_show_policy), cmd_show_policy, 0 },
	{ "show", "gpoassignedpolicy", PARAMS(p_gpo), cmd_show_gpoassignedpolicy, 0 },
	{ "add", "filterlist", PARAMS(p_add_filterlist), cmd_add_filterlist, 0 },
	{ "set", "filterlist", PARAMS(p_set_filterlist), cmd_set_filterlist, 0 },
	{ "delete", "filterlist", PARAMS(p_name), cmd_delete_filterlist, 0 },
	{ "show", "filterlist", PARAMS(p_show_filterlist), cmd_show_filterlist, 0 },
	{ "add", "filter", PARAMS(p_add_filter), cmd_add_filter, 0 },
	{ "delete", "filter", PARAMS(p_delete_filter), cmd_delete_filter, 0 },
	{ "add", "filteraction", PARAMS(p_add_filteraction), cmd_add_filteraction, 0 },
	{ "set", "filteraction", PARAMS(p_set_filteraction), cmd_set_filteraction, 0 },
	{ "delete", "filteraction", PARAMS(p_name), cmd_delete_filteraction, 0 },
	{ "show", "filteraction", PARAMS(p_show_filteraction), cmd_show_filteraction, 0 },
	{ "add", "rule", PARAMS(p_add_rule), cmd_add_rule, 0 },
	{ "set", "rule", PARAMS(p_set_rule), cmd_set_rule, 0 },
	{ "delete", "rule", PARAMS(p_delete_rule), cmd_delete_rule, 0 },
	{ "show", "rule", PARAMS(p_show_rule), cmd_show_rule, 0 },
	{ "set", "defaultrule", PARAMS(p_set_defaultrule), cmd_set_defaultrule, 0 },
	{ "set", "store", PARAMS(p_set_store), cmd_set_store, CMD_NO_TX },
	{ "show", "store", NULL, 0, cmd_show_store, 0 },
	{ "delete", "all", NULL, 0, cmd_delete_all, 0 },
	{ "restore", "defaults", NULL, 0, cmd_restore_defaults, 0 },
	{ "show", "all", PARAMS(p_show_all), cmd_show_all, 0 },
	{ "exportpolicy", NULL, PARAMS(p_file), cmd_exportpolicy, 0 },
	{ "importpolicy", NULL, PARAMS(p_file), cmd_importpolicy, 0 },
	{ "set", "batch", PARAMS(p_batch), cmd_set_batch, CMD_NO_TX },
	{ "dump", NULL, NULL, 0, cmd_dump, 0 },
};
const size_t n_static_commands = sizeof(static_commands) / sizeof(static_commands[0]);
