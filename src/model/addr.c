// SPDX-License-Identifier: MIT
#include "addr.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

static const struct {
	const char *word;
	enum server_type type;
} server_words[] = {
	{ "DNS", SRV_DNS },
	{ "WINS", SRV_WINS },
	{ "DHCP", SRV_DHCP },
	{ "GATEWAY", SRV_GATEWAY },
};

const char *server_type_name(enum server_type t)
{
	for (size_t i = 0; i < sizeof(server_words) / sizeof(server_words[0]); i++)
		if (server_words[i].type == t)
			return server_words[i].word;
	return "none";
}

int family_bits(int family)
{
	return family == AF_INET6 ? 128 : 32;
}

/* RFC 1123 host name: dot-separated labels of letters, digits and hyphens,
 * with at least one letter somewhere (so "1.2.3.400" is a bad address, not a
 * name). */
static bool is_host_name(const char *s)
{
	size_t n = strlen(s), label = 0;
	bool alpha = false;

	if (n == 0 || n >= ADDR_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '.') {
			if (label == 0 || s[i - 1] == '-')
				return false;
			label = 0;
			continue;
		}
		if (!isalnum(c) && c != '-')
			return false;
		if (c == '-' && label == 0)
			return false;
		if (isalpha(c))
			alpha = true;
		if (++label > 63)
			return false;
	}
	return alpha && s[n - 1] != '-';
}

/* inet_aton, and getaddrinfo through it, also read "127.1", "0x7f.1",
 * "017.0.0.1" (octal: 15.0.0.1) and "2130706433": text that means one
 * address here and another to a reader with other rules. Only dotted
 * quads of decimal numbers are IPv4 addresses; these forms are refused,
 * never resolved. Returns -1 (error in e) for such a form. */
static int refuse_loose_ipv4(const char *text, size_t len, struct err *e)
{
	char *copy, canon[INET_ADDRSTRLEN];
	struct in_addr a;
	int loose;

	if (len > 1 && text[len - 1] == '.')
		len--; /* "0x7f.1." is the same number as a fully qualified name */
	copy = strndup(text, len);
	loose = copy && inet_aton(copy, &a);

	free(copy);
	if (!loose)
		return 0;
	inet_ntop(AF_INET, &a, canon, sizeof(canon));
	return err_set(e, "bad address '%.64s': an IPv4 address is four decimal numbers "
			  "0..255 without leading zeros (this form would be read as %s)",
		       text, canon);
}

static int parse_prefix_len(const char *s, int max, int *out)
{
	char *end;
	long v;

	if (!isdigit((unsigned char)s[0]))
		return -1;
	v = strtol(s, &end, 10);
	if (*end || v < 0 || v > max || end - s > 3)
		return -1;
	*out = (int)v;
	return 0;
}

enum addr_parse_result addr_parse(const char *text, struct addr *out,
				  int *inline_len, struct err *e)
{
	char buf[INET6_ADDRSTRLEN + 8];
	const char *slash;
	size_t alen;

	memset(out, 0, sizeof(*out));
	*inline_len = -1;
	if (strcasecmp(text, "any") == 0) {
		out->kind = ADDR_ANY;
		return ADDR_PARSED;
	}
	if (strcasecmp(text, "me") == 0) {
		out->kind = ADDR_ME;
		return ADDR_PARSED;
	}
	for (size_t i = 0; i < sizeof(server_words) / sizeof(server_words[0]); i++) {
		if (strcasecmp(text, server_words[i].word) == 0) {
			out->kind = ADDR_SERVER;
			out->server = server_words[i].type;
			return ADDR_PARSED;
		}
	}

	slash = strchr(text, '/');
	alen = slash ? (size_t)(slash - text) : strlen(text);
	if (alen < sizeof(buf)) {
		memcpy(buf, text, alen);
		buf[alen] = '\0';
		out->kind = ADDR_IP;
		if (inet_pton(AF_INET, buf, out->ip.bytes) == 1)
			out->ip.family = AF_INET;
		else if (inet_pton(AF_INET6, buf, out->ip.bytes) == 1)
			out->ip.family = AF_INET6;
		if (out->ip.family) {
			int bits = family_bits(out->ip.family), len = bits;
			if (slash && parse_prefix_len(slash + 1, bits, &len) < 0)
				return err_set(e, "bad prefix length '%s' (0..%d)", slash + 1, bits);
			out->ip.len = (uint8_t)len;
			if (slash)
				*inline_len = len;
			return ADDR_PARSED;
		}
	}
	if (refuse_loose_ipv4(text, alen, e) < 0)
		return ADDR_BAD;
	if (strchr(text, '-') && strspn(text, "0123456789.-") == strlen(text))
		return err_set(e, "bad address '%s': address ranges are not supported", text);
	if (!slash && is_host_name(text)) {
		out->kind = ADDR_IP;
		snprintf(out->name, sizeof(out->name), "%s", text);
		return ADDR_NEEDS_DNS;
	}
	if (strspn(text, "0123456789./") == strlen(text))
		return err_set(e, "bad IPv4 address '%s'", text);
	return err_set(e, "bad address '%s' (expected me, any, DNS, WINS, DHCP, GATEWAY, "
			  "an IPv4 or IPv6 address, or a host name)", text);
}

int mask_parse(const char *text, int family, uint8_t *len, struct err *e)
{
	int bits = family_bits(family), v;
	struct in_addr m;

	if (strchr(text, '.')) {
		uint32_t h, inv;
		if (family == AF_INET6)
			return err_set(e, "bad mask '%s': IPv6 masks are prefix lengths (0..128)", text);
		if (inet_pton(AF_INET, text, &m) != 1)
			return err_set(e, "bad mask '%s'", text);
		h = ntohl(m.s_addr);
		inv = ~h;
		if (inv & (inv + 1))
			return err_set(e, "bad mask '%s': the one bits must be contiguous", text);
		*len = (uint8_t)__builtin_popcount(h);
		return 0;
	}
	if (parse_prefix_len(text, bits, &v) < 0)
		return err_set(e, "bad mask '%s' (a dotted mask or a prefix length 0..%d)", text, bits);
	*len = (uint8_t)v;
	return 0;
}

bool addr_apply_prefix(struct addr *a, uint8_t len)
{
	bool changed = false;
	int bits = family_bits(a->ip.family);

	a->ip.len = len;
	for (int i = 0; i < bits / 8; i++) {
		int keep = (int)len - i * 8;
		uint8_t mask = keep >= 8 ? 0xff : keep <= 0 ? 0 : (uint8_t)(0xff << (8 - keep));
		if (a->ip.bytes[i] & ~mask)
			changed = true;
		a->ip.bytes[i] &= mask;
	}
	return changed;
}

void ip_format(const struct ip_prefix *p, char *buf, size_t len)
{
	if (!inet_ntop(p->family, p->bytes, buf, (socklen_t)len))
		snprintf(buf, len, "?");
}

void mask_format(const struct ip_prefix *p, char *buf, size_t len)
{
	if (p->family == AF_INET) {
		uint32_t m = p->len ? htonl(0xffffffffu << (32 - p->len)) : 0;
		inet_ntop(AF_INET, &m, buf, (socklen_t)len);
	} else {
		snprintf(buf, len, "%u", p->len);
	}
}

void addr_format(const struct addr *a, char *buf, size_t len)
{
	char ip[INET6_ADDRSTRLEN];

	switch (a->kind) {
	case ADDR_ANY:
		snprintf(buf, len, "any");
		return;
	case ADDR_ME:
		snprintf(buf, len, "me");
		return;
	case ADDR_SERVER:
		snprintf(buf, len, "%s", server_type_name(a->server));
		return;
	case ADDR_IP:
		ip_format(&a->ip, ip, sizeof(ip));
		if (a->ip.len == family_bits(a->ip.family))
			snprintf(buf, len, "%s", ip);
		else
			snprintf(buf, len, "%s/%u", ip, a->ip.len);
		return;
	}
}

bool addr_equal(const struct addr *a, const struct addr *b)
{
	if (a->kind != b->kind)
		return false;
	switch (a->kind) {
	case ADDR_ANY:
	case ADDR_ME:
		return true;
	case ADDR_SERVER:
		return a->server == b->server;
	case ADDR_IP:
		return a->ip.family == b->ip.family && a->ip.len == b->ip.len &&
		       memcmp(a->ip.bytes, b->ip.bytes, 16) == 0;
	}
	return false;
}

bool addr_is_family_less(const struct addr *a)
{
	return a->kind != ADDR_IP;
}
