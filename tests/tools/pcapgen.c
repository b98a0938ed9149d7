// SPDX-License-Identifier: MIT
/* pcapgen - writes small captures for the replay tests.
 *
 *   pcapgen OUT pcap|pcapng ether|sll|raw < SPECS
 *
 * One packet per line: "PROTO SRC DST SPORT DPORT [frag|first]" (IPv4 or
 * IPv6 by the addresses; PROTO tcp, udp, icmp, icmpv6 or a number; for ICMP
 * SPORT and DPORT are type and code; "frag" makes a non-first fragment,
 * "first" a first fragment with more to come), or "arp" for a non-IP frame.
 * pcap files are written by libpcap; pcapng blocks by hand (libpcap reads
 * pcapng but does not write it). */
#include <arpa/inet.h>
#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipbuild.h"

enum { LINK_ETHER, LINK_SLL, LINK_RAW };

static size_t frame(int link, const char *line, uint8_t *out)
{
	uint8_t ip[128];
	int type = 0x0806;
	size_t n = 0, ipn = strncmp(line, "arp", 3) == 0 ? 28 : build_ip(line, ip, &type, 0);

	if (ipn == 0)
		return 0;
	if (type == 0x0806)
		memset(ip, 0, ipn);
	switch (link) {
	case LINK_ETHER:
		memset(out, 0, 12);
		out[0] = 0x02;
		out[6] = 0x02;
		out[11] = 1;
		n = 12 + put16(out + 12, (unsigned)type);
		break;
	case LINK_SLL:
		memset(out, 0, 14);
		put16(out, 0);     /* to us */
		put16(out + 2, 1); /* ARPHRD_ETHER */
		put16(out + 4, 6);
		n = 14 + put16(out + 14, (unsigned)type);
		break;
	default:
		if (type == 0x0806)
			return 0; /* raw IP links carry only IP */
		break;
	}
	memcpy(out + n, ip, ipn);
	return n + ipn;
}

static void pcapng_block(FILE *f, uint32_t type, const void *body, uint32_t len)
{
	uint32_t pad = (4 - len % 4) % 4, total = 12 + len + pad, zero = 0;
	fwrite(&type, 4, 1, f);
	fwrite(&total, 4, 1, f);
	fwrite(body, 1, len, f);
	fwrite(&zero, 1, pad, f);
	fwrite(&total, 4, 1, f);
}

int main(int argc, char **argv)
{
	char line[256];
	uint8_t pkt[256];
	int link, dlt;

	if (argc != 4)
		return fprintf(stderr, "usage: pcapgen OUT pcap|pcapng ether|sll|raw\n"), 2;
	link = strcmp(argv[3], "ether") == 0 ? LINK_ETHER : strcmp(argv[3], "sll") == 0 ? LINK_SLL : LINK_RAW;
	dlt = link == LINK_ETHER ? DLT_EN10MB : link == LINK_SLL ? DLT_LINUX_SLL : DLT_RAW;
	bool ng = strcmp(argv[2], "pcapng") == 0;
	pcap_t *dead = pcap_open_dead(dlt, 65535);
	pcap_dumper_t *dump = ng ? NULL : pcap_dump_open(dead, argv[1]);
	FILE *f = ng ? fopen(argv[1], "wb") : NULL;
	if ((!ng && !dump) || (ng && !f))
		return fprintf(stderr, "pcapgen: cannot write %s\n", argv[1]), 1;
	if (ng) {
		uint8_t shb[16] = { 0 }, idb[8] = { 0 };
		uint32_t magic = 0x1A2B3C4D;
		memcpy(shb, &magic, 4);
		shb[4] = 1; /* version 1.0 */
		memset(shb + 8, 0xff, 8); /* section length unknown */
		pcapng_block(f, 0x0A0D0D0A, shb, 16);
		uint16_t lt = (uint16_t)(link == LINK_RAW ? 101 : dlt);
		memcpy(idb, &lt, 2);
		uint32_t snap = 65535;
		memcpy(idb + 4, &snap, 4);
		pcapng_block(f, 1, idb, 8);
	}
	uint32_t ts = 1700000000;
	while (fgets(line, sizeof(line), stdin)) {
		size_t n = frame(link, line, pkt);
		if (n == 0)
			continue;
		ts++;
		if (ng) {
			uint8_t epb[20 + 256];
			uint32_t v[5] = { 0, 0, ts, (uint32_t)n, (uint32_t)n };
			memcpy(epb, v, 20);
			memcpy(epb + 20, pkt, n);
			pcapng_block(f, 6, epb, (uint32_t)(20 + n));
		} else {
			struct pcap_pkthdr h = { .ts = { .tv_sec = ts }, .caplen = (uint32_t)n,
						 .len = (uint32_t)n };
			pcap_dump((u_char *)dump, &h, pkt);
		}
	}
	if (ng)
		fclose(f);
	else
		pcap_dump_close(dump);
	pcap_close(dead);
	return 0;
}
