// SPDX-License-Identifier: MIT
/* agent_client.c - one request, one reply, over the agent's socket. */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "agent/control.h"
#include "agent_client.h"

enum { REPLY_MAX = 64 * 1024 * 1024, TIMEOUT_DEFAULT_S = 30 };

/* Every step (connect, send, each read) shares one deadline: an agent that
 * is stopped (SIGSTOP) or stuck must not hang the admin's command. */
struct call {
	int fd;
	int timeout_s;
	long long deadline_ms; /* CLOCK_MONOTONIC */
};

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static int timeout_s(void)
{
	const char *env = getenv("IPSECFW_AGENT_TIMEOUT");
	long v = env ? strtol(env, NULL, 10) : 0;

	return v >= 1 && v <= 3600 ? (int)v : TIMEOUT_DEFAULT_S;
}

static int too_late(const struct call *c, struct err *e)
{
	return err_set(e, "the policy agent did not answer within %d s (is ipsecfwd stopped or "
			  "stuck?); IPSECFW_AGENT_TIMEOUT sets the wait", c->timeout_s);
}

/* Waits for fd to be ready for events, until the deadline. */
static int wait_for(const struct call *c, short events, struct err *e)
{
	struct pollfd p = { .fd = c->fd, .events = events };
	long long left;
	int n;

	for (;;) {
		if ((left = c->deadline_ms - now_ms()) <= 0)
			return too_late(c, e);
		if ((n = poll(&p, 1, (int)left)) > 0)
			return 0;
		if (n < 0 && errno != EINTR)
			return err_set(e, "the policy agent's socket: %s", strerror(errno));
	}
}

/* Only root's agent is trusted with the admin's commands: the socket must
 * be root's, and so must the process that answers on it. */
static int check_socket(const char *path, struct err *e)
{
	struct stat st;

	if (lstat(path, &st) < 0) {
		if (errno == ENOENT)
			return err_set(e, SPD_NO_AGENT);
		return err_set(e, "the policy agent's socket %s: %s", path, strerror(errno));
	}
	if (!S_ISSOCK(st.st_mode) || st.st_uid != 0)
		return err_set(e, "%s is not the policy agent's socket (%s, owner uid %u): refusing "
				  "to talk to it", path, S_ISSOCK(st.st_mode) ? "a socket" : "not a socket",
			       (unsigned)st.st_uid);
	return 0;
}

static int connect_agent(struct call *c, const char *run_dir, struct err *e)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct ucred cred;
	socklen_t len = sizeof(cred);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/" CONTROL_SOCKET, run_dir);
	if (check_socket(sa.sun_path, e) < 0)
		return -1;
	if ((c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) < 0)
		return err_set(e, "socket: %s", strerror(errno));
	/* A full backlog says EAGAIN: try again until the deadline. */
	while (connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		if (errno == EINPROGRESS)
			break;
		if (errno == ENOENT || errno == ECONNREFUSED)
			return err_set(e, SPD_NO_AGENT);
		if (errno != EAGAIN && errno != EINTR)
			return err_set(e, "the policy agent's socket %s: %s", sa.sun_path,
				       strerror(errno));
		if (now_ms() >= c->deadline_ms)
			return too_late(c, e);
		poll(NULL, 0, 20);
	}
	if (wait_for(c, POLLOUT, e) < 0)
		return -1;
	if (getsockopt(c->fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 || cred.uid != 0)
		return err_set(e, "the process on %s is not root's: refusing to talk to it",
			       sa.sun_path);
	return 0;
}

static int send_request(const struct call *c, const char *text, struct err *e)
{
	size_t len = strlen(text), done = 0;
	ssize_t n;

	while (done < len) {
		if (wait_for(c, POLLOUT, e) < 0)
			return -1;
		if ((n = send(c->fd, text + done, len - done, MSG_NOSIGNAL | MSG_DONTWAIT)) < 0 &&
		    errno != EAGAIN && errno != EINTR)
			return err_set(e, "the policy agent went away: %s", strerror(errno));
		if (n > 0)
			done += (size_t)n;
	}
	return 0;
}

static char *read_reply(const struct call *c, struct err *e)
{
	size_t cap = 65536, len = 0;
	char *buf = malloc(cap);
	ssize_t n;

	while (buf) {
		if (wait_for(c, POLLIN, e) < 0) {
			free(buf);
			return NULL;
		}
		if ((n = recv(c->fd, buf + len, cap - len - 1, MSG_DONTWAIT)) == 0)
			break;
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			break;
		}
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

/* Sends req (consumed) to the agent of run_dir: its reply, or NULL and e. */
static json_t *request(const char *run_dir, json_t *req, struct err *e)
{
	char *text = req ? json_dumps(req, JSON_COMPACT) : NULL, *line = NULL, *reply = NULL;
	json_t *rep = NULL;
	struct call c = { .fd = -1, .timeout_s = timeout_s() };

	json_decref(req);
	if (!text || asprintf(&line, "%s\n", text) < 0) {
		free(text);
		err_set(e, "out of memory");
		return NULL;
	}
	free(text);
	if (strlen(line) > CONTROL_REQUEST_MAX) {
		err_set(e, "the request is longer than the policy agent takes (%d bytes)",
			CONTROL_REQUEST_MAX);
		goto out;
	}
	c.deadline_ms = now_ms() + c.timeout_s * 1000LL;
	if (connect_agent(&c, run_dir, e) < 0 || send_request(&c, line, e) < 0 ||
	    !(reply = read_reply(&c, e)))
		goto out;
	if (!(rep = json_loads(reply, 0, NULL)) || !json_is_integer(json_object_get(rep, "rc"))) {
		json_decref(rep);
		rep = NULL;
		err_set(e, "the policy agent's reply is not understood");
	}
out:
	if (c.fd >= 0)
		close(c.fd);
	free(reply);
	free(line);
	return rep;
}

/* Sends req (consumed) to the agent of s and prints what it printed; on
 * failure e holds its message and *col, *failed where it failed. */
static int exchange(struct session *s, json_t *req, int *col, size_t *failed, struct err *e)
{
	json_t *rep = request(s->spd_ctx, req, e);
	int rc = -1;

	if (!rep)
		return -1;
	fputs(json_string_value(json_object_get(rep, "out")) ?: "", s->out);
	fputs(json_string_value(json_object_get(rep, "err")) ?: "", s->err);
	if (json_integer_value(json_object_get(rep, "rc")) == 0) {
		rc = 0;
	} else {
		err_set(e, "%s", unprefixed(s, json_string_value(json_object_get(rep, "error")) ?: "failed"));
		*col = (int)json_integer_value(json_object_get(rep, "col"));
		*failed = (size_t)json_integer_value(json_object_get(rep, "line"));
	}
	json_decref(rep);
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
	struct call c = { .fd = -1, .timeout_s = timeout_s() };
	struct err e;
	int rc;

	c.deadline_ms = now_ms() + c.timeout_s * 1000LL;
	rc = connect_agent(&c, run_dir, &e);
	if (c.fd >= 0)
		close(c.fd);
	return rc == 0;
}

json_t *agent_client_status(const char *run_dir, const char *what, struct err *e)
{
	json_t *rep = request(run_dir, json_pack("{s:s}", "status", what), e), *d;

	if (!rep)
		return NULL;
	if (json_integer_value(json_object_get(rep, "rc")) != 0) {
		err_set(e, "%s", json_string_value(json_object_get(rep, "error")) ?: "refused");
		json_decref(rep);
		return NULL;
	}
	d = json_incref(json_object_get(rep, what));
	json_decref(rep);
	return d ? d : json_null();
}

int agent_client_domain_text(const json_t *st, char *buf, size_t len)
{
	const char *following = json_string_value(json_object_get(st, "following"));
	const char *server = json_string_value(json_object_get(st, "server"));
	const char *error = json_string_value(json_object_get(st, "error"));
	const json_t *cached = json_object_get(st, "cached");
	long long poll = json_integer_value(json_object_get(st, "poll"));

	if (!json_is_object(st))
		return 0;
	if (json_is_object(cached))
		snprintf(buf, len, "the cached copy of domain policy '%s' is in force: %s (tried again "
				   "within %lld s)",
			 json_string_value(json_object_get(cached, "policy")) ?: "",
			 json_string_value(json_object_get(cached, "reason")) ?: "", poll);
	else if (error)
		snprintf(buf, len, "failing: %s (no cached copy; tried again within %lld s)", error,
			 poll);
	else if (following)
		snprintf(buf, len, "following %s: a change is fetched at once; a full fetch every "
				   "%lld s", following, poll);
	else
		snprintf(buf, len, "polling %s every %lld s (the server offers no way of following it)",
			 server ?: "the directory", poll);
	return 1;
}

/* The session's directory_state: asks the agent. */
static int directory_state(struct session *s, char *buf, size_t len)
{
	struct err e;
	json_t *st = agent_client_status(s->spd_ctx, "domain", &e);
	int rc = st ? agent_client_domain_text(st, buf, len) : 0;

	json_decref(st);
	return rc;
}

void agent_client_install(struct session *s, const char *run_dir)
{
	s->spd_run = forward;
	s->spd_batch = forward_batch;
	s->directory_state = directory_state;
	s->spd_ctx = (void *)run_dir;
}
