// SPDX-License-Identifier: MIT
/* dirwatch_adnotify.c - watching by Active Directory's change
 * notification (MS-ADTS §3.1.1.3.4.1.9, LDAP_SERVER_NOTIFICATION_OID):
 * persistent searches, filter (objectClass=*) as AD demands, on what
 * decides the host's policy: the IP Security container and the GPOs
 * (subtrees), and the domain and each OU above the host (their gPLink
 * and gPOptions, base scope). The server sends an entry for each object
 * that changes, and never a refresh. AD serves 5 such searches on a
 * connection by default (MaxNotificationPerConn): OUs deeper than that
 * are left to the poll. */
#define LDAP_DEPRECATED 0
#include "directory/dirwatch_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "directory/dirfetch.h"

#define AD_NOTIFICATION_OID "1.2.840.113556.1.4.528"
#define MAX_SEARCHES 5
/* Messages read at most per call: a flood yields to the agent's loop. */
#define READ_MAX 256

struct notify_state {
	int msgid[MAX_SEARCHES];
	size_t n;
};

static int watch(struct dir_watch *w, const char *dn, int scope, struct err *e)
{
	struct notify_state *st = w->state;
	LDAPControl ctl = { .ldctl_oid = AD_NOTIFICATION_OID, .ldctl_iscritical = 1 };
	LDAPControl *ctls[] = { &ctl, NULL };
	char *attrs[] = { "1.1", NULL };
	int rc;

	if (st->n == MAX_SEARCHES)
		return 0;
	rc = ldap_search_ext(w->conn.ld, dn, scope, "(objectClass=*)", attrs, 0, ctls, NULL, NULL,
			     0, &st->msgid[st->n]);
	if (rc != LDAP_SUCCESS)
		return err_set(e, "%s: search: %s", dn, ldap_err2string(rc));
	st->n++;
	return 0;
}

static int start(struct dir_watch *w, struct err *e)
{
	struct notify_state *st = calloc(1, sizeof *st);
	char dn[DOMAIN_VALUE_MAX + 64], computer[DOMAIN_VALUE_MAX], *soms[DIR_MAX_SOMS];
	size_t n_soms = 0;
	int rc;

	if (!st)
		return err_set(e, "out of memory");
	w->state = st;
	snprintf(dn, sizeof dn, "CN=IP Security,CN=System,%s", w->conf->base);
	rc = watch(w, dn, LDAP_SCOPE_SUBTREE, e);
	snprintf(dn, sizeof dn, "CN=Policies,CN=System,%s", w->conf->base);
	if (rc == 0)
		rc = watch(w, dn, LDAP_SCOPE_SUBTREE, e);
	/* the host's OUs, the nearest first, then the domain */
	if (rc == 0)
		rc = dir_find_computer(&w->conn, w->conf, computer, sizeof computer, e);
	if (rc == 0)
		rc = dir_soms(w->conf->base, computer, soms, &n_soms, e);
	for (size_t i = 0; i < n_soms && rc == 0; i++)
		rc = watch(w, soms[i], LDAP_SCOPE_BASE, e);
	dir_soms_free(soms, n_soms);
	return rc;
}

/* Each entry is a change. AD answers nothing until then, so the watch
 * counts as accepted at its first change: one lost before was refused
 * (or its server went away), and is tried again after the poll
 * interval, not at once. */
static int read_notify(struct dir_watch *w, struct err *e)
{
	struct timeval zero = { 0, 0 };

	for (int i = 0; i < READ_MAX; i++) {
		LDAPMessage *msg = NULL;
		int rc = ldap_result(w->conn.ld, LDAP_RES_ANY, LDAP_MSG_ONE, &zero, &msg), err = 0;

		if (rc == 0)
			return 0;
		if (rc < 0) {
			ldap_get_option(w->conn.ld, LDAP_OPT_RESULT_CODE, &err);
			return err_set(e, "the session was lost: %s", ldap_err2string(err));
		}
		if (rc == LDAP_RES_SEARCH_ENTRY) {
			w->established = true;
			w->changed(w->ctx);
		} else if (rc == LDAP_RES_SEARCH_RESULT) {
			ldap_parse_result(w->conn.ld, msg, &err, NULL, NULL, NULL, NULL, 0);
			ldap_msgfree(msg);
			return err_set(e, "the server ended a notification search: %s",
				       ldap_err2string(err));
		} else if (rc == LDAP_RES_EXTENDED) {
			/* a notice of disconnection */
			ldap_msgfree(msg);
			return err_set(e, "the server ended the session");
		}
		ldap_msgfree(msg);
	}
	return 0;
}

static void stop(struct dir_watch *w)
{
	free(w->state);
	w->state = NULL;
}

const struct dir_watch_method dir_watch_adnotify = {
	.name = "AD change notification",
	.control = AD_NOTIFICATION_OID,
	.start = start,
	.read = read_notify,
	.stop = stop,
};
