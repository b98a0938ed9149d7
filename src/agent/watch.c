/* watch.c - rtnetlink, nftables events and inotify, each drained into
 * one bit: changed. */
#include <arpa/inet.h>
#include <errno.h>
#include <libgen.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "backend/fingerprint.h"
#include "sys/facts.h"
#include "watch.h"

struct watch {
	struct mnl_socket *nl;
	struct mnl_socket *nft; /* NFNLGRP_NFTABLES: every nftables commit */
	bool nft_touched;       /* the transaction being told changed our table */
	int ino;
	int db_wd;
	char db_name[256]; /* the store's file name; -wal and -journal go with it */
};

int watch_open(struct watch **out, const char *db_path, const char *facts_root, struct err *e)
{
	struct watch *w = calloc(1, sizeof(*w));
	char copy[4096], dir[4096];
	unsigned groups = RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR |
			  RTMGRP_IPV4_ROUTE | RTMGRP_IPV6_ROUTE;

	if (!w)
		return err_set(e, "out of memory");
	w->ino = -1;
	if (!(w->nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_NONBLOCK | SOCK_CLOEXEC)) ||
	    mnl_socket_bind(w->nl, groups, MNL_SOCKET_AUTOPID) < 0) {
		err_set(e, "rtnetlink: %s", strerror(errno));
		goto fail;
	}
	if (!(w->nft = mnl_socket_open2(NETLINK_NETFILTER, SOCK_NONBLOCK | SOCK_CLOEXEC)) ||
	    mnl_socket_bind(w->nft, 0, MNL_SOCKET_AUTOPID) < 0 ||
	    mnl_socket_setsockopt(w->nft, NETLINK_ADD_MEMBERSHIP, &(int){ NFNLGRP_NFTABLES },
				  sizeof(int)) < 0) {
		err_set(e, "nftables events: %s", strerror(errno));
		goto fail;
	}
	if ((w->ino = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) < 0) {
		err_set(e, "inotify: %s", strerror(errno));
		goto fail;
	}
	snprintf(copy, sizeof(copy), "%s", db_path);
	snprintf(w->db_name, sizeof(w->db_name), "%s", basename(copy));
	snprintf(copy, sizeof(copy), "%s", db_path);
	snprintf(dir, sizeof(dir), "%s", dirname(copy));
	if ((w->db_wd = inotify_add_watch(w->ino, dir,
					  IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE |
						  IN_DELETE | IN_MOVED_FROM)) < 0) {
		err_set(e, "watching %s: %s", dir, strerror(errno));
		goto fail;
	}
	/* A facts directory that does not exist holds no facts yet; the
	 * agent's periodic re-read covers one made later. */
	for (size_t i = 0; facts_file_dirs[i]; i++) {
		snprintf(dir, sizeof(dir), "%s%s", facts_root, facts_file_dirs[i]);
		inotify_add_watch(w->ino, dir,
				  IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE | IN_MOVED_FROM);
	}
	*out = w;
	return 0;
fail:
	watch_close(w);
	return -1;
}

void watch_close(struct watch *w)
{
	if (!w)
		return;
	if (w->nl)
		mnl_socket_close(w->nl);
	if (w->nft)
		mnl_socket_close(w->nft);
	if (w->ino >= 0)
		close(w->ino);
	free(w);
}

int watch_netlink_fd(const struct watch *w)
{
	return mnl_socket_get_fd(w->nl);
}

int watch_nft_fd(const struct watch *w)
{
	return mnl_socket_get_fd(w->nft);
}

int watch_inotify_fd(const struct watch *w)
{
	return w->ino;
}

bool watch_netlink_read(struct watch *w)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	bool changed = false;
	ssize_t n;

	/* Any message counts: the agent re-reads the addresses and routes. A
	 * flood that overflows the socket (ENOBUFS) lost some: a change too. */
	while ((n = mnl_socket_recvfrom(w->nl, buf, sizeof(buf))) > 0 || (n < 0 && errno == ENOBUFS))
		changed = true;
	return changed;
}

/* The process that made the transaction (NEWGEN ends each one); 0 when
 * the kernel does not say. */
static uint32_t committer(const struct nlmsghdr *nlh)
{
	const struct nlattr *attr;

	mnl_attr_for_each(attr, nlh, sizeof(struct nfgenmsg))
		if (mnl_attr_get_type(attr) == NFTA_GEN_PROC_PID &&
		    mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
			return ntohl(mnl_attr_get_u32(attr));
	return 0;
}

static bool foreign_change(struct watch *w, const char *buf, size_t len)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
	bool foreign = false;
	int n = (int)len;

	for (; mnl_nlmsg_ok(nlh, n); nlh = mnl_nlmsg_next(nlh, &n)) {
		if (NFNL_SUBSYS_ID(nlh->nlmsg_type) != NFNL_SUBSYS_NFTABLES)
			continue;
		if (NFNL_MSG_TYPE(nlh->nlmsg_type) != NFT_MSG_NEWGEN) {
			w->nft_touched = w->nft_touched || fingerprint_names_our_table(nlh);
			continue;
		}
		foreign = foreign || (w->nft_touched && committer(nlh) != (uint32_t)getpid());
		w->nft_touched = false;
	}
	return foreign;
}

bool watch_nft_read(struct watch *w)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	bool foreign = false;
	ssize_t n;

	/* Lost messages (ENOBUFS) may have told of anything. */
	while ((n = mnl_socket_recvfrom(w->nft, buf, sizeof(buf))) > 0 || (n < 0 && errno == ENOBUFS))
		foreign = n < 0 || foreign_change(w, buf, (size_t)n) || foreign;
	return foreign;
}

/* A store event counts for the store's own files only; every event in a
 * facts directory counts (resolv.conf is often replaced by a rename). */
static bool relevant(const struct watch *w, const struct inotify_event *ev)
{
	if (ev->mask & IN_Q_OVERFLOW)
		return true;
	if (ev->wd != w->db_wd)
		return true;
	return ev->len && !strncmp(ev->name, w->db_name, strlen(w->db_name));
}

bool watch_inotify_read(struct watch *w)
{
	char buf[16384] __attribute__((aligned(__alignof__(struct inotify_event))));
	bool changed = false;
	ssize_t n;

	while ((n = read(w->ino, buf, sizeof(buf))) > 0)
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *ev = (const struct inotify_event *)p;
			changed = changed || relevant(w, ev);
			p += sizeof(*ev) + ev->len;
		}
	return changed;
}
