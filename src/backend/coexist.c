// SPDX-License-Identifier: MIT
/* coexist.c - looking for drops in tables that hook input or output,
 * other than ours, through libnftables' JSON listings. */
#include <stdio.h>
#include <string.h>

#include "coexist.h"
#include "kernel.h"
#include "program.h"

static bool is_ours(const char *family, const char *table)
{
	return strcmp(family, NFT_TABLE_FAMILY) == 0 && strcmp(table, NFT_TABLE_NAME) == 0;
}

/* Does a JSON value contain a drop or reject verdict anywhere? */
static bool has_drop(json_t *v)
{
	const char *key;
	json_t *sub;
	size_t i;

	if (json_is_object(v)) {
		json_object_foreach(v, key, sub) {
			if (strcmp(key, "drop") == 0 || strcmp(key, "reject") == 0 || has_drop(sub))
				return true;
		}
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, sub) {
			if (has_drop(sub))
				return true;
		}
	}
	return false;
}

/* One foreign table: does it hook input or output, and can it drop? */
static int scan_table(const char *family, const char *table, coexist_warn_fn warn, void *ctx,
		      struct err *e)
{
	bool hooks = false, drop_policy = false, drop_rule = false;
	char cmd[512], msg[768];
	json_t *doc, *item;
	size_t i;
	int rc;

	snprintf(cmd, sizeof(cmd), "list table %s %s", family, table);
	if ((rc = kernel_list_json(cmd, &doc, e)) <= 0)
		return rc;
	json_array_foreach(json_object_get(doc, "nftables"), i, item) {
		json_t *chain = json_object_get(item, "chain"), *rule = json_object_get(item, "rule");
		if (chain) {
			const char *hook = json_string_value(json_object_get(chain, "hook"));
			const char *policy = json_string_value(json_object_get(chain, "policy"));
			if (hook && (strcmp(hook, "input") == 0 || strcmp(hook, "output") == 0)) {
				hooks = true;
				drop_policy |= policy && strcmp(policy, "drop") == 0;
			}
		} else if (rule && has_drop(json_object_get(rule, "expr"))) {
			drop_rule = true;
		}
	}
	json_decref(doc);
	if (!hooks || (!drop_policy && !drop_rule))
		return 0;
	snprintf(msg, sizeof(msg),
		 "table %s %s hooks input or output and can drop (%s): it may drop what "
		 "ipsecfw permits",
		 family, table, drop_policy ? "a drop policy" : "drop or reject rules");
	warn(ctx, msg);
	return 1;
}

static bool listed(json_t *seen, const char *family, const char *table)
{
	size_t i;
	json_t *pair;

	json_array_foreach(seen, i, pair) {
		if (strcmp(json_string_value(json_array_get(pair, 0)), family) == 0 &&
		    strcmp(json_string_value(json_array_get(pair, 1)), table) == 0)
			return true;
	}
	return false;
}

int coexist_scan(coexist_warn_fn warn, void *ctx, struct err *e)
{
	json_t *doc, *item, *seen = json_array();
	size_t i;
	int found = 0, rc;

	/* chains alone are cheap to list (no set elements are fetched): only
	 * tables with a base chain on input or output are read whole */
	if (!seen)
		return err_set(e, "out of memory");
	if ((rc = kernel_list_json("list chains", &doc, e)) <= 0) {
		json_decref(seen);
		return rc;
	}
	json_array_foreach(json_object_get(doc, "nftables"), i, item) {
		json_t *c = json_object_get(item, "chain");
		const char *family = json_string_value(json_object_get(c, "family"));
		const char *table = json_string_value(json_object_get(c, "table"));
		const char *hook = json_string_value(json_object_get(c, "hook"));
		if (!family || !table || !hook || is_ours(family, table) ||
		    (strcmp(hook, "input") && strcmp(hook, "output")) ||
		    (strcmp(family, "ip") && strcmp(family, "ip6") && strcmp(family, "inet")) ||
		    listed(seen, family, table))
			continue;
		json_array_append_new(seen, json_pack("[s, s]", family, table));
		if ((rc = scan_table(family, table, warn, ctx, e)) < 0) {
			found = -1;
			break;
		}
		found += rc;
	}
	json_decref(doc);
	json_decref(seen);
	return found;
}
