// SPDX-License-Identifier: MIT
/* agent_client.h - the CLI's side of the agent's socket: dynamic SPD
 * commands are bound here (bad tags are told without an agent) and sent to
 * ipsecfwd, which holds the dynamic rules. */
#ifndef IPSECFW_AGENT_CLIENT_H
#define IPSECFW_AGENT_CLIENT_H

#include <jansson.h>

#include "lang/session.h"

/* Sends s's SPD commands to the agent of run_dir (kept, not copied). */
void agent_client_install(struct session *s, const char *run_dir);

/* The agent of run_dir's status `what`, or NULL and e (no agent runs, or
 * it did not answer): "domain", what it does with the directory
 * (domain_sync.h's domain_sync_status; JSON null when it has no
 * domain.conf); "fallbacks", the soft fallbacks to clear in force
 * (ike_soft.h's ike_soft_json). */
json_t *agent_client_status(const char *run_dir, const char *what, struct err *e);

/* That status in one line of text into buf: 1, or 0 when it is not an
 * object (no domain.conf). */
int agent_client_domain_text(const json_t *st, char *buf, size_t len);

/* Whether an agent answers on run_dir's socket. */
bool agent_client_running(const char *run_dir);

#endif
