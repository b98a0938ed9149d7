/* coexist.c - reading the whole ruleset as JSON and looking for drops in
 * tables that hook input or output, other than ours. */
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

int coexist_scan(coexist_warn_fn warn, void *ctx, struct err *e)
{
	json_t *doc, *item;
	size_t i;
	int found = 0, rc;

	if ((rc = kernel_list_json("list tables", &doc, e)) <= 0)
		return rc;
	json_array_foreach(json_object_get(doc, "nftables"), i, item) {
		json_t *t = json_object_get(item, "table");
		const char *family = json_string_value(json_object_get(t, "family"));
		const char *name = json_string_value(json_object_get(t, "name"));
		if (!family || !name || is_ours(family, name) ||
		    (strcmp(family, "ip") && strcmp(family, "ip6") && strcmp(family, "inet")))
			continue;
		if ((rc = scan_table(family, name, warn, ctx, e)) < 0) {
			found = -1;
			break;
		}
		found += rc;
	}
	json_decref(doc);
	return found;
}
