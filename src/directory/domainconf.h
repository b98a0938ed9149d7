// SPDX-License-Identifier: MIT
/* domainconf.h - /etc/ipsecfw/domain.conf: where the agent finds its
 * domain's policy (SPEC §16). One "key = value" a line, '#' comments:
 *
 *   uri = ldaps://dc1.example.com      (several: tried in order)
 *   base = DC=example,DC=com
 *   computer = CN=web1,OU=Servers,DC=example,DC=com   or   hostname = web1
 *                                      (the agent's; the CLI, which writes the
 *                                       directory, needs neither)
 *   bind = simple | external | gssapi  (external: SASL EXTERNAL, ldapi:// only;
 *                                       gssapi: Kerberos with a machine keytab, as
 *                                       AD members do; ldap:// sealed by SASL)
 *   keytab = /etc/ipsecfw/host.keytab  (gssapi; root's, 0600)
 *   binddn = CN=web1,OU=Servers,DC=example,DC=com     (simple)
 *   passwordfile = /etc/ipsecfw/domain.secret          (simple; root's, 0600)
 *   cafile = /etc/ipsecfw/ca.pem       (ldaps:// and StartTLS)
 *   starttls = yes | no                (ldap:// needs yes: never clear text)
 *   poll = SECONDS                     (overrides the policy's pollinginterval)
 *   timeout = SECONDS                  (per server; default 5)
 *
 * No LDAP here: the parser is fuzzed on its own. */
#ifndef IPSECFW_DOMAINCONF_H
#define IPSECFW_DOMAINCONF_H

#include <stdbool.h>
#include <stddef.h>

#include "model/err.h"

#define DOMAIN_CONF_DEFAULT "/etc/ipsecfw/domain.conf"
#define DOMAIN_MAX_URIS 8
#define DOMAIN_VALUE_MAX 1024

enum domain_bind { BIND_SIMPLE, BIND_EXTERNAL, BIND_GSSAPI };

struct domain_conf {
	char uris[DOMAIN_MAX_URIS][DOMAIN_VALUE_MAX];
	size_t n_uris;
	char base[DOMAIN_VALUE_MAX];
	char computer[DOMAIN_VALUE_MAX]; /* the computer object's DN, or "" */
	char hostname[256];              /* or the cn to search for under base */
	enum domain_bind bind;
	char binddn[DOMAIN_VALUE_MAX];
	char passwordfile[DOMAIN_VALUE_MAX];
	char keytab[DOMAIN_VALUE_MAX];
	char cafile[DOMAIN_VALUE_MAX];
	bool starttls;
	int poll_s;    /* 0: the policy's pollinginterval */
	int timeout_s;
};

/* Parses the text of a configuration named name (for messages); errors
 * are "name:line: reason", never quoting a value. */
int domain_conf_parse(const char *text, size_t len, const char *name, struct domain_conf *out,
		      struct err *e);
/* The agent's: the file names its computer (computer or hostname). */
int domain_conf_host_check(const struct domain_conf *c, const char *name, struct err *e);
/* Reads and parses path, a trusted file (owned by us, written by us only). */
int domain_conf_load(const char *path, struct domain_conf *out, struct err *e);
/* The simple bind's password: the file must be ours and 0600 or tighter,
 * a regular file, not a link. The trailing newline is dropped. */
int domain_password_read(const char *path, char *buf, size_t len, struct err *e);
/* The gssapi bind's keytab passes the same checks (it is not read here:
 * Kerberos reads it). */
int domain_keytab_check(const char *path, struct err *e);

#endif
