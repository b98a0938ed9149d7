/* ike_sync.h - the agent's half of negotiate: after each load of the
 * nftables program, charon is given the connections of the negotiate rules
 * in force over VICI (src/ike), in the same reconcile; connections of ours
 * that disappeared are unloaded. Without charon (no socket), negotiate
 * stays what nftables makes it: blocked unless inpass or soft let it
 * through. */
#ifndef IPSECFW_AGENT_IKE_SYNC_H
#define IPSECFW_AGENT_IKE_SYNC_H

#include "agent.h"

void ike_sync(struct agent *a);

#endif
