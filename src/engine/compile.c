// SPDX-License-Identifier: MIT
/* compile.c - rules in force + host facts -> FilterTable (SPEC §5.2, §6.4).
 * For each active rule, each filter and its mirror, expand both address
 * sides into concrete prefixes per family and emit one weighted entry per
 * pair; add the exemptions of ipsecexempt as entries above every weight. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "ftable.h"
#include "model/weight.h"

struct side {
	uint8_t family; /* 0: any, both families */
	uint8_t len;
	uint8_t bytes[16];
	uint8_t kind; /* enum side_kind */
};

struct builder {
	struct ftable *t;
	size_t cap;
	const struct host_facts *facts;
	struct side *src, *dst; /* scratch for one expansion */
	struct err *e;
};

static int push(struct builder *b, const struct fentry *en)
{
	if (b->t->n_entries == FTABLE_MAX_ENTRIES)
		return err_set(b->e, "more than %d specific filters (SPEC §11 limit)",
			       FTABLE_MAX_ENTRIES);
	if (b->t->n_entries == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 1024;
		struct fentry *p = realloc(b->t->entries, cap * sizeof(*p));
		if (!p)
			return err_set(b->e, "out of memory");
		b->t->entries = p;
		b->cap = cap;
	}
	b->t->entries[b->t->n_entries++] = *en;
	return 0;
}

static bool conn_wants(enum conntype c, bool dialup)
{
	return c == CONN_ALL || (c == CONN_DIALUP) == dialup;
}

static uint8_t conn_mask(enum conntype c)
{
	return c == CONN_LAN ? CONN_LAN_BIT : c == CONN_DIALUP ? CONN_DIALUP_BIT : CONN_BOTH;
}

static struct side host_side(const struct ip_prefix *ip, uint8_t kind)
{
	struct side s = { .family = ip->family, .len = (uint8_t)family_bits(ip->family),
			  .kind = kind };
	memcpy(s.bytes, ip->bytes, 16);
	return s;
}

/* The concrete prefixes an address operand stands for right now. */
static size_t expand(const struct builder *b, const struct rs_addr *a, enum conntype conn,
		     struct side *out)
{
	const struct host_facts *f = b->facts;
	size_t n = 0;

	switch (a->kind) {
	case ADDR_ANY:
		out[n++] = (struct side){ .kind = SIDE_ANY };
		break;
	case ADDR_ME:
		for (size_t i = 0; i < f->n_addrs; i++)
			if (conn_wants(conn, f->addrs[i].dialup))
				out[n++] = host_side(&f->addrs[i].ip, SIDE_ME);
		break;
	case ADDR_SERVER:
		for (size_t i = 0; i < f->n_servers[a->server]; i++)
			out[n++] = host_side(&f->servers[a->server][i], SIDE_SERVER);
		break;
	case ADDR_IP:
		out[n] = (struct side){ .family = a->ip.family, .len = a->ip.len,
					.kind = a->ip.len == family_bits(a->ip.family) ? SIDE_HOST
										     : SIDE_SUBNET };
		memcpy(out[n++].bytes, a->ip.bytes, 16);
		break;
	}
	return n;
}

static enum port_kind icmp_kind(int16_t v)
{
	return v < 0 ? PORTK_ANY : PORTK_SINGLE;
}

static struct port_range icmp_range(int16_t v)
{
	return v < 0 ? PORT_ANY : (struct port_range){ (uint16_t)v, (uint16_t)v };
}

/* One source/destination pair of one variant of a filter. */
static int emit_pair(struct builder *b, uint32_t fi, const struct rs_filter *v, bool mirror,
		     const struct side *s, const struct side *d)
{
	const struct ruleset_rule *r = &b->t->rules[b->t->filters[fi].rule];
	uint8_t family = s->family ? s->family : d->family;
	struct fentry en;
	bool icmp = proto_is_icmp(v->proto);

	if (s->family && d->family && s->family != d->family)
		return 0; /* an IPv4 side and an IPv6 side match no packet */
	memset(&en, 0, sizeof(en));
	en.family = family;
	en.src_len = s->len;
	en.dst_len = d->len;
	memcpy(en.src, s->bytes, 16);
	memcpy(en.dst, d->bytes, 16);
	en.proto = v->proto;
	en.sport = icmp ? icmp_range(v->icmp_type) : v->sport;
	en.dport = icmp ? icmp_range(v->icmp_code) : v->dport;
	en.action_in = (uint8_t)r->action_in;
	en.action_out = (uint8_t)r->action_out;
	en.flags = (uint8_t)((r->inpass ? EF_INPASS : 0) | (r->soft ? EF_SOFT : 0) |
			     (mirror ? EF_MIRROR : 0));
	if (s->kind == SIDE_ANY && (d->kind == SIDE_ANY || d->kind == SIDE_ME))
		en.flags |= EF_BCAST;
	en.conn = conn_mask(r->conntype);
	en.src_kind = s->kind;
	en.dst_kind = d->kind;
	en.weight = weight_pack(&(struct weight_fields){
		.src_bits = s->len,
		.dst_bits = d->len,
		.proto = v->proto != 0,
		.sport = icmp ? icmp_kind(v->icmp_type) : port_kind_of(v->sport),
		.dport = icmp ? icmp_kind(v->icmp_code) : port_kind_of(v->dport),
		.action = action_more_severe(r->action_in, r->action_out),
		.store = r->store,
	});
	/* seq grows with creation; the earlier filter wins a tie of weights */
	uint64_t seq = v->seq < 0 ? 0 : (uint64_t)v->seq;
	en.prio = (uint64_t)en.weight << 32 | (UINT32_MAX - (seq > UINT32_MAX ? UINT32_MAX : seq));
	en.filter = fi;
	return push(b, &en);
}

static int emit_filter(struct builder *b, uint32_t fi)
{
	const struct ftable_filter *tf = &b->t->filters[fi];
	enum conntype conn = b->t->rules[tf->rule].conntype;
	struct rs_filter variants[2];
	int nv = 1;

	variants[0] = tf->f;
	if (tf->f.mirrored) {
		/* Source and destination swapped, ports included (F3); ICMP
		 * type and code describe the message, not a side. */
		variants[1] = tf->f;
		variants[1].src = tf->f.dst;
		variants[1].dst = tf->f.src;
		variants[1].sport = tf->f.dport;
		variants[1].dport = tf->f.sport;
		nv = 2;
	}
	for (int v = 0; v < nv; v++) {
		size_t ns = expand(b, &variants[v].src, conn, b->src);
		size_t nd = expand(b, &variants[v].dst, conn, b->dst);
		for (size_t i = 0; i < ns; i++)
			for (size_t j = 0; j < nd; j++)
				if (emit_pair(b, fi, &variants[v], v == 1, &b->src[i], &b->dst[j]) < 0)
					return -1;
	}
	return 0;
}

static int emit_exempt(struct builder *b, enum exempt_class c, uint8_t family, uint8_t proto,
		       struct port_range sp, struct port_range dp, const char *dst, uint8_t dst_len,
		       uint8_t dir_flags)
{
	struct fentry en;

	memset(&en, 0, sizeof(en));
	en.family = family;
	en.proto = proto;
	en.sport = sp;
	en.dport = dp;
	if (dst) {
		inet_pton(family, dst, en.dst);
		en.dst_len = dst_len;
		en.dst_kind = dst_len == family_bits(family) ? SIDE_HOST : SIDE_SUBNET;
	}
	en.action_in = en.action_out = ACT_EXEMPT;
	en.flags = dir_flags;
	en.conn = CONN_BOTH;
	en.exempt = (uint8_t)c;
	en.weight = WEIGHT_EXEMPT | weight_pack(&(struct weight_fields){
		.dst_bits = en.dst_len,
		.proto = proto != 0,
		.sport = port_kind_of(sp),
		.dport = port_kind_of(dp),
		.action = ACTION_PERMIT,
	});
	en.prio = (uint64_t)en.weight << 32 | UINT32_MAX;
	en.filter = UINT32_MAX;
	return push(b, &en);
}

/* An exemption of one port. local_only (ISAKMP, SPEC §6.4): the port is
 * the local one, the destination of inbound packets and the source of
 * outbound ones, so a remote sender choosing it as its source gains
 * nothing. Otherwise (Kerberos) either side, in both directions: the
 * documented source-port hole of the values that enable it. */
static int emit_port_exempt(struct builder *b, enum exempt_class c, uint8_t proto, uint16_t port,
			    bool local_only)
{
	struct port_range p = { port, port };
	return emit_exempt(b, c, 0, proto, PORT_ANY, p, NULL, 0, local_only ? EF_IN_ONLY : 0) < 0 ||
			       emit_exempt(b, c, 0, proto, p, PORT_ANY, NULL, 0,
					   local_only ? EF_OUT_ONLY : 0) < 0
		       ? -1
		       : 0;
}

/* Directed broadcasts of local IPv4 subnets depend on the facts. */
static int emit_broadcast_exempts(struct builder *b)
{
	const struct host_facts *f = b->facts;
	char text[INET_ADDRSTRLEN];

	if (emit_exempt(b, EXC_BROADCAST, AF_INET, 0, PORT_ANY, PORT_ANY, "255.255.255.255", 32, 0) < 0)
		return -1;
	for (size_t i = 0; i < f->n_addrs; i++) {
		uint8_t bcast[4];
		if (!local_addr_broadcast(&f->addrs[i], bcast))
			continue;
		inet_ntop(AF_INET, bcast, text, sizeof(text));
		if (emit_exempt(b, EXC_BROADCAST, AF_INET, 0, PORT_ANY, PORT_ANY, text, 32, 0) < 0)
			return -1;
	}
	return 0;
}

/* SPEC §6.4: which classes bypass the filters for each ipsecexempt value. */
static int emit_exemptions(struct builder *b, int level, bool only_fact_dependent)
{
	bool kerberos_rsvp = level == 0 || level == 2, mcast_bcast = level == 0 || level == 1;

	if (!only_fact_dependent) {
		/* ISAKMP, and NAT-T (Q13), whatever the level, by local port */
		if (emit_port_exempt(b, EXC_ISAKMP, PROTO_UDP, 500, true) < 0 ||
		    emit_port_exempt(b, EXC_ISAKMP, PROTO_UDP, 4500, true) < 0)
			return -1;
		if (kerberos_rsvp && (emit_port_exempt(b, EXC_KERBEROS, PROTO_TCP, 88, false) < 0 ||
				      emit_port_exempt(b, EXC_KERBEROS, PROTO_UDP, 88, false) < 0 ||
				      emit_exempt(b, EXC_RSVP, 0, PROTO_RSVP, PORT_ANY, PORT_ANY,
						  NULL, 0, 0) < 0))
			return -1;
		if (mcast_bcast && (emit_exempt(b, EXC_MULTICAST, AF_INET, 0, PORT_ANY, PORT_ANY,
						"224.0.0.0", 4, 0) < 0 ||
				    emit_exempt(b, EXC_MULTICAST, AF_INET6, 0, PORT_ANY, PORT_ANY,
						"ff00::", 8, 0) < 0))
			return -1;
	}
	return mcast_bcast ? emit_broadcast_exempts(b) : 0;
}

static bool filter_depends_on_facts(const struct rs_filter *f)
{
	return f->src.kind == ADDR_ME || f->src.kind == ADDR_SERVER || f->dst.kind == ADDR_ME ||
	       f->dst.kind == ADDR_SERVER;
}

/* ignore_mirror: a mirror equal to its original is the same entry. */
static int match_cmp(const struct fentry *a, const struct fentry *b, bool ignore_mirror)
{
	uint8_t fa = ignore_mirror ? a->flags & ~EF_MIRROR : a->flags;
	uint8_t fb = ignore_mirror ? b->flags & ~EF_MIRROR : b->flags;
	int c;
#define CMP_FIELD(x)                          \
	if (a->x != b->x)                     \
		return a->x < b->x ? -1 : 1;
	CMP_FIELD(family)
	CMP_FIELD(src_len)
	CMP_FIELD(dst_len)
	CMP_FIELD(proto)
	if ((c = memcmp(a->src, b->src, 16)) || (c = memcmp(a->dst, b->dst, 16)))
		return c;
	CMP_FIELD(sport.lo)
	CMP_FIELD(sport.hi)
	CMP_FIELD(dport.lo)
	CMP_FIELD(dport.hi)
	CMP_FIELD(conn)
	if (fa != fb)
		return fa < fb ? -1 : 1;
	CMP_FIELD(action_in)
	CMP_FIELD(action_out)
	CMP_FIELD(exempt)
#undef CMP_FIELD
	return 0;
}

/* Best first; among equals of one filter, by the match fields, so the
 * order never depends on the order of the facts or of emission. */
static int entry_cmp(const void *x, const void *y)
{
	const struct fentry *a = x, *b = y;

	if (a->prio != b->prio)
		return a->prio > b->prio ? -1 : 1;
	if (a->filter != b->filter)
		return a->filter < b->filter ? -1 : 1;
	return match_cmp(a, b, false);
}

static bool same_entry(const struct fentry *a, const struct fentry *b)
{
	return a->prio == b->prio && a->filter == b->filter && match_cmp(a, b, true) == 0;
}

static void sort_and_dedup(struct ftable *t)
{
	size_t n = 0;

	qsort(t->entries, t->n_entries, sizeof(t->entries[0]), entry_cmp);
	for (size_t i = 0; i < t->n_entries; i++)
		if (n == 0 || !same_entry(&t->entries[n - 1], &t->entries[i]))
			t->entries[n++] = t->entries[i];
	t->n_entries = n;
}

static int builder_init(struct builder *b, struct ftable *t, const struct host_facts *facts,
			struct err *e)
{
	size_t most = facts->n_addrs + 1;

	for (int s = SRV_DNS; s <= SRV_GATEWAY; s++)
		most = facts->n_servers[s] + 1 > most ? facts->n_servers[s] + 1 : most;
	*b = (struct builder){ .t = t, .facts = facts, .e = e };
	b->src = malloc(most * sizeof(*b->src));
	b->dst = malloc(most * sizeof(*b->dst));
	if (!b->src || !b->dst) {
		free(b->src);
		free(b->dst);
		return err_set(e, "out of memory");
	}
	return 0;
}

static void builder_done(struct builder *b)
{
	free(b->src);
	free(b->dst);
}

/* The rules (without filters) and filters of rs, copied into t. */
static int copy_rules(struct ftable *t, const struct ruleset *rs, struct err *e)
{
	size_t nf = 0;

	for (size_t i = 0; i < rs->n_rules; i++)
		nf += rs->rules[i].n_filters;
	t->rules = calloc(rs->n_rules ? rs->n_rules : 1, sizeof(*t->rules));
	t->filters = calloc(nf ? nf : 1, sizeof(*t->filters));
	if (!t->rules || !t->filters)
		return err_set(e, "out of memory");
	t->n_rules = rs->n_rules;
	for (size_t i = 0; i < rs->n_rules; i++) {
		t->rules[i] = rs->rules[i];
		t->rules[i].filters = NULL;
		t->rules[i].n_filters = 0;
		for (size_t j = 0; j < rs->rules[i].n_filters; j++) {
			struct ftable_filter *tf = &t->filters[t->n_filters++];
			tf->rule = (uint32_t)i;
			tf->f = rs->rules[i].filters[j];
			tf->fact_dependent = filter_depends_on_facts(&tf->f);
		}
	}
	t->ipsecexempt = rs->ipsecexempt;
	return 0;
}

/* Emits the filters (all, or those that depend on facts) and the
 * exemptions; frees the builder; sorts the table, or frees it on failure. */
static int build(struct builder *b, bool only_fact_dependent)
{
	struct ftable *t = b->t;
	int rc = 0;

	for (size_t i = 0; i < t->n_filters && rc == 0; i++)
		if (!only_fact_dependent || t->filters[i].fact_dependent)
			rc = emit_filter(b, (uint32_t)i);
	if (rc == 0)
		rc = emit_exemptions(b, t->ipsecexempt, only_fact_dependent);
	builder_done(b);
	if (rc < 0) {
		ftable_free(t);
		return -1;
	}
	sort_and_dedup(t);
	return 0;
}

int ftable_compile(const struct ruleset *rs, const struct host_facts *facts, struct ftable *out,
		   struct err *e)
{
	struct builder b;

	memset(out, 0, sizeof(*out));
	if (copy_rules(out, rs, e) < 0 || builder_init(&b, out, facts, e) < 0) {
		ftable_free(out);
		return -1;
	}
	return build(&b, false);
}

int ftable_refresh(const struct ftable *old, const struct host_facts *facts, struct ftable *out,
		   struct err *e)
{
	struct builder b;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	out->rules = malloc((old->n_rules ? old->n_rules : 1) * sizeof(*out->rules));
	out->filters = malloc((old->n_filters ? old->n_filters : 1) * sizeof(*out->filters));
	if (!out->rules || !out->filters) {
		ftable_free(out);
		return err_set(e, "out of memory");
	}
	memcpy(out->rules, old->rules, old->n_rules * sizeof(*out->rules));
	memcpy(out->filters, old->filters, old->n_filters * sizeof(*out->filters));
	out->n_rules = old->n_rules;
	out->n_filters = old->n_filters;
	out->ipsecexempt = old->ipsecexempt;
	if (builder_init(&b, out, facts, e) < 0) {
		ftable_free(out);
		return -1;
	}
	/* Keep what the facts cannot change; re-expand the rest. */
	for (size_t i = 0; i < old->n_entries && rc == 0; i++) {
		const struct fentry *en = &old->entries[i];
		bool keep = en->filter == UINT32_MAX ? en->exempt != EXC_BROADCAST
						     : !old->filters[en->filter].fact_dependent;
		if (keep)
			rc = push(&b, en);
	}
	if (rc < 0) {
		builder_done(&b);
		ftable_free(out);
		return -1;
	}
	return build(&b, true);
}

void ftable_free(struct ftable *t)
{
	free(t->entries);
	free(t->rules);
	free(t->filters);
	memset(t, 0, sizeof(*t));
}

bool fentry_better(const struct fentry *a, uint32_t ia, const struct fentry *b, uint32_t ib)
{
	return a->prio > b->prio || (a->prio == b->prio && ia < ib);
}

void ftable_diff(const struct ftable *old, const struct ftable *new_, ftable_diff_cb cb, void *ctx)
{
	size_t i = 0, j = 0;

	/* Both are sorted by entry_cmp, which is total over the fields. A
	 * filter index means the same filter in both (refresh keeps them). */
	while (i < old->n_entries || j < new_->n_entries) {
		int c = i == old->n_entries   ? 1
			: j == new_->n_entries ? -1
					       : entry_cmp(&old->entries[i], &new_->entries[j]);
		if (c == 0) {
			i++;
			j++;
		} else if (c < 0) {
			cb(old, i++, false, ctx);
		} else {
			cb(new_, j++, true, ctx);
		}
	}
}
