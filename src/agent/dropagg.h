/* dropagg.h - dropped packets aggregated per log interval (SPEC §7.2): one
 * record per (direction, reason, addresses, protocol, ports, filter), with
 * a count and the first and last times, flushed as events each interval
 * or when DROPAGG_MAX keys are pending. */
#ifndef IPSECFW_DROPAGG_H
#define IPSECFW_DROPAGG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "events.h"

enum { DROPAGG_MAX = 1024 };

/* One dropped packet, attributed. */
struct drop {
	bool inbound;
	bool malformed; /* the agent could not parse it: only detail is set */
	char reason[24]; /* block-filter, negotiate-required, boot-block, ... */
	uint8_t family, proto;
	uint8_t src[16], dst[16];
	int sport, dport;     /* -1: none (no ports, or a later fragment) */
	char filter[40];      /* the deciding filter's GUID, "" for mode drops */
	char rule[256], policy[256], store[16];
	char detail[64];      /* malformed: why */
};

struct drop_record {
	struct drop d;
	uint64_t count;
	long long first, last; /* unix seconds */
};

struct dropagg {
	struct drop_record recs[DROPAGG_MAX];
	size_t n;
	uint64_t total; /* every drop added, flushed or not */
};

/* Counts d at time now. Returns true when the table is full and must be
 * flushed now. */
bool dropagg_add(struct dropagg *a, const struct drop *d, long long now);

/* Writes a 4280/4281/4282 event per record and empties a. */
void dropagg_flush(struct dropagg *a, struct event_log *log);

#endif
