// SPDX-License-Identifier: MIT
/* dirwatch.h - being told when the directory changes (SPEC §16: sooner
 * than polling, never later). A watch is one connection to the first
 * server of domain.conf that answers (dirconn.h: the same TLS and bind)
 * and a way of watching that its root DSE offers, tried in order: RFC
 * 4533 content synchronisation (OpenLDAP's syncprov), then Active
 * Directory's change notification (AD, Samba): a struct dir_watch_method
 * each in dirwatch.c's table (dirwatch_impl.h).
 *
 * The agent polls the watch's fd in its loop and calls dir_watch_read
 * when it is readable: changed() is called for each change to the
 * objects that decide the host's policy (the caller debounces and
 * fetches again). A watch never says what changed: the fetch reads it
 * all, so a watch only has to be early, never right. */
#ifndef IPSECFW_DIRWATCH_H
#define IPSECFW_DIRWATCH_H

#include "directory/domainconf.h"

struct dir_watch;
typedef void (*dir_watch_changed_fn)(void *ctx);

/* 1 and *out watching; 0 when the server that answered offers no way of
 * watching (the caller polls); -1 when no server answered or the watch
 * could not start (e says why). *refused as dir_connect says. */
int dir_watch_open(struct dir_watch **out, const struct domain_conf *c,
		   dir_watch_changed_fn changed, void *ctx, bool *refused, struct err *e);
/* The descriptor to poll for input. */
int dir_watch_fd(const struct dir_watch *w);
/* Reads what the server sent (never blocks). 0 while the watch holds, -1
 * when it is lost (the server went away or ended it: e says why; close
 * it, fetch again and open another). */
int dir_watch_read(struct dir_watch *w, struct err *e);
/* Whether the server accepted the watch (for RFC 4533: the refresh
 * ended); a watch lost before that was refused, not interrupted. */
bool dir_watch_established(const struct dir_watch *w);
/* "URI (method)", for messages. */
const char *dir_watch_describe(const struct dir_watch *w);
void dir_watch_close(struct dir_watch *w);

#endif
