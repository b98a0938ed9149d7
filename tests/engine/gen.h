// SPDX-License-Identifier: MIT
/* gen.h - random policies, host facts and packets for the engine's tests:
 * small address and port pools, so that filters overlap often. */
#ifndef IPSECFW_TEST_GEN_H
#define IPSECFW_TEST_GEN_H

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "engine/ftable.h"
#include "engine/packet.h"

static uint64_t gen_state = 88172645463325252ull;

static inline uint32_t rnd(uint32_t n)
{
	gen_state ^= gen_state << 13;
	gen_state ^= gen_state >> 7;
	gen_state ^= gen_state << 17;
	return (uint32_t)(gen_state % n);
}

static const char *const pool4[] = { "192.0.2.0", "192.0.2.10", "192.0.2.77", "192.0.2.200",
				     "198.51.100.7", "198.51.100.128", "203.0.113.9",
				     "203.0.113.250" };
static const char *const pool6[] = { "2001:db8::10", "2001:db8::1:5", "2001:db8:0:1::9",
				     "2001:db8:ffff::1" };
static const uint16_t port_pool[] = { 22, 53, 80, 88, 443, 500, 1024, 3389, 4500, 40000 };
static const uint8_t proto_pool[] = { 0, 6, 6, 17, 17, 1, 58, 46 };

static inline void gen_ip(int family, struct ip_prefix *out)
{
	memset(out, 0, sizeof(*out));
	out->family = (uint8_t)family;
	if (family == AF_INET) {
		inet_pton(AF_INET, pool4[rnd(8)], out->bytes);
		out->len = 32;
	} else {
		inet_pton(AF_INET6, pool6[rnd(4)], out->bytes);
		out->len = 128;
	}
}

static inline void clear_host_bits(struct ip_prefix *p)
{
	for (int b = p->len; b < 128; b++)
		p->bytes[b / 8] &= (uint8_t)~(0x80 >> (b % 8));
}

static inline struct rs_addr gen_addr(int family)
{
	static const uint8_t len4[] = { 8, 16, 24, 25, 28, 30, 32, 32 };
	static const uint8_t len6[] = { 32, 48, 64, 96, 127, 128 };
	struct rs_addr a = { 0 };
	uint32_t k = rnd(20);

	if (k < 4) {
		a.kind = ADDR_ANY;
	} else if (k < 7) {
		a.kind = ADDR_ME;
	} else if (k < 8) {
		a.kind = ADDR_SERVER;
		a.server = (enum server_type)(1 + rnd(4));
	} else {
		a.kind = ADDR_IP;
		gen_ip(family, &a.ip);
		a.ip.len = family == AF_INET ? len4[rnd(8)] : len6[rnd(6)];
		clear_host_bits(&a.ip);
	}
	return a;
}

static inline struct port_range gen_port(void)
{
	uint32_t k = rnd(10);
	if (k < 5)
		return PORT_ANY;
	uint16_t p = port_pool[rnd(10)];
	if (k < 8)
		return (struct port_range){ p, p };
	return (struct port_range){ p, (uint16_t)(p + rnd(2000)) };
}

static inline void gen_filter(struct rs_filter *f, int64_t seq)
{
	int family = rnd(3) ? AF_INET : AF_INET6;

	memset(f, 0, sizeof(*f));
	f->src = gen_addr(family);
	f->dst = gen_addr(family);
	f->proto = proto_pool[rnd(8)];
	f->sport = f->dport = PORT_ANY;
	f->icmp_type = f->icmp_code = -1;
	if (f->proto == 6 || f->proto == 17) {
		f->sport = gen_port();
		f->dport = gen_port();
	} else if ((f->proto == 1 || f->proto == 58) && rnd(2)) {
		f->icmp_type = (int16_t)(rnd(2) ? 8 : 0);
		if (rnd(2))
			f->icmp_code = 0;
	}
	f->mirrored = rnd(2);
	f->id = seq;
	f->seq = seq;
	snprintf(f->guid, sizeof(f->guid), "{%016llx}", (unsigned long long)seq);
}

static inline void gen_facts(struct host_facts *f)
{
	struct ip_prefix ip;

	memset(f, 0, sizeof(*f));
	for (uint32_t i = 0, n = 1 + rnd(3); i < n; i++) {
		gen_ip(AF_INET, &ip);
		ip.len = 24;
		facts_add_addr(f, &ip, 1 + (int)i, rnd(4) == 0);
	}
	for (uint32_t i = 0, n = rnd(3); i < n; i++) {
		gen_ip(AF_INET6, &ip);
		ip.len = 64;
		facts_add_addr(f, &ip, 1 + (int)i, false);
	}
	for (int t = SRV_DNS; t <= SRV_GATEWAY; t++)
		for (uint32_t i = 0, n = rnd(3); i < n; i++) {
			gen_ip(rnd(3) ? AF_INET : AF_INET6, &ip);
			facts_add_server(f, (enum server_type)t, &ip);
		}
	facts_normalize(f);
}

/* A ruleset of about n_filters filters over up to 20 rules. */
static inline void gen_ruleset(struct ruleset *rs, size_t n_filters)
{
	size_t n_rules = 1 + rnd(20), made = 0;
	int64_t seq = 1;

	memset(rs, 0, sizeof(*rs));
	rs->ipsecexempt = (int)rnd(4);
	for (size_t r = 0; r < n_rules; r++) {
		struct ruleset_rule rr = { 0 };
		size_t n = r + 1 == n_rules ? n_filters - made : rnd((uint32_t)(n_filters / n_rules * 2 + 1));
		if (made + n > n_filters)
			n = n_filters - made;
		struct rs_filter *fs = calloc(n ? n : 1, sizeof(*fs));
		for (size_t i = 0; i < n; i++)
			gen_filter(&fs[i], seq++);
		made += n;
		rr.store = (enum weight_store)rnd(3);
		snprintf(rr.store_name, sizeof(rr.store_name), "%s",
			 rr.store == WSTORE_PERSISTENT ? "persistent" : rr.store ? "local" : "dynamic");
		snprintf(rr.policy, sizeof(rr.policy), "P%u", rr.store);
		snprintf(rr.rule, sizeof(rr.rule), "R%zu", r);
		snprintf(rr.list, sizeof(rr.list), "L%zu", r);
		rr.action_in = (enum action)rnd(3);
		rr.action_out = rr.store == WSTORE_DYNAMIC ? (enum action)rnd(3) : rr.action_in;
		rr.inpass = rnd(2);
		rr.soft = rnd(2);
		rr.conntype = rnd(5) == 0 ? (enum conntype)(1 + rnd(2)) : CONN_ALL;
		ruleset_add(rs, &rr, fs, n);
		free(fs);
	}
}

static inline void gen_packet(const struct host_facts *facts, struct packet *p)
{
	struct ip_prefix ip;
	int family = rnd(3) ? AF_INET : AF_INET6;

	memset(p, 0, sizeof(*p));
	p->family = (uint8_t)family;
	for (int side = 0; side < 2; side++) {
		uint8_t *dst = side ? p->dst : p->src;
		uint32_t k = rnd(10);
		gen_ip(family, &ip);
		if (k < 3 && facts->n_addrs) {
			const struct local_addr *a = &facts->addrs[rnd((uint32_t)facts->n_addrs)];
			if (a->ip.family == family)
				memcpy(ip.bytes, a->ip.bytes, 16);
		} else if (k == 3 && side == 1) {
			if (family == AF_INET)
				inet_pton(AF_INET, rnd(2) ? "255.255.255.255" : "224.0.0.251", ip.bytes);
			else
				inet_pton(AF_INET6, "ff02::1", ip.bytes);
		} else if (k == 4) {
			ip.bytes[family == AF_INET ? 3 : 15] ^= (uint8_t)rnd(256);
		}
		memcpy(dst, ip.bytes, 16);
	}
	p->proto = proto_pool[1 + rnd(7)];
	if (p->proto == 6 || p->proto == 17) {
		p->sport = rnd(2) ? port_pool[rnd(10)] : (uint16_t)(rnd(3000) + port_pool[rnd(10)]);
		p->dport = rnd(2) ? port_pool[rnd(10)] : (uint16_t)rnd(65536);
	} else if (p->proto == 1 || p->proto == 58) {
		p->sport = rnd(2) ? 8 : 0;
		p->dport = (uint16_t)rnd(2);
	}
	/* ports kept: a non-first fragment must not match them anyway */
	p->nonfirst_frag = rnd(10) == 0;
	p->inbound = rnd(2);
	p->iface = (uint8_t)rnd(3);
}

#endif
