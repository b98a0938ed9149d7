// SPDX-License-Identifier: MIT
/* watch.h - what tells the agent that the policy's inputs may have moved:
 * rtnetlink address, route and link events, nftables commits that change
 * our table made by another process (while the agent listens), and inotify on the store's
 * directory (and, for a store behind a symlink, the directory of its
 * target, followed when the link is pointed elsewhere) and the
 * directories of the facts files (sys/facts.h). The
 * watcher only says "something changed"; the agent then re-reads the
 * change counter and the facts, which are the truth. */
#ifndef IPSECFW_WATCH_H
#define IPSECFW_WATCH_H

#include <stdbool.h>

#include "model/err.h"

struct watch;

/* db_path: the store; facts_root: prefix of the facts files ("" = /). */
int watch_open(struct watch **out, const char *db_path, const char *facts_root, struct err *e);
void watch_close(struct watch *w);

int watch_netlink_fd(const struct watch *w);
int watch_inotify_fd(const struct watch *w);
int watch_nft_fd(const struct watch *w);

/* Drain a readable descriptor; true if it reported anything relevant. */
bool watch_netlink_read(struct watch *w);
bool watch_inotify_read(struct watch *w);
/* True when another process changed our table (or events were lost). */
bool watch_nft_read(struct watch *w);

/* Joins (on) or leaves the nftables group; the watch starts out of it.
 * While anyone in the namespace listens, the kernel builds a message per
 * set element of every commit there (nf_tables_setelem_notify: half of a
 * 100,000-filter load), so the agent listens only while it waits, and
 * compares the ruleset generation after joining again. Joining drops
 * what was queued before. */
int watch_nft_hear(struct watch *w, bool on, struct err *e);
bool watch_nft_hearing(const struct watch *w);

#endif
