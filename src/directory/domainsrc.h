// SPDX-License-Identifier: MIT
/* domainsrc.h - where the domain store's cached copy came from: the GPO,
 * the policy's DN, the server and when it was fetched, kept in the
 * database's meta table beside the copy (written in the same
 * transaction by the agent, read by show gpoassignedpolicy and show mode). */
#ifndef IPSECFW_DOMAINSRC_H
#define IPSECFW_DOMAINSRC_H

#include "store/store.h"

struct domain_source {
	char gpo[1024];     /* the GPO's DN */
	char gponame[256];  /* its displayName */
	char policydn[1024];
	char server[1024];  /* the URI that answered */
	char fetched[32];   /* UTC, ISO 8601 */
	char digest[17];    /* of what was fetched: unchanged means no rewrite */
};

/* 1 when the agent has cached a fetch, 0 when not, -1 on error. */
int domain_source_get(struct db *db, struct domain_source *out, struct err *e);
/* Inside the caller's transaction. */
int domain_source_set(struct db *db, const struct domain_source *s, struct err *e);

#endif
