// SPDX-License-Identifier: MIT
/* program.c - FilterTable and mode to nftables text.
 *
 * Secure mode walks a packet through views: per family and direction, then
 * (when some rule has a conntype) per interface kind, then inbound
 * multicast/broadcast apart (SPEC §5.4: only source-any filters to any or
 * me see them, their destination ignored) and non-first fragments apart
 * (no ports to read: only port-less filters). Each view holds the entries
 * that can match there, split into tiers (tiers.h): one map lookup per
 * tier, first hit wins, and it is the entry the reference classifier
 * picks. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "program.h"
#include "tiers.h"

static const char *const mode_names[MODE_COUNT] = {
	[MODE_BOOT_PERMIT] = "boot-permit", [MODE_BOOT_BLOCK] = "boot-block",
	[MODE_BOOT_STATEFUL] = "boot-stateful", [MODE_SECURE] = "secure",
	[MODE_PERMIT] = "permit", [MODE_BLOCK] = "block",
};

const char *fw_mode_name(enum fw_mode m)
{
	return m < MODE_COUNT ? mode_names[m] : "unknown";
}

int fw_mode_parse(const char *name, enum fw_mode *out)
{
	for (int m = 0; m < MODE_COUNT; m++)
		if (strcmp(name, mode_names[m]) == 0) {
			*out = (enum fw_mode)m;
			return 0;
		}
	return -1;
}

/* Why a packet is dropped: the reasons of SPEC §7.3, one drop chain each
 * per direction, where drops are counted and (if asked) logged. */
enum drop_reason {
	DR_BLOCK,
	DR_NEGOTIATE,
	DR_BOOT_BLOCK,
	DR_BOOT_STATEFUL,
	DR_OP_BLOCK,
	DR_UNKNOWN_LOCAL, /* fail-closed programs only */
	DR_COUNT,
};

static const char *const drop_reason_names[DR_COUNT] = {
	[DR_BLOCK] = "block-filter", [DR_NEGOTIATE] = "negotiate-required",
	[DR_BOOT_BLOCK] = "boot-block", [DR_BOOT_STATEFUL] = "boot-stateful",
	[DR_OP_BLOCK] = "op-block", [DR_UNKNOWN_LOCAL] = "unknown-local",
};

struct builder {
	struct nft_program *p;
	FILE *decl, *chains; /* sets, maps and counters; chains */
	char *decl_buf, *chains_buf;
	size_t decl_len, chains_len, cap_maps, cap_elems;
	const struct ftable *t;
	const struct config *cfg;
	long long unknown_local_since; /* fail closed since then; 0: not */
	bool failed; /* out of memory somewhere */
};

static int builder_open(struct builder *b, struct nft_program *p, enum fw_mode mode)
{
	memset(p, 0, sizeof(*p));
	memset(b, 0, sizeof(*b));
	p->mode = mode;
	b->p = p;
	b->decl = open_memstream(&b->decl_buf, &b->decl_len);
	b->chains = open_memstream(&b->chains_buf, &b->chains_len);
	return b->decl && b->chains ? 0 : -1;
}

/* Joins declarations and chains into the body. */
static int builder_close(struct builder *b, struct err *e)
{
	if (b->decl)
		fclose(b->decl);
	if (b->chains)
		fclose(b->chains);
	if (!b->failed && b->decl_buf && b->chains_buf &&
	    (b->p->body = malloc(b->decl_len + b->chains_len + 1))) {
		memcpy(b->p->body, b->decl_buf, b->decl_len);
		memcpy(b->p->body + b->decl_len, b->chains_buf, b->chains_len + 1);
	}
	free(b->decl_buf);
	free(b->chains_buf);
	if (!b->p->body) {
		program_free(b->p);
		return err_set(e, "out of memory writing the nftables program");
	}
	return 0;
}

static uint32_t add_map(struct builder *b, const char *name)
{
	if (b->p->n_maps == b->cap_maps) {
		size_t cap = b->cap_maps ? 2 * b->cap_maps : 16;
		char **m = realloc(b->p->maps, cap * sizeof(*m));
		if (!m) {
			b->failed = true;
			return 0;
		}
		b->p->maps = m;
		b->cap_maps = cap;
	}
	if (!(b->p->maps[b->p->n_maps] = strdup(name)))
		b->failed = true;
	return (uint32_t)b->p->n_maps++;
}

static void add_elem(struct builder *b, uint32_t map, const char *key, const char *rest)
{
	size_t klen = strlen(key), rlen = strlen(rest);
	struct nft_elem *el;

	if (b->p->n_elems == b->cap_elems) {
		size_t cap = b->cap_elems ? 2 * b->cap_elems : 256;
		struct nft_elem *n = realloc(b->p->elems, cap * sizeof(*n));
		if (!n) {
			b->failed = true;
			return;
		}
		b->p->elems = n;
		b->cap_elems = cap;
	}
	el = &b->p->elems[b->p->n_elems];
	if (!(el->text = malloc(klen + rlen + 1))) {
		b->failed = true;
		return;
	}
	memcpy(el->text, key, klen);
	memcpy(el->text + klen, rest, rlen + 1);
	el->key_len = klen;
	el->map = map;
	b->p->n_elems++;
}

/* --- drop chains and the prelude every mode shares --- */

static void drop_chain_name(bool in, enum drop_reason r, char *buf, size_t len)
{
	snprintf(buf, len, SLOT_MARK "drop_%s_%s", in ? "in" : "out", drop_reason_names[r]);
}

static bool has_negotiate(const struct ftable *t)
{
	for (size_t i = 0; i < t->n_entries; i++)
		if (t->entries[i].action_in == ACTION_NEGOTIATE ||
		    t->entries[i].action_out == ACTION_NEGOTIATE)
			return true;
	return false;
}

/* The TUN device of strongSwan's userspace ESP (kernel-libipsec, for a
 * kernel without ESP): what comes out of it libipsec decrypted, what is
 * routed into it libipsec encrypts. Such packets carry no secpath and
 * have no XFRM route (measured in e2e-ike-esp). */
#define LIBIPSEC_TUN "ipsec0"

/* Negotiate (SPEC §5.5) passes what IPsec protects: inbound, a packet
 * charon's SA decrypted (its secpath) or libipsec's TUN device gave;
 * outbound, one whose route is an XFRM bundle or that device. Anything else is dropped as before: with no charon, or
 * before the SA exists (the trap policy holds the first packets and
 * starts IKE), negotiate stays closed. Inbound, a soft rule also passes
 * clear traffic from a peer in its fallback to clear: the agent puts a
 * peer that did not answer IKE in the live_soft sets, with a timeout. */
static void emit_negotiate_chains(struct builder *b)
{
	char drop[64];

	for (int in = 1; in >= 0; in--) {
		drop_chain_name(in, DR_NEGOTIATE, drop, sizeof(drop));
		fprintf(b->chains,
			"\tchain " SLOT_MARK "negotiate_%s {\n\t\t%s ipsec exists accept\n"
			"\t\t%s \"" LIBIPSEC_TUN "\" accept\n\t\tgoto %s\n\t}\n",
			in ? "in" : "out", in ? "meta" : "rt", in ? "iifname" : "oifname", drop);
	}
	fprintf(b->decl,
		"\tset " SLOT_MARK SOFT_PEERS "4 {\n\t\ttype ipv4_addr\n\t\tflags timeout\n\t}\n"
		"\tset " SLOT_MARK SOFT_PEERS "6 {\n\t\ttype ipv6_addr\n\t\tflags timeout\n\t}\n");
	fprintf(b->chains,
		"\tchain " SLOT_MARK "soft_in {\n\t\tip saddr @" SLOT_MARK SOFT_PEERS "4 accept\n"
		"\t\tip6 saddr @" SLOT_MARK SOFT_PEERS "6 accept\n"
		"\t\tgoto " SLOT_MARK "negotiate_in\n\t}\n");
}

static void emit_drop_chains(struct builder *b)
{
	int diag = b->cfg ? b->cfg->ipsecdiagnostics : 0;
	char name[64];

	for (int in = 1; in >= 0; in--)
		for (int r = 0; r < DR_COUNT; r++) {
			if (r == DR_UNKNOWN_LOCAL && !b->unknown_local_since)
				continue;
			drop_chain_name(in, (enum drop_reason)r, name, sizeof(name));
			fprintf(b->decl, "\tcounter %s {\n\t}\n", name);
			fprintf(b->chains, "\tchain %s {\n", name);
			/* SPEC §7.1: bit 1 logs inbound drops, bit 2 outbound; the
			 * kernel's rate limit keeps a flood from the logger. */
			if (diag & (in ? 2 : 4))
				fprintf(b->chains,
					"\t\tlimit rate 200/second burst 400 packets log group %d "
					"prefix \"ipsecfw %s %s\"\n",
					NFLOG_GROUP, in ? "in" : "out", drop_reason_names[r]);
			fprintf(b->chains, "\t\tcounter name \"%s\" drop\n\t}\n", name);
		}
}

/* Loopback is never filtered (SPEC §10), and neither is IPv6 neighbour
 * discovery: it is what ARP is to IPv4, which no IP filter sees. */
static void emit_prelude(struct builder *b, bool in)
{
	const char *io = in ? "iif" : "oif";

	fprintf(b->chains,
		"\t\t%s \"lo\" accept\n"
		"\t\tip saddr 127.0.0.0/8 accept\n\t\tip daddr 127.0.0.0/8 accept\n"
		"\t\tip6 saddr ::1 accept\n\t\tip6 daddr ::1 accept\n"
		"\t\ticmpv6 type { nd-router-solicit, nd-router-advert, nd-neighbor-solicit, "
		"nd-neighbor-advert } accept\n",
		io);
}

/* The chain the base chain of a direction jumps to. */
static void open_top_chain(struct builder *b, bool in)
{
	fprintf(b->chains, "\tchain " SLOT_MARK "%s {\n", in ? "input" : "output");
	emit_prelude(b, in);
}

/* --- secure mode --- */

struct view {
	uint8_t family;
	bool in;
	uint8_t conn; /* 0: every interface kind */
	bool bcast, frag;
};

static bool view_holds(const struct view *v, const struct fentry *en)
{
	if ((en->family && en->family != v->family) || !fentry_sees(en, v->in))
		return false;
	if (v->conn && !(en->conn & v->conn))
		return false;
	if (v->frag && (!port_is_any(en->sport) || !port_is_any(en->dport)))
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
	box->proto = en->proto;
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

/* "192.0.2.0/24", "2001:db8::/32"; the address is zero when plen is. */
static char *put_prefix(char *p, uint8_t family, const uint8_t *addr, uint8_t plen)
{
	static const uint8_t zero[16];
	const uint8_t *a = plen ? addr : zero;

	if (family == AF_INET) {
		for (int i = 0; i < 4; i++) {
			if (i)
				*p++ = '.';
			p = put_u(p, a[i]);
		}
	} else {
		char text[INET6_ADDRSTRLEN];
		inet_ntop(AF_INET6, a, text, sizeof(text));
		p = put_str(p, text);
	}
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

/* ` comment "local:12" : VERDICT` */
static void entry_rest(const struct ftable *t, const struct fentry *en, const char *verdict,
		       char *buf)
{
	char *p = put_str(buf, " comment \"");

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

/* The elements of one entry in one map. ICMP type and code are read as one
 * 16-bit field (th sport = type << 8 | code), so a code without a type is
 * one element per type. */
static void emit_entry(struct builder *b, const struct view *v, const struct fentry *en,
		       const struct tier_box *box, uint32_t map)
{
	char head[160], key[256], rest[224], vbuf[64], *p;
	const char *verdict = verdict_of(v, en, vbuf, sizeof(vbuf));

	/* "SRC . DST . PROTO", the start of every key of the entry */
	p = put_prefix(head, v->family, box->src, box->src_len);
	p = put_str(p, " . ");
	p = put_prefix(p, v->family, box->dst, box->dst_len);
	p = put_str(p, " . ");
	p = box->proto ? put_u(p, box->proto) : put_str(p, "0-255");
	*p = '\0';
	entry_rest(b->t, en, verdict, rest);
	if (v->frag) {
		add_elem(b, map, head, rest);
		return;
	}
	if (!proto_is_icmp(box->proto)) {
		p = put_str(key, head);
		p = put_str(p, " . ");
		p = put_range(p, box->sport);
		p = put_str(p, " . ");
		p = put_range(p, box->dport);
		*p = '\0';
		add_elem(b, map, key, rest);
		return;
	}
	/* type and code are each one value or any */
	bool any_type = port_is_any(box->sport), any_code = port_is_any(box->dport);
	for (unsigned type = any_type ? 0 : box->sport.lo; type <= (any_type ? 255u : box->sport.lo);
	     type++) {
		struct port_range r = { (uint16_t)(type << 8 | box->dport.lo),
					(uint16_t)(type << 8 | box->dport.lo) };
		if (any_type && any_code)
			r = PORT_ANY;
		else if (any_code)
			r = (struct port_range){ (uint16_t)(type << 8), (uint16_t)(type << 8 | 0xff) };
		p = put_str(key, head);
		p = put_str(p, " . ");
		p = put_range(p, r);
		p = put_str(p, " . 0-65535");
		*p = '\0';
		add_elem(b, map, key, rest);
		if (any_code)
			break;
	}
}

static void view_name(const struct view *v, char *buf, size_t len)
{
	snprintf(buf, len, SLOT_MARK "%s%u%s%s%s", v->in ? "in" : "out", v->family == AF_INET ? 4 : 6,
		 v->conn == CONN_LAN_BIT ? "_lan" : v->conn == CONN_DIALUP_BIT ? "_ppp" : "",
		 v->bcast ? "_bc" : "", v->frag ? "_fr" : "");
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

/* The lookups of one view: its entries, tiered, one map and rule per tier. */
static int emit_view_tiers(struct builder *b, const struct view *v, const char *name)
{
	const struct ftable *t = b->t;
	const char *ip = v->family == AF_INET ? "ip" : "ip6";
	const char *atype = v->family == AF_INET ? "ipv4_addr" : "ipv6_addr";
	struct tier_box *boxes = malloc(sizeof(*boxes) * (t->n_entries ? t->n_entries : 1));
	uint32_t *idx = malloc(sizeof(*idx) * (t->n_entries ? t->n_entries : 1));
	uint32_t *tier = malloc(sizeof(*tier) * (t->n_entries ? t->n_entries : 1));
	uint32_t first_map = (uint32_t)b->p->n_maps;
	size_t n = 0;
	long n_tiers;
	char map[96];

	if (!boxes || !idx || !tier)
		goto oom;
	for (size_t i = 0; i < t->n_entries; i++)
		if (view_holds(v, &t->entries[i])) {
			entry_box(v, &t->entries[i], &boxes[n]);
			idx[n++] = (uint32_t)i;
		}
	n = drop_repeated_boxes(boxes, idx, n);
	if ((n_tiers = tiers_assign(boxes, n, tier)) < 0)
		goto oom;
	for (long k = 0; k < n_tiers; k++) {
		snprintf(map, sizeof(map), "%s_t%ld", name, k);
		add_map(b, map);
		if (v->frag)
			fprintf(b->decl,
				"\tmap %s {\n\t\ttype %s . %s . inet_proto : verdict\n"
				"\t\tflags interval\n\t\tcounter\n\t}\n",
				map, atype, atype);
		else
			fprintf(b->decl,
				"\tmap %s {\n\t\ttype %s . %s . inet_proto . inet_service . "
				"inet_service : verdict\n\t\tflags interval\n\t\tcounter\n\t}\n",
				map, atype, atype);
		if (v->frag)
			fprintf(b->chains, "\t\t%s saddr . %s daddr . meta l4proto vmap @%s\n", ip,
				ip, map);
		else
			fprintf(b->chains,
				"\t\t%s saddr . %s daddr . meta l4proto . th sport . th dport "
				"vmap @%s\n",
				ip, ip, map);
	}
	/* elements in tier order, entries best first within a tier */
	for (long k = 0; k < n_tiers; k++)
		for (size_t j = 0; j < n; j++)
			if (tier[j] == (uint32_t)k)
				emit_entry(b, v, &t->entries[idx[j]], &boxes[j],
					   first_map + (uint32_t)k);
	if ((size_t)n_tiers > b->p->n_tiers)
		b->p->n_tiers = (size_t)n_tiers;
	free(boxes);
	free(idx);
	free(tier);
	return 0;
oom:
	free(boxes);
	free(idx);
	free(tier);
	b->failed = true;
	return -1;
}

/* One view chain; the broadcast and fragment views branch off it. */
static int emit_view_chain(struct builder *b, struct view v)
{
	struct view bc = v, fr = v;
	bool branch_bc = v.in && !v.bcast && !v.frag, branch_fr = !v.frag;
	bool v4 = v.family == AF_INET;
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
	if (emit_view_tiers(b, &v, name) < 0)
		return -1;
	fprintf(b->chains, "\t}\n");
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
		   struct nft_program *out, struct err *e)
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
	return builder_close(&b, e);
}

/* --- the other modes --- */

static void emit_dhcp(struct builder *b, bool in)
{
	/* DHCP is always allowed at boot (SPEC §6.1), and DHCPv6 with it. */
	if (in)
		fprintf(b->chains, "\t\tudp sport 67 udp dport 68 accept\n"
				   "\t\tudp sport 547 udp dport 546 accept\n");
	else
		fprintf(b->chains, "\t\tudp sport 68 udp dport 67 accept\n"
				   "\t\tudp sport 546 udp dport 547 accept\n");
}

/* One half of a boot exemption's flow (SPEC §6.3): forward is the direction
 * it names, the reverse carries the replies. */
static void emit_bootexemption(struct builder *b, const struct bootexemption *x, bool in)
{
	bool forward = x->inbound == in;

	if (proto_has_ports(x->proto)) {
		uint16_t sp = forward ? x->a : x->b, dp = forward ? x->b : x->a;
		fprintf(b->chains, "\t\tmeta l4proto %u", x->proto);
		if (sp)
			fprintf(b->chains, " th sport %u", sp);
		if (dp)
			fprintf(b->chains, " th dport %u", dp);
		fprintf(b->chains, " accept\n");
	} else if (proto_is_icmp(x->proto)) {
		/* type and code; an echo request's reply comes back */
		unsigned type = x->a;
		if (!forward) {
			if (type == 8 || type == 128)
				type = type == 8 ? 0 : 129;
			else
				return;
		}
		fprintf(b->chains, "\t\tmeta l4proto %u th sport %u accept\n", x->proto,
			type << 8 | x->b);
	} else {
		fprintf(b->chains, "\t\tmeta l4proto %u accept\n", x->proto);
	}
}

static void emit_final_drop(struct builder *b, bool in, enum drop_reason r)
{
	char name[64];

	drop_chain_name(in, r, name, sizeof(name));
	fprintf(b->chains, "\t\tgoto %s\n", name);
}

int program_mode(enum fw_mode m, const struct config *cfg, struct nft_program *out,
		 struct err *e)
{
	struct builder b;

	if (m == MODE_SECURE)
		return err_set(e, "secure mode needs a filter table");
	if (builder_open(&b, out, m) < 0) {
		b.failed = true;
		return builder_close(&b, e);
	}
	b.cfg = cfg;
	emit_drop_chains(&b);
	for (int in = 1; in >= 0; in--) {
		open_top_chain(&b, in);
		if (m == MODE_BOOT_BLOCK || (m == MODE_BOOT_STATEFUL && in)) {
			emit_dhcp(&b, in);
			for (size_t i = 0; cfg && i < cfg->n_bootexemptions; i++)
				emit_bootexemption(&b, &cfg->bootexemptions[i], in);
		}
		if (m == MODE_BOOT_STATEFUL && in)
			fprintf(b.chains, "\t\tct state established,related accept\n");
		if (m == MODE_BOOT_BLOCK)
			emit_final_drop(&b, in, DR_BOOT_BLOCK);
		else if (m == MODE_BOOT_STATEFUL && in)
			emit_final_drop(&b, in, DR_BOOT_STATEFUL);
		else if (m == MODE_BLOCK)
			emit_final_drop(&b, in, DR_OP_BLOCK);
		fprintf(b.chains, "\t}\n");
	}
	return builder_close(&b, e);
}

void program_free(struct nft_program *p)
{
	for (size_t i = 0; i < p->n_maps; i++)
		free(p->maps[i]);
	for (size_t i = 0; i < p->n_elems; i++)
		free(p->elems[i].text);
	free(p->maps);
	free(p->elems);
	free(p->body);
	memset(p, 0, sizeof(*p));
}

/* --- writing --- */

/* Writes text with each SLOT_MARK replaced by the slot's prefix. */
static void put_slotted(FILE *out, const char *text, char slot)
{
	const char *at;

	while ((at = strstr(text, SLOT_MARK))) {
		fwrite(text, 1, (size_t)(at - text), out);
		fprintf(out, "%c_", slot);
		text = at + strlen(SLOT_MARK);
	}
	fputs(text, out);
}

/* An element's verdict may name a chain of the slot. */
static void put_element(FILE *out, const char *text, char slot)
{
	fputc('\t', out);
	put_slotted(out, text, slot);
	fputs(",\n", out);
}

static void open_elements(FILE *out, const char *verb, const char *map, char slot)
{
	fprintf(out, "%s element " NFT_TABLE_FAMILY " " NFT_TABLE_NAME " ", verb);
	put_slotted(out, map, slot);
	fprintf(out, " {\n");
}

static void write_elements(const struct nft_program *p, char slot, const bool *skip, FILE *out)
{
	for (size_t i = 0; i < p->n_elems;) {
		uint32_t map = p->elems[i].map;
		if (skip && skip[map]) {
			i++;
			continue;
		}
		open_elements(out, "add", p->maps[map], slot);
		for (; i < p->n_elems && p->elems[i].map == map; i++)
			put_element(out, p->elems[i].text, slot);
		fprintf(out, "}\n");
	}
}

/* Opens the table's block with its comment and base chains (all made if
 * missing, unchanged if there). No `flags owner`: the kernel deletes an
 * owned table when its owner's netlink socket closes (the rules must
 * outlive kill -9 and a CLI-only apply) and lets no one else change it
 * (the CLI loads while the agent runs); the agent watches the table and
 * restores it instead (enforce.h, README). */
static void open_table(FILE *out)
{
	fprintf(out, "table " NFT_TABLE_FAMILY " " NFT_TABLE_NAME " {\n"
		     "\tcomment \"ipsecfw\"\n"
		     "\tchain inbound {\n\t\ttype filter hook input priority filter; policy accept;\n\t}\n"
		     "\tchain outbound {\n\t\ttype filter hook output priority filter; policy accept;\n\t}\n");
}

void program_state_name(enum fw_mode m, uint64_t gen, char slot, const char *program_fp,
			const char *kernel_fp, char *buf, size_t len)
{
	snprintf(buf, len, "state_%s_%016llx_%c%s%s%s%s", fw_mode_name(m), (unsigned long long)gen,
		 slot, *program_fp ? "_" : "", program_fp, *kernel_fp ? "_" : "", kernel_fp);
}

static void write_jumps(const struct nft_program *p, char slot, uint64_t gen,
			const char *program_fp, FILE *out)
{
	char state[160];

	program_state_name(p->mode, gen, slot, program_fp, "", state, sizeof(state));
	fprintf(out,
		"add rule " NFT_TABLE_FAMILY " " NFT_TABLE_NAME " inbound jump %c_input\n"
		"add rule " NFT_TABLE_FAMILY " " NFT_TABLE_NAME " outbound jump %c_output\n"
		"add chain " NFT_TABLE_FAMILY " " NFT_TABLE_NAME " %s\n",
		slot, slot, state);
}

char program_slot_of(const char *name)
{
	return (name[0] == 'a' || name[0] == 'b') && name[1] == '_' ? name[0] : 0;
}

/* Deletes the listed objects of slot (in_slot) or of any other, in an
 * order that deletes nothing still referenced: rules go first (they name
 * maps, chains and counters), then maps (their verdicts name chains).
 * Counters are not listed (that is slow): each drop chain has one of its
 * name. */
static void write_deletions(const struct nft_object *objs, size_t n, char slot, bool in_slot,
			    FILE *out)
{
	static const char *const steps[][3] = {
		{ "chain", "flush", "chain" }, { "map", "delete", "map" },
		{ "set", "delete", "set" },    { "chain", "delete", "chain" },
		{ "chain", "delete", "counter" },
	};

	for (size_t s = 0; s < sizeof(steps) / sizeof(steps[0]); s++)
		for (size_t i = 0; i < n; i++) {
			const char *name = objs[i].name;
			char at = program_slot_of(name);
			if (strcmp(objs[i].kind, steps[s][0]) != 0 || (at == slot) != in_slot ||
			    (strcmp(steps[s][2], "counter") == 0 &&
			     !(at && strncmp(name + 2, "drop_", 5) == 0)))
				continue;
			fprintf(out, "%s %s " NFT_TABLE_FAMILY " " NFT_TABLE_NAME " %s\n", steps[s][1],
				steps[s][2], name);
		}
}

void program_write_discard(char slot, const struct nft_object *objects, size_t n_objects,
			   FILE *out)
{
	write_deletions(objects, n_objects, slot, true, out);
}

static void write_flush_base_chains(FILE *out)
{
	fprintf(out, "flush chain " NFT_TABLE_FAMILY " " NFT_TABLE_NAME " inbound\n"
		     "flush chain " NFT_TABLE_FAMILY " " NFT_TABLE_NAME " outbound\n");
}

void program_write_stage(const struct nft_program *p, char slot, bool flush_base,
			 const struct nft_object *objects, size_t n_objects, const bool *skip,
			 FILE *out)
{
	open_table(out);
	fprintf(out, "}\n");
	if (flush_base)
		write_flush_base_chains(out);
	write_deletions(objects, n_objects, slot, true, out);
	fprintf(out, "table " NFT_TABLE_FAMILY " " NFT_TABLE_NAME " {\n");
	put_slotted(out, p->body, slot);
	fprintf(out, "}\n");
	write_elements(p, slot, skip, out);
}

void program_write_switch(const struct nft_program *p, char slot, uint64_t gen,
			  const char *program_fp, const struct nft_object *objects, size_t n_objects,
			  FILE *out)
{
	write_flush_base_chains(out);
	write_jumps(p, slot, gen, program_fp, out);
	write_deletions(objects, n_objects, slot, false, out);
}

void program_write_table(const struct nft_program *p, FILE *out)
{
	open_table(out);
	put_slotted(out, p->body, 'a');
	fprintf(out, "}\n");
	write_elements(p, 'a', NULL, out);
	write_jumps(p, 'a', 0, "", out);
}

static int elem_cmp(const void *pa, const void *pb)
{
	const struct nft_elem *a = *(const struct nft_elem *const *)pa;
	const struct nft_elem *b = *(const struct nft_elem *const *)pb;

	if (a->map != b->map)
		return a->map < b->map ? -1 : 1;
	return strcmp(a->text, b->text);
}

static const struct nft_elem **sorted_elems(const struct nft_program *p)
{
	const struct nft_elem **v = malloc(sizeof(*v) * (p->n_elems ? p->n_elems : 1));

	if (!v)
		return NULL;
	for (size_t i = 0; i < p->n_elems; i++)
		v[i] = &p->elems[i];
	qsort(v, p->n_elems, sizeof(*v), elem_cmp);
	return v;
}

/* Elements as delete (keys) or add (whole) commands, grouped by map. */
static void write_elems(const struct nft_program *names, char slot, const struct nft_elem **v,
			size_t n, bool del, FILE *out)
{
	for (size_t i = 0; i < n;) {
		uint32_t map = v[i]->map;
		open_elements(out, del ? "delete" : "add", names->maps[map], slot);
		for (; i < n && v[i]->map == map; i++) {
			if (del)
				fprintf(out, "\t%.*s,\n", (int)v[i]->key_len, v[i]->text);
			else
				put_element(out, v[i]->text, slot);
		}
		fprintf(out, "}\n");
	}
}

static int key_cmp(const void *pa, const void *pb)
{
	const struct nft_elem *a = *(const struct nft_elem *const *)pa;
	const struct nft_elem *b = *(const struct nft_elem *const *)pb;
	size_t n = a->key_len < b->key_len ? a->key_len : b->key_len;
	int c = memcmp(a->text, b->text, n);

	return c ? c : (a->key_len > b->key_len) - (a->key_len < b->key_len);
}

/* Elements of x not in y (whole text, same map). */
static size_t only_in(const struct nft_elem **x, size_t nx, const struct nft_elem **y, size_t ny,
		      const struct nft_elem **out)
{
	size_t i = 0, j = 0, n = 0;

	while (i < nx) {
		int c = j < ny ? elem_cmp(&x[i], &y[j]) : -1;
		if (c < 0)
			out[n++] = x[i++];
		else if (c > 0)
			j++;
		else
			i++, j++;
	}
	return n;
}

/* The kernel swaps each map's contents on its own within a commit, so a
 * key deleted from one map and added (to it or another) in the same
 * update could be missing for a moment, and a packet would fall through to
 * a worse tier. Such updates (a policy change) must replace the table. */
static bool keys_move(const struct program_diff *d)
{
	const struct nft_elem **gone = malloc(sizeof(*gone) * (d->n_gone ? d->n_gone : 1));
	const struct nft_elem **fresh = malloc(sizeof(*fresh) * (d->n_fresh ? d->n_fresh : 1));
	size_t i = 0, j = 0;
	bool moved = true;

	if (gone && fresh) {
		memcpy(gone, d->gone, sizeof(*gone) * d->n_gone);
		memcpy(fresh, d->fresh, sizeof(*fresh) * d->n_fresh);
		qsort(gone, d->n_gone, sizeof(*gone), key_cmp);
		qsort(fresh, d->n_fresh, sizeof(*fresh), key_cmp);
		moved = false;
		while (i < d->n_gone && j < d->n_fresh && !moved) {
			int c = key_cmp(&gone[i], &fresh[j]);
			moved = c == 0;
			if (c < 0)
				i++;
			else
				j++;
		}
	}
	free(gone);
	free(fresh);
	return moved;
}

void program_diff_free(struct program_diff *d)
{
	free(d->gone);
	free(d->fresh);
	memset(d, 0, sizeof(*d));
}

bool program_diff(const struct nft_program *old, const struct nft_program *new_,
		  struct program_diff *d)
{
	const struct nft_elem **a = NULL, **b = NULL;
	bool ok = false;

	memset(d, 0, sizeof(*d));
	if (old->mode != new_->mode || strcmp(old->body, new_->body) != 0 ||
	    old->n_maps != new_->n_maps)
		return false;
	for (size_t i = 0; i < old->n_maps; i++)
		if (strcmp(old->maps[i], new_->maps[i]) != 0)
			return false;
	a = sorted_elems(old);
	b = sorted_elems(new_);
	d->gone = malloc(sizeof(*d->gone) * (old->n_elems ? old->n_elems : 1));
	d->fresh = malloc(sizeof(*d->fresh) * (new_->n_elems ? new_->n_elems : 1));
	if (a && b && d->gone && d->fresh) {
		d->n_gone = only_in(a, old->n_elems, b, new_->n_elems, d->gone);
		d->n_fresh = only_in(b, new_->n_elems, a, old->n_elems, d->fresh);
		ok = !keys_move(d);
	}
	free(a);
	free(b);
	if (!ok)
		program_diff_free(d);
	return ok;
}

bool program_write_update(const struct nft_program *old, const struct nft_program *new_,
			  char slot, FILE *out)
{
	struct program_diff d;

	if (!program_diff(old, new_, &d))
		return false;
	write_elems(old, slot, d.gone, d.n_gone, true, out);
	write_elems(new_, slot, d.fresh, d.n_fresh, false, out);
	program_diff_free(&d);
	return true;
}

/* --- saving --- */

char *program_serialize(const struct nft_program *p)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	uint32_t map = UINT32_MAX;

	if (!f)
		return NULL;
	fprintf(f, "ipsecfw-program 1\nmode %s\ntiers %zu\nbody %zu\n%s\n", fw_mode_name(p->mode),
		p->n_tiers, strlen(p->body), p->body);
	for (size_t i = 0; i < p->n_maps; i++)
		fprintf(f, "map %s\n", p->maps[i]);
	for (size_t i = 0; i < p->n_elems; i++) {
		if (p->elems[i].map != map) {
			map = p->elems[i].map;
			fprintf(f, "in %u\n", map);
		}
		fprintf(f, "e %zu %s\n", p->elems[i].key_len, p->elems[i].text);
	}
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

static char *take_line(char **cursor)
{
	char *line = *cursor, *nl;

	if (!line || !*line)
		return NULL;
	if ((nl = strchr(line, '\n'))) {
		*nl = '\0';
		*cursor = nl + 1;
	} else {
		*cursor = line + strlen(line);
	}
	return line;
}

int program_deserialize(const char *text, struct nft_program *out, struct err *e)
{
	struct builder b;
	char *copy = strdup(text), *cur = copy, *line, mode[32];
	size_t body_len, key_len;
	unsigned map = 0;
	int used = 0;

	memset(out, 0, sizeof(*out));
	memset(&b, 0, sizeof(b));
	b.p = out;
	if (!copy)
		return err_set(e, "out of memory");
	if (!(line = take_line(&cur)) || strcmp(line, "ipsecfw-program 1") != 0 ||
	    !(line = take_line(&cur)) || sscanf(line, "mode %31s", mode) != 1 ||
	    fw_mode_parse(mode, &out->mode) < 0 || !(line = take_line(&cur)) ||
	    sscanf(line, "tiers %zu", &out->n_tiers) != 1 || !(line = take_line(&cur)) ||
	    sscanf(line, "body %zu", &body_len) != 1 || strlen(cur) < body_len + 1 ||
	    !(out->body = strndup(cur, body_len)))
		goto bad;
	cur += body_len + 1;
	while ((line = take_line(&cur))) {
		if (strncmp(line, "map ", 4) == 0) {
			add_map(&b, line + 4);
		} else if (sscanf(line, "in %u", &map) == 1) {
			if (map >= out->n_maps)
				goto bad;
		} else if (sscanf(line, "e %zu %n", &key_len, &used) == 1 && used > 0 &&
			   key_len <= strlen(line + used)) {
			char *t = line + used;
			char saved = t[key_len];
			t[key_len] = '\0';
			char *key = strdup(t);
			t[key_len] = saved;
			if (key)
				add_elem(&b, map, key, t + key_len);
			else
				b.failed = true;
			free(key);
		} else {
			goto bad;
		}
		if (b.failed)
			break;
	}
	free(copy);
	if (b.failed) {
		program_free(out);
		return err_set(e, "out of memory");
	}
	return 0;
bad:
	free(copy);
	program_free(out);
	return err_set(e, "the saved nftables program is damaged");
}
