// SPDX-License-Identifier: MIT
/* bench_rules - the inputs of bench/datapath from one ClassBench rule set:
 *
 *   bench_rules netsh FILE   the rules as a netsh script for ipsecfw
 *   bench_rules naive FILE   the naive translation: one nftables rule per
 *                            filter, in weight order, in table inet naive
 *   bench_rules probe FILE   "SPORT UDP_DPORT TCP_DPORT UDP_DEPTH TCP_DEPTH N":
 *                            the probe flows, 192.0.2.2 -> 192.0.2.1, and
 *                            how many of the N entries (in weight order)
 *                            come before the filter that decides them
 *
 * Even rules permit, odd rules block (classbench.h), except that every
 * filter matching a probe packet permits: so the probes pass, each after
 * the full work of its policy.
 *
 * The server is 192.0.2.1 (`me`), the client 192.0.2.2. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "classbench.h"
#include "engine/decide.h"
#include "engine/ftable.h"
#include "sys/facts.h"

static const uint8_t server[4] = { 192, 0, 2, 1 }, client[4] = { 192, 0, 2, 2 };

static void print_addr(const char *field, const struct rs_addr *a)
{
	char text[INET_ADDRSTRLEN];

	if (a->kind == ADDR_ANY) {
		printf(" %saddr=any", field);
		return;
	}
	inet_ntop(AF_INET, a->ip.bytes, text, sizeof(text));
	printf(" %saddr=%s %smask=%u", field, text, field, a->ip.len);
}

static void print_port(const char *field, struct port_range r)
{
	if (port_is_any(r))
		printf(" %sport=0", field);
	else if (r.lo == r.hi)
		printf(" %sport=%u", field, r.lo);
	else
		printf(" %sport=%u-%u", field, r.lo, r.hi);
}

/* netsh allows ports for TCP and UDP only: a port-restricted filter of
 * any protocol becomes one of each. */
static void print_filter(const char *list, const struct rs_filter *f)
{
	bool split = f->proto == 0 && (!port_is_any(f->sport) || !port_is_any(f->dport));

	for (int k = 0; k < (split ? 2 : 1); k++) {
		unsigned proto = split ? (k ? 17 : 6) : f->proto;
		printf("static add filter filterlist=%s", list);
		print_addr("src", &f->src);
		print_addr("dst", &f->dst);
		if (proto == 0)
			printf(" protocol=any");
		else
			printf(" protocol=%u", proto);
		if (proto == 6 || proto == 17) {
			print_port("src", f->sport);
			print_port("dst", f->dport);
		}
		printf(" mirrored=no\n");
	}
}

static void print_netsh(const struct ruleset *rs)
{
	printf("static add policy name=ClassBench activatedefaultrule=no\n"
	       "static add filteraction name=Pass action=permit\n"
	       "static add filteraction name=Block action=block\n");
	for (size_t r = 0; r < rs->n_rules; r++)
		for (size_t i = 0; i < rs->rules[r].n_filters; i++)
			print_filter(rs->rules[r].list, &rs->rules[r].filters[i]);
	/* one filter on `me`, so an address change has elements to update */
	printf("static add filter filterlist=me srcaddr=203.0.113.0 srcmask=24 dstaddr=me "
	       "protocol=TCP srcport=0 dstport=23 mirrored=no\n"
	       "static add rule name=me policy=ClassBench filterlist=me filteraction=Block\n");
	for (size_t r = 0; r < rs->n_rules; r++)
		printf("static add rule name=%s policy=ClassBench filterlist=%s filteraction=%s\n",
		       rs->rules[r].rule, rs->rules[r].list,
		       rs->rules[r].action_in == ACTION_BLOCK ? "Block" : "Pass");
	printf("static set policy name=ClassBench assign=yes\n");
}

static void print_match(const struct fentry *en, bool in)
{
	const uint8_t *a[2] = { en->src, en->dst };
	const uint8_t len[2] = { en->src_len, en->dst_len };
	const struct port_range ports[2] = { en->sport, en->dport };
	char text[INET_ADDRSTRLEN];

	for (int k = 0; k < 2; k++)
		if (len[k]) {
			inet_ntop(AF_INET, a[k], text, sizeof(text));
			printf(" ip %saddr %s/%u", k ? "d" : "s", text, len[k]);
		}
	if (en->proto)
		printf(" meta l4proto %u", en->proto);
	for (int k = 0; k < 2; k++) {
		if (port_is_any(ports[k]))
			continue;
		printf(" th %sport %u", k ? "d" : "s", ports[k].lo);
		if (ports[k].hi != ports[k].lo)
			printf("-%u", ports[k].hi);
	}
	printf(" %s\n", (in ? en->action_in : en->action_out) == ACTION_BLOCK ? "drop" : "accept");
}

/* Entries are best first: the first rule that matches is the best filter. */
static void print_naive(const struct ftable *t)
{
	printf("table inet naive {\n");
	for (int in = 1; in >= 0; in--) {
		printf("chain %s {\ntype filter hook %s priority filter; policy accept;\n",
		       in ? "naive_in" : "naive_out", in ? "input" : "output");
		for (size_t i = 0; i < t->n_entries; i++)
			if (t->entries[i].filter != UINT32_MAX) { /* exemptions are ipsecfw's */
				printf("\t");
				print_match(&t->entries[i], in);
			}
		printf("}\n");
	}
	printf("}\n");
}

/* The probe flows: UDP and TCP, client to server, and their replies. */
enum { PROBE_SPORT = 40000, UDP_DPORT = 9, TCP_DPORT = 5001 };

static bool prefix_holds(const struct rs_addr *a, const uint8_t *ip)
{
	if (a->kind == ADDR_ANY)
		return true;
	for (unsigned bit = 0; bit < a->ip.len; bit++)
		if ((a->ip.bytes[bit / 8] ^ ip[bit / 8]) & (0x80 >> (bit % 8)))
			return false;
	return true;
}

static bool filter_matches(const struct rs_filter *f, uint8_t proto, const uint8_t *src,
			   const uint8_t *dst, uint16_t sport, uint16_t dport)
{
	return prefix_holds(&f->src, src) && prefix_holds(&f->dst, dst) &&
	       (f->proto == 0 || f->proto == proto) && sport >= f->sport.lo &&
	       sport <= f->sport.hi && dport >= f->dport.lo && dport <= f->dport.hi;
}

static bool matches_a_probe(const struct rs_filter *f)
{
	static const uint8_t protos[] = { 17, 6 };
	static const uint16_t dports[] = { UDP_DPORT, TCP_DPORT };

	for (int k = 0; k < 2; k++)
		if (filter_matches(f, protos[k], client, server, PROBE_SPORT, dports[k]) ||
		    filter_matches(f, protos[k], server, client, dports[k], PROBE_SPORT))
			return true;
	return false;
}

/* Every filter that matches a probe packet permits, so the probes pass
 * after the lookups of a full policy; the rest keep their actions. */
static void permit_the_probes(struct ruleset *rs)
{
	struct ruleset out = { 0 };

	for (size_t r = 0; r < rs->n_rules; r++) {
		struct ruleset_rule rule = rs->rules[r];
		struct rs_filter *kept = calloc(rule.n_filters + 1, sizeof(*kept));
		size_t n = 0;
		for (size_t want_match = 0; want_match < 2; want_match++) {
			n = 0;
			for (size_t i = 0; i < rule.n_filters; i++)
				if (matches_a_probe(&rule.filters[i]) == (want_match == 1) &&
				    (rule.action_in == ACTION_BLOCK || !want_match))
					kept[n++] = rule.filters[i];
			if (n == 0) {
				continue; /* no rule without filters: netsh needs its list */
			} else if (want_match && rule.action_in == ACTION_BLOCK) {
				/* a block rule's matching filters move to a permit rule */
				struct ruleset_rule moved = rule;
				snprintf(moved.list, sizeof(moved.list), "probes");
				snprintf(moved.rule, sizeof(moved.rule), "probes");
				moved.action_in = moved.action_out = ACTION_PERMIT;
				ruleset_add(&out, &moved, kept, n);
			} else if (!want_match) {
				ruleset_add(&out, &rule, kept, n);
			}
		}
		free(kept);
	}
	ruleset_free(rs);
	*rs = out;
}

/* The deciding entry of a probe packet: how many rules the naive chain
 * tries (entries are best first), or -1 if it is dropped. */
static long depth(const struct ftable *t, uint8_t proto, bool in, uint16_t dport)
{
	struct packet p = { .family = AF_INET, .proto = proto, .inbound = in };
	struct decision d;

	memcpy(p.src, in ? client : server, 4);
	memcpy(p.dst, in ? server : client, 4);
	p.sport = in ? PROBE_SPORT : dport;
	p.dport = in ? dport : PROBE_SPORT;
	decide(t, NULL, &p, &d);
	if (d.verdict != VERDICT_PASS)
		return -1;
	return d.entry < 0 ? (long)t->n_entries : d.entry;
}

static int print_probe(const struct ftable *t)
{
	long udp = depth(t, 17, true, UDP_DPORT), tcp = depth(t, 6, true, TCP_DPORT),
	     ack = depth(t, 6, false, TCP_DPORT);

	if (udp < 0 || tcp < 0 || ack < 0) {
		fprintf(stderr, "bench_rules: a probe would be dropped\n");
		return 1;
	}
	printf("%d %d %d %ld %ld %zu\n", PROBE_SPORT, UDP_DPORT, TCP_DPORT, udp, tcp,
	       t->n_entries);
	return 0;
}

int main(int argc, char **argv)
{
	struct ruleset rs = { 0 };
	struct host_facts *facts = calloc(1, sizeof(*facts));
	struct ip_prefix me = { .family = AF_INET, .len = 24 };
	struct ftable t;
	struct err e;
	size_t n;
	int rc = 0;

	if (argc != 3 || !facts) {
		fprintf(stderr, "usage: bench_rules netsh|naive|probe CLASSBENCH-FILE\n");
		return 2;
	}
	if (classbench_load_rules(argv[2], &rs, &n) < 0) {
		fprintf(stderr, "bench_rules: cannot read %s\n", argv[2]);
		return 1;
	}
	permit_the_probes(&rs);
	memcpy(me.bytes, server, 4);
	facts_add_addr(facts, &me, 2, false);
	if (strcmp(argv[1], "netsh") == 0) {
		print_netsh(&rs);
	} else if (ftable_compile(&rs, facts, &t, &e) < 0) {
		fprintf(stderr, "bench_rules: %s\n", e.msg);
		rc = 1;
	} else {
		if (strcmp(argv[1], "naive") == 0)
			print_naive(&t);
		else
			rc = print_probe(&t);
		ftable_free(&t);
	}
	ruleset_free(&rs);
	facts_free(facts);
	free(facts);
	return rc;
}
