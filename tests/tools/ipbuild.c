// SPDX-License-Identifier: MIT
/* ipbuild.c - one IP packet from a line of text, for the test tools. */
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipbuild.h"

size_t put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
	return 2;
}

size_t build_ip(const char *line, uint8_t *buf, int *ethertype, uint32_t id)
{
	char proto_s[16], src_s[64], dst_s[64], flag[16] = "";
	unsigned sport, dport;
	uint8_t proto, src[16], dst[16];
	bool v6, frag, first;

	if (sscanf(line, "%15s %63s %63s %u %u %15s", proto_s, src_s, dst_s, &sport, &dport, flag) < 5)
		return 0;
	proto = strcmp(proto_s, "tcp") == 0 ? 6 : strcmp(proto_s, "udp") == 0 ? 17
		: strcmp(proto_s, "icmp") == 0 ? 1 : strcmp(proto_s, "icmpv6") == 0 ? 58
		: (uint8_t)atoi(proto_s);
	v6 = strchr(src_s, ':') != NULL;
	inet_pton(v6 ? AF_INET6 : AF_INET, src_s, src);
	inet_pton(v6 ? AF_INET6 : AF_INET, dst_s, dst);
	frag = strcmp(flag, "frag") == 0;
	first = strcmp(flag, "first") == 0;
	uint8_t l4[8] = { 0 };
	if (proto == 1 || proto == 58) {
		l4[0] = (uint8_t)sport;
		l4[1] = (uint8_t)dport;
	} else {
		put16(l4, sport);
		put16(l4 + 2, dport);
	}
	size_t n;
	if (!v6) {
		*ethertype = 0x0800;
		memset(buf, 0, 20);
		buf[0] = 0x45;
		put16(buf + 2, 28);
		put16(buf + 6, frag ? 185 : first ? 0x2000 : 0); /* offset 185*8, or MF */
		buf[8] = 64;
		buf[9] = proto;
		put16(buf + 4, id & 0xffff);
		memcpy(buf + 12, src, 4);
		memcpy(buf + 16, dst, 4);
		n = 20;
	} else {
		*ethertype = 0x86dd;
		memset(buf, 0, 40);
		buf[0] = 0x60;
		buf[1] = (uint8_t)(id >> 16 & 0x0f);
		put16(buf + 2, id & 0xffff);
		buf[6] = (frag || first) ? 44 : proto;
		buf[7] = 64;
		memcpy(buf + 8, src, 16);
		memcpy(buf + 24, dst, 16);
		n = 40;
		if (frag || first) {
			memset(buf + n, 0, 8);
			buf[n] = proto;
			put16(buf + n + 2, frag ? 185u << 3 : 1); /* offset, or M flag */
			n += 8;
		}
		put16(buf + 4, (unsigned)(n - 40 + 8));
	}
	if (!frag) {
		memcpy(buf + n, l4, 8);
		n += 8;
	}
	return n;
}

