// SPDX-License-Identifier: MIT
/* blobs.c - see blobs.h. Layouts from MS-GPIPSEC §2.2.1.1 to §2.2.1.5. */
#include "gpipsec/blobs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TAIL_GUID 0xa0, 0x24, 0x8d, 0x30, 0x21
const struct gp_guid GP_TYPE_POLICY = { { 0x63, 0x21, 0x20, 0x22, 0x4c, 0x4f, 0xd1, 0x11, 0x86,
					  0x3b, 0x00, TAIL_GUID } };
const struct gp_guid GP_TYPE_ISAKMP = { { 0xb8, 0x20, 0xdc, 0x80, 0xc8, 0x2e, 0xd1, 0x11, 0xa8,
					  0x9e, 0x00, TAIL_GUID } };
const struct gp_guid GP_TYPE_NFA = { { 0x00, 0xac, 0xbb, 0x11, 0x8d, 0x49, 0xd1, 0x11, 0x86, 0x39,
				       0x00, TAIL_GUID } };
const struct gp_guid GP_TYPE_NEGPOL = { { 0xb9, 0x20, 0xdc, 0x80, 0xc8, 0x2e, 0xd1, 0x11, 0xa8,
					  0x9e, 0x00, TAIL_GUID } };
const struct gp_guid GP_TYPE_FILTER = { { 0xb5, 0x20, 0xdc, 0x80, 0xc8, 0x2e, 0xd1, 0x11, 0xa8,
					  0x9e, 0x00, TAIL_GUID } };
const struct gp_guid GP_TYPE_FILTER_V2 = { { 0x3d, 0xcd, 0xfe, 0x35, 0x29, 0xae, 0x73, 0x43, 0x8a,
					     0x6a, 0xc5, 0xd8, 0xfa, 0xb2, 0xfb, 0x08 } };

enum { MM_METHOD_SIZE = 64, QM_OFFER_SIZE = 80, V1_FIXED = 64, V2_FIXED = 136, AUTH_FIXED = 8 };

static const struct gp_guid *kind_type(enum gp_blob_kind k)
{
	switch (k) {
	case GPB_POLICY: return &GP_TYPE_POLICY;
	case GPB_ISAKMP: return &GP_TYPE_ISAKMP;
	case GPB_NFA: return &GP_TYPE_NFA;
	case GPB_NEGPOL: return &GP_TYPE_NEGPOL;
	case GPB_FILTER: return &GP_TYPE_FILTER;
	default: return NULL;
	}
}

void gp_blob_init(struct gp_blob *b, enum gp_blob_kind kind)
{
	const struct gp_guid *t = kind_type(kind);

	memset(b, 0, sizeof(*b));
	b->kind = kind;
	if (t)
		b->type = *t;
}

/* A count of records of at least min bytes each must fit in what is left:
 * hostile counts never drive a huge allocation. */
static int count_fits(struct gp_rd *r, const char *field, uint32_t count, size_t min)
{
	if ((uint64_t)count * min > rd_left(r))
		return rd_fail(r, field, "count %u does not fit in the %zu bytes left", count,
			       rd_left(r));
	return 0;
}

static void *alloc_n(uint32_t n, size_t size)
{
	return calloc(n ? n : 1, size);
}

static int rd_copy(struct gp_rd *r, const char *field, size_t n, uint8_t *out)
{
	const uint8_t *p;

	if (rd_bytes(r, field, n, &p) < 0)
		return -1;
	memcpy(out, p, n);
	return 0;
}

static int rd_blob_bytes(struct gp_rd *r, const char *field, struct gp_bytes *out)
{
	return rd_counted(r, field, &out->p, &out->n);
}

static int dec_isakmp(struct gp_rd *r, struct gp_isakmp_blob *k)
{
	if (rd_guid(r, "ISAKMP-Policy-Instance", &k->instance) < 0 ||
	    rd_u32(r, "Zero1", &k->zero1) < 0 || rd_u32(r, "Master-PFS-Required", &k->master_pfs) < 0 ||
	    rd_u32(r, "ISAKMP-Options", &k->options) < 0 ||
	    rd_copy(r, "New-DH-1..4", 4, k->new_dh) < 0 || rd_u32(r, "QM-Limit", &k->qm_limit) < 0 ||
	    rd_u32(r, "MM-Lifetime", &k->mm_lifetime) < 0 || rd_copy(r, "Zero2", 20, k->zero2) < 0 ||
	    rd_u32(r, "Security-Method-Count", &k->n_methods) < 0 ||
	    count_fits(r, "Security-Method-Count", k->n_methods, MM_METHOD_SIZE) < 0)
		return -1;
	k->methods = alloc_n(k->n_methods, sizeof(*k->methods));
	if (!k->methods)
		return rd_fail(r, "Security-Methods", "out of memory");
	for (uint32_t i = 0; i < k->n_methods; i++) {
		struct gp_mm_method *m = &k->methods[i];

		if (rd_u8(r, "Major-Version", &m->major) < 0 || rd_u8(r, "Minor-Version", &m->minor) < 0 ||
		    rd_u16(r, "Zero3", &m->zero3) < 0 || rd_u32(r, "Encryption-Algorithm-ID", &m->enc) < 0 ||
		    rd_u32(r, "Encryption-Algorithm-ID", &m->enc_hi) < 0 || rd_u32(r, "Zero4", &m->zero4) < 0 ||
		    rd_u32(r, "Hash-Algorithm-ID", &m->hash) < 0 ||
		    rd_u32(r, "Hash-Algorithm-ID", &m->hash_hi) < 0 || rd_u32(r, "Zero5", &m->zero5) < 0 ||
		    rd_copy(r, "Zero6", 8, m->zero6) < 0 || rd_u8(r, "Random-Function", &m->random_fn) < 0 ||
		    rd_copy(r, "Zero7", 7, m->zero7) < 0 || rd_u32(r, "Oakley-Group", &m->group) < 0 ||
		    rd_u32(r, "QM-Limit", &m->qm_limit) < 0 || rd_u32(r, "Oakley-Lifetime-KB", &m->life_kb) < 0 ||
		    rd_u32(r, "Oakley-Lifetime-Secs", &m->life_secs) < 0 ||
		    rd_u32(r, "PFS-Identity-Required", &m->pfs) < 0)
			return -1;
	}
	return 0;
}

static void enc_isakmp(struct gp_wr *w, const struct gp_isakmp_blob *k)
{
	wr_guid(w, &k->instance);
	wr_u32(w, k->zero1);
	wr_u32(w, k->master_pfs);
	wr_u32(w, k->options);
	wr_bytes(w, k->new_dh, 4);
	wr_u32(w, k->qm_limit);
	wr_u32(w, k->mm_lifetime);
	wr_bytes(w, k->zero2, 20);
	wr_u32(w, k->n_methods);
	for (uint32_t i = 0; i < k->n_methods; i++) {
		const struct gp_mm_method *m = &k->methods[i];

		wr_u8(w, m->major);
		wr_u8(w, m->minor);
		wr_u16(w, m->zero3);
		wr_u32(w, m->enc);
		wr_u32(w, m->enc_hi);
		wr_u32(w, m->zero4);
		wr_u32(w, m->hash);
		wr_u32(w, m->hash_hi);
		wr_u32(w, m->zero5);
		wr_bytes(w, m->zero6, 8);
		wr_u8(w, m->random_fn);
		wr_bytes(w, m->zero7, 7);
		wr_u32(w, m->group);
		wr_u32(w, m->qm_limit);
		wr_u32(w, m->life_kb);
		wr_u32(w, m->life_secs);
		wr_u32(w, m->pfs);
	}
}

static int dec_nfa(struct gp_rd *r, struct gp_nfa_blob *f)
{
	if (rd_u32(r, "Auth-Method-Count", &f->n_auth) < 0 ||
	    count_fits(r, "Auth-Method-Count", f->n_auth, AUTH_FIXED) < 0)
		return -1;
	f->auth = alloc_n(f->n_auth, sizeof(*f->auth));
	if (!f->auth)
		return rd_fail(r, "Auth-Methods", "out of memory");
	for (uint32_t i = 0; i < f->n_auth; i++) {
		if (rd_u32(r, "Auth-Type", &f->auth[i].type) < 0 ||
		    rd_blob_bytes(r, "Auth-Method-Data", &f->auth[i].data) < 0)
			return -1;
	}
	return rd_u32(r, "Interface-Type", &f->iface_type) < 0 ||
			       rd_blob_bytes(r, "Interface-Name", &f->iface_name) < 0 ||
			       rd_copy(r, "Tunnel-Address", 4, f->tunnel_addr) < 0 ||
			       rd_u32(r, "Is-Tunnel-Specifier", &f->is_tunnel) < 0 ||
			       rd_u32(r, "Is-Active-Specifier", &f->is_active) < 0 ||
			       rd_blob_bytes(r, "Tunnel-End-Point-Name", &f->tunnel_name) < 0
		       ? -1
		       : 0;
}

static void enc_nfa(struct gp_wr *w, const struct gp_nfa_blob *f)
{
	wr_u32(w, f->n_auth);
	for (uint32_t i = 0; i < f->n_auth; i++) {
		wr_u32(w, f->auth[i].type);
		wr_counted(w, f->auth[i].data.p, f->auth[i].data.n);
	}
	wr_u32(w, f->iface_type);
	wr_counted(w, f->iface_name.p, f->iface_name.n);
	wr_bytes(w, f->tunnel_addr, 4);
	wr_u32(w, f->is_tunnel);
	wr_u32(w, f->is_active);
	wr_counted(w, f->tunnel_name.p, f->tunnel_name.n);
}

static int dec_negpol(struct gp_rd *r, struct gp_negpol_blob *q)
{
	if (rd_u32(r, "Security-Offer-Count", &q->n_offers) < 0 ||
	    count_fits(r, "Security-Offer-Count", q->n_offers, QM_OFFER_SIZE) < 0)
		return -1;
	q->offers = alloc_n(q->n_offers, sizeof(*q->offers));
	if (!q->offers)
		return rd_fail(r, "Security-Offer-Data", "out of memory");
	for (uint32_t i = 0; i < q->n_offers; i++) {
		struct gp_qm_offer *o = &q->offers[i];

		if (rd_u32(r, "Lifetime-Seconds", &o->life_secs) < 0 ||
		    rd_u32(r, "Lifetime-KBytes", &o->life_kb) < 0 ||
		    rd_u32(r, "Negotiation-Options", &o->options) < 0 ||
		    rd_u32(r, "PFS-QM-Required", &o->pfs) < 0 ||
		    rd_u32(r, "Algorithm-Offer-Count", &o->n_algos) < 0)
			return -1;
		for (int a = 0; a < GP_QM_ALGOS_MAX; a++) {
			struct gp_qm_algo *g = &o->algos[a];

			if (rd_u32(r, "Algorithm-Identifier", &g->alg) < 0 ||
			    rd_u32(r, "ESP-Integrity-Identifier", &g->integrity) < 0 ||
			    rd_u32(r, "Offer-Type", &g->type) < 0 || rd_copy(r, "Zero1", 8, g->zero1) < 0)
				return -1;
		}
	}
	return 0;
}

static void enc_negpol(struct gp_wr *w, const struct gp_negpol_blob *q)
{
	wr_u32(w, q->n_offers);
	for (uint32_t i = 0; i < q->n_offers; i++) {
		const struct gp_qm_offer *o = &q->offers[i];

		wr_u32(w, o->life_secs);
		wr_u32(w, o->life_kb);
		wr_u32(w, o->options);
		wr_u32(w, o->pfs);
		wr_u32(w, o->n_algos);
		for (int a = 0; a < GP_QM_ALGOS_MAX; a++) {
			wr_u32(w, o->algos[a].alg);
			wr_u32(w, o->algos[a].integrity);
			wr_u32(w, o->algos[a].type);
			wr_bytes(w, o->algos[a].zero1, 8);
		}
	}
}

static int dec_names(struct gp_rd *r, struct gp_bytes *src, struct gp_bytes *dst,
		     struct gp_bytes *desc, struct gp_guid *id, int v)
{
	return rd_blob_bytes(r, v == 1 ? "Source-DNS-Name1" : "Source-DNS-Name2", src) < 0 ||
			       rd_blob_bytes(r, v == 1 ? "Destination-DNS-Name1" : "Destination-DNS-Name2",
					     dst) < 0 ||
			       rd_blob_bytes(r, v == 1 ? "Filter-Description1" : "Filter-Description2",
					     desc) < 0 ||
			       rd_guid(r, v == 1 ? "Filter-Specification-ID1" : "Filter-Specification-ID2",
				       id) < 0
		       ? -1
		       : 0;
}

static int dec_v1(struct gp_rd *r, struct gp_v1_filter *f)
{
	return dec_names(r, &f->src_dns, &f->dst_dns, &f->description, &f->id, 1) < 0 ||
			       rd_u32(r, "Legacy-Mirror-Options", &f->mirror) < 0 ||
			       rd_copy(r, "Legacy-Source-Address", 4, f->src) < 0 ||
			       rd_copy(r, "Legacy-Source-Mask", 4, f->src_mask) < 0 ||
			       rd_copy(r, "Legacy-Destination-Address", 4, f->dst) < 0 ||
			       rd_copy(r, "Legacy-Destination-Mask", 4, f->dst_mask) < 0 ||
			       rd_copy(r, "Legacy-Tunnel-Address", 4, f->tunnel) < 0 ||
			       rd_u32(r, "Legacy-Protocol", &f->proto) < 0 ||
			       rd_u16(r, "Legacy-Source-Port", &f->sport) < 0 ||
			       rd_u16(r, "Legacy-Destination-Port", &f->dport) < 0 ||
			       rd_u8(r, "Legacy-Is-Tunnel", &f->is_tunnel) < 0 ||
			       rd_u8(r, "Legacy-Special-Filter", &f->special) < 0 ||
			       rd_u16(r, "Legacy-Filter-Options", &f->options) < 0
		       ? -1
		       : 0;
}

static void enc_names(struct gp_wr *w, const struct gp_bytes *src, const struct gp_bytes *dst,
		      const struct gp_bytes *desc, const struct gp_guid *id)
{
	wr_counted(w, src->p, src->n);
	wr_counted(w, dst->p, dst->n);
	wr_counted(w, desc->p, desc->n);
	wr_guid(w, id);
}

static void enc_v1(struct gp_wr *w, const struct gp_v1_filter *f)
{
	enc_names(w, &f->src_dns, &f->dst_dns, &f->description, &f->id);
	wr_u32(w, f->mirror);
	wr_bytes(w, f->src, 4);
	wr_bytes(w, f->src_mask, 4);
	wr_bytes(w, f->dst, 4);
	wr_bytes(w, f->dst_mask, 4);
	wr_bytes(w, f->tunnel, 4);
	wr_u32(w, f->proto);
	wr_u16(w, f->sport);
	wr_u16(w, f->dport);
	wr_u8(w, f->is_tunnel);
	wr_u8(w, f->special);
	wr_u16(w, f->options);
}

static int dec_v2_addr(struct gp_rd *r, struct gp_v2_addr *a, bool src)
{
	return rd_u32(r, src ? "Source-Address-Data type" : "Destination-Address-Data type",
		      &a->type) < 0 ||
			       rd_u32(r, src ? "Source-Address-Data version" : "Destination-Address-Data version",
				      &a->version) < 0 ||
			       rd_copy(r, src ? "Source-Address-Data" : "Destination-Address-Data", 16, a->ip) < 0 ||
			       rd_copy(r, src ? "Source-Address-Data" : "Destination-Address-Data", 16, a->ip2) < 0
		       ? -1
		       : 0;
}

static int dec_v2_port(struct gp_rd *r, struct gp_v2_port *p, bool src)
{
	return rd_u32(r, src ? "IPsec-Source-Port-Type" : "IPsec-Destination-Port-Type", &p->type) < 0 ||
			       rd_u16(r, src ? "IPsec-Source-Port" : "IPsec-Destination-Port", &p->port) < 0 ||
			       rd_u16(r, src ? "IPsec-Source-Port-Range-End" : "IPsec-Destination-Port-Range-End",
				      &p->end) < 0
		       ? -1
		       : 0;
}

static int dec_v2(struct gp_rd *r, struct gp_v2_filter *f)
{
	return dec_names(r, &f->src_dns, &f->dst_dns, &f->description, &f->id, 2) < 0 ||
			       rd_u32(r, "Mirror-Flags", &f->mirror) < 0 || dec_v2_addr(r, &f->src, true) < 0 ||
			       dec_v2_addr(r, &f->dst, false) < 0 || dec_v2_port(r, &f->sport, true) < 0 ||
			       dec_v2_port(r, &f->dport, false) < 0 ||
			       rd_u32(r, "Filter-Protocol", &f->proto) < 0 || rd_u32(r, "Filter-Flags", &f->flags) < 0
		       ? -1
		       : 0;
}

static void enc_v2_addr(struct gp_wr *w, const struct gp_v2_addr *a)
{
	wr_u32(w, a->type);
	wr_u32(w, a->version);
	wr_bytes(w, a->ip, 16);
	wr_bytes(w, a->ip2, 16);
}

static void enc_v2(struct gp_wr *w, const struct gp_v2_filter *f)
{
	enc_names(w, &f->src_dns, &f->dst_dns, &f->description, &f->id);
	wr_u32(w, f->mirror);
	enc_v2_addr(w, &f->src);
	enc_v2_addr(w, &f->dst);
	wr_u32(w, f->sport.type);
	wr_u16(w, f->sport.port);
	wr_u16(w, f->sport.end);
	wr_u32(w, f->dport.type);
	wr_u16(w, f->dport.port);
	wr_u16(w, f->dport.end);
	wr_u32(w, f->proto);
	wr_u32(w, f->flags);
}

/* The v2 section sits after the v1 data (Data-Length1) and before the last
 * byte: its GUID, Data-Length2, Number-Of-Filters11, Number-Of-Filters2. */
static int dec_v2_section(struct gp_rd *r, struct gp_filter_blob *f)
{
	struct gp_guid g;
	size_t start;

	if (rd_left(r) < 16 + 1)
		return 0;
	memcpy(g.b, r->p + r->off, 16);
	if (!guid_equal(&g, &GP_TYPE_FILTER_V2))
		return 0;
	r->off += 16;
	f->has_v2 = true;
	if (rd_u32(r, "Data-Length2", &f->data_len2) < 0 || rd_u32(r, "Number-Of-Filters11", &f->n11) < 0 ||
	    rd_u32(r, "Number-Of-Filters2", &f->n2) < 0 ||
	    count_fits(r, "Number-Of-Filters2", f->n2, V2_FIXED) < 0)
		return -1;
	start = r->off;
	f->v2 = alloc_n(f->n2, sizeof(*f->v2));
	if (!f->v2)
		return rd_fail(r, "Filter-Spec2", "out of memory");
	for (uint32_t i = 0; i < f->n2; i++)
		if (dec_v2(r, &f->v2[i]) < 0)
			return -1;
	/* Data-Length2 counts Filter-Spec2, with or without the two counts. */
	if (f->data_len2 != r->off - start && f->data_len2 != r->off - start + 8)
		return rd_fail(r, "Data-Length2", "says %u, the filters take %zu bytes", f->data_len2,
			       r->off - start);
	return 0;
}

static int dec_filter(struct gp_rd *r, uint32_t data_len, struct gp_filter_blob *f)
{
	struct gp_rd v1 = *r;
	uint32_t n;

	/* The v1 data is exactly Data-Length1 bytes; look past it first, for
	 * the v2 section's Number-Of-Filters11 overrides Number-Of-Filters1. */
	v1.n = r->off + data_len;
	r->off += data_len;
	if (dec_v2_section(r, f) < 0)
		return -1;
	if (rd_u32(&v1, "Number-Of-Filters1", &f->n1) < 0)
		return -1;
	n = f->has_v2 && f->n11 ? f->n11 : f->n1;
	if (count_fits(&v1, f->has_v2 && f->n11 ? "Number-Of-Filters11" : "Number-Of-Filters1", n,
		       V1_FIXED) < 0)
		return -1;
	f->n_v1 = n;
	f->v1 = alloc_n(n, sizeof(*f->v1));
	if (!f->v1)
		return rd_fail(r, "Filter-Spec1", "out of memory");
	for (uint32_t i = 0; i < n; i++)
		if (dec_v1(&v1, &f->v1[i]) < 0)
			return -1;
	if (rd_left(&v1))
		return rd_fail(r, "Data-Length1", "%zu bytes after the last Filter-Spec1", rd_left(&v1));
	return 0;
}

static void enc_filter(struct gp_wr *w, const struct gp_filter_blob *f, size_t dl_at)
{
	size_t start = w->n, v2_at;
	uint32_t specs;

	wr_u32(w, f->has_v2 && f->n11 ? f->n1 : f->n_v1);
	for (uint32_t i = 0; i < f->n_v1; i++)
		enc_v1(w, &f->v1[i]);
	wr_put_u32(w, dl_at, (uint32_t)(w->n - start));
	if (!f->has_v2)
		return;
	wr_guid(w, &GP_TYPE_FILTER_V2);
	v2_at = w->n;
	wr_u32(w, 0);
	wr_u32(w, f->n11);
	wr_u32(w, f->n2);
	for (uint32_t i = 0; i < f->n2; i++)
		enc_v2(w, &f->v2[i]);
	/* Without the two counts when it was read so; otherwise, like
	 * Data-Length1, with them. */
	specs = (uint32_t)(w->n - v2_at - 12);
	wr_put_u32(w, v2_at, f->data_len2 == specs ? specs : specs + 8);
}

int gp_blob_decode(const uint8_t *p, size_t n, const char *obj, struct gp_blob *out,
		   struct err *e)
{
	struct gp_rd r, body;
	size_t end;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	out->kind = GPB_OTHER;
	rd_init(&r, p, n, obj, e);
	if (rd_guid(&r, "type GUID", &out->type) < 0 || rd_u32(&r, "Data-Length", &out->data_len) < 0)
		return -1;
	for (int k = GPB_POLICY; k < GPB_OTHER; k++)
		if (guid_equal(&out->type, kind_type((enum gp_blob_kind)k)))
			out->kind = (enum gp_blob_kind)k;
	if (out->kind == GPB_OTHER) {
		out->raw.p = malloc(n);
		if (!out->raw.p)
			return err_set(e, "%s: out of memory", obj);
		memcpy(out->raw.p, p, n);
		out->raw.n = (uint32_t)n;
		return 0;
	}
	/* Data-Length, then the one byte it leaves out. */
	if ((uint64_t)out->data_len + 1 > rd_left(&r))
		return rd_fail(&r, "Data-Length", "says %u bytes and a last byte, only %zu follow",
			       out->data_len, rd_left(&r));
	body = r;
	body.n = r.off + out->data_len;
	switch (out->kind) {
	case GPB_POLICY: rc = rd_u32(&body, "Polling-Interval", &out->u.polling); break;
	case GPB_ISAKMP: rc = dec_isakmp(&body, &out->u.isakmp); break;
	case GPB_NFA: rc = dec_nfa(&body, &out->u.nfa); break;
	case GPB_NEGPOL: rc = dec_negpol(&body, &out->u.negpol); break;
	case GPB_FILTER:
		/* The filter reads on past Data-Length1 for its v2 section. */
		body.n = n - 1;
		rc = dec_filter(&body, out->data_len, &out->u.filter);
		break;
	default: break;
	}
	if (rc < 0) {
		gp_blob_free(out);
		return -1;
	}
	if (out->kind != GPB_FILTER && rd_left(&body)) {
		rd_fail(&r, "Data-Length", "%zu bytes left over after the last field", rd_left(&body));
		gp_blob_free(out);
		return -1;
	}
	end = n - 1;
	out->extra.n = (uint32_t)(end - body.off);
	out->extra.p = malloc(out->extra.n ? out->extra.n : 1);
	if (!out->extra.p) {
		gp_blob_free(out);
		return err_set(e, "%s: out of memory", obj);
	}
	memcpy(out->extra.p, p + body.off, out->extra.n);
	out->last = p[end];
	return 0;
}

int gp_blob_encode(const struct gp_blob *b, uint8_t **out, size_t *n, struct err *e)
{
	struct gp_wr w = { 0 };
	size_t dl_at, start;

	if (b->kind == GPB_OTHER) {
		wr_bytes(&w, b->raw.p, b->raw.n);
	} else {
		wr_guid(&w, &b->type);
		dl_at = w.n;
		wr_u32(&w, 0);
		start = w.n;
		switch (b->kind) {
		case GPB_POLICY: wr_u32(&w, b->u.polling); break;
		case GPB_ISAKMP: enc_isakmp(&w, &b->u.isakmp); break;
		case GPB_NFA: enc_nfa(&w, &b->u.nfa); break;
		case GPB_NEGPOL: enc_negpol(&w, &b->u.negpol); break;
		case GPB_FILTER: enc_filter(&w, &b->u.filter, dl_at); break;
		default: break;
		}
		if (b->kind != GPB_FILTER)
			wr_put_u32(&w, dl_at, (uint32_t)(w.n - start));
		wr_bytes(&w, b->extra.p, b->extra.n);
		wr_u8(&w, b->last);
	}
	if (w.oom) {
		free(w.p);
		return err_set(e, "out of memory encoding ipsecData");
	}
	*out = w.p;
	*n = w.n;
	return 0;
}

static void free_bytes(struct gp_bytes *b)
{
	free(b->p);
	b->p = NULL;
	b->n = 0;
}

void gp_blob_free(struct gp_blob *b)
{
	switch (b->kind) {
	case GPB_ISAKMP: free(b->u.isakmp.methods); break;
	case GPB_NFA:
		for (uint32_t i = 0; b->u.nfa.auth && i < b->u.nfa.n_auth; i++)
			free_bytes(&b->u.nfa.auth[i].data);
		free(b->u.nfa.auth);
		free_bytes(&b->u.nfa.iface_name);
		free_bytes(&b->u.nfa.tunnel_name);
		break;
	case GPB_NEGPOL: free(b->u.negpol.offers); break;
	case GPB_FILTER:
		for (uint32_t i = 0; b->u.filter.v1 && i < b->u.filter.n_v1; i++) {
			free_bytes(&b->u.filter.v1[i].src_dns);
			free_bytes(&b->u.filter.v1[i].dst_dns);
			free_bytes(&b->u.filter.v1[i].description);
		}
		for (uint32_t i = 0; b->u.filter.v2 && i < b->u.filter.n2; i++) {
			free_bytes(&b->u.filter.v2[i].src_dns);
			free_bytes(&b->u.filter.v2[i].dst_dns);
			free_bytes(&b->u.filter.v2[i].description);
		}
		free(b->u.filter.v1);
		free(b->u.filter.v2);
		break;
	default: break;
	}
	free_bytes(&b->extra);
	free_bytes(&b->raw);
	memset(&b->u, 0, sizeof(b->u));
}
