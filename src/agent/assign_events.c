// SPDX-License-Identifier: MIT
/* assign_events.c - the events of a safe assign's end. */
#include "assign_events.h"

#include <stdio.h>

void assign_describe(const char *name, char *buf, size_t len)
{
	if (name[0])
		snprintf(buf, len, "policy '%s'", name);
	else
		snprintf(buf, len, "no policy");
}

void assign_event_write(struct event_log *l, const struct safe_assign_result *r, const char *by)
{
	char deadline[32], assigned[NAME_MAX_LEN + 16], previous[NAME_MAX_LEN + 16];

	if (r->state != SAFE_ROLLED_BACK && r->state != SAFE_CONFIRMED)
		return;
	event_time_format(r->pending.deadline, deadline, sizeof(deadline));
	assign_describe(r->assigned, assigned, sizeof(assigned));
	assign_describe(r->previous, previous, sizeof(previous));
	json_t *fields = json_pack("{s:s, s:s, s:s, s:s, s:s}", "store",
				   store_kind_name(r->pending.store), "policy", r->assigned,
				   "previous", r->previous, "deadline", deadline, "by", by);
	if (r->state == SAFE_CONFIRMED)
		event_write(l, EV_ASSIGN_CONFIRMED, fields, "the assignment of %s to the %s store is confirmed",
			    assigned, store_kind_name(r->pending.store));
	else
		event_write(l, EV_ASSIGN_ROLLED_BACK, fields,
			    "the assignment of %s was not confirmed by %s: %s is assigned again%s", assigned,
			    deadline, previous,
			    r->previous_gone ? " (the previous policy was deleted meanwhile)" : "");
}
