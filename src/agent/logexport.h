// SPDX-License-Identifier: MIT
/* logexport.h - the agent's event log (events.h) exported for other tools
 * (SPEC §7.4): the W3C extended log format with a fixed #Fields: line (or
 * Log Parser's 15 event-log fields), CSV, or a JSON array. */
#ifndef IPSECFW_LOGEXPORT_H
#define IPSECFW_LOGEXPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "model/err.h"

enum export_format { EXPORT_W3C, EXPORT_CSV, EXPORT_JSON };

struct export_opts {
	enum export_format format;
	bool evt_fields;        /* Log Parser's EVT fields instead of ours */
	long long since, until; /* unix seconds, inclusive; LLONG_MIN/MAX: open */
	bool header;            /* W3C directives or the CSV header line */
	const char *computer;   /* ComputerName for evt_fields */
};

/* The #Fields: line (without "#Fields: ") of o's field set. */
const char *export_fields_line(const struct export_opts *o);

/* Writes the events of events_path that fall in [since, until]. Lines that
 * are not events are skipped and counted in *skipped. */
int export_events(const char *events_path, const struct export_opts *o, FILE *out,
		  size_t *written, size_t *skipped, struct err *e);

/* "2026-11-25T10:00:00Z", "2026-11-25 10:00:00" or "2026-11-25" (UTC). */
int export_parse_time(const char *text, long long *out);

#endif
