// SPDX-License-Identifier: MIT
/* tap.h - a tiny Test Anything Protocol writer for the unit tests. */
#ifndef IPSECFW_TAP_H
#define IPSECFW_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_count, tap_failures;

__attribute__((format(printf, 4, 5))) static inline int tap_ok(int pass, const char *file,
								int line, const char *fmt, ...)
{
	va_list ap;

	tap_count++;
	printf("%sok %d - ", pass ? "" : "not ", tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (!pass) {
		tap_failures++;
		printf("#   failed at %s:%d\n", file, line);
	}
	return pass;
}

#define ok(cond, ...) tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
#define is_str(got, want, ...)                                                       \
	(strcmp((got), (want)) == 0 ? ok(1, __VA_ARGS__)                              \
				    : (printf("#   got  '%s'\n#   want '%s'\n", (got), (want)), \
				       ok(0, __VA_ARGS__)))

static inline int done_testing(void)
{
	printf("1..%d\n", tap_count);
	return tap_failures ? 1 : 0;
}

#endif
