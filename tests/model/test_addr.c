// SPDX-License-Identifier: MIT
/* Addresses, masks, ports and protocols (SPEC §1, §1.1, §14). */
#include <arpa/inet.h>

#include "model/addr.h"
#include "model/proto.h"
#include "tap.h"

static void parses(const char *text, enum addr_kind kind, const char *shown)
{
	struct addr a;
	struct err e;
	int inline_len;
	char buf[128];

	enum addr_parse_result r = addr_parse(text, &a, &inline_len, &e);
	if (r == ADDR_PARSED && a.kind == ADDR_IP && inline_len >= 0)
		addr_apply_prefix(&a, (uint8_t)inline_len);
	addr_format(&a, buf, sizeof(buf));
	ok(r == ADDR_PARSED && a.kind == kind, "'%s' parses to kind %d", text, kind);
	is_str(buf, shown, "'%s' prints as '%s'", text, shown);
}

static void rejects(const char *text)
{
	struct addr a;
	struct err e = { "" };
	int inline_len;

	ok(addr_parse(text, &a, &inline_len, &e) == ADDR_BAD && e.msg[0],
	   "'%s' is rejected (%s)", text, e.msg);
}

int main(void)
{
	struct addr a;
	struct err e;
	int inline_len;
	uint8_t len;
	char buf[64];

	parses("me", ADDR_ME, "me");
	parses("ANY", ADDR_ANY, "any");
	parses("Me", ADDR_ME, "me");
	parses("dns", ADDR_SERVER, "DNS");
	parses("GATEWAY", ADDR_SERVER, "GATEWAY");
	parses("192.0.2.7", ADDR_IP, "192.0.2.7");
	parses("198.51.100.0/24", ADDR_IP, "198.51.100.0/24");
	parses("2001:db8::1", ADDR_IP, "2001:db8::1");
	parses("2001:db8::/32", ADDR_IP, "2001:db8::/32");
	rejects("192.0.2.256");
	rejects("192.0.2.1/33");
	rejects("192.0.2.1-192.0.2.9");
	rejects("2001:db8::/129");
	rejects("");
	rejects("a b");

	ok(addr_parse("www.example.com", &a, &inline_len, &e) == ADDR_NEEDS_DNS,
	   "a host name needs resolving");
	ok(addr_parse("-bad-.example", &a, &inline_len, &e) == ADDR_BAD, "a bad host name fails");

	ok(mask_parse("255.255.255.0", AF_INET, &len, &e) == 0 && len == 24, "dotted mask");
	ok(mask_parse("16", AF_INET, &len, &e) == 0 && len == 16, "prefix mask");
	ok(mask_parse("255.0.255.0", AF_INET, &len, &e) < 0, "non-contiguous mask fails");
	ok(mask_parse("33", AF_INET, &len, &e) < 0, "IPv4 prefix 33 fails");
	ok(mask_parse("64", AF_INET6, &len, &e) == 0 && len == 64, "IPv6 prefix");
	ok(mask_parse("255.255.0.0", AF_INET6, &len, &e) < 0, "dotted mask on IPv6 fails");

	addr_parse("192.0.2.77", &a, &inline_len, &e);
	ok(addr_apply_prefix(&a, 24), "host bits under a mask are reported");
	addr_format(&a, buf, sizeof(buf));
	is_str(buf, "192.0.2.0/24", "and cleared");
	ok(!addr_apply_prefix(&a, 24), "a clean network reports nothing");
	mask_format(&a.ip, buf, sizeof(buf));
	is_str(buf, "255.255.255.0", "IPv4 masks print dotted");

	uint8_t p;
	ok(proto_parse("tcp", &p, &e) == 0 && p == 6, "tcp is 6");
	ok(proto_parse("ANY", &p, &e) == 0 && p == 0, "ANY is 0");
	ok(proto_parse("RAW", &p, &e) == 0 && p == 255, "RAW is 255 (Q9)");
	ok(proto_parse("47", &p, &e) == 0 && p == 47, "numbers");
	ok(proto_parse("256", &p, &e) < 0, "256 fails");
	ok(proto_parse("+6", &p, &e) < 0, "signs fail");

	/* Numeric forms inet_aton (and getaddrinfo) read but a dotted quad is
	 * not: refused with the address they would become, never resolved. */
	static const char *const loose[][2] = {
		{ "0x7f.1", "127.0.0.1" },     { "127.1", "127.0.0.1" },
		{ "017.0.0.1", "15.0.0.1" },  { "0x7f000001", "127.0.0.1" },
		{ "2130706433", "127.0.0.1" }, { "0x7f.1.", "127.0.0.1" },
		{ "10.0x1.1", "10.1.0.1" },    { "192.168.010.1/24", "192.168.8.1" },
	};
	for (size_t i = 0; i < sizeof(loose) / sizeof(loose[0]); i++) {
		e.msg[0] = '\0';
		ok(addr_parse(loose[i][0], &a, &inline_len, &e) == ADDR_BAD &&
			   strstr(e.msg, "four decimal numbers") && strstr(e.msg, loose[i][1]),
		   "'%s' is refused, not resolved (%s)", loose[i][0], e.msg);
	}
	ok(addr_parse("0x7f.example.net", &a, &inline_len, &e) == ADDR_NEEDS_DNS,
	   "a name whose first label looks hexadecimal is still a name");
	ok(addr_parse("deadbeef", &a, &inline_len, &e) == ADDR_NEEDS_DNS,
	   "a hexadecimal-looking name without 0x is a name");

	struct port_range r;
	ok(port_parse("80", &r, &e) == 0 && r.lo == 80 && r.hi == 80, "single port");
	ok(port_parse("0", &r, &e) == 0 && port_is_any(r), "0 is any");
	ok(port_parse("1000-2000", &r, &e) == 0 && r.lo == 1000 && r.hi == 2000, "range");
	ok(port_parse("2000-1000", &r, &e) < 0, "reversed range fails");
	ok(port_parse("65536", &r, &e) < 0, "65536 fails");
	ok(port_parse("8o", &r, &e) < 0, "junk fails");
	return done_testing();
}
