// SPDX-License-Identifier: MIT
/* convert.c - see convert.h. Field meanings from MS-GPIPSEC §2.2.1; where
 * the specification and Windows' own objects disagree, the objects win and
 * README.md's list of unverified points says so. */
#include "gpipsec/convert.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "model/auth.h"
#include "model/secmethods.h"

static const char *what(const struct gp_object *o)
{
	return o->dn;
}

static int need_kind(const struct gp_object *o, enum gp_blob_kind k, struct err *e)
{
	static const char *const names[] = { "policy", "ISAKMP policy", "NFA",
					     "negotiation policy", "filter" };

	if (o->blob.kind != k)
		return err_set(e, "%s: ipsecData: its type GUID is not the %s one", what(o),
			       names[k]);
	return 0;
}

static int text_of(const struct gp_object *o, const struct gp_bytes *b, const char *field,
		   char *out, size_t cap, struct err *e)
{
	return utf16_to_utf8(b->p, b->n, out, cap, what(o), field, e);
}

static int copy_attr(const struct gp_object *o, const char *v, char *dst, size_t cap,
		     const char *attr, struct err *e)
{
	if (!v) {
		dst[0] = '\0';
		return 0;
	}
	if (strlen(v) >= cap)
		return err_set(e, "%s: %s: longer than %zu bytes", what(o), attr, cap - 1);
	memcpy(dst, v, strlen(v) + 1);
	return 0;
}

static int guid_attr(const struct gp_object *o, char out[GUID_LEN], struct err *e)
{
	struct gp_guid g;

	if (!o->id || guid_parse(o->id, &g) < 0)
		return err_set(e, "%s: ipsecID: '%s' is not a braced GUID", what(o),
			       o->id ? o->id : "");
	guid_format(&g, out);
	return 0;
}

/* --- objects -> model --- */

int conv_policy(const struct gp_object *o, struct policy *p, struct err *e)
{
	if (need_kind(o, GPB_POLICY, e) < 0)
		return -1;
	if (!o->name || !o->name[0])
		return err_set(e, "%s: ipsecName: a policy needs a name", what(o));
	if (guid_attr(o, p->guid, e) < 0 ||
	    copy_attr(o, o->name, p->name, sizeof(p->name), "ipsecName", e) < 0 ||
	    copy_attr(o, o->description, p->description, sizeof(p->description), "description", e) < 0)
		return -1;
	/* Seconds; 0 means 10,800 (§2.2.1.1). The model keeps minutes. */
	p->pollinginterval = o->blob.u.polling ? (o->blob.u.polling + 59) / 60 : 180;
	return 0;
}

static const char *mm_enc(uint32_t v)
{
	return v == 1 ? "DES" : v == 2 || v == 3 ? "3DES" : NULL;
}

static const char *mm_hash(uint32_t v)
{
	return v == 1 ? "MD5" : v == 2 ? "SHA1" : NULL;
}

static int mm_group(uint32_t v)
{
	return v == 1 ? 1 : v == 2 ? 2 : v == 0x10000001u ? 3 : -1;
}

/* New-DH-n and Random-Function: 1 DES-MD5, 2 DES-SHA1, 3 3DES-MD5, 4 3DES-SHA1, DH2048. */
static const char *const dh2048[] = { NULL, "DES-MD5-3", "DES-SHA1-3", "3DES-MD5-3", "3DES-SHA1-3" };

static int mm_append(char *buf, size_t cap, const char *item)
{
	size_t l = strlen(buf);

	return snprintf(buf + l, cap - l, "%s%s", l ? " " : "", item) >= (int)(cap - l) ? -1 : 0;
}

int conv_isakmp(const struct gp_object *o, struct policy *p, struct err *e)
{
	const struct gp_isakmp_blob *k = &o->blob.u.isakmp;
	char methods[METHODS_MAX_LEN] = "", item[32];

	if (need_kind(o, GPB_ISAKMP, e) < 0)
		return -1;
	p->mmpfs = k->master_pfs != 0;
	p->qmpermm = p->mmpfs ? 1 : k->qm_limit;
	p->mmlifetime = k->mm_lifetime ? (k->mm_lifetime + 59) / 60 : 480;
	for (int i = 0; i < 4 && k->new_dh[i]; i++) {
		if (k->new_dh[i] > 4)
			return err_set(e, "%s: ipsecData New-DH-%d: unknown value %u", what(o), i + 1,
				       k->new_dh[i]);
		if (mm_append(methods, sizeof(methods), dh2048[k->new_dh[i]]) < 0)
			return err_set(e, "%s: ipsecData: too many main-mode offers", what(o));
	}
	for (uint32_t i = 0; i < k->n_methods; i++) {
		const struct gp_mm_method *m = &k->methods[i];

		if (m->random_fn) {
			if (m->random_fn > 4)
				return err_set(e, "%s: ipsecData Random-Function of method %u: unknown value %u",
					       what(o), i + 1, m->random_fn);
			snprintf(item, sizeof(item), "%s", dh2048[m->random_fn]);
		} else {
			if (!mm_enc(m->enc))
				return err_set(e, "%s: ipsecData Encryption-Algorithm-ID of method %u: %u is not DES or 3DES",
					       what(o), i + 1, m->enc);
			if (!mm_hash(m->hash))
				return err_set(e, "%s: ipsecData Hash-Algorithm-ID of method %u: %u is not MD5 or SHA-1",
					       what(o), i + 1, m->hash);
			if (mm_group(m->group) < 0)
				return err_set(e, "%s: ipsecData Oakley-Group of method %u: unknown group %#x",
					       what(o), i + 1, m->group);
			snprintf(item, sizeof(item), "%s-%s-%d", mm_enc(m->enc), mm_hash(m->hash),
				 mm_group(m->group));
		}
		if (mm_append(methods, sizeof(methods), item) < 0)
			return err_set(e, "%s: ipsecData: too many main-mode offers", what(o));
	}
	if (methods[0] && mmsecmethods_parse(methods, p->mmsecmethods, sizeof(p->mmsecmethods), e) < 0)
		return err_prefix(e, "%s: ipsecData Security-Methods", what(o));
	return 0;
}

static int auth_text(const struct gp_object *o, const struct gp_nfa_blob *f, char *out, size_t cap,
		     struct err *e)
{
	struct auth_builder b;
	char value[AUTH_MAX_LEN];

	auth_begin(&b, out, cap);
	for (uint32_t i = 0; i < f->n_auth; i++) {
		const struct gp_auth_method *m = &f->auth[i];
		int rc;

		switch (m->type) {
		case GP_AUTH_KERBEROS: rc = auth_add_kerberos(&b, true, e); break;
		case GP_AUTH_PSK:
		case GP_AUTH_CERT:
			if (text_of(o, &m->data, "Auth-Method-Data", value, sizeof(value), e) < 0)
				return -1;
			rc = m->type == GP_AUTH_PSK ? auth_add_psk(&b, value, e) : auth_add_rootca(&b, value, e);
			break;
		default:
			return err_set(e, "%s: ipsecData Auth-Type of method %u: unknown type %u", what(o),
				       i + 1, m->type);
		}
		if (rc < 0)
			return err_prefix(e, "%s: ipsecData Auth-Method-Data of method %u", what(o), i + 1);
	}
	auth_end(&b);
	return 0;
}

int conv_nfa(const struct gp_object *o, struct rule *r, struct err *e)
{
	const struct gp_nfa_blob *f = &o->blob.u.nfa;
	char tunnel[ADDR_NAME_MAX];

	if (need_kind(o, GPB_NFA, e) < 0 || guid_attr(o, r->guid, e) < 0)
		return -1;
	/* An unnamed rule (Windows' default response NFAs) goes by its GUID. */
	if (copy_attr(o, o->name && o->name[0] ? o->name : r->guid, r->name, sizeof(r->name),
		      "ipsecName", e) < 0 ||
	    copy_attr(o, o->description, r->description, sizeof(r->description), "description", e) < 0)
		return -1;
	switch (f->iface_type) {
	case GP_IF_ALL: r->conntype = CONN_ALL; break;
	case GP_IF_LAN: r->conntype = CONN_LAN; break;
	case GP_IF_DIALUP: r->conntype = CONN_DIALUP; break;
	default:
		return err_set(e, "%s: ipsecData Interface-Type: unknown value %#x", what(o), f->iface_type);
	}
	if (f->is_active > 1)
		return err_set(e, "%s: ipsecData Is-Active-Specifier: %u is not 0 or 1", what(o), f->is_active);
	r->active = f->is_active == 1;
	r->tunnel[0] = '\0';
	if (f->is_tunnel > 1)
		return err_set(e, "%s: ipsecData Is-Tunnel-Specifier: %u is not 0 or 1", what(o), f->is_tunnel);
	if (f->is_tunnel) {
		if (text_of(o, &f->tunnel_name, "Tunnel-End-Point-Name", tunnel, sizeof(tunnel), e) < 0)
			return -1;
		if (!tunnel[0])
			inet_ntop(AF_INET, f->tunnel_addr, tunnel, sizeof(tunnel));
		memcpy(r->tunnel, tunnel, sizeof(r->tunnel));
	}
	return auth_text(o, f, r->auth, sizeof(r->auth), e);
}

bool negpol_is_default_response(const struct gp_object *o)
{
	return o->negpol_type && guid_text_equal(o->negpol_type, GP_TYPE_DEFAULT_RESPONSE);
}

static const char *qm_conf(uint32_t v)
{
	/* Windows' own blobs have 1 for DES and 3 for 3DES (the specification's
	 * table says 1 null, 2 DES): see README. */
	return v == 0 ? "None" : v == 1 || v == 2 ? "DES" : v == 3 ? "3DES" : NULL;
}

static int offer_text(const struct gp_object *o, uint32_t i, const struct gp_qm_offer *q, char *out,
		      size_t cap, struct err *e)
{
	char ah[32] = "", esp[48] = "";

	if (q->n_algos > GP_QM_ALGOS_MAX)
		return err_set(e, "%s: ipsecData Algorithm-Offer-Count of offer %u: %u is more than 3",
			       what(o), i + 1, q->n_algos);
	for (uint32_t a = 0; a < q->n_algos; a++) {
		const struct gp_qm_algo *g = &q->algos[a];

		if (g->type == GP_OFFER_AH && !ah[0] && mm_hash(g->alg)) {
			snprintf(ah, sizeof(ah), "AH[%s]", mm_hash(g->alg));
		} else if (g->type == GP_OFFER_ESP && !esp[0] && qm_conf(g->alg) &&
			   (g->integrity == 0 || mm_hash(g->integrity)) && (g->alg || g->integrity)) {
			snprintf(esp, sizeof(esp), "ESP[%s,%s]", qm_conf(g->alg),
				 g->integrity ? mm_hash(g->integrity) : "None");
		} else {
			return err_set(e, "%s: ipsecData algorithm %u of offer %u: Offer-Type %u, Algorithm-Identifier %u, ESP-Integrity-Identifier %u are no offer ipsecfw knows",
				       what(o), a + 1, i + 1, g->type, g->alg, g->integrity);
		}
	}
	snprintf(out, cap, "%s%s%s", ah, ah[0] && esp[0] ? "+" : "", esp);
	if (q->life_kb && q->life_secs) {
		size_t l = strlen(out);

		snprintf(out + l, cap - l, ":%uk/%us", q->life_kb, q->life_secs);
	}
	return 0;
}

int conv_negpol(const struct gp_object *o, struct filteraction *a, struct err *e)
{
	const struct gp_negpol_blob *q = &o->blob.u.negpol;
	char methods[METHODS_MAX_LEN] = "", item[96];
	bool dr = negpol_is_default_response(o);

	if (need_kind(o, GPB_NEGPOL, e) < 0 || guid_attr(o, a->guid, e) < 0)
		return -1;
	if (copy_attr(o, o->name && o->name[0] ? o->name : a->guid, a->name, sizeof(a->name),
		      "ipsecName", e) < 0 ||
	    copy_attr(o, o->description, a->description, sizeof(a->description), "description", e) < 0)
		return -1;
	if (!o->negpol_type || (!dr && !guid_text_equal(o->negpol_type, GP_TYPE_STANDARD)))
		return err_set(e, "%s: iPSECNegotiationPolicyType: '%s' is not a type MS-GPIPSEC defines",
			       what(o), o->negpol_type ? o->negpol_type : "");
	if (!o->negpol_action)
		return err_set(e, "%s: iPSECNegotiationPolicyAction is missing", what(o));
	a->inpass = false;
	if (guid_text_equal(o->negpol_action, GP_ACTION_BLOCK))
		a->action = ACTION_BLOCK;
	else if (guid_text_equal(o->negpol_action, GP_ACTION_PERMIT))
		a->action = ACTION_PERMIT;
	else if (guid_text_equal(o->negpol_action, GP_ACTION_SECURE))
		a->action = ACTION_NEGOTIATE;
	else if (guid_text_equal(o->negpol_action, GP_ACTION_INPASS))
		a->action = ACTION_NEGOTIATE, a->inpass = true;
	else
		return err_set(e, "%s: iPSECNegotiationPolicyAction: '%s' is not an action MS-GPIPSEC defines",
			       what(o), o->negpol_action);
	a->soft = a->qmpfs = false;
	for (uint32_t i = 0; i < q->n_offers; i++) {
		const struct gp_qm_offer *f = &q->offers[i];

		/* An offer without algorithms is "fall back to clear text". */
		if (f->n_algos == 0) {
			a->soft = true;
			continue;
		}
		if (f->pfs > 1)
			return err_set(e, "%s: ipsecData PFS-QM-Required of offer %u: %u is not 0 or 1",
				       what(o), i + 1, f->pfs);
		a->qmpfs = a->qmpfs || f->pfs == 1;
		if (offer_text(o, i, f, item, sizeof(item), e) < 0)
			return -1;
		if (mm_append(methods, sizeof(methods), item) < 0)
			return err_set(e, "%s: ipsecData: too many security offers", what(o));
	}
	if (methods[0] &&
	    qmsecmethods_parse(methods, a->qmsecmethods, sizeof(a->qmsecmethods), e) < 0)
		return err_prefix(e, "%s: ipsecData Security-Offer-Data", what(o));
	return 0;
}

static int mask_len(const uint8_t m[4])
{
	uint32_t v = (uint32_t)m[0] << 24 | (uint32_t)m[1] << 16 | (uint32_t)m[2] << 8 | m[3];
	int n = 0;

	while (n < 32 && (v & (0x80000000u >> n)))
		n++;
	return n < 32 && (v << n) ? -1 : n;
}

static int v1_addr(const struct gp_object *o, uint32_t i, const uint8_t ip[4], const uint8_t mask[4],
		   uint8_t special, bool src, struct addr *out, struct err *e)
{
	static const uint8_t zero[4], ones[4] = { 255, 255, 255, 255 };
	int len;

	if (special) {
		out->kind = ADDR_SERVER;
		out->server = (enum server_type)(special & 0x7F);
		return 0;
	}
	if (!memcmp(ip, zero, 4) && !memcmp(mask, zero, 4)) {
		out->kind = ADDR_ANY;
		return 0;
	}
	/* Address 0 with a host mask is "my IP address" (Windows' All IP Traffic). */
	if (!memcmp(ip, zero, 4) && !memcmp(mask, ones, 4)) {
		out->kind = ADDR_ME;
		return 0;
	}
	if ((len = mask_len(mask)) < 0)
		return err_set(e, "%s: ipsecData filter %u: Legacy-%s-Mask is not contiguous", what(o),
			       i + 1, src ? "Source" : "Destination");
	out->kind = ADDR_IP;
	out->ip.family = AF_INET;
	memcpy(out->ip.bytes, ip, 4);
	if (addr_apply_prefix(out, (uint8_t)len))
		return err_set(e, "%s: ipsecData filter %u: Legacy-%s-Address has bits outside its mask",
			       what(o), i + 1, src ? "Source" : "Destination");
	return 0;
}

static int v2_addr(const struct gp_object *o, uint32_t i, const struct gp_v2_addr *a, bool src,
		   struct addr *out, struct err *e)
{
	const char *side = src ? "Source-Address-Data" : "Destination-Address-Data";
	int fam = a->version == 1 ? AF_INET : a->version == 2 ? AF_INET6 : 0, len;

	switch (a->type) {
	case GP_V2_ANY: out->kind = ADDR_ANY; return 0;
	case GP_V2_ME: out->kind = ADDR_ME; return 0;
	case GP_V2_DNS: out->kind = ADDR_SERVER, out->server = SRV_DNS; return 0;
	case GP_V2_WINS: out->kind = ADDR_SERVER, out->server = SRV_WINS; return 0;
	case GP_V2_DHCP: out->kind = ADDR_SERVER, out->server = SRV_DHCP; return 0;
	case GP_V2_GATEWAY: out->kind = ADDR_SERVER, out->server = SRV_GATEWAY; return 0;
	case GP_V2_SINGLE:
	case GP_V2_SUBNET: break;
	case GP_V2_RANGE:
		return err_set(e, "%s: ipsecData filter %u: %s: address ranges have no ipsecfw filter",
			       what(o), i + 1, side);
	default:
		return err_set(e, "%s: ipsecData filter %u: %s: unknown IPsec-Address-Type %#x", what(o),
			       i + 1, side, a->type);
	}
	if (!fam)
		return err_set(e, "%s: ipsecData filter %u: %s: IPsec-Address-Version %u is not 1 or 2",
			       what(o), i + 1, side, a->version);
	out->kind = ADDR_IP;
	out->ip.family = (uint8_t)fam;
	memcpy(out->ip.bytes, a->ip, fam == AF_INET ? 4 : 16);
	len = family_bits(fam);
	if (a->type == GP_V2_SUBNET) {
		len = fam == AF_INET ? mask_len(a->ip2) : a->ip2[0] <= 128 ? a->ip2[0] : -1;
		if (len < 0)
			return err_set(e, "%s: ipsecData filter %u: %s: a bad subnet mask", what(o), i + 1,
				       side);
	}
	if (addr_apply_prefix(out, (uint8_t)len))
		return err_set(e, "%s: ipsecData filter %u: %s: bits outside the mask", what(o), i + 1, side);
	return 0;
}

static int v2_port(const struct gp_object *o, uint32_t i, const struct gp_v2_port *p, bool src,
		   struct port_range *out, struct err *e)
{
	switch (p->type) {
	case 0: *out = PORT_ANY; return 0;
	case 1: *out = p->port ? (struct port_range){ p->port, p->port } : PORT_ANY; return 0;
	case 2:
		if (p->port <= p->end) {
			*out = (struct port_range){ p->port, p->end };
			return 0;
		}
		break;
	default: break;
	}
	return err_set(e, "%s: ipsecData filter %u: IPsec-%s-Port: type %u from %u to %u", what(o), i + 1,
		       src ? "Source" : "Destination", p->type, p->port, p->end);
}

static int filter_texts(const struct gp_object *o, const struct gp_bytes *sd, const struct gp_bytes *dd,
			const struct gp_bytes *desc, struct filter *f, struct err *e)
{
	return text_of(o, sd, "Source-DNS-Name", f->src.name, sizeof(f->src.name), e) < 0 ||
			       text_of(o, dd, "Destination-DNS-Name", f->dst.name, sizeof(f->dst.name), e) < 0 ||
			       text_of(o, desc, "Filter-Description", f->description, sizeof(f->description), e) < 0
		       ? -1
		       : 0;
}

int conv_filter(const struct gp_object *o, struct gp_list *l, struct err *e)
{
	const struct gp_filter_blob *b = &o->blob.u.filter;
	size_t n;

	if (need_kind(o, GPB_FILTER, e) < 0 || guid_attr(o, l->list.guid, e) < 0)
		return -1;
	if (!o->name || !o->name[0])
		return err_set(e, "%s: ipsecName: a filter list needs a name", what(o));
	if (copy_attr(o, o->name, l->list.name, sizeof(l->list.name), "ipsecName", e) < 0 ||
	    copy_attr(o, o->description, l->list.description, sizeof(l->list.description),
		      "description", e) < 0)
		return -1;
	/* The version-2 filters, when there are any, are the whole list. */
	n = b->has_v2 && b->n2 ? b->n2 : b->n_v1;
	l->filters = calloc(n ? n : 1, sizeof(*l->filters));
	if (!l->filters)
		return err_set(e, "out of memory");
	for (uint32_t i = 0; i < n; i++) {
		struct filter *f = &l->filters[i];
		uint32_t mirror, proto;
		int rc;

		filter_init(f);
		if (b->has_v2 && b->n2) {
			const struct gp_v2_filter *v = &b->v2[i];

			guid_format(&v->id, f->guid);
			mirror = v->mirror;
			proto = v->proto;
			rc = filter_texts(o, &v->src_dns, &v->dst_dns, &v->description, f, e) < 0 ||
					     v2_addr(o, i, &v->src, true, &f->src, e) < 0 ||
					     v2_addr(o, i, &v->dst, false, &f->dst, e) < 0 ||
					     v2_port(o, i, &v->sport, true, &f->sport, e) < 0 ||
					     v2_port(o, i, &v->dport, false, &f->dport, e) < 0
				     ? -1
				     : 0;
		} else {
			const struct gp_v1_filter *v = &b->v1[i];
			uint8_t ss = v->special & 0x80 ? 0 : v->special, ds = v->special & 0x80 ? v->special : 0;

			guid_format(&v->id, f->guid);
			mirror = v->mirror;
			proto = v->proto;
			if ((v->special & 0x7F) > SRV_GATEWAY || (v->special && !(v->special & 0x7F)))
				return err_set(e, "%s: ipsecData filter %u: Legacy-Special-Filter: unknown value %#x",
					       what(o), i + 1, v->special);
			if (v->is_tunnel)
				return err_set(e, "%s: ipsecData filter %u: Legacy-Is-Tunnel: per-filter tunnels have no ipsecfw filter (the rule's tunnel does)",
					       what(o), i + 1);
			rc = filter_texts(o, &v->src_dns, &v->dst_dns, &v->description, f, e) < 0 ||
					     v1_addr(o, i, v->src, v->src_mask, ss, true, &f->src, e) < 0 ||
					     v1_addr(o, i, v->dst, v->dst_mask, ds, false, &f->dst, e) < 0
				     ? -1
				     : 0;
			f->sport = v->sport ? (struct port_range){ v->sport, v->sport } : PORT_ANY;
			f->dport = v->dport ? (struct port_range){ v->dport, v->dport } : PORT_ANY;
		}
		if (rc < 0)
			return -1;
		if (mirror > 1)
			return err_set(e, "%s: ipsecData filter %u: the mirror flag %u is not 0 or 1", what(o),
				       i + 1, mirror);
		if (proto > 255)
			return err_set(e, "%s: ipsecData filter %u: protocol %u is not 0..255", what(o), i + 1,
				       proto);
		f->mirrored = mirror == 1;
		f->proto = (uint8_t)proto;
		if (filter_validate(f, e) < 0)
			return err_prefix(e, "%s: ipsecData filter %u", what(o), i + 1);
		l->n_filters++;
	}
	return 0;
}

/* --- meaning --- */

static int append_fmt(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int append_fmt(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(*buf + *len, *cap - *len, fmt, ap);
		va_end(ap);
		if (n < 0)
			return -1;
		if ((size_t)n < *cap - *len) {
			*len += (size_t)n;
			return 0;
		}
		char *nb = realloc(*buf, *cap * 2 + (size_t)n);

		if (!nb)
			return -1;
		*buf = nb;
		*cap = *cap * 2 + (size_t)n;
	}
}

int object_meaning(const struct gp_object *o, char **out, struct err *e)
{
	size_t len = 0, cap = 512;
	char *buf = malloc(cap), key[512];
	int rc = 0;
	struct policy p;
	struct rule r;
	struct filteraction a;
	struct gp_list l = { 0 };

	if (!buf)
		return err_set(e, "out of memory");
	buf[0] = '\0';
	switch (o->cls) {
	case GPC_POLICY:
		policy_init(&p);
		rc = conv_policy(o, &p, e) < 0 ? -1 : append_fmt(&buf, &len, &cap, "%s|%s|%ld", p.name, p.description, p.pollinginterval);
		break;
	case GPC_ISAKMP:
		policy_init(&p);
		rc = conv_isakmp(o, &p, e) < 0 ? -1 : append_fmt(&buf, &len, &cap, "%d|%ld|%ld|%s", p.mmpfs, p.qmpermm, p.mmlifetime, p.mmsecmethods);
		break;
	case GPC_NFA:
		rule_init(&r);
		rc = conv_nfa(o, &r, e) < 0 ? -1 : append_fmt(&buf, &len, &cap, "%s|%s|%d|%d|%s|%s", r.name, r.description, r.conntype, r.active, r.tunnel, r.auth);
		break;
	case GPC_NEGPOL:
		filteraction_init(&a);
		rc = conv_negpol(o, &a, e) < 0 ? -1 : append_fmt(&buf, &len, &cap, "%s|%s|%d|%d|%d|%d|%s|%d", a.name, a.description, a.action, a.inpass, a.soft, a.qmpfs, a.qmsecmethods, negpol_is_default_response(o));
		break;
	case GPC_FILTER:
		rc = conv_filter(o, &l, e) < 0 ? -1 : append_fmt(&buf, &len, &cap, "%s|%s", l.list.name, l.list.description);
		for (size_t i = 0; rc == 0 && i < l.n_filters; i++) {
			filter_key(&l.filters[i], key, sizeof(key));
			rc = append_fmt(&buf, &len, &cap, "|%s %s %s %s %s", l.filters[i].guid, key, l.filters[i].src.name, l.filters[i].dst.name, l.filters[i].description);
		}
		free(l.filters);
		break;
	default: break;
	}
	if (rc < 0) {
		free(buf);
		return -1;
	}
	*out = buf;
	return 0;
}
