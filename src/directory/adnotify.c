/* adnotify.c - see adnotify.h. */
#define LDAP_DEPRECATED 0
#include "directory/adnotify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "directory/dirconn.h"
#include "directory/dirfetch.h"

#define NOTIFICATION_OID "1.2.840.113556.1.4.528"
/* AD serves 5 notification searches a connection by default
 * (MaxNotificationPerConn); what more SOMs would need is left to the poll */
#define MAX_SEARCHES 5

struct ad_notify {
	LDAP *ld;
	int msgid[MAX_SEARCHES];
	size_t n;
};

/* 1 when the root DSE lists the notification control. */
static int offers_notification(LDAP *ld, const struct domain_conf *c, struct err *e)
{
	char *attrs[] = { "supportedControl", NULL };
	struct timeval tv = { c->timeout_s, 0 };
	LDAPMessage *res = NULL, *entry;
	struct berval **v;
	int rc = ldap_search_ext_s(ld, "", LDAP_SCOPE_BASE, "(objectClass=*)", attrs, 0, NULL, NULL,
				   &tv, 1, &res), found = 0;

	if (rc != LDAP_SUCCESS) {
		ldap_msgfree(res);
		return err_set(e, "root DSE: %s", ldap_err2string(rc));
	}
	entry = ldap_first_entry(ld, res);
	v = entry ? ldap_get_values_len(ld, entry, "supportedControl") : NULL;
	for (size_t i = 0; v && v[i]; i++)
		if (v[i]->bv_len == strlen(NOTIFICATION_OID) &&
		    memcmp(v[i]->bv_val, NOTIFICATION_OID, v[i]->bv_len) == 0)
			found = 1;
	ldap_value_free_len(v);
	ldap_msgfree(res);
	return found;
}

/* One persistent search: the server answers with an entry for each
 * object that changes, and never ends it by itself. The filter must be
 * (objectClass=*) (MS-ADTS). */
static int watch(struct ad_notify *n, const char *dn, int scope, struct err *e)
{
	LDAPControl ctl = { .ldctl_oid = NOTIFICATION_OID, .ldctl_iscritical = 1 };
	LDAPControl *ctls[] = { &ctl, NULL };
	char *attrs[] = { "1.1", NULL };
	int rc;

	if (n->n == MAX_SEARCHES)
		return 0;
	rc = ldap_search_ext(n->ld, dn, scope, "(objectClass=*)", attrs, 0, ctls, NULL, NULL, 0,
			     &n->msgid[n->n]);
	if (rc != LDAP_SUCCESS)
		return err_set(e, "%s: change notification: %s", dn, ldap_err2string(rc));
	n->n++;
	return 0;
}

int ad_notify_open(struct ad_notify **out, const struct domain_conf *c, const char *computer,
		   struct err *e)
{
	struct ad_notify *n = calloc(1, sizeof *n);
	char server[DOMAIN_VALUE_MAX], dn[DOMAIN_VALUE_MAX + 64], *soms[DIR_MAX_SOMS];
	size_t n_soms = 0;
	int rc;

	*out = NULL;
	if (!n)
		return err_set(e, "out of memory");
	if (dir_connect(c, &n->ld, server, sizeof server, e) < 0) {
		free(n);
		return -1;
	}
	if ((rc = offers_notification(n->ld, c, e)) <= 0) {
		ad_notify_close(n);
		return rc;
	}
	snprintf(dn, sizeof dn, "CN=IP Security,CN=System,%s", c->base);
	rc = watch(n, dn, LDAP_SCOPE_SUBTREE, e);
	snprintf(dn, sizeof dn, "CN=Policies,CN=System,%s", c->base);
	if (rc == 0)
		rc = watch(n, dn, LDAP_SCOPE_SUBTREE, e);
	/* the gPLink and gPOptions of the domain and the OUs, the nearest first */
	if (rc == 0)
		rc = dir_soms(c->base, computer, soms, &n_soms, e);
	for (size_t i = 0; i < n_soms && rc == 0; i++)
		rc = watch(n, soms[i], LDAP_SCOPE_BASE, e);
	dir_soms_free(soms, n_soms);
	if (rc < 0) {
		ad_notify_close(n);
		return -1;
	}
	*out = n;
	return 1;
}

int ad_notify_fd(const struct ad_notify *n)
{
	int fd = -1;

	ldap_get_option(n->ld, LDAP_OPT_DESC, &fd);
	return fd;
}

enum ad_notify_event ad_notify_read(struct ad_notify *n)
{
	struct timeval zero = { 0, 0 };
	enum ad_notify_event ev = AD_NOTIFY_QUIET;
	LDAPMessage *msg = NULL;
	int rc;

	/* everything that has arrived, a bounded number of messages a call */
	for (int k = 0; k < 256; k++) {
		rc = ldap_result(n->ld, LDAP_RES_ANY, LDAP_MSG_ONE, &zero, &msg);
		if (rc == 0)
			break;
		if (rc < 0) /* the connection is gone */
			return AD_NOTIFY_LOST;
		if (rc == LDAP_RES_SEARCH_ENTRY)
			ev = AD_NOTIFY_CHANGED;
		else if (rc == LDAP_RES_SEARCH_RESULT || rc == LDAP_RES_EXTENDED)
			/* a search ended (refused, or the server is going away):
			 * nothing more will come of it */
			ev = AD_NOTIFY_LOST;
		ldap_msgfree(msg);
		msg = NULL;
		if (ev == AD_NOTIFY_LOST)
			return ev;
	}
	return ev;
}

void ad_notify_close(struct ad_notify *n)
{
	if (!n)
		return;
	if (n->ld)
		ldap_unbind_ext_s(n->ld, NULL, NULL);
	free(n);
}
