// SPDX-License-Identifier: MIT
/* resolve.h - the system resolver (getaddrinfo), used once when a filter
 * names a host (SPEC §1.1 rule 4). */
#ifndef IPSECFW_RESOLVE_H
#define IPSECFW_RESOLVE_H

#include <stddef.h>

#include "model/addr.h"
#include "model/err.h"

/* Unique addresses of name, sorted (IPv4 first), as host prefixes. */
int resolve_host(const char *name, struct ip_prefix *out, size_t max, size_t *n, struct err *e);

#endif
