/* events.c - event records to the journal and the log directory. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <systemd/sd-journal.h>
#include <time.h>

#include "events.h"

struct event_log {
	FILE *file;
	enum event_echo echo;
};

int event_log_open(struct event_log **out, const char *dir, enum event_echo echo,
		   struct err *e)
{
	struct event_log *l = calloc(1, sizeof(*l));
	char path[4096];

	if (!l)
		return err_set(e, "out of memory");
	if (mkdir(dir, 0750) < 0 && errno != EEXIST) {
		free(l);
		return err_set(e, "log directory %s: %s", dir, strerror(errno));
	}
	snprintf(path, sizeof(path), "%s/" EVENTS_FILE, dir);
	if (!(l->file = fopen(path, "a"))) {
		free(l);
		return err_set(e, "%s: %s", path, strerror(errno));
	}
	l->echo = echo;
	*out = l;
	return 0;
}

void event_log_close(struct event_log *l)
{
	if (!l)
		return;
	fclose(l->file);
	free(l);
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
		return 3; /* err */
	case EV_REFUSED:
	case EV_MALFORMED:
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
	if (!line || fprintf(l->file, "%s\n", line) < 0 || fflush(l->file) != 0)
		fprintf(stderr, "ipsecfwd: event %d not logged: %s\n", (int)id, message);
	free(line);
	json_decref(fields);
}
