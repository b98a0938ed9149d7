// SPDX-License-Identifier: MIT
/* events.c - event records to the journal and the log directory. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <systemd/sd-journal.h>
#include <time.h>
#include <unistd.h>

#include "events.h"
#include "sys/safefile.h"

struct event_log {
	FILE *file;
	enum event_echo echo;
	char path[4096];
	long long max_bytes;
	int keep;
};

/* events.log, appended to; created 0600, refused when someone else could
 * have written it (forged events). */
static FILE *open_events(const char *path, struct err *e)
{
	int fd = safe_open_write(path, O_APPEND, e);
	FILE *f = fd < 0 ? NULL : fdopen(fd, "a");

	if (fd >= 0 && !f) {
		err_set(e, "%s: %s", path, strerror(errno));
		close(fd);
	}
	return f;
}

int event_log_open(struct event_log **out, const char *dir, enum event_echo echo,
		   struct err *e)
{
	struct event_log *l = calloc(1, sizeof(*l));

	if (!l)
		return err_set(e, "out of memory");
	if (safe_dir(dir, e) < 0) {
		free(l);
		return err_prefix(e, "log directory");
	}
	snprintf(l->path, sizeof(l->path), "%s/" EVENTS_FILE, dir);
	if (!(l->file = open_events(l->path, e))) {
		free(l);
		return -1;
	}
	l->echo = echo;
	l->max_bytes = EVENTS_MAX_BYTES;
	l->keep = EVENTS_KEEP;
	*out = l;
	return 0;
}

void event_log_limit(struct event_log *l, long long max_bytes, int keep)
{
	l->max_bytes = max_bytes;
	l->keep = keep;
}

void event_log_close(struct event_log *l)
{
	if (!l)
		return;
	if (l->file)
		fclose(l->file);
	free(l);
}

/* events.log grown past its limit becomes events.log.1 (the older ones
 * move up one, the oldest goes), as logrotate names them. */
static void rotate(struct event_log *l)
{
	char from[4200], to[4200];
	struct stat st;
	struct err e;

	if (fstat(fileno(l->file), &st) < 0 || st.st_size < l->max_bytes)
		return;
	for (int i = l->keep; i > 1; i--) {
		snprintf(from, sizeof(from), "%s.%d", l->path, i - 1);
		snprintf(to, sizeof(to), "%s.%d", l->path, i);
		rename(from, to);
	}
	snprintf(to, sizeof(to), "%s.1", l->path);
	if (l->keep < 1 || rename(l->path, to) < 0) {
		/* nowhere to keep it: start again */
		if (ftruncate(fileno(l->file), 0) < 0)
			fprintf(stderr, "ipsecfwd: %s: %s\n", l->path, strerror(errno));
		return;
	}
	fclose(l->file);
	if (!(l->file = open_events(l->path, &e)))
		fprintf(stderr, "ipsecfwd: events will not be logged: %s\n", e.msg);
}

void event_time_format(long long unix_seconds, char *buf, size_t len)
{
	time_t t = (time_t)unix_seconds;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Drops get a notice, mode and policy failures a warning or worse. */
static int priority_of(enum event_id id)
{
	switch (id) {
	case EV_BLOCK:
	case EV_POLICY_FAILED:
	case EV_FACTS_UNREADABLE:
		return 3; /* err */
	case EV_NO_STORE:
		return 3; /* err: no policy can be applied */
	case EV_REFUSED:
	case EV_MALFORMED:
	case EV_KERNEL_RESTORED:
	case EV_DROPS_SUPPRESSED:
	case EV_ASSIGN_ROLLED_BACK:
	case EV_IKE_FAILED:
	case EV_IKE_NEGOTIATION:
		return 4; /* warning */
	case EV_DROP_IN:
	case EV_DROP_OUT:
		return 5; /* notice */
	default:
		return 6; /* info */
	}
}

/* Each field as IPSECFW_NAME=value (journal field names: upper case,
 * digits and '_'). */
static void send_journal(enum event_id id, json_t *fields, const char *message)
{
	size_t n = json_object_size(fields) + 4, i = 0;
	struct iovec *iov = calloc(n, sizeof(*iov));
	char **owned = calloc(n, sizeof(*owned));
	const char *key;
	json_t *v;

	if (!iov || !owned)
		goto out;
	if (asprintf(&owned[i], "MESSAGE=%s", message) < 0 ||
	    asprintf(&owned[++i], "MESSAGE_ID=6c1f0e8a4b2d4e7c9a3f5d1b2c00%04d", (int)id) < 0 ||
	    asprintf(&owned[++i], "PRIORITY=%d", priority_of(id)) < 0 ||
	    asprintf(&owned[++i], "SYSLOG_IDENTIFIER=ipsecfwd") < 0)
		goto out;
	json_object_foreach(fields, key, v)
	{
		char name[64], *text = json_is_string(v) ? strdup(json_string_value(v))
							  : json_dumps(v, JSON_ENCODE_ANY);
		size_t k;

		for (k = 0; key[k] && k < sizeof(name) - 1; k++)
			name[k] = (key[k] >= 'a' && key[k] <= 'z') ? (char)(key[k] - 32)
				  : ((key[k] >= 'A' && key[k] <= 'Z') || (key[k] >= '0' && key[k] <= '9'))
					  ? key[k]
					  : '_';
		name[k] = 0;
		if (!text || asprintf(&owned[++i], "IPSECFW_%s=%s", name, text) < 0) {
			free(text);
			owned[i] = NULL;
			goto out;
		}
		free(text);
	}
	for (size_t k = 0; k <= i; k++)
		iov[k] = (struct iovec){ owned[k], strlen(owned[k]) };
	sd_journal_sendv(iov, (int)i + 1); /* no journal: nothing to do */
out:
	for (size_t k = 0; owned && k < n; k++)
		free(owned[k]);
	free(owned);
	free(iov);
}

void event_write(struct event_log *l, enum event_id id, json_t *fields, const char *fmt, ...)
{
	char message[1024], when[32];
	va_list ap;
	char *line;

	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	if (!fields) /* a field that is not UTF-8 text: keep the event, without fields */
		fields = json_object();
	if (!json_object_get(fields, "time")) {
		event_time_format((long long)time(NULL), when, sizeof(when));
		json_object_set_new(fields, "time", json_string(when));
	}
	json_object_set_new(fields, "id", json_integer(id));
	json_object_set_new(fields, "message", json_string(message));
	if (l->echo == ECHO_JOURNAL)
		send_journal(id, fields, message);
	else if (l->echo == ECHO_STDERR)
		fprintf(stderr, "ipsecfwd: %d %s\n", (int)id, message);
	line = json_dumps(fields, JSON_COMPACT | JSON_SORT_KEYS);
	if (!line || !l->file || fprintf(l->file, "%s\n", line) < 0 || fflush(l->file) != 0)
		fprintf(stderr, "ipsecfwd: event %d not logged: %s\n", (int)id, message);
	else
		rotate(l);
	free(line);
	json_decref(fields);
}
