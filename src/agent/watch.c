// SPDX-License-Identifier: MIT
/* watch.c - rtnetlink, nftables events and inotify, each drained into
 * one bit: changed. */
#include <arpa/inet.h>
#include <errno.h>
#include <libgen.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "backend/fingerprint.h"
#include "sys/facts.h"
#include "watch.h"

enum { FACTS_DIRS_MAX = 8 };

/* A store directory watched, and the store's file name in it: -wal and
 * -journal go with the name. */
struct store_dir {
	int wd;
	char name[256];
};

struct watch {
	struct mnl_socket *nl;
	struct mnl_socket *nft; /* NFNLGRP_NFTABLES: every nftables commit */
	bool nft_hearing;       /* a member of the group now */
	bool nft_touched;       /* the transaction being told changed our table */
	int ino;
	char db_path[4096];
	/* The path as given, and where it really is: with a symlink (or a
	 * symlinked directory) SQLite writes beside the target, and a link
	 * pointed elsewhere shows as an event on the link's own name. */
	struct store_dir link, real;
	char real_path[4096];
	int facts_wd[FACTS_DIRS_MAX];
	size_t n_facts;
};

static const uint32_t store_mask = IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE |
				   IN_DELETE | IN_MOVED_FROM;

/* Splits path into its directory and file name; false if either is too long. */
static bool split_path(const char *path, char *dir, size_t dir_len, char *name, size_t name_len)
{
	char copy[4096];

	if (snprintf(copy, sizeof(copy), "%s", path) >= (int)sizeof(copy))
		return false;
	if (snprintf(name, name_len, "%s", basename(copy)) >= (int)name_len)
		return false;
	snprintf(copy, sizeof(copy), "%s", path);
	return snprintf(dir, dir_len, "%s", dirname(copy)) < (int)dir_len;
}

/* Where the store really is: its real path, or, while it does not exist
 * yet, its real directory and its name. */
static void store_real_path(const char *path, char *out, size_t len)
{
	char dir[4096], name[256], *real = realpath(path, NULL);

	if (!real && split_path(path, dir, sizeof(dir), name, sizeof(name)) &&
	    (real = realpath(dir, NULL))) {
		char *joined = NULL;
		if (asprintf(&joined, "%s/%s", real, name) < 0)
			joined = NULL;
		free(real);
		real = joined;
	}
	snprintf(out, len, "%s", real ? real : path);
	free(real);
}

static bool wd_in_use(const struct watch *w, int wd)
{
	if (wd == w->link.wd)
		return true;
	for (size_t i = 0; i < w->n_facts; i++)
		if (w->facts_wd[i] == wd)
			return true;
	return false;
}

/* (Re)watches the directory the store really is in; the watch of an old
 * target's directory goes unless another watch shares it. */
static int follow_store(struct watch *w, struct err *e)
{
	char real[4096], dir[4096], name[256];
	int wd;

	store_real_path(w->db_path, real, sizeof(real));
	if (w->real.wd >= 0 && strcmp(real, w->real_path) == 0)
		return 0;
	if (!split_path(real, dir, sizeof(dir), name, sizeof(name)))
		return err_set(e, "store path too long: %s", real);
	if ((wd = inotify_add_watch(w->ino, dir, store_mask | IN_MASK_ADD)) < 0)
		return err_set(e, "watching %s: %s", dir, strerror(errno));
	if (w->real.wd >= 0 && w->real.wd != wd && !wd_in_use(w, w->real.wd))
		inotify_rm_watch(w->ino, w->real.wd);
	w->real.wd = wd;
	snprintf(w->real.name, sizeof(w->real.name), "%s", name);
	snprintf(w->real_path, sizeof(w->real_path), "%s", real);
	return 0;
}

int watch_open(struct watch **out, const char *db_path, const char *facts_root, struct err *e)
{
	struct watch *w = calloc(1, sizeof(*w));
	char dir[4096];
	unsigned groups = RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR |
			  RTMGRP_IPV4_ROUTE | RTMGRP_IPV6_ROUTE;

	if (!w)
		return err_set(e, "out of memory");
	w->ino = w->link.wd = w->real.wd = -1;
	if (!(w->nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_NONBLOCK | SOCK_CLOEXEC)) ||
	    mnl_socket_bind(w->nl, groups, MNL_SOCKET_AUTOPID) < 0) {
		err_set(e, "rtnetlink: %s", strerror(errno));
		goto fail;
	}
	/* deaf until watch_nft_hear: the agent's first load comes first */
	if (!(w->nft = mnl_socket_open2(NETLINK_NETFILTER, SOCK_NONBLOCK | SOCK_CLOEXEC)) ||
	    mnl_socket_bind(w->nft, 0, MNL_SOCKET_AUTOPID) < 0) {
		err_set(e, "nftables events: %s", strerror(errno));
		goto fail;
	}
	if ((w->ino = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) < 0) {
		err_set(e, "inotify: %s", strerror(errno));
		goto fail;
	}
	if (snprintf(w->db_path, sizeof(w->db_path), "%s", db_path) >= (int)sizeof(w->db_path) ||
	    !split_path(db_path, dir, sizeof(dir), w->link.name, sizeof(w->link.name))) {
		err_set(e, "store path too long: %s", db_path);
		goto fail;
	}
	/* IN_MASK_ADD everywhere: two of these directories may be one, and a
	 * later watch must not narrow an earlier one's events. */
	if ((w->link.wd = inotify_add_watch(w->ino, dir, store_mask | IN_MASK_ADD)) < 0 &&
	    errno != ENOENT) { /* no folder yet: the periodic re-read finds the store */
		err_set(e, "watching %s: %s", dir, strerror(errno));
		goto fail;
	}
	/* A facts directory that does not exist holds no facts yet; the
	 * agent's periodic re-read covers one made later. */
	for (size_t i = 0; facts_file_dirs[i] && w->n_facts < FACTS_DIRS_MAX; i++) {
		snprintf(dir, sizeof(dir), "%s%s", facts_root, facts_file_dirs[i]);
		int wd = inotify_add_watch(w->ino, dir,
					   IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE |
						   IN_MOVED_FROM | IN_MASK_ADD);
		if (wd >= 0)
			w->facts_wd[w->n_facts++] = wd;
	}
	if (follow_store(w, e) < 0)
		goto fail;
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

/* Messages queued while hearing are old news once deaf: whatever they
 * told, the generation compared after joining again tells too. */
static void nft_drain(struct watch *w)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	ssize_t n;

	while ((n = mnl_socket_recvfrom(w->nft, buf, sizeof(buf))) > 0 || (n < 0 && errno == ENOBUFS))
		;
	w->nft_touched = false;
}

int watch_nft_hear(struct watch *w, bool on, struct err *e)
{
	if (on == w->nft_hearing)
		return 0;
	if (on)
		nft_drain(w);
	if (mnl_socket_setsockopt(w->nft, on ? NETLINK_ADD_MEMBERSHIP : NETLINK_DROP_MEMBERSHIP,
				  &(int){ NFNLGRP_NFTABLES }, sizeof(int)) < 0)
		return err_set(e, "nftables events: %s", strerror(errno));
	w->nft_hearing = on;
	return 0;
}

bool watch_nft_hearing(const struct watch *w)
{
	return w->nft_hearing;
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

static bool names_store(const struct store_dir *d, const struct inotify_event *ev)
{
	return ev->wd == d->wd && ev->len && !strncmp(ev->name, d->name, strlen(d->name));
}

/* A store event counts for the store's own files only; every event in a
 * facts directory counts (resolv.conf is often replaced by a rename). */
static bool relevant(const struct watch *w, const struct inotify_event *ev)
{
	if (ev->mask & IN_Q_OVERFLOW)
		return true;
	if (ev->wd != w->link.wd && ev->wd != w->real.wd)
		return true;
	return names_store(&w->link, ev) || names_store(&w->real, ev);
}

bool watch_inotify_read(struct watch *w)
{
	char buf[16384] __attribute__((aligned(__alignof__(struct inotify_event))));
	bool changed = false, link_moved = false;
	struct err e;
	ssize_t n;

	while ((n = read(w->ino, buf, sizeof(buf))) > 0)
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *ev = (const struct inotify_event *)p;
			changed = changed || relevant(w, ev);
			link_moved = link_moved || names_store(&w->link, ev) ||
				     (ev->mask & IN_Q_OVERFLOW);
			p += sizeof(*ev) + ev->len;
		}
	/* The link may point elsewhere now; if the new place cannot be
	 * watched, the agent's periodic re-read still sees its changes. */
	if (link_moved)
		follow_store(w, &e);
	return changed;
}
