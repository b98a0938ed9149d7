// SPDX-License-Identifier: MIT
/* load.c - bringing charon in line with an IKE configuration over VICI:
 * load every mapped connection and its key, then unload the connections
 * and keys of ours (named ipsecfw-...) that are no longer mapped. Other
 * connections in charon are never touched. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ike/load.h"

static bool ours(const char *name)
{
	return strncmp(name, "ipsecfw-", 8) == 0;
}

/* Names in the list `list` of a get-conns / get-shared response. */
static bool listed(const struct ike_config *c, const char *name, bool secret)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->conns[i].mapped && strcmp(c->conns[i].name, name) == 0 &&
		    (!secret || c->conns[i].secret.n))
			return true;
	return false;
}

static int call_checked(int fd, const char *cmd, const struct vici_msg *req, struct err *e)
{
	struct vici_msg resp;
	int rc;

	if (vici_call(fd, cmd, req, NULL, NULL, NULL, &resp, e) < 0)
		return -1;
	rc = vici_check_success(&resp, cmd, e);
	vici_msg_free(&resp);
	return rc;
}

/* Unloads ours that the configuration no longer has: cmd get-conns with
 * list "conns" and unload-conn {name}, or get-shared "keys" and
 * unload-shared {id}. */
static int unload_stale(int fd, const struct ike_config *c, bool secrets, size_t *unloaded,
			struct err *e)
{
	const char *get = secrets ? "get-shared" : "get-conns";
	const char *list = secrets ? "keys" : "conns";
	struct vici_msg resp;
	bool in_list = false;
	int rc = 0;

	if (vici_call(fd, get, NULL, NULL, NULL, NULL, &resp, e) < 0)
		return -1;
	for (size_t i = 0; i < resp.n && rc == 0; i++) {
		const struct vici_elem *el = &resp.elems[i];
		if (el->type == VICI_LIST_START)
			in_list = strcmp(el->name, list) == 0;
		else if (el->type == VICI_LIST_END)
			in_list = false;
		if (!in_list || el->type != VICI_LIST_ITEM)
			continue;
		const char *name = (const char *)el->value;
		if (!ours(name) || listed(c, name, secrets))
			continue;
		struct vici_msg req;
		vici_msg_init(&req);
		vici_kv(&req, secrets ? "id" : "name", name);
		rc = call_checked(fd, secrets ? "unload-shared" : "unload-conn", &req, e);
		vici_msg_free(&req);
		if (rc == 0 && !secrets)
			(*unloaded)++;
	}
	vici_msg_free(&resp);
	return rc;
}

int ike_load(const struct ike_config *c, const char *socket_url, struct ike_load_result *out,
	     struct err *e)
{
	int fd, rc = 0;

	memset(out, 0, sizeof(*out));
	if ((fd = vici_connect(socket_url, 5000, e)) < 0)
		return -1;
	/* Keys first, so a connection never meets a peer without its key. */
	for (size_t i = 0; i < c->n && rc == 0; i++)
		if (c->conns[i].mapped && c->conns[i].secret.n)
			rc = call_checked(fd, "load-shared", &c->conns[i].secret, e);
	for (size_t i = 0; i < c->n && rc == 0; i++) {
		if (!c->conns[i].mapped) {
			out->skipped++;
			continue;
		}
		if ((rc = call_checked(fd, "load-conn", &c->conns[i].conn, e)) < 0)
			err_prefix(e, "%s (%s)", c->conns[i].name, c->conns[i].origin);
		else
			out->loaded++;
	}
	if (rc == 0)
		rc = unload_stale(fd, c, false, &out->unloaded, e);
	if (rc == 0)
		rc = unload_stale(fd, c, true, &out->unloaded, e);
	close(fd);
	return rc;
}

/* Appends m's encoding to *buf. */
static int append_encoded(const struct vici_msg *m, char **buf, size_t *len, struct err *e)
{
	uint8_t *enc;
	size_t n;
	char *grown;

	if (vici_encode(m, &enc, &n, e) < 0)
		return -1;
	if (!(grown = realloc(*buf, *len + n + 1))) {
		free(enc);
		return err_set(e, "out of memory");
	}
	memcpy(grown + *len, enc, n);
	*buf = grown;
	*len += n;
	free(enc);
	return 0;
}

int ike_config_digest(const struct ike_config *c, char out[FINGERPRINT_HEX + 1], struct err *e)
{
	char *buf = NULL;
	size_t len = 0;
	int rc = 0;

	for (size_t i = 0; i < c->n && rc == 0; i++) {
		if (!c->conns[i].mapped)
			continue;
		rc = append_encoded(&c->conns[i].conn, &buf, &len, e);
		if (rc == 0 && c->conns[i].secret.n)
			rc = append_encoded(&c->conns[i].secret, &buf, &len, e);
	}
	if (rc == 0)
		fingerprint_text(buf ? buf : "", len, out);
	free(buf);
	return rc;
}

const char *ike_socket_default(void)
{
	const char *env = getenv("IPSECFW_VICI");
	return env && *env ? env : IKE_SOCKET_DEFAULT;
}
