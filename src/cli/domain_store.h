// SPDX-License-Identifier: MIT
/* domain_store.h - `set store location=domain` against the domain's
 * directory (SPEC §16): the session's static commands run on a scratch
 * database holding the directory's IPSec objects, with the local store's
 * validation; each committing transaction writes its change back with
 * dir_write (a reader sees each policy whole, old or new). Connection
 * settings come from domain.conf ($IPSECFW_DOMAIN_CONF, else
 * /etc/ipsecfw/domain.conf; without one, or with the variable set empty,
 * the domain store is the database's, the agent's cached copy). */
#ifndef IPSECFW_CLI_DOMAIN_STORE_H
#define IPSECFW_CLI_DOMAIN_STORE_H

#include "directory/dirread.h"
#include "lang/session.h"

void domain_store_install(struct session *s);

/* The configuration the CLI uses: 1 and *c, 0 when none is configured. */
int domain_store_conf(struct domain_conf *c, struct err *e);

/* ipsecfw gpo show|assign|unassign ...: GPMC's IPSec part (gpo.h). */
int cmd_gpo(int argc, char **argv, bool json);

#endif
