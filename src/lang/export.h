// SPDX-License-Identifier: MIT
/* export.h - writes the current store as a netsh script (SPEC §2.7, §9):
 * importing it into an empty store and exporting again gives the same
 * bytes, so a policy can live in version control. */
#ifndef IPSECFW_EXPORT_H
#define IPSECFW_EXPORT_H

#include <stdio.h>

#include "session.h"

int export_store(struct session *s, FILE *out, struct err *e);

#endif
