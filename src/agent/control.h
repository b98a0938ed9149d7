// SPDX-License-Identifier: MIT
/* control.h - the agent's Unix socket: `ipsecfw dynamic ...` sends one
 * request line and reads one reply line (JSON both). The request is
 * {"line": cmd, "json": bool} or, for several commands applied as one
 * change (ipsecpol's dynamic mode), {"lines": [cmd, ...], "json": bool};
 * the reply is {"rc", "out", "err", "error", "col", "line"}, "line" being
 * the index of the command that failed. Only root may talk to it (the
 * peer's credentials are checked); a client that does not finish its
 * request in time is cut off; too many at once are turned away. */
#ifndef IPSECFW_CONTROL_H
#define IPSECFW_CONTROL_H

#include <stddef.h>

#include "model/err.h"

#define CONTROL_SOCKET "agent.sock"

enum { CONTROL_REQUEST_MAX = 64 * 1024 }; /* bytes, with the newline */

/* Answers one request; *reply is malloc'd (the control frees it). */
typedef void (*control_handler)(void *ctx, const char *request, size_t len, char **reply);
/* Told of what was refused and why (not root, malformed, too slow). */
typedef void (*control_refusal)(void *ctx, const char *why);

struct control;

int control_open(struct control **out, const char *path, control_handler h,
		 control_refusal refused, void *ctx, struct err *e);
/* One descriptor for the caller's event loop; readable when there is work. */
int control_fd(const struct control *c);
/* Accepts, reads, answers and times out, without blocking. */
void control_dispatch(struct control *c);
void control_close(struct control *c);

#endif
