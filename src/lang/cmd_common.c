// SPDX-License-Identifier: MIT
#include "cmd_common.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "model/auth.h"
#include "model/label.h"

/* name= or guid=: exactly one must be given. */
static int name_or_guid(struct bound *b, const char *tag, const char **name, const char **guid,
			struct err *e)
{
	*name = args_get(b, tag);
	*guid = args_declares(b, "guid") ? args_get(b, "guid") : NULL;
	if (*name && *guid) {
		err_set(e, "give %s= or guid=, not both", tag);
		return args_fail(b, "guid", e);
	}
	if (!*name && !*guid)
		return err_set(e, "%s: required (or guid=)", tag);
	return 0;
}

static int not_found(struct session *s, struct bound *b, const char *tag, const char *kind,
		     const char *name, const char *guid, struct err *e)
{
	err_set(e, "no %s %s '%s' in the %s store", kind, name ? "named" : "with GUID",
		name ? name : guid, store_kind_name(s->store));
	return args_fail(b, name ? tag : "guid", e);
}

int cmd_find_policy(struct session *s, struct bound *b, const char *tag, struct policy *out,
		    struct err *e)
{
	const char *name, *guid;
	int rc;

	if (name_or_guid(b, tag, &name, &guid, e) < 0)
		return -1;
	rc = db_policy_find(s->db, s->store, name, guid, out, e);
	if (rc == 0)
		return not_found(s, b, tag, "policy", name, guid, e);
	return rc < 0 ? -1 : 0;
}

int cmd_find_filterlist(struct session *s, struct bound *b, const char *tag,
			struct filterlist *out, struct err *e)
{
	const char *name, *guid;
	int rc;

	if (name_or_guid(b, tag, &name, &guid, e) < 0)
		return -1;
	rc = db_filterlist_find(s->db, s->store, name, guid, out, e);
	if (rc == 0)
		return not_found(s, b, tag, "filter list", name, guid, e);
	return rc < 0 ? -1 : 0;
}

int cmd_find_filteraction(struct session *s, struct bound *b, const char *tag,
			  struct filteraction *out, struct err *e)
{
	const char *name, *guid;
	int rc;

	if (name_or_guid(b, tag, &name, &guid, e) < 0)
		return -1;
	rc = db_filteraction_find(s->db, s->store, name, guid, out, e);
	if (rc == 0)
		return not_found(s, b, tag, "filter action", name, guid, e);
	return rc < 0 ? -1 : 0;
}

bool cmd_is_all(const char *name)
{
	return name && strcasecmp(name, "all") == 0;
}

int cmd_check_name(struct bound *b, const char *tag, const char *name, int exists,
		   const char *kind, struct err *e)
{
	if (exists < 0)
		return -1;
	if (!name[0])
		err_set(e, "a %s name cannot be empty", kind);
	else if (cmd_is_all(name))
		err_set(e, "'all' is a keyword, not a %s name", kind);
	else if (strlen(name) >= NAME_MAX_LEN)
		err_set(e, "a %s name is at most %d characters", kind, NAME_MAX_LEN - 1);
	else if (label_check(name, e) < 0)
		return args_fail(b, tag, e);
	else if (exists)
		err_set(e, "a %s named '%s' already exists", kind, name);
	else
		return 0;
	return args_fail(b, tag, e);
}

int cmd_read_auth(struct bound *b, char *auth, size_t cap, struct err *e)
{
	struct auth_builder ab;
	char buf[AUTH_MAX_LEN];
	int kerberos = args_index(b, "kerberos"), psk = args_index(b, "psk"),
	    rootca = args_index(b, "rootca");

	auth_begin(&ab, buf, sizeof(buf));
	for (size_t i = 0; i < b->n_seq; i++) {
		const char *v = b->seq[i].value;
		int rc = 0, p = b->seq[i].param;
		if (p == kerberos) {
			bool yes;
			if (args_bool(b, "kerberos", &yes, e) < 0)
				return -1;
			rc = auth_add_kerberos(&ab, yes, e);
		} else if (p == psk) {
			rc = auth_add_psk(&ab, v, e);
		} else if (p == rootca) {
			rc = auth_add_rootca(&ab, v, e);
		} else {
			continue;
		}
		if (rc < 0) {
			b->err_col = b->seq[i].col;
			return err_prefix(e, "%s", b->params[p].name);
		}
	}
	if (!ab.any)
		return 0;
	auth_end(&ab);
	snprintf(auth, cap, "%s", buf);
	return 1;
}

int cmd_read_description(struct bound *b, char *dst, size_t cap, struct err *e)
{
	const char *v = args_get(b, "description");

	if (v && field_copy(dst, cap, v, "description", e) < 0)
		return args_fail(b, "description", e);
	return 0;
}

int cmd_rules_named(struct session *s, const char *name, struct rule **out, size_t *n,
		    struct err *e)
{
	struct policy *ps;
	size_t np;

	*out = NULL;
	*n = 0;
	if (db_policy_list(s->db, s->store, &ps, &np, e) < 0)
		return -1;
	for (size_t i = 0; i < np; i++) {
		struct rule r;
		int rc = db_rule_find(s->db, ps[i].id, name, 0, &r, e);
		if (rc < 0) {
			free(ps);
			free(*out);
			return -1;
		}
		if (rc == 0)
			continue;
		struct rule *grown = realloc(*out, (*n + 1) * sizeof(**out));
		if (!grown) {
			free(ps);
			free(*out);
			return err_set(e, "out of memory");
		}
		*out = grown;
		(*out)[(*n)++] = r;
	}
	free(ps);
	return 0;
}

int cmd_read_tunnel(struct session *s, struct bound *b, const char *tag, char *out, size_t cap,
		    struct err *e)
{
	const char *v = args_get(b, tag);
	struct addr a;
	int inline_len;

	if (!v)
		return 0;
	if (!v[0]) {
		out[0] = '\0';
		return 0;
	}
	enum addr_parse_result res = addr_parse(v, &a, &inline_len, e);
	if (res == ADDR_NEEDS_DNS) {
		size_t n;
		if (s->resolve(a.name, &a.ip, 1, &n, e) < 0)
			return args_fail(b, tag, e);
		a.kind = ADDR_IP;
	} else if (res == ADDR_BAD) {
		return args_fail(b, tag, e);
	} else if (a.kind != ADDR_IP || a.ip.len != family_bits(a.ip.family)) {
		err_set(e, "a tunnel endpoint is one IP address or host name");
		return args_fail(b, tag, e);
	}
	ip_format(&a.ip, out, cap);
	return 0;
}
