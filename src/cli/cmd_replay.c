// SPDX-License-Identifier: MIT
/* cmd_replay.c - `ipsecfw replay FILE`: a capture (pcap or pcapng, through
 * libpcap) run through the policy in force, with a verdict per packet and
 * totals per verdict, reason, rule and filter. A packet from a local
 * address is outbound; any other is inbound. */
#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>

#include "engine/pktparse.h"
#include "queries.h"

enum { REASON_COUNT = REASON_NEGOTIATE_BCAST + 1 };

struct totals {
	uint64_t packets, not_ip, unreadable;
	uint64_t verdict[2];
	uint64_t reason[REASON_COUNT];
	uint64_t *rule_pass, *rule_drop;     /* per rule index */
	uint64_t *filter_pass, *filter_drop; /* per table filter index */
	uint64_t exempt;
};

static bool is_local(const struct host_facts *f, const struct packet *p)
{
	for (size_t i = 0; i < f->n_addrs; i++)
		if (f->addrs[i].ip.family == p->family &&
		    memcmp(f->addrs[i].ip.bytes, p->src, p->family == AF_INET ? 4 : 16) == 0)
			return true;
	return false;
}

static void count(const struct view *v, struct totals *t, const struct decision *d)
{
	const struct fentry *en;
	bool pass = d->verdict == VERDICT_PASS;

	t->verdict[d->verdict]++;
	t->reason[d->reason]++;
	if (d->entry < 0)
		return;
	en = &v->table.entries[d->entry];
	if (en->filter == UINT32_MAX) {
		t->exempt++;
		return;
	}
	(pass ? t->filter_pass : t->filter_drop)[en->filter]++;
	(pass ? t->rule_pass : t->rule_drop)[v->table.filters[en->filter].rule]++;
}

static void print_each(const struct view *v, uint64_t n, const struct packet *p,
		       const struct decision *d, bool json)
{
	char text[256], origin[1200] = "";

	packet_format(p, text, sizeof(text));
	if (d->entry >= 0)
		fentry_format_origin(&v->table, &v->table.entries[d->entry], origin, sizeof(origin));
	if (json) {
		json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:s}", "packet", (json_int_t)n,
				      "direction", p->inbound ? "in" : "out", "header", text,
				      "verdict", verdict_name(d->verdict), "reason",
				      reason_name(d->reason));
		json_object_set_new(o, "decided_by", d->entry < 0 ? json_null()
								  : json_string(origin));
		json_dumpf(o, stdout, JSON_COMPACT);
		putchar('\n');
		json_decref(o);
		return;
	}
	printf("%6" PRIu64 " %-3s %s  %s (%s)%s%s\n", n, p->inbound ? "in" : "out", text,
	       verdict_name(d->verdict), reason_name(d->reason), origin[0] ? "  " : "", origin);
}

static void print_totals(const struct view *v, const char *path, const struct totals *t,
			 bool json)
{
	const struct ftable *tb = &v->table;

	if (json) {
		json_t *root = json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:I}", "file", path, "packets",
					 (json_int_t)t->packets, "not_ip", (json_int_t)t->not_ip,
					 "unreadable", (json_int_t)t->unreadable, "pass",
					 (json_int_t)t->verdict[VERDICT_PASS], "drop",
					 (json_int_t)t->verdict[VERDICT_DROP], "exempt",
					 (json_int_t)t->exempt);
		json_t *reasons = json_object(), *rules = json_array(), *filters = json_array();
		for (int r = 0; r < REASON_COUNT; r++)
			if (t->reason[r])
				json_object_set_new(reasons, reason_name((enum reason)r),
						    json_integer((json_int_t)t->reason[r]));
		for (size_t i = 0; i < tb->n_rules; i++)
			if (t->rule_pass[i] || t->rule_drop[i])
				json_array_append_new(rules, json_pack("{s:s, s:s, s:s, s:I, s:I}",
					"rule", tb->rules[i].rule, "policy", tb->rules[i].policy,
					"store", tb->rules[i].store_name, "pass",
					(json_int_t)t->rule_pass[i], "drop", (json_int_t)t->rule_drop[i]));
		for (size_t i = 0; i < tb->n_filters; i++)
			if (t->filter_pass[i] || t->filter_drop[i])
				json_array_append_new(filters, json_pack("{s:I, s:s, s:s, s:I, s:I}",
					"filter", (json_int_t)tb->filters[i].f.id, "guid",
					tb->filters[i].f.guid, "rule", tb->rules[tb->filters[i].rule].rule,
					"pass", (json_int_t)t->filter_pass[i], "drop",
					(json_int_t)t->filter_drop[i]));
		json_object_set_new(root, "reasons", reasons);
		json_object_set_new(root, "rules", rules);
		json_object_set_new(root, "filters", filters);
		json_print(root);
		return;
	}
	printf("%s: %" PRIu64 " packets: %" PRIu64 " PASS, %" PRIu64 " DROP", path, t->packets,
	       t->verdict[VERDICT_PASS], t->verdict[VERDICT_DROP]);
	printf(", %" PRIu64 " not IP (passed), %" PRIu64 " unreadable\n", t->not_ip, t->unreadable);
	printf("by reason:\n");
	for (int r = 0; r < REASON_COUNT; r++)
		if (t->reason[r])
			printf("  %8" PRIu64 "  %s\n", t->reason[r], reason_name((enum reason)r));
	printf("by rule:            PASS      DROP\n");
	for (size_t i = 0; i < tb->n_rules; i++)
		if (t->rule_pass[i] || t->rule_drop[i])
			printf("  %16" PRIu64 "  %8" PRIu64 "  rule '%s' of policy '%s' (%s)\n",
			       t->rule_pass[i], t->rule_drop[i], tb->rules[i].rule,
			       tb->rules[i].policy, tb->rules[i].store_name);
	if (t->exempt)
		printf("  %16" PRIu64 "  %8d  exemptions (ipsecexempt=%d)\n", t->exempt, 0,
		       tb->ipsecexempt);
	printf("by filter:          PASS      DROP\n");
	for (size_t i = 0; i < tb->n_filters; i++)
		if (t->filter_pass[i] || t->filter_drop[i])
			printf("  %16" PRIu64 "  %8" PRIu64 "  filter %" PRId64 " %s of rule '%s'\n",
			       t->filter_pass[i], t->filter_drop[i], tb->filters[i].f.id,
			       tb->filters[i].f.guid, tb->rules[tb->filters[i].rule].rule);
}

int cmd_replay(const struct view *v, int argc, char **argv, const struct query_opts *o)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *hdr;
	const u_char *data;
	struct totals t = { 0 };
	pcap_t *pc;
	int link, rc, got = 0;

	if (argc != 1) {
		fprintf(stderr, "ipsecfw: replay: want one capture file\n");
		return 2;
	}
	if (!(pc = pcap_open_offline(argv[0], errbuf))) {
		fprintf(stderr, "ipsecfw: replay: %s\n", errbuf);
		return 1;
	}
	link = pcap_datalink(pc);
	if (!packet_link_supported(link)) {
		fprintf(stderr, "ipsecfw: replay: %s: link type %s is not Ethernet, Linux cooked or raw IP\n",
			argv[0], pcap_datalink_val_to_name(link) ? pcap_datalink_val_to_name(link) : "?");
		pcap_close(pc);
		return 1;
	}
	t.rule_pass = calloc(v->table.n_rules + 1, sizeof(uint64_t));
	t.rule_drop = calloc(v->table.n_rules + 1, sizeof(uint64_t));
	t.filter_pass = calloc(v->table.n_filters + 1, sizeof(uint64_t));
	t.filter_drop = calloc(v->table.n_filters + 1, sizeof(uint64_t));
	rc = t.rule_pass && t.rule_drop && t.filter_pass && t.filter_drop ? 0 : -1;
	while (rc == 0 && (got = pcap_next_ex(pc, &hdr, &data)) == 1) {
		struct packet p;
		struct decision d;
		enum parse_result r = packet_parse_link(link, data, hdr->caplen, &p);
		t.packets++;
		if (r == PARSE_NOT_IP) {
			t.not_ip++;
			continue;
		}
		if (r != PARSE_OK) {
			t.unreadable++;
			if (o->each && !o->json)
				printf("%6" PRIu64 " unreadable (truncated header)\n", t.packets);
			continue;
		}
		p.inbound = !is_local(&v->facts, &p);
		view_decide(v, &p, &d);
		count(v, &t, &d);
		if (o->each)
			print_each(v, t.packets, &p, &d, o->json);
	}
	if (rc == 0 && got == PCAP_ERROR) {
		fprintf(stderr, "ipsecfw: replay: %s: after packet %" PRIu64 ": %s\n", argv[0],
			t.packets, pcap_geterr(pc));
		rc = -1;
	} else if (rc == 0 && !(o->each && o->json))
		print_totals(v, argv[0], &t, o->json);
	if (!t.rule_pass || !t.rule_drop || !t.filter_pass || !t.filter_drop)
		fprintf(stderr, "ipsecfw: replay: out of memory\n");
	free(t.rule_pass);
	free(t.rule_drop);
	free(t.filter_pass);
	free(t.filter_drop);
	pcap_close(pc);
	return rc < 0 ? 1 : 0;
}
