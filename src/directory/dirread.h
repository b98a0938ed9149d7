// SPDX-License-Identifier: MIT
/* dirread.h - the reads the agent's fetch, the CLI's domain store and
 * `ipsecfw gpo` share on a bound connection (dirconn.h): one entry, a
 * text value, an entry as LDIF for gp_ldif_read, a search with an
 * escaped value, and a domain's base DN from its DNS name. */
#ifndef IPSECFW_DIRREAD_H
#define IPSECFW_DIRREAD_H

#include <stdio.h>

#include "directory/dirconn.h"
#include "model/err.h"

#define DIR_MAX_VALUE (1u << 20)

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
int dir_entry_ldif(struct dir_conn *cn, LDAPMessage *entry, const char *dn,
		   const char *const *attrs, FILE *ldif, size_t *total, struct err *e);
/* The attributes of the five ipsec classes, as gp_ldif_read reads them. */
extern const char *const dir_ipsec_attrs[];
/* A search whose filter is template with value, escaped (RFC 4515), in
 * place of each "%v". Returns the LDAP result code (LDAP_NO_MEMORY when
 * the filter could not be made); *res to free whatever it is. */
int dir_search_for(struct dir_conn *cn, const char *base, int scope, const char *template,
		   const char *value, char **attrs, int limit, LDAPMessage **res);
/* "DC=example,DC=com" from "example.com"; -1 when name is not a DNS name. */
int dir_base_of_domain(const char *name, char *out, size_t len, struct err *e);

#endif
