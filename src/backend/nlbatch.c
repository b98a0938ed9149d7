// SPDX-License-Identifier: MIT
/* nlbatch.c - libnftnl's batch pages, one sendmsg, the kernel's acks. */
#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <libnftnl/batch.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>

#include "nlbatch.h"
#include "program.h"

/* Pages as nftables sizes them: a message never straddles two. */
enum { PAGE_BYTES = 128 * 1024, OVERRUN_BYTES = 64 * 1024 + 4096, REPLY_TIMEOUT_S = 10 };

struct nlbatch {
	struct nftnl_batch *pages;
	uint32_t seq, last_seq;
	struct nlmsghdr *last; /* the one the kernel acks */
	bool failed; /* out of memory while filling */
};

static void next_page(struct nlbatch *b)
{
	if (nftnl_batch_update(b->pages) < 0)
		b->failed = true;
}

struct nlbatch *nlbatch_new(uint32_t genid)
{
	struct nlbatch *b = calloc(1, sizeof(*b));
	struct nlmsghdr *nlh;

	if (!b || !(b->pages = nftnl_batch_alloc(PAGE_BYTES, OVERRUN_BYTES))) {
		free(b);
		return NULL;
	}
	b->seq = 1;
	nlh = nftnl_batch_begin(nftnl_batch_buffer(b->pages), b->seq++);
	if (genid)
		mnl_attr_put_u32(nlh, NFNL_BATCH_GENID, htonl(genid));
	next_page(b);
	return b;
}

void nlbatch_free(struct nlbatch *b)
{
	if (!b)
		return;
	nftnl_batch_free(b->pages);
	free(b);
}

struct nlmsghdr *nlbatch_msg(struct nlbatch *b, uint16_t type, uint16_t flags)
{
	b->last_seq = b->seq;
	return b->last = nftnl_nlmsg_build_hdr(nftnl_batch_buffer(b->pages), type, NFPROTO_INET,
					       flags, b->seq++);
}

void nlbatch_end_msg(struct nlbatch *b)
{
	next_page(b);
}

void nlbatch_rename_chain(struct nlbatch *b, uint64_t handle, const char *name)
{
	struct nftnl_chain *c = nftnl_chain_alloc();

	if (!c) {
		b->failed = true;
		return;
	}
	nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, NFT_TABLE_NAME);
	nftnl_chain_set_u64(c, NFTNL_CHAIN_HANDLE, handle);
	nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, name);
	nftnl_chain_nlmsg_build_payload(nlbatch_msg(b, NFT_MSG_NEWCHAIN, 0), c);
	nlbatch_end_msg(b);
	nftnl_chain_free(c);
}

/* The replies: the ack of the last message, or the first error. */
struct replies {
	uint32_t last_seq;
	bool acked;
	int error; /* errno, 0 none */
};

static int on_reply(const struct nlmsghdr *nlh, void *data)
{
	struct replies *r = data;
	const struct nlmsgerr *err;

	if (nlh->nlmsg_type != NLMSG_ERROR ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(struct nlmsgerr))
		return MNL_CB_OK;
	err = mnl_nlmsg_get_payload(nlh);
	if (err->error != 0 && !r->error)
		r->error = -err->error;
	else if (err->error == 0 && nlh->nlmsg_seq == r->last_seq)
		r->acked = true;
	return MNL_CB_OK;
}

static int read_replies(struct mnl_socket *nl, struct replies *r)
{
	static char buf[1 << 16];
	/* the kernel processed the batch within sendmsg: its replies are
	 * queued already, and an ack closes them */
	while (!r->acked && !r->error) {
		ssize_t n = recv(mnl_socket_get_fd(nl), buf, sizeof(buf), 0);
		if (n <= 0)
			return -1;
		for (const struct nlmsghdr *nlh = (const void *)buf; mnl_nlmsg_ok(nlh, (int)n);
		     nlh = mnl_nlmsg_next(nlh, (int *)&n))
			on_reply(nlh, r);
	}
	return 0;
}

int nlbatch_commit(struct nlbatch *b, const char *what, struct err *e)
{
	struct replies r = { .last_seq = b->last_seq };
	struct mnl_socket *nl;
	struct iovec *iov;
	int n_iov, one = 1, size;
	size_t total = 0;
	struct msghdr msg = { 0 };
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };

	if (b->failed)
		return err_set(e, "%s: out of memory", what);
	if (b->last_seq == 0)
		return 0; /* nothing to change */
	b->last->nlmsg_flags |= NLM_F_ACK; /* one ack: acks for each could overflow */
	nftnl_batch_end(nftnl_batch_buffer(b->pages), b->seq++);
	next_page(b);
	n_iov = nftnl_batch_iovec_len(b->pages);
	if (!(iov = calloc((size_t)n_iov, sizeof(*iov))))
		return err_set(e, "%s: out of memory", what);
	nftnl_batch_iovec(b->pages, iov, (uint32_t)n_iov);
	for (int i = 0; i < n_iov; i++)
		total += iov[i].iov_len;
	if (!(nl = mnl_socket_open(NETLINK_NETFILTER)) ||
	    mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		free(iov);
		if (nl)
			mnl_socket_close(nl);
		return err_set(e, "%s: netlink: %s", what, strerror(errno));
	}
	/* the whole batch goes in one sendmsg; errors come back without the
	 * request they answer */
	size = total > (size_t)INT32_MAX / 2 ? INT32_MAX / 2 : (int)total + 65536;
	if (setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof(size)) < 0)
		setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
	mnl_socket_setsockopt(nl, NETLINK_CAP_ACK, &one, sizeof(one));
	/* the replies are queued when sendmsg returns; a batch the kernel
	 * dropped unread gets none, and must fail rather than hang */
	setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVTIMEO,
		   &(struct timeval){ .tv_sec = REPLY_TIMEOUT_S }, sizeof(struct timeval));
	msg.msg_name = &kernel;
	msg.msg_namelen = sizeof(kernel);
	msg.msg_iov = iov;
	msg.msg_iovlen = (size_t)n_iov;
	if (sendmsg(mnl_socket_get_fd(nl), &msg, 0) < 0 || read_replies(nl, &r) < 0)
		r.error = errno == EAGAIN ? ETIMEDOUT : errno ? errno : EIO;
	free(iov);
	mnl_socket_close(nl);
	if (r.error == ERESTART)
		return err_set(e, "%s: the ruleset changed meanwhile", what);
	if (r.error)
		return err_set(e, "%s: nftables: %s", what, strerror(r.error));
	return 0;
}
