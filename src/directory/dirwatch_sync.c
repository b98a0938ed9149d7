// SPDX-License-Identifier: MIT
/* dirwatch_sync.c - watching by RFC 4533 content synchronisation
 * (refreshAndPersist), with libldap's ldap_sync_* API: the entries of the
 * refresh are the directory as it was (the fetch reads it), each entry
 * after the refresh is a change.
 *
 * ldap_sync_init would wait, without a bound, for the refresh to end: the
 * search is sent here as it sends it, and ldap_sync_poll reads the
 * answers as they come, when the agent's loop sees the descriptor
 * readable. */
#define LDAP_DEPRECATED 0
#include "directory/dirwatch_impl.h"

#include <lber.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

/* Messages read at most per call: a flood yields to the agent's loop. */
#define READ_MAX 256

struct sync_state {
	ldap_sync_t ls;
	bool refreshed; /* the refresh phase is over: entries are changes */
	bool ended;     /* the server ended the search */
	char *attrs[2];
};

static int on_entry(ldap_sync_t *ls, LDAPMessage *msg, struct berval *uuid,
		    ldap_sync_refresh_t phase)
{
	struct dir_watch *w = ls->ls_private;
	struct sync_state *st = w->state;

	(void)msg, (void)uuid, (void)phase;
	if (st->refreshed)
		w->changed(w->ctx);
	return LDAP_SUCCESS;
}

static int on_intermediate(ldap_sync_t *ls, LDAPMessage *msg, BerVarray uuids,
			   ldap_sync_refresh_t phase)
{
	struct dir_watch *w = ls->ls_private;
	struct sync_state *st = w->state;

	(void)msg, (void)uuids;
	if (phase == LDAP_SYNC_CAPI_DONE && !st->refreshed) {
		/* what changed between the caller's fetch and the search's
		 * start is in the refresh, not after it: fetch once more */
		st->refreshed = true;
		w->established = true;
		w->changed(w->ctx);
	} else if (st->refreshed && (phase == LDAP_SYNC_CAPI_DELETES_IDSET ||
				     phase == LDAP_SYNC_CAPI_PRESENTS_IDSET)) {
		w->changed(w->ctx);
	}
	return LDAP_SUCCESS;
}

static int on_result(ldap_sync_t *ls, LDAPMessage *msg, int refresh_deletes)
{
	struct dir_watch *w = ls->ls_private;

	(void)msg, (void)refresh_deletes;
	((struct sync_state *)w->state)->ended = true;
	return LDAP_SUCCESS;
}

static int start(struct dir_watch *w, struct err *e)
{
	struct sync_state *st = calloc(1, sizeof *st);
	LDAPControl ctrl = { 0 }, *ctrls[] = { &ctrl, NULL };
	BerElement *ber;
	int rc;

	if (!st)
		return err_set(e, "out of memory");
	ldap_sync_initialize(&st->ls);
	st->attrs[0] = "1.1"; /* no attributes: a change is all we need */
	st->ls.ls_base = (char *)w->conf->base;
	st->ls.ls_scope = LDAP_SCOPE_SUBTREE;
	st->ls.ls_filter = DIR_WATCH_FILTER;
	st->ls.ls_attrs = st->attrs;
	st->ls.ls_timeout = 0; /* ldap_sync_poll never blocks */
	st->ls.ls_search_entry = on_entry;
	st->ls.ls_intermediate = on_intermediate;
	st->ls.ls_search_result = on_result;
	st->ls.ls_private = w;
	st->ls.ls_ld = w->conn.ld;
	st->ls.ls_refreshPhase = LDAP_SYNC_CAPI_NONE;
	w->state = st;
	/* the Sync Request control (RFC 4533 §2.2), critical */
	if (!(ber = ber_alloc_t(LBER_USE_DER)))
		return err_set(e, "out of memory");
	if (ber_printf(ber, "{eb}", (ber_int_t)LDAP_SYNC_REFRESH_AND_PERSIST, (ber_int_t)0) < 0 ||
	    ber_flatten2(ber, &ctrl.ldctl_value, 0) < 0) {
		ber_free(ber, 1);
		return err_set(e, "the sync request could not be encoded");
	}
	ctrl.ldctl_oid = LDAP_CONTROL_SYNC;
	ctrl.ldctl_iscritical = 1;
	rc = ldap_search_ext(w->conn.ld, st->ls.ls_base, st->ls.ls_scope, st->ls.ls_filter,
			     st->ls.ls_attrs, 0, ctrls, NULL, NULL, 0, &st->ls.ls_msgid);
	ber_free(ber, 1);
	if (rc != LDAP_SUCCESS)
		return err_set(e, "search: %s", ldap_err2string(rc));
	return 0;
}

/* Whether libldap holds bytes not yet read, or the socket has some. */
static bool more(struct dir_watch *w)
{
	Sockbuf *sb = NULL;
	struct pollfd p = { .fd = dir_watch_fd(w), .events = POLLIN };

	if (ldap_get_option(w->conn.ld, LDAP_OPT_SOCKBUF, &sb) == LDAP_OPT_SUCCESS && sb &&
	    ber_sockbuf_ctrl(sb, LBER_SB_OPT_DATA_READY, NULL))
		return true;
	return p.fd >= 0 && poll(&p, 1, 0) > 0;
}

static int read_sync(struct dir_watch *w, struct err *e)
{
	struct sync_state *st = w->state;

	for (int i = 0; i < READ_MAX && more(w); i++) {
		int rc = ldap_sync_poll(&st->ls);

		if (st->ended)
			return err_set(e, "the server ended the session");
		if (rc < 0)
			return err_set(e, "the session was lost: %s", ldap_err2string(rc));
		if (rc != LDAP_SUCCESS)
			return err_set(e, "%s", ldap_err2string(rc));
	}
	return 0;
}

static void stop(struct dir_watch *w)
{
	struct sync_state *st = w->state;

	if (!st)
		return;
	/* ldap_sync_destroy frees what it was given and unbinds: give it
	 * only the cookie, which is its own */
	st->ls.ls_base = st->ls.ls_filter = NULL;
	st->ls.ls_attrs = NULL;
	st->ls.ls_ld = NULL;
	ldap_sync_destroy(&st->ls, 0);
	free(st);
	w->state = NULL;
}

const struct dir_watch_method dir_watch_rfc4533 = {
	.name = "RFC 4533 content synchronisation",
	.control = LDAP_CONTROL_SYNC,
	.start = start,
	.read = read_sync,
	.stop = stop,
};
