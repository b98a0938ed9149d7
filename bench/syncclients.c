// SPDX-License-Identifier: MIT
/* syncclients - many light RFC 4533 sync clients (refreshAndPersist) on
 * one directory server, from one process: what a fleet of agents that
 * learn of changes without polling costs a replica, without running the
 * agents. Each client binds (simple), asks for the subtree under BASE with
 * the sync control and, once its refresh is over, waits for changes.
 *
 * usage: syncclients URI BINDDN PASSWORDFILE BASE CLIENTS ROUNDS TIMEOUT_MS
 * Prints "ready SECONDS" once every client is in its persist phase (the
 * time the connections and refreshes took), then "got ROUND CLIENT SECONDS"
 * (unix time) for each change a client is told of, "all ROUND" once every
 * client has it, and "done" after ROUNDS changes or "timeout" (exit 1). */
#include <lber.h>
#include <ldap.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct client {
	LDAP *ld;
	int fd, msgid;
	int rounds; /* changes told of */
	int persisting;
};

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int read_password(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");

	if (!f || !fgets(buf, (int)len, f)) {
		if (f)
			fclose(f);
		fprintf(stderr, "syncclients: %s: cannot read the password\n", path);
		return -1;
	}
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

/* The sync request control: SEQUENCE { mode ENUMERATED refreshAndPersist }. */
static LDAPControl *sync_control(void)
{
	BerElement *ber = ber_alloc_t(LBER_USE_DER);
	LDAPControl *c = NULL;
	struct berval bv;

	if (!ber)
		return NULL;
	if (ber_printf(ber, "{e}", (ber_int_t)LDAP_SYNC_REFRESH_AND_PERSIST) >= 0 &&
	    ber_flatten2(ber, &bv, 0) == 0)
		ldap_control_create(LDAP_CONTROL_SYNC, 1, &bv, 1, &c);
	ber_free(ber, 1);
	return c;
}

static int start(struct client *c, const char *uri, const char *dn, const char *pw,
		 const char *base, LDAPControl *ctl)
{
	int v3 = LDAP_VERSION3, rc;
	struct berval cred = { strlen(pw), (char *)pw };
	LDAPControl *ctls[] = { ctl, NULL };

	if ((rc = ldap_initialize(&c->ld, uri)) != LDAP_SUCCESS ||
	    (rc = ldap_set_option(c->ld, LDAP_OPT_PROTOCOL_VERSION, &v3)) != LDAP_OPT_SUCCESS ||
	    (rc = ldap_sasl_bind_s(c->ld, dn, LDAP_SASL_SIMPLE, &cred, NULL, NULL, NULL)) !=
		    LDAP_SUCCESS ||
	    (rc = ldap_search_ext(c->ld, base, LDAP_SCOPE_SUBTREE, "(objectClass=*)", NULL, 0, ctls,
				  NULL, NULL, 0, &c->msgid)) != LDAP_SUCCESS ||
	    ldap_get_option(c->ld, LDAP_OPT_DESC, &c->fd) != LDAP_OPT_SUCCESS) {
		fprintf(stderr, "syncclients: %s: %s\n", uri, ldap_err2string(rc));
		return -1;
	}
	return 0;
}

/* Takes every message the client has; returns how many changes it was
 * newly told of in its persist phase, -1 when the search ended. */
static int drain(struct client *c)
{
	struct timeval zero = { 0, 0 };
	LDAPMessage *m;
	int got = 0, rc;

	while ((rc = ldap_result(c->ld, c->msgid, LDAP_MSG_ONE, &zero, &m)) > 0) {
		if (rc == LDAP_RES_INTERMEDIATE)
			c->persisting = 1; /* the syncInfo that ends the refresh */
		else if (rc == LDAP_RES_SEARCH_ENTRY && c->persisting)
			got++;
		else if (rc == LDAP_RES_SEARCH_RESULT)
			got = -1;
		ldap_msgfree(m);
		if (got < 0)
			break;
	}
	return rc < 0 ? -1 : got;
}

int main(int argc, char **argv)
{
	if (argc != 8) {
		fprintf(stderr, "usage: syncclients URI BINDDN PASSWORDFILE BASE CLIENTS ROUNDS "
				"TIMEOUT_MS\n");
		return 2;
	}
	int n = atoi(argv[5]), rounds = atoi(argv[6]), timeout_ms = atoi(argv[7]);
	char pw[256];
	struct client *cl = calloc(n > 0 ? (size_t)n : 1, sizeof *cl);
	struct pollfd *pf = calloc(n > 0 ? (size_t)n : 1, sizeof *pf);
	LDAPControl *ctl = sync_control();
	double t0 = now_s(), deadline = t0 + timeout_ms / 1000.0;
	int persisting = 0, round = 0, told = 0, rc = 1;

	if (n < 1 || !cl || !pf || !ctl || read_password(argv[3], pw, sizeof pw) < 0)
		return 2;
	for (int i = 0; i < n; i++) {
		if (start(&cl[i], argv[1], argv[2], pw, argv[4], ctl) < 0)
			return 1;
		pf[i] = (struct pollfd){ .fd = cl[i].fd, .events = POLLIN };
	}
	explicit_bzero(pw, sizeof pw);
	while (round < rounds) {
		double left = deadline - now_s();

		if (left <= 0 || poll(pf, (nfds_t)n, (int)(left * 1000) + 1) < 0)
			break;
		for (int i = 0; i < n; i++) {
			int was = cl[i].persisting, got;

			if (!(pf[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			if ((got = drain(&cl[i])) < 0) {
				fprintf(stderr, "syncclients: client %d: the server ended its search\n", i);
				round = rounds + 1;
				break;
			}
			if (!was && cl[i].persisting && ++persisting == n)
				printf("ready %.3f\n", now_s() - t0);
			for (int k = 0; k < got; k++) {
				printf("got %d %d %.6f\n", cl[i].rounds + 1, i, now_s());
				if (++cl[i].rounds == round + 1 && ++told == n) {
					printf("all %d\n", ++round);
					told = 0;
					/* clients already told of the next change count for it */
					for (int j = 0; j < n; j++)
						told += cl[j].rounds > round;
				}
			}
		}
		fflush(stdout);
	}
	if (round == rounds) {
		printf("done\n");
		rc = 0;
	} else {
		printf("timeout\n");
	}
	for (int i = 0; i < n; i++)
		ldap_unbind_ext_s(cl[i].ld, NULL, NULL);
	ldap_control_free(ctl);
	free(cl);
	free(pf);
	return rc;
}
