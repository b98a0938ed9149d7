// SPDX-License-Identifier: MIT
/* dirconn.c - see dirconn.h. libldap, synchronous calls with timeouts;
 * Kerberos through Cyrus SASL's GSSAPI mechanism. */
#define LDAP_DEPRECATED 0
#include "directory/dirconn.h"

#include <sasl/sasl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define KEEPALIVE_IDLE_S 60
#define KEEPALIVE_PROBES 3
#define KEEPALIVE_INTERVAL_S 10
/* The credentials cache of the gssapi bind: this process's memory, so
 * no ticket is written to disk and nobody else's cache is used. */
#define GSSAPI_CCACHE "MEMORY:ipsecfw-agent"

/* The TLS options, set on this handle only and taken into a new TLS
 * context: nothing from ldap.conf or an earlier connection is reused. */
static int tls_options(LDAP *ld, const struct domain_conf *c)
{
	int demand = LDAP_OPT_X_TLS_DEMAND, zero = 0;

	if (*c->cafile && ldap_set_option(ld, LDAP_OPT_X_TLS_CACERTFILE, c->cafile) != LDAP_SUCCESS)
		return -1;
	if (ldap_set_option(ld, LDAP_OPT_X_TLS_REQUIRE_CERT, &demand) != LDAP_SUCCESS)
		return -1;
	return ldap_set_option(ld, LDAP_OPT_X_TLS_NEWCTX, &zero) == LDAP_SUCCESS ? 0 : -1;
}

/* What went wrong, with libldap's diagnostic (GnuTLS's reason for a
 * refused certificate, the server's text for a refused bind). */
static int fail(struct err *e, LDAP *ld, const char *uri, const char *step, int rc)
{
	char *diag = NULL;

	ldap_get_option(ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &diag);
	err_set(e, "%s: %s: %s%s%s", uri, step, ldap_err2string(rc), diag && *diag ? ": " : "",
		diag && *diag ? diag : "");
	ldap_memfree(diag);
	return -1;
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

/* One SASL GSSAPI bind with these security properties. */
static int sasl_gssapi(LDAP *ld, const char *secprops)
{
	if (ldap_set_option(ld, LDAP_OPT_X_SASL_SECPROPS, secprops) != LDAP_SUCCESS)
		return LDAP_PARAM_ERROR;
	return ldap_sasl_interactive_bind_s(ld, NULL, "GSSAPI", NULL, NULL, LDAP_SASL_QUIET,
					    sasl_defaults, NULL);
}

/* Kerberos from the machine's keytab, as an AD member binds: MIT's
 * GSSAPI takes initial credentials from the client keytab into the
 * memory cache and renews them from it when they expire. The service is
 * ldap/<the URI's host> (no reverse lookup). Without TLS the SASL layer
 * must seal the session; over TLS no second layer is asked for (AD
 * refuses one there; Samba 4.17 refuses GSSAPI over TLS either way). */
static int bind_gssapi(LDAP *ld, const struct domain_conf *c, bool tls)
{
	char ktname[DOMAIN_VALUE_MAX + 8];
	int on = 1;

	snprintf(ktname, sizeof ktname, "FILE:%s", c->keytab);
	if (setenv("KRB5_CLIENT_KTNAME", ktname, 1) < 0 || setenv("KRB5CCNAME", GSSAPI_CCACHE, 1) < 0)
		return LDAP_NO_MEMORY;
	ldap_set_option(ld, LDAP_OPT_X_SASL_NOCANON, &on);
	return sasl_gssapi(ld, tls ? "noanonymous,noplain,maxssf=0" : "noanonymous,noplain,minssf=56");
}

/* The bind's result in *rc; -1 when the password file or the keytab is
 * refused. */
static int bind(LDAP *ld, const struct domain_conf *c, bool tls, int *rc, struct err *e)
{
	struct berval cred = { 0, NULL };
	char password[512];

	if (c->bind == BIND_EXTERNAL) {
		*rc = ldap_sasl_bind_s(ld, NULL, "EXTERNAL", &cred, NULL, NULL, NULL);
	} else if (c->bind == BIND_GSSAPI) {
		if (domain_keytab_check(c->keytab, e) < 0)
			return -1;
		*rc = bind_gssapi(ld, c, tls);
	} else {
		if (domain_password_read(c->passwordfile, password, sizeof password, e) < 0)
			return -1;
		cred.bv_val = password;
		cred.bv_len = strlen(password);
		*rc = ldap_sasl_bind_s(ld, c->binddn, LDAP_SASL_SIMPLE, &cred, NULL, NULL, NULL);
		explicit_bzero(password, sizeof password);
	}
	return 0;
}

/* 0 bound; -1 and *silent when the server did not answer at all. */
/* libldap (GnuTLS) gives no reason for a refused certificate: say what
 * was checked. */
static int tls_refused(struct err *e, const struct domain_conf *c, const char *uri,
		       const char *step)
{
	return err_set(e, "%s: %s: TLS refused: the server's certificate is not signed by %s, "
			  "not issued for the URI's host name, or out of date (or the handshake "
			  "failed)",
		       uri, step, *c->cafile ? "the CA in cafile" : "a CA this host trusts");
}

static bool has_diagnostic(LDAP *ld)
{
	char *diag = NULL;
	bool has;

	ldap_get_option(ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &diag);
	has = diag && *diag;
	ldap_memfree(diag);
	return has;
}

/* 0 bound; -1 and *silent when the server did not answer at all. */
static int connect_one(struct dir_conn *cn, const struct domain_conf *c, const char *uri,
		       bool *silent, struct err *e)
{
	int version = LDAP_VERSION3, rc;
	struct timeval tv = { c->timeout_s, 0 };
	bool network = strncasecmp(uri, "ldapi://", 8) != 0;
	bool ldaps = strncasecmp(uri, "ldaps://", 8) == 0;

	*silent = false;
	if ((rc = ldap_initialize(&cn->ld, uri)) != LDAP_SUCCESS)
		return err_set(e, "%s: %s", uri, ldap_err2string(rc));
	ldap_set_option(cn->ld, LDAP_OPT_PROTOCOL_VERSION, &version);
	ldap_set_option(cn->ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF);
	ldap_set_option(cn->ld, LDAP_OPT_NETWORK_TIMEOUT, &tv);
	ldap_set_option(cn->ld, LDAP_OPT_TIMEOUT, &tv);
	/* a watch's connection is idle for hours: a server gone without a
	 * word (a partition) is noticed in about 90 s (TCP keepalive) */
	ldap_set_option(cn->ld, LDAP_OPT_X_KEEPALIVE_IDLE, &(int){ KEEPALIVE_IDLE_S });
	ldap_set_option(cn->ld, LDAP_OPT_X_KEEPALIVE_PROBES, &(int){ KEEPALIVE_PROBES });
	ldap_set_option(cn->ld, LDAP_OPT_X_KEEPALIVE_INTERVAL, &(int){ KEEPALIVE_INTERVAL_S });
	cn->timeout = tv;
	if (network && tls_options(cn->ld, c) < 0) {
		err_set(e, "%s: the TLS options could not be set", uri);
		goto out;
	}
	/* the connection (and for ldaps:// its handshake) on its own, so a
	 * refused certificate is told from a server that is not there: only
	 * the handshake leaves a diagnostic */
	if ((rc = ldap_connect(cn->ld)) != LDAP_SUCCESS) {
		if (ldaps && has_diagnostic(cn->ld)) {
			tls_refused(e, c, uri, "connect");
		} else {
			*silent = true;
			fail(e, cn->ld, uri, "connect", rc);
		}
		goto out;
	}
	/* ldap:// is refused by the parser without starttls = yes, but for
	 * gssapi, whose SASL layer seals it; a server that cannot start TLS
	 * is refused, never used in clear */
	if (network && !ldaps && c->starttls &&
	    (rc = ldap_start_tls_s(cn->ld, NULL, NULL)) != LDAP_SUCCESS) {
		if (rc == LDAP_CONNECT_ERROR)
			tls_refused(e, c, uri, "StartTLS");
		else
			fail(e, cn->ld, uri, "StartTLS: the server cannot start TLS", rc);
		*silent = rc == LDAP_SERVER_DOWN || rc == LDAP_TIMEOUT;
		goto out;
	}
	if (bind(cn->ld, c, network && (ldaps || c->starttls), &rc, e) < 0)
		goto out;
	if (rc == LDAP_SUCCESS) {
		snprintf(cn->server, sizeof cn->server, "%s", uri);
		return 0;
	}
	fail(e, cn->ld, uri, "bind", rc);
	*silent = rc == LDAP_SERVER_DOWN || rc == LDAP_TIMEOUT;
out:
	ldap_unbind_ext_s(cn->ld, NULL, NULL);
	cn->ld = NULL;
	return -1;
}

int dir_connect(struct dir_conn *cn, const struct domain_conf *c, bool *refused, struct err *e)
{
	char why[sizeof e->msg] = "";

	memset(cn, 0, sizeof *cn);
	*refused = false;
	for (size_t i = 0; i < c->n_uris; i++) {
		struct err one;
		bool silent;
		size_t n = strlen(why);

		if (connect_one(cn, c, c->uris[i], &silent, &one) == 0)
			return 0;
		*refused |= !silent;
		if (n + 3 < sizeof why)
			snprintf(why + n, sizeof why - n, "%s%.*s", n ? "; " : "",
				 (int)(sizeof why - n - 3), one.msg);
	}
	return err_set(e, "no directory server %s (%s)", *refused ? "could be used" : "answered",
		       *why ? why : "no uri");
}

void dir_disconnect(struct dir_conn *cn)
{
	if (cn->ld)
		ldap_unbind_ext_s(cn->ld, NULL, NULL);
	cn->ld = NULL;
}
