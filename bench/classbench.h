// SPDX-License-Identifier: MIT
/* classbench.h - reading ClassBench rule sets and traces (../shared/bench/
 * classbench/README.md) into a ruleset and packets. Files may be xz-packed:
 * they are read through `xz -dc`. */
#ifndef IPSECFW_CLASSBENCH_H
#define IPSECFW_CLASSBENCH_H

#include <stddef.h>

#include "engine/packet.h"
#include "model/ruleset.h"

/* Each rule becomes a filter (file order = creation order); even rules
 * permit, odd rules block, so verdicts differ and ties have a meaning. */
int classbench_load_rules(const char *path, struct ruleset *rs, size_t *n_rules);
/* Headers, as outbound unicast packets (no multicast view). */
int classbench_load_trace(const char *path, struct packet **out, size_t *n);

#endif
