// SPDX-License-Identifier: MIT
/* dirobj.c - see dirobj.h. */
#include "gpipsec/dirobj.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const class_names[GPC_COUNT] = {
	"ipsecPolicy", "ipsecISAKMPPolicy", "ipsecNFA", "ipsecNegotiationPolicy", "ipsecFilter",
};

const char *gp_class_name(enum gp_class c)
{
	return c < GPC_COUNT ? class_names[c] : "?";
}

int gp_strs_add(struct gp_strs *s, const char *v)
{
	char **nv = realloc(s->v, (s->n + 1) * sizeof(*nv));

	if (!nv)
		return -1;
	s->v = nv;
	if (!(s->v[s->n] = strdup(v)))
		return -1;
	s->n++;
	return 0;
}

static void strs_free(struct gp_strs *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

int gp_objset_reserve(struct gp_objset *set, size_t n)
{
	struct gp_object *v;

	if (n <= set->cap)
		return 0;
	if (!(v = realloc(set->objs, n * sizeof(*v))))
		return -1;
	set->objs = v;
	set->cap = n;
	return 0;
}

struct gp_object *gp_objset_add(struct gp_objset *set, enum gp_class cls, const char *dn)
{
	struct gp_object *o;

	if (set->n == set->cap && gp_objset_reserve(set, set->cap ? set->cap * 2 : 16) < 0)
		return NULL;
	o = &set->objs[set->n];
	memset(o, 0, sizeof(*o));
	o->cls = cls;
	o->blob.kind = GPB_OTHER;
	if (!(o->dn = strdup(dn)))
		return NULL;
	set->n++;
	return o;
}

bool gp_dn_equal(const char *a, const char *b)
{
	for (;;) {
		if (*a == ',' && *b == ',') {
			a++;
			b++;
			while (*a == ' ')
				a++;
			while (*b == ' ')
				b++;
			continue;
		}
		if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
			return false;
		if (!*a)
			return true;
		a++;
		b++;
	}
}

bool gp_dn_set_equal(const struct gp_strs *a, const struct gp_strs *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++) {
		bool found = false;

		for (size_t j = 0; j < b->n && !found; j++)
			found = gp_dn_equal(a->v[i], b->v[j]);
		if (!found)
			return false;
	}
	return true;
}

struct gp_object *gp_objset_find(const struct gp_objset *set, const char *dn)
{
	for (size_t i = 0; i < set->n; i++)
		if (gp_dn_equal(set->objs[i].dn, dn))
			return &set->objs[i];
	return NULL;
}

static void object_free(struct gp_object *o)
{
	free(o->dn);
	free(o->name);
	free(o->description);
	free(o->id);
	free(o->data_type);
	free(o->when_changed);
	free(o->data);
	gp_blob_free(&o->blob);
	free(o->isakmp_ref);
	strs_free(&o->nfa_refs);
	strs_free(&o->filter_refs);
	free(o->negpol_ref);
	strs_free(&o->owners);
	free(o->negpol_action);
	free(o->negpol_type);
}

void gp_objset_free(struct gp_objset *set)
{
	for (size_t i = 0; i < set->n; i++)
		object_free(&set->objs[i]);
	free(set->objs);
	memset(set, 0, sizeof(*set));
}

int gp_object_encode(struct gp_object *o, struct err *e)
{
	uint8_t *p;
	size_t n;

	if (gp_blob_encode(&o->blob, &p, &n, e) < 0)
		return err_prefix(e, "%s", o->dn);
	free(o->data);
	o->data = p;
	o->data_len = n;
	return 0;
}

/* --- base64 --- */

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int b64val(char c)
{
	const char *p = c ? strchr(b64, c) : NULL;

	return p ? (int)(p - b64) : -1;
}

static int b64_decode(const char *s, uint8_t **out, size_t *n)
{
	size_t len = strlen(s), o = 0;
	uint8_t *buf;
	uint32_t acc = 0;
	int bits = 0, pad = 0;

	if (len % 4)
		return -1;
	buf = malloc(len / 4 * 3 + 1);
	if (!buf)
		return -1;
	for (size_t i = 0; i < len; i++) {
		int v;

		if (s[i] == '=') {
			if (i + 2 < len)
				break;
			pad++;
			continue;
		}
		if (pad || (v = b64val(s[i])) < 0) {
			free(buf);
			return -1;
		}
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			buf[o++] = (uint8_t)(acc >> bits);
		}
	}
	if (pad > 2 || (pad && len < 4) || strlen(s) - (size_t)pad != len - (size_t)pad) {
		free(buf);
		return -1;
	}
	*out = buf;
	*n = o;
	return 0;
}

static void b64_write(const uint8_t *p, size_t n, FILE *out)
{
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0) |
			     (i + 2 < n ? p[i + 2] : 0);

		fputc(b64[v >> 18 & 63], out);
		fputc(b64[v >> 12 & 63], out);
		fputc(i + 1 < n ? b64[v >> 6 & 63] : '=', out);
		fputc(i + 2 < n ? b64[v & 63] : '=', out);
	}
}

void gp_ldif_put_binary(FILE *out, const char *attr, const void *v, size_t n)
{
	fprintf(out, "%s:: ", attr);
	b64_write(v, n, out);
	fputc('\n', out);
}

/* --- reading --- */

struct record {
	char *dn;
	int cls; /* -1 until an objectClass names one of ours */
	struct gp_object o;
	bool has_data;
};

static int set_once(char **slot, const char *v, const char *dn, const char *attr, struct err *e)
{
	if (*slot)
		return err_set(e, "%s: %s: more than one value", dn, attr);
	if (!(*slot = strdup(v)))
		return err_set(e, "out of memory");
	return 0;
}

static int take_value(struct record *r, const char *attr, const uint8_t *v, size_t n,
		      struct err *e)
{
	struct gp_object *o = &r->o;
	const char *dn = r->dn ? r->dn : "(no dn)";
	char *text;
	int rc = 0;

	if (!strcasecmp(attr, "ipsecData")) {
		if (r->has_data)
			return err_set(e, "%s: ipsecData: more than one value", dn);
		o->data = malloc(n ? n : 1);
		if (!o->data)
			return err_set(e, "out of memory");
		memcpy(o->data, v, n);
		o->data_len = n;
		r->has_data = true;
		return 0;
	}
	if (memchr(v, '\0', n))
		return err_set(e, "%s: %s: a NUL inside a text value", dn, attr);
	text = strndup((const char *)v, n);
	if (!text)
		return err_set(e, "out of memory");
	if (!strcasecmp(attr, "dn")) {
		rc = r->dn ? err_set(e, "%s: a second dn line", dn) : 0;
		if (!rc) {
			r->dn = text;
			return 0;
		}
	} else if (!strcasecmp(attr, "objectClass")) {
		for (int c = 0; c < GPC_COUNT; c++)
			if (!strcasecmp(text, class_names[c]))
				r->cls = c;
	} else if (!strcasecmp(attr, "ipsecName")) {
		rc = set_once(&o->name, text, dn, attr, e);
	} else if (!strcasecmp(attr, "description")) {
		rc = set_once(&o->description, text, dn, attr, e);
	} else if (!strcasecmp(attr, "ipsecID")) {
		rc = set_once(&o->id, text, dn, attr, e);
	} else if (!strcasecmp(attr, "ipsecDataType")) {
		rc = set_once(&o->data_type, text, dn, attr, e);
	} else if (!strcasecmp(attr, "whenChanged")) {
		rc = set_once(&o->when_changed, text, dn, attr, e);
	} else if (!strcasecmp(attr, "ipsecISAKMPReference")) {
		rc = set_once(&o->isakmp_ref, text, dn, attr, e);
	} else if (!strcasecmp(attr, "ipsecNegotiationPolicyReference")) {
		rc = set_once(&o->negpol_ref, text, dn, attr, e);
	} else if (!strcasecmp(attr, "iPSECNegotiationPolicyAction")) {
		rc = set_once(&o->negpol_action, text, dn, attr, e);
	} else if (!strcasecmp(attr, "iPSECNegotiationPolicyType")) {
		rc = set_once(&o->negpol_type, text, dn, attr, e);
	} else if (!strcasecmp(attr, "ipsecNFAReference")) {
		rc = gp_strs_add(&o->nfa_refs, text) < 0 ? err_set(e, "out of memory") : 0;
	} else if (!strcasecmp(attr, "ipsecFilterReference")) {
		rc = gp_strs_add(&o->filter_refs, text) < 0 ? err_set(e, "out of memory") : 0;
	} else if (!strcasecmp(attr, "ipsecOwnersReference")) {
		rc = gp_strs_add(&o->owners, text) < 0 ? err_set(e, "out of memory") : 0;
	}
	free(text);
	return rc;
}

static void record_reset(struct record *r)
{
	free(r->dn);
	r->o.dn = NULL;
	object_free(&r->o);
	memset(r, 0, sizeof(*r));
	r->cls = -1;
	r->o.blob.kind = GPB_OTHER;
}

static int record_end(struct record *r, struct gp_objset *set, struct err *e)
{
	struct gp_object *o;

	if (!r->dn || r->cls < 0) {
		record_reset(r);
		return 0;
	}
	if (!r->has_data)
		return err_set(e, "%s: ipsecData is missing", r->dn);
	if (!r->o.id)
		return err_set(e, "%s: ipsecID is missing", r->dn);
	if (gp_objset_find(set, r->dn))
		return err_set(e, "%s: a second entry with this dn", r->dn);
	if (!(o = gp_objset_add(set, (enum gp_class)r->cls, r->dn)))
		return err_set(e, "out of memory");
	free(o->dn);
	*o = r->o;
	o->cls = (enum gp_class)r->cls;
	o->dn = r->dn;
	memset(r, 0, sizeof(*r));
	r->cls = -1;
	r->o.blob.kind = GPB_OTHER;
	return gp_blob_decode(o->data, o->data_len, o->dn, &o->blob, e);
}

static const char *const wanted_attrs[] = {
	"dn", "objectClass", "ipsecName", "description", "ipsecID", "ipsecDataType", "ipsecData",
	"whenChanged", "ipsecISAKMPReference", "ipsecNFAReference", "ipsecFilterReference",
	"ipsecNegotiationPolicyReference", "iPSECNegotiationPolicyAction",
	"iPSECNegotiationPolicyType", "ipsecOwnersReference", NULL,
};

static bool wanted(const char *attr)
{
	for (int i = 0; wanted_attrs[i]; i++)
		if (!strcasecmp(attr, wanted_attrs[i]))
			return true;
	return false;
}

static int parse_line(struct record *r, char *line, int lineno, struct err *e)
{
	char *colon = strchr(line, ':'), *v, *semi;
	uint8_t *bin;
	size_t n;
	int rc;

	if (!colon)
		return err_set(e, "LDIF line %d: no ':'", lineno);
	*colon = '\0';
	if ((semi = strchr(line, ';')))
		*semi = '\0'; /* attribute options such as ;binary */
	v = colon + 1;
	/* Other attributes (and version:, changetype:) are not ours to check. */
	if (!wanted(line))
		return 0;
	if (*v == '<')
		return err_set(e, "LDIF line %d: %s: URL values are not read", lineno, line);
	if (*v == ':') {
		v++;
		while (*v == ' ')
			v++;
		if (b64_decode(v, &bin, &n) < 0)
			return err_set(e, "LDIF line %d: %s: bad base64", lineno, line);
		rc = take_value(r, line, bin, n, e);
		free(bin);
		return rc;
	}
	while (*v == ' ')
		v++;
	return take_value(r, line, (const uint8_t *)v, strlen(v), e);
}

int gp_ldif_read(const char *text, size_t len, struct gp_objset *out, struct err *e)
{
	struct record r;
	char *buf = malloc(len + 1), *line = NULL;
	size_t line_len = 0, line_cap = 0;
	int lineno = 0, start = 0, rc = 0;

	memset(out, 0, sizeof(*out));
	memset(&r, 0, sizeof(r));
	r.cls = -1;
	r.o.blob.kind = GPB_OTHER;
	if (!buf)
		return err_set(e, "out of memory");
	memcpy(buf, text, len);
	buf[len] = '\0';
	/* Joins folded lines, then hands each logical line to parse_line. */
	for (char *p = buf, *nl; rc == 0 && p <= buf + len; p = nl + 1) {
		size_t l;
		bool blank, cont;

		nl = memchr(p, '\n', (size_t)(buf + len - p));
		if (!nl)
			nl = buf + len;
		*nl = '\0';
		lineno++;
		l = strlen(p);
		if (l != (size_t)(nl - p)) {
			rc = err_set(e, "LDIF line %d: a NUL byte", lineno);
			break;
		}
		if (l && p[l - 1] == '\r')
			p[--l] = '\0';
		cont = p[0] == ' ';
		blank = l == 0;
		if (cont && line_len) {
			p++;
			l--;
		} else if (line_len) {
			if (line[0] != '#')
				rc = parse_line(&r, line, start, e);
			line_len = 0;
		}
		if (rc)
			break;
		if (blank) {
			rc = record_end(&r, out, e);
			continue;
		}
		if (line_len + l + 1 > line_cap) {
			char *nb = realloc(line, line_cap = (line_len + l + 1) * 2);

			if (!nb) {
				rc = err_set(e, "out of memory");
				break;
			}
			line = nb;
		}
		if (!line_len)
			start = lineno;
		memcpy(line + line_len, p, l);
		line_len += l;
		line[line_len] = '\0';
		if (nl == buf + len)
			break;
	}
	if (!rc && line_len && line[0] != '#')
		rc = parse_line(&r, line, start, e);
	if (!rc)
		rc = record_end(&r, out, e);
	record_reset(&r);
	free(line);
	free(buf);
	if (rc)
		gp_objset_free(out);
	return rc;
}

/* --- writing --- */

static bool safe_string(const char *v)
{
	const unsigned char *s = (const unsigned char *)v;
	size_t n = strlen(v);

	if (n && (s[0] == ' ' || s[0] == ':' || s[0] == '<' || s[n - 1] == ' '))
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] >= 0x80 || s[i] < 0x20)
			return false;
	return true;
}

static void put(FILE *out, const char *attr, const char *v)
{
	if (!v)
		return;
	if (safe_string(v)) {
		fprintf(out, "%s: %s\n", attr, v);
		return;
	}
	fprintf(out, "%s:: ", attr);
	b64_write((const uint8_t *)v, strlen(v), out);
	fputc('\n', out);
}

static void put_all(FILE *out, const char *attr, const struct gp_strs *s)
{
	for (size_t i = 0; i < s->n; i++)
		put(out, attr, s->v[i]);
}

void gp_ldif_write(const struct gp_objset *set, FILE *out)
{
	for (size_t i = 0; i < set->n; i++) {
		const struct gp_object *o = &set->objs[i];

		put(out, "dn", o->dn);
		fprintf(out, "objectClass: top\nobjectClass: ipsecBase\nobjectClass: %s\n",
			gp_class_name(o->cls));
		put(out, "ipsecName", o->name);
		put(out, "description", o->description);
		put(out, "ipsecID", o->id);
		put(out, "ipsecDataType", o->data_type);
		fprintf(out, "ipsecData:: ");
		b64_write(o->data, o->data_len, out);
		fputc('\n', out);
		put(out, "ipsecISAKMPReference", o->isakmp_ref);
		put_all(out, "ipsecNFAReference", &o->nfa_refs);
		put_all(out, "ipsecFilterReference", &o->filter_refs);
		put(out, "ipsecNegotiationPolicyReference", o->negpol_ref);
		put(out, "iPSECNegotiationPolicyAction", o->negpol_action);
		put(out, "iPSECNegotiationPolicyType", o->negpol_type);
		put_all(out, "ipsecOwnersReference", &o->owners);
		fputc('\n', out);
	}
}
