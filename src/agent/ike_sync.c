// SPDX-License-Identifier: MIT
/* ike_sync.c - charon kept in step with the negotiate rules in force. */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "ike/load.h"
#include "ike_soft.h"
#include "ike_sync.h"

/* Says a problem once, until charon is loaded well again. */
static void problem(struct agent *a, const char *why)
{
	if (strcmp(a->ike_problem, why) == 0)
		return;
	snprintf(a->ike_problem, sizeof(a->ike_problem), "%s", why);
	event_write(a->log, EV_IKE_FAILED, json_pack("{s:s}", "error", why),
		    "negotiate rules not loaded into charon: %s; their traffic stays blocked "
		    "unless inpass or soft let it through", why);
}

void ike_sync(struct agent *a)
{
	static const struct ruleset none;
	const char *url = ike_socket_default();
	const struct ruleset *rs = a->have_rules ? &a->rules : &none;
	struct ike_config cfg;
	struct ike_load_result r;
	char digest[FINGERPRINT_HEX + 1];
	struct stat st;
	struct err e;

	if (!a->have_table)
		return; /* not in secure mode: charon keeps what it has */
	ike_soft_kernel(a);
	if (stat(vici_socket_file(url), &st) < 0 && errno == ENOENT) {
		a->ike_problem[0] = 0;
		a->ike_digest[0] = 0;
		return; /* no charon here: nftables alone enforces negotiate */
	}
	if (ike_map(rs, &a->table, a->table_facts, a->soft, a->n_soft, &cfg, &e) < 0 ||
	    ike_config_digest(&cfg, digest, &e) < 0) {
		a->ike_digest[0] = 0;
		problem(a, e.msg);
		ike_config_free(&cfg);
		return;
	}
	/* charon holds this configuration already: nothing to load or say */
	if (!a->ike_problem[0] && strcmp(digest, a->ike_digest) == 0) {
		ike_config_free(&cfg);
		return;
	}
	a->ike_digest[0] = 0;
	if (ike_load(&cfg, url, &r, &e) < 0) {
		problem(a, e.msg);
		ike_config_free(&cfg);
		return;
	}
	snprintf(a->ike_digest, sizeof(a->ike_digest), "%s", digest);
	if (r.loaded || r.unloaded || r.skipped || a->ike_problem[0]) {
		a->ike_problem[0] = 0;
		event_write(a->log, EV_POLICY_APPLIED,
			    json_pack("{s:s,s:I,s:I,s:I}", "ike", "charon", "loaded",
				      (json_int_t)r.loaded, "unloaded", (json_int_t)r.unloaded,
				      "not_mapped", (json_int_t)r.skipped),
			    "charon: %zu connection(s) loaded, %zu unloaded, %zu not mapped", r.loaded,
			    r.unloaded, r.skipped);
	}
	ike_config_free(&cfg);
}

int ike_watch_open(struct agent *a, struct ike_monitor *m)
{
	const char *url = ike_socket_default();
	struct stat st;
	struct err e;

	(void)a;
	m->fd = -1;
	if (stat(vici_socket_file(url), &st) < 0)
		return -1;
	return ike_monitor_open(m, url, &e);
}

bool ike_watch_read(struct agent *a, struct ike_monitor *m)
{
	struct ike_failure f;
	struct err e;
	struct timespec now;
	char key[sizeof(f.conn) + sizeof(f.peer) + sizeof(f.reason)], then[160];
	int rc = ike_monitor_read(m, &f, &e);
	long soft;
	bool started;

	if (rc < 0)
		a->ike_digest[0] = 0; /* charon went away: load it again when it is back */
	if (rc <= 0)
		return rc == 0;
	clock_gettime(CLOCK_MONOTONIC, &now);
	soft = ike_soft_start(a, &f, &started);
	snprintf(key, sizeof(key), "%s|%s|%s", f.conn, f.peer, f.reason);
	/* charon repeats itself (retransmits, a trap firing again) */
	if (!started && strcmp(key, m->last) == 0 && now.tv_sec - m->last_s < 10)
		return true;
	snprintf(m->last, sizeof(m->last), "%s", key);
	m->last_s = now.tv_sec;
	if (soft)
		snprintf(then, sizeof(then), "soft: clear traffic with %s for %ld s, then IKE again",
			 f.peer, soft);
	else
		snprintf(then, sizeof(then), "its traffic stays blocked");
	event_write(a->log, EV_IKE_NEGOTIATION,
		    json_pack("{s:s,s:s,s:s,s:s,s:I}", "rule", f.conn, "dst", f.peer, "error",
			      f.reason, "fallback", soft ? "clear" : "blocked", "seconds",
			      (json_int_t)soft),
		    "negotiation failed%s%s%s%s: %s; %s", *f.conn ? " for " : "", f.conn,
		    *f.peer ? " with " : "", f.peer, f.reason, then);
	return true;
}
