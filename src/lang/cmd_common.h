// SPDX-License-Identifier: MIT
/* cmd_common.h - helpers the netsh command handlers share: finding named
 * objects of the current store with clear "not found" errors, checking new
 * names, and reading authentication methods in command-line order. */
#ifndef IPSECFW_CMD_COMMON_H
#define IPSECFW_CMD_COMMON_H

#include "session.h"
#include "show.h"

/* Each reads name= (or guid= when declared) and fails with a message
 * naming the tag when the object does not exist. */
int cmd_find_policy(struct session *s, struct bound *b, const char *tag, struct policy *out,
		    struct err *e);
int cmd_find_filterlist(struct session *s, struct bound *b, const char *tag,
			struct filterlist *out, struct err *e);
int cmd_find_filteraction(struct session *s, struct bound *b, const char *tag,
			  struct filteraction *out, struct err *e);

/* A new or changed name: not empty, not "all", not taken (exists = 1). */
int cmd_check_name(struct bound *b, const char *tag, const char *name, int exists,
		   const char *kind, struct err *e);

/* Is the positional name the keyword `all`? */
bool cmd_is_all(const char *name);

/* Reads kerberos=, psk=, rootca= in the order given into auth (left
 * alone when none is given). Returns 1 when something was given. */
int cmd_read_auth(struct bound *b, char *auth, size_t cap, struct err *e);

/* Reads description= into dst when given. */
int cmd_read_description(struct bound *b, char *dst, size_t cap, struct err *e);

/* Rules of the store whose rule name is name (show filterlist rule=). */
int cmd_rules_named(struct session *s, const char *name, struct rule **out, size_t *n,
		    struct err *e);

/* A tunnel endpoint tag: one IP address or a host name resolved now, kept
 * as text; "" (the tag given empty) makes a transport rule. */
int cmd_read_tunnel(struct session *s, struct bound *b, const char *tag, char *out, size_t cap,
		    struct err *e);

#endif
