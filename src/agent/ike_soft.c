// SPDX-License-Identifier: MIT
/* ike_soft.c - soft rules' fallbacks to clear: started on a peer that
 * never answered, ended when their time is up. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend/kernel.h"
#include "sys/safefile.h"
#include "ike_soft.h"
#include "ike_sync.h"

static long long now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/* Unix time minus CLOCK_MONOTONIC, rounded to the second: one offset for
 * both ways, so a time saved and restored comes back the same (two clocks
 * each cut to whole seconds drifted a fallback's end by up to 2 s). */
static long long wall_offset(void)
{
	struct timespec w, m;
	long long ns;

	clock_gettime(CLOCK_REALTIME, &w);
	clock_gettime(CLOCK_MONOTONIC, &m);
	ns = (long long)(w.tv_sec - m.tv_sec) * 1000000000LL + (w.tv_nsec - m.tv_nsec);
	return (ns + 500000000LL) / 1000000000LL;
}

/* A CLOCK_MONOTONIC time as Unix seconds. */
static long long wall_of(long long mono)
{
	return mono + wall_offset();
}

static void file_of(const struct agent *a, char *buf, size_t len)
{
	snprintf(buf, len, "%s/" SOFT_FILE, enforce_run_dir(&a->ctx));
}

json_t *ike_soft_json(const struct ike_fallback *fb, size_t n)
{
	json_t *list = json_array();
	long long now = now_s();

	for (size_t i = 0; i < n; i++) {
		char since[32], until[32];
		event_time_format(wall_of(fb[i].since), since, sizeof(since));
		event_time_format(wall_of(fb[i].until), until, sizeof(until));
		json_array_append_new(list, json_pack("{s:s,s:s,s:s,s:s,s:I}", "peer", fb[i].peer,
						      "rule", fb[i].conn, "since", since, "until",
						      until, "seconds_left",
						      (json_int_t)(fb[i].until > now ? fb[i].until - now : 0)));
	}
	return list;
}

/* The fallbacks into the run directory, so that an agent started again
 * keeps them (the set elements outlive the agent). */
static void save(struct agent *a)
{
	json_t *list = json_array();
	char path[4096], *text;
	struct err e;

	for (size_t i = 0; i < a->n_soft; i++)
		json_array_append_new(list, json_pack("{s:s,s:s,s:I,s:I}", "rule", a->soft[i].conn,
						      "peer", a->soft[i].peer, "since",
						      (json_int_t)wall_of(a->soft[i].since), "until",
						      (json_int_t)wall_of(a->soft[i].until)));
	text = json_dumps(list, JSON_COMPACT);
	json_decref(list);
	file_of(a, path, sizeof(path));
	if (!text || safe_write_file(path, text, strlen(text), &e) < 0)
		event_write(a->log, EV_IKE_FAILED, json_pack("{s:s}", "error", text ? e.msg : "out of memory"),
			    "soft fallbacks to clear not saved: %s; an agent started again ends "
			    "them at once", text ? e.msg : "out of memory");
	free(text);
}

void ike_soft_restore(struct agent *a)
{
	char path[4096];
	long long wall = (long long)time(NULL), offset = wall_offset();
	json_t *list, *j;
	size_t i;
	struct err e;
	FILE *f;

	file_of(a, path, sizeof(path));
	if (!(f = safe_fopen_read(path, &e)))
		return;
	list = json_loadf(f, 0, NULL);
	fclose(f);
	a->n_soft = 0;
	json_array_foreach (list, i, j) {
		const char *conn = json_string_value(json_object_get(j, "rule"));
		const char *peer = json_string_value(json_object_get(j, "peer"));
		long long since = json_integer_value(json_object_get(j, "since"));
		long long until = json_integer_value(json_object_get(j, "until"));
		struct ike_fallback *fb;
		if (!conn || !peer || until <= wall ||
		    a->n_soft == sizeof(a->soft) / sizeof(a->soft[0]))
			continue;
		fb = &a->soft[a->n_soft++];
		snprintf(fb->conn, sizeof(fb->conn), "%.63s", conn);
		snprintf(fb->peer, sizeof(fb->peer), "%.63s", peer);
		fb->since = since - offset;
		fb->until = until - offset;
	}
	json_decref(list);
}

/* How long a fallback of connection conn lasts: 0 when it is no soft
 * rule's connection in force. */
static long soft_seconds(struct agent *a, const char *conn)
{
	static const struct ruleset none;
	struct ike_config cfg;
	struct err e;
	long secs = 0;

	if (!a->have_table ||
	    ike_map(a->have_rules ? &a->rules : &none, &a->table, a->table_facts, NULL, 0, &cfg,
		    &e) < 0)
		return 0;
	for (size_t i = 0; i < cfg.n; i++)
		if (cfg.conns[i].mapped && strcmp(cfg.conns[i].name, conn) == 0)
			secs = cfg.conns[i].soft_seconds;
	ike_config_free(&cfg);
	return secs;
}

long ike_soft_start(struct agent *a, const struct ike_failure *f, bool *started)
{
	struct ike_fallback *fb;
	long secs;

	*started = false;
	if (!f->unanswered || !*f->peer || !*f->conn)
		return 0;
	/* already in clear (charon says it twice, or a negotiation started
	 * before the fallback) */
	for (size_t i = 0; i < a->n_soft; i++)
		if (!strcmp(a->soft[i].conn, f->conn) && !strcmp(a->soft[i].peer, f->peer))
			return (long)(a->soft[i].until - now_s());
	if (a->n_soft == sizeof(a->soft) / sizeof(a->soft[0]) ||
	    (secs = soft_seconds(a, f->conn)) <= 0)
		return 0;
	fb = &a->soft[a->n_soft++];
	snprintf(fb->conn, sizeof(fb->conn), "%.63s", f->conn);
	snprintf(fb->peer, sizeof(fb->peer), "%s", f->peer);
	fb->since = now_s();
	fb->until = fb->since + secs;
	*started = true;
	save(a);
	ike_sync(a); /* charon's pass policies, then the peer in the set */
	return secs;
}

void ike_soft_expire(struct agent *a)
{
	long long now = now_s();
	size_t kept = 0;
	bool ended = false;

	for (size_t i = 0; i < a->n_soft; i++) {
		const struct ike_fallback *fb = &a->soft[i];
		if (fb->until > now) {
			a->soft[kept++] = *fb;
			continue;
		}
		ended = true;
		event_write(a->log, EV_POLICY_APPLIED,
			    json_pack("{s:s,s:s,s:s,s:s}", "ike", "soft", "rule", fb->conn, "dst",
				      fb->peer, "fallback", "ended"),
			    "soft fallback to clear with %s ended (%s): the next packet negotiates "
			    "again",
			    fb->peer, fb->conn);
	}
	a->n_soft = kept;
	if (ended) {
		save(a);
		ike_sync(a);
	}
}

void ike_soft_kernel(struct agent *a)
{
	struct kernel_table kt;
	char cmds[sizeof(a->soft) / sizeof(a->soft[0]) * 160] = "";
	long long now = now_s();
	size_t used = 0;
	struct err e;

	if (!a->n_soft || kernel_table_read(&kt, &e) < 0)
		return;
	for (size_t i = 0; kt.loaded && i < a->n_soft; i++) {
		uint8_t bytes[16];
		bool v6 = inet_pton(AF_INET6, a->soft[i].peer, bytes) == 1;
		long long left = a->soft[i].until - now;
		if (left <= 0 || (!v6 && inet_pton(AF_INET, a->soft[i].peer, bytes) != 1))
			continue;
		used += (size_t)snprintf(cmds + used, sizeof(cmds) - used,
					 "add element " NFT_TABLE_FAMILY " " NFT_TABLE_NAME
					 " %c_" SOFT_PEERS "%c { %s timeout %llds }\n",
					 kt.slot, v6 ? '6' : '4', a->soft[i].peer, left);
	}
	kernel_table_free(&kt);
	if (used && kernel_run(cmds, &e) < 0)
		event_write(a->log, EV_IKE_FAILED, json_pack("{s:s}", "error", e.msg),
			    "soft fallback to clear: the peers could not be put in nftables' set: "
			    "%s; their clear traffic stays blocked inbound",
			    e.msg);
}

long long ike_soft_next(const struct agent *a)
{
	long long next = 0;

	for (size_t i = 0; i < a->n_soft; i++)
		if (!next || a->soft[i].until < next)
			next = a->soft[i].until;
	return next;
}
