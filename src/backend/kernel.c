// SPDX-License-Identifier: MIT
/* kernel.c - libnftables: one context per call, output and errors kept in
 * buffers so nothing is printed behind the caller's back. */
#include <nftables/libnftables.h>
#include <stdlib.h>
#include <string.h>

#include "kernel.h"

static struct nft_ctx *open_ctx(bool json, struct err *e)
{
	struct nft_ctx *ctx = nft_ctx_new(NFT_CTX_DEFAULT);

	if (!ctx) {
		err_set(e, "nftables: cannot create a context");
		return NULL;
	}
	if (nft_ctx_buffer_output(ctx) < 0 || nft_ctx_buffer_error(ctx) < 0) {
		nft_ctx_free(ctx);
		err_set(e, "nftables: cannot buffer output");
		return NULL;
	}
	if (json)
		nft_ctx_output_set_flags(ctx, NFT_CTX_OUTPUT_JSON | NFT_CTX_OUTPUT_HANDLE);
	return ctx;
}

/* nftables' message on one line: its lines joined with "; ". */
static int ctx_error(struct nft_ctx *ctx, struct err *e)
{
	const char *msg = nft_ctx_get_error_buffer(ctx);
	char buf[sizeof(e->msg) - 16];
	size_t n = 0;

	for (; msg && *msg && n + 3 < sizeof(buf); msg++) {
		if (*msg != '\n')
			buf[n++] = *msg;
		else if (msg[1])
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "; ");
	}
	buf[n] = '\0';
	return err_set(e, "nftables: %s", n ? buf : "the kernel refused the ruleset");
}

int kernel_run(const char *text, struct err *e)
{
	struct nft_ctx *ctx = open_ctx(false, e);
	int rc;

	if (!ctx)
		return -1;
	rc = nft_run_cmd_from_buffer(ctx, text) == 0 ? 0 : ctx_error(ctx, e);
	nft_ctx_free(ctx);
	return rc;
}

static int list_json(const char *cmd, bool terse, json_t **out, struct err *e)
{
	struct nft_ctx *ctx = open_ctx(true, e);
	json_error_t jerr;
	int rc = 1;

	*out = NULL;
	if (!ctx)
		return -1;
	if (terse)
		nft_ctx_output_set_flags(ctx, nft_ctx_output_get_flags(ctx) | NFT_CTX_OUTPUT_TERSE);
	if (nft_run_cmd_from_buffer(ctx, cmd) != 0) {
		const char *msg = nft_ctx_get_error_buffer(ctx);
		/* a missing table or set is an answer, not a failure */
		rc = msg && strstr(msg, "No such file or directory") ? 0 : ctx_error(ctx, e);
	} else if (!(*out = json_loads(nft_ctx_get_output_buffer(ctx), 0, &jerr))) {
		rc = err_set(e, "nftables: unreadable JSON: %s", jerr.text);
	}
	nft_ctx_free(ctx);
	return rc;
}

int kernel_list_json(const char *cmd, json_t **out, struct err *e)
{
	return list_json(cmd, false, out, e);
}

static int add_object(struct kernel_table *t, const char *kind, const char *name)
{
	struct nft_object *o = realloc(t->objects, (t->n_objects + 1) * sizeof(*o));

	if (!o)
		return -1;
	t->objects = o;
	o = &t->objects[t->n_objects++];
	snprintf(o->kind, sizeof(o->kind), "%s", kind);
	snprintf(o->name, sizeof(o->name), "%s", name);
	return 0;
}

/* "state_<mode>_<generation>_<slot>[_<program fp>[_<kernel fp>]]": the
 * chain that tells what is in force (program.h). */
static bool parse_state(const char *name, struct kernel_table *t)
{
	char mode[32], slot, end, pfp[FINGERPRINT_HEX + 1] = "", kfp[FINGERPRINT_HEX + 1] = "";
	unsigned long long gen;
	int n = sscanf(name, "state_%31[a-z-]_%llx_%c_%32[0-9a-f]_%32[0-9a-f]%c", mode, &gen, &slot,
		       pfp, kfp, &end);

	if (n < 3 || n > 5 || fw_mode_parse(mode, &t->mode) < 0 || (slot != 'a' && slot != 'b'))
		return false;
	snprintf(t->program_fp, sizeof(t->program_fp), "%s", strlen(pfp) == FINGERPRINT_HEX ? pfp : "");
	snprintf(t->kernel_fp, sizeof(t->kernel_fp), "%s",
		 *t->program_fp && strlen(kfp) == FINGERPRINT_HEX ? kfp : "");
	snprintf(t->state_chain, sizeof(t->state_chain), "%s", name);
	t->loaded = true;
	t->gen = gen;
	t->slot = slot;
	return true;
}

/* Our objects of one kind from a JSON listing ("chain", "set", "map"). */
static int collect(json_t *doc, const char *kind, struct kernel_table *t, int *base)
{
	json_t *item;
	size_t i;

	json_array_foreach(json_object_get(doc, "nftables"), i, item) {
		json_t *o = json_object_get(item, kind);
		const char *table = json_string_value(json_object_get(o, "table"));
		const char *family = json_string_value(json_object_get(o, "family"));
		const char *name = json_string_value(json_object_get(o, "name"));
		if (!name || !table || !family || strcmp(table, NFT_TABLE_NAME) != 0 ||
		    strcmp(family, NFT_TABLE_FAMILY) != 0)
			continue;
		if (strcmp(kind, "chain") == 0 &&
		    (strcmp(name, "inbound") == 0 || strcmp(name, "outbound") == 0)) {
			++*base;
			continue;
		}
		if (strcmp(kind, "chain") == 0 && parse_state(name, t))
			t->state_handle = (uint64_t)json_integer_value(json_object_get(o, "handle"));
		if (add_object(t, kind, name) < 0)
			return -1;
	}
	return 0;
}

/* A table of that name without chains: ours (its comment says so) or not. */
static int check_empty_table(struct kernel_table *t, struct err *e)
{
	struct nft_ctx *ctx = open_ctx(false, e);
	int rc = 0;

	if (!ctx)
		return -1;
	if (nft_run_cmd_from_buffer(ctx, "list table " NFT_TABLE_FAMILY " " NFT_TABLE_NAME) != 0) {
		const char *msg = nft_ctx_get_error_buffer(ctx);
		if (!msg || !strstr(msg, "No such file or directory"))
			rc = ctx_error(ctx, e);
	} else {
		t->exists = true;
		if (!strstr(nft_ctx_get_output_buffer(ctx), "\tcomment \"ipsecfw\""))
			rc = err_set(e, "table " NFT_TABLE_FAMILY " " NFT_TABLE_NAME
					" exists but was not written by ipsecfw");
	}
	nft_ctx_free(ctx);
	return rc;
}

/* Listing rules, counters or a whole table makes libnftables fetch every
 * set element (seconds for 100,000 filters); chains, and sets and maps
 * tersely, come without them. So the state is a chain's name. */
int kernel_table_read(struct kernel_table *t, struct err *e)
{
	static const char *const lists[][2] = {
		{ "chain", "list chains " NFT_TABLE_FAMILY },
		{ "set", "list sets " NFT_TABLE_FAMILY },
		{ "map", "list maps " NFT_TABLE_FAMILY },
	};
	int base = 0, rc = 0;

	memset(t, 0, sizeof(*t));
	for (size_t k = 0; k < sizeof(lists) / sizeof(lists[0]) && rc == 0; k++) {
		json_t *doc = NULL;
		if ((rc = list_json(lists[k][1], true, &doc, e)) < 0)
			break;
		rc = doc && collect(doc, lists[k][0], t, &base) < 0 ? err_set(e, "out of memory") : 0;
		json_decref(doc);
		if (k == 0 && base == 0 && t->n_objects == 0) {
			rc = check_empty_table(t, e);
			break; /* no table, or an empty one: nothing more to read */
		}
		if (k == 0 && base != 2)
			rc = err_set(e, "table " NFT_TABLE_FAMILY " " NFT_TABLE_NAME
					" exists but was not written by ipsecfw");
		t->exists = true;
	}
	if (rc < 0)
		kernel_table_free(t);
	return rc;
}

void kernel_table_free(struct kernel_table *t)
{
	free(t->objects);
	memset(t, 0, sizeof(*t));
}
