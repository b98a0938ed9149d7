// SPDX-License-Identifier: MIT
/* kernel_check.h - whether the kernel still holds, unchanged, the program
 * the agent loaded, at the least cost: every change to a table is an
 * nftables commit, and every commit moves the ruleset generation, so
 * while the generation stays where the agent's own last load or check
 * left it, one tiny netlink request answers; the table (half a second
 * for 100,000 filters) is read back only when the generation moved. */
#ifndef IPSECFW_KERNEL_CHECK_H
#define IPSECFW_KERNEL_CHECK_H

#include <jansson.h>
#include <stdbool.h>

struct agent;

/* True when nothing needs restoring: the kernel holds the program loaded,
 * unchanged, nothing was loaded yet, or the kernel cannot be read now
 * (said once, as an event). False: it was changed, or holds another
 * program. Counted, by how it was answered. */
bool kernel_check_intact(struct agent *a);

/* Is the kernel known to hold the program loaded without reading its
 * elements: nothing committed since the agent last checked it or since
 * its own last load? (True when nothing was loaded.) Not counted. */
bool kernel_check_current(struct agent *a);

/* The control socket's {"status": "kernel"}: the generation last checked
 * and the checks so far, by how they were answered. */
json_t *kernel_check_status(const struct agent *a);

#endif
