/* dirfetch.c - see dirfetch.h. libldap, synchronous calls with timeouts. */
#define LDAP_DEPRECATED 0
#include "directory/dirfetch.h"

#include "directory/dirconn.h"

#include <ldap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define GP_MACHINE_IPSEC "CN=IPSEC,CN=Windows,CN=Microsoft,CN=Machine,"

/* --- reading entries --- */

/* One entry by DN (base scope), or 0 when there is none. */
static int read_entry(struct dir_conn *cn, const char *dn, char **attrs, LDAPMessage **res,
		      LDAPMessage **entry, struct err *e)
{
	int rc = ldap_search_ext_s(cn->ld, dn, LDAP_SCOPE_BASE, "(objectClass=*)", attrs, 0, NULL,
				   NULL, &cn->timeout, 2, res);

	*entry = NULL;
	if (rc == LDAP_NO_SUCH_OBJECT) {
		ldap_msgfree(*res);
		*res = NULL;
		return 0;
	}
	if (rc != LDAP_SUCCESS) {
		ldap_msgfree(*res);
		*res = NULL;
		return err_set(e, "%s: search: %s", dn, ldap_err2string(rc));
	}
	*entry = ldap_first_entry(cn->ld, *res);
	return *entry ? 1 : 0;
}

/* The first value of attr as text, into buf; "" when it has none. */
static int first_value(struct dir_conn *cn, LDAPMessage *entry, const char *attr, char *buf,
		       size_t len, const char *dn, struct err *e)
{
	struct berval **v = ldap_get_values_len(cn->ld, entry, attr);

	buf[0] = '\0';
	if (!v)
		return 0;
	if (v[0] && (v[0]->bv_len >= len || memchr(v[0]->bv_val, '\0', v[0]->bv_len))) {
		ldap_value_free_len(v);
		return err_set(e, "%s: %s: longer than %zu bytes or not text", dn, attr, len - 1);
	}
	if (v[0]) {
		memcpy(buf, v[0]->bv_val, v[0]->bv_len);
		buf[v[0]->bv_len] = '\0';
	}
	ldap_value_free_len(v);
	return 0;
}

static int find_computer(struct dir_conn *cn, const struct domain_conf *c, char *dn, size_t len,
			 struct err *e)
{
	char filter[400], *attrs[] = { "1.1", NULL }, *found;
	LDAPMessage *res = NULL, *entry;
	int rc, n;

	if (*c->computer) {
		if ((rc = read_entry(cn, c->computer, attrs, &res, &entry, e)) <= 0) {
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

/* The links of one gPLink value, "[LDAP://DN;OPTIONS]..." (MS-GPOL
 * §2.2.2), appended in application order: the first link listed has the
 * highest precedence, so it comes last. Disabled links (option bit 0) are
 * skipped. */
static int add_links(struct gpo_list *l, const char *som, const char *v, struct err *e)
{
	struct gpo_list here = { 0 };
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
		if (!(options & 1)) {
			if (here.n == DIR_MAX_GPOS || l->n + here.n == DIR_MAX_GPOS)
				return err_set(e, "%s: gPLink: more than %d GPOs", som, DIR_MAX_GPOS);
			here.dn[here.n++] = strndup(p + 8, (size_t)(semi - p - 8));
		}
		p = end + 1;
	}
	while (here.n)
		l->dn[l->n++] = here.dn[--here.n];
	return 0;
}

static bool dn_within(const char *dn, const char *base)
{
	size_t n = strlen(dn), b = strlen(base);

	return n >= b && gp_dn_equal(dn + n - b, base) && (n == b || dn[n - b - 1] == ',');
}

/* The GPOs linked to base and every container between it and the
 * computer, the domain's first. */
static int gpo_chain(struct dir_conn *cn, const char *base, const char *computer,
		     struct gpo_list *out, struct err *e)
{
	LDAPDN ldn = NULL;
	char *soms[64], *attrs[] = { "gPLink", NULL };
	size_t n_soms = 0;
	int rc = 0;

	if (ldap_str2dn(computer, &ldn, LDAP_DN_FORMAT_LDAPV3) != LDAP_SUCCESS || !ldn)
		return err_set(e, "computer %s: not a DN", computer);
	for (size_t k = 1; ldn[k] && n_soms < 64; k++) {
		char *s = NULL;

		if (ldap_dn2str(&ldn[k], &s, LDAP_DN_FORMAT_LDAPV3) != LDAP_SUCCESS || !s)
			break;
		if (!dn_within(s, base)) {
			ldap_memfree(s);
			break;
		}
		soms[n_soms++] = s;
	}
	ldap_dnfree(ldn);
	/* from the domain down */
	for (size_t i = n_soms; i-- > 0 && rc == 0;) {
		LDAPMessage *res = NULL, *entry;
		struct berval **v;

		if ((rc = read_entry(cn, soms[i], attrs, &res, &entry, e)) == 1) {
			rc = 0;
			v = ldap_get_values_len(cn->ld, entry, "gPLink");
			if (v && v[0]) {
				char *text = v[0]->bv_len < 65536 ? strndup(v[0]->bv_val, v[0]->bv_len) : NULL;
				rc = text ? add_links(out, soms[i], text, e)
					  : err_set(e, "%s: gPLink: too long", soms[i]);
				free(text);
			}
			ldap_value_free_len(v);
		}
		ldap_msgfree(res);
	}
	for (size_t i = 0; i < n_soms; i++)
		ldap_memfree(soms[i]);
	return rc < 0 ? -1 : 0;
}

/* The last GPO of the chain whose IPSEC object names a policy. */
static int assigned_policy(struct dir_conn *cn, const struct gpo_list *l, struct dir_fetch *out,
			   struct err *e)
{
	char *ipsec_attrs[] = { "ipsecOwnersReference", NULL };
	char *gpo_attrs[] = { "displayName", NULL };

	for (size_t i = l->n; i-- > 0;) {
		char dn[DOMAIN_VALUE_MAX + 64];
		LDAPMessage *res = NULL, *entry;
		int rc;

		snprintf(dn, sizeof dn, GP_MACHINE_IPSEC "%s", l->dn[i]);
		if ((rc = read_entry(cn, dn, ipsec_attrs, &res, &entry, e)) < 0)
			return -1;
		if (rc == 1 && first_value(cn, entry, "ipsecOwnersReference", out->policy_dn,
					   sizeof out->policy_dn, dn, e) < 0)
			rc = -1;
		ldap_msgfree(res);
		if (rc < 0)
			return -1;
		if (rc == 0 || !out->policy_dn[0])
			continue;
		out->assigned = true;
		snprintf(out->gpo_dn, sizeof out->gpo_dn, "%s", l->dn[i]);
		if ((rc = read_entry(cn, l->dn[i], gpo_attrs, &res, &entry, e)) == 1)
			rc = first_value(cn, entry, "displayName", out->gpo_name, sizeof out->gpo_name,
					 l->dn[i], e);
		ldap_msgfree(res);
		if (rc < 0)
			return -1;
		if (!out->gpo_name[0]) {
			const char *eq = strchr(l->dn[i], '='), *comma = eq ? strchr(eq, ',') : NULL;
			size_t n = eq && comma ? (size_t)(comma - eq - 1) : 0;
			snprintf(out->gpo_name, sizeof out->gpo_name, "%.*s", (int)n, eq ? eq + 1 : "");
		}
		return 0;
	}
	return 0;
}

/* --- the policy's objects --- */

static const char *const policy_attrs[] = {
	"objectClass", "ipsecName", "description", "ipsecID", "ipsecDataType", "ipsecData",
	"ipsecISAKMPReference", "ipsecNFAReference", "ipsecFilterReference",
	"ipsecNegotiationPolicyReference", "iPSECNegotiationPolicyAction",
	"iPSECNegotiationPolicyType", "ipsecOwnersReference", "whenChanged", NULL
};

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

/* Writes entry as LDIF (every value base64) for gp_ldif_read. */
static int write_entry(struct dir_conn *cn, LDAPMessage *entry, const char *dn, FILE *ldif,
		       size_t *total, struct err *e)
{
	gp_ldif_put_binary(ldif, "dn", dn, strlen(dn));
	for (size_t a = 0; policy_attrs[a]; a++) {
		struct berval **v = ldap_get_values_len(cn->ld, entry, policy_attrs[a]);

		for (size_t i = 0; v && v[i]; i++) {
			if (v[i]->bv_len > DIR_MAX_VALUE || (*total += v[i]->bv_len) > 64u * DIR_MAX_VALUE) {
				ldap_value_free_len(v);
				return err_set(e, "%s: %s: larger than %u bytes", dn, policy_attrs[a],
					       DIR_MAX_VALUE);
			}
			gp_ldif_put_binary(ldif, policy_attrs[a], v[i]->bv_val, v[i]->bv_len);
		}
		ldap_value_free_len(v);
	}
	fputc('\n', ldif);
	return 0;
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

		if ((rc = read_entry(cn, p.dn[i], (char **)policy_attrs, &res, &entry, e)) == 0)
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
			rc = write_entry(cn, entry, p.dn[i], ldif, &total, e);
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
	rc = find_computer(&cn, c, out->computer, sizeof out->computer, e);
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
