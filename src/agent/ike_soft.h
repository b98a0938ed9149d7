// SPDX-License-Identifier: MIT
/* ike_soft.h - a soft rule's fallback to clear (SPEC §2.5 soft, §5.5):
 * when charon gives up on a peer that never answered IKE for a soft
 * rule's connection, the agent gives charon pass policies for that rule's
 * traffic with the peer (ike_map's "-clear" connection) and puts the peer
 * in nftables' live_soft set, both for the rule's soft time
 * (softsaexpirationtime of a dynamic rule's mmpolicy, else 300 s). Then
 * the pass policies go, the set element times out, and the next packet
 * starts IKE again, as Windows retries. Any other failure, or a rule
 * without soft, leaves the traffic blocked. */
#ifndef IPSECFW_AGENT_IKE_SOFT_H
#define IPSECFW_AGENT_IKE_SOFT_H

#include "agent.h"
#include "ike/monitor.h"

/* Starts the fallback f calls for, if any (charon and nftables given it;
 * *started), or finds it in force: the seconds it has left, or 0 when the
 * traffic stays blocked. */
long ike_soft_start(struct agent *a, const struct ike_failure *f, bool *started);

/* Ends the fallbacks whose time is up, said in an event each, and gives
 * charon the configuration without them. */
void ike_soft_expire(struct agent *a);

/* The fallbacks' peers into the set of the program in force, for the
 * time each has left (a new program starts with an empty set). */
void ike_soft_kernel(struct agent *a);

/* The fallbacks as `dynamic show fallbacks` and the control socket's
 * {"status":"fallbacks"} give them: peer, rule, since, until (UTC) and
 * seconds_left, each. */
json_t *ike_soft_json(const struct ike_fallback *fb, size_t n);

/* At start: the fallbacks a previous agent saved in the run directory
 * (SOFT_FILE) that have time left, kept until their end as if the agent
 * had not stopped (SPEC §5.5 soft: clear until the retry time). */
#define SOFT_FILE "soft-fallbacks.json"
void ike_soft_restore(struct agent *a);

/* When the next fallback ends (CLOCK_MONOTONIC seconds), 0 if none. */
long long ike_soft_next(const struct agent *a);

#endif
