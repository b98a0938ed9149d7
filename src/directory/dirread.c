// SPDX-License-Identifier: MIT
/* dirread.c - see dirread.h. */
#define LDAP_DEPRECATED 0
#include "directory/dirread.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "gpipsec/dirobj.h"

const char *const dir_ipsec_attrs[] = {
	"objectClass", "ipsecName", "description", "ipsecID", "ipsecDataType", "ipsecData",
	"ipsecISAKMPReference", "ipsecNFAReference", "ipsecFilterReference",
	"ipsecNegotiationPolicyReference", "iPSECNegotiationPolicyAction",
	"iPSECNegotiationPolicyType", "ipsecOwnersReference", "whenChanged", NULL
};

int dir_read_entry(struct dir_conn *cn, const char *dn, char **attrs, LDAPMessage **res,
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

int dir_first_value(struct dir_conn *cn, LDAPMessage *entry, const char *attr, char *buf,
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

int dir_entry_ldif(struct dir_conn *cn, LDAPMessage *entry, const char *dn,
		   const char *const *attrs, FILE *ldif, size_t *total, struct err *e)
{
	gp_ldif_put_binary(ldif, "dn", dn, strlen(dn));
	for (size_t a = 0; attrs[a]; a++) {
		struct berval **v = ldap_get_values_len(cn->ld, entry, attrs[a]);

		for (size_t i = 0; v && v[i]; i++) {
			if (v[i]->bv_len > DIR_MAX_VALUE || (*total += v[i]->bv_len) > 64u * DIR_MAX_VALUE) {
				ldap_value_free_len(v);
				return err_set(e, "%s: %s: larger than %u bytes", dn, attrs[a],
					       DIR_MAX_VALUE);
			}
			gp_ldif_put_binary(ldif, attrs[a], v[i]->bv_val, v[i]->bv_len);
		}
		ldap_value_free_len(v);
	}
	fputc('\n', ldif);
	return 0;
}

int dir_search_for(struct dir_conn *cn, const char *base, int scope, const char *template,
		   const char *value, char **attrs, int limit, LDAPMessage **res)
{
	struct berval v = { strlen(value), (char *)value }, esc = { 0, NULL };
	char *filter = NULL;
	size_t len = 0;
	FILE *f;
	int rc;

	*res = NULL;
	if (ldap_bv2escaped_filter_value(&v, &esc) != 0 || !(f = open_memstream(&filter, &len))) {
		ber_memfree(esc.bv_val);
		return LDAP_NO_MEMORY;
	}
	for (const char *p = template; *p; p++) {
		if (p[0] == '%' && p[1] == 'v') {
			fputs(esc.bv_val, f);
			p++;
		} else {
			fputc(*p, f);
		}
	}
	fclose(f);
	ber_memfree(esc.bv_val);
	rc = ldap_search_ext_s(cn->ld, base, scope, filter, attrs, 0, NULL, NULL, &cn->timeout,
			       limit, res);
	free(filter);
	return rc;
}

int dir_base_of_domain(const char *name, char *out, size_t len, struct err *e)
{
	size_t at = 0, label = 0;

	out[0] = '\0';
	for (const char *p = name;; p++) {
		if (*p == '.' || *p == '\0') {
			if (label == 0 || label > 63)
				return err_set(e, "'%s' is not a DNS domain name", name);
			label = 0;
			if (*p == '\0')
				break;
			continue;
		}
		if (!isalnum((unsigned char)*p) && *p != '-')
			return err_set(e, "'%s' is not a DNS domain name", name);
		label++;
	}
	for (const char *p = name; *p;) {
		size_t n = strcspn(p, ".");
		int w = snprintf(out + at, len - at, "%sDC=%.*s", at ? "," : "", (int)n, p);

		if (w < 0 || (size_t)w >= len - at)
			return err_set(e, "'%s': too long", name);
		at += (size_t)w;
		p += n + (p[n] == '.');
	}
	return 0;
}
