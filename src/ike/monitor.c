// SPDX-License-Identifier: MIT
/* monitor.c - charon's log, filtered down to failed negotiations. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ike/monitor.h"

/* Messages that end a negotiation (strongSwan 5.9's wording). */
static const char *const failures[] = {
	"NO_PROPOSAL_CHOSEN",
	"no IKE config found",
	"no matching CHILD_SA config found",
	"no shared key found",
	"AUTHENTICATION_FAILED",
	"INVALID_ID_INFORMATION",
	"INVALID_HASH_INFORMATION",
	"integrity check failed",
	"giving up after",
	"establishing IKE_SA failed",
	"unable to add SAD entry",
	"unable to install inbound and outbound IPsec SA",
	NULL,
};

int ike_monitor_open(struct ike_monitor *m, const char *url, struct err *e)
{
	memset(m, 0, sizeof(*m));
	if ((m->fd = vici_connect(url, 5000, e)) < 0)
		return -1;
	if (vici_register(m->fd, "log", true, e) < 0) {
		close(m->fd);
		m->fd = -1;
		return -1;
	}
	return 0;
}

void ike_monitor_close(struct ike_monitor *m)
{
	if (m->fd >= 0)
		close(m->fd);
	m->fd = -1;
}

/* The address after `marker` in msg, up to '[' or a space. */
static bool address_after(const char *msg, const char *marker, char *out, size_t len)
{
	const char *p = strstr(msg, marker);
	size_t n;

	if (!p)
		return false;
	p += strlen(marker);
	n = strcspn(p, "[ \n");
	if (n == 0 || n >= len)
		return false;
	memcpy(out, p, n);
	out[n] = 0;
	return true;
}

static void remember(struct ike_monitor *m, unsigned id, const char *addr)
{
	for (unsigned i = 0; i < IKE_PEERS; i++)
		if (m->peers[i].id == id) {
			snprintf(m->peers[i].addr, sizeof(m->peers[i].addr), "%s", addr);
			return;
		}
	m->peers[m->next].id = id;
	snprintf(m->peers[m->next].addr, sizeof(m->peers[m->next].addr), "%s", addr);
	m->next = (m->next + 1) % IKE_PEERS;
}

static const char *peer_of(const struct ike_monitor *m, unsigned id)
{
	for (unsigned i = 0; id && i < IKE_PEERS; i++)
		if (m->peers[i].id == id)
			return m->peers[i].addr;
	return "";
}

int ike_monitor_take(struct ike_monitor *m, const struct vici_msg *ev, struct ike_failure *f)
{
	const char *msg = vici_get(ev, "msg");
	const char *name = vici_get(ev, "ikesa-name");
	const char *uid = vici_get(ev, "ikesa-uniqueid");
	unsigned id = uid ? (unsigned)strtoul(uid, NULL, 10) : 0;
	char addr[64];

	if (!msg)
		return 0;
	if (id && (address_after(msg, " to ", addr, sizeof(addr)) && strstr(msg, "initiating")))
		remember(m, id, addr);
	else if (id && address_after(msg, "received packet: from ", addr, sizeof(addr)))
		remember(m, id, addr);
	for (int i = 0; failures[i]; i++) {
		if (!strstr(msg, failures[i]))
			continue;
		memset(f, 0, sizeof(*f));
		snprintf(f->conn, sizeof(f->conn), "%s", name ? name : "");
		snprintf(f->reason, sizeof(f->reason), "%s", msg);
		f->unanswered = strstr(msg, "giving up after") || strstr(msg, "peer not responding");
		/* "no IKE config found for A...B": the peer is B */
		const char *dots = strstr(msg, "...");
		if (dots && address_after(dots, "...", addr, sizeof(addr)))
			snprintf(f->peer, sizeof(f->peer), "%.*s", (int)strcspn(addr, ","), addr);
		else
			snprintf(f->peer, sizeof(f->peer), "%s", peer_of(m, id));
		return 1;
	}
	return 0;
}

int ike_monitor_read(struct ike_monitor *m, struct ike_failure *f, struct err *e)
{
	struct vici_packet p;
	int rc;

	if (vici_next_event(m->fd, &p, e) < 0)
		return -1;
	rc = strcmp(p.name, "log") == 0 ? ike_monitor_take(m, &p.msg, f) : 0;
	vici_msg_free(&p.msg);
	return rc;
}
