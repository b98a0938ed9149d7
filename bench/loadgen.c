// SPDX-License-Identifier: MIT
/* loadgen - the traffic of bench/datapath, bounded in time:
 *
 *   loadgen udp-flood SRC DST SPORT DPORT SECONDS   small datagrams as fast as
 *                                                   possible; prints sent
 *   loadgen udp-sink ADDR PORT SECONDS              holds the port, never reads;
 *                                                   prints the datagrams that
 *                                                   reached UDP (queued or not)
 *   loadgen tcp-sink ADDR PORT SECONDS              accepts one connection and
 *                                                   reads; prints bytes read
 *   loadgen tcp-send SRC DST SPORT DPORT SECONDS    writes as fast as possible
 *
 * IPv4 only (the ClassBench sets are). The sink counts from the network
 * namespace's /proc/net/snmp, so a slow reader cannot bias the rate. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int addr(const char *text, const char *port, struct sockaddr_in *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons((uint16_t)atoi(port));
	return inet_pton(AF_INET, text, &sa->sin_addr) == 1 ? 0 : -1;
}

static int bound(int type, const char *ip, const char *port)
{
	struct sockaddr_in sa;
	int one = 1, fd = socket(AF_INET, type, 0);

	if (fd < 0 || addr(ip, port, &sa) < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	return bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 ? fd : -1;
}

static int connected(int type, char **argv)
{
	struct sockaddr_in to;
	int fd = bound(type, argv[0], argv[2]);

	if (fd < 0 || addr(argv[1], argv[3], &to) < 0 ||
	    connect(fd, (struct sockaddr *)&to, sizeof(to)) < 0)
		return -1;
	return fd;
}

/* Udp: InDatagrams + RcvbufErrors of this namespace. */
static long long udp_arrived(void)
{
	FILE *f = fopen("/proc/net/snmp", "r");
	char head[1024], vals[1024];
	long long total = 0;

	while (f && fgets(head, sizeof(head), f) && fgets(vals, sizeof(vals), f)) {
		if (strncmp(head, "Udp:", 4) != 0)
			continue;
		char *hs, *vs, *h = strtok_r(head, " \n", &hs), *v = strtok_r(vals, " \n", &vs);
		for (; h && v; h = strtok_r(NULL, " \n", &hs), v = strtok_r(NULL, " \n", &vs))
			if (strcmp(h, "InDatagrams") == 0 || strcmp(h, "RcvbufErrors") == 0)
				total += atoll(v);
		break;
	}
	if (f)
		fclose(f);
	return total;
}

static int udp_flood(char **argv)
{
	enum { BATCH = 64 };
	struct mmsghdr msgs[BATCH];
	struct iovec iov;
	char payload[18] = "ipsecfw-benchmark";
	double secs = atof(argv[4]), end;
	long long sent = 0;
	int fd = connected(SOCK_DGRAM, argv);

	if (fd < 0) {
		perror("loadgen: udp-flood");
		return 1;
	}
	iov = (struct iovec){ payload, sizeof(payload) };
	memset(msgs, 0, sizeof(msgs));
	for (int i = 0; i < BATCH; i++) {
		msgs[i].msg_hdr.msg_iov = &iov;
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	end = now() + secs;
	while (now() < end) {
		int n = sendmmsg(fd, msgs, BATCH, 0);
		if (n > 0)
			sent += n;
	}
	printf("%lld\n", sent);
	close(fd);
	return 0;
}

static int udp_sink(char **argv)
{
	int fd = bound(SOCK_DGRAM, argv[0], argv[1]), small = 4096;
	long long before;

	if (fd < 0) {
		perror("loadgen: udp-sink");
		return 1;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
	before = udp_arrived();
	usleep((useconds_t)(atof(argv[2]) * 1e6));
	printf("%lld\n", udp_arrived() - before);
	close(fd);
	return 0;
}

static int tcp_sink(char **argv)
{
	static char buf[1 << 16];
	int lfd = bound(SOCK_STREAM, argv[0], argv[1]), fd;
	double end = now() + atof(argv[2]);
	long long got = 0;
	ssize_t n;

	if (lfd < 0 || listen(lfd, 1) < 0) {
		perror("loadgen: tcp-sink");
		return 1;
	}
	struct pollfd p = { .fd = lfd, .events = POLLIN };
	if (poll(&p, 1, (int)(atof(argv[2]) * 1000)) != 1 || (fd = accept(lfd, NULL, NULL)) < 0) {
		fprintf(stderr, "loadgen: tcp-sink: no connection\n");
		return 1;
	}
	p.fd = fd;
	while (now() < end && poll(&p, 1, 200) >= 0)
		if (p.revents && (n = read(fd, buf, sizeof(buf))) > 0)
			got += n;
		else if (p.revents)
			break;
	printf("%lld\n", got);
	close(fd);
	close(lfd);
	return 0;
}

static int tcp_send(char **argv)
{
	static char buf[1 << 16];
	double end = now() + atof(argv[4]);
	long long sent = 0;
	int fd = connected(SOCK_STREAM, argv);
	struct timeval stall = { 1, 0 }; /* a write may not outlive the run */
	ssize_t n;

	if (fd < 0) {
		perror("loadgen: tcp-send");
		return 1;
	}
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &stall, sizeof(stall));
	while (now() < end && (n = write(fd, buf, sizeof(buf))) > 0)
		sent += n;
	printf("%lld\n", sent);
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 7 && strcmp(argv[1], "udp-flood") == 0)
		return udp_flood(argv + 2);
	if (argc == 5 && strcmp(argv[1], "udp-sink") == 0)
		return udp_sink(argv + 2);
	if (argc == 5 && strcmp(argv[1], "tcp-sink") == 0)
		return tcp_sink(argv + 2);
	if (argc == 7 && strcmp(argv[1], "tcp-send") == 0)
		return tcp_send(argv + 2);
	fprintf(stderr, "usage: loadgen udp-flood|tcp-send SRC DST SPORT DPORT SECONDS\n"
			"       loadgen udp-sink|tcp-sink ADDR PORT SECONDS\n");
	return 2;
}
