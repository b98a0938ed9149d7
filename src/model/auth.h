// SPDX-License-Identifier: MIT
/* auth.h - IKE authentication methods of a rule, in preference order
 * (SPEC §2.6): kerberos, a preshared key, or root CAs. Stored as one text,
 * an entry a line: "kerberos", "psk:<key>" or "rootca:<spec>". */
#ifndef IPSECFW_AUTH_H
#define IPSECFW_AUTH_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

struct auth_builder {
	char *buf;
	size_t cap;
	bool any; /* an entry was given */
};

void auth_begin(struct auth_builder *b, char *buf, size_t cap);
/* kerberos=yes adds kerberos, kerberos=no adds nothing. */
int auth_add_kerberos(struct auth_builder *b, bool yes, struct err *e);
int auth_add_psk(struct auth_builder *b, const char *key, struct err *e);
/* "<cert> certmap:(yes|no) excludecaname:(yes|no)"; \' stands for ". */
int auth_add_rootca(struct auth_builder *b, const char *spec, struct err *e);
/* Leaves the text untouched when no entry was given; "kerberos" if all
 * entries said no. */
void auth_end(struct auth_builder *b);

/* Calls fn(kind, value) for each entry: kind "kerberos", "psk" or "rootca". */
void auth_each(const char *text, void (*fn)(const char *kind, const char *value, void *ctx),
	       void *ctx);

#endif
