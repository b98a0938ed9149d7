// SPDX-License-Identifier: MIT
/* dirwatch_impl.h - what a way of watching the directory provides to
 * dirwatch.c (one file each: dirwatch_sync.c for RFC 4533,
 * dirwatch_adnotify.c for AD's change notification). */
#ifndef IPSECFW_DIRWATCH_IMPL_H
#define IPSECFW_DIRWATCH_IMPL_H

#include "directory/dirconn.h"
#include "directory/dirwatch.h"

struct dir_watch {
	struct dir_conn conn;
	const struct dir_watch_method *method;
	const struct domain_conf *conf;
	dir_watch_changed_fn changed;
	void *ctx;
	void *state; /* the method's */
	bool established; /* the server accepted the watch (set by the method) */
	char describe[DOMAIN_VALUE_MAX + 64];
};

struct dir_watch_method {
	const char *name;    /* for messages */
	const char *control; /* the supportedControl OID the root DSE must list */
	/* Starts watching on w->conn (bound), without waiting for answers. */
	int (*start)(struct dir_watch *w, struct err *e);
	/* What arrived: 0 holds (w->changed called per change), -1 lost. */
	int (*read)(struct dir_watch *w, struct err *e);
	void (*stop)(struct dir_watch *w);
};

extern const struct dir_watch_method dir_watch_rfc4533;
extern const struct dir_watch_method dir_watch_adnotify;

/* The subtrees and objects whose change can change the host's policy,
 * as an LDAP filter under domain.conf's base: the IPSec objects, the
 * GPOs and their links, the computer objects. */
#define DIR_WATCH_FILTER                                                                       \
	"(|(objectClass=ipsecPolicy)(objectClass=ipsecNFA)(objectClass=ipsecFilter)"           \
	"(objectClass=ipsecNegotiationPolicy)(objectClass=ipsecISAKMPPolicy)"                  \
	"(objectClass=groupPolicyContainer)(objectClass=computer)(gPLink=*))"

#endif
