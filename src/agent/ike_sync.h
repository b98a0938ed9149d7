// SPDX-License-Identifier: MIT
/* ike_sync.h - the agent's half of negotiate: after each load of the
 * nftables program, charon is given the connections of the negotiate rules
 * in force over VICI (src/ike), in the same reconcile; connections of ours
 * that disappeared are unloaded. Without charon (no socket), negotiate
 * stays what nftables makes it: blocked unless inpass or soft let it
 * through. */
#ifndef IPSECFW_AGENT_IKE_SYNC_H
#define IPSECFW_AGENT_IKE_SYNC_H

#include "agent.h"
#include "ike/monitor.h"

void ike_sync(struct agent *a);

/* Negotiation failures from charon's log: ike_watch_open connects when
 * charon's socket is there (0, m->fd to poll) and ike_watch_read turns
 * each failure into an event (4286: a soft rule falls back to clear, see
 * ike_soft.h, or the traffic stays blocked), repeats of one within 10 s said
 * once; false when charon went away (then close m). */
int ike_watch_open(struct agent *a, struct ike_monitor *m);
bool ike_watch_read(struct agent *a, struct ike_monitor *m);

#endif
