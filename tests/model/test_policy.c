// SPDX-License-Identifier: MIT
/* Filter validation, config values, security methods and auth (SPEC §2,
 * §3.1). */
#include <string.h>

#include "model/auth.h"
#include "model/config.h"
#include "model/policy.h"
#include "model/secmethods.h"
#include "tap.h"

static struct filter make(const char *src, const char *dst, uint8_t proto)
{
	struct filter f;
	struct err e;
	int l;

	filter_init(&f);
	addr_parse(src, &f.src, &l, &e);
	addr_parse(dst, &f.dst, &l, &e);
	f.proto = proto;
	return f;
}

static void kinds(const char *kind, const char *value, void *ctx)
{
	char *out = ctx;
	strcat(out, kind);
	strcat(out, value ? "=" : "");
	strcat(out, value ? value : "");
	strcat(out, ";");
}

int main(void)
{
	struct err e;
	struct filter f, m;

	f = make("DNS", "me", PROTO_UDP);
	ok(filter_validate(&f, &e) == 0, "DNS to me is valid");
	f = make("DNS", "any", PROTO_UDP);
	ok(filter_validate(&f, &e) < 0, "DNS to any fails: %s", e.msg);
	f = make("me", "WINS", 0);
	ok(filter_validate(&f, &e) == 0, "me to WINS is valid");
	f = make("any", "me", PROTO_ICMP);
	f.dport.lo = f.dport.hi = 80;
	ok(filter_validate(&f, &e) < 0, "ports need TCP or UDP: %s", e.msg);
	f = make("192.0.2.1", "2001:db8::1", 0);
	ok(filter_validate(&f, &e) < 0, "mixed families fail: %s", e.msg);
	f = make("any", "2001:db8::1", PROTO_ICMP);
	ok(filter_validate(&f, &e) < 0, "ICMP (v4) to an IPv6 address fails");
	f = make("any", "me", PROTO_TCP);
	f.icmp_type = 8;
	ok(filter_validate(&f, &e) < 0, "icmptype needs ICMP");

	f = make("192.0.2.1", "me", PROTO_TCP);
	f.sport.lo = f.sport.hi = 1000;
	f.dport.lo = f.dport.hi = 80;
	filter_mirror(&f, &m);
	ok(m.src.kind == ADDR_ME && m.dst.kind == ADDR_IP && m.sport.lo == 80 && m.dport.lo == 1000,
	   "a mirror swaps addresses and ports");

	char k1[512], k2[512];
	struct filter g = f;
	strcpy(g.description, "other text");
	filter_key(&f, k1, sizeof(k1));
	filter_key(&g, k2, sizeof(k2));
	is_str(k1, k2, "descriptions do not make filters different");
	g.mirrored = false;
	filter_key(&g, k2, sizeof(k2));
	ok(strcmp(k1, k2) != 0, "the mirrored flag does");

	struct config c;
	config_init(&c);
	ok(c.ipsecexempt == 3 && c.strongcrlcheck == 1 && c.ipsecloginterval == 3600,
	   "config defaults (SPEC §3.1)");
	ok(config_set(&c, CFG_IPSECDIAGNOSTICS, "7", &e) == 0 && c.ipsecdiagnostics == 7,
	   "ipsecdiagnostics 7");
	ok(config_set(&c, CFG_IPSECDIAGNOSTICS, "8", &e) < 0, "ipsecdiagnostics 8 fails (Q5)");
	ok(config_set(&c, CFG_IPSECLOGINTERVAL, "59", &e) < 0, "log interval below 60 fails");
	ok(config_set(&c, CFG_BOOTMODE, "Block", &e) == 0 && c.bootmode == BOOT_BLOCK,
	   "bootmode block");
	ok(config_set(&c, CFG_BOOTEXEMPTIONS, "tcp:0:3389:inbound udp:0:53:outbound", &e) == 0 &&
		   c.n_bootexemptions == 2,
	   "two boot exemptions");
	char buf[256];
	config_format(&c, CFG_BOOTEXEMPTIONS, buf, sizeof(buf));
	is_str(buf, "tcp:0:3389:inbound udp:0:53:outbound", "boot exemptions print back");
	ok(config_set(&c, CFG_BOOTEXEMPTIONS, "tcp:0:3389:sideways", &e) < 0, "bad direction");
	enum config_property p;
	ok(config_property_parse("ipsecd", &p, &e) == 0 && p == CFG_IPSECDIAGNOSTICS,
	   "property prefixes");
	ok(config_property_parse("boot", &p, &e) < 0, "ambiguous property prefix fails");

	char methods[METHODS_MAX_LEN];
	ok(mmsecmethods_parse("3des-sha-2 DES-MD5-1", methods, sizeof(methods), &e) == 0,
	   "main-mode methods");
	is_str(methods, "3DES-SHA1-2 DES-MD5-1", "normalised, SHA is SHA1");
	ok(mmsecmethods_parse("AES-SHA1-2", methods, sizeof(methods), &e) < 0, "AES is not 2003");
	ok(qmsecmethods_parse("ESP[3DES,SHA1] AH[MD5]+ESP[DES,None]:5000k/600s", methods,
			      sizeof(methods), &e) == 0,
	   "quick-mode methods");
	is_str(methods, "ESP[3DES,SHA1]:100000k/3600s AH[MD5]+ESP[DES,None]:5000k/600s",
	       "default lifetimes filled in");

	char auth[AUTH_MAX_LEN] = "", seen[512] = "";
	struct auth_builder ab;
	auth_begin(&ab, auth, sizeof(auth));
	ok(auth_add_psk(&ab, "secret", &e) == 0, "psk");
	ok(auth_add_kerberos(&ab, true, &e) == 0, "kerberos");
	ok(auth_add_rootca(&ab, "C=US, O=\\'CA\\' certmap:yes", &e) == 0, "rootca");
	auth_end(&ab);
	auth_each(auth, kinds, seen);
	is_str(seen, "psk=secret;kerberos;rootca=C=US, O=\"CA\" certmap:yes;",
	       "methods keep their order and \\' becomes a quote");
	return done_testing();
}
