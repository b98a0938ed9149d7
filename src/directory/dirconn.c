/* dirconn.c - see dirconn.h. libldap; Kerberos through Cyrus SASL's
 * GSSAPI mechanism. */
#define LDAP_DEPRECATED 0
#include "directory/dirconn.h"

#include <sasl/sasl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The credentials cache of the gssapi bind: this process's memory, so
 * no ticket is written to disk and nobody else's cache is used. */
#define GSSAPI_CCACHE "MEMORY:ipsecfw-agent"

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

/* GSSAPI asks for nothing a daemon could answer: the defaults (the
 * keytab's principal, no authorisation identity) for every prompt. */
static int sasl_defaults(LDAP *ld, unsigned flags, void *defaults, void *interact)
{
	(void)ld;
	(void)flags;
	(void)defaults;
	for (sasl_interact_t *in = interact; in && in->id != SASL_CB_LIST_END; in++) {
		in->result = in->defresult ? in->defresult : "";
		in->len = (unsigned)strlen(in->result);
	}
	return LDAP_SUCCESS;
}

/* Kerberos from the machine's keytab (as an AD member binds): MIT's
 * GSSAPI takes initial credentials from the client keytab into the
 * memory cache and renews them from it when they expire. Without TLS the
 * SASL layer must seal the session; over TLS no second layer is asked. */
static int bind_gssapi(LDAP *ld, const struct domain_conf *c, bool tls)
{
	char ktname[DOMAIN_VALUE_MAX + 8];
	int on = 1;

	snprintf(ktname, sizeof ktname, "FILE:%s", c->keytab);
	if (setenv("KRB5_CLIENT_KTNAME", ktname, 1) < 0 || setenv("KRB5CCNAME", GSSAPI_CCACHE, 1) < 0)
		return LDAP_NO_MEMORY;
	/* the service is ldap/<the uri's host>, not a reverse lookup's */
	ldap_set_option(ld, LDAP_OPT_X_SASL_NOCANON, &on);
	if (ldap_set_option(ld, LDAP_OPT_X_SASL_SECPROPS,
			    tls ? "noanonymous,noplain,maxssf=0" : "noanonymous,noplain,minssf=56") !=
	    LDAP_SUCCESS)
		return LDAP_PARAM_ERROR;
	return ldap_sasl_interactive_bind_s(ld, NULL, "GSSAPI", NULL, NULL, LDAP_SASL_QUIET,
					    sasl_defaults, NULL);
}

static int bind(LDAP *ld, const struct domain_conf *c, const char *uri, bool tls, struct err *e)
{
	struct berval cred = { 0, NULL };
	char password[512];
	int rc;

	if (c->bind == BIND_EXTERNAL) {
		rc = ldap_sasl_bind_s(ld, NULL, "EXTERNAL", &cred, NULL, NULL, NULL);
	} else if (c->bind == BIND_GSSAPI) {
		if (domain_keytab_check(c->keytab, e) < 0)
			return -1;
		rc = bind_gssapi(ld, c, tls);
	} else {
		if (domain_password_read(c->passwordfile, password, sizeof password, e) < 0)
			return -1;
		cred.bv_val = password;
		cred.bv_len = strlen(password);
		rc = ldap_sasl_bind_s(ld, c->binddn, LDAP_SASL_SIMPLE, &cred, NULL, NULL, NULL);
		explicit_bzero(password, sizeof password);
	}
	if (rc != LDAP_SUCCESS) {
		char *diag = NULL;

		/* Kerberos's reason (no key, clock skew, unknown principal) */
		if (rc != LDAP_SERVER_DOWN && rc != LDAP_TIMEOUT)
			ldap_get_option(ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &diag);
		err_set(e, "%s: bind: %s%s%.200s", uri, ldap_err2string(rc), diag && *diag ? ": " : "",
			diag ? diag : "");
		ldap_memfree(diag);
		return -1;
	}
	return 0;
}

static int connect_one(LDAP **ld, const struct domain_conf *c, const char *uri, struct err *e)
{
	int version = LDAP_VERSION3, rc;
	struct timeval tv = { c->timeout_s, 0 };
	bool network = strncasecmp(uri, "ldapi://", 8) != 0;
	bool plain = strncasecmp(uri, "ldap://", 7) == 0;

	if ((rc = ldap_initialize(ld, uri)) != LDAP_SUCCESS)
		return err_set(e, "%s: %s", uri, ldap_err2string(rc));
	ldap_set_option(*ld, LDAP_OPT_PROTOCOL_VERSION, &version);
	ldap_set_option(*ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF);
	ldap_set_option(*ld, LDAP_OPT_NETWORK_TIMEOUT, &tv);
	ldap_set_option(*ld, LDAP_OPT_TIMEOUT, &tv);
	if (network && tls_options(*ld, c) < 0) {
		err_set(e, "%s: the TLS options could not be set", uri);
		goto fail;
	}
	/* ldap:// is refused by the parser without starttls = yes, but for
	 * gssapi, whose SASL layer seals it */
	if (plain && c->starttls && (rc = ldap_start_tls_s(*ld, NULL, NULL)) != LDAP_SUCCESS) {
		err_set(e, "%s: StartTLS: %s", uri, ldap_err2string(rc));
		goto fail;
	}
	if (bind(*ld, c, uri, network && (!plain || c->starttls), e) < 0)
		goto fail;
	return 0;
fail:
	ldap_unbind_ext_s(*ld, NULL, NULL);
	*ld = NULL;
	return -1;
}

int dir_connect(const struct domain_conf *c, LDAP **ld, char *server, size_t len,
		struct err *e)
{
	struct err why;

	*ld = NULL;
	snprintf(why.msg, sizeof why.msg, "no uri");
	for (size_t i = 0; i < c->n_uris; i++)
		if (connect_one(ld, c, c->uris[i], &why) == 0) {
			snprintf(server, len, "%s", c->uris[i]);
			return 0;
		}
	return err_set(e, "no directory server answered (last: %s)", why.msg);
}
