// SPDX-License-Identifier: MIT
/* domain_sync.h - the agent's side of the domain store (SPEC §8, §16):
 * fetch the host's assigned policy from the directory, validate it, keep
 * it as the domain store of the local database (the cached copy, written
 * in one transaction), and say what happened as events: 4294 (the
 * directory's policy applied, from reconcile), 4295 (the directory's
 * objects refused, naming the object and field), 4296 (the cached copy
 * stays in force).
 *
 * Between fetches it follows the directory (dirwatch.h) where the server
 * offers a way: a change is fetched DEBOUNCE_MS after the last one seen
 * (one fetch for a write of many objects), and the poll interval still
 * bounds the wait. A watch lost, or a fetch no server answered, is tried
 * again after 1, 2, 4 ... BACKOFF_MAX_S seconds (never later than the poll
 * interval); each new watch is followed by a full fetch. A watch the
 * server ends before accepting it is not tried again before the next
 * poll interval (polling meanwhile). */
#ifndef IPSECFW_DOMAIN_SYNC_H
#define IPSECFW_DOMAIN_SYNC_H

#include <jansson.h>
#include <stdbool.h>

#include "agent.h"
#include "directory/domainconf.h"
#include "directory/dirwatch.h"

struct domain_sync {
	struct domain_conf conf;
	int poll_override_s; /* --domain-poll; 0: conf's poll, else the policy's */
	bool failing;        /* the last fetch failed (4296 said once per outage) */
	bool first;          /* no fetch yet */
	bool unreachable;    /* the last fetch reached no server */
	char last_error[512];
	struct dir_watch *watch; /* NULL: polling only */
	unsigned watch_generation; /* one more at each watch opened */
	int backoff_s;       /* 0, else the wait before the next try */
	long long watch_after_ms; /* a watch the server refused: not again before */
	long long change_first_ms, change_last_ms; /* changes not yet fetched */
};

/* Reads the configuration at path. 0 and *enabled false when it is the
 * default path and missing (no domain); an explicit one must exist. */
int domain_sync_init(struct domain_sync *d, const char *path, bool explicit_path,
		     int poll_override_s, bool *enabled, struct err *e);

/* One fetch. 1 when the cached copy changed (the caller reconciles), 0
 * when not, -1 when the fetch failed (the cached copy stays). */
int domain_sync_run(struct domain_sync *d, struct agent *a);

/* Seconds to the next fetch: the override, conf's poll, else the cached
 * policy's pollinginterval (0 minutes meaning 180, SPEC §8). */
int domain_sync_interval(const struct domain_sync *d, struct agent *a);

/* After a fetch (rc of domain_sync_run): opens a watch when none is
 * open and a server answered; the milliseconds to the next fetch. */
long long domain_sync_schedule(struct domain_sync *d, struct agent *a, int rc);

/* The watch's descriptor for the loop, -1 without one; *generation
 * changes when a new watch replaced the last (its descriptor is new). */
int domain_sync_watch_fd(const struct domain_sync *d, unsigned *generation);

/* The watch's descriptor is readable: the milliseconds to the next fetch
 * (a change seen, or the watch lost), or -1 to keep the timer as it is. */
long long domain_sync_watch_read(struct domain_sync *d, struct agent *a);

/* What the agent does with the directory now (the control socket's
 * {"status": "domain"}, read by ipsecfw show mode): "following" the
 * server and method it is told of changes by (null: polling only),
 * "poll" the seconds between full fetches, "server" that answered last,
 * and "cached" (the policy and the reason) while the last fetch failed
 * and the cached copy stays in force. */
json_t *domain_sync_status(const struct domain_sync *d, struct agent *a);

void domain_sync_close(struct domain_sync *d);

#endif
