/* domain_sync.h - the agent's side of the domain store (SPEC §8, §16):
 * fetch the host's assigned policy from the directory, validate it, keep
 * it as the domain store of the local database (the cached copy, written
 * in one transaction), and say what happened as events: 4294 (the
 * directory's policy applied, from reconcile), 4295 (the directory's
 * objects refused, naming the object and field), 4296 (the cached copy
 * stays in force). */
#ifndef IPSECFW_DOMAIN_SYNC_H
#define IPSECFW_DOMAIN_SYNC_H

#include <stdbool.h>
#include <time.h>

#include "agent.h"
#include "directory/adnotify.h"
#include "directory/domainconf.h"

struct domain_sync {
	struct domain_conf conf;
	int poll_override_s; /* --domain-poll; 0: conf's poll, else the policy's */
	bool failing;        /* the last fetch failed (4296 said once per outage) */
	bool first;          /* no fetch yet */
	char last_error[512];
	struct ad_notify *notify; /* AD change notification, when the server offers it */
	unsigned notify_opened;   /* counts the opens: the loop adds each new fd */
	char notify_computer[DOMAIN_VALUE_MAX]; /* whose SOMs it watches */
	char notify_error[512];   /* said once */
	time_t notify_retry_at;  /* not opened again before */
};

/* Reads the configuration at path. 0 and *enabled false when it is the
 * default path and missing (no domain); an explicit one must exist. */
int domain_sync_init(struct domain_sync *d, const char *path, bool explicit_path,
		     int poll_override_s, bool *enabled, struct err *e);

/* One fetch. 1 when the cached copy changed (the caller reconciles), 0
 * when not, -1 when the fetch failed (the cached copy stays). */
int domain_sync_run(struct domain_sync *d, struct agent *a);

/* The change notification's descriptor, or -1: the loop watches it and
 * calls domain_sync_notified when it is readable; true means fetch now
 * (after a short debounce). */
int domain_sync_notify_fd(const struct domain_sync *d);
bool domain_sync_notified(struct domain_sync *d);
void domain_sync_close(struct domain_sync *d);

/* Seconds to the next fetch: the override, conf's poll, else the cached
 * policy's pollinginterval (0 minutes meaning 180, SPEC §8). */
int domain_sync_interval(const struct domain_sync *d, struct agent *a);

#endif
