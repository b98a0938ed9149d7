// SPDX-License-Identifier: MIT
/* dropagg.h - dropped packets aggregated per log interval (SPEC §7.2): one
 * record per (direction, reason, addresses, protocol, ports, filter), with
 * a count and the first and last times, flushed as events each interval.
 * An interval writes DROPAGG_MAX records at most, whatever the traffic: a
 * flood with random ports fills the DROPAGG_EXACT keyed records, then
 * counts on in records without ports; past DROPAGG_MAX it is only counted
 * (one "suppressed" event). */
#ifndef IPSECFW_DROPAGG_H
#define IPSECFW_DROPAGG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "events.h"

enum { DROPAGG_MAX = 1024, DROPAGG_EXACT = 896 };

/* The ports of a record that stands for many (sport and dport). */
enum { DROP_PORTS_FOLDED = -2 };

/* One dropped packet, attributed. */
struct drop {
	bool inbound;
	bool malformed; /* the agent could not parse it: only detail is set */
	char reason[24]; /* block-filter, negotiate-required, boot-block, ... */
	uint8_t family, proto;
	uint8_t src[16], dst[16];
	int sport, dport;     /* -1: none (no ports, or a later fragment); or FOLDED */
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
	size_t n, n_exact;
	uint64_t total; /* every drop added, flushed or not */
	uint64_t suppressed; /* past DROPAGG_MAX records this interval */
	long long suppressed_first, suppressed_last;
};

/* Counts d at time now, in its own record, one without its ports, or
 * among the suppressed. */
void dropagg_add(struct dropagg *a, const struct drop *d, long long now);

/* Writes a 4280/4281/4282 event per record (and a 4284 for what was
 * suppressed) and empties a. */
void dropagg_flush(struct dropagg *a, struct event_log *log);

#endif
