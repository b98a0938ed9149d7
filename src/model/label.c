// SPDX-License-Identifier: MIT
/* label.c - names and descriptions: valid UTF-8, nothing that hides or
 * reorders text (label.h). */
#include "label.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* One strict UTF-8 sequence at s (no overlong form, no surrogate, at most
 * U+10FFFF): its length and code point, or 0 when s starts no valid one.
 * The NUL after the text is no continuation byte, so reads stop there. */
static size_t utf8_decode(const unsigned char *s, uint32_t *cp)
{
	uint32_t v, min;
	size_t n;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, v = s[0] & 0x1fu, min = 0x80;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, v = s[0] & 0x0fu, min = 0x800;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, v = s[0] & 0x07u, min = 0x10000;
	else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = v << 6 | (s[i] & 0x3fu);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return n;
}

static bool is_control(uint32_t c)
{
	return c < 0x20 || (c >= 0x7f && c <= 0x9f);
}

static bool is_bidi_control(uint32_t c)
{
	return c == 0x061c || c == 0x200e || c == 0x200f || (c >= 0x202a && c <= 0x202e) ||
	       (c >= 0x2066 && c <= 0x2069);
}

int label_check(const char *text, struct err *e)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t byte = 0, chr = 0, n;
	uint32_t c;

	for (; s[byte]; byte += n) {
		chr++;
		if (!(n = utf8_decode(s + byte, &c)))
			return err_set(e, "invalid UTF-8 at byte %zu (character %zu)", byte + 1, chr);
		if (is_control(c))
			return err_set(e, "control character U+%04X at character %zu (byte %zu)",
				       (unsigned)c, chr, byte + 1);
		if (is_bidi_control(c))
			return err_set(e, "bidirectional control character U+%04X at character %zu "
					  "(byte %zu): it can make text read as other text",
				       (unsigned)c, chr, byte + 1);
	}
	return 0;
}

void label_escape(char *text, size_t cap)
{
	char out[4096], esc[8];
	const unsigned char *s = (const unsigned char *)text;
	size_t len = 0, limit = cap < sizeof(out) ? cap : sizeof(out), n;
	bool changed = false;
	uint32_t c;

	for (size_t i = 0; s[i]; i += n) {
		const char *piece = (const char *)s + i;
		size_t plen;

		if (!(n = utf8_decode(s + i, &c))) {
			n = 1;
			snprintf(esc, sizeof(esc), "\\x%02X", s[i]);
		} else if (is_control(c) || is_bidi_control(c)) {
			snprintf(esc, sizeof(esc), "\\u%04X", (unsigned)c);
		} else {
			esc[0] = '\0';
		}
		changed = changed || esc[0];
		if (esc[0])
			piece = esc;
		plen = esc[0] ? strlen(esc) : n;
		if (len + plen >= limit)
			break;
		memcpy(out + len, piece, plen);
		len += plen;
	}
	if (!changed)
		return;
	out[len] = '\0';
	memcpy(text, out, len + 1);
}
