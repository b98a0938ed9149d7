// SPDX-License-Identifier: MIT
/* safe_assign.h - the end of an assignment made with confirm=SECONDS (safe
 * assign): `ipsecfw confirm` keeps it; past the deadline the store's
 * previous assignment comes back and is loaded into the kernel, so an admin
 * who locked themselves out gets back in. Whoever sees the deadline pass
 * first rolls back: the CLI's detached watcher, the agent, or a late
 * `ipsecfw confirm`. Each step is one store transaction, so it happens once. */
#ifndef IPSECFW_SAFE_ASSIGN_H
#define IPSECFW_SAFE_ASSIGN_H

#include <stdbool.h>
#include <stdint.h>

#include "enforce.h"

enum safe_assign_state {
	SAFE_NONE,        /* nothing is waiting for a confirm */
	SAFE_WAITING,     /* the deadline has not passed */
	SAFE_CONFIRMED,   /* kept */
	SAFE_ROLLED_BACK, /* the previous assignment is back */
};

struct safe_assign_result {
	enum safe_assign_state state;
	struct pending_assign pending;
	char assigned[NAME_MAX_LEN]; /* what the change assigned, "" for none */
	char previous[NAME_MAX_LEN]; /* what it replaced (and a rollback restores), "" for none */
	bool previous_gone;          /* the previous policy was deleted meanwhile */
};

/* Rolls the pending assignment back when its deadline (unix seconds) is at
 * or before now; kernel: load the result (false: the store only). */
int safe_assign_expire(const struct enforce_ctx *c, bool kernel, int64_t now,
		       struct safe_assign_result *r, struct err *e);

/* Keeps the pending assignment; past its deadline, rolls it back instead
 * (r->state tells which). Nothing pending is an error. */
int safe_assign_confirm(const struct enforce_ctx *c, bool kernel, int64_t now,
			struct safe_assign_result *r, struct err *e);

/* "confirmed", "rolled back", ... */
const char *safe_assign_state_name(enum safe_assign_state s);

#endif
