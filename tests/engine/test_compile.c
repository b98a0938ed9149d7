// SPDX-License-Identifier: MIT
/* Compiling rules and facts into a FilterTable (SPEC §5.2, §6.4): mirrors,
 * me and server types per family, conntype, exemptions per ipsecexempt,
 * weights, determinism, and refresh after a change of facts. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/classify.h"
#include "engine/decide.h"
#include "gen.h"
#include "tap.h"

static int64_t next_seq = 1;

static struct rs_filter flt(const char *src, const char *dst, uint8_t proto, const char *sport,
			    const char *dport, bool mirrored)
{
	struct filter f;
	struct rs_filter out;
	struct err e;
	int l;

	filter_init(&f);
	addr_parse(src, &f.src, &l, &e);
	addr_parse(dst, &f.dst, &l, &e);
	if (l >= 0)
		addr_apply_prefix(&f.dst, (uint8_t)l);
	f.proto = proto;
	port_parse(sport, &f.sport, &e);
	port_parse(dport, &f.dport, &e);
	f.mirrored = mirrored;
	f.id = f.seq = next_seq++;
	rs_filter_from(&out, &f);
	return out;
}

static void rule(struct ruleset *rs, const char *name, enum action a, enum weight_store st,
		 enum conntype conn, const struct rs_filter *fs, size_t n)
{
	struct ruleset_rule r = { 0 };

	r.store = st;
	snprintf(r.store_name, sizeof(r.store_name), "%s", st == WSTORE_PERSISTENT ? "persistent" : "local");
	snprintf(r.policy, sizeof(r.policy), "P");
	snprintf(r.rule, sizeof(r.rule), "%s", name);
	snprintf(r.list, sizeof(r.list), "%s", name);
	r.action_in = r.action_out = a;
	r.conntype = conn;
	ruleset_add(rs, &r, fs, n);
}

static void facts_fixture(struct host_facts *f, bool reversed)
{
	static const char *const addrs[] = { "192.0.2.10", "2001:db8::10", "198.51.100.20" };
	struct ip_prefix ip;

	memset(f, 0, sizeof(*f));
	for (int k = 0; k < 3; k++) {
		int i = reversed ? 2 - k : k;
		ip_parse_host(addrs[i], &ip);
		ip.len = ip.family == AF_INET ? 24 : 64;
		facts_add_addr(f, &ip, i + 1, i == 2); /* the third is on a PPP link */
	}
	ip_parse_host(reversed ? "2001:db8::53" : "203.0.113.53", &ip);
	facts_add_server(f, SRV_DNS, &ip);
	ip_parse_host(reversed ? "203.0.113.53" : "2001:db8::53", &ip);
	facts_add_server(f, SRV_DNS, &ip);
	facts_normalize(f);
}

static char *table_text(const struct ftable *t)
{
	char *buf;
	size_t len;
	FILE *out = open_memstream(&buf, &len);
	ftable_write(t, out);
	fclose(out);
	return buf;
}

static size_t count_filter(const struct ftable *t, int64_t id)
{
	size_t n = 0;
	for (size_t i = 0; i < t->n_entries; i++)
		n += t->entries[i].filter != UINT32_MAX && t->filters[t->entries[i].filter].f.id == id;
	return n;
}

static size_t count_exempt(const struct ftable *t, enum exempt_class c)
{
	size_t n = 0;
	for (size_t i = 0; i < t->n_entries; i++)
		n += t->entries[i].exempt == c;
	return n;
}

/* The verdict and reason of one UDP/TCP packet, from the reference and the
 * fast classifier; "MISMATCH" when they disagree. */
static const char *verdict_of(const struct ftable *t, const struct host_facts *f, bool in,
			      uint8_t proto, const char *src, uint16_t sport, const char *dst,
			      uint16_t dport)
{
	static char buf[64];
	struct packet p = { .family = AF_INET, .proto = proto, .sport = sport, .dport = dport,
			    .inbound = in };
	struct fast_cls *c = fast_new();
	struct decision ref, fast;

	inet_pton(AF_INET, src, p.src);
	inet_pton(AF_INET, dst, p.dst);
	packet_mark_bcast(&p, f);
	fast_build(c, t);
	decide(t, NULL, &p, &ref);
	decide(t, c, &p, &fast);
	fast_free(c);
	if (ref.entry != fast.entry)
		return "MISMATCH";
	snprintf(buf, sizeof(buf), "%s %s", verdict_name(ref.verdict), reason_name(ref.reason));
	return buf;
}

struct diff_count {
	size_t added, removed;
};

static void on_diff(const struct ftable *t, size_t i, bool added, void *ctx)
{
	struct diff_count *d = ctx;
	(void)t;
	(void)i;
	if (added)
		d->added++;
	else
		d->removed++;
}

int main(void)
{
	struct host_facts facts, facts_rev;
	struct ruleset rs = { .ipsecexempt = 3 };
	struct ftable t, t2;
	struct err e;

	facts_fixture(&facts, false);
	facts_fixture(&facts_rev, true);
	struct rs_filter web = flt("any", "me", PROTO_TCP, "0", "80", true);
	struct rs_filter allin = flt("any", "me", 0, "0", "0", true);
	struct rs_filter dns = flt("me", "DNS", PROTO_UDP, "0", "53", false);
	struct rs_filter lan = flt("me", "any", PROTO_TCP, "0", "22", false);
	struct rs_filter v6net = flt("2001:db8::/32", "any", 0, "0", "0", false);
	struct rs_filter anyany = flt("any", "any", PROTO_ICMP, "0", "0", true);
	struct rs_filter wins = flt("WINS", "me", 0, "0", "0", false);
	rule(&rs, "Web", ACTION_PERMIT, WSTORE_POLICY, CONN_ALL, &web, 1);
	rule(&rs, "AllIn", ACTION_BLOCK, WSTORE_POLICY, CONN_ALL, &allin, 1);
	rule(&rs, "DNS", ACTION_PERMIT, WSTORE_PERSISTENT, CONN_ALL, &dns, 1);
	rule(&rs, "LAN", ACTION_PERMIT, WSTORE_POLICY, CONN_LAN, &lan, 1);
	rule(&rs, "V6", ACTION_NEGOTIATE, WSTORE_POLICY, CONN_ALL, &v6net, 1);
	rule(&rs, "ICMP", ACTION_PERMIT, WSTORE_POLICY, CONN_ALL, &anyany, 1);
	rule(&rs, "WINS", ACTION_BLOCK, WSTORE_POLICY, CONN_ALL, &wins, 1);

	ok(ftable_compile(&rs, &facts, &t, &e) == 0, "compile");
	ok(count_filter(&t, web.id) == 6, "any->me mirrored over 3 local addresses: 6 entries (%zu)",
	   count_filter(&t, web.id));
	ok(count_filter(&t, dns.id) == 3, "me->DNS: 2 IPv4 x 1 IPv4 server + 1 IPv6 x 1 IPv6 server (%zu)",
	   count_filter(&t, dns.id));
	ok(count_filter(&t, lan.id) == 2, "conntype lan: the PPP address is left out: 2 (%zu)",
	   count_filter(&t, lan.id));
	ok(count_filter(&t, v6net.id) == 1, "an IPv6 subnet to any: one IPv6 entry");
	ok(count_filter(&t, anyany.id) == 1, "any<->any mirrored: the mirror is the same entry, kept once");
	ok(count_filter(&t, wins.id) == 0, "WINS with no WINS server: no entries");
	ok(count_exempt(&t, EXC_ISAKMP) == 4 && count_exempt(&t, EXC_KERBEROS) == 0 &&
		   count_exempt(&t, EXC_MULTICAST) == 0,
	   "ipsecexempt=3: only ISAKMP and NAT-T, both ports");
	bool sorted = true, exempt_first = true;
	for (size_t i = 1; i < t.n_entries; i++) {
		sorted &= t.entries[i - 1].prio >= t.entries[i].prio;
		exempt_first &= !(t.entries[i].exempt && !t.entries[i - 1].exempt);
	}
	ok(sorted && exempt_first, "entries best first, exemptions on top");
	for (size_t i = 0; i < t.n_entries; i++) {
		const struct fentry *en = &t.entries[i];
		if (en->filter != UINT32_MAX && t.filters[en->filter].f.id == web.id &&
		    !(en->flags & EF_MIRROR) && en->family == AF_INET6) {
			ok(en->dst_len == 128 && en->src_len == 0 && en->dport.lo == 80 &&
				   (en->flags & EF_BCAST),
			   "IPv6 me entry: A=128, dport 80, may see multicast");
		}
		if (en->filter != UINT32_MAX && t.filters[en->filter].f.id == web.id &&
		    (en->flags & EF_MIRROR) && en->family == AF_INET && en->src[3] == 10)
			ok(en->sport.lo == 80 && port_is_any(en->dport) && en->src_len == 32 &&
				   !(en->flags & EF_BCAST),
			   "mirror swaps addresses and ports; me->any does not see multicast");
	}

	/* Determinism: facts in another order give the same bytes. */
	ok(ftable_compile(&rs, &facts_rev, &t2, &e) == 0, "compile with facts in reverse order");
	char *a = table_text(&t), *b = table_text(&t2);
	ok(strcmp(a, b) == 0 && t.n_entries == t2.n_entries &&
		   memcmp(t.entries, t2.entries, t.n_entries * sizeof(t.entries[0])) == 0,
	   "the same table, byte for byte");
	free(b);
	ftable_free(&t2);

	/* Refresh after a fact change equals a full compile. */
	struct host_facts moved;
	facts_copy(&moved, &facts);
	struct ip_prefix ip;
	ip_parse_host("192.0.2.11", &ip);
	ip.len = 24;
	moved.addrs[0].ip = ip; /* the address changed */
	ip_parse_host("203.0.113.2", &ip);
	facts_add_server(&moved, SRV_WINS, &ip);
	facts_normalize(&moved);
	struct ftable full, fresh;
	ok(ftable_compile(&rs, &moved, &full, &e) == 0 && ftable_refresh(&t, &moved, &fresh, &e) == 0,
	   "full compile and refresh with new facts");
	char *fa = table_text(&full), *fr = table_text(&fresh);
	is_str(fr, fa, "refresh gives the full compile's table");
	ok(count_filter(&fresh, wins.id) == 2, "the WINS filter now expands (to the IPv4 addresses)");
	struct diff_count d = { 0 };
	ftable_diff(&t, &fresh, on_diff, &d);
	ok(d.added > 0 && d.removed > 0 && d.added + d.removed < t.n_entries + fresh.n_entries,
	   "the diff holds only the changed entries (+%zu -%zu)", d.added, d.removed);
	d = (struct diff_count){ 0 };
	ftable_diff(&full, &fresh, on_diff, &d);
	ok(d.added == 0 && d.removed == 0, "no diff between equal tables");
	free(fa);
	free(fr);
	free(a);
	ftable_free(&full);
	ftable_free(&fresh);
	ftable_free(&t);
	facts_free(&moved);

	/* Exemption classes for each ipsecexempt level. */
	static const int want[4][5] = {
		/* ISAKMP Kerberos RSVP multicast broadcast(limited + 2 local /24s) */
		{ 4, 4, 1, 2, 3 }, { 4, 0, 0, 2, 3 }, { 4, 4, 1, 0, 0 }, { 4, 0, 0, 0, 0 },
	};
	for (int level = 0; level < 4; level++) {
		rs.ipsecexempt = level;
		ftable_compile(&rs, &facts, &t, &e);
		ok(count_exempt(&t, EXC_ISAKMP) == (size_t)want[level][0] &&
			   count_exempt(&t, EXC_KERBEROS) == (size_t)want[level][1] &&
			   count_exempt(&t, EXC_RSVP) == (size_t)want[level][2] &&
			   count_exempt(&t, EXC_MULTICAST) == (size_t)want[level][3] &&
			   count_exempt(&t, EXC_BROADCAST) == (size_t)want[level][4],
		   "ipsecexempt=%d exempts the classes of SPEC §6.4", level);
		/* ISAKMP is the LOCAL port 500/4500 (SPEC §6.4): a remote sender
		 * gains nothing by sending from it, whatever the level. Kerberos
		 * keeps its documented source-OR-destination hole where it is
		 * exempt at all (levels 0 and 2). */
		bool kerberos = level == 0 || level == 2;
		const char *me = "192.0.2.10", *peer = "203.0.113.9";
		const struct {
			bool in;
			uint8_t proto;
			uint16_t sport, dport;
			const char *want, *what;
		} cases[] = {
			{ true, PROTO_UDP, 500, 22, "DROP block", "UDP from remote port 500 is filtered" },
			{ true, PROTO_UDP, 4500, 22, "DROP block", "and from remote port 4500" },
			{ true, PROTO_UDP, 40000, 500, "PASS exempt", "inbound IKE to local port 500" },
			{ true, PROTO_UDP, 40000, 4500, "PASS exempt", "inbound NAT-T to local 4500" },
			{ false, PROTO_UDP, 500, 40000, "PASS exempt", "outbound from local port 500" },
			{ false, PROTO_UDP, 4500, 4500, "PASS exempt", "outbound from local port 4500" },
			{ false, PROTO_UDP, 40000, 500, "DROP block",
			  "outbound from another port to a remote 500 is filtered" },
			{ true, PROTO_TCP, 88, 22, kerberos ? "PASS exempt" : "DROP block",
			  "TCP from remote port 88: exempt at 0 and 2 only (the legacy hole)" },
			{ false, PROTO_UDP, 40000, 88, kerberos ? "PASS exempt" : "DROP block",
			  "UDP out to port 88: exempt at 0 and 2 only" },
		};
		for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++)
			is_str(verdict_of(&t, &facts, cases[k].in, cases[k].proto,
					  cases[k].in ? peer : me, cases[k].sport,
					  cases[k].in ? me : peer, cases[k].dport),
			       cases[k].want, "ipsecexempt=%d: %s", level, cases[k].what);
		ftable_free(&t);
	}

	/* Random policies: compile twice, same bytes; refresh == compile. */
	for (int k = 0; k < 20; k++) {
		struct ruleset r2;
		struct host_facts f1, f2;
		gen_facts(&f1);
		gen_facts(&f2);
		gen_ruleset(&r2, 200);
		struct ftable x, y, z;
		ftable_compile(&r2, &f1, &x, &e);
		ftable_compile(&r2, &f1, &y, &e);
		ok(x.n_entries == y.n_entries &&
			   memcmp(x.entries, y.entries, x.n_entries * sizeof(x.entries[0])) == 0,
		   "random policy %d: deterministic (%zu entries)", k, x.n_entries);
		ftable_free(&y);
		ftable_compile(&r2, &f2, &y, &e);
		ftable_refresh(&x, &f2, &z, &e);
		ok(y.n_entries == z.n_entries &&
			   memcmp(y.entries, z.entries, y.n_entries * sizeof(y.entries[0])) == 0,
		   "random policy %d: refresh to new facts == compile", k);
		ftable_free(&x);
		ftable_free(&y);
		ftable_free(&z);
		ruleset_free(&r2);
		facts_free(&f1);
		facts_free(&f2);
	}
	ruleset_free(&rs);
	facts_free(&facts);
	facts_free(&facts_rev);
	return done_testing();
}
