// SPDX-License-Identifier: MIT
/* wire.c - see wire.h. */
#include "gpipsec/wire.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void rd_init(struct gp_rd *r, const uint8_t *p, size_t n, const char *obj, struct err *e)
{
	r->p = p;
	r->n = n;
	r->off = 0;
	r->obj = obj;
	r->e = e;
}

int rd_fail(struct gp_rd *r, const char *field, const char *fmt, ...)
{
	char why[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return err_set(r->e, "%s: ipsecData %s: %s", r->obj, field, why);
}

size_t rd_left(const struct gp_rd *r)
{
	return r->n - r->off;
}

int rd_bytes(struct gp_rd *r, const char *field, size_t len, const uint8_t **out)
{
	if (len > rd_left(r))
		return rd_fail(r, field, "needs %zu bytes at offset %zu, only %zu left", len, r->off,
			       rd_left(r));
	*out = r->p + r->off;
	r->off += len;
	return 0;
}

int rd_u8(struct gp_rd *r, const char *field, uint8_t *out)
{
	const uint8_t *p;

	if (rd_bytes(r, field, 1, &p) < 0)
		return -1;
	*out = p[0];
	return 0;
}

int rd_u16(struct gp_rd *r, const char *field, uint16_t *out)
{
	const uint8_t *p;

	if (rd_bytes(r, field, 2, &p) < 0)
		return -1;
	*out = (uint16_t)(p[0] | p[1] << 8);
	return 0;
}

int rd_u32(struct gp_rd *r, const char *field, uint32_t *out)
{
	const uint8_t *p;

	if (rd_bytes(r, field, 4, &p) < 0)
		return -1;
	*out = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
	return 0;
}

int rd_guid(struct gp_rd *r, const char *field, struct gp_guid *out)
{
	const uint8_t *p;

	if (rd_bytes(r, field, 16, &p) < 0)
		return -1;
	memcpy(out->b, p, 16);
	return 0;
}

int rd_counted(struct gp_rd *r, const char *field, uint8_t **out, uint32_t *len)
{
	const uint8_t *p;
	char lf[96];

	snprintf(lf, sizeof(lf), "%s length", field);
	if (rd_u32(r, lf, len) < 0 || rd_bytes(r, field, *len, &p) < 0)
		return -1;
	*out = malloc(*len ? *len : 1);
	if (!*out)
		return rd_fail(r, field, "out of memory");
	memcpy(*out, p, *len);
	return 0;
}

static void wr_grow(struct gp_wr *w, size_t more)
{
	size_t cap;
	uint8_t *p;

	if (w->oom || w->n + more <= w->cap)
		return;
	cap = w->cap ? w->cap * 2 : 256;
	while (cap < w->n + more)
		cap *= 2;
	p = realloc(w->p, cap);
	if (!p) {
		w->oom = true;
		return;
	}
	w->p = p;
	w->cap = cap;
}

void wr_bytes(struct gp_wr *w, const void *p, size_t n)
{
	wr_grow(w, n);
	if (w->oom || n == 0)
		return;
	memcpy(w->p + w->n, p, n);
	w->n += n;
}

void wr_u8(struct gp_wr *w, uint8_t v)
{
	wr_bytes(w, &v, 1);
}

void wr_u16(struct gp_wr *w, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)v, (uint8_t)(v >> 8) };

	wr_bytes(w, b, 2);
}

void wr_u32(struct gp_wr *w, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };

	wr_bytes(w, b, 4);
}

void wr_put_u32(struct gp_wr *w, size_t at, uint32_t v)
{
	if (w->oom || at + 4 > w->n)
		return;
	for (int i = 0; i < 4; i++)
		w->p[at + (size_t)i] = (uint8_t)(v >> (8 * i));
}

void wr_counted(struct gp_wr *w, const uint8_t *p, uint32_t n)
{
	wr_u32(w, n);
	wr_bytes(w, p, n);
}

void wr_guid(struct gp_wr *w, const struct gp_guid *g)
{
	wr_bytes(w, g->b, 16);
}

void guid_format(const struct gp_guid *g, char out[39])
{
	const uint8_t *b = g->b;

	snprintf(out, 39, "{%02X%02X%02X%02X-%02X%02X-%02X%02X-%02X%02X-%02X%02X%02X%02X%02X%02X}",
		 b[3], b[2], b[1], b[0], b[5], b[4], b[7], b[6], b[8], b[9], b[10], b[11], b[12],
		 b[13], b[14], b[15]);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int guid_parse(const char *text, struct gp_guid *out)
{
	/* Text byte order: Data1 (4 bytes, big-endian text), Data2, Data3, Data4. */
	static const int order[16] = { 3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15 };
	size_t len = strlen(text);
	const char *p = text;
	int k = 0;

	if (len == 38) {
		if (text[0] != '{' || text[37] != '}')
			return -1;
		p++;
	} else if (len != 36) {
		return -1;
	}
	for (int i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (p[i] != '-')
				return -1;
			continue;
		}
		int hi = hexval(p[i]), lo = hexval(p[i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		out->b[order[k++]] = (uint8_t)(hi << 4 | lo);
		i++;
	}
	return 0;
}

bool guid_equal(const struct gp_guid *a, const struct gp_guid *b)
{
	return memcmp(a->b, b->b, 16) == 0;
}

bool guid_text_equal(const char *a, const char *b)
{
	struct gp_guid ga, gb;

	if (guid_parse(a, &ga) < 0 || guid_parse(b, &gb) < 0)
		return strcasecmp(a, b) == 0;
	return guid_equal(&ga, &gb);
}

static int put_utf8(char *out, size_t cap, size_t *o, uint32_t cp)
{
	char buf[4];
	size_t n;

	if (cp < 0x80) {
		buf[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		buf[0] = (char)(0xC0 | cp >> 6);
		buf[1] = (char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		buf[0] = (char)(0xE0 | cp >> 12);
		buf[1] = (char)(0x80 | (cp >> 6 & 0x3F));
		buf[2] = (char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		buf[0] = (char)(0xF0 | cp >> 18);
		buf[1] = (char)(0x80 | (cp >> 12 & 0x3F));
		buf[2] = (char)(0x80 | (cp >> 6 & 0x3F));
		buf[3] = (char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	if (*o + n >= cap)
		return -1;
	memcpy(out + *o, buf, n);
	*o += n;
	return 0;
}

int utf16_to_utf8(const uint8_t *p, size_t n, char *out, size_t cap, const char *obj,
		  const char *field, struct err *e)
{
	size_t o = 0, units = n / 2;

	if (n % 2)
		return err_set(e, "%s: ipsecData %s: odd length %zu for UTF-16 text", obj, field, n);
	for (size_t i = 0; i < units; i++) {
		uint32_t u = (uint32_t)(p[2 * i] | p[2 * i + 1] << 8);

		if (u == 0) {
			if (i + 1 != units)
				return err_set(e, "%s: ipsecData %s: NUL inside the text", obj, field);
			break;
		}
		if (u >= 0xD800 && u < 0xDC00) {
			uint32_t l = i + 1 < units ? (uint32_t)(p[2 * i + 2] | p[2 * i + 3] << 8) : 0;

			if (l < 0xDC00 || l >= 0xE000)
				return err_set(e, "%s: ipsecData %s: unpaired UTF-16 surrogate", obj,
					       field);
			u = 0x10000 + ((u - 0xD800) << 10) + (l - 0xDC00);
			i++;
		} else if (u >= 0xDC00 && u < 0xE000) {
			return err_set(e, "%s: ipsecData %s: unpaired UTF-16 surrogate", obj, field);
		}
		if (put_utf8(out, cap, &o, u) < 0)
			return err_set(e, "%s: ipsecData %s: text longer than %zu bytes", obj, field,
				       cap - 1);
	}
	out[o] = '\0';
	return 0;
}

int utf8_to_utf16(const char *text, uint8_t **out, uint32_t *len, struct err *e)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t n = strlen(text), o = 0;
	uint8_t *buf = malloc(4 * n + 2);

	if (!buf)
		return err_set(e, "out of memory");
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t k;

		if (s[i] < 0x80) {
			cp = s[i];
			k = 1;
		} else if ((s[i] & 0xE0) == 0xC0) {
			cp = s[i] & 0x1F;
			k = 2;
		} else if ((s[i] & 0xF0) == 0xE0) {
			cp = s[i] & 0x0F;
			k = 3;
		} else if ((s[i] & 0xF8) == 0xF0) {
			cp = s[i] & 0x07;
			k = 4;
		} else {
			free(buf);
			return err_set(e, "'%s' is not UTF-8", text);
		}
		if (i + k > n) {
			free(buf);
			return err_set(e, "'%s' is not UTF-8", text);
		}
		for (size_t j = 1; j < k; j++) {
			if ((s[i + j] & 0xC0) != 0x80) {
				free(buf);
				return err_set(e, "'%s' is not UTF-8", text);
			}
			cp = cp << 6 | (s[i + j] & 0x3F);
		}
		i += k;
		if (cp >= 0x10000) {
			uint32_t v = cp - 0x10000, hi = 0xD800 + (v >> 10), lo = 0xDC00 + (v & 0x3FF);

			buf[o++] = (uint8_t)hi;
			buf[o++] = (uint8_t)(hi >> 8);
			buf[o++] = (uint8_t)lo;
			buf[o++] = (uint8_t)(lo >> 8);
		} else {
			buf[o++] = (uint8_t)cp;
			buf[o++] = (uint8_t)(cp >> 8);
		}
	}
	buf[o++] = 0;
	buf[o++] = 0;
	*out = buf;
	*len = (uint32_t)o;
	return 0;
}
