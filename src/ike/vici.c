// SPDX-License-Identifier: MIT
/* vici.c - VICI messages: building, the wire encoding both ways, lookup,
 * and the swanctl.conf rendering. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "vici.h"

void vici_msg_init(struct vici_msg *m)
{
	memset(m, 0, sizeof(*m));
}

void vici_msg_free(struct vici_msg *m)
{
	for (size_t i = 0; i < m->n; i++) {
		free(m->elems[i].name);
		free(m->elems[i].value);
	}
	free(m->elems);
	vici_msg_init(m);
}

/* Appends an element; name and value copied. */
static void push(struct vici_msg *m, uint8_t type, const char *name, size_t name_len,
		 const uint8_t *value, size_t len)
{
	struct vici_elem *el;

	if (m->failed)
		return;
	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 16;
		struct vici_elem *grown = realloc(m->elems, cap * sizeof(*grown));
		if (!grown) {
			m->failed = true;
			return;
		}
		m->elems = grown;
		m->cap = cap;
	}
	el = &m->elems[m->n];
	memset(el, 0, sizeof(*el));
	el->type = type;
	if (name && !(el->name = strndup(name, name_len))) {
		m->failed = true;
		return;
	}
	if (value || type == VICI_KEY_VALUE || type == VICI_LIST_ITEM) {
		if (!(el->value = malloc(len + 1))) {
			free(el->name);
			m->failed = true;
			return;
		}
		if (len)
			memcpy(el->value, value, len);
		el->value[len] = 0;
		el->len = len;
	}
	m->n++;
}

static bool name_ok(const char *name)
{
	size_t n = name ? strlen(name) : 0;
	return n > 0 && n < 256;
}

void vici_section_start(struct vici_msg *m, const char *name)
{
	if (!name_ok(name) || m->depth >= VICI_MAX_DEPTH)
		m->failed = true;
	push(m, VICI_SECTION_START, name, strlen(name ? name : ""), NULL, 0);
	m->depth++;
}

void vici_section_end(struct vici_msg *m)
{
	if (m->depth-- <= 0)
		m->failed = true;
	push(m, VICI_SECTION_END, NULL, 0, NULL, 0);
}

void vici_list_start(struct vici_msg *m, const char *name)
{
	if (!name_ok(name))
		m->failed = true;
	push(m, VICI_LIST_START, name, strlen(name ? name : ""), NULL, 0);
}

void vici_list_item(struct vici_msg *m, const char *value)
{
	size_t len = strlen(value);
	if (len > UINT16_MAX)
		m->failed = true;
	push(m, VICI_LIST_ITEM, NULL, 0, (const uint8_t *)value, len);
}

void vici_list_end(struct vici_msg *m)
{
	push(m, VICI_LIST_END, NULL, 0, NULL, 0);
}

void vici_kv(struct vici_msg *m, const char *key, const char *value)
{
	size_t len = strlen(value);
	if (!name_ok(key) || len > UINT16_MAX)
		m->failed = true;
	push(m, VICI_KEY_VALUE, key, strlen(key ? key : ""), (const uint8_t *)value, len);
}

void vici_kvf(struct vici_msg *m, const char *key, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(buf))
		m->failed = true;
	vici_kv(m, key, buf);
}

void vici_append(struct vici_msg *m, const struct vici_msg *src)
{
	if (src->failed)
		m->failed = true;
	for (size_t i = 0; i < src->n; i++) {
		const struct vici_elem *el = &src->elems[i];
		push(m, el->type, el->name, el->name ? strlen(el->name) : 0, el->value, el->len);
	}
}

/* Checks the element sequence: what a section or list may hold, balance
 * and depth. Shared by the encoder (our own messages) and the decoder. */
static int check_nesting(const struct vici_msg *m, struct err *e)
{
	bool in_list = false;
	int depth = 0;

	for (size_t i = 0; i < m->n; i++) {
		uint8_t t = m->elems[i].type;
		if (in_list != (t == VICI_LIST_ITEM || t == VICI_LIST_END))
			return err_set(e, "VICI element %zu: %s", i + 1,
				       in_list ? "a list holds only items" : "an item outside a list");
		switch (t) {
		case VICI_SECTION_START:
			if (++depth > VICI_MAX_DEPTH)
				return err_set(e, "VICI element %zu: sections nested over %d deep",
					       i + 1, VICI_MAX_DEPTH);
			break;
		case VICI_SECTION_END:
			if (--depth < 0)
				return err_set(e, "VICI element %zu: a section end without a start",
					       i + 1);
			break;
		case VICI_LIST_START:
			in_list = true;
			break;
		case VICI_LIST_END:
			in_list = false;
			break;
		default:
			break;
		}
	}
	if (in_list || depth)
		return err_set(e, "VICI message: %s not closed", in_list ? "a list" : "a section");
	return 0;
}

struct wbuf {
	uint8_t *p;
	size_t len, cap;
	bool failed;
};

static void wput(struct wbuf *w, const void *data, size_t len)
{
	if (w->failed)
		return;
	if (w->len + len > w->cap) {
		size_t cap = w->cap ? w->cap : 256;
		while (cap < w->len + len)
			cap *= 2;
		uint8_t *grown = realloc(w->p, cap);
		if (!grown) {
			w->failed = true;
			return;
		}
		w->p = grown;
		w->cap = cap;
	}
	memcpy(w->p + w->len, data, len);
	w->len += len;
}

static void wbyte(struct wbuf *w, uint8_t b)
{
	wput(w, &b, 1);
}

static void wname(struct wbuf *w, const char *name)
{
	size_t n = strlen(name);
	wbyte(w, (uint8_t)n);
	wput(w, name, n);
}

static void wvalue(struct wbuf *w, const uint8_t *v, size_t len)
{
	wbyte(w, (uint8_t)(len >> 8));
	wbyte(w, (uint8_t)len);
	wput(w, v, len);
}

static void encode_elems(struct wbuf *w, const struct vici_msg *m)
{
	for (size_t i = 0; i < m->n; i++) {
		const struct vici_elem *el = &m->elems[i];
		wbyte(w, el->type);
		if (el->type == VICI_SECTION_START || el->type == VICI_LIST_START ||
		    el->type == VICI_KEY_VALUE)
			wname(w, el->name);
		if (el->type == VICI_KEY_VALUE || el->type == VICI_LIST_ITEM)
			wvalue(w, el->value, el->len);
	}
}

int vici_encode(const struct vici_msg *m, uint8_t **out, size_t *len, struct err *e)
{
	struct wbuf w = { 0 };

	if (m->failed)
		return err_set(e, "VICI message: out of memory or a name or value too long");
	if (check_nesting(m, e) < 0)
		return -1;
	encode_elems(&w, m);
	if (w.failed) {
		free(w.p);
		return err_set(e, "out of memory");
	}
	*out = w.p;
	*len = w.len;
	return 0;
}

int vici_decode(const uint8_t *buf, size_t len, struct vici_msg *out, struct err *e)
{
	size_t i = 0;

	vici_msg_init(out);
	while (i < len) {
		uint8_t type = buf[i++];
		const char *name = NULL;
		size_t name_len = 0, vlen = 0;
		const uint8_t *value = NULL;

		if (type < VICI_SECTION_START || type > VICI_LIST_END) {
			vici_msg_free(out);
			return err_set(e, "VICI message: unknown element type %u at byte %zu", type,
				       i - 1);
		}
		if (type == VICI_SECTION_START || type == VICI_LIST_START ||
		    type == VICI_KEY_VALUE) {
			if (i >= len || (name_len = buf[i]) == 0 || len - i - 1 < name_len) {
				vici_msg_free(out);
				return err_set(e, "VICI message: a name cut short or empty at byte %zu",
					       i);
			}
			name = (const char *)buf + i + 1;
			if (memchr(name, 0, name_len)) {
				vici_msg_free(out);
				return err_set(e, "VICI message: a NUL in a name at byte %zu", i);
			}
			i += 1 + name_len;
		}
		if (type == VICI_KEY_VALUE || type == VICI_LIST_ITEM) {
			if (len - i < 2 || len - i - 2 < (vlen = (size_t)buf[i] << 8 | buf[i + 1])) {
				vici_msg_free(out);
				return err_set(e, "VICI message: a value cut short at byte %zu", i);
			}
			value = buf + i + 2;
			i += 2 + vlen;
		}
		push(out, type, name, name_len, value, vlen);
		if (out->failed) {
			vici_msg_free(out);
			return err_set(e, "out of memory");
		}
	}
	if (check_nesting(out, e) < 0) {
		vici_msg_free(out);
		return -1;
	}
	return 0;
}

static bool named_packet(uint8_t type)
{
	return type == VICI_CMD_REQUEST || type == VICI_EVENT_REGISTER ||
	       type == VICI_EVENT_UNREGISTER || type == VICI_EVENT;
}

int vici_packet_decode(const uint8_t *buf, size_t len, struct vici_packet *out, struct err *e)
{
	size_t i = 1;

	memset(out, 0, sizeof(*out));
	if (len < 1 || buf[0] > VICI_EVENT)
		return err_set(e, "VICI packet: %s", len ? "unknown packet type" : "empty");
	out->type = buf[0];
	if (named_packet(out->type)) {
		size_t n;
		if (len < 2 || (n = buf[1]) == 0 || len - 2 < n || memchr(buf + 2, 0, n))
			return err_set(e, "VICI packet: a bad name");
		memcpy(out->name, buf + 2, n);
		out->name[n] = 0;
		i = 2 + n;
	}
	return vici_decode(buf + i, len - i, &out->msg, e);
}

int vici_packet_encode(uint8_t type, const char *name, const struct vici_msg *m, uint8_t **out,
		       size_t *len, struct err *e)
{
	struct wbuf w = { 0 };
	static const struct vici_msg empty;

	if (!m)
		m = &empty;
	if (m->failed)
		return err_set(e, "VICI message: out of memory or a name or value too long");
	if (check_nesting(m, e) < 0)
		return -1;
	if (named_packet(type) && !name_ok(name))
		return err_set(e, "VICI packet: a name of 1 to 255 bytes is needed");
	wput(&w, "\0\0\0\0", 4);
	wbyte(&w, type);
	if (named_packet(type))
		wname(&w, name);
	encode_elems(&w, m);
	if (w.failed || w.len - 4 > VICI_MAX_SEGMENT) {
		free(w.p);
		return err_set(e, w.failed ? "out of memory" : "VICI packet over 512 KiB");
	}
	for (int b = 0; b < 4; b++)
		w.p[b] = (uint8_t)((w.len - 4) >> (24 - 8 * b));
	*out = w.p;
	*len = w.len;
	return 0;
}

size_t vici_skip(const struct vici_msg *m, size_t i)
{
	int depth = 0;

	for (; i < m->n; i++) {
		uint8_t t = m->elems[i].type;
		if (t == VICI_SECTION_START || t == VICI_LIST_START)
			depth++;
		else if (t == VICI_SECTION_END || t == VICI_LIST_END)
			depth--;
		if (depth <= 0)
			return i + 1;
	}
	return m->n;
}

const char *vici_get_in(const struct vici_msg *m, size_t section, const char *key)
{
	size_t i = section == SIZE_MAX ? 0 : section + 1;

	while (i < m->n && m->elems[i].type != VICI_SECTION_END) {
		const struct vici_elem *el = &m->elems[i];
		if (el->type == VICI_KEY_VALUE && strcmp(el->name, key) == 0)
			return (const char *)el->value;
		i = vici_skip(m, i);
	}
	return NULL;
}

const char *vici_get(const struct vici_msg *m, const char *key)
{
	return vici_get_in(m, SIZE_MAX, key);
}

static void write_value(FILE *out, const struct vici_elem *el)
{
	fwrite(el->value, 1, el->len, out);
}

void vici_write_conf(const struct vici_msg *m, FILE *out, int indent)
{
	for (size_t i = 0; i < m->n; i++) {
		const struct vici_elem *el = &m->elems[i];
		switch (el->type) {
		case VICI_SECTION_START:
			fprintf(out, "%*s%s {\n", indent * 4, "", el->name);
			indent++;
			break;
		case VICI_SECTION_END:
			indent--;
			fprintf(out, "%*s}\n", indent * 4, "");
			break;
		case VICI_KEY_VALUE:
			fprintf(out, "%*s%s = ", indent * 4, "", el->name);
			if (strcmp(el->name, "secret") == 0)
				fputs("<hidden>", out);
			else
				write_value(out, el);
			fputc('\n', out);
			break;
		case VICI_LIST_START:
			fprintf(out, "%*s%s = ", indent * 4, "", el->name);
			for (i++; i < m->n && m->elems[i].type == VICI_LIST_ITEM; i++) {
				if (m->elems[i - 1].type == VICI_LIST_ITEM)
					fputs(", ", out);
				write_value(out, &m->elems[i]);
			}
			fputc('\n', out);
			break;
		default:
			break;
		}
	}
}
