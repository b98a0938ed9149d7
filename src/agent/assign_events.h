// SPDX-License-Identifier: MIT
/* assign_events.h - the events that end a safe assign (4298 rolled back,
 * 4299 confirmed), written alike by the agent, the CLI's watcher and
 * `ipsecfw confirm`. */
#ifndef IPSECFW_ASSIGN_EVENTS_H
#define IPSECFW_ASSIGN_EVENTS_H

#include "backend/safe_assign.h"
#include "events.h"

/* by: who ended it ("agent", "watcher", "confirm"). Writes nothing for
 * the states that end nothing. */
void assign_event_write(struct event_log *l, const struct safe_assign_result *r, const char *by);

/* "policy 'web'", or "no policy" for "". */
void assign_describe(const char *name, char *buf, size_t len);

#endif
