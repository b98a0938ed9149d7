// SPDX-License-Identifier: MIT
/* monitor.h - negotiation failures from charon's log events (VICI event
 * "log"): which connection, which peer, and why, for the agent's events. */
#ifndef IPSECFW_IKE_MONITOR_H
#define IPSECFW_IKE_MONITOR_H

#include "ike/vici.h"

struct ike_failure {
	char conn[256];   /* the connection (ipsecfw-...), or "" before one was chosen */
	char peer[64];    /* its address, "" when unknown */
	char reason[512]; /* charon's words */
	bool unanswered;  /* the peer never answered (charon gave up retransmitting) */
};

/* Peers of recent IKE_SAs, by charon's unique id, learned from earlier
 * log lines ("initiating ... to X", "received packet: from X[500]"). */
enum { IKE_PEERS = 32 };
struct ike_monitor {
	int fd;
	struct {
		unsigned id;
		char addr[64];
	} peers[IKE_PEERS];
	unsigned next;
	/* The last failure reported and when (monotonic seconds), so that
	 * the agent says a repeat once. */
	char last[1024];
	long long last_s;
};

/* Connects and registers for log events; m->fd is then readable. */
int ike_monitor_open(struct ike_monitor *m, const char *url, struct err *e);
void ike_monitor_close(struct ike_monitor *m);
/* Reads one packet: 1 and *f filled for a negotiation failure, 0 for
 * anything else, -1 when charon is gone. */
int ike_monitor_read(struct ike_monitor *m, struct ike_failure *f, struct err *e);
/* The classification alone, for one log event's message. */
int ike_monitor_take(struct ike_monitor *m, const struct vici_msg *ev, struct ike_failure *f);

#endif
