// SPDX-License-Identifier: MIT
#include "auth.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void auth_begin(struct auth_builder *b, char *buf, size_t cap)
{
	b->buf = buf;
	b->cap = cap;
	b->any = false;
}

static int add(struct auth_builder *b, const char *kind, const char *value, struct err *e)
{
	size_t used;

	if (!b->any)
		b->buf[0] = '\0';
	b->any = true;
	used = strlen(b->buf);
	int n = snprintf(b->buf + used, b->cap - used, "%s%s%s%s", used ? "\n" : "", kind,
			 value ? ":" : "", value ? value : "");
	if (n < 0 || (size_t)n >= b->cap - used)
		return err_set(e, "authentication method list is too long");
	return 0;
}

int auth_add_kerberos(struct auth_builder *b, bool yes, struct err *e)
{
	if (!yes) {
		if (!b->any)
			b->buf[0] = '\0';
		b->any = true;
		return 0;
	}
	return add(b, "kerberos", NULL, e);
}

int auth_add_psk(struct auth_builder *b, const char *key, struct err *e)
{
	if (!key[0] || strchr(key, '\n'))
		return err_set(e, "bad preshared key: empty or multi-line");
	return add(b, "psk", key, e);
}

int auth_add_rootca(struct auth_builder *b, const char *spec, struct err *e)
{
	char cert[2048];
	size_t j = 0;
	const char *opts;

	/* netsh writes an embedded " as \' (SPEC §1). */
	for (size_t i = 0; spec[i] && j + 1 < sizeof(cert); i++) {
		if (spec[i] == '\\' && spec[i + 1] == '\'') {
			cert[j++] = '"';
			i++;
		} else {
			cert[j++] = spec[i];
		}
	}
	cert[j] = '\0';
	if (!cert[0] || strchr(cert, '\n'))
		return err_set(e, "bad rootca: empty or multi-line");
	/* Options, when present, must be certmap:/excludecaname: with yes|no. */
	for (opts = cert; (opts = strstr(opts, ":")) != NULL; opts++) {
		const char *w = opts;
		while (w > cert && w[-1] != ' ')
			w--;
		if (strncmp(w, "certmap:", 8) != 0 && strncmp(w, "excludecaname:", 14) != 0)
			continue;
		if (strncmp(opts + 1, "yes", 3) != 0 && strncmp(opts + 1, "no", 2) != 0 &&
		    strncmp(opts + 1, "y", 1) != 0 && strncmp(opts + 1, "n", 1) != 0)
			return err_set(e, "bad rootca option near '%s' (yes or no)", w);
	}
	return add(b, "rootca", cert, e);
}

void auth_end(struct auth_builder *b)
{
	if (b->any && b->buf[0] == '\0')
		snprintf(b->buf, b->cap, "kerberos");
}

void auth_each(const char *text, void (*fn)(const char *kind, const char *value, void *ctx),
	       void *ctx)
{
	char *copy = strdup(text), *save = NULL;

	if (!copy)
		return;
	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *colon = strchr(line, ':');
		if (strcmp(line, "kerberos") == 0 || !colon) {
			fn(line, NULL, ctx);
			continue;
		}
		*colon = '\0';
		fn(line, colon + 1, ctx);
	}
	free(copy);
}
