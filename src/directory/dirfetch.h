// SPDX-License-Identifier: MIT
/* dirfetch.h - the host's assigned IPSec policy from an LDAP directory
 * (SPEC §16): its computer object, the GPOs linked to the domain and the
 * OUs above it (MS-GPOL: link order, disabled and enforced links, blocked
 * inheritance, GPOs whose computer part is disabled), the last GPO whose IPSEC object assigns a
 * policy (MS-GPIPSEC §3.2.5.3), and the policy with everything it
 * references, as directory objects (§2.2.1). Bounded in objects, value
 * sizes and time; nothing is decoded into the model here. */
#ifndef IPSECFW_DIRFETCH_H
#define IPSECFW_DIRFETCH_H

#include <stdbool.h>

#include "directory/dirread.h"
#include "gpipsec/dirobj.h"

#define DIR_MAX_OBJECTS 4096
#define DIR_MAX_GPOS 64
#define DIR_MAX_SOMS 64

struct dir_fetch {
	struct gp_objset set;  /* the policy's objects, ipsecData decoded */
	char policy_dn[DOMAIN_VALUE_MAX];
	char gpo_dn[DOMAIN_VALUE_MAX];
	char gpo_name[256];    /* the GPO's displayName, else its DN's first value */
	char server[DOMAIN_VALUE_MAX]; /* the URI that answered */
	char computer[DOMAIN_VALUE_MAX]; /* the host's object */
	size_t n_gpos;         /* GPOs linked above it */
	bool assigned;         /* false: no GPO assigns a policy to this host */
	bool unreachable;      /* on failure: no server answered (else bad content, or a
				* server refused: its certificate, StartTLS, the bind) */
};

/* Fills out from the first server of c that answers and binds. On failure
 * e names the server, or the object and field at fault. */
int dir_fetch(const struct domain_conf *c, struct dir_fetch *out, struct err *e);
void dir_fetch_free(struct dir_fetch *f);

struct dir_conn;
/* The DN of the host's computer object (domain.conf's computer, or the
 * one computer named hostname under base), into dn. */
int dir_find_computer(struct dir_conn *cn, const struct domain_conf *c, char *dn, size_t len,
		      struct err *e);

/* The scopes of management whose GPOs apply to computer: the containers
 * above it within base, its own first, the domain (base) last; free()d
 * by dir_soms_free. */
int dir_soms(const char *base, const char *computer, char *soms[DIR_MAX_SOMS], size_t *n,
	     struct err *e);
void dir_soms_free(char *soms[], size_t n);

#endif
