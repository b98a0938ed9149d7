// SPDX-License-Identifier: MIT
/* attribute.c - a logged drop, traced to what dropped it. */
#include <stdio.h>
#include <string.h>

#include "attribute.h"
#include "engine/decide.h"
#include "engine/pktparse.h"

static bool parse_prefix(const char *prefix, struct drop *out)
{
	char dir[4];

	if (sscanf(prefix, "ipsecfw %3s %23s", dir, out->reason) != 2)
		return false;
	if (!strcmp(dir, "in"))
		out->inbound = true;
	else if (strcmp(dir, "out"))
		return false;
	return true;
}

static void trace(const struct attribution *a, const struct packet *p, struct drop *out)
{
	struct packet q = *p;
	struct decision d;
	const struct ftable_filter *f;
	const struct ruleset_rule *r;

	packet_mark_bcast(&q, a->facts);
	decide(a->table, a->fast, &q, &d);
	if (d.entry < 0 || a->table->entries[d.entry].filter == UINT32_MAX)
		return;
	f = &a->table->filters[a->table->entries[d.entry].filter];
	r = &a->table->rules[f->rule];
	snprintf(out->filter, sizeof(out->filter), "%s", f->f.guid);
	snprintf(out->rule, sizeof(out->rule), "%s", r->rule);
	snprintf(out->policy, sizeof(out->policy), "%s", r->policy);
	snprintf(out->store, sizeof(out->store), "%s", r->store_name);
}

bool drop_attribute(const struct attribution *a, const char *prefix, const uint8_t *packet,
		    size_t len, struct drop *out)
{
	struct packet p = { 0 };
	enum parse_result pr;

	memset(out, 0, sizeof(*out));
	if (!parse_prefix(prefix, out))
		return false;
	out->sport = out->dport = -1;
	pr = packet_parse_ip(packet, len, &p);
	if (pr != PARSE_OK) {
		out->malformed = true;
		snprintf(out->detail, sizeof(out->detail), "%s",
			 pr == PARSE_TRUNCATED ? "truncated" : "not IP");
		return true;
	}
	p.inbound = out->inbound;
	out->family = p.family;
	out->proto = p.proto;
	memcpy(out->src, p.src, 16);
	memcpy(out->dst, p.dst, 16);
	if (!p.nonfirst_frag && (proto_has_ports(p.proto) || proto_is_icmp(p.proto))) {
		out->sport = p.sport;
		out->dport = p.dport;
	}
	/* Mode drops (boot-block, op-block, ...) have no filter. */
	if (a->table && (!strcmp(out->reason, "block-filter") ||
			 !strcmp(out->reason, "negotiate-required")))
		trace(a, &p, out);
	return true;
}
