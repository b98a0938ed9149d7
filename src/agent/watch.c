/* watch.c - rtnetlink and inotify, drained into one bit: changed. */
#include <errno.h>
#include <libgen.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "sys/facts.h"
#include "watch.h"

struct watch {
	struct mnl_socket *nl;
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
						  IN_DELETE | IN_MOVED_FROM)) < 0 &&
	    errno != ENOENT) { /* no folder yet: the periodic re-read finds the store */
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
	if (w->ino >= 0)
		close(w->ino);
	free(w);
}

int watch_netlink_fd(const struct watch *w)
{
	return mnl_socket_get_fd(w->nl);
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
