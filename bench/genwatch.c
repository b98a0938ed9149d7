// SPDX-License-Identifier: MIT
/* genwatch - waits for the next nftables generation (a committed kernel
 * transaction) in this network namespace and prints when it came, as unix
 * seconds with nanoseconds. bench/addrchange starts it before a change and
 * so learns when the agent's update went live, to the microsecond and
 * without polling. Prints "timeout" after TIMEOUT_MS.
 *
 * usage: genwatch TIMEOUT_MS   ("ready" on stdout once subscribed) */
#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(int argc, char **argv)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_socket *nl;
	int group = NFNLGRP_NFTABLES, timeout = argc > 1 ? atoi(argv[1]) : 5000;
	struct timespec deadline, now;
	int rc = 1;

	if (!(nl = mnl_socket_open(NETLINK_NETFILTER)) ||
	    mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0 ||
	    mnl_socket_setsockopt(nl, NETLINK_ADD_MEMBERSHIP, &group, sizeof(group)) < 0) {
		perror("genwatch: netlink");
		if (nl)
			mnl_socket_close(nl);
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += timeout / 1000;
	deadline.tv_nsec += (timeout % 1000) * 1000000L;
	while (rc) {
		struct pollfd p = { .fd = mnl_socket_get_fd(nl), .events = POLLIN };
		clock_gettime(CLOCK_MONOTONIC, &now);
		long left = (deadline.tv_sec - now.tv_sec) * 1000 +
			    (deadline.tv_nsec - now.tv_nsec) / 1000000;
		if (left <= 0 || poll(&p, 1, (int)left) <= 0) {
			printf("timeout\n");
			break;
		}
		ssize_t got = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		int len = got > 0 ? (int)got : 0;
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; rc && mnl_nlmsg_ok(h, len);
		     h = mnl_nlmsg_next(h, &len)) {
			if (NFNL_MSG_TYPE(h->nlmsg_type) == NFT_MSG_NEWGEN) {
				struct timespec t;
				clock_gettime(CLOCK_REALTIME, &t);
				printf("%lld.%09ld\n", (long long)t.tv_sec, t.tv_nsec);
				rc = 0;
			}
		}
	}
	mnl_socket_close(nl);
	return rc;
}
