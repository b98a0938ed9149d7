// SPDX-License-Identifier: MIT
/* netprobe - real traffic for the kernel tests, bounded in count and time.
 *
 *   netprobe serve SECONDS PORT...     TCP listeners and UDP echo on every
 *                                      address (IPv4 and IPv6) for SECONDS
 *   netprobe tcp [-s SRC] [-p SPORT] [-w MS] DST PORT
 *   netprobe udp [-s SRC] [-p SPORT] [-w MS] DST PORT
 *   netprobe icmp [-w MS] DST          an echo request
 *        each prints "pass" and exits 0 when the exchange went through (a
 *        TCP connect or refusal, a UDP echo, an echo reply), or prints
 *        "drop" and exits 1 when nothing came back in time
 *   netprobe inject [-g MS] < SPECS    one raw packet per spec line (see
 *                                      ipbuild.h), the n-th tagged with id
 *                                      n (from 1) and TTL 199; -g waits
 *                                      between them
 *   netprobe stream SECONDS PPS PROTO SRC DST SPORT DPORT FIRST_ID
 *                                      the same packet PPS times a second,
 *                                      ids counting up from FIRST_ID (TTL
 *                                      199 too); prints the next id
 *
 * Nothing here checks what it sends: the tests only use addresses of the
 * namespaces they create. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "ipbuild.h"

enum { PORTS_MAX = 64, PROBE_TTL = 199 };

static int parse_addr(const char *text, uint16_t port, struct sockaddr_storage *ss,
		      socklen_t *len)
{
	struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, text, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons(port);
		*len = sizeof(*a4);
		return AF_INET;
	}
	if (inet_pton(AF_INET6, text, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons(port);
		*len = sizeof(*a6);
		return AF_INET6;
	}
	fprintf(stderr, "netprobe: bad address '%s'\n", text);
	exit(2);
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int serve(int argc, char **argv)
{
	struct pollfd fds[2 * PORTS_MAX];
	int is_tcp[2 * PORTS_MAX], n = 0, one = 1, zero = 0;
	long until;

	if (argc < 2)
		return 2;
	until = now_ms() + atol(argv[0]) * 1000;
	for (int i = 1; i < argc && n + 2 <= 2 * PORTS_MAX; i++) {
		struct sockaddr_in6 any = { .sin6_family = AF_INET6,
					    .sin6_port = htons((uint16_t)atoi(argv[i])) };
		for (int tcp = 1; tcp >= 0; tcp--) {
			int fd = socket(AF_INET6, tcp ? SOCK_STREAM : SOCK_DGRAM, 0);
			if (fd < 0 ||
			    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
			    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero)) < 0 ||
			    bind(fd, (struct sockaddr *)&any, sizeof(any)) < 0 ||
			    (tcp && listen(fd, 64) < 0)) {
				perror("netprobe serve");
				return 1;
			}
			fds[n] = (struct pollfd){ .fd = fd, .events = POLLIN };
			is_tcp[n++] = tcp;
		}
	}
	printf("ready\n");
	fflush(stdout);
	while (now_ms() < until) {
		if (poll(fds, (nfds_t)n, 100) <= 0)
			continue;
		for (int i = 0; i < n; i++) {
			if (!(fds[i].revents & POLLIN))
				continue;
			if (is_tcp[i]) {
				int c = accept(fds[i].fd, NULL, NULL);
				if (c >= 0)
					close(c);
			} else {
				struct sockaddr_storage from;
				socklen_t flen = sizeof(from);
				char buf[512];
				ssize_t got = recvfrom(fds[i].fd, buf, sizeof(buf), 0,
						       (struct sockaddr *)&from, &flen);
				if (got > 0)
					sendto(fds[i].fd, buf, (size_t)got, 0, (struct sockaddr *)&from,
					       flen);
			}
		}
	}
	return 0;
}

struct client_opts {
	const char *src;
	uint16_t sport;
	int wait_ms;
};

static int client_options(int *argc, char ***argv, struct client_opts *o)
{
	int opt;

	o->src = NULL;
	o->sport = 0;
	o->wait_ms = 1000;
	optind = 1;
	while ((opt = getopt(*argc, *argv, "s:p:w:")) != -1) {
		if (opt == 's')
			o->src = optarg;
		else if (opt == 'p')
			o->sport = (uint16_t)atoi(optarg);
		else if (opt == 'w')
			o->wait_ms = atoi(optarg);
		else
			return -1;
	}
	*argc -= optind;
	*argv += optind;
	return 0;
}

static int verdict(bool passed)
{
	puts(passed ? "pass" : "drop");
	return passed ? 0 : 1;
}

static int bound_socket(int family, int type, const struct client_opts *o)
{
	int fd = socket(family, type, 0), one = 1;
	struct sockaddr_storage src;
	socklen_t slen;

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (o->src || o->sport) {
		if (o->src)
			parse_addr(o->src, o->sport, &src, &slen);
		else
			parse_addr(family == AF_INET ? "0.0.0.0" : "::", o->sport, &src, &slen);
		if (bind(fd, (struct sockaddr *)&src, slen) < 0) {
			perror("netprobe bind");
			close(fd);
			return -1;
		}
	}
	return fd;
}

static int tcp_client(int argc, char **argv)
{
	struct client_opts o;
	struct sockaddr_storage dst;
	socklen_t dlen;
	int fd, family, err = 0;
	socklen_t elen = sizeof(err);

	if (client_options(&argc, &argv, &o) < 0 || argc != 2)
		return 2;
	family = parse_addr(argv[0], (uint16_t)atoi(argv[1]), &dst, &dlen);
	if ((fd = bound_socket(family, SOCK_STREAM | SOCK_NONBLOCK, &o)) < 0)
		return 2;
	if (connect(fd, (struct sockaddr *)&dst, dlen) == 0) {
		close(fd);
		return verdict(true);
	}
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	bool answered = poll(&p, 1, o.wait_ms) == 1 &&
			getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) == 0 &&
			(err == 0 || err == ECONNREFUSED);
	close(fd);
	return verdict(answered);
}

static int udp_client(int argc, char **argv)
{
	struct client_opts o;
	struct sockaddr_storage dst;
	socklen_t dlen;
	int fd, family;
	char buf[64];

	if (client_options(&argc, &argv, &o) < 0 || argc != 2)
		return 2;
	family = parse_addr(argv[0], (uint16_t)atoi(argv[1]), &dst, &dlen);
	if ((fd = bound_socket(family, SOCK_DGRAM, &o)) < 0)
		return 2;
	sendto(fd, "probe", 5, 0, (struct sockaddr *)&dst, dlen);
	struct pollfd p = { .fd = fd, .events = POLLIN };
	bool answered = poll(&p, 1, o.wait_ms) == 1 && recv(fd, buf, sizeof(buf), 0) > 0;
	close(fd);
	return verdict(answered);
}

static int icmp_client(int argc, char **argv)
{
	struct client_opts o;
	struct sockaddr_storage dst;
	socklen_t dlen;
	uint8_t req[16] = { 0 }, buf[256];
	int fd, family;
	long until;

	if (client_options(&argc, &argv, &o) < 0 || argc != 1)
		return 2;
	family = parse_addr(argv[0], 0, &dst, &dlen);
	fd = socket(family, SOCK_RAW, family == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6);
	if (fd < 0) {
		perror("netprobe icmp");
		return 2;
	}
	req[0] = family == AF_INET ? 8 : 128;
	put16(req + 4, 0x1234);
	put16(req + 6, 1);
	if (family == AF_INET) {
		/* the kernel computes ICMPv6 checksums, not ICMPv4 ones */
		uint32_t sum = 0;
		for (size_t i = 0; i < sizeof(req); i += 2)
			sum += (uint32_t)(req[i] << 8 | req[i + 1]);
		while (sum >> 16)
			sum = (sum & 0xffff) + (sum >> 16);
		put16(req + 2, ~sum & 0xffff);
	}
	sendto(fd, req, sizeof(req), 0, (struct sockaddr *)&dst, dlen);
	until = now_ms() + o.wait_ms;
	for (long left; (left = until - now_ms()) > 0;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		if (poll(&p, 1, (int)left) != 1)
			break;
		ssize_t got = recv(fd, buf, sizeof(buf), 0);
		/* IPv4 raw sockets see the IP header; IPv6 ones do not */
		size_t off = family == AF_INET && got > 0 ? (size_t)(buf[0] & 0x0f) * 4 : 0;
		if (got >= (ssize_t)(off + 8) && buf[off] == (family == AF_INET ? 0 : 129) &&
		    buf[off + 4] == 0x12 && buf[off + 5] == 0x34) {
			close(fd);
			return verdict(true);
		}
	}
	close(fd);
	return verdict(false);
}

/* Sends one built packet through a raw socket: the kernel routes it and
 * fills in the IPv4 header checksum. */
static int send_raw(uint8_t *pkt, size_t len, int ethertype)
{
	static int fd4 = -1, fd6 = -1;
	struct sockaddr_storage dst;
	socklen_t dlen;
	char text[INET6_ADDRSTRLEN];
	bool v6 = ethertype == 0x86dd;
	int one = 1;

	/* a hop limit of its own tells a probe from the host's own packets */
	pkt[v6 ? 7 : 8] = PROBE_TTL;
	if (!v6 && fd4 < 0) {
		fd4 = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
		setsockopt(fd4, SOL_SOCKET, SO_BROADCAST, &one, sizeof(one));
	}
	if (v6 && fd6 < 0)
		fd6 = socket(AF_INET6, SOCK_RAW, IPPROTO_RAW);
	inet_ntop(v6 ? AF_INET6 : AF_INET, pkt + (v6 ? 24 : 16), text, sizeof(text));
	parse_addr(text, 0, &dst, &dlen);
	if (sendto(v6 ? fd6 : fd4, pkt, len, 0, (struct sockaddr *)&dst, dlen) < 0) {
		fprintf(stderr, "netprobe inject %s: %s\n", text, strerror(errno));
		return -1;
	}
	return 0;
}

static int inject(int argc, char **argv)
{
	char line[256];
	uint8_t pkt[256];
	uint32_t id = 0;
	int gap_ms = argc == 2 && strcmp(argv[0], "-g") == 0 ? atoi(argv[1]) : 0;
	int type, failed = 0;

	while (fgets(line, sizeof(line), stdin)) {
		size_t n = build_ip(line, pkt, &type, ++id);
		if (n == 0 || send_raw(pkt, n, type) < 0)
			failed++;
		if (gap_ms)
			usleep((useconds_t)gap_ms * 1000);
	}
	return failed ? 1 : 0;
}

static int stream(int argc, char **argv)
{
	char line[256];
	uint8_t pkt[256];
	long seconds, pps, until;
	uint32_t id;
	int type;

	if (argc != 8)
		return 2;
	seconds = atol(argv[0]);
	pps = atol(argv[1]);
	id = (uint32_t)atol(argv[7]);
	snprintf(line, sizeof(line), "%s %s %s %s %s", argv[2], argv[3], argv[4], argv[5],
		 argv[6]);
	until = now_ms() + seconds * 1000;
	for (long next = now_ms(); next < until && pps > 0; next += 1000 / pps) {
		long wait = next - now_ms();
		size_t n = build_ip(line, pkt, &type, id++);
		if (wait > 0)
			usleep((useconds_t)wait * 1000);
		if (n == 0 || send_raw(pkt, n, type) < 0)
			return 1;
	}
	printf("%u\n", id);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: netprobe serve|tcp|udp|icmp|inject|stream ...\n");
		return 2;
	}
	if (strcmp(argv[1], "serve") == 0)
		return serve(argc - 2, argv + 2);
	if (strcmp(argv[1], "tcp") == 0)
		return tcp_client(argc - 1, argv + 1);
	if (strcmp(argv[1], "udp") == 0)
		return udp_client(argc - 1, argv + 1);
	if (strcmp(argv[1], "icmp") == 0)
		return icmp_client(argc - 1, argv + 1);
	if (strcmp(argv[1], "inject") == 0)
		return inject(argc - 2, argv + 2);
	if (strcmp(argv[1], "stream") == 0)
		return stream(argc - 2, argv + 2);
	fprintf(stderr, "netprobe: unknown command '%s'\n", argv[1]);
	return 2;
}
