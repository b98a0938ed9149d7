// SPDX-License-Identifier: MIT
/* nflog.c - reading the drop log group with libnetfilter_log. */
#include <errno.h>
#include <libnetfilter_log/libnetfilter_log.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "nflog.h"

/* Enough of each packet for its IPv6 extension headers and ports. */
enum { COPY_BYTES = 128 };

struct nflog_source {
	struct nflog_handle *h;
	struct nflog_g_handle *g;
	nflog_cb cb;
	void *ctx;
};

static int on_packet(struct nflog_g_handle *g, struct nfgenmsg *msg, struct nflog_data *nfa,
		     void *data)
{
	struct nflog_source *s = data;
	const char *prefix = nflog_get_prefix(nfa);
	struct timeval tv;
	char *payload;
	int len = nflog_get_payload(nfa, &payload);

	(void)g;
	(void)msg;
	if (nflog_get_timestamp(nfa, &tv) < 0)
		tv.tv_sec = time(NULL);
	if (len < 0)
		len = 0;
	s->cb(s->ctx, prefix ? prefix : "", (const uint8_t *)payload, (size_t)len, tv.tv_sec);
	return 0;
}

int nflog_source_open(struct nflog_source **out, uint16_t group, nflog_cb cb, void *ctx,
		      struct err *e)
{
	struct nflog_source *s = calloc(1, sizeof(*s));
	int one = 1;

	if (!s)
		return err_set(e, "out of memory");
	s->cb = cb;
	s->ctx = ctx;
	if (!(s->h = nflog_open())) {
		free(s);
		return err_set(e, "NFLOG: %s", strerror(errno));
	}
	if (!(s->g = nflog_bind_group(s->h, group))) {
		err_set(e, "NFLOG group %u: %s (is another logger bound to it?)", group,
			strerror(errno));
		nflog_close(s->h);
		free(s);
		return -1;
	}
	nflog_set_mode(s->g, NFULNL_COPY_PACKET, COPY_BYTES);
	/* Deliver each packet at once rather than batched for a second. */
	nflog_set_qthresh(s->g, 1);
	nflog_set_timeout(s->g, 0);
	nflog_callback_register(s->g, on_packet, s);
	/* A burst that overflows the socket loses log lines, never the agent. */
	setsockopt(nflog_fd(s->h), SOL_NETLINK, NETLINK_NO_ENOBUFS, &one, sizeof(one));
	*out = s;
	return 0;
}

int nflog_source_fd(const struct nflog_source *s)
{
	return nflog_fd(s->h);
}

void nflog_source_read(struct nflog_source *s)
{
	char buf[65536];
	ssize_t n;

	while ((n = recv(nflog_fd(s->h), buf, sizeof(buf), MSG_DONTWAIT)) > 0)
		nflog_handle_packet(s->h, buf, (int)n);
}

void nflog_source_close(struct nflog_source *s)
{
	if (!s)
		return;
	nflog_unbind_group(s->g);
	nflog_close(s->h);
	free(s);
}
