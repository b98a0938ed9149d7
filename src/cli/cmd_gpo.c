// SPDX-License-Identifier: MIT
/* cmd_gpo.c - `ipsecfw gpo`: what GPMC does for IPSec, against the
 * directory of domain.conf (an ipsecfw extension; gpo.h):
 *   gpo show [gpo=GPO] [domain=DNSNAME]
 *   gpo assign gpo=GPO policy=POLICY [domain=DNSNAME]
 *   gpo unassign gpo=GPO [domain=DNSNAME]
 * GPO: its DN, displayName or cn; POLICY: the domain policy's name, GUID
 * or DN. */
#define LDAP_DEPRECATED 0
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli/domain_store.h"
#include "directory/dirwrite.h"
#include "directory/gpo.h"

struct gpo_args {
	const char *gpo, *policy, *domain;
};

static int parse(int argc, char **argv, struct gpo_args *a, struct err *e)
{
	memset(a, 0, sizeof *a);
	for (int i = 0; i < argc; i++) {
		const char *eq = strchr(argv[i], '=');
		size_t k = eq ? (size_t)(eq - argv[i]) : 0;

		if (eq && k == 3 && strncasecmp(argv[i], "gpo", 3) == 0)
			a->gpo = eq + 1;
		else if (eq && k == 6 && strncasecmp(argv[i], "policy", 6) == 0)
			a->policy = eq + 1;
		else if (eq && k == 6 && strncasecmp(argv[i], "domain", 6) == 0)
			a->domain = eq + 1;
		else
			return err_set(e, "'%.64s': gpo=, policy= or domain= expected", argv[i]);
	}
	return 0;
}

/* The policy's DN in the domain's container: by DN, GUID or name. */
static int find_policy(struct dir_conn *cn, const char *container, const char *want, char *dn,
		       size_t len, struct err *e)
{
	struct gp_objset all = { 0 }, live = { 0 };
	const struct gp_object *hit = NULL;
	int rc;

	if ((rc = dir_container_load(cn, container, &all, e)) == 0)
		rc = dir_container_live(&all, &live, e);
	gp_objset_free(&all);
	for (size_t i = 0; i < live.n && rc == 0; i++) {
		const struct gp_object *o = &live.objs[i];

		if (o->cls != GPC_POLICY)
			continue;
		if (gp_dn_equal(o->dn, want) || (o->id && strcasecmp(o->id, want) == 0) ||
		    (o->name && strcmp(o->name, want) == 0)) {
			if (hit) {
				rc = err_set(e, "policy=%s: several policies have that name: give its GUID",
					     want);
				break;
			}
			hit = o;
		}
	}
	if (rc == 0 && !hit)
		rc = err_set(e, "policy=%s: no such policy in %s", want, container);
	if (rc == 0)
		snprintf(dn, len, "%s", hit->dn);
	gp_objset_free(&live);
	return rc;
}

static void print_gpos(const struct dir_gpo *g, size_t n, const char *only, bool json)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < n; i++) {
		if (only && strcasecmp(only, g[i].name) != 0 && strcasecmp(only, g[i].dn) != 0)
			continue;
		if (json) {
			json_array_append_new(arr, json_pack("{s:s, s:s, s:s?, s:s?, s:I}", "gpo", g[i].name,
							     "dn", g[i].dn,
							     "policy", g[i].policy_dn[0] ? g[i].policy_name : NULL,
							     "policy dn", g[i].policy_dn[0] ? g[i].policy_dn : NULL,
							     "version", (json_int_t)g[i].version));
			continue;
		}
		printf("GPO                 : %s\nDN                  : %s\nVersion             : %ld\n"
		       "Assigned policy     : %s\n",
		       g[i].name, g[i].dn, g[i].version, g[i].policy_dn[0] ? g[i].policy_name : "none");
		if (g[i].policy_dn[0])
			printf("Policy DN           : %s\n", g[i].policy_dn);
		fputc('\n', stdout);
	}
	if (!json && json_array_size(arr) == 0 && n == 0)
		puts("No GPOs in the domain.");
	if (json) {
		json_dumpf(arr, stdout, JSON_INDENT(2));
		fputc('\n', stdout);
	}
	json_decref(arr);
}

static int run(const char *verb, const struct gpo_args *a, bool json, struct err *e)
{
	struct domain_conf conf;
	struct dir_conn cn;
	bool refused;
	char base[DOMAIN_VALUE_MAX], container[DOMAIN_VALUE_MAX + 32], gpo_dn[DOMAIN_VALUE_MAX];
	char policy_dn[DOMAIN_VALUE_MAX + 64];
	int rc = domain_store_conf(&conf, e);

	if (rc == 0)
		return err_set(e, "no domain is configured (" DOMAIN_CONF_DEFAULT
				  " or $IPSECFW_DOMAIN_CONF)");
	if (rc < 0)
		return -1;
	if (a->domain && dir_base_of_domain(a->domain, base, sizeof base, e) < 0)
		return err_prefix(e, "domain");
	if (!a->domain)
		snprintf(base, sizeof base, "%s", conf.base);
	snprintf(container, sizeof container, DIR_IPSEC_CONTAINER "%s", base);
	if (strcmp(verb, "show") != 0 && !a->gpo)
		return err_set(e, "gpo= is required");
	if (strcmp(verb, "assign") == 0 && !a->policy)
		return err_set(e, "policy= is required");
	if (strcmp(verb, "assign") != 0 && a->policy)
		return err_set(e, "policy= goes with assign");
	if (dir_connect(&cn, &conf, &refused, e) < 0)
		return -1;
	if (strcmp(verb, "show") == 0) {
		struct dir_gpo *g;
		size_t n;

		if ((rc = dir_gpo_list(&cn, base, &g, &n, e)) == 0) {
			print_gpos(g, n, a->gpo, json);
			free(g);
		}
	} else if ((rc = dir_gpo_find(&cn, base, a->gpo, gpo_dn, sizeof gpo_dn, e)) == 0) {
		if (strcmp(verb, "assign") == 0) {
			rc = find_policy(&cn, container, a->policy, policy_dn, sizeof policy_dn, e);
			if (rc == 0)
				rc = dir_gpo_assign(&cn, gpo_dn, policy_dn, e);
		} else if ((rc = dir_gpo_unassign(&cn, gpo_dn, e)) == 0) {
			fprintf(stderr, "ipsecfw: gpo unassign: %s assigned no IPSec policy\n", a->gpo);
		}
		rc = rc < 0 ? -1 : 0;
	}
	dir_disconnect(&cn);
	return rc;
}

int cmd_gpo(int argc, char **argv, bool json)
{
	struct gpo_args a;
	struct err e;

	if (argc < 1 || (strcmp(argv[0], "show") && strcmp(argv[0], "assign") &&
			 strcmp(argv[0], "unassign"))) {
		fputs("usage: ipsecfw [-j] gpo show [gpo=GPO] [domain=DNSNAME]\n"
		      "       ipsecfw gpo assign gpo=GPO policy=POLICY [domain=DNSNAME]\n"
		      "       ipsecfw gpo unassign gpo=GPO [domain=DNSNAME]\n",
		      stderr);
		return 2;
	}
	if (parse(argc - 1, argv + 1, &a, &e) < 0 || run(argv[0], &a, json, &e) < 0) {
		fprintf(stderr, "ipsecfw: gpo %s: %s\n", argv[0], e.msg);
		return 1;
	}
	return 0;
}
