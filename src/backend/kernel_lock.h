// SPDX-License-Identifier: MIT
/* kernel_lock.h - the loads of a namespace's table take turns. The CLI and
 * the agent share a run directory; without turns, an agent's check in the
 * middle of a CLI's load saw a half-loaded table, called it drift and
 * loaded the store's older policy over it (the CLI then failed), and one
 * between a CLI's load and its store's commit did the same. The lock is a
 * flock on kernel.lock in the run directory; it nests within a process. */
#ifndef IPSECFW_KERNEL_LOCK_H
#define IPSECFW_KERNEL_LOCK_H

#include <stdbool.h>

#include "model/err.h"

enum { KERNEL_LOCK_WAIT_S = 300 };

/* Takes the lock, waiting up to KERNEL_LOCK_WAIT_S for another holder.
 * A run directory that does not exist takes none: no agent uses it. 0, or
 * -1 with e saying why. */
int kernel_lock_take(const char *run_dir, struct err *e);
/* Takes it only if nobody else holds it: false when another process does
 * (one that cannot be opened is held by nobody). */
bool kernel_lock_try(const char *run_dir);
void kernel_lock_release(void);

#endif
