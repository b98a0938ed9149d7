// SPDX-License-Identifier: MIT
/* view.c - loading and compiling the policy in force for a query. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "backend/enforce.h"
#include "view.h"

int view_open(struct view *v, struct db *db, const struct facts_sources *src, struct err *e)
{
	struct enforce_ctx defaults = { 0 };

	memset(v, 0, sizeof(*v));
	if (ruleset_load_in_force(db, enforce_run_dir(&defaults), &v->rs, &v->origin, e) < 0 || facts_read(src, &v->facts, e) < 0 ||
	    ftable_compile(&v->rs, &v->facts, &v->table, e) < 0) {
		ruleset_free(&v->rs);
		facts_free(&v->facts);
		return -1;
	}
	if (!(v->fast = fast_new()) || fast_build(v->fast, &v->table) < 0) {
		view_close(v);
		return err_set(e, "out of memory building the classifier");
	}
	return 0;
}

void view_close(struct view *v)
{
	fast_free(v->fast);
	ftable_free(&v->table);
	ruleset_free(&v->rs);
	facts_free(&v->facts);
	memset(v, 0, sizeof(*v));
}

void view_decide(const struct view *v, struct packet *p, struct decision *out)
{
	packet_mark_bcast(p, &v->facts);
	decide(&v->table, v->fast, p, out);
}

/* The addresses and protocol of a packet as text. */
struct packet_words {
	char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN], proto[16];
	bool v6;
};

static void packet_words(const struct packet *p, struct packet_words *w)
{
	inet_ntop(p->family, p->src, w->s, sizeof(w->s));
	inet_ntop(p->family, p->dst, w->d, sizeof(w->d));
	proto_format(p->proto, w->proto, sizeof(w->proto));
	w->v6 = p->family == AF_INET6;
}

void packet_format(const struct packet *p, char *buf, size_t len)
{
	struct packet_words w;
	const char *open = "", *close = "";

	packet_words(p, &w);
	if (w.v6) {
		open = "[";
		close = "]";
	}
	if (proto_has_ports(p->proto) && !p->nonfirst_frag)
		snprintf(buf, len, "%s%s%s:%u -> %s%s%s:%u %s", open, w.s, close, p->sport, open, w.d,
			 close, p->dport, w.proto);
	else if (proto_is_icmp(p->proto) && !p->nonfirst_frag)
		snprintf(buf, len, "%s -> %s %s type %u code %u", w.s, w.d, w.proto, p->sport,
			 p->dport);
	else
		snprintf(buf, len, "%s -> %s %s%s", w.s, w.d, w.proto,
			 p->nonfirst_frag ? " (non-first fragment)" : "");
}

/* "in tcp 198.51.100.1:40000 192.0.2.10:80": arguments of `ipsecfw test`. */
void packet_test_args(const struct packet *p, char *buf, size_t len)
{
	struct packet_words w;
	const char *dir = p->inbound ? "in" : "out", *open = "", *close = "";

	packet_words(p, &w);
	if (w.v6) {
		open = "[";
		close = "]";
	}
	for (char *c = w.proto; *c; c++)
		*c = (char)(*c >= 'A' && *c <= 'Z' ? *c - 'A' + 'a' : *c);
	if (proto_has_ports(p->proto))
		snprintf(buf, len, "%s %s %s%s%s:%u %s%s%s:%u", dir, w.proto, open, w.s, close,
			 p->sport, open, w.d, close, p->dport);
	else if (proto_is_icmp(p->proto))
		snprintf(buf, len, "%s %s %s %s type %u code %u", dir, w.proto, w.s, w.d, p->sport,
			 p->dport);
	else
		snprintf(buf, len, "%s %s %s %s", dir, w.proto, w.s, w.d);
}
