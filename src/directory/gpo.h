// SPDX-License-Identifier: MIT
/* gpo.h - what GPMC does for IPSec, as an ipsecfw extension: a GPO's
 * machine IPSEC object (CN=IPSEC,CN=Windows,CN=Microsoft,CN=Machine,<GPO>,
 * an ipsecPolicy whose ipsecOwnersReference names the assigned policy:
 * MS-GPIPSEC §2.2.1, what dir_fetch reads), IPSec's client-side extension
 * in the GPO's gPCMachineExtensionNames, and the GPO's versionNumber
 * bumped (its computer half) so clients see a change. The GPO's file part
 * in SYSVOL is not touched. */
#ifndef IPSECFW_GPO_H
#define IPSECFW_GPO_H

#include "directory/dirread.h"

#define DIR_GPO_IPSEC "CN=IPSEC,CN=Windows,CN=Microsoft,CN=Machine,"
#define DIR_GPO_CONTAINER "CN=Policies,CN=System,"

struct dir_gpo {
	char dn[DOMAIN_VALUE_MAX];
	char name[256];          /* displayName, else the cn */
	char policy_dn[DOMAIN_VALUE_MAX]; /* "" when it assigns none */
	char policy_name[256];
	long version;
};

/* The GPO named gpo (its DN, displayName or cn) under base's Policies. */
int dir_gpo_find(struct dir_conn *cn, const char *base, const char *gpo, char *dn, size_t len,
		 struct err *e);
/* Assigns the policy at policy_dn (an ipsecPolicy) to the GPO at gpo_dn. */
int dir_gpo_assign(struct dir_conn *cn, const char *gpo_dn, const char *policy_dn,
		   struct err *e);
/* 1 when the GPO assigned a policy and no longer does, 0 when it assigned none. */
int dir_gpo_unassign(struct dir_conn *cn, const char *gpo_dn, struct err *e);
/* Every GPO under base's Policies with what it assigns, by name. */
int dir_gpo_list(struct dir_conn *cn, const char *base, struct dir_gpo **out, size_t *n,
		 struct err *e);

#endif
