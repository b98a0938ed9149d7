/* dirconn.h - a bound LDAP connection to the domain's directory (SPEC
 * §16), from domain.conf: the first URI that answers and binds (simple or
 * SASL EXTERNAL; TLS verified, StartTLS for ldap://), and the reads the
 * agent's fetch and the CLI's domain store share. libldap, synchronous
 * calls with domain.conf's timeout. */
#ifndef IPSECFW_DIRCONN_H
#define IPSECFW_DIRCONN_H

#include <sys/time.h>
#include <ldap.h>
#include <stdbool.h>
#include <stdio.h>

#include "directory/domainconf.h"

struct dir_conn {
	LDAP *ld;
	struct timeval timeout;
	char server[DOMAIN_VALUE_MAX]; /* the URI that answered */
};

/* Connects to the first server of c that answers and binds. On failure e
 * says "no directory server answered (last: ...)". */
int dir_connect(const struct domain_conf *c, struct dir_conn *cn, struct err *e);
void dir_close(struct dir_conn *cn);

/* One entry by DN (base scope): 1 and *entry (free *res), 0 when there is
 * none, -1 on error. */
int dir_read_entry(struct dir_conn *cn, const char *dn, char **attrs, LDAPMessage **res,
		   LDAPMessage **entry, struct err *e);
/* The first value of attr as text, into buf; "" when it has none. */
int dir_first_value(struct dir_conn *cn, LDAPMessage *entry, const char *attr, char *buf,
		    size_t len, const char *dn, struct err *e);
/* entry's values of attrs (a NULL-terminated list) as LDIF, every value
 * base64, for gp_ldif_read. *total counts the bytes written so far: more
 * than 64 MiB, or one value over DIR_MAX_VALUE, is refused. */
#define DIR_MAX_VALUE (1u << 20)
int dir_entry_ldif(struct dir_conn *cn, LDAPMessage *entry, const char *dn,
		   const char *const *attrs, FILE *ldif, size_t *total, struct err *e);
/* A search whose filter is template with value, escaped (RFC 4515), in
 * place of each "%v". Returns the LDAP result code (LDAP_NO_MEMORY when
 * the filter could not be made); *res to free whatever it is. */
int dir_search_for(struct dir_conn *cn, const char *base, int scope, const char *template,
		   const char *value, char **attrs, int limit, LDAPMessage **res);
/* The attributes of the five ipsec classes, as gp_ldif_read reads them. */
extern const char *const dir_ipsec_attrs[];

/* "DC=example,DC=com" from "example.com"; -1 when name is not a DNS name. */
int dir_base_of_domain(const char *name, char *out, size_t len, struct err *e);

#endif
