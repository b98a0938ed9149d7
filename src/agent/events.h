// SPDX-License-Identifier: MIT
/* events.h - the agent's event records (SPEC §7.3): each goes to the
 * journal, with its fields as IPSECFW_* journal fields, and as one JSON
 * line to the log directory's events.log, which `ipsecfw log export`
 * reads. */
#ifndef IPSECFW_EVENTS_H
#define IPSECFW_EVENTS_H

#include <jansson.h>
#include <stdbool.h>

#include "model/err.h"

#define LOG_DIR_DEFAULT "/var/log/ipsecfw"
#define EVENTS_FILE "events.log"
/* events.log is rotated when it reaches this size, keeping this many old
 * ones (events.log.1 the newest), as dist/ipsecfw.logrotate does weekly. */
#define EVENTS_MAX_BYTES (8LL << 20)
#define EVENTS_KEEP 4

enum event_id {
	EV_DROP_IN = 4280,   /* inbound packets dropped (aggregated) */
	EV_DROP_OUT = 4281,  /* outbound packets dropped (aggregated) */
	EV_MALFORMED = 4282, /* logged packets the agent could not parse */
	EV_NO_STORE = 4283,  /* no store at start: the kernel keeps its table */
	EV_DROPS_SUPPRESSED = 4284, /* drops past an interval's record cap, counted */
	/* The host facts became unreadable: secure mode fails closed for
	 * local addresses they did not list ("state":"entered"), until they
	 * can be read again ("state":"left"). */
	EV_FACTS_UNREADABLE = 4285,
	/* The kernel's table was changed outside ipsecfw (nft flush ruleset,
	 * a deleted element) and the agent loaded the policy again. */
	EV_IKE_NEGOTIATION = 4286, /* a negotiation failed: connection, peer, reason */
	EV_IKE_FAILED = 4287, /* charon refused the negotiate rules or could not be reached */
	EV_KERNEL_RESTORED = 4288,
	/* The agent stopped for a restart (systemctl restart, SIGUSR2): the
	 * rules stay in force, unlike a manual stop (4293). */
	EV_HANDOVER = 4289,
	EV_STARTUP = 4290,   /* a startup mode */
	EV_SECURE = 4291,    /* operational secure mode */
	EV_BLOCK = 4292,     /* operational block mode: the persistent policy failed */
	EV_PERMIT = 4293,    /* operational permit mode: the agent was stopped */
	/* The Policy Agent's outcomes (SPEC §8). */
	EV_POLICY_APPLIED = 4294,
	EV_POLICY_FAILED = 4295,
	EV_POLICY_CACHED = 4296, /* the domain store's cached copy is in force */
	EV_REFUSED = 4297,       /* input the agent refused, and why */
	/* Safe assign (confirm=SECONDS): how the wait ended. */
	EV_ASSIGN_ROLLED_BACK = 4298,
	EV_ASSIGN_CONFIRMED = 4299,
};

struct event_log;

/* Where each event goes besides dir/events.log. */
enum event_echo {
	ECHO_JOURNAL, /* the journal, with its fields */
	ECHO_STDERR,  /* one line on stderr (the agent outside systemd) */
	ECHO_NONE,
};

/* Opens dir/events.log for appending (creating dir 0700 and the file
 * 0600); a folder or file someone else could have written is refused. */
int event_log_open(struct event_log **out, const char *dir, enum event_echo echo,
		   struct err *e);
/* Rotates at max_bytes instead of EVENTS_MAX_BYTES, keeping keep old files. */
void event_log_limit(struct event_log *l, long long max_bytes, int keep);
void event_log_close(struct event_log *l);

/* Records event id with its fields (a JSON object, stolen) and a message.
 * Adds "id" and "time" (now, unless fields has it). A record that cannot
 * be written is reported on stderr: events never stop the agent. */
void event_write(struct event_log *l, enum event_id id, json_t *fields, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* "2026-11-25T10:00:00Z" */
void event_time_format(long long unix_seconds, char *buf, size_t len);

#endif
