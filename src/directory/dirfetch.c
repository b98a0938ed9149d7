// SPDX-License-Identifier: MIT
/* dirfetch.c - see dirfetch.h. libldap, synchronous calls with timeouts. */
#define LDAP_DEPRECATED 0
#include "directory/dirfetch.h"

#include "directory/dirconn.h"
#include "directory/gpo.h"

#include <ldap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>


int dir_find_computer(struct dir_conn *cn, const struct domain_conf *c, char *dn, size_t len,
		      struct err *e)
{
	char filter[400], *attrs[] = { "1.1", NULL }, *found;
	LDAPMessage *res = NULL, *entry;
	int rc, n;

	if (domain_conf_host_check(c, "domain.conf", e) < 0)
		return -1;
	if (*c->computer) {
		if ((rc = dir_read_entry(cn, c->computer, attrs, &res, &entry, e)) <= 0) {
			ldap_msgfree(res);
			return rc < 0 ? -1 : err_set(e, "computer %s: no such object", c->computer);
		}
		ldap_msgfree(res);
		snprintf(dn, len, "%s", c->computer);
		return 0;
	}
	/* hostname holds letters, digits, '-', '.' and '_' only: no escaping */
	snprintf(filter, sizeof filter, "(&(objectClass=computer)(cn=%s))", c->hostname);
	rc = ldap_search_ext_s(cn->ld, c->base, LDAP_SCOPE_SUBTREE, filter, attrs, 0, NULL, NULL,
			       &cn->timeout, 2, &res);
	n = rc == LDAP_SUCCESS || rc == LDAP_SIZELIMIT_EXCEEDED ? ldap_count_entries(cn->ld, res) : 0;
	if (rc != LDAP_SUCCESS || n != 1) {
		ldap_msgfree(res);
		if (rc != LDAP_SUCCESS && rc != LDAP_SIZELIMIT_EXCEEDED)
			return err_set(e, "computer %s under %s: search: %s", c->hostname, c->base,
				       ldap_err2string(rc));
		return err_set(e, "computer %s under %s: %s", c->hostname, c->base,
			       n ? "more than one object has that name" : "no such object");
	}
	found = ldap_get_dn(cn->ld, ldap_first_entry(cn->ld, res));
	ldap_msgfree(res);
	if (!found || strlen(found) >= len) {
		ldap_memfree(found);
		return err_set(e, "computer %s: its DN is too long", c->hostname);
	}
	strcpy(dn, found);
	ldap_memfree(found);
	return 0;
}

/* --- the GPO chain (MS-GPOL: site < domain < OU; sites are AD's only) --- */

struct gpo_list {
	char *dn[DIR_MAX_GPOS];
	size_t n;
};

/* gPLink's options (MS-GPOL §2.2.2) and gPOptions' (§2.2.3) */
#define LINK_DISABLED 1
#define LINK_ENFORCED 2
#define SOM_BLOCKS_INHERITANCE 1
/* a GPO's flags: its computer part is disabled */
#define GPO_MACHINE_DISABLED 2

struct link {
	char *dn;
	bool enforced;
};

/* One scope of management (the domain or an OU) and its enabled links,
 * in the order gPLink lists them (the first listed has the highest
 * precedence). */
struct som {
	struct link links[DIR_MAX_GPOS];
	size_t n;
	bool blocks; /* block inheritance: the non-enforced links above are ignored */
};

static int parse_links(struct som *out, const char *som, const char *v, struct err *e)
{
	const char *p = v;

	while (*p) {
		const char *end = strchr(p, ']'), *semi;
		long options;

		if (*p != '[' || !end || strncasecmp(p + 1, "LDAP://", 7) != 0)
			return err_set(e, "%s: gPLink: not a list of [LDAP://DN;OPTIONS]", som);
		for (semi = end; semi > p && *semi != ';'; semi--)
			;
		if (semi <= p + 8)
			return err_set(e, "%s: gPLink: a link without ;OPTIONS", som);
		options = strtol(semi + 1, NULL, 10);
		if (!(options & LINK_DISABLED)) {
			if (out->n == DIR_MAX_GPOS)
				return err_set(e, "%s: gPLink: more than %d GPOs", som, DIR_MAX_GPOS);
			if (!(out->links[out->n].dn = strndup(p + 8, (size_t)(semi - p - 8))))
				return err_set(e, "out of memory");
			out->links[out->n++].enforced = options & LINK_ENFORCED;
		}
		p = end + 1;
	}
	return 0;
}

/* Appends som's links of one kind in application order: the first listed
 * is applied last, so it wins. */
static int apply_links(struct gpo_list *l, const struct som *som, bool enforced, struct err *e)
{
	for (size_t k = som->n; k-- > 0;) {
		if (som->links[k].enforced != enforced)
			continue;
		if (l->n == DIR_MAX_GPOS)
			return err_set(e, "more than %d GPOs apply", DIR_MAX_GPOS);
		if (!(l->dn[l->n++] = strdup(som->links[k].dn)))
			return err_set(e, "out of memory");
	}
	return 0;
}

static bool dn_within(const char *dn, const char *base)
{
	size_t n = strlen(dn), b = strlen(base);

	return n >= b && gp_dn_equal(dn + n - b, base) && (n == b || dn[n - b - 1] == ',');
}

int dir_soms(const char *base, const char *computer, char *soms[DIR_MAX_SOMS], size_t *n,
	     struct err *e)
{
	LDAPDN ldn = NULL;

	*n = 0;
	if (ldap_str2dn(computer, &ldn, LDAP_DN_FORMAT_LDAPV3) != LDAP_SUCCESS || !ldn)
		return err_set(e, "computer %s: not a DN", computer);
	for (size_t k = 1; ldn[k] && *n < DIR_MAX_SOMS; k++) {
		char *s = NULL;

		if (ldap_dn2str(&ldn[k], &s, LDAP_DN_FORMAT_LDAPV3) != LDAP_SUCCESS || !s)
			break;
		if (!dn_within(s, base)) {
			ldap_memfree(s);
			break;
		}
		soms[(*n)++] = strdup(s);
		ldap_memfree(s);
		if (!soms[*n - 1]) {
			dir_soms_free(soms, --*n);
			ldap_dnfree(ldn);
			return err_set(e, "out of memory");
		}
	}
	ldap_dnfree(ldn);
	return 0;
}

void dir_soms_free(char *soms[], size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(soms[i]);
}

/* The GPOs that apply to the computer, in application order (MS-GPOL
 * §3.2.5.1): the non-enforced links from the domain down to the nearest
 * OU, stopping above an OU that blocks inheritance, then the enforced
 * ones from the nearest OU up to the domain, so an enforced link of the
 * domain wins over everything. */
static int gpo_chain(struct dir_conn *cn, const char *base, const char *computer,
		     struct gpo_list *out, struct err *e)
{
	char *names[DIR_MAX_SOMS], *attrs[] = { "gPLink", "gPOptions", NULL };
	struct som *soms;
	size_t n_soms = 0, top;
	int rc = 0;

	if (dir_soms(base, computer, names, &n_soms, e) < 0)
		return -1;
	if (!(soms = calloc(n_soms ? n_soms : 1, sizeof *soms))) {
		dir_soms_free(names, n_soms);
		return err_set(e, "out of memory");
	}
	/* names[0] is the computer's container, names[n_soms - 1] the domain */
	for (size_t i = 0; i < n_soms && rc == 0; i++) {
		LDAPMessage *res = NULL, *entry;
		char options[32];

		if ((rc = dir_read_entry(cn, names[i], attrs, &res, &entry, e)) == 1) {
			struct berval **v = ldap_get_values_len(cn->ld, entry, "gPLink");

			rc = dir_first_value(cn, entry, "gPOptions", options, sizeof options, names[i], e);
			soms[i].blocks = rc == 0 && (atoi(options) & SOM_BLOCKS_INHERITANCE);
			if (rc == 0 && v && v[0]) {
				char *text = v[0]->bv_len < 65536 ? strndup(v[0]->bv_val, v[0]->bv_len) : NULL;
				rc = text ? parse_links(&soms[i], names[i], text, e)
					  : err_set(e, "%s: gPLink: too long", names[i]);
				free(text);
			}
			ldap_value_free_len(v);
		}
		ldap_msgfree(res);
	}
	top = n_soms;
	for (size_t i = 0; i < n_soms; i++)
		if (soms[i].blocks) {
			top = i + 1;
			break;
		}
	for (size_t i = top; i-- > 0 && rc >= 0;)
		rc = apply_links(out, &soms[i], false, e);
	for (size_t i = 0; i < n_soms && rc >= 0; i++)
		rc = apply_links(out, &soms[i], true, e);
	for (size_t i = 0; i < n_soms; i++)
		for (size_t k = 0; k < soms[i].n; k++)
			free(soms[i].links[k].dn);
	free(soms);
	dir_soms_free(names, n_soms);
	return rc < 0 ? -1 : 0;
}

/* The last GPO of the chain whose computer part is enabled and whose
 * IPSEC object names a policy. */
static int assigned_policy(struct dir_conn *cn, const struct gpo_list *l, struct dir_fetch *out,
			   struct err *e)
{
	char *ipsec_attrs[] = { "ipsecOwnersReference", NULL };
	char *gpo_attrs[] = { "displayName", "flags", NULL };

	for (size_t i = l->n; i-- > 0;) {
		char dn[DOMAIN_VALUE_MAX + 64], flags[32];
		LDAPMessage *res = NULL, *entry;
		int rc;

		/* a link to a GPO that is gone applies nothing */
		if ((rc = dir_read_entry(cn, l->dn[i], gpo_attrs, &res, &entry, e)) == 1)
			rc = dir_first_value(cn, entry, "flags", flags, sizeof flags, l->dn[i], e) < 0 ||
					     dir_first_value(cn, entry, "displayName", out->gpo_name,
							 sizeof out->gpo_name, l->dn[i], e) < 0
				     ? -1
				     : 1;
		ldap_msgfree(res);
		if (rc < 0)
			return -1;
		if (rc == 0 || (atoi(flags) & GPO_MACHINE_DISABLED))
			continue;
		snprintf(dn, sizeof dn, DIR_GPO_IPSEC "%s", l->dn[i]);
		if ((rc = dir_read_entry(cn, dn, ipsec_attrs, &res, &entry, e)) < 0)
			return -1;
		if (rc == 1 && dir_first_value(cn, entry, "ipsecOwnersReference", out->policy_dn,
					   sizeof out->policy_dn, dn, e) < 0)
			rc = -1;
		ldap_msgfree(res);
		if (rc < 0)
			return -1;
		if (rc == 0 || !out->policy_dn[0])
			continue;
		out->assigned = true;
		snprintf(out->gpo_dn, sizeof out->gpo_dn, "%s", l->dn[i]);
		if (!out->gpo_name[0]) {
			const char *eq = strchr(l->dn[i], '='), *comma = eq ? strchr(eq, ',') : NULL;
			size_t n = eq && comma ? (size_t)(comma - eq - 1) : 0;
			snprintf(out->gpo_name, sizeof out->gpo_name, "%.*s", (int)n, eq ? eq + 1 : "");
		}
		return 0;
	}
	out->gpo_name[0] = '\0';
	return 0;
}

/* --- the policy's objects --- */

struct pending {
	char **dn;
	const char **expect; /* the class the reference must name */
	const char **from;   /* who referenced it, for messages */
	size_t n, cap;
};

static int pending_add(struct pending *p, const char *dn, const char *expect, const char *from,
		       struct err *e)
{
	if (p->n == DIR_MAX_OBJECTS)
		return err_set(e, "%s: the policy references more than %d objects", from,
			       DIR_MAX_OBJECTS);
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 16;
		char **d = realloc(p->dn, cap * sizeof *d);
		const char **x = d ? realloc(p->expect, cap * sizeof *x) : NULL;
		const char **f = x ? realloc(p->from, cap * sizeof *f) : NULL;
		if (d)
			p->dn = d;
		if (x)
			p->expect = x;
		if (!f)
			return err_set(e, "out of memory");
		p->from = f;
		p->cap = cap;
	}
	for (size_t i = 0; i < p->n; i++)
		if (gp_dn_equal(p->dn[i], dn)) {
			if (strcasecmp(p->expect[i], expect) != 0)
				return err_set(e, "%s: references %s as an %s, but it is referenced as "
						  "an %s too",
					       from, dn, expect, p->expect[i]);
			return 0; /* shared, e.g. one filter list in two rules */
		}
	if (!(p->dn[p->n] = strdup(dn)))
		return err_set(e, "out of memory");
	p->expect[p->n] = expect;
	p->from[p->n++] = from;
	return 0;
}

static bool has_value(struct berval **v, const char *s)
{
	for (size_t i = 0; v && v[i]; i++)
		if (v[i]->bv_len == strlen(s) && strncasecmp(v[i]->bv_val, s, v[i]->bv_len) == 0)
			return true;
	return false;
}

/* Queues the references of entry whose attribute attr must name class cls. */
static int follow(struct dir_conn *cn, LDAPMessage *entry, const char *attr, const char *cls,
		  struct pending *p, size_t self, struct err *e)
{
	struct berval **v = ldap_get_values_len(cn->ld, entry, attr);
	int rc = 0;

	for (size_t i = 0; v && v[i] && rc == 0; i++) {
		char dn[DOMAIN_VALUE_MAX];

		if (v[i]->bv_len >= sizeof dn || memchr(v[i]->bv_val, '\0', v[i]->bv_len)) {
			rc = err_set(e, "%s: %s: not a DN", p->dn[self], attr);
			break;
		}
		memcpy(dn, v[i]->bv_val, v[i]->bv_len);
		dn[v[i]->bv_len] = '\0';
		rc = pending_add(p, dn, cls, p->dn[self], e);
	}
	ldap_value_free_len(v);
	return rc;
}

/* Reads the policy and what it references, breadth first: rules (NFAs)
 * and the ISAKMP policy, then the rules' filter lists and filter actions.
 * Each reference must name an object of the class its attribute says, so
 * a reference back up the tree (a loop) is refused. */
static int read_policy(struct dir_conn *cn, const char *policy_dn, struct gp_objset *set,
		       struct err *e)
{
	struct pending p = { 0 };
	char *text = NULL;
	size_t text_len = 0, total = 0;
	FILE *ldif = open_memstream(&text, &text_len);
	int rc = 0;

	if (!ldif)
		return err_set(e, "out of memory");
	rc = pending_add(&p, policy_dn, "ipsecPolicy", "the GPO's ipsecOwnersReference", e);
	for (size_t i = 0; i < p.n && rc == 0; i++) {
		LDAPMessage *res = NULL, *entry;
		struct berval **cls;

		if ((rc = dir_read_entry(cn, p.dn[i], (char **)dir_ipsec_attrs, &res, &entry, e)) == 0)
			rc = err_set(e, "%s: references %s, which does not exist", p.from[i], p.dn[i]);
		if (rc < 0) {
			ldap_msgfree(res);
			break;
		}
		rc = 0;
		cls = ldap_get_values_len(cn->ld, entry, "objectClass");
		if (!has_value(cls, p.expect[i]))
			rc = err_set(e, "%s: references %s, which is not an %s", p.from[i], p.dn[i],
				     p.expect[i]);
		ldap_value_free_len(cls);
		if (rc == 0)
			rc = dir_entry_ldif(cn, entry, p.dn[i], dir_ipsec_attrs, ldif, &total, e);
		if (rc == 0 && strcmp(p.expect[i], "ipsecPolicy") == 0)
			rc = follow(cn, entry, "ipsecISAKMPReference", "ipsecISAKMPPolicy", &p, i, e) ||
					     follow(cn, entry, "ipsecNFAReference", "ipsecNFA", &p, i, e)
				     ? -1
				     : 0;
		else if (rc == 0 && strcmp(p.expect[i], "ipsecNFA") == 0)
			rc = follow(cn, entry, "ipsecFilterReference", "ipsecFilter", &p, i, e) ||
					     follow(cn, entry, "ipsecNegotiationPolicyReference",
						    "ipsecNegotiationPolicy", &p, i, e)
				     ? -1
				     : 0;
		ldap_msgfree(res);
	}
	fclose(ldif);
	if (rc == 0)
		rc = gp_ldif_read(text, text_len, set, e);
	free(text);
	for (size_t i = 0; i < p.n; i++)
		free(p.dn[i]);
	free(p.dn);
	free(p.expect);
	free(p.from);
	return rc;
}

int dir_fetch(const struct domain_conf *c, struct dir_fetch *out, struct err *e)
{
	struct dir_conn cn;
	struct gpo_list gpos = { 0 };
	bool refused;
	int rc;

	memset(out, 0, sizeof *out);
	out->unreachable = true;
	if (dir_connect(&cn, c, &refused, e) < 0) {
		/* a server refused (its certificate, StartTLS, the bind) is a
		 * fault to report, not an outage */
		out->unreachable = !refused;
		return -1;
	}
	snprintf(out->server, sizeof out->server, "%s", cn.server);
	out->unreachable = false;
	rc = dir_find_computer(&cn, c, out->computer, sizeof out->computer, e);
	if (rc == 0)
		rc = gpo_chain(&cn, c->base, out->computer, &gpos, e);
	out->n_gpos = gpos.n;
	if (rc == 0)
		rc = assigned_policy(&cn, &gpos, out, e);
	if (rc == 0 && out->assigned)
		rc = read_policy(&cn, out->policy_dn, &out->set, e);
	for (size_t i = 0; i < gpos.n; i++)
		free(gpos.dn[i]);
	dir_disconnect(&cn);
	/* a server that went away in the middle is unreachable, not wrong */
	if (rc < 0 && (strstr(e->msg, "Can't contact LDAP server") || strstr(e->msg, "Timed out")))
		out->unreachable = true;
	return rc;
}

void dir_fetch_free(struct dir_fetch *f)
{
	gp_objset_free(&f->set);
}
