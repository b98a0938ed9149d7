// SPDX-License-Identifier: MIT
/* dirwrite.c - see dirwrite.h. */
#define LDAP_DEPRECATED 0
#include "directory/dirwrite.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "directory/dirfetch.h"
#include "directory/gpo.h"
#include "gpipsec/wire.h"
#include "store/store.h"

#define IPSEC_CLASSES                                                                   \
	"(|(objectClass=ipsecPolicy)(objectClass=ipsecISAKMPPolicy)(objectClass=ipsecNFA)" \
	"(objectClass=ipsecNegotiationPolicy)(objectClass=ipsecFilter))"

/* --- reading --- */

int dir_container_load(struct dir_conn *cn, const char *container, struct gp_objset *out,
		       struct err *e)
{
	LDAPMessage *res = NULL;
	char *text = NULL;
	size_t text_len = 0, total = 0;
	FILE *ldif;
	int rc;

	memset(out, 0, sizeof *out);
	rc = ldap_search_ext_s(cn->ld, container, LDAP_SCOPE_ONELEVEL, IPSEC_CLASSES,
			       (char **)dir_ipsec_attrs, 0, NULL, NULL, &cn->timeout, DIR_MAX_OBJECTS,
			       &res);
	if (rc == LDAP_NO_SUCH_OBJECT) {
		ldap_msgfree(res);
		return err_set(e, "%s: no such container in the directory", container);
	}
	if (rc == LDAP_SIZELIMIT_EXCEEDED) {
		ldap_msgfree(res);
		return err_set(e, "%s: more than %d objects", container, DIR_MAX_OBJECTS);
	}
	if (rc != LDAP_SUCCESS) {
		ldap_msgfree(res);
		return err_set(e, "%s: search: %s", container, ldap_err2string(rc));
	}
	if (!(ldif = open_memstream(&text, &text_len))) {
		ldap_msgfree(res);
		return err_set(e, "out of memory");
	}
	rc = 0;
	for (LDAPMessage *m = ldap_first_entry(cn->ld, res); m && rc == 0;
	     m = ldap_next_entry(cn->ld, m)) {
		char *dn = ldap_get_dn(cn->ld, m);

		rc = dn ? dir_entry_ldif(cn, m, dn, dir_ipsec_attrs, ldif, &total, e)
			: err_set(e, "%s: an entry without a DN", container);
		ldap_memfree(dn);
	}
	ldap_msgfree(res);
	fclose(ldif);
	if (rc == 0)
		rc = gp_ldif_read(text, text_len, out, e);
	free(text);
	return rc;
}

static bool has_dn(const struct gp_strs *s, const char *dn)
{
	for (size_t i = 0; i < s->n; i++)
		if (gp_dn_equal(s->v[i], dn))
			return true;
	return false;
}

static bool references(const struct gp_object *from, const struct gp_object *to)
{
	switch (to->cls) {
	case GPC_ISAKMP: return from->isakmp_ref && gp_dn_equal(from->isakmp_ref, to->dn);
	case GPC_NFA: return has_dn(&from->nfa_refs, to->dn);
	case GPC_FILTER: return has_dn(&from->filter_refs, to->dn);
	case GPC_NEGPOL: return from->negpol_ref && gp_dn_equal(from->negpol_ref, to->dn);
	default: return false;
	}
}

/* The container of dn: what dir_write names as the owner of a list or
 * action whose rules do not exist yet (a directory may refuse a reference
 * to an object that does not exist). */
static bool is_parent(const char *owner, const char *dn)
{
	const char *comma = strchr(dn, ',');

	return comma && gp_dn_equal(owner, comma + 1);
}

int dir_container_live(const struct gp_objset *all, struct gp_objset *out, struct err *e)
{
	bool *dead = calloc(all->n + 1, sizeof *dead);
	struct gp_object *view = calloc(all->n + 1, sizeof *view);
	struct gp_objset live = { view, 0, all->n };
	char *text = NULL;
	size_t text_len = 0;
	FILE *ldif;
	int rc;

	memset(out, 0, sizeof *out);
	if (!dead || !view || !(ldif = open_memstream(&text, &text_len))) {
		free(dead);
		free(view);
		return err_set(e, "out of memory");
	}
	/* rules and main-mode settings live only under a policy */
	for (size_t i = 0; i < all->n; i++) {
		const struct gp_object *o = &all->objs[i];

		if (o->cls != GPC_NFA && o->cls != GPC_ISAKMP)
			continue;
		dead[i] = true;
		for (size_t j = 0; j < all->n && dead[i]; j++)
			dead[i] = !(all->objs[j].cls == GPC_POLICY && references(&all->objs[j], o));
	}
	/* A list or action no live rule uses is a leftover when it names an
	 * owner that still exists (the rule it was written for, now a leftover
	 * itself, or the rule it was replaced in); with no owner left it is a
	 * list or action of its own. */
	for (size_t i = 0; i < all->n; i++) {
		const struct gp_object *o = &all->objs[i];
		bool owned = false, used = false;

		if (o->cls != GPC_FILTER && o->cls != GPC_NEGPOL)
			continue;
		for (size_t j = 0; j < all->n && !used; j++)
			used = all->objs[j].cls == GPC_NFA && !dead[j] && references(&all->objs[j], o);
		for (size_t k = 0; k < o->owners.n && !owned; k++)
			owned = gp_objset_find(all, o->owners.v[k]) != NULL ||
				is_parent(o->owners.v[k], o->dn);
		dead[i] = owned && !used;
	}
	for (size_t i = 0; i < all->n; i++)
		if (!dead[i])
			view[live.n++] = all->objs[i];
	gp_ldif_write(&live, ldif);
	fclose(ldif);
	free(view);
	free(dead);
	rc = gp_ldif_read(text, text_len, out, e);
	free(text);
	return rc;
}

/* --- what changes --- */

enum change { C_SAME, C_OWNERS, C_CHANGED, C_NEW };

static bool str_same(const char *a, const char *b, bool nocase)
{
	return (!a && !b) || (a && b && (nocase ? strcasecmp(a, b) : strcmp(a, b)) == 0);
}

static bool dn_same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && gp_dn_equal(a, b));
}

/* In order: a policy's rules are applied in ipsecNFAReference order. */
static bool dns_same(const struct gp_strs *a, const struct gp_strs *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (!gp_dn_equal(a->v[i], b->v[i]))
			return false;
	return true;
}

/* Everything but the back-links. */
static bool same_content(const struct gp_object *a, const struct gp_object *b)
{
	return a->cls == b->cls && str_same(a->name, b->name, false) &&
	       str_same(a->description, b->description, false) && str_same(a->id, b->id, true) &&
	       str_same(a->data_type, b->data_type, false) && a->data_len == b->data_len &&
	       (a->data_len == 0 || memcmp(a->data, b->data, a->data_len) == 0) &&
	       dn_same(a->isakmp_ref, b->isakmp_ref) && dn_same(a->negpol_ref, b->negpol_ref) &&
	       dns_same(&a->nfa_refs, &b->nfa_refs) && dns_same(&a->filter_refs, &b->filter_refs) &&
	       str_same(a->negpol_action, b->negpol_action, true) &&
	       str_same(a->negpol_type, b->negpol_type, true);
}

static enum change change_of(const struct gp_objset *cur, const struct gp_object *o)
{
	const struct gp_object *p = gp_objset_find(cur, o->dn);

	if (!p)
		return C_NEW;
	if (!same_content(p, o))
		return C_CHANGED;
	return gp_dn_set_equal(&p->owners, &o->owners) ? C_SAME : C_OWNERS;
}

bool dir_objset_same(const struct gp_objset *a, const struct gp_objset *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (change_of(b, &a->objs[i]) != C_SAME)
			return false;
	return true;
}

static int swap_ref(char **slot, const char *old, const char *dn)
{
	char *copy;

	if (!*slot || !gp_dn_equal(*slot, old))
		return 0;
	if (!(copy = strdup(dn)))
		return -1;
	free(*slot);
	*slot = copy;
	return 0;
}

static int swap_refs(struct gp_objset *set, const char *old, const char *dn)
{
	for (size_t i = 0; i < set->n; i++) {
		struct gp_object *o = &set->objs[i];
		struct gp_strs *lists[] = { &o->nfa_refs, &o->filter_refs, &o->owners };

		if (swap_ref(&o->isakmp_ref, old, dn) < 0 || swap_ref(&o->negpol_ref, old, dn) < 0)
			return -1;
		for (size_t l = 0; l < 3; l++)
			for (size_t k = 0; k < lists[l]->n; k++)
				if (swap_ref(&lists[l]->v[k], old, dn) < 0)
					return -1;
	}
	return 0;
}

/* A changed object becomes a new one: a fresh GUID, its DN and ipsecID,
 * and everything that referenced it now references the new DN. */
static int renew(struct gp_objset *set, struct gp_object *o, const char *container, struct err *e)
{
	char guid[GUID_LEN], dn[DOMAIN_VALUE_MAX + 64], *old = o->dn, *id;

	new_guid(guid);
	snprintf(dn, sizeof dn, "CN=%s%s,%s", gp_class_name(o->cls), guid, container);
	if (!(o->dn = strdup(dn)) || !(id = strdup(guid))) {
		free(o->dn);
		o->dn = old;
		return err_set(e, "out of memory");
	}
	free(o->id);
	o->id = id;
	if (o->cls == GPC_ISAKMP) {
		guid_parse(guid, &o->blob.u.isakmp.instance);
		if (gp_object_encode(o, e) < 0) {
			free(old);
			return -1;
		}
	}
	if (swap_refs(set, old, o->dn) < 0) {
		free(old);
		return err_set(e, "out of memory");
	}
	free(old);
	return 0;
}

/* --- LDAP operations --- */

struct modlist {
	LDAPMod *mods[20];
	size_t n;
};

static void mods_free(struct modlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->mods[i]);
	l->n = 0;
}

/* One attribute's values; the bervals point into the object. */
static int mod_add(struct modlist *l, int op, const char *attr, const char *const *v,
		   const size_t *len, size_t k)
{
	LDAPMod *m;
	struct berval **ptrs, *vals;

	if (op == LDAP_MOD_ADD && k == 0)
		return 0;
	m = calloc(1, sizeof *m + (k + 1) * sizeof *ptrs + (k + 1) * sizeof *vals);
	if (!m)
		return -1;
	ptrs = (struct berval **)(m + 1);
	vals = (struct berval *)(ptrs + k + 1);
	for (size_t i = 0; i < k; i++) {
		vals[i].bv_val = (char *)v[i];
		vals[i].bv_len = len ? len[i] : strlen(v[i]);
		ptrs[i] = &vals[i];
	}
	m->mod_op = op | LDAP_MOD_BVALUES;
	m->mod_type = (char *)attr;
	m->mod_bvalues = ptrs;
	l->mods[l->n++] = m;
	return 0;
}

static int mod_one(struct modlist *l, int op, const char *attr, const char *v)
{
	return mod_add(l, op, attr, &v, NULL, v ? 1 : 0);
}

static int mod_strs(struct modlist *l, int op, const char *attr, const struct gp_strs *s)
{
	return mod_add(l, op, attr, (const char *const *)s->v, NULL, s->n);
}

/* The attributes of o: every one for an add, a policy's for a replace. */
static int object_mods(const struct gp_object *o, int op, struct modlist *l, char *rdn, size_t rdn_len)
{
	const char *classes[] = { "top", "ipsecBase", gp_class_name(o->cls) };
	const char *data = (const char *)o->data;
	const char *comma = strchr(o->dn, ',');
	int rc = 0;

	if (op == LDAP_MOD_ADD) {
		snprintf(rdn, rdn_len, "%.*s", comma ? (int)(comma - o->dn - 3) : 0, o->dn + 3);
		rc |= mod_add(l, op, "objectClass", classes, NULL, 3);
		rc |= mod_one(l, op, "cn", rdn);
	}
	rc |= mod_one(l, op, "ipsecName", o->name);
	rc |= mod_one(l, op, "description", o->description);
	rc |= mod_one(l, op, "ipsecID", o->id);
	rc |= mod_one(l, op, "ipsecDataType", o->data_type);
	rc |= mod_add(l, op, "ipsecData", &data, &o->data_len, 1);
	rc |= mod_one(l, op, "ipsecISAKMPReference", o->isakmp_ref);
	rc |= mod_strs(l, op, "ipsecNFAReference", &o->nfa_refs);
	if (o->cls != GPC_POLICY) {
		rc |= mod_strs(l, op, "ipsecFilterReference", &o->filter_refs);
		rc |= mod_one(l, op, "ipsecNegotiationPolicyReference", o->negpol_ref);
		rc |= mod_one(l, op, "iPSECNegotiationPolicyAction", o->negpol_action);
		rc |= mod_one(l, op, "iPSECNegotiationPolicyType", o->negpol_type);
	}
	rc |= mod_strs(l, op, "ipsecOwnersReference", &o->owners);
	l->mods[l->n] = NULL;
	return rc ? -1 : 0;
}

static int ldap_fail(const char *dn, const char *what, int rc, struct err *e)
{
	return err_set(e, "%s: %s: %s", dn, what, ldap_err2string(rc));
}

static int add_object(struct dir_conn *cn, const struct gp_object *o, struct err *e)
{
	struct modlist l = { 0 };
	char rdn[128];
	int rc;

	if (object_mods(o, LDAP_MOD_ADD, &l, rdn, sizeof rdn) < 0) {
		mods_free(&l);
		return err_set(e, "out of memory");
	}
	rc = ldap_add_ext_s(cn->ld, o->dn, l.mods, NULL, NULL);
	mods_free(&l);
	return rc == LDAP_SUCCESS ? 0 : ldap_fail(o->dn, "add", rc, e);
}

/* Adds o with the owners that exist already: a directory may refuse a
 * reference to an object that does not exist (Active Directory does).
 * When one does not yet (a list's new rule, a new policy's rules and
 * ISAKMP policy), the container stands in for it, which also marks a list
 * or action a leftover should the writer stop here, and *pending asks for
 * the real owners once everything is added. */
static int add_new(struct dir_conn *cn, const struct gp_object *o, const struct gp_objset *cur,
		   const char *container, bool *pending, struct err *e)
{
	struct gp_object now = *o;
	char **v;
	int rc;

	*pending = false;
	if (!(v = calloc(o->owners.n + 1, sizeof *v)))
		return err_set(e, "out of memory");
	now.owners = (struct gp_strs){ v, 0 };
	for (size_t k = 0; k < o->owners.n; k++)
		if (gp_objset_find(cur, o->owners.v[k]))
			v[now.owners.n++] = o->owners.v[k];
		else
			*pending = true;
	if (*pending)
		v[now.owners.n++] = (char *)container;
	rc = add_object(cn, &now, e);
	free(v);
	return rc;
}

/* The policy switch (every attribute, one operation), or a back-link update. */
static int modify_object(struct dir_conn *cn, const struct gp_object *o, bool owners_only,
			 struct err *e)
{
	struct modlist l = { 0 };
	int rc = owners_only ? mod_strs(&l, LDAP_MOD_REPLACE, "ipsecOwnersReference", &o->owners)
			     : object_mods(o, LDAP_MOD_REPLACE, &l, NULL, 0);

	l.mods[l.n] = NULL;
	if (rc < 0) {
		mods_free(&l);
		return err_set(e, "out of memory");
	}
	rc = ldap_modify_ext_s(cn->ld, o->dn, l.mods, NULL, NULL);
	mods_free(&l);
	return rc == LDAP_SUCCESS ? 0 : ldap_fail(o->dn, "modify", rc, e);
}

static int delete_object(struct dir_conn *cn, const char *dn, struct err *e)
{
	int rc = ldap_delete_ext_s(cn->ld, dn, NULL, NULL);

	return rc == LDAP_SUCCESS || rc == LDAP_NO_SUCH_OBJECT ? 0 : ldap_fail(dn, "delete", rc, e);
}

/* A GPO's IPSEC object (an ipsecPolicy outside the container) assigning dn. */
static int assigned_by(struct dir_conn *cn, const char *base, const char *container,
		       const char *dn, char *gpo, size_t len, struct err *e)
{
	char *attrs[] = { "1.1", NULL };
	LDAPMessage *res = NULL;
	int rc, found = 0;

	gpo[0] = '\0';
	rc = dir_search_for(cn, base, LDAP_SCOPE_SUBTREE,
			    "(&(objectClass=ipsecPolicy)(ipsecOwnersReference=%v))", dn, attrs, 16, &res);
	if (rc != LDAP_SUCCESS && rc != LDAP_SIZELIMIT_EXCEEDED) {
		ldap_msgfree(res);
		return err_set(e, "%s: search: %s", base, ldap_err2string(rc));
	}
	for (LDAPMessage *m = ldap_first_entry(cn->ld, res); m && !found; m = ldap_next_entry(cn->ld, m)) {
		char *at = ldap_get_dn(cn->ld, m);
		size_t n = at ? strlen(at) : 0, c = strlen(container);

		/* the container's own ipsecPolicy objects have no owners; skip them anyway */
		if (at && !(n > c && gp_dn_equal(at + n - c, container))) {
			size_t skip = strncasecmp(at, DIR_GPO_IPSEC, strlen(DIR_GPO_IPSEC)) == 0
					      ? strlen(DIR_GPO_IPSEC)
					      : 0;
			snprintf(gpo, len, "%s", at + skip);
			found = 1;
		}
		ldap_memfree(at);
	}
	ldap_msgfree(res);
	return found;
}

/* A rule or main-mode object naming no owner is not a leftover of ours
 * (ipsecfw writes each with its policy's DN): Windows' "Version
 * Information Object", an NFA no policy uses, is one Samba provisions.
 * No write deletes it. */
static bool foreign_unowned(const struct gp_object *o)
{
	return (o->cls == GPC_NFA || o->cls == GPC_ISAKMP) && o->owners.n == 0;
}

static const enum gp_class add_order[] = { GPC_FILTER, GPC_NEGPOL, GPC_ISAKMP, GPC_NFA, GPC_POLICY };
/* Policies first (a policy never references what is gone); then the lists
 * and actions (their rules are leftovers by now, so a list that outlived
 * its rule can never pass for one of its own), then rules, ISAKMP. */
static const enum gp_class delete_order[] = { GPC_POLICY, GPC_FILTER, GPC_NEGPOL, GPC_NFA, GPC_ISAKMP };

int dir_write(struct dir_conn *cn, const char *base, const char *container,
	      const struct gp_objset *cur, struct gp_objset *want, struct dir_write_stats *st,
	      struct err *e)
{
	enum change *ch = calloc(want->n + 1, sizeof *ch);
	bool renewed = true, *pending = calloc(want->n + 1, sizeof *pending);
	int rc = 0;

	memset(st, 0, sizeof *st);
	if (!ch || !pending) {
		free(ch);
		free(pending);
		return err_set(e, "out of memory");
	}
	/* Nothing of ours references a policy: whatever its back-links say
	 * (another tool's) is kept. */
	for (size_t i = 0; i < want->n && rc == 0; i++) {
		struct gp_object *o = &want->objs[i];
		const struct gp_object *p = o->cls == GPC_POLICY ? gp_objset_find(cur, o->dn) : NULL;

		for (size_t k = 0; p && k < p->owners.n && rc == 0; k++)
			if (!has_dn(&o->owners, p->owners.v[k]) && gp_strs_add(&o->owners, p->owners.v[k]) < 0)
				rc = err_set(e, "out of memory");
	}
	/* Changed objects below the policies become new ones, which changes
	 * what references them: until nothing more changes (a pass per level). */
	for (size_t pass = 0; renewed && rc == 0 && pass <= want->n; pass++) {
		renewed = false;
		for (size_t i = 0; i < want->n; i++)
			ch[i] = change_of(cur, &want->objs[i]);
		for (size_t i = 0; i < want->n && rc == 0; i++)
			if (ch[i] == C_CHANGED && want->objs[i].cls != GPC_POLICY) {
				rc = renew(want, &want->objs[i], container, e);
				renewed = true;
			}
	}
	for (size_t i = 0; i < want->n && rc == 0; i++)
		ch[i] = change_of(cur, &want->objs[i]);
	/* refused before anything is written */
	for (size_t i = 0; i < cur->n && rc == 0; i++) {
		char gpo[DOMAIN_VALUE_MAX];

		if (cur->objs[i].cls != GPC_POLICY || gp_objset_find(want, cur->objs[i].dn))
			continue;
		if ((rc = assigned_by(cn, base, container, cur->objs[i].dn, gpo, sizeof gpo, e)) > 0)
			rc = err_set(e, "policy '%s' is assigned by the GPO %s: unassign it first "
					"(ipsecfw gpo unassign)",
				     cur->objs[i].name ? cur->objs[i].name : cur->objs[i].dn, gpo);
	}
	/* 1. new objects, children first: nothing references them yet */
	for (size_t c = 0; c < 5 && rc == 0; c++)
		for (size_t i = 0; i < want->n && rc == 0; i++)
			if (ch[i] == C_NEW && want->objs[i].cls == add_order[c] &&
			    (rc = add_new(cn, &want->objs[i], cur, container, &pending[i], e)) == 0)
				st->added++;
	/* 2. back-links: of new objects, now that their owners exist, and of
	 * unchanged ones (no reader follows them) */
	for (size_t i = 0; i < want->n && rc == 0; i++)
		if ((pending[i] || ch[i] == C_OWNERS) &&
		    (rc = modify_object(cn, &want->objs[i], true, e)) == 0)
			st->modified++;
	/* 3. the switch: each changed policy in one operation */
	for (size_t i = 0; i < want->n && rc == 0; i++)
		if (ch[i] == C_CHANGED && (rc = modify_object(cn, &want->objs[i], false, e)) == 0)
			st->modified++;
	/* 4. what nothing references any more */
	for (size_t c = 0; c < 5 && rc == 0; c++)
		for (size_t i = 0; i < cur->n && rc == 0; i++)
			if (cur->objs[i].cls == delete_order[c] && !gp_objset_find(want, cur->objs[i].dn) &&
			    !foreign_unowned(&cur->objs[i]) && (rc = delete_object(cn, cur->objs[i].dn, e)) == 0)
				st->deleted++;
	free(ch);
	free(pending);
	return rc < 0 ? -1 : 0;
}
