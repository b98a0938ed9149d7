// SPDX-License-Identifier: MIT
/* dirwatch.c - see dirwatch.h: the connection, the choice of a way of
 * watching from the root DSE, and the calls into it. */
#define LDAP_DEPRECATED 0
#include "directory/dirwatch_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* In order of preference. */
static const struct dir_watch_method *const methods[] = {
	&dir_watch_rfc4533,
	&dir_watch_adnotify,
};

/* The first method whose control the root DSE lists; NULL for none. */
static int offered(struct dir_conn *cn, const struct dir_watch_method **out)
{
	char *attrs[] = { "supportedControl", NULL };
	LDAPMessage *res = NULL, *entry;
	struct berval **v;
	int rc = ldap_search_ext_s(cn->ld, "", LDAP_SCOPE_BASE, "(objectClass=*)", attrs, 0, NULL,
				   NULL, &cn->timeout, 1, &res);

	*out = NULL;
	/* a root DSE that cannot be read offers nothing: poll */
	if (rc != LDAP_SUCCESS) {
		ldap_msgfree(res);
		return 0;
	}
	entry = ldap_first_entry(cn->ld, res);
	v = entry ? ldap_get_values_len(cn->ld, entry, "supportedControl") : NULL;
	for (size_t m = 0; m < sizeof methods / sizeof methods[0] && !*out; m++)
		for (size_t i = 0; v && v[i]; i++)
			if (v[i]->bv_len == strlen(methods[m]->control) &&
			    memcmp(v[i]->bv_val, methods[m]->control, v[i]->bv_len) == 0) {
				*out = methods[m];
				break;
			}
	ldap_value_free_len(v);
	ldap_msgfree(res);
	return 0;
}

int dir_watch_open(struct dir_watch **out, const struct domain_conf *c,
		   dir_watch_changed_fn changed, void *ctx, bool *refused, struct err *e)
{
	struct dir_watch *w = calloc(1, sizeof *w);
	int rc;

	*out = NULL;
	if (!w)
		return err_set(e, "out of memory");
	if (dir_connect(&w->conn, c, refused, e) < 0) {
		free(w);
		return -1;
	}
	w->conf = c;
	w->changed = changed;
	w->ctx = ctx;
	rc = offered(&w->conn, &w->method);
	if (rc == 0 && w->method) {
		snprintf(w->describe, sizeof w->describe, "%s (%s)", w->conn.server, w->method->name);
		rc = w->method->start(w, e) < 0 ? -1 : 1;
		if (rc == 1) {
			*out = w;
			return 1;
		}
		err_prefix(e, "%s", w->describe);
		w->method->stop(w);
	}
	dir_disconnect(&w->conn);
	free(w);
	return rc;
}

int dir_watch_fd(const struct dir_watch *w)
{
	int fd = -1;

	ldap_get_option(w->conn.ld, LDAP_OPT_DESC, &fd);
	return fd;
}

int dir_watch_read(struct dir_watch *w, struct err *e)
{
	if (w->method->read(w, e) == 0)
		return 0;
	return err_prefix(e, "%s", w->describe);
}

bool dir_watch_established(const struct dir_watch *w)
{
	return w->established;
}

const char *dir_watch_describe(const struct dir_watch *w)
{
	return w->describe;
}

void dir_watch_close(struct dir_watch *w)
{
	if (!w)
		return;
	w->method->stop(w);
	dir_disconnect(&w->conn);
	free(w);
}
