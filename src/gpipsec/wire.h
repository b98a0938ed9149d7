// SPDX-License-Identifier: MIT
/* wire.h - bounded little-endian reading and growable writing of the
 * ipsecData blobs (MS-GPIPSEC §2.2.1: every field little-endian), GUIDs in
 * their binary (MS-DTYP) and curly-braced text forms, and UTF-16LE strings.
 * A reader never looks past its end: a short field is an error naming the
 * object and the field. */
#ifndef IPSECFW_GP_WIRE_H
#define IPSECFW_GP_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/err.h"

struct gp_guid {
	uint8_t b[16]; /* as stored: Data1..Data3 little-endian, then Data4 */
};

struct gp_rd {
	const uint8_t *p;
	size_t n, off;
	const char *obj; /* the object, for messages */
	struct err *e;
};

void rd_init(struct gp_rd *r, const uint8_t *p, size_t n, const char *obj, struct err *e);
int rd_u8(struct gp_rd *r, const char *field, uint8_t *out);
int rd_u16(struct gp_rd *r, const char *field, uint16_t *out);
int rd_u32(struct gp_rd *r, const char *field, uint32_t *out);
int rd_guid(struct gp_rd *r, const char *field, struct gp_guid *out);
/* Points *out at len bytes of the input (not copied). */
int rd_bytes(struct gp_rd *r, const char *field, size_t len, const uint8_t **out);
/* A u32 length, then that many bytes, copied into a fresh buffer. */
int rd_counted(struct gp_rd *r, const char *field, uint8_t **out, uint32_t *len);
size_t rd_left(const struct gp_rd *r);
/* "<obj>: <field>: <reason>"; returns -1. */
int rd_fail(struct gp_rd *r, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

struct gp_wr {
	uint8_t *p;
	size_t n, cap;
	bool oom;
};

void wr_u8(struct gp_wr *w, uint8_t v);
void wr_u16(struct gp_wr *w, uint16_t v);
void wr_u32(struct gp_wr *w, uint32_t v);
void wr_bytes(struct gp_wr *w, const void *p, size_t n);
void wr_counted(struct gp_wr *w, const uint8_t *p, uint32_t n);
void wr_guid(struct gp_wr *w, const struct gp_guid *g);
void wr_put_u32(struct gp_wr *w, size_t at, uint32_t v);

/* "{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}", upper case. */
void guid_format(const struct gp_guid *g, char out[39]);
/* Braced or bare, any case. */
int guid_parse(const char *text, struct gp_guid *out);
bool guid_equal(const struct gp_guid *a, const struct gp_guid *b);
/* Two GUID texts name the same GUID (case and braces aside). */
bool guid_text_equal(const char *a, const char *b);

/* UTF-16LE (with or without its NUL) to UTF-8; unpaired surrogates and a
 * NUL inside the text are errors. */
int utf16_to_utf8(const uint8_t *p, size_t n, char *out, size_t cap, const char *obj,
		  const char *field, struct err *e);
/* UTF-8 to UTF-16LE with a terminating NUL; *out is malloc'ed. */
int utf8_to_utf16(const char *text, uint8_t **out, uint32_t *len, struct err *e);

#endif
