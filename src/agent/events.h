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

enum event_id {
	EV_DROP_IN = 4280,   /* inbound packets dropped (aggregated) */
	EV_DROP_OUT = 4281,  /* outbound packets dropped (aggregated) */
	EV_MALFORMED = 4282, /* logged packets the agent could not parse */
	EV_IKE_LOADED = 4286, /* negotiate rules loaded into charon over VICI */
	EV_IKE_FAILED = 4287, /* charon refused them or could not be reached */
	EV_IKE_NEGOTIATION = 4288, /* a negotiation failed: connection, peer, reason */
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

/* Opens dir/events.log for appending (creating dir). */
int event_log_open(struct event_log **out, const char *dir, enum event_echo echo,
		   struct err *e);
void event_log_close(struct event_log *l);

/* Records event id with its fields (a JSON object, stolen) and a message.
 * Adds "id" and "time" (now, unless fields has it). A record that cannot
 * be written is reported on stderr: events never stop the agent. */
void event_write(struct event_log *l, enum event_id id, json_t *fields, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* "2026-11-25T10:00:00Z" */
void event_time_format(long long unix_seconds, char *buf, size_t len);

#endif
