// SPDX-License-Identifier: MIT
/* builtins.h - the objects a fresh Windows Server 2003 store holds (SPEC
 * §15): the filter lists All IP Traffic and All ICMP Traffic, the filter
 * actions Permit, Request Security (Optional) and Require Security, and the
 * three unassigned default policies, with Microsoft's GUIDs. */
#ifndef IPSECFW_BUILTINS_H
#define IPSECFW_BUILTINS_H

#include <stdbool.h>
#include <stdio.h>

#include "store.h"

/* Creates whichever built-in objects the store lacks (found by GUID),
 * leaving every existing object alone. Fails, writing nothing, when another
 * object holds a built-in's name. When report is not NULL, writes a line per
 * object it created. Returns how many it created, or -1. Call inside a
 * transaction. */
int db_builtins_restore(struct db *db, enum store_kind s, FILE *report, struct err *e);

/* Does the store hold every built-in object exactly as it is created (names,
 * settings, filters, rules; assignment aside)? 1 yes, 0 no, -1 error. */
int db_builtins_pristine(struct db *db, enum store_kind s, struct err *e);

/* Is guid one of the built-in objects' (filter lists, filter actions,
 * policies)? */
bool builtin_guid(const char *guid);

#endif
