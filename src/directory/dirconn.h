// SPDX-License-Identifier: MIT
/* dirconn.h - one bound connection to the directory of domain.conf
 * (SPEC §16): the first of its servers that answers. Over the network
 * only TLS (ldaps://, or ldap:// with StartTLS): a new TLS context per
 * connection, the server's certificate demanded, checked against cafile
 * and against the URI's host name; a failed check refuses the server,
 * never falls back to clear text. Messages name the server and the
 * reason, never the password. */
#ifndef IPSECFW_DIRCONN_H
#define IPSECFW_DIRCONN_H

#include <ldap.h>
#include <stdbool.h>
#include <sys/time.h>

#include "directory/domainconf.h"

struct dir_conn {
	LDAP *ld;
	struct timeval timeout; /* per request */
	char server[DOMAIN_VALUE_MAX]; /* the URI that answered */
};

/* Connects and binds to the first of c's servers that answers. On
 * failure e holds each server's reason, and *refused says whether one
 * of them was refused (TLS, StartTLS or the bind) rather than silent. */
int dir_connect(struct dir_conn *cn, const struct domain_conf *c, bool *refused, struct err *e);
void dir_disconnect(struct dir_conn *cn);

#endif
