/* kernel.c - libnftables: one context per call, output and errors kept in
 * buffers so nothing is printed behind the caller's back. */
#include <nftables/libnftables.h>
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

int kernel_table_state(enum fw_mode *mode, uint64_t *gen, struct err *e)
{
	struct nft_ctx *ctx = open_ctx(false, e);
	const char *text, *at;
	char name[32];
	unsigned long long g;
	int rc;

	if (!ctx)
		return -1;
	/* JSON output leaves table comments out; terse text leaves elements out */
	nft_ctx_output_set_flags(ctx, NFT_CTX_OUTPUT_TERSE);
	if (nft_run_cmd_from_buffer(ctx, "list table " NFT_TABLE_FAMILY " " NFT_TABLE_NAME) != 0) {
		const char *msg = nft_ctx_get_error_buffer(ctx);
		rc = msg && strstr(msg, "No such file or directory") ? 0 : ctx_error(ctx, e);
	} else if ((text = nft_ctx_get_output_buffer(ctx)) &&
		   (at = strstr(text, "comment \"ipsecfw ")) &&
		   sscanf(at, "comment \"ipsecfw %31s %llx", name, &g) == 2 &&
		   fw_mode_parse(name, mode) == 0) {
		*gen = g;
		rc = 1;
	} else {
		rc = err_set(e, "table " NFT_TABLE_FAMILY " " NFT_TABLE_NAME
				" exists but was not written by ipsecfw");
	}
	nft_ctx_free(ctx);
	return rc;
}
