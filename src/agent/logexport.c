// SPDX-License-Identifier: MIT
/* logexport.c - events.log (JSON lines) to W3C extended, CSV or JSON. */
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "events.h"
#include "logexport.h"

static const char our_fields[] = "date time event-id action direction protocol src-ip dst-ip "
				 "src-port dst-port count filter rule policy";
static const char evt_fields[] = "EventLog RecordNumber TimeGenerated TimeWritten EventID "
				 "EventType EventTypeName EventCategory EventCategoryName "
				 "SourceName Strings ComputerName SID Message Data";

const char *export_fields_line(const struct export_opts *o)
{
	return o->evt_fields ? evt_fields : our_fields;
}

int export_parse_time(const char *text, long long *out)
{
	static const char *const formats[] = { "%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%d %H:%M:%S",
					       "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d" };
	struct tm tm;

	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		const char *end;
		memset(&tm, 0, sizeof(tm));
		if ((end = strptime(text, formats[i], &tm)) && *end == '\0') {
			*out = (long long)timegm(&tm);
			return 0;
		}
	}
	return -1;
}

/* What the event did, for the action column. */
static const char *action_of(int id)
{
	switch (id) {
	case EV_DROP_IN:
	case EV_DROP_OUT: return "drop";
	case EV_MALFORMED: return "drop-malformed";
	case EV_NO_STORE: return "no-store";
	case EV_DROPS_SUPPRESSED: return "drops-suppressed";
	case EV_FACTS_UNREADABLE: return "facts-unreadable";
	case EV_KERNEL_RESTORED: return "kernel-restored";
	case EV_HANDOVER: return "handover";
	case EV_STARTUP: return "startup-mode";
	case EV_SECURE: return "secure-mode";
	case EV_BLOCK: return "block-mode";
	case EV_PERMIT: return "permit-mode";
	case EV_POLICY_APPLIED: return "policy-applied";
	case EV_POLICY_FAILED: return "policy-failed";
	case EV_POLICY_CACHED: return "policy-cached";
	case EV_REFUSED: return "refused";
	case EV_ASSIGN_ROLLED_BACK: return "assign-rolled-back";
	case EV_ASSIGN_CONFIRMED: return "assign-confirmed";
	case EV_IKE_FAILED: return "ike-failed";
	case EV_IKE_NEGOTIATION: return "negotiation-failed";
	default: return "event";
	}
}

/* A field's text, or NULL when the event has none. */
static const char *text_of(json_t *ev, const char *key, char *buf, size_t len)
{
	json_t *v = json_object_get(ev, key);

	if (json_is_string(v))
		return *json_string_value(v) ? json_string_value(v) : NULL;
	if (json_is_integer(v)) {
		snprintf(buf, len, "%lld", (long long)json_integer_value(v));
		return buf;
	}
	return NULL;
}

/* W3C values are ASCII tokens: '-' for none; strings in quotes with inner
 * quotes doubled; bytes outside printable ASCII (and '%') as %XX. */
static void w3c_value(FILE *out, const char *v, bool quoted)
{
	if (!v) {
		fputc('-', out);
		return;
	}
	if (quoted)
		fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
		if (*p < 0x20 || *p >= 0x7f || *p == '%' || (!quoted && *p == ' '))
			fprintf(out, "%%%02X", *p);
		else if (*p == '"')
			fputs(quoted ? "\"\"" : "%22", out);
		else
			fputc(*p, out);
	}
	if (quoted)
		fputc('"', out);
}

/* A spreadsheet reads a cell starting with = + - @ (or a tab or CR before
 * one) as a formula: such a value gets a leading single quote, as OWASP's
 * CSV injection guidance says, so a name from a store or a drop cannot run
 * in the admin's spreadsheet. */
static void csv_value(FILE *out, const char *v)
{
	bool formula;

	if (!v)
		return;
	formula = *v && strchr("=+-@\t\r", *v);
	if (!formula && !strpbrk(v, ",\"\r\n")) {
		fputs(v, out);
		return;
	}
	fputc('"', out);
	if (formula)
		fputc('\'', out);
	for (const char *p = v; *p; p++) {
		if (*p == '"')
			fputc('"', out);
		fputc(*p, out);
	}
	fputc('"', out);
}

enum { N_OURS = 14, N_EVT = 15 };

struct row {
	const char *v[N_EVT];
	bool quoted[N_EVT];
	char bufs[N_EVT][64];
	char *owned; /* Strings for EVT */
};

static void our_row(json_t *ev, struct row *r)
{
	static const char *const keys[] = { NULL,     NULL,  "id",	 NULL,     "direction",
					    "protocol", "src", "dst", "sport", "dport",
					    "count",  "filter", "rule", "policy" };
	const char *when = json_string_value(json_object_get(ev, "time"));

	for (int i = 2; i < N_OURS; i++)
		r->v[i] = keys[i] ? text_of(ev, keys[i], r->bufs[i], sizeof(r->bufs[i])) : NULL;
	/* "2026-11-25T10:00:00Z" -> date and time, UTC as W3C wants */
	snprintf(r->bufs[0], sizeof(r->bufs[0]), "%.10s", when);
	snprintf(r->bufs[1], sizeof(r->bufs[1]), "%.8s", when + 11);
	r->v[0] = r->bufs[0];
	r->v[1] = r->bufs[1];
	r->v[3] = action_of((int)json_integer_value(json_object_get(ev, "id")));
	r->quoted[12] = r->quoted[13] = true;
}

static void evt_row(json_t *ev, size_t record, const struct export_opts *o, struct row *r)
{
	static const char *const string_keys[] = { "direction", "protocol", "src", "dst",
						   "sport", "dport", "count", "reason",
						   "filter", "rule", "policy", "store", "error" };
	const char *when = json_string_value(json_object_get(ev, "time"));
	int id = (int)json_integer_value(json_object_get(ev, "id"));
	int type = id == EV_BLOCK || id == EV_POLICY_FAILED ? 1
		   : id == EV_REFUSED || id == EV_MALFORMED || id == EV_ASSIGN_ROLLED_BACK ||
				   id == EV_KERNEL_RESTORED || id == EV_IKE_FAILED || id == EV_IKE_NEGOTIATION
			   ? 2
							      : 4;
	size_t len = 0;
	FILE *f = open_memstream(&r->owned, &len);
	char buf[64];

	/* Log Parser joins an event's insertion strings with '|'. */
	for (size_t i = 0; f && i < sizeof(string_keys) / sizeof(string_keys[0]); i++) {
		const char *v = text_of(ev, string_keys[i], buf, sizeof(buf));
		fprintf(f, "%s%s", i ? "|" : "", v ? v : "");
	}
	if (f)
		fclose(f);
	snprintf(r->bufs[1], 64, "%zu", record);
	snprintf(r->bufs[2], 64, "%.10s %.8s", when, when + 11);
	snprintf(r->bufs[4], 64, "%d", id);
	snprintf(r->bufs[5], 64, "%d", type);
	r->v[0] = "System";
	r->v[1] = r->bufs[1];
	r->v[2] = r->v[3] = r->bufs[2];
	r->v[4] = r->bufs[4];
	r->v[5] = r->bufs[5];
	r->v[6] = type == 1 ? "Error event" : type == 2 ? "Warning event" : "Information event";
	r->v[7] = "0";
	r->v[8] = "None";
	r->v[9] = "IPSec";
	r->v[10] = r->owned;
	r->v[11] = o->computer;
	r->v[12] = NULL;
	r->v[13] = json_string_value(json_object_get(ev, "message"));
	r->v[14] = NULL;
	r->quoted[2] = r->quoted[3] = r->quoted[6] = r->quoted[8] = true;
	r->quoted[10] = r->quoted[13] = true;
}

static void write_header(const struct export_opts *o, FILE *out)
{
	char now[32];
	time_t t = time(NULL);
	struct tm tm;

	if (!o->header || o->format == EXPORT_JSON)
		return;
	if (o->format == EXPORT_CSV) {
		for (const char *p = export_fields_line(o); *p; p++)
			fputc(*p == ' ' ? ',' : *p, out);
		fputc('\n', out);
		return;
	}
	gmtime_r(&t, &tm);
	strftime(now, sizeof(now), "%Y-%m-%d %H:%M:%S", &tm);
	fprintf(out, "#Software: ipsecfw\n#Version: 1.0\n#Date: %s\n#Fields: %s\n", now,
		export_fields_line(o));
}

static void write_row(const struct export_opts *o, const struct row *r, FILE *out)
{
	int n = o->evt_fields ? N_EVT : N_OURS;

	for (int i = 0; i < n; i++) {
		if (i)
			fputc(o->format == EXPORT_CSV ? ',' : ' ', out);
		if (o->format == EXPORT_CSV)
			csv_value(out, r->v[i]);
		else
			w3c_value(out, r->v[i], r->quoted[i]);
	}
	fputc('\n', out);
}

static bool event_time(json_t *ev, long long *t)
{
	const char *when = json_string_value(json_object_get(ev, "time"));

	return when && strlen(when) == 20 && export_parse_time(when, t) == 0;
}

static bool valid_time(json_t *ev)
{
	long long t;

	return event_time(ev, &t);
}

static bool in_range(json_t *ev, const struct export_opts *o)
{
	long long t = 0;

	event_time(ev, &t);
	return t >= o->since && t <= o->until;
}

int export_events(const char *events_path, const struct export_opts *o, FILE *out,
		  size_t *written, size_t *skipped, struct err *e)
{
	FILE *in = fopen(events_path, "r");
	char *line = NULL;
	size_t cap = 0, record = 0;
	json_t *all = json_array();

	*written = *skipped = 0;
	if (!in) {
		json_decref(all);
		if (errno != ENOENT)
			return err_set(e, "%s: %s (reading the events needs root or read access "
					  "to the log folder)",
				       events_path, strerror(errno));
		return err_set(e, "%s: no event log there (is ipsecfwd running?)", events_path);
	}
	write_header(o, out);
	while (getline(&line, &cap, in) > 0) {
		json_t *ev = json_loads(line, 0, NULL);
		struct row r = { 0 };

		record++;
		if (!json_is_object(ev) || !json_is_integer(json_object_get(ev, "id")) ||
		    !valid_time(ev)) {
			(*skipped)++;
			json_decref(ev);
			continue;
		}
		if (!in_range(ev, o)) {
			json_decref(ev);
			continue;
		}
		(*written)++;
		if (o->format == EXPORT_JSON) {
			json_array_append_new(all, ev);
			continue;
		}
		if (o->evt_fields)
			evt_row(ev, record, o, &r);
		else
			our_row(ev, &r);
		write_row(o, &r, out);
		free(r.owned);
		json_decref(ev);
	}
	free(line);
	fclose(in);
	if (o->format == EXPORT_JSON) {
		json_dumpf(all, out, JSON_INDENT(2) | JSON_SORT_KEYS);
		fputc('\n', out);
	}
	json_decref(all);
	return 0;
}
