// SPDX-License-Identifier: MIT
/* domainsrc.c - see domainsrc.h. */
#include "directory/domainsrc.h"

#include <stddef.h>
#include <string.h>

static const struct {
	const char *key;
	size_t offset, size;
} fields[] = {
#define F(name) { "domain." #name, offsetof(struct domain_source, name), \
		  sizeof(((struct domain_source *)0)->name) }
	F(gpo), F(gponame), F(policydn), F(server), F(fetched), F(digest),
#undef F
};

int domain_source_get(struct db *db, struct domain_source *out, struct err *e)
{
	int found = 0;

	memset(out, 0, sizeof *out);
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
		int rc = db_meta_get(db, fields[i].key, (char *)out + fields[i].offset,
				     fields[i].size, e);
		if (rc < 0)
			return -1;
		found |= rc == 1 && *((char *)out + fields[i].offset);
	}
	return found && *out->fetched ? 1 : 0;
}

int domain_source_set(struct db *db, const struct domain_source *s, struct err *e)
{
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
		if (db_meta_set(db, fields[i].key, (const char *)s + fields[i].offset, e) < 0)
			return -1;
	return 0;
}
