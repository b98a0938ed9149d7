// SPDX-License-Identifier: MIT
/* encode.c - model objects to ipsecData blobs (convert.h). What the
 * specification says to write as zero is written as zero. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "gpipsec/convert.h"
#include "model/auth.h"

static int utf16(const char *text, struct gp_bytes *out, struct err *e)
{
	return utf8_to_utf16(text, &out->p, &out->n, e);
}

void blob_policy(const struct policy *p, struct gp_blob *b)
{
	gp_blob_init(b, GPB_POLICY);
	b->u.polling = (uint32_t)p->pollinginterval * 60;
}

static int word_index(const char *w, const char *const *words)
{
	for (int i = 0; words[i]; i++)
		if (!strcasecmp(w, words[i]))
			return i;
	return -1;
}

int blob_isakmp(const struct policy *p, const struct gp_guid *instance, struct gp_blob *b,
		struct err *e)
{
	static const char *const encs[] = { "DES", "3DES", NULL }, *const hashes[] = { "MD5", "SHA1", NULL };
	static const uint32_t groups[] = { 0, 1, 2, 0x10000001u };
	struct gp_isakmp_blob *k = &b->u.isakmp;
	char *copy = strdup(p->mmsecmethods), *save = NULL;
	size_t n = 0;

	gp_blob_init(b, GPB_ISAKMP);
	if (!copy)
		return err_set(e, "out of memory");
	k->instance = *instance;
	k->master_pfs = p->mmpfs;
	k->qm_limit = (uint32_t)p->qmpermm;
	k->mm_lifetime = (uint32_t)p->mmlifetime * 60;
	k->methods = calloc(strlen(copy) / 4 + 1, sizeof(*k->methods));
	if (!k->methods) {
		free(copy);
		return err_set(e, "out of memory");
	}
	for (char *t = strtok_r(copy, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
		char enc[8], hash[8];
		int g, ei, hi;
		struct gp_mm_method *m = &k->methods[n];

		if (sscanf(t, "%7[^-]-%7[^-]-%d", enc, hash, &g) != 3 || (ei = word_index(enc, encs)) < 0 ||
		    (hi = word_index(hash, hashes)) < 0 || g < 1 || g > 3) {
			free(copy);
			return err_set(e, "policy '%s': mmsecmethods '%s' has no ipsecData form", p->name, t);
		}
		m->enc = ei ? 3 : 1; /* 3DES as Windows writes it */
		m->hash = (uint32_t)hi + 1;
		m->group = groups[g];
		m->qm_limit = k->qm_limit;
		m->life_secs = k->mm_lifetime;
		m->pfs = k->master_pfs;
		n++;
	}
	free(copy);
	k->n_methods = (uint32_t)n;
	return 0;
}

struct auth_ctx {
	struct gp_nfa_blob *f;
	struct err *e;
	int rc;
};

static void add_auth(const char *kind, const char *value, void *arg)
{
	struct auth_ctx *c = arg;
	struct gp_auth_method *m = &c->f->auth[c->f->n_auth];
	char cert[AUTH_MAX_LEN];

	if (c->rc)
		return;
	if (!strcmp(kind, "kerberos")) {
		m->type = GP_AUTH_KERBEROS;
		m->data.p = calloc(1, 2);
		m->data.n = 2;
		c->rc = m->data.p ? 0 : err_set(c->e, "out of memory");
	} else if (!strcmp(kind, "psk")) {
		m->type = GP_AUTH_PSK;
		c->rc = utf16(value, &m->data, c->e);
	} else {
		m->type = GP_AUTH_CERT;
		snprintf(cert, sizeof(cert), "%s", value);
		/* The certificate name, without netsh's options; a "yes" option
		 * would need the Alt-Auth-Method-Flags, whose layout MS-GPIPSEC
		 * does not pin down (README). */
		char *cut = strstr(cert, " certmap:"), *cut2 = strstr(cert, " excludecaname:");

		if ((cut && (cut[9] == 'y' || cut[9] == 'Y')) ||
		    (cut2 && (cut2[15] == 'y' || cut2[15] == 'Y'))) {
			c->rc = err_set(c->e, "rootca '%s': certmap and excludecaname have no ipsecData form ipsecfw can write",
					value);
			return;
		}
		if (cut2 && (!cut || cut2 < cut))
			cut = cut2;
		if (cut)
			*cut = '\0';
		c->rc = utf16(cert, &m->data, c->e);
	}
	if (!c->rc)
		c->f->n_auth++;
}

int blob_nfa(const struct rule *r, const char *auth, struct gp_blob *b, struct err *e)
{
	struct gp_nfa_blob *f = &b->u.nfa;
	struct auth_ctx c = { f, e, 0 };
	size_t lines = 1;

	gp_blob_init(b, GPB_NFA);
	for (const char *p = auth; *p; p++)
		lines += *p == '\n';
	if (!(f->auth = calloc(lines, sizeof(*f->auth))))
		return err_set(e, "out of memory");
	auth_each(auth, add_auth, &c);
	if (c.rc)
		return err_prefix(e, "rule '%s'", r->name);
	f->iface_type = r->conntype == CONN_LAN ? GP_IF_LAN : r->conntype == CONN_DIALUP ? GP_IF_DIALUP : GP_IF_ALL;
	f->is_active = r->active;
	if (utf16("", &f->iface_name, e) < 0)
		return -1;
	if (r->tunnel[0]) {
		f->is_tunnel = 1;
		if (inet_pton(AF_INET, r->tunnel, f->tunnel_addr) == 1)
			return utf16("", &f->tunnel_name, e);
		return utf16(r->tunnel, &f->tunnel_name, e);
	}
	return utf16("", &f->tunnel_name, e);
}

static int algo_from(const char *part, struct gp_qm_algo *g)
{
	static const char *const confs[] = { "None", "DES", "", "3DES", NULL };
	static const char *const hashes[] = { "None", "MD5", "SHA1", NULL };
	char a[16], h[16];
	int ai, hi;

	memset(g, 0, sizeof(*g));
	if (sscanf(part, "AH[%15[^]]]", a) == 1 && (hi = word_index(a, hashes)) > 0) {
		g->type = GP_OFFER_AH;
		g->alg = (uint32_t)hi;
		return 0;
	}
	if (sscanf(part, "ESP[%15[^,],%15[^]]]", a, h) == 2 && (ai = word_index(a, confs)) >= 0 &&
	    (hi = word_index(h, hashes)) >= 0) {
		g->type = GP_OFFER_ESP;
		g->alg = (uint32_t)ai;
		g->integrity = (uint32_t)hi;
		return 0;
	}
	return -1;
}

int blob_negpol(enum action action, bool soft, bool qmpfs, const char *qmsecmethods,
		struct gp_blob *b, struct err *e)
{
	struct gp_negpol_blob *q = &b->u.negpol;
	char *copy = strdup(qmsecmethods), *save = NULL;
	size_t n = 0;

	gp_blob_init(b, GPB_NEGPOL);
	if (!copy || !(q->offers = calloc(strlen(copy) / 6 + 2, sizeof(*q->offers)))) {
		free(copy);
		return err_set(e, "out of memory");
	}
	for (char *t = strtok_r(copy, " ", &save); action == ACTION_NEGOTIATE && t;
	     t = strtok_r(NULL, " ", &save)) {
		struct gp_qm_offer *o = &q->offers[n];
		char *colon = strchr(t, ':'), *plus = strchr(t, '+');
		unsigned kb = 0, secs = 0;

		if (colon) {
			*colon = '\0';
			if (sscanf(colon + 1, "%uk/%us", &kb, &secs) != 2) {
				free(copy);
				return err_set(e, "qmsecmethods '%s': bad lifetimes", colon + 1);
			}
		}
		if (plus)
			*plus = '\0';
		if (algo_from(t, &o->algos[0]) < 0 || (plus && algo_from(plus + 1, &o->algos[1]) < 0)) {
			free(copy);
			return err_set(e, "qmsecmethods '%s' has no ipsecData form", t);
		}
		o->n_algos = plus ? 2 : 1;
		o->life_kb = kb;
		o->life_secs = secs;
		o->pfs = qmpfs;
		n++;
	}
	free(copy);
	/* Soft: one offer without algorithms, as Windows' Request Security (Optional) has. */
	if (action == ACTION_NEGOTIATE && soft)
		n++;
	q->n_offers = (uint32_t)n;
	return 0;
}

static bool v1_fits(const struct filter *f)
{
	return (f->src.kind != ADDR_IP || f->src.ip.family == AF_INET) &&
	       (f->dst.kind != ADDR_IP || f->dst.ip.family == AF_INET) &&
	       (port_is_any(f->sport) || port_is_single(f->sport)) &&
	       (port_is_any(f->dport) || port_is_single(f->dport));
}

static void v1_addr_of(const struct addr *a, bool src, uint8_t ip[4], uint8_t mask[4], uint8_t *special)
{
	memset(ip, 0, 4);
	memset(mask, 0, 4);
	switch (a->kind) {
	case ADDR_ANY: break;
	case ADDR_ME: memset(mask, 255, 4); break;
	case ADDR_SERVER:
		memset(mask, 255, 4);
		*special = (uint8_t)(a->server | (src ? 0 : 0x80));
		break;
	case ADDR_IP:
		memcpy(ip, a->ip.bytes, 4);
		for (int i = 0; i < a->ip.len; i++)
			mask[i / 8] |= (uint8_t)(0x80 >> (i % 8));
		break;
	}
}

static void v2_addr_of(const struct addr *a, struct gp_v2_addr *o)
{
	static const uint32_t servers[] = { 0, GP_V2_DNS, GP_V2_WINS, GP_V2_DHCP, GP_V2_GATEWAY };

	memset(o, 0, sizeof(*o));
	switch (a->kind) {
	case ADDR_ANY: o->type = GP_V2_ANY, o->version = 1; break;
	case ADDR_ME: o->type = GP_V2_ME, o->version = 3; break;
	case ADDR_SERVER: o->type = servers[a->server], o->version = 3; break;
	case ADDR_IP:
		o->version = a->ip.family == AF_INET ? 1 : 2;
		memcpy(o->ip, a->ip.bytes, a->ip.family == AF_INET ? 4 : 16);
		if (a->ip.len == family_bits(a->ip.family)) {
			o->type = GP_V2_SINGLE;
		} else {
			o->type = GP_V2_SUBNET;
			if (a->ip.family == AF_INET6)
				o->ip2[0] = a->ip.len;
			else
				for (int i = 0; i < a->ip.len; i++)
					o->ip2[i / 8] |= (uint8_t)(0x80 >> (i % 8));
		}
		break;
	}
}

static void v2_port_of(struct port_range p, struct gp_v2_port *o)
{
	o->type = port_is_any(p) ? 0 : port_is_single(p) ? 1 : 2;
	o->port = o->type ? p.lo : 0;
	o->end = o->type == 2 ? p.hi : 0;
}

int blob_filter(const struct gp_list *l, struct gp_blob *b, struct err *e)
{
	struct gp_filter_blob *fb = &b->u.filter;
	bool all_v1 = true;

	gp_blob_init(b, GPB_FILTER);
	for (size_t i = 0; i < l->n_filters; i++) {
		const struct filter *f = &l->filters[i];

		if (f->icmp_type >= 0 || f->icmp_code >= 0)
			return err_set(e, "filter list '%s', filter %zu: an ICMP type or code has no ipsecData field",
				       l->list.name, i + 1);
		all_v1 = all_v1 && v1_fits(f);
	}
	fb->v1 = calloc(l->n_filters + 1, sizeof(*fb->v1));
	fb->v2 = all_v1 ? NULL : calloc(l->n_filters + 1, sizeof(*fb->v2));
	if (!fb->v1 || (!all_v1 && !fb->v2))
		return err_set(e, "out of memory");
	fb->has_v2 = !all_v1;
	for (size_t i = 0; i < l->n_filters; i++) {
		const struct filter *f = &l->filters[i];
		struct gp_guid id = { { 0 } };

		guid_parse(f->guid, &id);
		if (!all_v1) {
			struct gp_v2_filter *v = &fb->v2[fb->n2++];

			v->id = id;
			v->mirror = f->mirrored;
			v2_addr_of(&f->src, &v->src);
			v2_addr_of(&f->dst, &v->dst);
			v2_port_of(f->sport, &v->sport);
			v2_port_of(f->dport, &v->dport);
			v->proto = f->proto;
			if (utf16(f->src.name, &v->src_dns, e) < 0 || utf16(f->dst.name, &v->dst_dns, e) < 0 ||
			    utf16(f->description, &v->description, e) < 0)
				return -1;
		}
		if (!v1_fits(f))
			continue;
		struct gp_v1_filter *v = &fb->v1[fb->n_v1++];

		v->id = id;
		v->mirror = f->mirrored;
		v1_addr_of(&f->src, true, v->src, v->src_mask, &v->special);
		v1_addr_of(&f->dst, false, v->dst, v->dst_mask, &v->special);
		v->proto = f->proto;
		v->sport = port_is_any(f->sport) ? 0 : f->sport.lo;
		v->dport = port_is_any(f->dport) ? 0 : f->dport.lo;
		if (utf16(f->src.name, &v->src_dns, e) < 0 || utf16(f->dst.name, &v->dst_dns, e) < 0 ||
		    utf16(f->description, &v->description, e) < 0)
			return -1;
	}
	fb->n1 = fb->n_v1;
	return 0;
}
