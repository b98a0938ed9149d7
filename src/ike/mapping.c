// SPDX-License-Identifier: MIT
/* mapping.c - negotiate rules to strongSwan connections. Windows 2000/2003
 * speak IKEv1 (main mode, then quick mode), so the connections are
 * version 1, and the offers keep the order the policy gives them. */
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "ike/mapping.h"
#include "engine/classify.h"
#include "model/auth.h"

/* inpass (SPEC §2.5): an inbound XFRM policy requires ESP of what it
 * matches, and so would drop the clear inbound inpass accepts. With this
 * mark on them (mark_in), charon's inbound policies of an inpass rule
 * match no packet: nothing marks them. Protected packets still carry
 * their secpath, and outbound is untouched: a reply starts IKE. Not in
 * tunnel mode: a packet a tunnel SA decrypted is dropped when no inbound
 * policy matches it. */
#define IKE_INPASS_MARK "0x69707366/0xffffffff"

/* A main mode group number (SPEC §2.2) as strongSwan's DH group. */
static const char *dh_group(int g)
{
	return g == 1 ? "modp768" : g == 3 ? "modp2048" : "modp1024";
}

static void lower(char *s)
{
	for (; *s; s++)
		*s = (char)tolower((unsigned char)*s);
}

static void note(struct ike_conn *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(struct ike_conn *c, const char *fmt, ...)
{
	size_t used = strlen(c->notes);
	va_list ap;

	if (used + 2 >= sizeof(c->notes))
		return;
	va_start(ap, fmt);
	vsnprintf(c->notes + used, sizeof(c->notes) - used - 1, fmt, ap);
	va_end(ap);
	strcat(c->notes, "\n");
}

/* "3DES-SHA1-2 DES-MD5-1" -> proposals 3des-sha1-modp1024, des-md5-modp768;
 * the first group is the one quick mode PFS uses. */
static void mm_proposals(struct vici_msg *m, const char *methods, const char **pfs_group)
{
	char copy[METHODS_MAX_LEN], *save = NULL;

	*pfs_group = NULL;
	snprintf(copy, sizeof(copy), "%s", methods[0] ? methods : "3DES-SHA1-2");
	vici_list_start(m, "proposals");
	for (char *tok = strtok_r(copy, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		char conf[16], hash[16], item[64];
		int group;
		if (sscanf(tok, "%15[^-]-%15[^-]-%d", conf, hash, &group) != 3)
			continue;
		lower(conf);
		lower(hash);
		snprintf(item, sizeof(item), "%s-%s-%s", conf, hash, dh_group(group));
		vici_list_item(m, item);
		if (!*pfs_group)
			*pfs_group = dh_group(group);
	}
	vici_list_end(m);
}

struct qm_offers {
	char esp[16][64], ah[16][64];
	int n_esp, n_ah;
	long kbytes, seconds; /* of the first offer: one lifetime per CHILD_SA */
};

/* "ESP[3DES,SHA1]" -> "3des-sha1"; None as null encryption or no
 * integrity. */
static void esp_proposal(const char *part, const char *ah_hash, const char *pfs, char *out,
			 size_t len)
{
	char conf[16] = "", auth[16] = "";

	sscanf(part, "ESP[%15[^,],%15[^]]]", conf, auth);
	lower(conf);
	lower(auth);
	if (strcmp(auth, "none") == 0 && ah_hash)
		snprintf(auth, sizeof(auth), "%s", ah_hash);
	snprintf(out, len, "%s%s%s%s%s", strcmp(conf, "none") == 0 ? "null" : conf,
		 strcmp(auth, "none") ? "-" : "", strcmp(auth, "none") ? auth : "", pfs ? "-" : "",
		 pfs ? pfs : "");
}

static void qm_offers_parse(const char *methods, const char *pfs, struct qm_offers *q,
			    struct ike_conn *c)
{
	char copy[METHODS_MAX_LEN], *save = NULL;
	bool bundle_noted = false, lifetimes_differ = false;

	memset(q, 0, sizeof(*q));
	snprintf(copy, sizeof(copy), "%s", methods);
	for (char *tok = strtok_r(copy, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		char *colon = strchr(tok, ':'), *plus;
		long k = 0, s = 0;
		if (!colon)
			continue;
		*colon = 0;
		sscanf(colon + 1, "%ldk/%lds", &k, &s);
		if (q->n_esp + q->n_ah == 0) {
			q->kbytes = k;
			q->seconds = s;
		} else if (k != q->kbytes || s != q->seconds) {
			lifetimes_differ = true;
		}
		if ((plus = strchr(tok, '+'))) {
			/* AH[H]+ESP[C,A]: strongSwan negotiates no SA bundles. */
			char hash[16] = "";
			sscanf(tok, "AH[%15[^]]]", hash);
			lower(hash);
			if (q->n_esp < 16)
				esp_proposal(plus + 1, hash, pfs, q->esp[q->n_esp++], 64);
			if (!bundle_noted)
				note(c, "AH+ESP offers: strongSwan has no SA bundles; ESP alone is "
					"offered, with the AH hash as its integrity where ESP had none");
			bundle_noted = true;
		} else if (strncmp(tok, "ESP[", 4) == 0 && q->n_esp < 16) {
			esp_proposal(tok, NULL, pfs, q->esp[q->n_esp++], 64);
		} else if (strncmp(tok, "AH[", 3) == 0 && q->n_ah < 16) {
			char hash[16] = "";
			sscanf(tok, "AH[%15[^]]]", hash);
			lower(hash);
			snprintf(q->ah[q->n_ah++], 64, "%s%s%s", hash, pfs ? "-" : "", pfs ? pfs : "");
		}
	}
	if (lifetimes_differ)
		note(c, "quick mode lifetimes: a CHILD_SA has one, the first offer's (%ldk/%lds)",
		     q->kbytes, q->seconds);
}

static void emit_child_settings(struct vici_msg *m, const struct qm_offers *q, bool tunnel,
				bool trap)
{
	if (q->n_esp) {
		vici_list_start(m, "esp_proposals");
		for (int i = 0; i < q->n_esp; i++)
			vici_list_item(m, q->esp[i]);
		vici_list_end(m);
	}
	if (q->n_ah) {
		vici_list_start(m, "ah_proposals");
		for (int i = 0; i < q->n_ah; i++)
			vici_list_item(m, q->ah[i]);
		vici_list_end(m);
	}
	/* Windows' lifetimes are hard limits: rekey at nine tenths. */
	if (q->seconds > 0) {
		vici_kvf(m, "rekey_time", "%lds", q->seconds * 9 / 10);
		vici_kvf(m, "life_time", "%lds", q->seconds);
	}
	if (q->kbytes > 0) {
		vici_kvf(m, "rekey_bytes", "%ld", q->kbytes * 1024 * 9 / 10);
		vici_kvf(m, "life_bytes", "%ld", q->kbytes * 1024);
	}
	vici_kv(m, "mode", tunnel ? "tunnel" : "transport");
	vici_kv(m, "start_action", trap ? "trap" : "none");
}

/* The authentication of a rule: the first method strongSwan has. */
struct auth_pick {
	char kind[16];
	char value[AUTH_MAX_LEN];
	bool kerberos_skipped;
};

static void pick_auth(const char *kind, const char *value, void *ctx)
{
	struct auth_pick *p = ctx;

	if (p->kind[0])
		return;
	if (strcmp(kind, "kerberos") == 0) {
		p->kerberos_skipped = true;
		return;
	}
	snprintf(p->kind, sizeof(p->kind), "%s", kind);
	snprintf(p->value, sizeof(p->value), "%s", value ? value : "");
}

/* Local and remote auth sections and the shared key; false when the rule
 * has no method strongSwan can use. */
static bool emit_auth(struct ike_conn *c, const char *auth, const char *owners)
{
	struct auth_pick p = { 0 };

	auth_each(auth[0] ? auth : "kerberos", pick_auth, &p);
	if (!p.kind[0]) {
		note(c, "kerberos: strongSwan has no Kerberos (GSS-API) authentication, and the rule "
			"names no other method: not negotiated, its traffic stays blocked");
		return false;
	}
	if (p.kerberos_skipped)
		note(c, "kerberos: strongSwan has no Kerberos (GSS-API) authentication; the next "
			"method in the rule's order is used (%s)", p.kind);
	if (strcmp(p.kind, "psk") == 0) {
		vici_section_start(&c->conn, "local");
		vici_kv(&c->conn, "auth", "psk");
		vici_section_end(&c->conn);
		vici_section_start(&c->conn, "remote");
		vici_kv(&c->conn, "auth", "psk");
		vici_section_end(&c->conn);
		vici_kv(&c->secret, "id", c->name);
		vici_kv(&c->secret, "type", "IKE");
		vici_kv(&c->secret, "data", p.value);
		if (owners && *owners) {
			char copy[4096], *save = NULL;
			snprintf(copy, sizeof(copy), "%s", owners);
			vici_list_start(&c->secret, "owners");
			for (char *o = strtok_r(copy, ",", &save); o; o = strtok_r(NULL, ",", &save))
				vici_list_item(&c->secret, o);
			vici_list_end(&c->secret);
		}
		return true;
	}
	/* rootca: "<CA name> certmap:yes|no excludecaname:yes|no" */
	char ca[AUTH_MAX_LEN];
	char *cut = strstr(p.value, " certmap:");
	snprintf(ca, sizeof(ca), "%.*s", (int)(cut ? (size_t)(cut - p.value) : strlen(p.value)),
		 p.value);
	vici_section_start(&c->conn, "local");
	vici_kv(&c->conn, "auth", "pubkey");
	vici_section_end(&c->conn);
	vici_section_start(&c->conn, "remote");
	vici_kv(&c->conn, "auth", "pubkey");
	vici_kv(&c->conn, "ca_id", ca);
	vici_section_end(&c->conn);
	note(c, "rootca: the CA certificate goes in charon's x509ca folder and this host's "
		"certificate and key in x509 and private");
	if (cut && strstr(cut, "certmap:yes"))
		note(c, "rootca certmap: mapping certificates to Windows accounts has no strongSwan "
			"equivalent; any certificate the CA issued is accepted");
	return true;
}

/* "192.0.2.0/24", from an entry side. */
static void side_text(const struct fentry *en, bool dst, int family, char *buf, size_t len)
{
	struct ip_prefix p = { .family = (uint8_t)family, .len = dst ? en->dst_len : en->src_len };

	memcpy(p.bytes, dst ? en->dst : en->src, 16);
	if (!en->family) {
		snprintf(buf, len, "%s", family == AF_INET ? "0.0.0.0/0" : "::/0");
		return;
	}
	ip_format(&p, buf, len);
	if (!strchr(buf, '/'))
		snprintf(buf + strlen(buf), len - strlen(buf), "/%u", p.len);
}

/* "[tcp/80]", "[udp]", "[47]" or "". */
static void ts_suffix(uint8_t proto, struct port_range port, char *buf, size_t len)
{
	const char *name = proto == PROTO_TCP ? "tcp" : proto == PROTO_UDP ? "udp" : NULL;
	char pn[8];

	if (proto == PROTO_ANY) {
		buf[0] = 0;
		return;
	}
	if (!name) {
		snprintf(pn, sizeof(pn), "%u", proto);
		name = pn;
	}
	if (name == pn || port_is_any(port))
		snprintf(buf, len, "[%s]", name);
	else if (port_is_single(port))
		snprintf(buf, len, "[%s/%u]", name, port.lo);
	else
		snprintf(buf, len, "[%s/%u-%u]", name, port.lo, port.hi);
}

/* Adds s to a comma-separated set. */
static void set_add(char *set, size_t cap, const char *s)
{
	size_t n = strlen(s), used = strlen(set);

	for (const char *p = set; *p;) {
		const char *end = strchr(p, ',');
		size_t l = end ? (size_t)(end - p) : strlen(p);
		if (l == n && strncmp(p, s, n) == 0)
			return;
		p += l + (end ? 1 : 0);
	}
	if (used + n + 2 <= cap)
		snprintf(set + used, cap - used, "%s%s", used ? "," : "", s);
}

static void emit_list(struct vici_msg *m, const char *name, const char *set)
{
	char copy[4096], *save = NULL;

	snprintf(copy, sizeof(copy), "%s", set);
	vici_list_start(m, name);
	for (char *s = strtok_r(copy, ",", &save); s; s = strtok_r(NULL, ",", &save))
		vici_list_item(m, s);
	vici_list_end(m);
}

/* One filter's traffic selectors: the side that is `me` is local. */
struct ts_sets {
	char local[4096], remote[4096], peers[4096];
};

/* A host address of this machine, on one side of an entry. */
static bool side_is_local(const struct fentry *en, bool dst, const struct host_facts *facts)
{
	unsigned full = en->family == AF_INET ? 32 : 128;

	if ((dst ? en->dst_kind : en->src_kind) == SIDE_ME)
		return true;
	if (!en->family || (dst ? en->dst_len : en->src_len) != full)
		return false;
	for (size_t i = 0; i < facts->n_addrs; i++)
		if (facts->addrs[i].ip.family == en->family &&
		    memcmp(facts->addrs[i].ip.bytes, dst ? en->dst : en->src, full / 8) == 0)
			return true;
	return false;
}

/* The entry's remote side holds peer (of its family)? */
static bool remote_holds(const struct fentry *en, bool local_is_dst, const struct ip_prefix *peer)
{
	if (en->family && en->family != peer->family)
		return false;
	if (!en->family)
		return true;
	return prefix_matches(local_is_dst ? en->src : en->dst,
			      local_is_dst ? en->src_len : en->dst_len, peer->bytes);
}

/* The traffic selectors of filter fi; with peer, only its entries whose
 * remote side holds peer, narrowed to it. */
static void filter_ts(const struct ftable *t, const struct host_facts *facts, uint32_t fi,
		      const struct ip_prefix *peer, struct ts_sets *ts)
{
	memset(ts, 0, sizeof(*ts));
	for (size_t i = 0; i < t->n_entries; i++) {
		const struct fentry *en = &t->entries[i];
		if (en->filter != fi || (en->flags & EF_MIRROR))
			continue;
		/* the side that is this host is local; when neither is, the source */
		bool local_is_dst = side_is_local(en, true, facts) && !side_is_local(en, false, facts);
		int fams[2] = { en->family ? en->family : AF_INET, en->family ? 0 : AF_INET6 };
		if (peer && !remote_holds(en, local_is_dst, peer))
			continue;
		if (peer)
			fams[0] = peer->family, fams[1] = 0;
		for (int k = 0; k < 2 && fams[k]; k++) {
			char l[64], r[64], ls[24], rs_[24], item[96];
			side_text(en, local_is_dst, fams[k], l, sizeof(l));
			side_text(en, !local_is_dst, fams[k], r, sizeof(r));
			if (peer) {
				ip_format(peer, r, sizeof(r));
				snprintf(r + strlen(r), sizeof(r) - strlen(r), "/%d",
					 family_bits(peer->family));
			}
			ts_suffix(en->proto, local_is_dst ? en->dport : en->sport, ls, sizeof(ls));
			ts_suffix(en->proto, local_is_dst ? en->sport : en->dport, rs_, sizeof(rs_));
			snprintf(item, sizeof(item), "%s%s", l, ls);
			set_add(ts->local, sizeof(ts->local), item);
			snprintf(item, sizeof(item), "%s%s", r, rs_);
			set_add(ts->remote, sizeof(ts->remote), item);
			bool wildcard = strcmp(r, "0.0.0.0/0") == 0 || strcmp(r, "::/0") == 0;
			set_add(ts->peers, sizeof(ts->peers), wildcard ? "%any" : r);
		}
	}
}

static void conn_init(struct ike_conn *c, const char *guid, const char *suffix)
{
	char hex[9] = "";
	size_t n = 0;

	memset(c, 0, sizeof(*c));
	for (const char *p = guid; *p && n < 8; p++)
		if (isxdigit((unsigned char)*p))
			hex[n++] = (char)tolower((unsigned char)*p);
	snprintf(c->name, sizeof(c->name), "ipsecfw-%s%s", hex, suffix);
	vici_msg_init(&c->conn);
	vici_msg_init(&c->secret);
	c->mapped = true;
}

/* version, addresses, main mode proposals and lifetime; returns the DH
 * group of quick mode PFS. */
static const char *emit_ike(struct ike_conn *c, const struct rs_policy *p, const char *remote)
{
	const char *group;

	vici_section_start(&c->conn, c->name);
	vici_kv(&c->conn, "version", "1");
	emit_list(&c->conn, "remote_addrs", remote);
	mm_proposals(&c->conn, p->mmsecmethods, &group);
	if (p->mmlifetime > 0)
		vici_kvf(&c->conn, "rekey_time", "%lds", p->mmlifetime * 60);
	if (p->mmpfs)
		note(c, "mmpfs: strongSwan has no main mode per quick mode; its quick modes share the "
			"main mode SA, and get fresh keys only with qmpfs");
	else if (p->qmpermm > 0)
		note(c, "qmpermm=%ld: strongSwan does not limit quick modes per main mode",
		     p->qmpermm);
	return group;
}

/* A dynamic rule's main mode policy as a ruleset policy (no default
 * response rule: the dynamic SPD has none). */
static const struct rs_policy *dyn_main_mode(const struct rs_ike_rule *ike, struct rs_policy *p)
{
	memset(p, 0, sizeof(*p));
	p->qmpermm = ike->mm_qmpermm;
	p->mmpfs = ike->mm_qmpermm == 1;
	p->mmlifetime = ike->mm_lifetime;
	snprintf(p->mmsecmethods, sizeof(p->mmsecmethods), "%s", ike->mm_secmethods);
	return p;
}

static int map_rule(const struct ruleset *rs, const struct ftable *t,
		    const struct host_facts *facts, size_t ri, struct ike_conn *c)
{
	const struct ruleset_rule *r = &t->rules[ri];
	struct rs_policy dyn_mm;
	const struct rs_policy *p = r->ike.dynamic ? dyn_main_mode(&r->ike, &dyn_mm)
						   : &rs->policies[r->ike.policy];
	bool tunnel = r->ike.tunnel[0] != 0;
	char peers[4096] = "";
	struct ts_sets *ts = malloc(sizeof(*ts));
	struct qm_offers q;
	const char *group;

	if (!ts)
		return -1;
	conn_init(c, r->ike.guid, "");
	if (r->ike.dynamic)
		snprintf(c->origin, sizeof(c->origin), "dynamic rule %s (mmpolicy '%s')", r->rule,
			 r->policy);
	else
		snprintf(c->origin, sizeof(c->origin), "rule '%s' of policy '%s' (%s)", r->rule,
			 r->policy, r->store_name);
	for (uint32_t fi = 0; fi < t->n_filters; fi++)
		if (t->filters[fi].rule == ri) {
			filter_ts(t, facts, fi, NULL, ts);
			if (ts->peers[0])
				set_add(peers, sizeof(peers), ts->peers);
		}
	if (strstr(peers, "%any"))
		snprintf(peers, sizeof(peers), "%%any");
	if (tunnel)
		snprintf(peers, sizeof(peers), "%s", r->ike.tunnel);
	group = emit_ike(c, p, peers[0] ? peers : "%any");
	c->rule = (long)ri;
	if (r->inpass && tunnel)
		note(c, "inpass: not for a tunnel rule (what its SAs decrypt needs the inbound "
			"policy), so XFRM drops its clear inbound");
	else if (r->inpass)
		note(c, "inpass: charon's inbound policies match only mark " IKE_INPASS_MARK
			" (mark_in), which no packet carries, so clear inbound is left to ipsecfw's "
			"nftables rules; replies still start IKE");
	if (r->soft && tunnel)
		note(c, "soft: no fallback to clear for a tunnel rule (its peer is the endpoint, not "
			"the traffic's)");
	else if (r->soft) {
		c->soft_seconds = r->ike.mm_softsa > 0 ? r->ike.mm_softsa : SOFT_SECONDS_DEFAULT;
		note(c, "soft: a peer that does not answer IKE gets clear traffic for %ld s (pass "
			"policies in charon, the peer in nftables' soft set), then IKE again",
		     c->soft_seconds);
	}
	if (!emit_auth(c, r->ike.auth, strcmp(peers, "%any") ? peers : NULL)) {
		c->mapped = false;
		free(ts);
		return 0;
	}
	if (r->ike.qmpfs && r->ike.qmpfs_group)
		group = dh_group(r->ike.qmpfs_group);
	qm_offers_parse(r->ike.qmsecmethods, r->ike.qmpfs ? group : NULL, &q, c);
	vici_section_start(&c->conn, "children");
	for (uint32_t fi = 0; fi < t->n_filters; fi++) {
		char child[32];
		if (t->filters[fi].rule != ri)
			continue;
		filter_ts(t, facts, fi, NULL, ts);
		if (!ts->local[0])
			continue; /* no entries with today's facts (no servers of its type) */
		snprintf(child, sizeof(child), "f%lld", (long long)t->filters[fi].f.id);
		vici_section_start(&c->conn, child);
		emit_list(&c->conn, "local_ts", ts->local);
		emit_list(&c->conn, "remote_ts", ts->remote);
		emit_child_settings(&c->conn, &q, tunnel, true);
		if (r->inpass && !tunnel)
			vici_kv(&c->conn, "mark_in", IKE_INPASS_MARK);
		vici_section_end(&c->conn);
	}
	vici_section_end(&c->conn);
	vici_section_end(&c->conn);
	free(ts);
	return 0;
}

/* The default response rule (SPEC §5.6): answers any peer that starts
 * IKE, for the traffic it asks for; never starts anything. */
static void map_default(const struct rs_policy *p, struct ike_conn *c)
{
	struct qm_offers q;
	const char *group;

	conn_init(c, p->guid, "-default");
	c->rule = -1;
	snprintf(c->origin, sizeof(c->origin), "default response rule of policy '%s' (%s)", p->name,
		 p->store_name);
	group = emit_ike(c, p, "%any");
	if (!emit_auth(c, p->defrule.auth, NULL)) {
		c->mapped = false;
		return;
	}
	qm_offers_parse(p->defrule.qmsecmethods, p->defrule.qmpfs ? group : NULL, &q, c);
	vici_section_start(&c->conn, "children");
	vici_section_start(&c->conn, "respond");
	emit_list(&c->conn, "local_ts", "dynamic");
	emit_list(&c->conn, "remote_ts", "dynamic");
	emit_child_settings(&c->conn, &q, false, false);
	vici_section_end(&c->conn);
	vici_section_end(&c->conn);
	vici_section_end(&c->conn);
}

/* "192.0.2.20" -> "192_0_2_20": a child's name has no dots. */
static void name_safe(const char *in, char *out, size_t len)
{
	size_t n = 0;

	for (; *in && n + 1 < len; in++)
		out[n++] = isalnum((unsigned char)*in) ? *in : '_';
	out[n] = 0;
}

/* The fallbacks of connection rc (a soft rule's) as the pass CHILD_SAs
 * of "<name>-clear"; not mapped when no fallback names its peer. */
static int map_clear(const struct ftable *t, const struct host_facts *facts,
		     const struct ike_conn *rc, const struct ike_fallback *fb, size_t n_fb,
		     struct ike_conn *c)
{
	struct ts_sets *ts = malloc(sizeof(*ts));
	size_t children = 0;

	if (!ts)
		return -1;
	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "%.50s-clear", rc->name);
	snprintf(c->origin, sizeof(c->origin), "soft fallback to clear of %.500s", rc->origin);
	c->rule = rc->rule;
	vici_msg_init(&c->conn);
	vici_msg_init(&c->secret);
	vici_section_start(&c->conn, c->name);
	vici_section_start(&c->conn, "children");
	for (size_t k = 0; k < n_fb; k++) {
		struct addr peer;
		char safe[64];
		struct err ignored;
		int inline_len;
		if (strcmp(fb[k].conn, rc->name) != 0 ||
		    addr_parse(fb[k].peer, &peer, &inline_len, &ignored) != ADDR_PARSED ||
		    peer.kind != ADDR_IP || inline_len >= 0)
			continue;
		note(c, "clear with %s: it did not answer IKE", fb[k].peer);
		name_safe(fb[k].peer, safe, sizeof(safe));
		for (uint32_t fi = 0; fi < t->n_filters; fi++) {
			char child[96];
			if (t->filters[fi].rule != (uint32_t)rc->rule)
				continue;
			filter_ts(t, facts, fi, &peer.ip, ts);
			if (!ts->local[0])
				continue;
			snprintf(child, sizeof(child), "f%lld-clear-%s",
				 (long long)t->filters[fi].f.id, safe);
			vici_section_start(&c->conn, child);
			emit_list(&c->conn, "local_ts", ts->local);
			emit_list(&c->conn, "remote_ts", ts->remote);
			vici_kv(&c->conn, "mode", "pass");
			vici_kv(&c->conn, "start_action", "trap");
			vici_section_end(&c->conn);
			children++;
		}
	}
	vici_section_end(&c->conn);
	vici_section_end(&c->conn);
	c->mapped = children > 0;
	free(ts);
	return 0;
}

static void conn_free(struct ike_conn *c)
{
	vici_msg_free(&c->conn);
	vici_msg_free(&c->secret);
}

static struct ike_conn *conn_add(struct ike_config *cfg)
{
	struct ike_conn *grown = realloc(cfg->conns, (cfg->n + 1) * sizeof(*grown));

	if (!grown)
		return NULL;
	cfg->conns = grown;
	return &cfg->conns[cfg->n++];
}

int ike_map(const struct ruleset *rs, const struct ftable *t, const struct host_facts *facts,
	    const struct ike_fallback *fallbacks, size_t n_fallbacks, struct ike_config *out,
	    struct err *e)
{
	size_t n_mapped;

	memset(out, 0, sizeof(*out));
	for (size_t pi = 0; pi < rs->n_policies; pi++) {
		struct ike_conn *c;
		if (!rs->policies[pi].defrule.active)
			continue;
		if (!(c = conn_add(out)))
			goto oom;
		map_default(&rs->policies[pi], c);
	}
	for (size_t ri = 0; ri < t->n_rules; ri++) {
		const struct ruleset_rule *r = &t->rules[ri];
		struct ike_conn *c;
		if (r->action_in != ACTION_NEGOTIATE && r->action_out != ACTION_NEGOTIATE)
			continue;
		if (!r->ike.dynamic && (r->ike.policy < 0 || (size_t)r->ike.policy >= rs->n_policies))
			continue;
		if (!(c = conn_add(out)) || map_rule(rs, t, facts, ri, c) < 0)
			goto oom;
	}
	n_mapped = out->n;
	for (size_t i = 0; n_fallbacks && i < n_mapped; i++) {
		struct ike_conn *c;
		if (!out->conns[i].mapped || !out->conns[i].soft_seconds)
			continue;
		if (!(c = conn_add(out)) ||
		    map_clear(t, facts, &out->conns[i], fallbacks, n_fallbacks, c) < 0)
			goto oom;
		if (!c->mapped) {
			conn_free(c);
			out->n--;
		}
	}
	for (size_t i = 0; i < out->n; i++)
		if (out->conns[i].conn.failed || out->conns[i].secret.failed) {
			ike_config_free(out);
			return err_set(e, "IKE mapping: a name or value too long for VICI");
		}
	return 0;
oom:
	ike_config_free(out);
	return err_set(e, "out of memory");
}

void ike_config_free(struct ike_config *c)
{
	for (size_t i = 0; i < c->n; i++)
		conn_free(&c->conns[i]);
	free(c->conns);
	memset(c, 0, sizeof(*c));
}

static void write_notes(const struct ike_conn *c, FILE *out, int indent)
{
	const char *p = c->notes;

	while (*p) {
		const char *end = strchr(p, '\n');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		fprintf(out, "%*s# %.*s\n", indent * 4, "", (int)n, p);
		p += n + (end ? 1 : 0);
	}
}

void ike_write_conf(const struct ike_config *c, FILE *out)
{
	bool secrets = false;

	fprintf(out, "connections {\n");
	for (size_t i = 0; i < c->n; i++) {
		const struct ike_conn *k = &c->conns[i];
		fprintf(out, "%s    # %s%s\n", i ? "\n" : "", k->origin,
			k->mapped ? "" : ": not mapped");
		write_notes(k, out, 1);
		if (k->mapped)
			vici_write_conf(&k->conn, out, 1);
		secrets |= k->mapped && k->secret.n > 0;
	}
	fprintf(out, "}\n");
	if (!secrets)
		return;
	fprintf(out, "\nsecrets {\n");
	for (size_t i = 0; i < c->n; i++) {
		const struct ike_conn *k = &c->conns[i];
		size_t n = 0;
		if (!k->mapped || !k->secret.n)
			continue;
		/* the key itself is never shown */
		fprintf(out, "    ike-%s {\n        secret = <hidden>\n", k->name);
		for (size_t j = 0; j < k->secret.n; j++)
			if (k->secret.elems[j].type == VICI_LIST_ITEM)
				fprintf(out, "        id-%zu = %s\n", ++n,
					(const char *)k->secret.elems[j].value);
		fprintf(out, "    }\n");
	}
	fprintf(out, "}\n");
}
