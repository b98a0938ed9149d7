// SPDX-License-Identifier: MIT
/* gpo.c - see gpo.h. */
#define LDAP_DEPRECATED 0
#include "directory/gpo.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "directory/gpcext.h"
#include "gpipsec/dirobj.h"

static int fail(const char *dn, const char *what, int rc, struct err *e)
{
	return err_set(e, "%s: %s: %s", dn, what, ldap_err2string(rc));
}

static bool has_class(struct dir_conn *cn, LDAPMessage *entry, const char *cls)
{
	struct berval **v = ldap_get_values_len(cn->ld, entry, "objectClass");
	bool found = false;

	for (size_t i = 0; v && v[i] && !found; i++)
		found = v[i]->bv_len == strlen(cls) && strncasecmp(v[i]->bv_val, cls, v[i]->bv_len) == 0;
	ldap_value_free_len(v);
	return found;
}

/* 1 when dn is an entry of class cls, 0 when there is no such entry. */
static int entry_is(struct dir_conn *cn, const char *dn, const char *cls, struct err *e)
{
	char *attrs[] = { "objectClass", NULL };
	LDAPMessage *res = NULL, *entry;
	int rc = dir_read_entry(cn, dn, attrs, &res, &entry, e);

	if (rc == 1 && !has_class(cn, entry, cls))
		rc = err_set(e, "%s: not an %s", dn, cls);
	ldap_msgfree(res);
	return rc;
}

int dir_gpo_find(struct dir_conn *cn, const char *base, const char *gpo, char *dn, size_t len,
		 struct err *e)
{
	char where[DOMAIN_VALUE_MAX + 32], *attrs[] = { "1.1", NULL }, *found;
	LDAPMessage *res = NULL;
	int rc, n;

	if (strchr(gpo, '=')) {
		if ((rc = entry_is(cn, gpo, "groupPolicyContainer", e)) <= 0)
			return rc < 0 ? -1 : err_set(e, "%s: no such GPO", gpo);
		snprintf(dn, len, "%s", gpo);
		return 0;
	}
	snprintf(where, sizeof where, DIR_GPO_CONTAINER "%s", base);
	rc = dir_search_for(cn, where, LDAP_SCOPE_ONELEVEL,
			    "(&(objectClass=groupPolicyContainer)(|(displayName=%v)(cn=%v)))", gpo, attrs,
			    2, &res);
	n = rc == LDAP_SUCCESS || rc == LDAP_SIZELIMIT_EXCEEDED ? ldap_count_entries(cn->ld, res) : 0;
	if (rc != LDAP_SUCCESS || n != 1) {
		ldap_msgfree(res);
		if (rc != LDAP_SUCCESS && rc != LDAP_SIZELIMIT_EXCEEDED)
			return fail(where, "search", rc, e);
		return err_set(e, n ? "several GPOs are named '%s': give the GPO's DN"
				    : "no GPO named '%s' under %s",
			       gpo, where);
	}
	found = ldap_get_dn(cn->ld, ldap_first_entry(cn->ld, res));
	ldap_msgfree(res);
	if (!found || strlen(found) >= len) {
		ldap_memfree(found);
		return err_set(e, "GPO '%s': its DN is too long", gpo);
	}
	strcpy(dn, found);
	ldap_memfree(found);
	return 0;
}

/* One attribute's text values for a modify or an add. */
static LDAPMod *mod(int op, const char *attr, char **values)
{
	LDAPMod *m = calloc(1, sizeof *m);

	if (m) {
		m->mod_op = op;
		m->mod_type = (char *)attr;
		m->mod_values = values;
	}
	return m;
}

static int run_mods(struct dir_conn *cn, const char *dn, bool add, LDAPMod **mods, size_t n,
		    struct err *e)
{
	int rc = LDAP_NO_MEMORY;
	bool ok = true;

	for (size_t i = 0; i < n; i++)
		ok = ok && mods[i];
	mods[n] = NULL;
	if (ok)
		rc = add ? ldap_add_ext_s(cn->ld, dn, mods, NULL, NULL)
			 : ldap_modify_ext_s(cn->ld, dn, mods, NULL, NULL);
	for (size_t i = 0; i < n; i++)
		free(mods[i]);
	if (rc == LDAP_ALREADY_EXISTS && add)
		return 1;
	return rc == LDAP_SUCCESS ? 0 : fail(dn, add ? "add" : "modify", rc, e);
}

/* CN=Machine, CN=Microsoft and CN=Windows under the GPO, where missing. */
static int machine_containers(struct dir_conn *cn, const char *gpo_dn, struct err *e)
{
	static const char *const rdns[] = { "Machine", "Microsoft", "Windows" };
	char dn[DOMAIN_VALUE_MAX + 64];
	size_t at = sizeof dn - 1 - strlen(gpo_dn);

	if (strlen(gpo_dn) >= DOMAIN_VALUE_MAX)
		return err_set(e, "GPO DN too long");
	/* built from the end: CN=Machine,<GPO>, then CN=Microsoft,..., then CN=Windows,... */
	memcpy(dn + at, gpo_dn, strlen(gpo_dn) + 1);
	for (size_t i = 0; i < 3; i++) {
		char *classes[] = { "top", "container", NULL }, *cnv[] = { (char *)rdns[i], NULL };
		LDAPMod *mods[3] = { mod(LDAP_MOD_ADD, "objectClass", classes),
				     mod(LDAP_MOD_ADD, "cn", cnv) };

		at -= strlen(rdns[i]) + 4;
		memcpy(dn + at, "CN=", 3);
		memcpy(dn + at + 3, rdns[i], strlen(rdns[i]));
		dn[at + 3 + strlen(rdns[i])] = ',';
		if (run_mods(cn, dn + at, true, mods, 2, e) < 0)
			return -1;
	}
	return 0;
}

/* gPCMachineExtensionNames with IPSec's entry (or without it) and the
 * computer half of versionNumber plus one, in one modify. */
static int bump(struct dir_conn *cn, const char *gpo_dn, bool ipsec, struct err *e)
{
	char *attrs[] = { "gPCMachineExtensionNames", "versionNumber", NULL };
	char ext[GPC_EXT_MAX], edited[GPC_EXT_MAX], version[32];
	LDAPMessage *res = NULL, *entry;
	unsigned long v;
	int rc;

	if ((rc = dir_read_entry(cn, gpo_dn, attrs, &res, &entry, e)) <= 0) {
		ldap_msgfree(res);
		return rc < 0 ? -1 : err_set(e, "%s: no such GPO", gpo_dn);
	}
	rc = dir_first_value(cn, entry, "gPCMachineExtensionNames", ext, sizeof ext, gpo_dn, e);
	if (rc == 0)
		rc = dir_first_value(cn, entry, "versionNumber", version, sizeof version, gpo_dn, e);
	ldap_msgfree(res);
	if (rc < 0 || gpc_ext_edit(ext, ipsec, edited, sizeof edited, e) < 0)
		return err_prefix(e, "%s", gpo_dn);
	v = strtoul(version, NULL, 10) & 0xFFFFFFFFul;
	v = ((((v >> 16) + 1) & 0x7FFFul) << 16) | (v & 0xFFFFul);
	snprintf(version, sizeof version, "%lu", v);
	char *extv[] = { edited, NULL }, *verv[] = { version, NULL };
	LDAPMod *mods[3] = { mod(LDAP_MOD_REPLACE, "gPCMachineExtensionNames", edited[0] ? extv : NULL),
			     mod(LDAP_MOD_REPLACE, "versionNumber", verv) };
	return run_mods(cn, gpo_dn, false, mods, 2, e);
}

int dir_gpo_assign(struct dir_conn *cn, const char *gpo_dn, const char *policy_dn,
		   struct err *e)
{
	char *attrs[] = { "objectClass", "ipsecName", "description", NULL };
	char name[256], desc[1024], ipsec_dn[DOMAIN_VALUE_MAX + 64];
	LDAPMessage *res = NULL, *entry;
	int rc;

	if ((rc = dir_read_entry(cn, policy_dn, attrs, &res, &entry, e)) <= 0) {
		ldap_msgfree(res);
		return rc < 0 ? -1 : err_set(e, "%s: no such policy", policy_dn);
	}
	rc = has_class(cn, entry, "ipsecPolicy") ? 0 : err_set(e, "%s: not an ipsecPolicy", policy_dn);
	if (rc == 0)
		rc = dir_first_value(cn, entry, "ipsecName", name, sizeof name, policy_dn, e);
	if (rc == 0)
		rc = dir_first_value(cn, entry, "description", desc, sizeof desc, policy_dn, e);
	ldap_msgfree(res);
	if (rc < 0 || machine_containers(cn, gpo_dn, e) < 0)
		return -1;
	snprintf(ipsec_dn, sizeof ipsec_dn, DIR_GPO_IPSEC "%s", gpo_dn);
	char *owner[] = { (char *)policy_dn, NULL }, *namev[] = { name, NULL },
	     *descv[] = { desc, NULL }, *classes[] = { "top", "ipsecBase", "ipsecPolicy", NULL },
	     *cnv[] = { "IPSEC", NULL };
	LDAPMod *mods[6] = { mod(LDAP_MOD_ADD, "objectClass", classes), mod(LDAP_MOD_ADD, "cn", cnv),
			     mod(LDAP_MOD_ADD, "ipsecOwnersReference", owner) };
	size_t n = 3;

	if (name[0])
		mods[n++] = mod(LDAP_MOD_ADD, "ipsecName", namev);
	if (desc[0])
		mods[n++] = mod(LDAP_MOD_ADD, "description", descv);
	rc = run_mods(cn, ipsec_dn, true, mods, n, e);
	if (rc == 1) { /* it assigned another policy: one modify switches it */
		LDAPMod *rep[4] = { mod(LDAP_MOD_REPLACE, "ipsecOwnersReference", owner),
				    mod(LDAP_MOD_REPLACE, "ipsecName", name[0] ? namev : NULL),
				    mod(LDAP_MOD_REPLACE, "description", desc[0] ? descv : NULL) };
		rc = run_mods(cn, ipsec_dn, false, rep, 3, e);
	}
	return rc < 0 ? -1 : bump(cn, gpo_dn, true, e);
}

int dir_gpo_unassign(struct dir_conn *cn, const char *gpo_dn, struct err *e)
{
	char ipsec_dn[DOMAIN_VALUE_MAX + 64];
	int rc;

	snprintf(ipsec_dn, sizeof ipsec_dn, DIR_GPO_IPSEC "%s", gpo_dn);
	if ((rc = entry_is(cn, gpo_dn, "groupPolicyContainer", e)) <= 0)
		return rc < 0 ? -1 : err_set(e, "%s: no such GPO", gpo_dn);
	rc = ldap_delete_ext_s(cn->ld, ipsec_dn, NULL, NULL);
	if (rc == LDAP_NO_SUCH_OBJECT)
		return 0;
	if (rc != LDAP_SUCCESS)
		return fail(ipsec_dn, "delete", rc, e);
	return bump(cn, gpo_dn, false, e) < 0 ? -1 : 1;
}

/* What the GPO at g->dn assigns: its IPSEC object's reference and that policy's name. */
static int gpo_assignment(struct dir_conn *cn, struct dir_gpo *g, struct err *e)
{
	char *ipsec_attrs[] = { "ipsecOwnersReference", NULL }, *name_attrs[] = { "ipsecName", NULL };
	char ipsec_dn[DOMAIN_VALUE_MAX + 64];
	LDAPMessage *res = NULL, *entry;
	int rc;

	snprintf(ipsec_dn, sizeof ipsec_dn, DIR_GPO_IPSEC "%s", g->dn);
	if ((rc = dir_read_entry(cn, ipsec_dn, ipsec_attrs, &res, &entry, e)) == 1)
		rc = dir_first_value(cn, entry, "ipsecOwnersReference", g->policy_dn,
				     sizeof g->policy_dn, ipsec_dn, e);
	ldap_msgfree(res);
	if (rc < 0 || !g->policy_dn[0])
		return rc < 0 ? -1 : 0;
	res = NULL;
	if ((rc = dir_read_entry(cn, g->policy_dn, name_attrs, &res, &entry, e)) == 1)
		rc = dir_first_value(cn, entry, "ipsecName", g->policy_name, sizeof g->policy_name,
				     g->policy_dn, e);
	else if (rc == 0)
		snprintf(g->policy_name, sizeof g->policy_name, "(no such policy)");
	ldap_msgfree(res);
	return rc < 0 ? -1 : 0;
}

static int by_name(const void *a, const void *b)
{
	return strcasecmp(((const struct dir_gpo *)a)->name, ((const struct dir_gpo *)b)->name);
}

int dir_gpo_list(struct dir_conn *cn, const char *base, struct dir_gpo **out, size_t *n,
		 struct err *e)
{
	char where[DOMAIN_VALUE_MAX + 32], *attrs[] = { "cn", "displayName", "versionNumber", NULL };
	LDAPMessage *res = NULL;
	int rc;

	*out = NULL;
	*n = 0;
	snprintf(where, sizeof where, DIR_GPO_CONTAINER "%s", base);
	rc = ldap_search_ext_s(cn->ld, where, LDAP_SCOPE_ONELEVEL, "(objectClass=groupPolicyContainer)",
			       attrs, 0, NULL, NULL, &cn->timeout, 1024, &res);
	if (rc != LDAP_SUCCESS) {
		ldap_msgfree(res);
		return fail(where, "search", rc, e);
	}
	if (!(*out = calloc((size_t)ldap_count_entries(cn->ld, res) + 1, sizeof **out))) {
		ldap_msgfree(res);
		return err_set(e, "out of memory");
	}
	rc = 0;
	for (LDAPMessage *m = ldap_first_entry(cn->ld, res); m && rc == 0; m = ldap_next_entry(cn->ld, m)) {
		struct dir_gpo *g = &(*out)[*n];
		char *dn = ldap_get_dn(cn->ld, m), version[32];

		if (!dn || strlen(dn) >= sizeof g->dn) {
			ldap_memfree(dn);
			continue;
		}
		strcpy(g->dn, dn);
		ldap_memfree(dn);
		rc = dir_first_value(cn, m, "displayName", g->name, sizeof g->name, g->dn, e);
		if (rc == 0 && !g->name[0])
			rc = dir_first_value(cn, m, "cn", g->name, sizeof g->name, g->dn, e);
		if (rc == 0)
			rc = dir_first_value(cn, m, "versionNumber", version, sizeof version, g->dn, e);
		g->version = strtol(version, NULL, 10);
		if (rc == 0)
			rc = gpo_assignment(cn, g, e);
		(*n)++;
	}
	ldap_msgfree(res);
	if (rc < 0) {
		free(*out);
		*out = NULL;
		*n = 0;
		return -1;
	}
	qsort(*out, *n, sizeof **out, by_name);
	return 0;
}
