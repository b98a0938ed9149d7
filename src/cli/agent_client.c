/* agent_client.c - one request, one reply, over the agent's socket. */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "agent/control.h"
#include "agent_client.h"

enum { REPLY_MAX = 64 * 1024 * 1024 };

static int connect_agent(const char *run_dir, struct err *e)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/" CONTROL_SOCKET, run_dir);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return err_set(e, "socket: %s", strerror(errno));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int saved = errno;
		close(fd);
		if (saved == ENOENT || saved == ECONNREFUSED)
			return err_set(e, SPD_NO_AGENT);
		return err_set(e, "the policy agent's socket %s: %s", sa.sun_path, strerror(saved));
	}
	return fd;
}

static int send_request(int fd, const char *text, struct err *e)
{
	size_t len = strlen(text), done = 0;
	ssize_t n;

	while (done < len) {
		if ((n = send(fd, text + done, len - done, MSG_NOSIGNAL)) <= 0)
			return err_set(e, "the policy agent went away: %s", strerror(errno));
		done += (size_t)n;
	}
	return 0;
}

static char *read_reply(int fd, struct err *e)
{
	size_t cap = 65536, len = 0;
	char *buf = malloc(cap);
	ssize_t n;

	while (buf && (n = recv(fd, buf + len, cap - len - 1, 0)) > 0) {
		len += (size_t)n;
		if (len + 1 == cap) {
			char *grown = cap < REPLY_MAX ? realloc(buf, cap * 2) : NULL;
			if (!grown) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = grown;
			cap *= 2;
		}
	}
	if (!buf) {
		err_set(e, "the policy agent's reply is too large");
		return NULL;
	}
	buf[len] = '\0';
	if (len == 0) {
		free(buf);
		err_set(e, "the policy agent closed the connection without a reply");
		return NULL;
	}
	return buf;
}

/* The agent's message is prefixed with the command already; so is ours. */
static const char *unprefixed(const struct session *s, const char *msg)
{
	size_t n = strlen(s->command);

	if (strncmp(msg, s->command, n) == 0 && strncmp(msg + n, ": ", 2) == 0)
		return msg + n + 2;
	return msg;
}

/* Sends req (consumed) to the agent of s and prints what it printed; on
 * failure e holds its message and *col, *failed where it failed. */
static int exchange(struct session *s, json_t *req, int *col, size_t *failed, struct err *e)
{
	char *text = req ? json_dumps(req, JSON_COMPACT) : NULL, *line = NULL, *reply = NULL;
	json_t *rep = NULL;
	int fd = -1, rc = -1;

	json_decref(req);
	if (!text || asprintf(&line, "%s\n", text) < 0) {
		free(text);
		return err_set(e, "out of memory");
	}
	free(text);
	if (strlen(line) > CONTROL_REQUEST_MAX) {
		err_set(e, "the request is longer than the policy agent takes (%d bytes)",
			CONTROL_REQUEST_MAX);
		goto out;
	}
	if ((fd = connect_agent(s->spd_ctx, e)) < 0 || send_request(fd, line, e) < 0 ||
	    !(reply = read_reply(fd, e)))
		goto out;
	if (!(rep = json_loads(reply, 0, NULL)) || !json_is_integer(json_object_get(rep, "rc"))) {
		err_set(e, "the policy agent's reply is not understood");
		goto out;
	}
	fputs(json_string_value(json_object_get(rep, "out")) ?: "", s->out);
	fputs(json_string_value(json_object_get(rep, "err")) ?: "", s->err);
	if (json_integer_value(json_object_get(rep, "rc")) == 0) {
		rc = 0;
	} else {
		err_set(e, "%s", unprefixed(s, json_string_value(json_object_get(rep, "error")) ?: "failed"));
		*col = (int)json_integer_value(json_object_get(rep, "col"));
		*failed = (size_t)json_integer_value(json_object_get(rep, "line"));
	}
out:
	if (fd >= 0)
		close(fd);
	json_decref(rep);
	free(reply);
	free(line);
	return rc;
}

/* One command: the line the session is running. */
static int forward(struct session *s, struct bound *b, struct err *e)
{
	size_t failed;

	return exchange(s, json_pack("{s:s%,s:b}", "line", s->text, s->text_len, "json", s->json),
			&b->err_col, &failed, e);
}

/* Several commands, applied by the agent as one change. */
static int forward_batch(struct session *s, const char *const *lines, size_t n, size_t *failed,
			 struct err *e)
{
	json_t *list = json_array();
	int col;

	for (size_t i = 0; list && i < n; i++)
		if (json_array_append_new(list, json_string(lines[i])) < 0) {
			json_decref(list);
			list = NULL;
		}
	if (!list)
		return err_set(e, "out of memory");
	return exchange(s, json_pack("{s:o,s:b}", "lines", list, "json", s->json), &col, failed, e);
}

bool agent_client_running(const char *run_dir)
{
	struct err e;
	int fd = connect_agent(run_dir, &e);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

void agent_client_install(struct session *s, const char *run_dir)
{
	s->spd_run = forward;
	s->spd_batch = forward_batch;
	s->spd_ctx = (void *)run_dir;
}
