// SPDX-License-Identifier: MIT
#include "proto.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct {
	const char *name;
	uint8_t number;
} proto_names[] = {
	{ "ANY", PROTO_ANY }, { "ICMP", PROTO_ICMP },     { "TCP", PROTO_TCP },
	{ "UDP", PROTO_UDP }, { "ICMPV6", PROTO_ICMPV6 }, { "RAW", PROTO_RAW },
};

int int_parse(const char *text, long lo, long hi, long *out)
{
	char *end;
	long v;

	if (!isdigit((unsigned char)text[0]) || strlen(text) > 12)
		return -1;
	errno = 0;
	v = strtol(text, &end, 10);
	if (errno || *end || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

int proto_parse(const char *text, uint8_t *out, struct err *e)
{
	long v;

	for (size_t i = 0; i < sizeof(proto_names) / sizeof(proto_names[0]); i++) {
		if (strcasecmp(text, proto_names[i].name) == 0) {
			*out = proto_names[i].number;
			return 0;
		}
	}
	if (int_parse(text, 0, 255, &v) < 0)
		return err_set(e, "bad protocol '%s' (ANY, ICMP, TCP, UDP, RAW or 0..255)", text);
	*out = (uint8_t)v;
	return 0;
}

void proto_format(uint8_t proto, char *buf, size_t len)
{
	for (size_t i = 0; i < sizeof(proto_names) / sizeof(proto_names[0]); i++) {
		if (proto_names[i].number == proto) {
			snprintf(buf, len, "%s", proto_names[i].name);
			return;
		}
	}
	snprintf(buf, len, "%u", proto);
}

bool proto_has_ports(uint8_t proto)
{
	return proto == PROTO_TCP || proto == PROTO_UDP;
}

bool proto_is_icmp(uint8_t proto)
{
	return proto == PROTO_ICMP || proto == PROTO_ICMPV6;
}

int port_parse(const char *text, struct port_range *out, struct err *e)
{
	const char *dash = strchr(text, '-');
	long lo, hi;

	if (!dash) {
		if (int_parse(text, 0, 65535, &lo) < 0)
			return err_set(e, "bad port '%s' (0..65535, or lo-hi)", text);
		*out = lo == 0 ? PORT_ANY : (struct port_range){ (uint16_t)lo, (uint16_t)lo };
		return 0;
	}
	char first[16];
	size_t n = (size_t)(dash - text);
	if (n == 0 || n >= sizeof(first))
		return err_set(e, "bad port range '%s'", text);
	memcpy(first, text, n);
	first[n] = '\0';
	if (int_parse(first, 0, 65535, &lo) < 0 || int_parse(dash + 1, 0, 65535, &hi) < 0)
		return err_set(e, "bad port range '%s' (lo-hi, each 0..65535)", text);
	if (lo > hi)
		return err_set(e, "bad port range '%s': %ld is above %ld", text, lo, hi);
	*out = (struct port_range){ (uint16_t)lo, (uint16_t)hi };
	return 0;
}

void port_format(struct port_range p, char *buf, size_t len)
{
	if (port_is_any(p))
		snprintf(buf, len, "0");
	else if (p.lo == p.hi)
		snprintf(buf, len, "%u", p.lo);
	else
		snprintf(buf, len, "%u-%u", p.lo, p.hi);
}

bool port_is_any(struct port_range p)
{
	return p.lo == 0 && p.hi == 65535;
}

bool port_is_single(struct port_range p)
{
	return p.lo == p.hi;
}
