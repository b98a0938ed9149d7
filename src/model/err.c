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
