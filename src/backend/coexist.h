// SPDX-License-Identifier: MIT
/* coexist.h - other tables on our hooks. ipsecfw never touches them, but a
 * drop in any of them overrides an accept of ours: say so. */
#ifndef IPSECFW_COEXIST_H
#define IPSECFW_COEXIST_H

#include "model/err.h"

typedef void (*coexist_warn_fn)(void *ctx, const char *msg);

/* Calls warn once per foreign table that hooks input or output and can
 * drop (a drop policy, or a drop or reject rule). Returns how many. */
int coexist_scan(coexist_warn_fn warn, void *ctx, struct err *e);

#endif
