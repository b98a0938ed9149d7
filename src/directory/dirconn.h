/* dirconn.h - a bound LDAP connection to the domain's directory, as
 * domain.conf says (SPEC §16): the first server that answers, TLS
 * verified, bound simple, by SASL EXTERNAL or by SASL GSSAPI with the
 * machine's keytab. Shared by the policy fetch and the change watch. */
#ifndef IPSECFW_DIRCONN_H
#define IPSECFW_DIRCONN_H

#include <ldap.h>
#include <stddef.h>

#include "directory/domainconf.h"

/* *ld bound to the first server of c that answers; its URI in server.
 * Otherwise "no directory server answered (last: WHY)" in e. */
int dir_connect(const struct domain_conf *c, LDAP **ld, char *server, size_t len,
		struct err *e);

#endif
