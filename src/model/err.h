// SPDX-License-Identifier: MIT
/* err.h - a fixed-size error message carried up through the layers. */
#ifndef IPSECFW_ERR_H
#define IPSECFW_ERR_H

#include <stddef.h>

struct err {
	char msg[512];
};

/* Formats msg; always returns -1 so callers can `return err_set(...)`. */
int err_set(struct err *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Prefixes an existing message: "prefix: old message". Returns -1. */
int err_prefix(struct err *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Rewrites characters that print as nothing or as a blank (U+00A0, U+00AD,
 * U+200B..U+200F, U+2060, U+FEFF) as "\u00a0", so a message shows why a
 * name that looks right did not match. */
void err_show_invisible(struct err *e);
/* The same for any NUL-terminated text in a buffer of size bytes (at most
 * 2048 are kept). */
void text_show_invisible(char *buf, size_t size);

#endif
