// SPDX-License-Identifier: MIT
/* control.c - the agent's socket: its own epoll set (the listener, the
 * connections and a timer for deadlines), itself one descriptor in the
 * agent's loop. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "control.h"

enum {
	MAX_CONNS = 256,         /* more at once are turned away */
	REQUEST_MAX = CONTROL_REQUEST_MAX,
	DEADLINE_MS = 3000,      /* to send a whole request */
};

struct conn {
	int fd;
	long long deadline;
	size_t len;
	char buf[REQUEST_MAX];
};

struct control {
	int epoll, listener, timer;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct conn *conns[MAX_CONNS];
	control_handler handle;
	control_refusal refused;
	void *ctx;
};

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* The socket is 0600 from its first moment, whatever the umask. */
static int bind_private(int fd, const struct sockaddr_un *sa)
{
	mode_t saved = umask(0177);
	int rc = bind(fd, (const struct sockaddr *)sa, sizeof(*sa));
	int err = errno;

	umask(saved);
	errno = err;
	return rc;
}

int control_open(struct control **out, const char *path, control_handler h,
		 control_refusal refused, void *ctx, struct err *e)
{
	struct control *c = calloc(1, sizeof(*c));
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct itimerspec tick = { { 1, 0 }, { 1, 0 } };
	struct epoll_event ev = { .events = EPOLLIN };

	if (!c)
		return err_set(e, "out of memory");
	c->handle = h;
	c->refused = refused;
	c->ctx = ctx;
	c->listener = c->timer = -1;
	size_t len = strlen(path);

	if (len >= sizeof(sa.sun_path)) {
		free(c);
		return err_set(e, "%s: the socket path is too long", path);
	}
	memcpy(sa.sun_path, path, len + 1);
	memcpy(c->path, path, len + 1);
	unlink(path); /* a socket left by an agent that died (the run-dir lock says it did) */
	if ((c->epoll = epoll_create1(EPOLL_CLOEXEC)) < 0 ||
	    (c->listener = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) < 0 ||
	    bind_private(c->listener, &sa) < 0 || chmod(path, 0600) < 0 ||
	    listen(c->listener, 128) < 0 ||
	    (c->timer = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC)) < 0 ||
	    timerfd_settime(c->timer, 0, &tick, NULL) < 0) {
		err_set(e, "control socket %s: %s", path, strerror(errno));
		control_close(c);
		return -1;
	}
	ev.data.fd = c->listener;
	epoll_ctl(c->epoll, EPOLL_CTL_ADD, c->listener, &ev);
	ev.data.fd = c->timer;
	epoll_ctl(c->epoll, EPOLL_CTL_ADD, c->timer, &ev);
	*out = c;
	return 0;
}

int control_fd(const struct control *c)
{
	return c->epoll;
}

static void drop_conn(struct control *c, size_t i)
{
	epoll_ctl(c->epoll, EPOLL_CTL_DEL, c->conns[i]->fd, NULL);
	close(c->conns[i]->fd);
	free(c->conns[i]);
	c->conns[i] = NULL;
}

static void send_all(int fd, const char *text)
{
	size_t len = strlen(text), done = 0;
	ssize_t n;

	while (done < len && (n = send(fd, text + done, len - done, MSG_NOSIGNAL)) > 0)
		done += (size_t)n;
}

static void refuse(struct control *c, int fd, const char *why)
{
	char reply[256];

	snprintf(reply, sizeof(reply), "{\"rc\":1,\"error\":\"%s\"}\n", why);
	send_all(fd, reply);
	if (c->refused)
		c->refused(c->ctx, why);
}

/* Root of this host only: uid 0, and in the agent's own user namespace
 * (uid 0 of a namespace an unprivileged user made maps to that user, but
 * one made by root maps to 0 too, with none of root's powers here). */
static bool peer_is_root(int fd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	struct stat mine, theirs;
	char path[64];

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 || cred.uid != 0)
		return false;
	snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)cred.pid);
	return stat("/proc/self/ns/user", &mine) == 0 && stat(path, &theirs) == 0 &&
	       mine.st_ino == theirs.st_ino && mine.st_dev == theirs.st_dev;
}

static void accept_all(struct control *c)
{
	int fd;

	while ((fd = accept4(c->listener, NULL, NULL, SOCK_CLOEXEC)) >= 0) {
		struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd };
		struct timeval snd = { 2, 0 };
		size_t slot = MAX_CONNS;

		if (!peer_is_root(fd)) {
			refuse(c, fd, "only root may talk to the policy agent");
			close(fd);
			continue;
		}
		for (size_t i = 0; i < MAX_CONNS && slot == MAX_CONNS; i++)
			if (!c->conns[i])
				slot = i;
		if (slot == MAX_CONNS || !(c->conns[slot] = malloc(sizeof(struct conn)))) {
			refuse(c, fd, "the policy agent is busy; try again");
			close(fd);
			continue;
		}
		/* a reader that stops reading cannot hold the agent for long */
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &snd, sizeof(snd));
		c->conns[slot]->fd = fd;
		c->conns[slot]->len = 0;
		c->conns[slot]->deadline = now_ms() + DEADLINE_MS;
		epoll_ctl(c->epoll, EPOLL_CTL_ADD, fd, &ev);
	}
}

/* Reads what is there; answers a complete line. */
static void serve(struct control *c, size_t i)
{
	struct conn *k = c->conns[i];
	char *nl, *reply = NULL;
	ssize_t n = -1;
	errno = EAGAIN;

	while (k->len < REQUEST_MAX &&
	       (n = recv(k->fd, k->buf + k->len, REQUEST_MAX - k->len, MSG_DONTWAIT)) > 0)
		k->len += (size_t)n;
	if ((nl = memchr(k->buf, '\n', k->len))) {
		c->handle(c->ctx, k->buf, (size_t)(nl - k->buf), &reply);
		if (reply)
			send_all(k->fd, reply);
		free(reply);
	} else if (k->len == REQUEST_MAX) {
		refuse(c, k->fd, "request too long");
	} else if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) {
		if (k->len)
			refuse(c, k->fd, "request cut short");
	} else {
		return; /* more to come */
	}
	drop_conn(c, i);
}

static void expire(struct control *c)
{
	long long now = now_ms();
	uint64_t ticks;

	if (read(c->timer, &ticks, sizeof(ticks)) < 0 && errno != EAGAIN)
		return;
	for (size_t i = 0; i < MAX_CONNS; i++)
		if (c->conns[i] && now > c->conns[i]->deadline) {
			refuse(c, c->conns[i]->fd, "no request in time");
			drop_conn(c, i);
		}
}

void control_dispatch(struct control *c)
{
	struct epoll_event evs[64];
	int n;

	while ((n = epoll_wait(c->epoll, evs, 64, 0)) > 0) {
		for (int j = 0; j < n; j++) {
			int fd = evs[j].data.fd;
			if (fd == c->listener) {
				accept_all(c);
			} else if (fd == c->timer) {
				expire(c);
			} else {
				for (size_t i = 0; i < MAX_CONNS; i++)
					if (c->conns[i] && c->conns[i]->fd == fd) {
						serve(c, i);
						break;
					}
			}
		}
	}
}

void control_close(struct control *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < MAX_CONNS; i++)
		if (c->conns[i])
			drop_conn(c, i);
	if (c->listener >= 0) {
		close(c->listener);
		unlink(c->path);
	}
	if (c->timer >= 0)
		close(c->timer);
	close(c->epoll);
	free(c);
}
