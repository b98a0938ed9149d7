// SPDX-License-Identifier: MIT
/* gpcext.c - see gpcext.h. */
#include "directory/gpcext.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum { GUID_TEXT = 38, MAX_ENTRIES = 64 };

struct entry {
	const char *at; /* "[{...}...]" inside value */
	size_t len;
};

static bool is_guid(const char *p)
{
	static const char shape[] = "{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}";

	for (size_t i = 0; i < GUID_TEXT; i++)
		if (shape[i] == 'X' ? !isxdigit((unsigned char)p[i]) : p[i] != shape[i])
			return false;
	return true;
}

static int by_cse(const void *a, const void *b)
{
	return strncasecmp(((const struct entry *)a)->at + 1, ((const struct entry *)b)->at + 1,
			   GUID_TEXT);
}

int gpc_ext_edit(const char *value, bool add, char *out, size_t len, struct err *e)
{
	static const char ipsec[] = "[" GPC_IPSEC_CSE GPC_IPSEC_TOOL "]";
	struct entry list[MAX_ENTRIES + 1];
	size_t n = 0, at = 0;
	bool has = false;

	for (const char *p = value; *p;) {
		const char *start = p;

		if (*p++ != '[')
			return err_set(e, "gPCMachineExtensionNames: not a list of [{GUID}...] entries");
		while (*p == '{') {
			if (strnlen(p, GUID_TEXT) < GUID_TEXT || !is_guid(p))
				return err_set(e, "gPCMachineExtensionNames: entry %zu: not a GUID", n + 1);
			p += GUID_TEXT;
		}
		if (*p != ']' || p == start + 1)
			return err_set(e, "gPCMachineExtensionNames: entry %zu: not [{GUID}...]", n + 1);
		p++;
		if (n == MAX_ENTRIES)
			return err_set(e, "gPCMachineExtensionNames: more than %d entries", MAX_ENTRIES);
		list[n] = (struct entry){ start, (size_t)(p - start) };
		if (strncasecmp(start + 1, GPC_IPSEC_CSE, GUID_TEXT) == 0) {
			has = true;
			if (!add)
				continue;
		}
		n++;
	}
	if (add && !has)
		list[n++] = (struct entry){ ipsec, sizeof ipsec - 1 };
	qsort(list, n, sizeof list[0], by_cse);
	out[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		if (at + list[i].len >= len)
			return err_set(e, "gPCMachineExtensionNames: longer than %zu bytes", len - 1);
		memcpy(out + at, list[i].at, list[i].len);
		at += list[i].len;
		out[at] = '\0';
	}
	return 0;
}
