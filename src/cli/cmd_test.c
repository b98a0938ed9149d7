// SPDX-License-Identifier: MIT
/* cmd_test.c - `ipsecfw test`: what happens to this packet, and why
 * (SPEC §14 what-if). */
#include <arpa/inet.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "model/weight.h"
#include "queries.h"

struct endpoint {
	bool me;
	struct ip_prefix ip;
	long port; /* -1: none given */
};

/* "me", "me:80", "192.0.2.1:80", "[2001:db8::1]:80", "2001:db8::1". */
static int parse_endpoint(const char *text, struct endpoint *out, struct err *e)
{
	char host[128];
	const char *port = NULL;
	size_t n;

	out->me = false;
	out->port = -1;
	if (text[0] == '[') {
		const char *end = strchr(text, ']');
		if (!end || (end[1] && end[1] != ':'))
			return err_set(e, "bad address '%s' (want [IPv6]:port)", text);
		n = (size_t)(end - text - 1);
		port = end[1] ? end + 2 : NULL;
		text++;
	} else {
		const char *colon = strchr(text, ':');
		bool bare_v6 = colon && strchr(colon + 1, ':');
		n = colon && !bare_v6 ? (size_t)(colon - text) : strlen(text);
		port = colon && !bare_v6 ? colon + 1 : NULL;
	}
	if (n >= sizeof(host))
		return err_set(e, "address '%s' is too long", text);
	memcpy(host, text, n);
	host[n] = '\0';
	if (port && int_parse(port, 0, 65535, &out->port) < 0)
		return err_set(e, "bad port '%s' (want 0-65535)", port);
	if (strcasecmp(host, "me") == 0) {
		out->me = true;
		return 0;
	}
	if (ip_parse_host(host, &out->ip) < 0)
		return err_set(e, "bad address '%s' (want me, an IPv4 or an IPv6 address)", host);
	return 0;
}

/* `me` stands for the host's first address of the packet's family. */
static int resolve_me(struct endpoint *ep, int family, const struct host_facts *f,
		      struct err *e)
{
	if (!ep->me)
		return 0;
	for (size_t i = 0; i < f->n_addrs; i++)
		if (f->addrs[i].ip.family == family) {
			ep->ip = f->addrs[i].ip;
			ep->ip.len = (uint8_t)family_bits(family);
			return 0;
		}
	return err_set(e, "'me' has no %s address on this host", family == AF_INET ? "IPv4" : "IPv6");
}

int test_parse_packet(int argc, char **argv, const struct host_facts *facts, struct packet *p,
		      struct err *e)
{
	struct endpoint src, dst;
	long type = -1, code = -1;
	uint8_t proto;
	int family;

	if (argc < 4)
		return err_set(e, "want: in|out PROTOCOL SOURCE[:PORT] DESTINATION[:PORT] "
				  "[type N] [code N]");
	memset(p, 0, sizeof(*p));
	if (strcasecmp(argv[0], "in") == 0)
		p->inbound = true;
	else if (strcasecmp(argv[0], "out") != 0)
		return err_set(e, "direction: '%s' is not in or out", argv[0]);
	if (proto_parse(argv[1], &proto, e) < 0)
		return err_prefix(e, "protocol");
	if (parse_endpoint(argv[2], &src, e) < 0)
		return err_prefix(e, "source");
	if (parse_endpoint(argv[3], &dst, e) < 0)
		return err_prefix(e, "destination");
	for (int i = 4; i < argc; i += 2) {
		long *slot = strcasecmp(argv[i], "type") == 0   ? &type
			     : strcasecmp(argv[i], "code") == 0 ? &code
								: NULL;
		if (!slot || i + 1 == argc)
			return err_set(e, "unexpected '%s' (want type N or code N)", argv[i]);
		if (!proto_is_icmp(proto))
			return err_set(e, "%s: only ICMP packets have a type and a code", argv[i]);
		if (int_parse(argv[i + 1], 0, 255, slot) < 0)
			return err_set(e, "%s: '%s' is not 0-255", argv[i], argv[i + 1]);
	}
	if ((src.port >= 0 || dst.port >= 0) && !proto_has_ports(proto))
		return err_set(e, "ports need protocol TCP or UDP");
	if (src.me && dst.me)
		return err_set(e, "source and destination cannot both be 'me'");
	family = src.me ? dst.ip.family : src.ip.family;
	if (!src.me && !dst.me && src.ip.family != dst.ip.family)
		return err_set(e, "source and destination are of different families");
	if (resolve_me(&src, family, facts, e) < 0 || resolve_me(&dst, family, facts, e) < 0)
		return -1;
	p->family = (uint8_t)family;
	p->proto = proto;
	memcpy(p->src, src.ip.bytes, 16);
	memcpy(p->dst, dst.ip.bytes, 16);
	/* ICMP type and code sit where the ports would */
	long sport = proto_is_icmp(proto) ? type : src.port;
	long dport = proto_is_icmp(proto) ? code : dst.port;
	p->sport = (uint16_t)(sport < 0 ? 0 : sport);
	p->dport = (uint16_t)(dport < 0 ? 0 : dport);
	return 0;
}

static const char *entry_action_text(const struct fentry *en, bool inbound)
{
	uint8_t a = inbound ? en->action_in : en->action_out;
	return a == ACT_EXEMPT ? "exempt" : action_name((enum action)a);
}

json_t *entry_json(const struct ftable *t, size_t i, bool inbound)
{
	const struct fentry *en = &t->entries[i];
	char match[256], w[64];
	json_t *o;

	fentry_format_match(en, match, sizeof(match));
	weight_format(en->weight, w, sizeof(w));
	o = json_pack("{s:I, s:s, s:s, s:s, s:I}", "entry", (json_int_t)i, "match", match, "action",
		      entry_action_text(en, inbound), "weight", w, "weight_value",
		      (json_int_t)en->weight);
	if (en->filter == UINT32_MAX) {
		json_object_set_new(o, "exemption", json_string(exempt_class_name(en->exempt)));
		return o;
	}
	const struct ftable_filter *tf = &t->filters[en->filter];
	const struct ruleset_rule *r = &t->rules[tf->rule];
	json_object_set_new(o, "filter", json_integer(tf->f.id));
	json_object_set_new(o, "guid", json_string(tf->f.guid));
	json_object_set_new(o, "mirror", json_boolean(en->flags & EF_MIRROR));
	json_object_set_new(o, "filterlist", json_string(r->list));
	json_object_set_new(o, "filteraction", json_string(r->action_name));
	json_object_set_new(o, "rule", json_string(r->rule));
	json_object_set_new(o, "policy", json_string(r->policy));
	json_object_set_new(o, "store", json_string(r->store_name));
	return o;
}

void entry_print(FILE *out, const struct ftable *t, size_t i, bool inbound, const char *indent)
{
	const struct fentry *en = &t->entries[i];
	char match[256], origin[1200], w[64];

	fentry_format_match(en, match, sizeof(match));
	fentry_format_origin(t, en, origin, sizeof(origin));
	weight_format(en->weight, w, sizeof(w));
	fprintf(out, "%s%-8s %s\n%s         %s   [%s]\n", indent, entry_action_text(en, inbound),
		origin, indent, match, w);
}

/* Did entry i match the packet and lose to the deciding one? (Loopback
 * and neighbour discovery are decided before any filter is looked at.) */
static bool matched_and_lost(const struct view *v, const struct packet *p, const struct decision *d, size_t i)
{
	return (long)i != d->entry && d->reason != REASON_LOOPBACK &&
	       d->reason != REASON_NEIGHBOR_DISCOVERY && entry_matches(&v->table.entries[i], p);
}

int cmd_test(const struct view *v, int argc, char **argv, const struct query_opts *o)
{
	struct packet p;
	struct decision d;
	struct err e;
	char text[256];

	if (test_parse_packet(argc, argv, &v->facts, &p, &e) < 0) {
		fprintf(stderr, "ipsecfw: test: %s\n", e.msg);
		return 2;
	}
	p.nonfirst_frag = o->frag;
	p.iface = o->iface;
	view_decide(v, &p, &d);
	packet_format(&p, text, sizeof(text));
	if (o->json) {
		json_t *lost = json_array();
		json_t *root = json_pack("{s:s, s:s, s:s, s:s, s:b}", "packet", text, "direction",
					 p.inbound ? "in" : "out", "verdict",
					 verdict_name(d.verdict), "reason", reason_name(d.reason),
					 "broadcast", p.bcast);
		json_object_set_new(root, "decided_by",
				    d.entry < 0 ? json_null() : entry_json(&v->table, (size_t)d.entry, p.inbound));
		for (size_t i = 0; i < v->table.n_entries; i++)
			if (matched_and_lost(v, &p, &d, i))
				json_array_append_new(lost, entry_json(&v->table, i, p.inbound));
		json_object_set_new(root, "lost", lost);
		json_print(root);
		return 0;
	}
	printf("%s  %s %s%s\n", verdict_name(d.verdict), p.inbound ? "in " : "out", text,
	       p.bcast ? " (multicast/broadcast)" : "");
	printf("  why: %s\n", reason_name(d.reason));
	if (d.entry >= 0) {
		printf("  decided by:\n");
		entry_print(stdout, &v->table, (size_t)d.entry, p.inbound, "    ");
	}
	bool header = false;
	for (size_t i = 0; i < v->table.n_entries; i++) {
		if (!matched_and_lost(v, &p, &d, i))
			continue;
		if (!header)
			printf("  also matched, and lost:\n");
		header = true;
		entry_print(stdout, &v->table, i, p.inbound, "    ");
	}
	return 0;
}
