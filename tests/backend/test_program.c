// SPDX-License-Identifier: MIT
/* test_program.c - the tiers (against a brute-force definition, on random
 * boxes) and the program's update, saving and modes, without a kernel. */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "backend/program.h"
#include "backend/tiers.h"
#include "backend/view_cache.h"
#include "tap.h"

static unsigned seed = 12345;

static unsigned rnd(unsigned n)
{
	seed = seed * 1103515245u + 12345u;
	return (seed >> 8) % n;
}

static void random_box(struct tier_box *b, bool v6)
{
	static const uint8_t lens4[] = { 0, 8, 16, 24, 28, 32 };
	static const uint8_t lens6[] = { 0, 32, 64, 120, 128 };
	memset(b, 0, sizeof(*b));
	for (int i = 0; i < (v6 ? 16 : 4); i++) {
		b->src[i] = (uint8_t)(rnd(3) == 0 ? rnd(256) : (unsigned)i);
		b->dst[i] = (uint8_t)(rnd(3) == 0 ? rnd(256) : (unsigned)i + 1);
	}
	b->src_len = v6 ? lens6[rnd(5)] : lens4[rnd(6)];
	b->dst_len = v6 ? lens6[rnd(5)] : lens4[rnd(6)];
	b->proto = (uint8_t)(rnd(3) == 0 ? 0 : rnd(2) ? 6 : 17);
	b->sport = b->proto && rnd(2) ? (struct port_range){ 80, 80 } : PORT_ANY;
	uint16_t lo = (uint16_t)(rnd(4) * 1000);
	b->dport = b->proto && rnd(2) ? (struct port_range){ lo, (uint16_t)(lo + rnd(3000)) }
				     : PORT_ANY;
}

/* A box under 2001:db8::/32 (or any): the overlap index must tell boxes
 * apart by the bits after the prefix they all share. */
static void random_shared_box(struct tier_box *b)
{
	static const uint8_t lens[] = { 0, 32, 33, 34, 36, 38, 40, 43, 44, 48, 64, 128 };
	random_box(b, true);
	memcpy(b->src, (const uint8_t[]){ 0x20, 0x01, 0x0d, 0xb8 }, 4);
	memcpy(b->dst, (const uint8_t[]){ 0x20, 0x01, 0x0d, 0xb8 }, 4);
	/* a few bits that vary, at depths on both sides of the lengths */
	for (int i = 0; i < 2; i++) {
		uint8_t *addr = i ? b->dst : b->src;
		addr[4] = (uint8_t)(rnd(2) << 7 | rnd(2) << 3 | rnd(2));
		addr[5] = (uint8_t)(rnd(2) << 6 | rnd(2) << 4);
	}
	b->src_len = lens[rnd(sizeof(lens))];
	b->dst_len = lens[rnd(sizeof(lens))];
}

/* The definition: one more than the highest tier of a better overlapping
 * box, checked pair by pair. */
static bool tiers_are_minimal(const struct tier_box *b, size_t n, const uint32_t *tier)
{
	for (size_t j = 0; j < n; j++) {
		uint32_t want = 0;
		for (size_t i = 0; i < j; i++)
			if (tier_boxes_overlap(&b[i], &b[j]) && tier[i] + 1 > want)
				want = tier[i] + 1;
		if (tier[j] != want)
			return false;
	}
	return true;
}

static void test_tiers(void)
{
	for (int round = 0; round < 48; round++) {
		size_t n = 1 + rnd(round < 20 ? 50 : 800);
		bool v6 = round % 2 || round >= 40;
		struct tier_box *b = calloc(n, sizeof(*b));
		uint32_t *tier = calloc(n, sizeof(*tier));
		long count;
		for (size_t i = 0; i < n; i++) {
			if (round >= 40)
				random_shared_box(&b[i]);
			else
				random_box(&b[i], v6);
		}
		count = tiers_assign(b, n, tier);
		uint32_t top = 0;
		for (size_t i = 0; i < n; i++)
			top = tier[i] + 1 > top ? tier[i] + 1 : top;
		ok(count == (long)top && tiers_are_minimal(b, n, tier),
		   "round %d: %zu IPv%d boxes in %ld tiers, each one above what it overlaps", round,
		   n, v6 ? 6 : 4, count);
		free(b);
		free(tier);
	}
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

/* The overlap index against the definition: with boxes marked best first,
 * each box's query finds exactly the better boxes it overlaps, or one more
 * than the most asked for. */
static void test_index(void)
{
	enum { MAX = 16 };
	for (int round = 0; round < 6; round++) {
		size_t n = 50 + rnd(350);
		struct tier_box *b = calloc(n, sizeof(*b));
		uint32_t found[MAX + 1], want[MAX + 1];
		bool same = true;
		for (size_t i = 0; i < n; i++) {
			if (round >= 4)
				random_shared_box(&b[i]);
			else
				random_box(&b[i], round % 2);
		}
		struct tier_index *ix = tier_index_new(b, n);
		for (size_t k = 0; k < n && ix; k++) {
			size_t got = tier_index_overlaps(ix, k, found, MAX), count = 0;
			for (size_t i = 0; i < k; i++)
				if (tier_boxes_overlap(&b[i], &b[k]) && count++ < MAX + 1)
					want[count - 1] = (uint32_t)i;
			if (count > MAX) {
				same &= got == MAX + 1;
				for (size_t j = 0; j < got; j++)
					same &= found[j] < k && tier_boxes_overlap(&b[found[j]], &b[k]);
			} else {
				qsort(found, got, sizeof(*found), cmp_u32);
				same &= got == count && !memcmp(found, want, count * sizeof(*want));
			}
			tier_index_mark(ix, k);
		}
		ok(ix && same, "round %d: the index finds the better boxes each of %zu boxes overlaps",
		   round, n);
		tier_index_free(ix);
		free(b);
	}
}

static void test_overlap(void)
{
	struct tier_box a = { .src_len = 24, .dst_len = 0, .proto = 6, .sport = PORT_ANY,
			      .dport = { 80, 80 } };
	struct tier_box b = a;

	a.src[0] = 192, a.src[2] = 2;
	b.src[0] = 192, b.src[2] = 2, b.src[3] = 7, b.src_len = 32;
	ok(tier_boxes_overlap(&a, &b), "a host inside a subnet overlaps it");
	b.src[2] = 3;
	ok(!tier_boxes_overlap(&a, &b), "a host outside does not");
	b = a;
	b.dport = (struct port_range){ 81, 90 };
	ok(!tier_boxes_overlap(&a, &b), "disjoint port ranges do not overlap");
	b.proto = 0, b.dport = PORT_ANY;
	ok(tier_boxes_overlap(&a, &b), "protocol any overlaps TCP");
}

static void test_modes(void)
{
	struct config cfg;
	struct nft_program p;
	struct err e;
	struct err ignored;

	config_init(&cfg);
	config_set(&cfg, CFG_BOOTEXEMPTIONS, "tcp:0:3389:inbound icmp:8:0:inbound", &ignored);
	ok(program_mode(MODE_BOOT_BLOCK, &cfg, &p, &e) == 0, "a boot-block program");
	ok(strstr(p.body, "meta l4proto 6 th dport 3389 accept") &&
		   strstr(p.body, "meta l4proto 6 th sport 3389 accept"),
	   "an inbound exemption admits the flow and its replies");
	ok(strstr(p.body, "meta l4proto 1 th sport 2048 accept") &&
		   strstr(p.body, "meta l4proto 1 th sport 0 accept"),
	   "an echo request exemption admits its replies");
	ok(strstr(p.body, "udp sport 67 udp dport 68 accept") != NULL, "DHCP is allowed");
	ok(strstr(p.body, "goto " SLOT_MARK "drop_in_boot-block") != NULL, "the rest is dropped and counted");
	program_free(&p);
	ok(program_mode(MODE_BLOCK, &cfg, &p, &e) == 0 && !strstr(p.body, "dport 3389") &&
		   !strstr(p.body, "sport 67"),
	   "operational block mode takes no exemptions, not even DHCP");
	program_free(&p);
	ok(program_mode(MODE_BOOT_STATEFUL, &cfg, &p, &e) == 0 &&
		   strstr(p.body, "ct state established,related accept"),
	   "stateful mode admits replies");
	program_free(&p);
	cfg.ipsecdiagnostics = 2;
	ok(program_mode(MODE_BLOCK, &cfg, &p, &e) == 0 &&
		   strstr(p.body, "log group 4280 prefix \"ipsecfw in op-block\"") &&
		   !strstr(p.body, "prefix \"ipsecfw out"),
	   "ipsecdiagnostics=2 logs inbound drops only, rate-limited");
	program_free(&p);
}

static char *write_update(const struct nft_program *a, const struct nft_program *b, bool *same)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	*same = program_write_update(a, b, 'a', f);
	fclose(f);
	return text;
}

static void test_update_and_save(void)
{
	struct config cfg;
	struct nft_program a, b, back;
	struct err e;
	bool same;
	char *text, *saved;

	config_init(&cfg);
	program_mode(MODE_BOOT_BLOCK, &cfg, &a, &e);
	program_mode(MODE_BOOT_BLOCK, &cfg, &b, &e);
	text = write_update(&a, &b, &same);
	ok(same && text[0] == '\0', "equal programs: nothing to do");
	free(text);
	program_free(&b);
	program_mode(MODE_BLOCK, &cfg, &b, &e);
	text = write_update(&a, &b, &same);
	ok(!same, "another mode is a full load");
	free(text);
	program_free(&b);
	program_free(&a);

	/* two secure programs that differ in one address of me */
	struct host_facts *f1 = calloc(1, sizeof(*f1)), *f2 = calloc(1, sizeof(*f2));
	struct ruleset rs = { 0 };
	struct ftable t1, t2;
	struct ip_prefix ip = { .family = AF_INET, .len = 24, .bytes = { 192, 0, 2, 10 } };
	facts_add_addr(f1, &ip, 2, false);
	ip.bytes[3] = 11;
	facts_add_addr(f2, &ip, 2, false);
	struct rs_filter flt = { .src = { .kind = ADDR_ANY }, .dst = { .kind = ADDR_ME },
				 .proto = 6, .sport = PORT_ANY, .dport = { 80, 80 },
				 .icmp_type = -1, .icmp_code = -1, .id = 1, .seq = 1 };
	struct ruleset_rule rule = { .store = WSTORE_POLICY, .action_in = ACTION_BLOCK,
				     .action_out = ACTION_BLOCK, .conntype = CONN_ALL };
	snprintf(rule.store_name, sizeof(rule.store_name), "local");
	ruleset_add(&rs, &rule, &flt, 1);
	rs.ipsecexempt = 3;
	ok(ftable_compile(&rs, f1, &t1, &e) == 0 && ftable_compile(&rs, f2, &t2, &e) == 0,
	   "two tables for two addresses");
	program_secure(&t1, f1, &cfg, 0, NULL, &a, &e);
	program_secure(&t2, f2, &cfg, 0, NULL, &b, &e);
	text = write_update(&a, &b, &same);
	ok(same && strstr(text, "delete element inet ipsecfw a_in4_t0 {\n\t0.0.0.0/0 . 192.0.2.10/32") &&
		   strstr(text, "add element inet ipsecfw a_in4_t0 {\n\t0.0.0.0/0 . 192.0.2.11/32"),
	   "an address change is element updates");
	free(text);
	saved = program_serialize(&b);
	ok(saved && program_deserialize(saved, &back, &e) == 0, "a program saved and read back");
	text = write_update(&b, &back, &same);
	ok(same && text[0] == '\0', "reads back the same");
	free(text);
	program_free(&back);
	free(saved);
	ok(program_deserialize("ipsecfw-program 1\nmode secure\n", &back, &e) < 0,
	   "a damaged save is refused: %s", e.msg);
	program_free(&a);
	program_free(&b);
	ftable_free(&t1);
	ftable_free(&t2);
	ruleset_free(&rs);
	facts_free(f1);
	facts_free(f2);
	free(f1);
	free(f2);
}

static bool has_elem(const struct nft_program *p, const char *map, const char *text)
{
	for (size_t i = 0; i < p->n_elems; i++)
		if (!strcmp(p->maps[p->elems[i].map], map) &&
		    strncmp(p->elems[i].text, text, strlen(text)) == 0)
			return true;
	return false;
}

static bool has_map(const struct nft_program *p, const char *map)
{
	for (size_t i = 0; i < p->n_maps; i++)
		if (!strcmp(p->maps[i], map))
			return true;
	return false;
}

/* The secure program of one rule (block, local store) of n filters, with
 * me = 192.0.2.10/24. */
static int secure_program(const struct rs_filter *flt, size_t n, struct ftable *t,
			  struct nft_program *p)
{
	struct host_facts *f = calloc(1, sizeof(*f));
	struct ruleset rs = { 0 };
	struct config cfg;
	struct err e;
	struct ip_prefix me = { .family = AF_INET, .len = 24, .bytes = { 192, 0, 2, 10 } };
	struct ruleset_rule rule = { .store = WSTORE_POLICY, .action_in = ACTION_BLOCK,
				     .action_out = ACTION_BLOCK, .conntype = CONN_ALL };
	int rc;

	config_init(&cfg);
	snprintf(rule.store_name, sizeof(rule.store_name), "local");
	facts_add_addr(f, &me, 2, false);
	ruleset_add(&rs, &rule, flt, n);
	rs.ipsecexempt = 3;
	rc = ftable_compile(&rs, f, t, &e) == 0 && program_secure(t, f, &cfg, 0, NULL, p, &e) == 0 ? 0 : -1;
	ruleset_free(&rs);
	facts_free(f);
	free(f);
	return rc;
}

/* Nested filters that tiers put in several maps: the partition cuts the
 * wide one around the narrow one, one lookup, its pieces under its own
 * name. */
static void test_partitioned_view(void)
{
	struct ftable t;
	struct nft_program p;
	struct rs_filter flt[2] = {
		{ .src = { .kind = ADDR_IP, .ip = { .family = AF_INET, .len = 8, .bytes = { 10 } } },
		  .dst = { .kind = ADDR_ME }, .sport = PORT_ANY, .dport = PORT_ANY,
		  .icmp_type = -1, .icmp_code = -1, .id = 1, .seq = 1 },
		{ .src = { .kind = ADDR_ANY }, .dst = { .kind = ADDR_ME }, .sport = PORT_ANY,
		  .dport = PORT_ANY, .icmp_type = -1, .icmp_code = -1, .id = 2, .seq = 2 },
	};

	ok(secure_program(flt, 2, &t, &p) == 0, "a program of a filter nested in another");
	/* in4: the ISAKMP exemptions, the narrow filter and the wide one are
	 * three tiers; in4_fr has no exemption (they have ports) */
	ok(has_map(&p, SLOT_MARK "in4_t0") && !has_map(&p, SLOT_MARK "in4_t1") &&
		   has_map(&p, SLOT_MARK "in4_fr_t0") && !has_map(&p, SLOT_MARK "in4_fr_t1"),
	   "one lookup where tiers take three, and two");
	ok(has_elem(&p, SLOT_MARK "in4_fr_t0",
		    "10.0.0.0/8 . 192.0.2.10/32 . 0-255 comment \"local:1\"") &&
		   has_elem(&p, SLOT_MARK "in4_fr_t0",
			    "0.0.0.0-9.255.255.255 . 192.0.2.10/32 . 0-255 comment \"local:2\"") &&
		   has_elem(&p, SLOT_MARK "in4_fr_t0",
			    "11.0.0.0-255.255.255.255 . 192.0.2.10/32 . 0-255 comment \"local:2\""),
	   "the wide filter is cut around the narrow one, its pieces counted under its name");
	program_free(&p);
	ftable_free(&t);
}

/* Filter i of a test: any to me, protocol proto, to port 1000 + i or
 * (not one_port) any port. */
static struct rs_filter filter_to_me(int i, uint8_t proto, bool one_port)
{
	return (struct rs_filter){ .src = { .kind = ADDR_ANY }, .dst = { .kind = ADDR_ME },
				   .proto = proto, .sport = PORT_ANY,
				   .dport = one_port ? (struct port_range){ (uint16_t)(1000 + i),
									    (uint16_t)(1000 + i) }
						     : PORT_ANY,
				   .icmp_type = -1, .icmp_code = -1, .id = i + 1, .seq = i + 1 };
}

/* A big view of mostly TCP filters: TCP packets branch off to a chain of
 * their own (the TCP filters and the any-protocol one), the rest stay. */
static void test_protocol_branch(void)
{
	struct ftable t;
	struct nft_program p;
	enum { N = 600 };
	struct rs_filter *flt = calloc(N + 2, sizeof(*flt));

	for (int i = 0; i < N + 2; i++)
		flt[i] = filter_to_me(i, i < N ? 6 : i == N ? 17 : 0, i < N);
	ok(secure_program(flt, N + 2, &t, &p) == 0,
	   "a program of %d TCP filters, one UDP and one any-protocol", N);
	ok(strstr(p.body, "\t\tmeta l4proto vmap { 6 : goto " SLOT_MARK "in4_p6 }\n") &&
		   strstr(p.body, "\tchain " SLOT_MARK "in4_p6 {\n") &&
		   has_map(&p, SLOT_MARK "in4_p6_t0") && has_map(&p, SLOT_MARK "in4_t0"),
	   "TCP branches off the view, one hash lookup, to its own maps");
	ok(has_elem(&p, SLOT_MARK "in4_p6_t0", "0.0.0.0/0 . 192.0.2.10/32 . 6 . 0-65535 . 1000 ") &&
		   !has_elem(&p, SLOT_MARK "in4_t0", "0.0.0.0/0 . 192.0.2.10/32 . 6 ") &&
		   has_elem(&p, SLOT_MARK "in4_t0", "0.0.0.0/0 . 192.0.2.10/32 . 17 . 0-65535 . 0-499 ") &&
		   has_elem(&p, SLOT_MARK "in4_p6_t1",
			    "0.0.0.0/0 . 192.0.2.10/32 . 6 . 0-65535 . 0-65535 comment \"local:602\"") &&
		   has_elem(&p, SLOT_MARK "in4_t0",
			    "0.0.0.0/0 . 192.0.2.10/32 . 18-255 . 0-65535 . 0-65535 comment \"local:602\""),
	   "the TCP filters are in the branch only, the UDP one in the view only, the "
	   "any-protocol one in both");
	program_free(&p);
	ftable_free(&t);
	free(flt);
}

static size_t elems_in(const struct nft_program *p, const char *map)
{
	size_t n = 0;

	for (size_t i = 0; i < p->n_elems; i++)
		n += !strcmp(p->maps[p->elems[i].map], map);
	return n;
}

/* A view whose first tier is big: that tier goes in two maps looked up one
 * after the other (its boxes are disjoint), the next tier after both; one
 * lookup more, every filter once. */
static void test_split_tier(void)
{
	struct ftable t;
	struct nft_program p;
	enum { N = 9000 };
	struct rs_filter *flt = calloc(N + 1, sizeof(*flt));
	const char *t0, *t1, *t2;

	for (int i = 0; i < N + 1; i++)
		flt[i] = filter_to_me(i, 6, i < N);
	ok(secure_program(flt, N + 1, &t, &p) == 0, "a program of %d disjoint TCP filters and a "
						    "wide one", N);
	t0 = strstr(p.body, "vmap @" SLOT_MARK "in4_p6_t0\n");
	t1 = strstr(p.body, "vmap @" SLOT_MARK "in4_p6_t1\n");
	t2 = strstr(p.body, "vmap @" SLOT_MARK "in4_p6_t2\n");
	ok(t0 && t1 && t2 && t0 < t1 && t1 < t2 && !has_map(&p, SLOT_MARK "in4_p6_t3"),
	   "the big tier is two maps in a row, the wide filter's tier after them");
	ok(elems_in(&p, SLOT_MARK "in4_p6_t0") == N / 2 &&
		   elems_in(&p, SLOT_MARK "in4_p6_t1") == N / 2 &&
		   has_elem(&p, SLOT_MARK "in4_p6_t0",
			    "0.0.0.0/0 . 192.0.2.10/32 . 6 . 0-65535 . 1000 comment \"local:1\"") &&
		   has_elem(&p, SLOT_MARK "in4_p6_t1",
			    "0.0.0.0/0 . 192.0.2.10/32 . 6 . 0-65535 . 9999 comment \"local:9000\"") &&
		   has_elem(&p, SLOT_MARK "in4_p6_t2",
			    "0.0.0.0/0 . 192.0.2.10/32 . 6 . 0-65535 . 0-65535 comment \"local:9001\""),
	   "each half in one map, best first, each filter once");
	program_free(&p);
	ftable_free(&t);
	free(flt);
}

/* A random filter of a big policy: prefixes that nest (partitions and
 * tiers), TCP mostly (a protocol branch), some on me, some IPv6. */
static struct rs_filter random_filter(int i)
{
	static const uint8_t lens[] = { 8, 16, 24, 32 };
	struct rs_filter f = { .src = { .kind = ADDR_ANY }, .dst = { .kind = ADDR_ANY },
			       .sport = PORT_ANY, .dport = PORT_ANY, .icmp_type = -1,
			       .icmp_code = -1, .id = i + 1, .seq = i + 1 };
	bool v6 = rnd(10) == 0;
	struct rs_addr *side[2] = { &f.src, &f.dst };

	for (int k = 0; k < 2; k++) {
		struct ip_prefix *ip = &side[k]->ip;
		if (rnd(4) == 0)
			continue; /* any */
		side[k]->kind = ADDR_IP;
		ip->family = v6 ? AF_INET6 : AF_INET;
		ip->len = v6 ? (uint8_t)(32 + 16 * rnd(6)) : lens[rnd(4)];
		ip->bytes[0] = v6 ? 0x20 : (uint8_t)(10 + rnd(3));
		ip->bytes[1] = v6 ? 0x01 : (uint8_t)rnd(4);
		ip->bytes[2] = v6 ? 0x0d : (uint8_t)rnd(4);
		ip->bytes[3] = v6 ? 0xb8 : (uint8_t)rnd(4);
		if (v6)
			ip->bytes[5] = (uint8_t)rnd(4);
		memset(ip->bytes + (ip->len + 7) / 8, 0, 16 - (size_t)(ip->len + 7) / 8);
		if (ip->len % 8)
			ip->bytes[ip->len / 8] &= (uint8_t)(0xff << (8 - ip->len % 8));
	}
	f.proto = rnd(5) ? 6 : rnd(2) ? 17 : 0;
	if (i % 500 == 7) { /* a service of me, as a server's policy has */
		side[i % 1000 == 7]->kind = ADDR_ME;
		f.proto = 6;
		f.dport = (struct port_range){ (uint16_t)(8000 + i), (uint16_t)(8000 + i) };
	} else if (f.proto && rnd(3)) {
		uint16_t lo = (uint16_t)(rnd(50) * 100);
		f.dport = (struct port_range){ lo, (uint16_t)(lo + (rnd(2) ? 0 : rnd(500))) };
	}
	return f;
}

/* The secure program of rules (half block, half permit) of the filters
 * with me = the n_me addresses 192.0.2.10, .11, ... */
static int program_of(const struct rs_filter *flt, size_t n, size_t n_me,
		      struct view_cache *views, struct nft_program *p)
{
	struct host_facts *f = calloc(1, sizeof(*f));
	struct ruleset rs = { 0 };
	struct ftable t;
	struct config cfg;
	struct err e;
	struct ruleset_rule rule = { .store = WSTORE_POLICY, .conntype = CONN_ALL };
	int rc;

	config_init(&cfg);
	snprintf(rule.store_name, sizeof(rule.store_name), "local");
	for (size_t i = 0; i < n_me; i++) {
		struct ip_prefix me = { .family = AF_INET, .len = 24,
					.bytes = { 192, 0, 2, (uint8_t)(10 + i) } };
		facts_add_addr(f, &me, 2, false);
	}
	rule.action_in = rule.action_out = ACTION_BLOCK;
	ruleset_add(&rs, &rule, flt, n / 2);
	rule.action_in = rule.action_out = ACTION_PERMIT;
	ruleset_add(&rs, &rule, flt + n / 2, n - n / 2);
	rs.ipsecexempt = 3;
	rc = ftable_compile(&rs, f, &t, &e) == 0 &&
			     program_secure(&t, f, &cfg, 0, views, p, &e) == 0
		     ? 0
		     : -1;
	if (rc == 0)
		ftable_free(&t);
	ruleset_free(&rs);
	facts_free(f);
	free(f);
	return rc;
}

static bool same_program(const struct nft_program *a, const struct nft_program *b)
{
	char *x = program_serialize(a), *y = program_serialize(b);
	bool same = x && y && !strcmp(x, y);

	free(x);
	free(y);
	return same;
}

static int line_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "map\ttext" of elements, sorted. */
static char **elem_lines(const struct nft_program *p, const struct nft_elem *const *v, size_t n)
{
	char **lines = calloc(n + 1, sizeof(*lines));

	for (size_t i = 0; lines && i < n; i++)
		if (asprintf(&lines[i], "%s\t%s", p->maps[v[i]->map], v[i]->text) < 0)
			lines[i] = NULL;
	if (lines)
		qsort(lines, n, sizeof(*lines), line_cmp);
	return lines;
}

static void free_lines(char **lines, size_t n)
{
	for (size_t i = 0; lines && i < n; i++)
		free(lines[i]);
	free(lines);
}

/* Does a's elements, without d's gone and with its fresh, make b's? */
static bool diff_makes(const struct nft_program *a, const struct nft_program *b,
		       const struct program_diff *d)
{
	const struct nft_elem **all = calloc(a->n_elems + d->n_fresh + b->n_elems + 1, sizeof(*all));
	const struct nft_elem **want = all + a->n_elems + d->n_fresh;
	size_t n = 0;
	char **gone, **got, **wanted;
	bool same;

	for (size_t i = 0; i < a->n_elems; i++)
		all[n++] = &a->elems[i];
	for (size_t i = 0; i < b->n_elems; i++)
		want[i] = &b->elems[i];
	got = elem_lines(a, all, n);
	gone = elem_lines(a, d->gone, d->n_gone);
	wanted = elem_lines(b, want, b->n_elems);
	/* a's lines but those gone (both sorted), then fresh's */
	size_t kept = 0, j = 0;
	for (size_t i = 0; i < n; i++) {
		if (j < d->n_gone && !strcmp(got[i], gone[j])) {
			j++;
			free(got[i]);
			continue;
		}
		got[kept++] = got[i];
	}
	char **fresh = elem_lines(b, d->fresh, d->n_fresh);
	char **merged = calloc(kept + d->n_fresh + 1, sizeof(*merged));
	memcpy(merged, got, kept * sizeof(*merged));
	memcpy(merged + kept, fresh, d->n_fresh * sizeof(*merged));
	qsort(merged, kept + d->n_fresh, sizeof(*merged), line_cmp);
	same = j == d->n_gone && kept + d->n_fresh == b->n_elems;
	for (size_t i = 0; same && i < b->n_elems; i++)
		same = !strcmp(merged[i], wanted[i]);
	free_lines(merged, kept + d->n_fresh);
	free(got);
	free(fresh);
	free_lines(gone, d->n_gone);
	free_lines(wanted, b->n_elems);
	free(all);
	return same;
}

/* The agent's builds reuse the views an address change leaves alone: the
 * program is byte for byte the one built from scratch, and the diff that
 * turns the old program into it is exact, on a policy of partitions,
 * tiers and a protocol branch. */
static void test_view_cache(void)
{
	enum { N = 3000 };
	struct rs_filter *flt = calloc(N, sizeof(*flt));
	struct view_cache *views = view_cache_new();
	struct nft_program cold, warm, fresh, before;
	struct program_diff d;
	size_t me_steps[] = { 2, 3, 1, 1 };

	seed = 777;
	for (int i = 0; i < N; i++)
		flt[i] = random_filter(i);
	ok(program_of(flt, N, 1, views, &cold) == 0 && program_of(flt, N, 1, NULL, &before) == 0,
	   "a policy of %d random filters, built with and without the cache", N);
	ok(same_program(&cold, &before) && view_cache_reused(views) == 0,
	   "a first build with the cache: the program built without it (%zu elements, %zu "
	   "lookups)", cold.n_elems, cold.n_tiers);
	ok(strstr(cold.body, "_p6 {") && strstr(cold.body, "in4_p6_t3 {") &&
		   strstr(cold.body, "in6"),
	   "the policy has a TCP branch, tiers and IPv6 views");
	program_free(&cold);
	for (size_t s = 0; s < sizeof(me_steps) / sizeof(me_steps[0]); s++) {
		size_t n_me = me_steps[s];
		ok(program_of(flt, N, n_me, views, &warm) == 0 &&
			   program_of(flt, N, n_me, NULL, &fresh) == 0,
		   "me of %zu addresses: built with and without the cache", n_me);
		ok(same_program(&warm, &fresh) && view_cache_reused(views) > 0,
		   "the same program, %zu views reused", view_cache_reused(views));
		if (program_diff(&before, &warm, &d)) {
			ok(diff_makes(&before, &warm, &d),
			   "the diff from the program before is exact (%zu gone, %zu fresh)", d.n_gone,
			   d.n_fresh);
			program_diff_free(&d);
		} else {
			ok(false, "me of %zu addresses: an update in place", n_me);
		}
		program_free(&before);
		before = fresh;
		program_free(&warm);
	}
	/* a rule change: views rebuilt where their input moved */
	flt[N / 3].dport = (struct port_range){ 7, 7 };
	ok(program_of(flt, N, 1, views, &warm) == 0 && program_of(flt, N, 1, NULL, &fresh) == 0 &&
		   same_program(&warm, &fresh),
	   "a filter changed: the same program as from scratch");
	program_free(&warm);
	program_free(&fresh);
	program_free(&before);
	view_cache_free(views);
	free(flt);
}

/* noinline: inlined, GCC 12 takes the buffer open_memstream hands back
 * for a pointer to the local that receives it (-Wdangling-pointer). */
__attribute__((noinline)) static char *write_steps(const struct nft_program *p, int step,
						  char slot, const struct nft_object *objs,
						  size_t n)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (step == 0)
		program_write_stage(p, slot, false, objs, n, NULL, f);
	else if (step == 1)
		program_write_switch(p, slot, 0x1234, "", objs, n, f);
	else
		program_write_table(p, f);
	fclose(f);
	return text;
}

static long offset_of(const char *text, const char *part)
{
	const char *at = strstr(text, part);

	return at ? at - text : -1;
}

/* A load is a stage in the free slot, then a switch that deletes the old. */
static void test_slots(void)
{
	static const struct nft_object objs[] = {
		{ "chain", "state_secure_00000000000000ff_a" }, { "map", "a_in4_t0" },
		{ "chain", "a_in4" },				 { "chain", "a_drop_in_block-filter" },
		{ "chain", "b_in4" },				 { "map", "b_in4_t0" },
	};
	struct config cfg;
	struct nft_program p;
	struct err e;
	char *text;

	config_init(&cfg);
	ok(program_slot_of("a_in4") == 'a' && program_slot_of("b_x") == 'b' &&
		   program_slot_of("inbound") == 0 && program_slot_of("c_x") == 0,
	   "the slot of a name");
	ok(program_mode(MODE_BOOT_BLOCK, &cfg, &p, &e) == 0, "a boot-block program");
	text = write_steps(&p, 0, 'b', objs, 6);
	ok(!strstr(text, SLOT_MARK) && strstr(text, "chain inbound {") &&
		   strstr(text, "delete chain inet ipsecfw b_in4\n") &&
		   strstr(text, "delete map inet ipsecfw b_in4_t0\n") &&
		   !strstr(text, "delete chain inet ipsecfw a_") && !strstr(text, "state_") &&
		   strstr(text, "chain b_drop_in_boot-block {") && !strstr(text, "jump"),
	   "the stage deletes the leftovers of its slot, fills it, jumps nowhere yet");
	free(text);
	char *sw = write_steps(&p, 1, 'b', objs, 6);
	long flush = offset_of(sw, "flush chain inet ipsecfw a_in4\n"),
	     map = offset_of(sw, "delete map inet ipsecfw a_in4_t0\n"),
	     chain = offset_of(sw, "delete chain inet ipsecfw a_drop_in_block-filter\n"),
	     counter = offset_of(sw, "delete counter inet ipsecfw a_drop_in_block-filter\n");
	ok(strstr(sw, "add rule inet ipsecfw inbound jump b_input\n") &&
		   strstr(sw, "add chain inet ipsecfw state_boot-block_0000000000001234_b\n") &&
		   strstr(sw, "delete chain inet ipsecfw state_secure_00000000000000ff_a\n") &&
		   flush >= 0 && flush < map && map < chain && chain < counter &&
		   !strstr(sw, "ipsecfw b_in4"),
	   "the switch jumps to the slot, tells so, and deletes the other: rules, maps, chains, "
	   "counters");
	free(sw);
	text = write_steps(&p, 2, 0, NULL, 0);
	ok(!strstr(text, SLOT_MARK) && strstr(text, "jump a_input") &&
		   strstr(text, "goto a_drop_in_boot-block"),
	   "the dry-run table is slot a");
	free(text);
	program_free(&p);
}

/* The state chain carries the program's fingerprint, then the kernel's. */
static void test_state_name(void)
{
	static const char pfp[] = "0123456789abcdef0123456789abcdef";
	static const char kfp[] = "fedcba9876543210fedcba9876543210";
	char name[160];

	program_state_name(MODE_SECURE, 0xff, 'b', "", "", name, sizeof(name));
	ok(!strcmp(name, "state_secure_00000000000000ff_b"), "a state without fingerprints: %s",
	   name);
	program_state_name(MODE_SECURE, 0xff, 'b', pfp, "", name, sizeof(name));
	ok(!strcmp(name, "state_secure_00000000000000ff_b_0123456789abcdef0123456789abcdef"),
	   "with the program's");
	program_state_name(MODE_BOOT_STATEFUL, 1, 'a', pfp, kfp, name, sizeof(name));
	ok(!strcmp(name, "state_boot-stateful_0000000000000001_a_0123456789abcdef0123456789abcdef_"
			 "fedcba9876543210fedcba9876543210") &&
		   strlen(name) < 256,
	   "and the kernel's, within nftables' 256-byte names");
}

int main(void)
{
	test_overlap();
	test_tiers();
	test_index();
	test_modes();
	test_update_and_save();
	test_partitioned_view();
	test_protocol_branch();
	test_split_tier();
	test_view_cache();
	test_slots();
	test_state_name();
	return done_testing();
}
