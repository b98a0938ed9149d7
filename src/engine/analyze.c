// SPDX-License-Identifier: MIT
/* analyze.c - shadowed, conflicting, redundant and empty filters. */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "analyze.h"
#include "classify.h"

static bool prefix_within(const uint8_t *outer, uint8_t outer_len, const uint8_t *inner,
			  uint8_t inner_len)
{
	return outer_len <= inner_len && prefix_matches(outer, outer_len, inner);
}

static bool range_within(struct port_range outer, struct port_range inner)
{
	return outer.lo <= inner.lo && inner.hi <= outer.hi;
}

static bool ranges_meet(struct port_range a, struct port_range b)
{
	return a.lo <= b.hi && b.lo <= a.hi;
}

/* Does a's destination test pass wherever b's does, for inbound
 * multicast/broadcast too (SPEC §5.4)? */
static bool bcast_covered(const struct fentry *a, const struct fentry *b)
{
	bool a_sees = a->exempt ? a->dst_len == 0 : (a->flags & EF_BCAST) != 0;
	return !(b->flags & EF_BCAST) || a_sees;
}

/* Can the entry decide packets of this direction? A packet between two
 * local addresses goes over loopback, never filtered, and the kernel drops
 * inbound packets claiming a local source: an entry to `me` decides
 * inbound packets only, one from `me` outbound ones. */
static bool decides_in(const struct fentry *en, bool inbound)
{
	return fentry_sees(en, inbound) && (inbound ? en->src_kind : en->dst_kind) != SIDE_ME;
}

/* Does a match in every direction b can decide? */
static bool directions_covered(const struct fentry *a, const struct fentry *b)
{
	return (fentry_sees(a, true) || !decides_in(b, true)) &&
	       (fentry_sees(a, false) || !decides_in(b, false));
}

bool fentry_covers(const struct fentry *a, const struct fentry *b)
{
	if ((a->family && a->family != b->family) || !directions_covered(a, b))
		return false;
	return prefix_within(a->src, a->src_len, b->src, b->src_len) &&
	       prefix_within(a->dst, a->dst_len, b->dst, b->dst_len) &&
	       (a->proto == 0 || a->proto == b->proto) && range_within(a->sport, b->sport) &&
	       range_within(a->dport, b->dport) && (a->conn & b->conn) == b->conn &&
	       bcast_covered(a, b);
}

static bool prefixes_meet(const uint8_t *a, uint8_t al, const uint8_t *b, uint8_t bl)
{
	return al <= bl ? prefix_within(a, al, b, bl) : prefix_within(b, bl, a, al);
}

bool fentry_overlaps(const struct fentry *a, const struct fentry *b)
{
	if (a->family && b->family && a->family != b->family)
		return false;
	if (!(decides_in(a, true) && decides_in(b, true)) &&
	    !(decides_in(a, false) && decides_in(b, false)))
		return false; /* no direction in common */
	if (!prefixes_meet(a->src, a->src_len, b->src, b->src_len))
		return false;
	/* In the multicast/broadcast view both ignore their destinations. */
	bool both_bcast = (a->flags & EF_BCAST) && (b->flags & EF_BCAST);
	if (!both_bcast && !prefixes_meet(a->dst, a->dst_len, b->dst, b->dst_len))
		return false;
	return (a->proto == 0 || b->proto == 0 || a->proto == b->proto) &&
	       ranges_meet(a->sport, b->sport) && ranges_meet(a->dport, b->dport) &&
	       (a->conn & b->conn);
}

static bool same_decision(const struct fentry *a, const struct fentry *b)
{
	uint8_t fa = a->flags & (EF_INPASS | EF_SOFT), fb = b->flags & (EF_INPASS | EF_SOFT);
	return a->action_in == b->action_in && a->action_out == b->action_out &&
	       (fa == fb || (a->action_in != ACTION_NEGOTIATE && a->action_out != ACTION_NEGOTIATE));
}

static bool permits_both_ways(const struct fentry *a)
{
	return a->action_in == ACTION_PERMIT && a->action_out == ACTION_PERMIT;
}

/* A packet inside both boxes (b may be NULL): the longer prefix of each
 * side, a concrete protocol and the lowest common port. "any" sides get a
 * documentation address, so witnesses can be pasted into `ipsecfw test`. */
void analyze_witness(const struct fentry *a, const struct fentry *b, struct packet *p)
{
	const struct fentry *boxes[2] = { a, b ? b : a };
	static const uint8_t doc4_src[4] = { 198, 51, 100, 1 }, doc4_dst[4] = { 203, 0, 113, 1 };
	static const uint8_t doc6_src[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	static const uint8_t doc6_dst[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 1 };

	memset(p, 0, sizeof(*p));
	p->family = a->family ? a->family : boxes[1]->family ? boxes[1]->family : AF_INET;
	bool v4 = p->family == AF_INET;
	memcpy(p->src, v4 ? doc4_src : doc6_src, v4 ? 4 : 16);
	memcpy(p->dst, v4 ? doc4_dst : doc6_dst, v4 ? 4 : 16);
	uint8_t sl = 0, dl = 0;
	for (int i = 0; i < 2; i++) {
		const struct fentry *x = boxes[i];
		if (x->src_len > sl) {
			memcpy(p->src, x->src, 16);
			sl = x->src_len;
		}
		if (x->dst_len > dl) {
			memcpy(p->dst, x->dst, 16);
			dl = x->dst_len;
		}
	}
	/* a host inside a subnet, not its network address */
	int bits = v4 ? 32 : 128;
	if (sl > 0 && sl < bits - 1)
		p->src[bits / 8 - 1] |= 1;
	if (dl > 0 && dl < bits - 1)
		p->dst[bits / 8 - 1] |= 1;
	p->proto = a->proto ? a->proto : boxes[1]->proto ? boxes[1]->proto : PROTO_TCP;
	struct port_range sp = a->sport, dp = a->dport;
	sp.lo = sp.lo > boxes[1]->sport.lo ? sp.lo : boxes[1]->sport.lo;
	dp.lo = dp.lo > boxes[1]->dport.lo ? dp.lo : boxes[1]->dport.lo;
	bool icmp = proto_is_icmp(p->proto);
	p->sport = port_is_any(a->sport) && port_is_any(boxes[1]->sport) && !icmp ? 40000 : sp.lo;
	p->dport = port_is_any(a->dport) && port_is_any(boxes[1]->dport) && !icmp ? 80 : dp.lo;
	if (!proto_has_ports(p->proto) && !icmp)
		p->sport = p->dport = 0;
	p->inbound = a->src_kind != SIDE_ME;
}

struct results {
	struct finding *list;
	size_t n, cap;
};

static int add(struct results *r, enum finding_kind kind, const struct ftable *t, uint32_t filter,
	       long entry, long other, struct err *e)
{
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 16;
		struct finding *p = realloc(r->list, cap * sizeof(*p));
		if (!p)
			return err_set(e, "out of memory");
		r->list = p;
		r->cap = cap;
	}
	struct finding *f = &r->list[r->n++];
	memset(f, 0, sizeof(*f));
	f->kind = kind;
	f->entry = entry;
	f->other = other;
	f->filter = filter;
	if (entry >= 0)
		analyze_witness(&t->entries[entry], other >= 0 ? &t->entries[other] : NULL,
				&f->witness);
	return 0;
}

long analyze_shadower(const struct ftable *t, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (fentry_covers(&t->entries[j], &t->entries[i]))
			return (long)j;
	return -1;
}

/* Removing entry i changes no verdict: the packets it decides fall to a
 * worse entry that decides them the same way (or to none, for a permit).
 * Returns the covering entry, -2 for "falls through to pass", or -1. */
static long redundant_with(const struct ftable *t, size_t i)
{
	const struct fentry *e = &t->entries[i];

	for (size_t j = i + 1; j < t->n_entries; j++) {
		const struct fentry *g = &t->entries[j];
		if (!fentry_overlaps(g, e))
			continue;
		if (!same_decision(g, e) && !(g->exempt && permits_both_ways(e)))
			return -1;
		if (fentry_covers(g, e))
			return (long)j;
	}
	return permits_both_ways(e) ? -2 : -1;
}

/* Equally specific: the same weight above the severity tie-break. */
static uint32_t specificity(const struct fentry *e)
{
	return e->weight >> 6;
}

/* Was this pair of filters already reported (for another family or the
 * mirror)? One finding per pair. */
static bool pair_reported(const struct ftable *t, const struct results *r, size_t from,
			  const struct fentry *a, const struct fentry *b)
{
	for (size_t k = from; k < r->n; k++) {
		const struct finding *f = &r->list[k];
		uint32_t x = t->entries[f->entry].filter, y = t->entries[f->other].filter;
		if ((x == a->filter && y == b->filter) || (x == b->filter && y == a->filter))
			return true;
	}
	return false;
}

static int find_conflicts(const struct ftable *t, struct results *r, struct err *e)
{
	size_t from = r->n;

	/* Entries are sorted by weight, so equal specificities are adjacent. */
	for (size_t lo = 0, hi; lo < t->n_entries; lo = hi) {
		for (hi = lo + 1; hi < t->n_entries &&
				  specificity(&t->entries[hi]) == specificity(&t->entries[lo]);
		     hi++)
			;
		for (size_t i = lo; i < hi; i++)
			for (size_t j = i + 1; j < hi; j++) {
				const struct fentry *a = &t->entries[i], *b = &t->entries[j];
				if (a->exempt || b->exempt || a->filter == b->filter ||
				    same_decision(a, b) || !fentry_overlaps(a, b) ||
				    pair_reported(t, r, from, a, b))
					continue;
				if (add(r, FIND_CONFLICT, t, a->filter, (long)i, (long)j, e) < 0)
					return -1;
			}
	}
	return 0;
}

/* What the entries of one stored filter add up to. */
struct filter_state {
	size_t seen, shadowed, redundant;
	long shadow_entry, shadow_by; /* the first shadowed entry and its shadower */
	long red_entry, red_by;       /* the first redundant entry and its cover */
};

static void classify_entries(const struct ftable *t, struct filter_state *st)
{
	for (size_t i = 0; i < t->n_entries; i++) {
		uint32_t f = t->entries[i].filter;
		long by;
		if (f == UINT32_MAX)
			continue;
		st[f].seen++;
		if ((by = analyze_shadower(t, i)) >= 0) {
			if (st[f].shadowed++ == 0) {
				st[f].shadow_entry = (long)i;
				st[f].shadow_by = by;
			}
		} else if ((by = redundant_with(t, i)) != -1) {
			if (st[f].redundant++ == 0) {
				st[f].red_entry = (long)i;
				st[f].red_by = by; /* -2: falls through to "no match" */
			}
		}
	}
}

int analyze(const struct ftable *t, struct finding **out, size_t *n, struct err *e)
{
	struct results r = { 0 };
	struct filter_state *st = calloc(t->n_filters + 1, sizeof(*st));
	int rc = 0;

	if (!st)
		return err_set(e, "out of memory");
	classify_entries(t, st);
	for (size_t f = 0; f < t->n_filters && rc == 0; f++) {
		const struct filter_state *s = &st[f];
		if (s->seen == 0 && t->filters[f].fact_dependent)
			rc = add(&r, FIND_EMPTY, t, (uint32_t)f, -1, -1, e);
		else if (s->seen && s->shadowed == s->seen)
			rc = add(&r, FIND_SHADOWED, t, (uint32_t)f, s->shadow_entry, s->shadow_by, e);
		else if (s->seen && s->shadowed + s->redundant == s->seen)
			rc = add(&r, FIND_REDUNDANT, t, (uint32_t)f,
				 s->redundant ? s->red_entry : s->shadow_entry,
				 s->redundant ? (s->red_by >= 0 ? s->red_by : -1) : s->shadow_by, e);
	}
	if (rc == 0)
		rc = find_conflicts(t, &r, e);
	free(st);
	if (rc < 0) {
		free(r.list);
		return -1;
	}
	*out = r.list;
	*n = r.n;
	return 0;
}

const char *finding_kind_name(enum finding_kind k)
{
	static const char *const names[] = { "shadowed", "conflict", "redundant", "empty" };
	return names[k];
}
