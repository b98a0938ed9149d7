// SPDX-License-Identifier: MIT
/* lifecycle.h - one agent per kernel table, and how an agent ends: a
 * manual stop is permit mode (SPEC §6.2); a restart (systemctl restart, a
 * package upgrade) or a hand-over (SIGUSR2) leaves the rules in force for
 * the next agent, which finds the same program loaded and keeps it. */
#ifndef IPSECFW_LIFECYCLE_H
#define IPSECFW_LIFECYCLE_H

#include <stdbool.h>

#include "model/err.h"

/* Takes the locks held until exit: one agent per network namespace (the
 * kernel table lives there), whatever happens to the run directory, and
 * one per run directory. Refuses when another agent holds either. */
int lifecycle_lock(const char *run_dir, struct err *e);

/* Is systemd stopping this agent's unit to start it again (a restart job
 * runs while the unit stops)? False outside systemd, or when it cannot be
 * asked: a stop is then a manual stop. */
bool lifecycle_restarting(void);

#endif
