// SPDX-License-Identifier: MIT
/* safe_assign.c - confirming or rolling back a safe assign. */
#include "safe_assign.h"

#include <stdio.h>
#include <string.h>

#include "store/store.h"

const char *safe_assign_state_name(enum safe_assign_state s)
{
	static const char *const names[] = { [SAFE_NONE] = "none", [SAFE_WAITING] = "waiting",
					     [SAFE_CONFIRMED] = "confirmed",
					     [SAFE_ROLLED_BACK] = "rolled back" };
	return names[s];
}

/* The policy with guid in store: 1 and *out, 0 when there is none. */
static int policy_by_guid(struct db *db, enum store_kind s, const char *guid, struct policy *out,
			  struct err *e)
{
	return guid[0] ? db_policy_find(db, s, NULL, guid, out, e) : 0;
}

/* In the open transaction: the previous assignment back, and the kernel
 * loaded before the store commits. */
static int roll_back(const struct enforce_ctx *c, bool kernel, enum store_kind store,
		     int64_t previous_id, struct err *e)
{
	struct enforce_report rep;
	bool wanted;

	if (db_policy_assign(c->db, store, previous_id, e) < 0)
		return -1;
	if (kernel && (enforce_wanted(c, &wanted, e) < 0 ||
		       (wanted && enforce_policy(c, FALLBACK_NONE, &rep, e) < 0)))
		return err_prefix(e, "rollback not loaded, the assignment stays pending");
	return 0;
}

/* Reads the pending record in a write transaction; rolls it back when
 * due, else keeps it (confirming) or leaves it waiting. */
static int end_pending(const struct enforce_ctx *c, bool kernel, int64_t now,
		       struct safe_assign_result *r, bool confirming, struct err *e)
{
	const struct pending_assign *p = &r->pending;
	struct policy prev, cur;
	int found, have_prev, have_cur;

	memset(r, 0, sizeof(*r));
	if (db_begin(c->db, e) < 0)
		return -1;
	if ((found = db_pending_get(c->db, &r->pending, e)) <= 0) {
		db_rollback(c->db);
		if (found == 0 && confirming)
			return err_set(e, "no assignment is waiting for a confirm");
		r->state = SAFE_NONE;
		return found;
	}
	if (p->deadline > now && !confirming) {
		db_rollback(c->db);
		r->state = SAFE_WAITING;
		return 0;
	}
	if ((have_cur = policy_by_guid(c->db, p->store, p->policy, &cur, e)) < 0 ||
	    (have_prev = policy_by_guid(c->db, p->store, p->previous, &prev, e)) < 0)
		goto fail;
	if (have_cur)
		snprintf(r->assigned, sizeof(r->assigned), "%s", cur.name);
	if (have_prev)
		snprintf(r->previous, sizeof(r->previous), "%s", prev.name);
	r->previous_gone = p->previous[0] && !have_prev;
	r->state = p->deadline > now ? SAFE_CONFIRMED : SAFE_ROLLED_BACK;
	if (db_pending_clear(c->db, e) < 0)
		goto fail;
	if (r->state == SAFE_ROLLED_BACK) {
		if (roll_back(c, kernel, p->store, have_prev ? prev.id : 0, e) < 0)
			goto fail;
	}
	if (db_commit(c->db, e) < 0) {
		db_rollback(c->db);
		/* The kernel took the rollback the store just refused. */
		if (kernel && r->state == SAFE_ROLLED_BACK) {
			struct enforce_report rep;
			struct err ignored;
			enforce_policy(c, FALLBACK_NONE, &rep, &ignored);
		}
		return -1;
	}
	return 0;
fail:
	db_rollback(c->db);
	return -1;
}

int safe_assign_expire(const struct enforce_ctx *c, bool kernel, int64_t now,
		       struct safe_assign_result *r, struct err *e)
{
	return end_pending(c, kernel, now, r, false, e);
}

int safe_assign_confirm(const struct enforce_ctx *c, bool kernel, int64_t now,
			struct safe_assign_result *r, struct err *e)
{
	return end_pending(c, kernel, now, r, true, e);
}
