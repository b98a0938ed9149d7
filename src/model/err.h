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

#endif
