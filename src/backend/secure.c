// SPDX-License-Identifier: MIT
/* secure.c - secure mode: the FilterTable to nftables text.
 *
 * Secure mode walks a packet through views: per family and direction, then
 * (when some rule has a conntype) per interface kind, then inbound
 * multicast/broadcast apart (SPEC §5.4: only source-any filters to any or
 * me see them, their destination ignored) and non-first fragments apart
 * (no ports to read: only port-less filters), then, in a big view, the
 * protocols of many filters apart. Each view holds the entries that can
 * match there, cut into partitions (partition.h) and what is left split
 * into tiers (tiers.h): one map lookup each, first hit wins, and it is the
 * entry the reference classifier picks. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "partition.h"
#include "program_build.h"
#include "tiers.h"
#include "view_cache.h"
#include "view_cut.h"

struct view {
	uint8_t family;
	bool in;
	uint8_t conn; /* 0: every interface kind */
	bool bcast, frag;
	uint8_t proto;		/* a protocol's branch: its filters and the any-protocol ones */
	uint64_t branched[4]; /* protocols with a branch of their own: not in this chain */
};

static bool proto_branched(const struct view *v, uint8_t proto)
{
	return v->branched[proto / 64] >> (proto % 64) & 1;
}

static bool view_holds(const struct view *v, const struct fentry *en)
{
	if ((en->family && en->family != v->family) || !fentry_sees(en, v->in))
		return false;
	if (v->conn && !(en->conn & v->conn))
		return false;
	if (v->frag && (!port_is_any(en->sport) || !port_is_any(en->dport)))
		return false;
	if (en->proto && (v->proto ? en->proto != v->proto : proto_branched(v, en->proto)))
		return false;
	return !v->bcast || en->exempt != EXC_NONE || (en->flags & EF_BCAST);
}

static void entry_box(const struct view *v, const struct fentry *en, struct tier_box *box)
{
	memset(box, 0, sizeof(*box));
	memcpy(box->src, en->src, 16);
	box->src_len = en->src_len;
	/* In the broadcast view a filter's destination does not count. */
	if (!v->bcast || en->exempt != EXC_NONE) {
		memcpy(box->dst, en->dst, 16);
		box->dst_len = en->dst_len;
	}
	box->proto = v->proto ? v->proto : en->proto;
	box->sport = en->sport;
	box->dport = v->frag ? PORT_ANY : en->dport;
}

static const char *verdict_of(const struct view *v, const struct fentry *en, char *buf,
			      size_t len)
{
	uint8_t act = v->in ? en->action_in : en->action_out;
	enum drop_reason r = DR_BLOCK;

	if (act == ACT_EXEMPT || act == ACTION_PERMIT)
		return "accept";
	if (act != ACTION_BLOCK) {
		/* negotiate without an SA (SPEC §5.5): never for broadcasts */
		if (v->in && !v->bcast && (en->flags & EF_INPASS))
			return "accept";
		if (!v->in && (en->flags & EF_SOFT))
			return "goto " SLOT_MARK "soft_out";
		if (v->in && !v->bcast && (en->flags & EF_SOFT))
			return "goto " SLOT_MARK "soft_in";
		/* protected by IPsec (ike/): pass; otherwise dropped */
		return v->in ? "goto " SLOT_MARK "negotiate_in" : "goto " SLOT_MARK "negotiate_out";
	}
	snprintf(buf, len, "goto ");
	drop_chain_name(v->in, r, buf + 5, len - 5);
	return buf;
}

/* Appenders for element texts. A big policy has hundreds of thousands of
 * elements, rendered again at every address change: snprintf and
 * inet_ntop were most of an address change's time. Callers size buffers
 * for the longest text (an IPv6 prefix is at most 49 characters). */
static char *put_str(char *p, const char *s)
{
	size_t n = strlen(s);

	memcpy(p, s, n);
	return p + n;
}

static char *put_u(char *p, unsigned long long v)
{
	char digits[20];
	int n = 0;

	do
		digits[n++] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	while (n)
		*p++ = digits[--n];
	return p;
}

/* "192.0.2.1", "2001:db8::1" */
static char *put_addr(char *p, uint8_t family, const uint8_t *a)
{
	if (family == AF_INET) {
		for (int i = 0; i < 4; i++) {
			if (i)
				*p++ = '.';
			p = put_u(p, a[i]);
		}
		return p;
	}
	char text[INET6_ADDRSTRLEN];
	inet_ntop(AF_INET6, a, text, sizeof(text));
	return put_str(p, text);
}

/* "192.0.2.0/24", "2001:db8::/32"; the address is zero when plen is. */
static char *put_prefix(char *p, uint8_t family, const uint8_t *addr, uint8_t plen)
{
	static const uint8_t zero[16];

	p = put_addr(p, family, plen ? addr : zero);
	*p++ = '/';
	return put_u(p, plen);
}

static char *put_range(char *p, struct port_range r)
{
	p = put_u(p, r.lo);
	if (r.lo != r.hi) {
		*p++ = '-';
		p = put_u(p, r.hi);
	}
	return p;
}

/* Does the program count per filter (the filtercounters setting)? Each
 * element then carries a counter and its filter as a comment ("local:12"),
 * which `show stats` sums per filter; without counters the comment has no
 * reader, and both cost kernel memory on every element. */
static bool counts_filters(const struct builder *b)
{
	return !b->cfg || b->cfg->filtercounters;
}

/* ` comment "local:12" : VERDICT`, or ` : VERDICT` without counters */
static void entry_rest(const struct builder *b, const struct fentry *en, const char *verdict,
		       char *buf)
{
	const struct ftable *t = b->t;
	char *p = buf;

	if (!counts_filters(b)) {
		p = put_str(p, " : ");
		p = put_str(p, verdict);
		*p = '\0';
		return;
	}
	p = put_str(p, " comment \"");
	if (en->filter == UINT32_MAX) {
		p = put_str(p, "exempt:");
		p = put_str(p, exempt_class_name((enum exempt_class)en->exempt));
	} else {
		const struct ftable_filter *f = &t->filters[en->filter];
		p = put_str(p, t->rules[f->rule].store_name);
		*p++ = ':';
		if (f->f.id < 0)
			*p++ = '-';
		p = put_u(p, f->f.id < 0 ? 0ULL - (unsigned long long)f->f.id
					  : (unsigned long long)f->f.id);
	}
	p = put_str(p, "\" : ");
	p = put_str(p, verdict);
	*p = '\0';
}

static void store_u128(uint8_t *bytes, unsigned __int128 v)
{
	for (int i = 15; i >= 0; i--, v >>= 8)
		bytes[i] = (uint8_t)v;
}

/* "192.0.2.0/24", or "192.0.2.0-192.0.2.99" when not a prefix. */
static char *put_addr_interval(char *p, uint8_t family, unsigned __int128 lo,
			       unsigned __int128 hi)
{
	unsigned __int128 size = hi - lo;
	uint8_t bytes[16];

	store_u128(bytes, lo);
	if ((size & (size + 1)) == 0 && (lo & size) == 0) {
		unsigned ones = 0;
		for (; size; size >>= 1)
			ones++;
		return put_prefix(p, family, bytes, (uint8_t)(128 - ones));
	}
	p = put_addr(p, family, bytes);
	*p++ = '-';
	store_u128(bytes, hi);
	return put_addr(p, family, bytes);
}

static char *put_interval(char *p, unsigned __int128 lo, unsigned __int128 hi)
{
	return put_range(p, (struct port_range){ (uint16_t)lo, (uint16_t)hi });
}

/* One element: "SRC . DST . PROTO[ . SPORT . DPORT]" and the rest. */
static void emit_key(struct builder *b, const struct view *v, const struct key_box *k,
		     uint32_t map, const char *rest)
{
	char key[256], *p;

	p = put_addr_interval(key, v->family, k->lo[KEY_SRC], k->hi[KEY_SRC]);
	p = put_str(p, " . ");
	p = put_addr_interval(p, v->family, k->lo[KEY_DST], k->hi[KEY_DST]);
	p = put_str(p, " . ");
	p = put_interval(p, k->lo[KEY_PROTO], k->hi[KEY_PROTO]);
	if (!v->frag) {
		p = put_str(p, " . ");
		p = put_interval(p, k->lo[KEY_SPORT], k->hi[KEY_SPORT]);
		p = put_str(p, " . ");
		p = put_interval(p, k->lo[KEY_DPORT], k->hi[KEY_DPORT]);
	}
	*p = '\0';
	add_elem(b, map, key, rest);
}

/* ` comment "local:12" : VERDICT` of an entry in a view. */
static void entry_rest_in(struct builder *b, const struct view *v, const struct fentry *en,
			  char *rest)
{
	char vbuf[64];

	entry_rest(b, en, verdict_of(v, en, vbuf, sizeof(vbuf)), rest);
}

/* The elements of one entry in one map, whole. */
static void emit_entry(struct builder *b, const struct view *v, const struct fentry *en,
		       const struct tier_box *box, uint32_t map, struct key_box *keys)
{
	char rest[224];
	size_t n = key_boxes_of(box, v->frag, keys);

	entry_rest_in(b, v, en, rest);
	for (size_t i = 0; i < n; i++)
		emit_key(b, v, &keys[i], map, rest);
}

static void view_name(const struct view *v, char *buf, size_t len)
{
	int n = snprintf(buf, len, SLOT_MARK "%s%u%s%s%s", v->in ? "in" : "out",
			 v->family == AF_INET ? 4 : 6,
			 v->conn == CONN_LAN_BIT	  ? "_lan"
			 : v->conn == CONN_DIALUP_BIT ? "_ppp"
						      : "",
			 v->bcast ? "_bc" : "", v->frag ? "_fr" : "");
	if (v->proto && n > 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, "_p%u", v->proto);
}

static int box_cmp(const void *a, const void *b, void *ctx)
{
	const struct tier_box *boxes = ctx;
	uint32_t i = *(const uint32_t *)a, j = *(const uint32_t *)b;
	int c = memcmp(&boxes[i], &boxes[j], sizeof(*boxes));

	return c ? c : (i > j) - (i < j);
}

/* Drops boxes equal to a better one (an address expanded twice looks the
 * same once its destination is ignored): they could never decide. Keeps
 * the order of the rest; returns the new count. */
static size_t drop_repeated_boxes(struct tier_box *boxes, uint32_t *idx, size_t n)
{
	uint32_t *order = malloc(sizeof(*order) * (n ? n : 1));
	bool *gone = calloc(n ? n : 1, sizeof(*gone));
	size_t kept = 0;

	if (!order || !gone) {
		free(order);
		free(gone);
		return n; /* keeping them is slower, not wrong */
	}
	for (size_t i = 0; i < n; i++)
		order[i] = (uint32_t)i;
	qsort_r(order, n, sizeof(*order), box_cmp, boxes);
	for (size_t i = 1; i < n; i++)
		gone[order[i]] = memcmp(&boxes[order[i]], &boxes[order[i - 1]], sizeof(*boxes)) == 0;
	for (size_t i = 0; i < n; i++)
		if (!gone[i]) {
			boxes[kept] = boxes[i];
			idx[kept++] = idx[i];
		}
	free(order);
	free(gone);
	return kept;
}

/* Declares lookup map k of a view and the rule that looks it up. */
static uint32_t emit_lookup(struct builder *b, const struct view *v, const char *name, size_t k)
{
	const char *ip = v->family == AF_INET ? "ip" : "ip6";
	const char *atype = v->family == AF_INET ? "ipv4_addr" : "ipv6_addr";
	const char *counter = counts_filters(b) ? "\t\tcounter\n" : "";
	char map[96];
	uint32_t m;

	snprintf(map, sizeof(map), "%s_t%zu", name, k);
	m = add_map(b, map);
	if (v->frag) {
		fprintf(b->decl,
			"\tmap %s {\n\t\ttype %s . %s . inet_proto : verdict\n"
			"\t\tflags interval\n%s\t}\n",
			map, atype, atype, counter);
		fprintf(b->chains, "\t\t%s saddr . %s daddr . meta l4proto vmap @%s\n", ip, ip, map);
	} else {
		fprintf(b->decl,
			"\tmap %s {\n\t\ttype %s . %s . inet_proto . inet_service . "
			"inet_service : verdict\n\t\tflags interval\n%s\t}\n",
			map, atype, atype, counter);
		fprintf(b->chains,
			"\t\t%s saddr . %s daddr . meta l4proto . th sport . th dport vmap @%s\n",
			ip, ip, map);
	}
	return m;
}

/* A tier of at least this many elements is split in two maps looked up one
 * after the other: a tier's boxes are disjoint, so the split keeps every
 * verdict, and a packet's bitmap work stays the same (pipapo's lookup
 * walks bitmaps as long as the map). What it saves is the load: the kernel
 * checks each element it inserts for overlaps by a lookup in the map built
 * so far, so a map's load time grows with the square of its size (bench/
 * mapsize); only the biggest tier of a view is split, for at most one
 * lookup more a packet. */
enum { SPLIT_TIER_MIN = 8192 };

/* The tier of the most elements (-1: none) and how many. */
static long biggest_tier(const struct rest_tiers *rt, size_t n, bool frag, struct key_box *keys,
			 size_t *most)
{
	size_t *count = calloc(rt->n_tiers > 0 ? (size_t)rt->n_tiers : 1, sizeof(*count));
	long big = -1;

	*most = 0;
	if (!count)
		return -1; /* no split: the same program, one lookup fewer */
	for (size_t j = 0; j < n; j++)
		count[rt->tier[j]] += key_boxes_of(&rt->boxes[j], frag, keys);
	for (long k = 0; k < rt->n_tiers; k++)
		if (count[k] > *most) {
			*most = count[k];
			big = k;
		}
	free(count);
	return big;
}

/* The element tails of a view's boxes (comment and verdict, each with its
 * NUL, box by box): what the view cache compares besides the boxes. */
static char *view_tails(struct builder *b, const struct view *v, const uint32_t *idx, size_t n,
			size_t *len)
{
	size_t cap = 64 * (n ? n : 1), used = 0;
	char *tails = malloc(cap), rest[224];

	for (size_t j = 0; tails && j < n; j++) {
		entry_rest_in(b, v, &b->t->entries[idx[j]], rest);
		size_t l = strlen(rest) + 1;
		if (used + l > cap) {
			char *grown = realloc(tails, cap = 2 * cap + l);
			if (!grown) {
				free(tails);
				return NULL;
			}
			tails = grown;
		}
		memcpy(tails + used, rest, l);
		used += l;
	}
	*len = used;
	return tails;
}

/* A view as it was built before: its lookups and elements, again. */
static long reuse_view(struct builder *b, const struct view *v, const char *name,
		       const struct view_built *built)
{
	uint32_t first_map = (uint32_t)b->p->n_maps;

	for (size_t k = 0; k < built->n_maps; k++)
		emit_lookup(b, v, name, k);
	for (size_t i = 0; i < built->n_elems; i++)
		add_elem_text(b, first_map + built->elems[i].map, built->elems[i].text,
			      built->elems[i].key_len);
	return built->lookups;
}

/* The lookups of one view: its entries cut into partitions (partition.h),
 * then what is left in tiers (tiers.h), or all in tiers when cutting does
 * not pay; one map and rule each, first hit wins; or what the view cache
 * kept of the same view built from the same input. Returns how many, or -1
 * when out of memory. */
static long emit_view_lookups(struct builder *b, const struct view *v, const char *name)
{
	const struct ftable *t = b->t;
	struct tier_box *boxes = malloc(sizeof(*boxes) * (t->n_entries ? t->n_entries : 1));
	uint32_t *idx = malloc(sizeof(*idx) * (t->n_entries ? t->n_entries : 1));
	struct key_box *keys = malloc(sizeof(*keys) * KEY_BOXES_MAX);
	const struct view_cut *cut;
	size_t n = 0, piece = 0, tails_len = 0;
	long lookups = -1;
	char rest[224], *tails = NULL;
	uint32_t view_map = (uint32_t)b->p->n_maps;
	size_t view_elem = b->p->n_elems;

	if (!boxes || !idx || !keys)
		goto oom;
	for (size_t i = 0; i < t->n_entries; i++)
		if (view_holds(v, &t->entries[i])) {
			entry_box(v, &t->entries[i], &boxes[n]);
			idx[n++] = (uint32_t)i;
		}
	n = drop_repeated_boxes(boxes, idx, n);
	if (b->views) {
		const struct view_built *built;
		if (!(tails = view_tails(b, v, idx, n, &tails_len)))
			goto oom;
		if ((built = view_cache_find(b->views, name, boxes, n, tails, tails_len))) {
			lookups = reuse_view(b, v, name, built);
			goto out;
		}
	}
	if (!(cut = view_cut_of(&b->cuts, &b->n_cuts, boxes, n, v->frag)))
		goto oom;
	const struct partition *part = &cut->part;
	const struct rest_tiers *rt = &cut->rt;
	for (size_t l = 0; l < part->n_levels; l++) {
		uint32_t map = emit_lookup(b, v, name, l);
		for (; piece < part->level_end[l]; piece++) {
			const struct partition_piece *pc = &part->pieces[piece];
			if (piece == 0 || pc->box != part->pieces[piece - 1].box)
				entry_rest_in(b, v, &t->entries[idx[pc->box]], rest);
			emit_key(b, v, &pc->key, map, rest);
		}
	}
	uint32_t first_map = (uint32_t)b->p->n_maps;
	size_t big_n = 0, seen = 0;
	long big = biggest_tier(rt, part->n_rest, v->frag, keys, &big_n);
	bool split = big_n >= SPLIT_TIER_MIN;
	for (long k = 0; k < rt->n_tiers + split; k++)
		emit_lookup(b, v, name, part->n_levels + (size_t)k);
	/* elements in tier order, entries best first within a tier; the
	 * biggest tier's second half in the map after its first */
	for (long k = 0; k < rt->n_tiers; k++)
		for (size_t j = 0; j < part->n_rest; j++)
			if (rt->tier[j] == (uint32_t)k) {
				uint32_t map = first_map + (uint32_t)k + (split && k > big);
				if (split && k == big) {
					map += seen >= big_n / 2;
					seen += key_boxes_of(&rt->boxes[j], v->frag, keys);
				}
				emit_entry(b, v, &t->entries[idx[part->rest[j]]], &rt->boxes[j], map,
					   keys);
			}
	lookups = (long)(part->n_levels + (size_t)rt->n_tiers + split);
	if (b->views && !b->failed) {
		struct view_built built = { b->p->n_maps - view_map, lookups,
					    b->p->elems + view_elem, b->p->n_elems - view_elem };
		view_cache_put(b->views, name, boxes, n, tails, tails_len, &built, view_map);
	}
out:
	free(tails);
	free(boxes);
	free(idx);
	free(keys);
	return lookups;
oom:
	b->failed = true;
	goto out;
}

enum {
	BRANCH_VIEW_MIN = 512, /* a view of fewer entries keeps one chain */
	BRANCH_PROTO_MIN = 64, /* a protocol of fewer filters stays in it */
};

/* Protocols that take a branch of their own in view v: on a big view,
 * those of many filters, more than the any-protocol ones (each branch
 * holds those too: so the branches hold at most twice the view). A packet
 * of one then meets only its protocol's filters and the any-protocol
 * ones: interval maps cost a lookup in proportion to their elements, and
 * most filters name a protocol. */
static size_t branch_protocols(const struct ftable *t, struct view *v, uint8_t *protos)
{
	size_t count[256] = { 0 }, held = 0, n = 0;

	for (size_t i = 0; i < t->n_entries; i++)
		if (view_holds(v, &t->entries[i])) {
			count[t->entries[i].proto]++;
			held++;
		}
	if (held < BRANCH_VIEW_MIN)
		return 0;
	for (unsigned p = 1; p < 256; p++)
		if (count[p] >= BRANCH_PROTO_MIN && count[p] >= count[0]) {
			protos[n++] = (uint8_t)p;
			v->branched[p / 64] |= 1ULL << (p % 64);
		}
	return n;
}

/* One view chain; the broadcast and fragment views branch off it, then the
 * protocols of many filters (a verdict map on the protocol, one hash
 * lookup). */
static int emit_view_chain(struct builder *b, struct view v)
{
	struct view bc = v, fr = v, own = v;
	bool branch_bc = v.in && !v.bcast && !v.frag, branch_fr = !v.frag;
	bool v4 = v.family == AF_INET;
	uint8_t protos[255];
	size_t n_protos = branch_protocols(b->t, &own, protos);
	long lookups, most;
	char name[64], sub[64];

	bc.bcast = true;
	fr.frag = true;
	view_name(&v, name, sizeof(name));
	fprintf(b->chains, "\tchain %s {\n", name);
	if (branch_bc) {
		view_name(&bc, sub, sizeof(sub));
		fprintf(b->chains, v4 ? "\t\tip daddr @" SLOT_MARK "bcast4 goto %s\n"
				      : "\t\tip6 daddr ff00::/8 goto %s\n", sub);
	}
	if (branch_fr) {
		view_name(&fr, sub, sizeof(sub));
		fprintf(b->chains, v4 ? "\t\tip frag-off & 0x1fff != 0 goto %s\n"
				      : "\t\tfrag frag-off != 0 goto %s\n", sub);
	}
	for (size_t k = 0; k < n_protos; k++) {
		struct view pv = v;
		pv.proto = protos[k];
		view_name(&pv, sub, sizeof(sub));
		fprintf(b->chains, "%s%u : goto %s", k ? ", " : "\t\tmeta l4proto vmap { ", protos[k],
			sub);
	}
	if (n_protos)
		fprintf(b->chains, " }\n");
	if ((most = emit_view_lookups(b, &own, name)) < 0)
		return -1;
	fprintf(b->chains, "\t}\n");
	for (size_t k = 0; k < n_protos; k++) {
		struct view pv = v;
		pv.proto = protos[k];
		view_name(&pv, sub, sizeof(sub));
		fprintf(b->chains, "\tchain %s {\n", sub);
		if ((lookups = emit_view_lookups(b, &pv, sub)) < 0)
			return -1;
		fprintf(b->chains, "\t}\n");
		most = lookups > most ? lookups : most;
	}
	if ((size_t)most + (n_protos > 0) > b->p->n_tiers)
		b->p->n_tiers = (size_t)most + (n_protos > 0);
	if (branch_bc && emit_view_chain(b, bc) < 0)
		return -1;
	return branch_fr ? emit_view_chain(b, fr) : 0;
}

static bool needs_conn_split(const struct ftable *t)
{
	for (size_t i = 0; i < t->n_entries; i++)
		if (t->entries[i].conn != CONN_BOTH)
			return true;
	return false;
}

/* in4, out6, ...: split by interface kind when a rule has a conntype. */
static int emit_family_chain(struct builder *b, uint8_t family, bool in, bool split)
{
	struct view v = { .family = family, .in = in };
	char name[64], lan[64], ppp[64];

	if (!split)
		return emit_view_chain(b, v);
	view_name(&v, name, sizeof(name));
	v.conn = CONN_LAN_BIT;
	view_name(&v, lan, sizeof(lan));
	v.conn = CONN_DIALUP_BIT;
	view_name(&v, ppp, sizeof(ppp));
	fprintf(b->chains, "\tchain %s {\n\t\tmeta %s ppp goto %s\n\t\tgoto %s\n\t}\n", name,
		in ? "iiftype" : "oiftype", ppp, lan);
	v.conn = CONN_LAN_BIT;
	if (emit_view_chain(b, v) < 0)
		return -1;
	v.conn = CONN_DIALUP_BIT;
	return emit_view_chain(b, v);
}

static int bcast_cmp(const void *a, const void *b)
{
	return memcmp(a, b, 4);
}

/* Multicast, limited and the directed broadcasts of local subnets, each
 * once (sorted: a host may have thousands of subnets). */
static void emit_bcast_set(struct builder *b, const struct host_facts *facts)
{
	static const uint8_t all_ones[4] = { 255, 255, 255, 255 };
	uint32_t map = add_map(b, SLOT_MARK "bcast4");
	uint8_t (*bc)[4] = malloc((facts->n_addrs ? facts->n_addrs : 1) * sizeof(*bc));
	size_t n = 0;
	char text[INET_ADDRSTRLEN];

	if (!bc) {
		b->failed = true;
		return;
	}
	fprintf(b->decl, "\tset " SLOT_MARK "bcast4 {\n\t\ttype ipv4_addr\n\t\tflags interval\n\t}\n");
	add_elem(b, map, "224.0.0.0/4", "");
	add_elem(b, map, "255.255.255.255", "");
	for (size_t i = 0; i < facts->n_addrs; i++)
		if (local_addr_broadcast(&facts->addrs[i], bc[n]) && memcmp(bc[n], all_ones, 4) != 0)
			n++;
	qsort(bc, n, sizeof(*bc), bcast_cmp);
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && memcmp(bc[i], bc[i - 1], 4) == 0)
			continue;
		inet_ntop(AF_INET, bc[i], text, sizeof(text));
		add_elem(b, map, text, "");
	}
	free(bc);
}

/* Fail closed (the host facts could not be read): the local addresses the
 * facts listed, and a marker chain whose name tells since when. */
static void emit_known_local(struct builder *b, const struct host_facts *facts)
{
	uint32_t map4 = add_map(b, SLOT_MARK "local4"), map6 = add_map(b, SLOT_MARK "local6");
	char text[INET6_ADDRSTRLEN];

	fprintf(b->decl, "\tset " SLOT_MARK "local4 {\n\t\ttype ipv4_addr\n\t}\n"
			 "\tset " SLOT_MARK "local6 {\n\t\ttype ipv6_addr\n\t}\n"
			 "\tchain " SLOT_MARK UNKNOWN_LOCAL_MARK "%lld {\n\t}\n",
		b->unknown_local_since);
	for (size_t i = 0; i < facts->n_addrs; i++) {
		const struct ip_prefix *ip = &facts->addrs[i].ip, *prev = i ? &facts->addrs[i - 1].ip : NULL;
		if (prev && prev->family == ip->family && !memcmp(prev->bytes, ip->bytes, 16))
			continue; /* one address, two prefix lengths (sorted: adjacent) */
		inet_ntop(ip->family, ip->bytes, text, sizeof(text));
		add_elem(b, ip->family == AF_INET ? map4 : map6, text, "");
	}
}

/* Unicast to (inbound) or from (outbound) a local address the facts did
 * not list is dropped: no policy can be known to cover it. */
static void emit_unknown_local_guard(struct builder *b, bool in)
{
	const char *side = in ? "daddr" : "saddr";
	char drop[64];

	drop_chain_name(in, DR_UNKNOWN_LOCAL, drop, sizeof(drop));
	fprintf(b->chains,
		"\t\tip %s != @" SLOT_MARK "local4 fib %s type local goto %s\n"
		"\t\tip6 %s != @" SLOT_MARK "local6 fib %s type local goto %s\n",
		side, side, drop, side, side, drop);
}

int program_secure(const struct ftable *t, const struct host_facts *facts,
		   const struct config *cfg, long long unknown_local_since,
		   struct view_cache *views, struct nft_program *out, struct err *e)
{
	struct builder b;
	bool split = needs_conn_split(t);
	char drop[64];

	if (builder_open(&b, out, MODE_SECURE) < 0) {
		b.failed = true;
		return builder_close(&b, e);
	}
	b.t = t;
	b.cfg = cfg;
	b.unknown_local_since = unknown_local_since;
	b.views = views;
	emit_bcast_set(&b, facts);
	if (unknown_local_since)
		emit_known_local(&b, facts);
	emit_drop_chains(&b);
	drop_chain_name(false, DR_NEGOTIATE, drop, sizeof(drop));
	fprintf(b.chains,
		"\tchain " SLOT_MARK "soft_out {\n\t\tip daddr @" SLOT_MARK "bcast4 goto %s\n"
		"\t\tip6 daddr ff00::/8 goto %s\n"
		"\t\taccept\n\t}\n",
		drop, drop);
	emit_negotiate_chains(&b);
	for (int in = 1; in >= 0; in--) {
		open_top_chain(&b, in);
		if (unknown_local_since)
			emit_unknown_local_guard(&b, in);
		/* With negotiate rules, ESP and AH themselves pass: the kernel
		 * drops them without an SA, and what they carry meets these
		 * filters again once decrypted. */
		if (has_negotiate(t))
			fprintf(b.chains, "\t\tmeta l4proto { esp, ah } accept\n");
		fprintf(b.chains,
			"\t\tmeta nfproto ipv4 goto " SLOT_MARK "%s4\n"
			"\t\tmeta nfproto ipv6 goto " SLOT_MARK "%s6\n\t}\n",
			in ? "in" : "out", in ? "in" : "out");
		if (emit_family_chain(&b, AF_INET, in, split) < 0 ||
		    emit_family_chain(&b, AF_INET6, in, split) < 0)
			break;
	}
	view_cuts_free(&b.cuts, &b.n_cuts);
	if (views && !b.failed)
		view_cache_sweep(views);
	return builder_close(&b, e);
}

