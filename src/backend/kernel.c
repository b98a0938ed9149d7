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

int kernel_list_json(const char *cmd, json_t **out, struct err *e)
{
	struct nft_ctx *ctx = open_ctx(true, e);
	json_error_t jerr;
	int rc = 1;

	*out = NULL;
	if (!ctx)
		return -1;
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

static bool is_object_kind(const char *kind)
{
	return strcmp(kind, "chain") == 0 || strcmp(kind, "set") == 0 || strcmp(kind, "map") == 0 ||
	       strcmp(kind, "counter") == 0;
}

static bool is_base_chain(const char *kind, const char *name)
{
	return strcmp(kind, "chain") == 0 &&
	       (strcmp(name, "inbound") == 0 || strcmp(name, "outbound") == 0);
}

/* One line of the terse listing: "\t<kind> <name> {" opens an object, a
 * rule of inbound with the comment "ipsecfw ..." tells the state. */
static int parse_line(const char *line, bool *ours, bool *in_inbound, struct kernel_table *t)
{
	char kind[8], name[128], mode[32], slot;
	unsigned long long gen;
	int end = 0;
	const char *at;

	if (line[0] != '\t')
		return 0;
	if (line[1] != '\t') { /* a table-level line */
		*in_inbound = false;
		if (strncmp(line, "\tcomment \"ipsecfw", 17) == 0) {
			*ours = true;
		} else if (sscanf(line, "\t%7[a-z] %127[^ {] {%n", kind, name, &end) == 2 && end &&
			   is_object_kind(kind)) {
			*in_inbound = strcmp(name, "inbound") == 0;
			if (!is_base_chain(kind, name) && add_object(t, kind, name) < 0)
				return -1;
		}
	} else if (*in_inbound && (at = strstr(line, "comment \"ipsecfw ")) &&
		   sscanf(at, "comment \"ipsecfw %31s %llx %c\"", mode, &gen, &slot) == 3 &&
		   fw_mode_parse(mode, &t->mode) == 0 && (slot == 'a' || slot == 'b')) {
		t->loaded = true;
		t->gen = gen;
		t->slot = slot;
	}
	return 0;
}

static int parse_listing(const char *text, struct kernel_table *t, struct err *e)
{
	char *copy = strdup(text), *save = NULL;
	bool ours = false, in_inbound = false;
	int rc = 0;

	if (!copy)
		return err_set(e, "out of memory");
	for (char *line = strtok_r(copy, "\n", &save); line && rc == 0;
	     line = strtok_r(NULL, "\n", &save))
		rc = parse_line(line, &ours, &in_inbound, t);
	free(copy);
	if (rc < 0)
		return err_set(e, "out of memory");
	if (!ours)
		return err_set(e, "table " NFT_TABLE_FAMILY " " NFT_TABLE_NAME
				  " exists but was not written by ipsecfw");
	return 0;
}

int kernel_table_read(struct kernel_table *t, struct err *e)
{
	struct nft_ctx *ctx = open_ctx(false, e);
	int rc = 0;

	memset(t, 0, sizeof(*t));
	if (!ctx)
		return -1;
	/* JSON output leaves table comments out; terse text leaves elements out */
	nft_ctx_output_set_flags(ctx, NFT_CTX_OUTPUT_TERSE);
	if (nft_run_cmd_from_buffer(ctx, "list table " NFT_TABLE_FAMILY " " NFT_TABLE_NAME) != 0) {
		const char *msg = nft_ctx_get_error_buffer(ctx);
		if (!msg || !strstr(msg, "No such file or directory"))
			rc = ctx_error(ctx, e);
	} else {
		t->exists = true;
		rc = parse_listing(nft_ctx_get_output_buffer(ctx), t, e);
	}
	nft_ctx_free(ctx);
	if (rc < 0)
		kernel_table_free(t);
	return rc;
}

void kernel_table_free(struct kernel_table *t)
{
	free(t->objects);
	memset(t, 0, sizeof(*t));
}
