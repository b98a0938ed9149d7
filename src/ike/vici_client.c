// SPDX-License-Identifier: MIT
/* vici_client.c - talking to charon over its VICI socket: one request at
 * a time, streamed events for list commands, event registration. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "vici.h"

const char *vici_socket_file(const char *url)
{
	return strncmp(url, "unix://", 7) == 0 ? url + 7 : url;
}

int vici_connect(const char *path, int timeout_ms, struct err *e)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct timeval tv = { timeout_ms / 1000, (timeout_ms % 1000) * 1000 };
	int fd;

	path = vici_socket_file(path);
	if (strlen(path) >= sizeof(sa.sun_path))
		return err_set(e, "VICI socket path too long: %s", path);
	strcpy(sa.sun_path, path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return err_set(e, "VICI socket: %s", strerror(errno));
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0 ||
	    connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int err = errno;
		close(fd);
		return err_set(e, "cannot reach charon at %s: %s", path, strerror(err));
	}
	return fd;
}

static int write_all(int fd, const uint8_t *p, size_t len, struct err *e)
{
	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return err_set(e, "VICI send: %s", n < 0 ? strerror(errno) : "closed");
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int read_all(int fd, uint8_t *p, size_t len, struct err *e)
{
	while (len) {
		ssize_t n = recv(fd, p, len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return err_set(e, "charon did not answer in time");
		if (n <= 0)
			return err_set(e, "VICI receive: %s", n < 0 ? strerror(errno) : "charon closed the connection");
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int send_packet(int fd, uint8_t type, const char *name, const struct vici_msg *m,
		       struct err *e)
{
	uint8_t *buf;
	size_t len;
	int rc;

	if (vici_packet_encode(type, name, m, &buf, &len, e) < 0)
		return -1;
	rc = write_all(fd, buf, len, e);
	free(buf);
	return rc;
}

static int read_packet(int fd, struct vici_packet *out, struct err *e)
{
	uint8_t hdr[4], *buf;
	size_t len;
	int rc;

	if (read_all(fd, hdr, 4, e) < 0)
		return -1;
	len = (size_t)hdr[0] << 24 | (size_t)hdr[1] << 16 | (size_t)hdr[2] << 8 | hdr[3];
	if (len == 0 || len > VICI_MAX_SEGMENT)
		return err_set(e, "VICI packet of %zu bytes", len);
	if (!(buf = malloc(len)))
		return err_set(e, "out of memory");
	rc = read_all(fd, buf, len, e);
	if (rc == 0)
		rc = vici_packet_decode(buf, len, out, e);
	free(buf);
	return rc;
}

/* Reads until a packet of one of the wanted types, passing events of
 * `event` to on_event and skipping other events. */
static int await(int fd, uint8_t want1, uint8_t want2, const char *event, vici_event_cb on_event,
		 void *ctx, struct vici_packet *out, struct err *e)
{
	/* Bounded: a response comes within the socket timeout, events before
	 * it are bounded by what charon holds. */
	for (unsigned n = 0; n < 1000000; n++) {
		if (read_packet(fd, out, e) < 0)
			return -1;
		if (out->type == want1 || out->type == want2)
			return 0;
		if (out->type == VICI_EVENT && event && on_event && strcmp(out->name, event) == 0 &&
		    on_event(&out->msg, ctx) < 0) {
			vici_msg_free(&out->msg);
			return err_set(e, "VICI event %s: cannot take it in", event);
		}
		vici_msg_free(&out->msg);
		if (out->type != VICI_EVENT)
			return err_set(e, "VICI: unexpected packet type %u", out->type);
	}
	return err_set(e, "VICI: no response after a million events");
}

int vici_register(int fd, const char *event, bool on, struct err *e)
{
	struct vici_packet p;

	if (send_packet(fd, on ? VICI_EVENT_REGISTER : VICI_EVENT_UNREGISTER, event, NULL, e) < 0 ||
	    await(fd, VICI_EVENT_CONFIRM, VICI_EVENT_UNKNOWN, NULL, NULL, NULL, &p, e) < 0)
		return -1;
	vici_msg_free(&p.msg);
	if (p.type == VICI_EVENT_UNKNOWN)
		return err_set(e, "charon does not know the event %s", event);
	return 0;
}

int vici_call(int fd, const char *cmd, const struct vici_msg *req, const char *event,
	      vici_event_cb on_event, void *ctx, struct vici_msg *resp, struct err *e)
{
	struct vici_packet p;
	int rc;

	if (event && vici_register(fd, event, true, e) < 0)
		return -1;
	rc = send_packet(fd, VICI_CMD_REQUEST, cmd, req, e);
	if (rc == 0)
		rc = await(fd, VICI_CMD_RESPONSE, VICI_CMD_UNKNOWN, event, on_event, ctx, &p, e);
	if (rc == 0 && p.type == VICI_CMD_UNKNOWN) {
		vici_msg_free(&p.msg);
		rc = err_set(e, "charon does not know the command %s", cmd);
	}
	if (event) {
		struct err e2;
		if (vici_register(fd, event, false, rc < 0 ? &e2 : e) < 0 && rc == 0) {
			vici_msg_free(&p.msg);
			rc = -1;
		}
	}
	if (rc == 0)
		*resp = p.msg;
	return rc;
}

int vici_next_event(int fd, struct vici_packet *out, struct err *e)
{
	if (read_packet(fd, out, e) < 0)
		return -1;
	if (out->type != VICI_EVENT) {
		vici_msg_free(&out->msg);
		return err_set(e, "VICI: unexpected packet type %u while waiting for events",
			       out->type);
	}
	return 0;
}

int vici_check_success(const struct vici_msg *resp, const char *cmd, struct err *e)
{
	const char *ok = vici_get(resp, "success");
	const char *why = vici_get(resp, "errmsg");

	if (ok && strcmp(ok, "yes") == 0)
		return 0;
	return err_set(e, "charon refused %s: %s", cmd, why && *why ? why : "no reason given");
}
