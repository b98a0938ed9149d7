// SPDX-License-Identifier: MIT
/* gpipsec_ldif - the MS-GPIPSEC codec from the shell, for tests/ldap:
 *   gpipsec_ldif encode DB CONTAINER   a store's local policies as LDIF for ldapadd
 *   gpipsec_ldif decode LDIF DB        directory objects into a store's local store
 *   gpipsec_ldif same A.ldif B.ldif    the two hold the same objects, byte for byte
 *   gpipsec_ldif relay LDIF            the ipsec objects of an LDIF, as gp_ldif_write writes them
 *   gpipsec_ldif fetch DOMAIN.CONF     what the agent's fetch (dir_fetch) gets: the assigned
 *                                      policy's meaning, without GUIDs (a write's fresh ones)
 * Exit 0 when done, 1 with a message on stderr. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "directory/dirfetch.h"
#include "gpipsec/gpstore.h"

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, got;

	*len = 0;
	if (!f)
		return NULL;
	do {
		if (*len + 4096 > cap && !(buf = realloc(buf, cap = cap * 2 + 8192)))
			abort();
		got = fread(buf + *len, 1, cap - *len - 1, f);
		*len += got;
	} while (got > 0);
	fclose(f);
	buf[*len] = '\0';
	return buf;
}

static int read_set(const char *path, struct gp_objset *s, struct err *e)
{
	size_t len;
	char *t = slurp(path, &len);
	int rc;

	if (!t)
		return err_set(e, "%s: cannot read", path);
	rc = gp_ldif_read(t, len, s, e);
	free(t);
	return rc < 0 ? err_prefix(e, "%s", path) : 0;
}

static bool same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

static bool same_dn(const char *a, const char *b)
{
	return (!a && !b) || (a && b && gp_dn_equal(a, b));
}

static int same(const struct gp_objset *a, const struct gp_objset *b)
{
	int bad = 0;

	if (a->n != b->n) {
		fprintf(stderr, "%zu objects against %zu\n", a->n, b->n);
		bad = 1;
	}
	for (size_t i = 0; i < a->n; i++) {
		const struct gp_object *x = &a->objs[i], *y = gp_objset_find(b, x->dn);
		const char *diff = NULL;

		if (!y)
			diff = "missing";
		else if (x->cls != y->cls)
			diff = "objectClass";
		else if (!same_str(x->name, y->name))
			diff = "ipsecName";
		else if (!same_str(x->description, y->description))
			diff = "description";
		else if (!same_str(x->id, y->id))
			diff = "ipsecID";
		else if (!same_str(x->data_type, y->data_type))
			diff = "ipsecDataType";
		else if (x->data_len != y->data_len || memcmp(x->data, y->data, x->data_len))
			diff = "ipsecData";
		else if (!same_dn(x->isakmp_ref, y->isakmp_ref) || !same_dn(x->negpol_ref, y->negpol_ref) ||
			 !gp_dn_set_equal(&x->nfa_refs, &y->nfa_refs) || !gp_dn_set_equal(&x->filter_refs, &y->filter_refs) ||
			 !gp_dn_set_equal(&x->owners, &y->owners))
			diff = "a reference";
		else if (!same_str(x->negpol_action, y->negpol_action) || !same_str(x->negpol_type, y->negpol_type))
			diff = "iPSECNegotiationPolicyAction or Type";
		if (diff) {
			fprintf(stderr, "%s: %s differs\n", x->dn, diff);
			bad = 1;
		}
	}
	return bad;
}

/* The assigned policy, its rules in order, their filters and actions. */
static int print_fetch(const char *conf_path, struct err *e)
{
	struct domain_conf c;
	struct dir_fetch f;
	struct gp_domain d;

	if (domain_conf_load(conf_path, &c, e) < 0 || dir_fetch(&c, &f, e) < 0)
		return -1;
	if (!f.assigned) {
		puts("no policy assigned");
		dir_fetch_free(&f);
		return 0;
	}
	if (gp_to_model(&f.set, &d, e) < 0) {
		dir_fetch_free(&f);
		return -1;
	}
	for (size_t i = 0; i < d.n_policies; i++)
		printf("policy '%s' '%s' poll %ld\n", d.policies[i].name, d.policies[i].description,
		       d.policies[i].pollinginterval);
	for (size_t i = 0; i < d.n_rules; i++) {
		const struct gp_rule *r = &d.rules[i];

		printf("rule '%s' active %d\n", r->rule.name, r->rule.active);
		for (size_t j = 0; j < d.n_lists; j++)
			if (!strcmp(d.lists[j].list.guid, r->list))
				for (size_t k = 0; k < d.lists[j].n_filters; k++)
					printf("  list '%s' proto %u dport %u-%u\n", d.lists[j].list.name,
					       d.lists[j].filters[k].proto, d.lists[j].filters[k].dport.lo,
					       d.lists[j].filters[k].dport.hi);
		for (size_t j = 0; j < d.n_actions; j++)
			if (!strcmp(d.actions[j].guid, r->action))
				printf("  action '%s' %d\n", d.actions[j].name, (int)d.actions[j].action);
	}
	gp_domain_free(&d);
	dir_fetch_free(&f);
	return 0;
}

int main(int argc, char **argv)
{
	struct gp_objset s1, s2;
	struct gp_domain d;
	struct db *db;
	struct err e;
	int rc = 1;

	if (argc == 4 && !strcmp(argv[1], "encode")) {
		if (db_open(&db, argv[2], &e) < 0 || db_begin_read(db, &e) < 0 ||
		    gp_domain_load(db, STORE_LOCAL, &d, &e) < 0)
			goto fail;
		db_commit(db, &e);
		db_close(db);
		if (gp_from_model(&d, argv[3], NULL, &s1, &e) < 0) {
			gp_domain_free(&d);
			goto fail;
		}
		gp_ldif_write(&s1, stdout);
		gp_objset_free(&s1);
		gp_domain_free(&d);
		return 0;
	}
	if (argc == 4 && !strcmp(argv[1], "decode")) {
		if (read_set(argv[2], &s1, &e) < 0)
			goto fail;
		rc = gp_to_model(&s1, &d, &e);
		gp_objset_free(&s1);
		if (rc < 0)
			goto fail;
		if (db_open(&db, argv[3], &e) < 0 || db_begin(db, &e) < 0 ||
		    gp_domain_insert(db, STORE_LOCAL, &d, &e) < 0 || db_commit(db, &e) < 0) {
			gp_domain_free(&d);
			goto fail;
		}
		db_close(db);
		gp_domain_free(&d);
		return 0;
	}
	if (argc == 4 && !strcmp(argv[1], "same")) {
		if (read_set(argv[2], &s1, &e) < 0)
			goto fail;
		if (read_set(argv[3], &s2, &e) < 0) {
			gp_objset_free(&s1);
			goto fail;
		}
		rc = same(&s1, &s2) || same(&s2, &s1);
		gp_objset_free(&s1);
		gp_objset_free(&s2);
		return rc;
	}
	if (argc == 3 && !strcmp(argv[1], "fetch")) {
		if (print_fetch(argv[2], &e) == 0)
			return 0;
		goto fail;
	}
	if (argc == 3 && !strcmp(argv[1], "relay")) {
		if (read_set(argv[2], &s1, &e) < 0)
			goto fail;
		gp_ldif_write(&s1, stdout);
		gp_objset_free(&s1);
		return 0;
	}
	fprintf(stderr, "usage: gpipsec_ldif encode DB CONTAINER | decode LDIF DB | same A B | relay LDIF\n");
	return 2;
fail:
	fprintf(stderr, "gpipsec_ldif %s: %s\n", argv[1], e.msg);
	return 1;
}
