// SPDX-License-Identifier: MIT
/* libFuzzer target: any bytes as an ipsecpol command line (split at blanks
 * and NULs). Nothing may crash, leak or leave a transaction open. Dynamic
 * mode builds its batch for a stand-in agent that takes it. */
#include <stdint.h>

#include "fuzz_common.h"
#include "lang/ipsecpol.h"

enum { ARGV_MAX = 64 };

static int fuzz_batch(struct session *s, const char *const *lines, size_t n, size_t *failed,
		      struct err *e)
{
	(void)s;
	(void)e;
	for (size_t i = 0; i < n; i++)
		if (!lines[i][0])
			abort();
	*failed = 0;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size + 1), *argv[ARGV_MAX];
	struct session s;
	struct err e;
	int argc = 0;

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	copy[size] = '\0';
	for (size_t i = 0; i < size && argc < ARGV_MAX;) {
		while (i < size && (copy[i] == ' ' || copy[i] == '\0'))
			copy[i++] = '\0';
		if (i < size)
			argv[argc++] = copy + i;
		while (i < size && copy[i] != ' ' && copy[i] != '\0')
			i++;
	}
	fuzz_session(&s);
	s.spd_batch = fuzz_batch;
	static bool no_stdin;
	if (!no_stdin && !(no_stdin = freopen("/dev/null", "r", stdin) != NULL))
		abort(); /* -confirm reads an answer */
	ipsecpol_run(&s, argc, argv, &e);
	if (db_in_transaction(fuzz_db))
		abort();
	free(copy);
	return 0;
}
