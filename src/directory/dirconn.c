/* dirconn.c - see dirconn.h. */
#define LDAP_DEPRECATED 0
#include "directory/dirconn.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "gpipsec/dirobj.h"

const char *const dir_ipsec_attrs[] = {
	"objectClass", "ipsecName", "description", "ipsecID", "ipsecDataType", "ipsecData",
	"ipsecISAKMPReference", "ipsecNFAReference", "ipsecFilterReference",
	"ipsecNegotiationPolicyReference", "iPSECNegotiationPolicyAction",
	"iPSECNegotiationPolicyType", "ipsecOwnersReference", "whenChanged", NULL
};

static int tls_options(LDAP *ld, const struct domain_conf *c)
{
	int hard = LDAP_OPT_X_TLS_HARD, zero = 0;

	if (*c->cafile && ldap_set_option(ld, LDAP_OPT_X_TLS_CACERTFILE, c->cafile) != LDAP_SUCCESS)
		return -1;
	if (ldap_set_option(ld, LDAP_OPT_X_TLS_REQUIRE_CERT, &hard) != LDAP_SUCCESS)
		return -1;
	/* the options above take effect in a new TLS context */
	return ldap_set_option(ld, LDAP_OPT_X_TLS_NEWCTX, &zero) == LDAP_SUCCESS ? 0 : -1;
}

static int bind(LDAP *ld, const struct domain_conf *c, const char *uri, struct err *e)
{
	struct berval cred = { 0, NULL };
	char password[512];
	int rc;

	if (c->bind == BIND_EXTERNAL) {
		rc = ldap_sasl_bind_s(ld, NULL, "EXTERNAL", &cred, NULL, NULL, NULL);
	} else {
		if (domain_password_read(c->passwordfile, password, sizeof password, e) < 0)
			return -1;
		cred.bv_val = password;
		cred.bv_len = strlen(password);
		rc = ldap_sasl_bind_s(ld, c->binddn, LDAP_SASL_SIMPLE, &cred, NULL, NULL, NULL);
		explicit_bzero(password, sizeof password);
	}
	if (rc != LDAP_SUCCESS)
		return err_set(e, "%s: bind: %s", uri, ldap_err2string(rc));
	return 0;
}

static int connect_one(struct dir_conn *cn, const struct domain_conf *c, const char *uri,
		       struct err *e)
{
	int version = LDAP_VERSION3, rc;
	struct timeval tv = { c->timeout_s, 0 };
	bool network = strncasecmp(uri, "ldapi://", 8) != 0;

	if ((rc = ldap_initialize(&cn->ld, uri)) != LDAP_SUCCESS)
		return err_set(e, "%s: %s", uri, ldap_err2string(rc));
	ldap_set_option(cn->ld, LDAP_OPT_PROTOCOL_VERSION, &version);
	ldap_set_option(cn->ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF);
	ldap_set_option(cn->ld, LDAP_OPT_NETWORK_TIMEOUT, &tv);
	ldap_set_option(cn->ld, LDAP_OPT_TIMEOUT, &tv);
	cn->timeout = tv;
	if (network && tls_options(cn->ld, c) < 0) {
		err_set(e, "%s: the TLS options could not be set", uri);
		goto fail;
	}
	/* ldap:// is refused by the parser without starttls = yes */
	if (network && strncasecmp(uri, "ldap://", 7) == 0 &&
	    (rc = ldap_start_tls_s(cn->ld, NULL, NULL)) != LDAP_SUCCESS) {
		err_set(e, "%s: StartTLS: %s", uri, ldap_err2string(rc));
		goto fail;
	}
	if (bind(cn->ld, c, uri, e) < 0)
		goto fail;
	return 0;
fail:
	ldap_unbind_ext_s(cn->ld, NULL, NULL);
	cn->ld = NULL;
	return -1;
}

int dir_connect(const struct domain_conf *c, struct dir_conn *cn, struct err *e)
{
	struct err why;

	memset(cn, 0, sizeof *cn);
	snprintf(why.msg, sizeof why.msg, "no uri");
	for (size_t i = 0; i < c->n_uris && !cn->ld; i++)
		if (connect_one(cn, c, c->uris[i], &why) == 0)
			snprintf(cn->server, sizeof cn->server, "%s", c->uris[i]);
	if (!cn->ld)
		return err_set(e, "no directory server answered (last: %s)", why.msg);
	return 0;
}

void dir_close(struct dir_conn *cn)
{
	if (cn->ld)
		ldap_unbind_ext_s(cn->ld, NULL, NULL);
	cn->ld = NULL;
}

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
