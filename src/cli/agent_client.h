// SPDX-License-Identifier: MIT
/* agent_client.h - the CLI's side of the agent's socket: dynamic SPD
 * commands are bound here (bad tags are told without an agent) and sent to
 * ipsecfwd, which holds the dynamic rules. */
#ifndef IPSECFW_AGENT_CLIENT_H
#define IPSECFW_AGENT_CLIENT_H

#include "lang/session.h"

/* Sends s's SPD commands to the agent of run_dir (kept, not copied). */
void agent_client_install(struct session *s, const char *run_dir);

/* Whether an agent answers on run_dir's socket. */
bool agent_client_running(const char *run_dir);

#endif
