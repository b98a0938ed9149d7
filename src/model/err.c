// SPDX-License-Identifier: MIT
#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int err_set(struct err *e, const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return -1;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return -1;
}

int err_prefix(struct err *e, const char *fmt, ...)
{
	char prefix[256], old[sizeof(e->msg)];
	va_list ap;

	if (!e)
		return -1;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, e->msg, sizeof(old));
	/* Truncation is fine: the prefix matters more than the tail. */
	size_t n = strnlen(prefix, sizeof(prefix) - 1);
	memcpy(e->msg, prefix, n);
	memcpy(e->msg + n, ": ", 2);
	n += 2;
	size_t rest = strnlen(old, sizeof(old) - 1);
	if (rest > sizeof(e->msg) - 1 - n)
		rest = sizeof(e->msg) - 1 - n;
	memcpy(e->msg + n, old, rest);
	e->msg[n + rest] = '\0';
	return -1;
}

/* The code point of the invisible character at p, or 0. */
static unsigned invisible_at(const unsigned char *p, size_t *len)
{
	if (p[0] == 0xc2 && (p[1] == 0xa0 || p[1] == 0xad)) {
		*len = 2;
		return p[1];
	}
	if (p[0] == 0xe2 && p[1] == 0x80 && p[2] >= 0x8b && p[2] <= 0x8f) {
		*len = 3;
		return 0x2000u + (p[2] - 0x80u);
	}
	if (p[0] == 0xe2 && p[1] == 0x81 && p[2] == 0xa0) {
		*len = 3;
		return 0x2060;
	}
	if (p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf) {
		*len = 3;
		return 0xfeff;
	}
	return 0;
}

void text_show_invisible(char *buf, size_t size)
{
	char out[2048];
	const unsigned char *p = (const unsigned char *)buf;
	size_t used = 0, len, cap = size < sizeof(out) ? size : sizeof(out);
	unsigned cp;

	if (cap == 0)
		return;
	while (*p && used < cap - 1) {
		if ((cp = invisible_at(p, &len))) {
			if (used + 6 > cap - 1)
				break;
			snprintf(out + used, cap - used, "\\u%04x", cp);
			used += 6;
			p += len;
		} else {
			out[used++] = (char)*p++;
		}
	}
	out[used] = '\0';
	memcpy(buf, out, used + 1);
}

void err_show_invisible(struct err *e)
{
	if (e)
		text_show_invisible(e->msg, sizeof(e->msg));
}
