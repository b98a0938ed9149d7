// SPDX-License-Identifier: MIT
/* The weight key of SPEC §5.3 and §14, table-driven: each row a filter's
 * fields and the packed weight it must have; then the orderings the SPEC
 * promises. */
#include "model/weight.h"
#include "tap.h"

#define S PORTK_SINGLE
#define R PORTK_RANGE
#define N PORTK_ANY
#define PERMIT ACTION_PERMIT
#define BLOCK ACTION_BLOCK
#define NEG ACTION_NEGOTIATE

static const struct {
	const char *what;
	struct weight_fields f;
	uint32_t want;
} rows[] = {
	{ "any to any, permit, dynamic", { 0, 0, false, N, N, PERMIT, WSTORE_DYNAMIC }, 1u << 2 },
	{ "any to me, block, local", { 0, 32, false, N, N, BLOCK, WSTORE_POLICY }, 32u << 16 | 3u << 2 | 1 },
	{ "any to me TCP 80, permit, local", { 0, 32, true, N, S, PERMIT, WSTORE_POLICY },
	  32u << 16 | 1u << 12 | 2u << 8 | 1u << 6 | 1u << 2 | 1 },
	{ "mirror: me:80 to any", { 32, 0, true, S, N, PERMIT, WSTORE_POLICY },
	  32u << 16 | 1u << 12 | 2u << 8 | 1u << 2 | 1 },
	{ "host to me, any protocol, persistent", { 32, 32, false, N, N, PERMIT, WSTORE_PERSISTENT },
	  64u << 16 | 1u << 2 | 2 },
	{ "range dport, negotiate", { 24, 32, true, N, R, NEG, WSTORE_POLICY },
	  56u << 16 | 1u << 12 | 1u << 8 | 1u << 6 | 2u << 2 | 1 },
	{ "both single ports", { 0, 0, true, S, S, PERMIT, WSTORE_POLICY },
	  1u << 12 | 4u << 8 | 1u << 6 | 1u << 2 | 1 },
	{ "IPv6 host to host", { 128, 128, false, N, N, BLOCK, WSTORE_POLICY }, 256u << 16 | 3u << 2 | 1 },
	{ "IPv6 /64 to me", { 64, 128, true, N, N, PERMIT, WSTORE_DYNAMIC },
	  192u << 16 | 1u << 12 | 1u << 2 },
};

static uint32_t w(unsigned src, unsigned dst, bool proto, enum port_kind sp, enum port_kind dp,
		  enum action a, enum weight_store st)
{
	return weight_pack(&(struct weight_fields){ src, dst, proto, sp, dp, a, st });
}

int main(void)
{
	char buf[64];

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		uint32_t got = weight_pack(&rows[i].f);
		if (!ok(got == rows[i].want, "%s: W=%#x", rows[i].what, got))
			printf("#   want %#x\n", rows[i].want);
		struct weight_parts p;
		weight_unpack(got, &p);
		ok(p.a == rows[i].f.src_bits + rows[i].f.dst_bits && p.p == rows[i].f.proto &&
			   p.t == (unsigned)rows[i].f.sport + rows[i].f.dport && p.store == rows[i].f.store,
		   "%s: unpacks to its parts", rows[i].what);
	}

	/* SPEC §5.3 consequences */
	ok(w(0, 32, true, N, S, PERMIT, WSTORE_POLICY) > w(0, 32, false, N, N, BLOCK, WSTORE_POLICY),
	   "any->me TCP/80 permit beats any->me block (the lock-down works)");
	ok(w(32, 32, false, N, N, PERMIT, WSTORE_POLICY) > w(0, 32, true, N, S, BLOCK, WSTORE_POLICY),
	   "host->me permit beats any->me TCP/3389 block: addresses dominate");
	ok(w(24, 0, true, N, N, PERMIT, WSTORE_POLICY) == w(0, 24, true, N, N, PERMIT, WSTORE_POLICY),
	   "subnet->any and any->subnet tie on A");
	ok(w(0, 32, true, N, N, PERMIT, WSTORE_POLICY) > w(0, 32, false, N, N, BLOCK, WSTORE_PERSISTENT),
	   "protocol outranks severity and store");
	ok(w(0, 32, true, S, N, BLOCK, WSTORE_POLICY) < w(0, 32, true, N, S, PERMIT, WSTORE_POLICY),
	   "a destination port outranks a source port (Dp)");
	ok(w(0, 32, true, N, S, PERMIT, WSTORE_POLICY) > w(0, 32, true, N, R, BLOCK, WSTORE_POLICY),
	   "a single port outranks a range");
	ok(w(0, 32, true, N, R, PERMIT, WSTORE_POLICY) > w(0, 32, true, N, N, BLOCK, WSTORE_POLICY),
	   "a range outranks any port");
	ok(w(0, 32, false, N, N, BLOCK, WSTORE_DYNAMIC) > w(0, 32, false, N, N, NEG, WSTORE_PERSISTENT) &&
		   w(0, 32, false, N, N, NEG, WSTORE_POLICY) > w(0, 32, false, N, N, PERMIT, WSTORE_PERSISTENT),
	   "severity: block > negotiate > permit, above the store");
	ok(w(0, 32, false, N, N, PERMIT, WSTORE_PERSISTENT) > w(0, 32, false, N, N, PERMIT, WSTORE_POLICY) &&
		   w(0, 32, false, N, N, PERMIT, WSTORE_POLICY) > w(0, 32, false, N, N, PERMIT, WSTORE_DYNAMIC),
	   "store: persistent > domain/local > dynamic (Q3)");
	ok(WEIGHT_EXEMPT > w(128, 128, true, S, S, BLOCK, WSTORE_PERSISTENT),
	   "exemptions rank above every filter, IPv6 host pairs included");

	weight_format(w(0, 32, true, N, S, PERMIT, WSTORE_POLICY), buf, sizeof(buf));
	is_str(buf, "A=32 P=1 T=2 Dp=1 Sev=1 Store=1", "weight_format");
	weight_format(WEIGHT_EXEMPT, buf, sizeof(buf));
	is_str(buf, "exempt", "weight_format of an exemption");
	ok(port_kind_of(PORT_ANY) == PORTK_ANY && port_kind_of((struct port_range){ 80, 80 }) == PORTK_SINGLE &&
		   port_kind_of((struct port_range){ 1024, 65535 }) == PORTK_RANGE,
	   "port kinds");
	return done_testing();
}
