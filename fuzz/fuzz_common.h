// SPDX-License-Identifier: MIT
/* fuzz_common.h - a session on an in-memory store for the fuzz targets:
 * no files, no DNS, output discarded, reopened now and then so memory
 * stays bounded. */
#ifndef IPSECFW_FUZZ_COMMON_H
#define IPSECFW_FUZZ_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang/session.h"

static int fuzz_resolve(const char *name, struct ip_prefix *out, size_t max, size_t *n,
			struct err *e)
{
	(void)max;
	if (strlen(name) % 2)
		return err_set(e, "cannot resolve '%s'", name);
	memset(out, 0, sizeof(*out));
	*out = (struct ip_prefix){ .family = 2, .len = 32, .bytes = { 192, 0, 2, 1 } };
	*n = 1;
	return 0;
}

static struct db *fuzz_db;
static FILE *fuzz_null;
static unsigned fuzz_runs;

static void fuzz_session(struct session *s)
{
	struct err e;

	if (fuzz_db && ++fuzz_runs % 2000 == 0) {
		db_close(fuzz_db);
		fuzz_db = NULL;
	}
	if (!fuzz_db && db_open(&fuzz_db, ":memory:", &e) < 0)
		abort();
	if (!fuzz_null && !(fuzz_null = fopen("/dev/null", "w")))
		abort();
	session_init(s, fuzz_db, fuzz_null, fuzz_null);
	s->resolve = fuzz_resolve;
	s->allow_files = false;
}

#endif
