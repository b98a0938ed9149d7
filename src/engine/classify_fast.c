// SPDX-License-Identifier: MIT
/* classify_fast.c - the fast classifier: a tuple space searched best first.
 *
 * A tuple is a pair of prefix lengths (ts, td) and whether the protocol is
 * part of the key. Its table hashes every rule by the first ts bits of its
 * source, the first td bits of its destination (and its protocol); a rule
 * with longer prefixes can live in a shorter tuple and is checked in full
 * (TupleMerge, Daly and Torng 2017), which keeps the number of tuples small.
 * A bucket keeps its rules best first. Tables are searched in the order of
 * the best priority they hold, and the search stops at the first table
 * that cannot beat what was found: because the weight is dominated by the
 * prefix lengths, the most specific tables come first and most packets stop
 * early.
 *
 * There are four tuple spaces: IPv4 and IPv6, each with a normal view and a
 * view for inbound multicast/broadcast, where the rules that may see such
 * packets (SPEC §5.4) are held with their destination ignored. */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "classify.h"

enum {
	NIL = UINT32_MAX,
	TOMB = UINT32_MAX - 1,  /* a slot whose bucket emptied */
	BUCKET_LIMIT = 8,       /* more rules in one bucket: make a finer tuple */
	MIN_SLOTS = 8,
};

struct crule {
	uint64_t prio;
	uint64_t src[2], dst[2]; /* big-endian halves, host bits clear */
	uint16_t sp_lo, sp_hi, dp_lo, dp_hi;
	uint8_t src_len, dst_len, proto, conn;
	uint8_t only_dir; /* EF_IN_ONLY, EF_OUT_ONLY or 0: the entry's direction limit */
	uint32_t id;
	uint32_t next; /* the next (worse) rule of the bucket */
};

struct slot {
	uint32_t head; /* first rule of the bucket, NIL (never used) or TOMB */
	uint32_t hash;
};

/* What makes a tuple's hash key: the address masks, and whether the exact
 * protocol and ports are part of it. A tuple has one; its probe a copy. */
struct key_shape {
	uint64_t ms[2], md[2];
	bool use_proto, use_sport, use_dport;
};

struct tuple {
	uint64_t maxprio; /* at least the best prio inside (not lowered on delete) */
	/* The same per protocol class of packet (TCP, UDP, ICMP, other); 0:
	 * no rule here can match such a packet, so skip the table. */
	uint64_t class_max[4];
	struct key_shape key;
	uint8_t ts, td;
	uint32_t cap, used, live; /* slots: allocated, non-NIL, live buckets */
	struct slot *slots;
	/* A Bloom filter of the bucket keys, small enough to stay in the first
	 * level cache: most tables hold nothing for a packet, and this says so
	 * without touching the slots. Deletes leave bits (false positives
	 * only) until the next rehash. */
	uint64_t *bloom;
	uint32_t bloom_mask; /* bits - 1 */
	size_t n_rules;
};

/* What a lookup reads of a table, kept in one array in search order so
 * that walking the tables walks memory (rebuilt after each update). */
struct probe {
	uint64_t maxprio, class_max[4];
	struct key_shape key;
	uint32_t bloom_mask;
	const uint64_t *bloom;
	const struct tuple *t;
};

struct tss {
	struct probe *probes;  /* n_tables of them, in the order of tables */
	struct tuple **tables; /* best maxprio first */
	size_t n_tables, cap_tables;
	struct crule *rules;
	uint32_t n_alloc, cap_rules, free_head;
	size_t live;
	uint8_t round; /* granularity of new tuples' lengths */
};

struct fast_cls {
	struct tss space[2][2]; /* [IPv6?][multicast/broadcast view?] */
};

static void mask_of(uint8_t len, uint64_t m[2])
{
	m[0] = len == 0 ? 0 : len >= 64 ? UINT64_MAX : UINT64_MAX << (64 - len);
	m[1] = len <= 64 ? 0 : len >= 128 ? UINT64_MAX : UINT64_MAX << (128 - len);
}

static void load_be(const uint8_t *b, uint64_t out[2])
{
	out[0] = out[1] = 0;
	for (int i = 0; i < 8; i++) {
		out[0] = out[0] << 8 | b[i];
		out[1] = out[1] << 8 | b[8 + i];
	}
}

static inline uint64_t hash_key(const uint64_t s[2], const uint64_t d[2], uint64_t rest)
{
	uint64_t h = s[0] * 0x9E3779B97F4A7C15ull ^ (d[0] + 0x632BE59BD9B4E019ull) * 0xC2B2AE3D27D4EB4Full;
	h ^= (rest + 0x165667B19E3779F9ull) * 0xD6E8FEB86659FD93ull;
	if (s[1] | d[1]) /* IPv6 only: IPv4 addresses live in the first half */
		h ^= s[1] * 0xFF51AFD7ED558CCDull ^ (d[1] + 1) * 0xC4CEB9FE1A85EC53ull;
	h ^= h >> 31;
	h *= 0x94D049BB133111EBull;
	return h ^ (h >> 29);
}

/* The two bits of a key in a Bloom filter, from the high half of the hash
 * (the slot index uses the low half). */
static inline void bloom_bits(uint64_t h, uint32_t mask, uint32_t *a, uint32_t *b)
{
	*a = (uint32_t)(h >> 32) & mask;
	*b = (uint32_t)(h >> 44) & mask;
}

static inline bool bloom_has(const uint64_t *bloom, uint32_t mask, uint64_t h)
{
	uint32_t a, b;

	bloom_bits(h, mask, &a, &b);
	return (bloom[a >> 6] >> (a & 63)) & (bloom[b >> 6] >> (b & 63)) & 1;
}

static inline void bloom_add(struct tuple *t, uint64_t h)
{
	uint32_t a, b;

	bloom_bits(h, t->bloom_mask, &a, &b);
	t->bloom[a >> 6] |= 1ull << (a & 63);
	t->bloom[b >> 6] |= 1ull << (b & 63);
}

/* The non-address part of a key: protocol and ports, where the tuple has
 * them. A rule in a port tuple has a single port (lo), a packet its port. */
static inline uint64_t rest_of(const struct key_shape *k, uint8_t proto, uint16_t sport,
			       uint16_t dport)
{
	return (k->use_proto ? proto : 0) | (k->use_sport ? (uint64_t)sport << 8 : 0) |
	       (k->use_dport ? (uint64_t)dport << 24 : 0) | (uint64_t)1 << 40;
}

/* The hash key of a rule's (or a packet's) addresses and rest. */
static inline uint64_t key_of(const struct key_shape *k, const uint64_t s[2], const uint64_t d[2],
			      uint64_t rest, uint64_t ks[2], uint64_t kd[2])
{
	ks[0] = s[0] & k->ms[0];
	ks[1] = s[1] & k->ms[1];
	kd[0] = d[0] & k->md[0];
	kd[1] = d[1] & k->md[1];
	return hash_key(ks, kd, rest);
}

static inline uint64_t rule_rest(const struct key_shape *k, const struct crule *r)
{
	return rest_of(k, r->proto, r->sp_lo, r->dp_lo);
}

static inline bool same_key(const struct key_shape *k, const struct crule *r,
			    const uint64_t ks[2], const uint64_t kd[2], uint64_t rest)
{
	return (r->src[0] & k->ms[0]) == ks[0] && (r->src[1] & k->ms[1]) == ks[1] &&
	       (r->dst[0] & k->md[0]) == kd[0] && (r->dst[1] & k->md[1]) == kd[1] &&
	       rule_rest(k, r) == rest;
}

/* The slot holding the bucket of this key, or NULL. */
static struct slot *find_slot(const struct tss *sp, const struct tuple *t, uint32_t h,
			      const uint64_t ks[2], const uint64_t kd[2], uint64_t rest)
{
	uint32_t mask = t->cap - 1;

	for (uint32_t i = h & mask;; i = (i + 1) & mask) {
		struct slot *s = &t->slots[i];
		if (s->head == NIL)
			return NULL;
		if (s->head != TOMB && s->hash == h && same_key(&t->key, &sp->rules[s->head], ks, kd, rest))
			return s;
	}
}

static inline bool port_ok(uint16_t lo, uint16_t hi, uint16_t port, bool frag)
{
	return (lo == 0 && hi == 65535) || (!frag && port >= lo && port <= hi);
}

static inline bool crule_matches(const struct crule *r, const uint64_t s[2], const uint64_t d[2],
				 const struct packet *p)
{
	uint64_t m[2];

	mask_of(r->src_len, m);
	if ((s[0] & m[0]) != r->src[0] || (s[1] & m[1]) != r->src[1])
		return false;
	mask_of(r->dst_len, m);
	if ((d[0] & m[0]) != r->dst[0] || (d[1] & m[1]) != r->dst[1])
		return false;
	return (r->proto == 0 || r->proto == p->proto) &&
	       (!r->only_dir || r->only_dir == (p->inbound ? EF_IN_ONLY : EF_OUT_ONLY)) &&
	       port_ok(r->sp_lo, r->sp_hi, p->sport, p->nonfirst_frag) &&
	       port_ok(r->dp_lo, r->dp_hi, p->dport, p->nonfirst_frag) &&
	       (p->iface == 0 || (r->conn & p->iface));
}

static inline bool rule_better(const struct crule *a, const struct crule *b)
{
	return a->prio > b->prio || (a->prio == b->prio && a->id < b->id);
}

static inline unsigned proto_class(uint8_t proto)
{
	return proto == 6 ? 0 : proto == 17 ? 1 : (proto == 1 || proto == 58) ? 2 : 3;
}

static long tss_classify(const struct tss *sp, const uint64_t s[2], const uint64_t d[2],
			 const struct packet *p)
{
	const struct crule *best = NULL;
	unsigned cls = proto_class(p->proto);

	for (size_t i = 0; i < sp->n_tables; i++) {
		const struct probe *pr = &sp->probes[i];
		uint64_t ks[2], kd[2];
		if (best && pr->maxprio < best->prio)
			break;
		if (pr->class_max[cls] == 0 || (best && pr->class_max[cls] < best->prio))
			continue;
		uint64_t rest = rest_of(&pr->key, p->proto, p->sport, p->dport);
		uint64_t h = key_of(&pr->key, s, d, rest, ks, kd);
		if (!bloom_has(pr->bloom, pr->bloom_mask, h))
			continue;
		const struct slot *sl = find_slot(sp, pr->t, (uint32_t)h, ks, kd, rest);
		if (!sl)
			continue;
		for (uint32_t ri = sl->head; ri != NIL; ri = sp->rules[ri].next) {
			const struct crule *r = &sp->rules[ri];
			if (best && !rule_better(r, best))
				break;
			if (crule_matches(r, s, d, p)) {
				best = r;
				break;
			}
		}
	}
	return best ? (long)best->id : -1;
}

/* --- building ---------------------------------------------------------- */

/* Rehashes into a table sized for the live buckets, dropping tombstones,
 * and rebuilds the Bloom filter (8 bits per bucket, at least 512). */
static int grow_slots(const struct tss *sp, struct tuple *t)
{
	uint32_t cap = MIN_SLOTS, bits = 512;
	struct slot *old = t->slots;
	uint32_t old_cap = t->cap;
	uint64_t *bloom;

	while ((t->live + 1) * 4 > cap * 3)
		cap *= 2;
	while (bits < (t->live + 1) * 8)
		bits *= 2;
	if (!(t->slots = malloc(cap * sizeof(*t->slots)))) {
		t->slots = old;
		return -1;
	}
	if (!(bloom = calloc(bits / 64, sizeof(uint64_t)))) {
		free(t->slots);
		t->slots = old;
		return -1;
	}
	free(t->bloom);
	t->bloom = bloom;
	t->bloom_mask = bits - 1;
	for (uint32_t i = 0; i < cap; i++)
		t->slots[i] = (struct slot){ NIL, 0 };
	t->cap = cap;
	t->used = 0;
	for (uint32_t i = 0; i < old_cap; i++) {
		if (old[i].head == NIL || old[i].head == TOMB)
			continue;
		const struct crule *r = &sp->rules[old[i].head];
		uint64_t ks[2], kd[2];
		bloom_add(t, key_of(&t->key, r->src, r->dst, rule_rest(&t->key, r), ks, kd));
		uint32_t j = old[i].hash & (cap - 1);
		while (t->slots[j].head != NIL)
			j = (j + 1) & (cap - 1);
		t->slots[j] = old[i];
		t->used++;
	}
	free(old);
	return 0;
}

static bool single(uint16_t lo, uint16_t hi)
{
	return lo == hi;
}

static struct tuple *tuple_new(uint8_t ts, uint8_t td, bool use_proto, bool use_sport,
			       bool use_dport)
{
	struct tuple *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->ts = ts;
	t->td = td;
	t->key.use_proto = use_proto;
	t->key.use_sport = use_sport;
	t->key.use_dport = use_dport;
	mask_of(ts, t->key.ms);
	mask_of(td, t->key.md);
	return t;
}

static void tuple_free(struct tuple *t)
{
	if (t) {
		free(t->slots);
		free(t->bloom);
		free(t);
	}
}

/* Moves table i to its place in the best-first order. */
static void reorder(struct tss *sp, size_t i)
{
	struct tuple *t = sp->tables[i];

	while (i > 0 && sp->tables[i - 1]->maxprio < t->maxprio) {
		sp->tables[i] = sp->tables[i - 1];
		i--;
	}
	while (i + 1 < sp->n_tables && sp->tables[i + 1]->maxprio > t->maxprio) {
		sp->tables[i] = sp->tables[i + 1];
		i++;
	}
	sp->tables[i] = t;
}

/* Rebuilds the lookup's view of the tables after an update. */
static int sync_probes(struct tss *sp)
{
	struct probe *p = realloc(sp->probes, (sp->n_tables ? sp->n_tables : 1) * sizeof(*p));

	if (!p)
		return -1;
	sp->probes = p;
	for (size_t i = 0; i < sp->n_tables; i++) {
		const struct tuple *t = sp->tables[i];
		p[i] = (struct probe){ .maxprio = t->maxprio, .key = t->key,
				       .bloom_mask = t->bloom_mask, .bloom = t->bloom, .t = t };
		memcpy(p[i].class_max, t->class_max, sizeof(p[i].class_max));
	}
	return 0;
}

static int add_table(struct tss *sp, struct tuple *t)
{
	if (sp->n_tables == sp->cap_tables) {
		size_t cap = sp->cap_tables ? sp->cap_tables * 2 : 16;
		struct tuple **p = realloc(sp->tables, cap * sizeof(*p));
		if (!p)
			return -1;
		sp->tables = p;
		sp->cap_tables = cap;
	}
	sp->tables[sp->n_tables++] = t;
	reorder(sp, sp->n_tables - 1);
	return 0;
}

static uint32_t alloc_rule(struct tss *sp)
{
	if (sp->free_head != NIL) {
		uint32_t i = sp->free_head;
		sp->free_head = sp->rules[i].next;
		return i;
	}
	if (sp->n_alloc == sp->cap_rules) {
		uint32_t cap = sp->cap_rules ? sp->cap_rules + sp->cap_rules / 2 : 64;
		struct crule *p = realloc(sp->rules, cap * sizeof(*p));
		if (!p)
			return NIL;
		sp->rules = p;
		sp->cap_rules = cap;
	}
	return sp->n_alloc++;
}

/* Rules of one bucket, to decide whether it is full. */
static size_t bucket_size(const struct tss *sp, const struct tuple *t, const struct crule *r)
{
	uint64_t ks[2], kd[2];
	uint64_t rest = rule_rest(&t->key, r);
	uint32_t h = (uint32_t)key_of(&t->key, r->src, r->dst, rest, ks, kd);
	const struct slot *sl = t->cap ? find_slot(sp, t, h, ks, kd, rest) : NULL;
	size_t n = 0;

	for (uint32_t i = sl ? sl->head : NIL; i != NIL; i = sp->rules[i].next)
		n++;
	return n;
}

static bool fits(const struct tuple *t, const struct crule *r, unsigned slack)
{
	return t->ts <= r->src_len && t->td <= r->dst_len && (!t->key.use_proto || r->proto) &&
	       (!t->key.use_sport || single(r->sp_lo, r->sp_hi)) &&
	       (!t->key.use_dport || single(r->dp_lo, r->dp_hi)) &&
	       (unsigned)(r->src_len - t->ts) <= slack && (unsigned)(r->dst_len - t->td) <= slack;
}

/* TupleMerge's choice: the most specific table the rule fits, unless its
 * bucket is full; then a table of the rule's exact tuple. */
static unsigned tuple_score(const struct tuple *t)
{
	return (unsigned)t->ts + t->td + t->key.use_proto + 16u * t->key.use_dport + 8u * t->key.use_sport;
}

/* TupleMerge's choice: the most specific table the rule fits, unless its
 * bucket is full; then a table of the rule's exact tuple. */
static struct tuple *choose_table(struct tss *sp, const struct crule *r)
{
	struct tuple *best = NULL, *exact = NULL;
	unsigned slack = 2u * sp->round;
	bool proto = r->proto != 0, sport = single(r->sp_lo, r->sp_hi),
	     dport = single(r->dp_lo, r->dp_hi);

	for (size_t i = 0; i < sp->n_tables; i++) {
		struct tuple *t = sp->tables[i];
		if (t->ts == r->src_len && t->td == r->dst_len && t->key.use_proto == proto &&
		    t->key.use_sport == sport && t->key.use_dport == dport)
			exact = t;
		if (fits(t, r, slack) && (!best || tuple_score(t) > tuple_score(best)))
			best = t;
	}
	if (best && (best == exact || bucket_size(sp, best, r) < BUCKET_LIMIT))
		return best;
	if (exact)
		return exact;
	struct tuple *t = best ? tuple_new(r->src_len, r->dst_len, proto, sport, dport)
			       : tuple_new((uint8_t)(r->src_len - r->src_len % sp->round),
					   (uint8_t)(r->dst_len - r->dst_len % sp->round), proto,
					   sport, dport);
	if (!t || add_table(sp, t) < 0) {
		tuple_free(t);
		return NULL;
	}
	return t;
}

static int tss_insert(struct tss *sp, const struct crule *in)
{
	struct tuple *t = choose_table(sp, in);
	uint64_t ks[2], kd[2], h64;
	uint32_t ri, h;
	struct slot *sl;

	if (!t || ((t->live + 1) * 4 > t->cap * 3 && grow_slots(sp, t) < 0))
		return -1;
	if ((ri = alloc_rule(sp)) == NIL)
		return -1;
	sp->rules[ri] = *in;
	uint64_t rest = rule_rest(&t->key, in);
	h64 = key_of(&t->key, in->src, in->dst, rest, ks, kd);
	h = (uint32_t)h64;
	bloom_add(t, h64);
	if ((sl = find_slot(sp, t, h, ks, kd, rest))) {
		/* keep the bucket best first */
		uint32_t *link = &sl->head;
		while (*link != NIL && rule_better(&sp->rules[*link], in))
			link = &sp->rules[*link].next;
		sp->rules[ri].next = *link;
		*link = ri;
	} else {
		uint32_t i = h & (t->cap - 1);
		while (t->slots[i].head != NIL && t->slots[i].head != TOMB)
			i = (i + 1) & (t->cap - 1);
		if (t->slots[i].head == NIL)
			t->used++;
		t->slots[i] = (struct slot){ ri, h };
		sp->rules[ri].next = NIL;
		t->live++;
		if (t->used * 4 > t->cap * 3 && grow_slots(sp, t) < 0)
			return -1;
	}
	t->n_rules++;
	sp->live++;
	for (unsigned c = 0; c < 4; c++)
		if ((in->proto == 0 || proto_class(in->proto) == c) && in->prio > t->class_max[c])
			t->class_max[c] = in->prio;
	if (in->prio > t->maxprio || t->n_rules == 1) {
		t->maxprio = in->prio;
		for (size_t i = 0; i < sp->n_tables; i++)
			if (sp->tables[i] == t) {
				reorder(sp, i);
				break;
			}
	}
	return sync_probes(sp);
}

static int tss_delete(struct tss *sp, const struct crule *in)
{
	for (size_t i = 0; i < sp->n_tables; i++) {
		struct tuple *t = sp->tables[i];
		uint64_t ks[2], kd[2];
		if (!fits(t, in, 128))
			continue;
		uint64_t rest = rule_rest(&t->key, in);
		uint32_t h = (uint32_t)key_of(&t->key, in->src, in->dst, rest, ks, kd);
		struct slot *sl = find_slot(sp, t, h, ks, kd, rest);
		if (!sl)
			continue;
		for (uint32_t *link = &sl->head; *link != NIL; link = &sp->rules[*link].next) {
			uint32_t ri = *link;
			if (sp->rules[ri].id != in->id)
				continue;
			*link = sp->rules[ri].next;
			sp->rules[ri].next = sp->free_head;
			sp->free_head = ri;
			sp->live--;
			if (sl->head == NIL) {
				sl->head = TOMB;
				t->live--;
			}
			if (--t->n_rules == 0) {
				tuple_free(t);
				memmove(&sp->tables[i], &sp->tables[i + 1],
					(sp->n_tables - i - 1) * sizeof(sp->tables[0]));
				sp->n_tables--;
			}
			return sync_probes(sp);
		}
	}
	return -1;
}

static void tss_free(struct tss *sp)
{
	for (size_t i = 0; i < sp->n_tables; i++)
		tuple_free(sp->tables[i]);
	free(sp->tables);
	free(sp->probes);
	free(sp->rules);
}

/* --- the four spaces --------------------------------------------------- */

struct fast_cls *fast_new(void)
{
	struct fast_cls *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	for (int v6 = 0; v6 < 2; v6++)
		for (int view = 0; view < 2; view++) {
			c->space[v6][view].free_head = NIL;
			c->space[v6][view].round = v6 ? 16 : 8;
		}
	return c;
}

void fast_free(struct fast_cls *c)
{
	if (!c)
		return;
	for (int v6 = 0; v6 < 2; v6++)
		for (int view = 0; view < 2; view++)
			tss_free(&c->space[v6][view]);
	free(c);
}

/* Is the entry held in this space? Its family (or both), and in the
 * multicast/broadcast view only if it may see such packets. */
static bool held_in(const struct fentry *en, bool v6, bool bcast_view)
{
	if (en->family && en->family != (v6 ? AF_INET6 : AF_INET))
		return false;
	return !bcast_view || en->exempt != EXC_NONE || (en->flags & EF_BCAST);
}

/* The compact rule of an entry for one view. */
static void crule_for_view(const struct fentry *en, uint32_t id, bool bcast_view,
			   struct crule *out)
{
	uint64_t m[2];

	memset(out, 0, sizeof(*out));
	out->prio = en->prio;
	out->src_len = en->src_len;
	/* the view ignores destinations of rules that may see mcast/bcast */
	out->dst_len = bcast_view && en->exempt == EXC_NONE ? 0 : en->dst_len;
	load_be(en->src, out->src);
	load_be(en->dst, out->dst);
	mask_of(out->src_len, m);
	out->src[0] &= m[0];
	out->src[1] &= m[1];
	mask_of(out->dst_len, m);
	out->dst[0] &= m[0];
	out->dst[1] &= m[1];
	out->proto = en->proto;
	out->conn = en->conn;
	out->only_dir = en->flags & (EF_IN_ONLY | EF_OUT_ONLY);
	out->sp_lo = en->sport.lo;
	out->sp_hi = en->sport.hi;
	out->dp_lo = en->dport.lo;
	out->dp_hi = en->dport.hi;
	out->id = id;
	out->next = NIL;
}

typedef int (*tss_op)(struct tss *sp, const struct crule *r);

static int apply(struct fast_cls *c, const struct fentry *en, uint32_t id, tss_op op)
{
	struct crule r;

	for (int v6 = 0; v6 < 2; v6++)
		for (int view = 0; view < 2; view++) {
			if (!held_in(en, v6, view))
				continue;
			crule_for_view(en, id, view, &r);
			if (op(&c->space[v6][view], &r) < 0)
				return -1;
		}
	return 0;
}

int fast_insert(struct fast_cls *c, const struct fentry *en, uint32_t id)
{
	return apply(c, en, id, tss_insert);
}

int fast_delete(struct fast_cls *c, const struct fentry *en, uint32_t id)
{
	return apply(c, en, id, tss_delete);
}

/* Room for n more rules in a space, so a build allocates once. */
static int reserve(struct tss *sp, size_t n)
{
	size_t want = (size_t)sp->n_alloc + n;
	struct crule *p;

	if (want <= sp->cap_rules || want >= NIL)
		return 0;
	if (!(p = realloc(sp->rules, want * sizeof(*p))))
		return -1;
	sp->rules = p;
	sp->cap_rules = (uint32_t)want;
	return 0;
}

int fast_build(struct fast_cls *c, const struct ftable *t)
{
	size_t n[2][2] = { { 0 } };

	for (size_t i = 0; i < t->n_entries; i++)
		for (int v6 = 0; v6 < 2; v6++)
			for (int view = 0; view < 2; view++)
				n[v6][view] += held_in(&t->entries[i], v6, view);
	for (int v6 = 0; v6 < 2; v6++)
		for (int view = 0; view < 2; view++)
			if (reserve(&c->space[v6][view], n[v6][view]) < 0)
				return -1;
	for (size_t i = 0; i < t->n_entries; i++)
		if (fast_insert(c, &t->entries[i], (uint32_t)i) < 0)
			return -1;
	return 0;
}

long fast_classify(const struct fast_cls *c, const struct packet *p)
{
	uint64_t s[2], d[2];
	bool v6 = p->family == AF_INET6;

	load_be(p->src, s);
	load_be(p->dst, d);
	return tss_classify(&c->space[v6][p->inbound && p->bcast], s, d, p);
}

void fast_get_stats(const struct fast_cls *c, struct fast_stats *out)
{
	memset(out, 0, sizeof(*out));
	out->bytes = sizeof(*c);
	for (int v6 = 0; v6 < 2; v6++)
		for (int view = 0; view < 2; view++) {
			const struct tss *sp = &c->space[v6][view];
			out->rules += sp->live;
			out->tables += sp->n_tables;
			out->bytes += sp->cap_rules * sizeof(struct crule) +
				      sp->cap_tables * sizeof(struct tuple *) +
				      sp->n_tables * sizeof(struct probe);
			for (size_t i = 0; i < sp->n_tables; i++)
				out->bytes += sizeof(struct tuple) +
					      sp->tables[i]->cap * sizeof(struct slot) +
					      (sp->tables[i]->bloom_mask + 1) / 8;
		}
}
