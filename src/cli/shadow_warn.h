// SPDX-License-Identifier: MIT
/* shadow_warn.h - the warning of `add filter` for a filter that is shadowed
 * at once in the policy in force (SPEC §14 analysis). */
#ifndef IPSECFW_SHADOW_WARN_H
#define IPSECFW_SHADOW_WARN_H

#include "lang/session.h"
#include "sys/facts.h"

/* A session hook (after_filters_added); hook_ctx is a facts_sources. */
void shadow_warn(struct session *s, const int64_t *ids, size_t n);

#endif
