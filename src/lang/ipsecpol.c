// SPDX-License-Identifier: MIT
/* ipsecpol.c - the ipsecpol / ipseccmd command line: its flags, static
 * mode (-w: netsh static commands run as one transaction) and the entry
 * point that picks the mode (dynamic mode: ipsecpol_dynamic.c). */
#include "ipsecpol.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ipsecpol_int.h"

void ipsecpol_usage(FILE *out)
{
	fputs("usage: ipsecpol [-w REG|DS[:domain] -p Policy[:PollMinutes] [-r Rule]]\n"
	      "                [-f FilterSpec ...] [-n PASS|BLOCK|INPASS|Offer ...]\n"
	      "                [-a KERBEROS|PRESHARE:\"key\"|CERT:\"CA\" ...] [-t Tunnel]\n"
	      "                [-soft] [-lan|-dialup] [-1s Offer ...] [-1k NQ/NS] [-1p]\n"
	      "                [-x | -y | -o | -y -o] [-u] [-confirm]\n"
	      "  without -w the rules go to the policy agent's dynamic SPD; -u deletes them\n"
	      "  FilterSpec := Src(=|+)Dst[:Proto] | DEFAULT\n"
	      "  Src, Dst   := Addr[/Mask][:Port]; Addr: A.B.C.D, 0 (me), * (any),\n"
	      "                A.B.*.* (octet wildcard), [IPv6] or a DNS name; Port: n or *\n"
	      "  Proto      := TCP | UDP | ICMP | RAW | number | * (upper case)\n",
	      out);
}

/* The article's typeset commands use an en dash (U+2013) for '-'. */
static const char *flag_name(const char *arg)
{
	if (arg[0] == '-')
		return arg + 1;
	if ((unsigned char)arg[0] == 0xe2 && (unsigned char)arg[1] == 0x80 &&
	    (unsigned char)arg[2] == 0x93)
		return arg + 3;
	return NULL;
}

/* Flags that take a list: every following non-flag argument belongs. */
static int take_list(int argc, char **argv, int *i, const char **out, size_t *n,
		     const char *attached, const char *flag, struct err *e)
{
	if (attached && *attached) {
		if (*n == SPECS_MAX)
			return err_set(e, "-%s: too many values", flag);
		out[(*n)++] = attached;
	}
	while (*i + 1 < argc && !flag_name(argv[*i + 1])) {
		if (*n == SPECS_MAX)
			return err_set(e, "-%s: too many values", flag);
		out[(*n)++] = argv[++*i];
	}
	if (*n == 0)
		return err_set(e, "-%s: a value is required", flag);
	return 0;
}

static int take_one(int argc, char **argv, int *i, const char **out, const char *flag,
		    struct err *e)
{
	if (*i + 1 >= argc || flag_name(argv[*i + 1]))
		return err_set(e, "-%s: a value is required", flag);
	*out = argv[++*i];
	return 0;
}

static int parse_args(int argc, char **argv, struct pol_args *a, struct err *e)
{
	memset(a, 0, sizeof(*a));
	for (int i = 0; i < argc; i++) {
		const char *f = flag_name(argv[i]);
		if (i == 0 && strncmp(argv[i], "\\\\", 2) == 0)
			return err_set(e, "%s: remote machines are not supported; run ipsecfw on "
					  "that machine", argv[i]);
		if (!f)
			return err_set(e, "unexpected argument '%.64s'", argv[i]);
		/* -f and -n may be glued to their value ("-f*:25:TCP"). */
		if (f[0] == 'f' && strcmp(f, "file") != 0) {
			if (take_list(argc, argv, &i, a->filters, &a->n_filters, f + 1, "f", e) < 0)
				return -1;
		} else if (f[0] == 'n' && f[1] != '\0' && strcmp(f, "n") != 0) {
			if (a->n_negpols == SPECS_MAX)
				return err_set(e, "-n: too many values");
			a->negpols[a->n_negpols++] = f + 1;
		} else if (strcmp(f, "n") == 0) {
			if (take_list(argc, argv, &i, a->negpols, &a->n_negpols, NULL, "n", e) < 0)
				return -1;
		} else if (strcmp(f, "a") == 0) {
			if (take_list(argc, argv, &i, a->auths, &a->n_auths, NULL, "a", e) < 0)
				return -1;
		} else if (strcmp(f, "1s") == 0) {
			if (take_list(argc, argv, &i, a->mmoffers, &a->n_mmoffers, NULL, "1s", e) < 0)
				return -1;
		} else if (strcmp(f, "w") == 0) {
			if (take_one(argc, argv, &i, &a->w, "w", e) < 0)
				return -1;
		} else if (strcmp(f, "p") == 0) {
			if (take_one(argc, argv, &i, &a->p, "p", e) < 0)
				return -1;
		} else if (strcmp(f, "r") == 0) {
			if (a->n_rules == SPECS_MAX)
				return err_set(e, "-r: too many values");
			if (take_one(argc, argv, &i, &a->rules[a->n_rules++], "r", e) < 0)
				return -1;
		} else if (strcmp(f, "t") == 0) {
			if (take_one(argc, argv, &i, &a->t, "t", e) < 0)
				return -1;
		} else if (strcmp(f, "1k") == 0) {
			if (take_one(argc, argv, &i, &a->rekey, "1k", e) < 0)
				return -1;
		} else if (strcmp(f, "soft") == 0) {
			a->soft = true;
		} else if (strcmp(f, "lan") == 0) {
			a->lan = true;
		} else if (strcmp(f, "dialup") == 0) {
			a->dialup = true;
		} else if (strcmp(f, "1p") == 0) {
			a->mmpfs = true;
		} else if (strcmp(f, "x") == 0) {
			a->assign = true;
		} else if (strcmp(f, "y") == 0) {
			a->unassign = true;
		} else if (strcmp(f, "o") == 0) {
			a->del = true;
		} else if (strcmp(f, "u") == 0) {
			a->delete_dynamic = true;
		} else if (strcmp(f, "confirm") == 0) {
			a->confirm = true;
		} else {
			return err_set(e, "unknown flag '%.64s' (ipsecpol -? lists them)", argv[i]);
		}
	}
	if (a->lan && a->dialup)
		return err_set(e, "-lan and -dialup exclude each other");
	/* -y -o is the Resource Kit's clean-up: unassign, then delete. */
	if (a->assign && (a->unassign || a->del))
		return err_set(e, "-x excludes -y and -o");
	if (a->n_rules > 1 && !a->del)
		return err_set(e, "-r: one rule per command (several only with -o, to delete them)");
	return 0;
}

/* ---- static mode ---------------------------------------------------------- */

/* Runs one generated netsh line; errors name what the user wrote. */
static int run(struct session *s, const char *what, struct err *e, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int run(struct session *s, const char *what, struct err *e, const char *fmt, ...)
{
	char line[POL_LINE_MAX];
	va_list ap;
	int col, n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(line))
		return err_set(e, "%s: too long", what);
	if (session_line(s, line, (size_t)n, &col, e) < 0)
		return err_prefix(e, "%s", what);
	return 0;
}

/* Deletes a filter list or filter action when no rule uses it any more. */
static int delete_if_unused(struct session *s, enum rule_ref ref, int64_t id, struct err *e)
{
	size_t users;

	if (db_rules_using(s->db, ref, id, &users, e) < 0)
		return -1;
	if (users > 0)
		return 0;
	return ref == REF_FILTERLIST ? db_filterlist_delete(s->db, id, e)
				     : db_filteraction_delete(s->db, id, e);
}

/* The names a rule's filter list and action get (SPEC §4.1): the rule's
 * name and "<rule> negpol"; "<rule> (<policy>)" when variant is set, for a
 * rule name another policy already uses (rules are per policy). -1 when
 * they do not fit a name. */
static int object_names(const char *policy, const char *rule, bool variant, char *list,
			char *action)
{
	list[0] = action[0] = '\0';
	if ((variant ? pol_append(list, NAME_MAX_LEN, "%s (%s)", rule, policy)
		     : pol_append(list, NAME_MAX_LEN, "%s", rule)) < 0)
		return -1;
	return pol_append(action, NAME_MAX_LEN, "%s negpol", list);
}

/* Deletes the lists and actions named after a rule that no rule uses. */
static int drop_named(struct session *s, const char *policy, const char *rule, struct err *e)
{
	char list[NAME_MAX_LEN], action[NAME_MAX_LEN];
	struct filterlist l;
	struct filteraction fa;
	int rc = 0;

	for (int variant = 0; variant < 2 && rc >= 0; variant++) {
		if (object_names(policy, rule, variant, list, action) < 0)
			continue;
		if ((rc = db_filterlist_find(s->db, s->store, list, NULL, &l, e)) > 0)
			rc = delete_if_unused(s, REF_FILTERLIST, l.id, e);
		if (rc >= 0 && (rc = db_filteraction_find(s->db, s->store, action, NULL, &fa, e)) > 0)
			rc = delete_if_unused(s, REF_FILTERACTION, fa.id, e);
	}
	return rc < 0 ? -1 : 0;
}

/* -o: the policy with the filter lists and actions its rules used, when no
 * other rule still uses them (SPEC §4.1). -r names rules whose leftover
 * lists and actions go too: KB 813878 cleans up with -p P -r R1 -r R2 -o. */
static int delete_policy(struct session *s, const struct pol_args *a, const char *name,
			 struct err *e)
{
	struct policy p;
	struct rule *rules, r;
	size_t n;
	int rc = db_policy_find(s->db, s->store, name, NULL, &p, e);

	if (rc <= 0)
		return rc < 0 ? -1 : err_set(e, "-p: no policy named '%s' in the %s store", name,
					     store_kind_name(s->store));
	for (size_t i = 0; i < a->n_rules; i++) {
		if ((rc = db_rule_find(s->db, p.id, a->rules[i], 0, &r, e)) < 0)
			return -1;
		if (rc == 0)
			pol_warn(s, "-r", "policy '%s' has no rule named '%s'", name, a->rules[i]);
	}
	if (db_rule_list(s->db, p.id, &rules, &n, e) < 0)
		return -1;
	rc = db_policy_delete(s->db, p.id, e);
	for (size_t i = 0; i < n && rc == 0; i++) {
		rc = delete_if_unused(s, REF_FILTERLIST, rules[i].filterlist_id, e);
		if (rc == 0)
			rc = delete_if_unused(s, REF_FILTERACTION, rules[i].filteraction_id, e);
	}
	free(rules);
	for (size_t i = 0; i < a->n_rules && rc == 0; i++)
		rc = drop_named(s, name, a->rules[i], e);
	return rc;
}

/* Re-running a build script replaces the rule, its list and its action. */
static int drop_rule(struct session *s, const struct policy *p, const char *rule, struct err *e)
{
	struct rule r;
	int rc = db_rule_find(s->db, p->id, rule, 0, &r, e);

	if (rc > 0 && (rc = db_rule_delete(s->db, r.id, e)) == 0 &&
	    (rc = delete_if_unused(s, REF_FILTERLIST, r.filterlist_id, e)) == 0)
		rc = delete_if_unused(s, REF_FILTERACTION, r.filteraction_id, e);
	return rc < 0 ? -1 : drop_named(s, p->name, rule, e);
}

static int policy_tags(const struct pol_args *a, const char *poll, char *out, size_t cap,
		       struct err *e)
{
	char methods[POL_LINE_MAX / 4];
	struct rekey rk;

	out[0] = '\0';
	if (pol_rekey(a->rekey, &rk, e) < 0 || pol_mmoffers_tag(a, methods, sizeof(methods), e) < 0)
		return -1;
	if ((poll && pol_append(out, cap, " pollinginterval=%s", poll) < 0) ||
	    (a->mmpfs && pol_append(out, cap, " mmpfs=yes") < 0) ||
	    pol_append(out, cap, "%s", methods) < 0 ||
	    (rk.qmpermm && pol_append(out, cap, " qmpermm=%ld", rk.qmpermm) < 0) ||
	    (rk.mmlifetime && pol_append(out, cap, " mmlifetime=%ld", rk.mmlifetime) < 0))
		return err_set(e, "-p: too long");
	return 0;
}

/* -w TYPE: REG or DS[:domain]; other casings are read with a warning. */
static int pick_store(struct session *s, const char *w, struct err *e)
{
	if (strcasecmp(w, "REG") == 0) {
		s->store = STORE_LOCAL;
	} else if (strncasecmp(w, "DS", 2) == 0 && (w[2] == '\0' || w[2] == ':')) {
		s->store = STORE_DOMAIN;
		if (w[2] == ':')
			snprintf(s->domain, sizeof(s->domain), "%s", w + 3);
		/* the directory, as `set store location=domain` reads it */
		if (s->domain_open && s->domain_open(s, w[2] == ':' && w[3] ? w + 3 : NULL, e) < 0)
			return err_prefix(e, "-w");
	} else {
		return err_set(e, "-w: '%s' is neither REG nor DS[:domain]", w);
	}
	if (strncmp(w, s->store == STORE_LOCAL ? "REG" : "DS", s->store == STORE_LOCAL ? 3 : 2))
		pol_warn(s, "-w", "'%s' read as %s (ipsecpol takes upper case)", w,
			 s->store == STORE_LOCAL ? "REG" : "DS");
	return 0;
}

/* -p Name[:PollMinutes], whole: a longer name is refused, never cut. */
static int policy_name(const char *p, char *name, const char **poll, struct err *e)
{
	const char *colon = strrchr(p, ':');
	size_t len = strlen(p);

	*poll = NULL;
	if (colon && colon[1] && strspn(colon + 1, "0123456789") == strlen(colon + 1)) {
		*poll = colon + 1;
		len = (size_t)(colon - p);
	}
	if (len >= NAME_MAX_LEN)
		return err_set(e, "-p: the policy name is %zu characters long; at most %d", len,
			       NAME_MAX_LEN - 1);
	snprintf(name, NAME_MAX_LEN, "%.*s", (int)len, p);
	return 0;
}

/* -f ... -r R: the rule R with its own filter list and "<list> negpol" action. */
static int add_rule(struct session *s, const struct pol_args *a, const struct policy *p,
		    const struct negpol *np, const char *auth, struct err *e)
{
	const char *r = a->rules[0];
	char list[NAME_MAX_LEN], action[NAME_MAX_LEN], line[POL_LINE_MAX];
	struct filterlist taken;
	int rc;

	/* "R negpol" must fit a name. */
	if (strlen(r) + sizeof(" negpol") > NAME_MAX_LEN)
		return err_set(e, "-r: the rule name is %zu characters long; at most %zu", strlen(r),
			       NAME_MAX_LEN - sizeof(" negpol"));
	if (drop_rule(s, p, r, e) < 0)
		return -1;
	/* A list of that name left after the drop is another policy's. */
	rc = db_filterlist_find(s->db, s->store, r, NULL, &taken, e);
	if (rc < 0)
		return -1;
	if (object_names(p->name, r, rc > 0, list, action) < 0)
		return err_set(e, "-r: another policy's rule is named '%s', and '%s (%.40s...)' is "
				  "too long a name for this one's filter list", r, r, p->name);
	if (run(s, "-r", e, "add filterlist name=\"%s\"", list) < 0)
		return -1;
	for (size_t i = 0; i < a->n_filters; i++) {
		char what[300], tags[POL_LINE_MAX / 2];
		snprintf(what, sizeof(what), "-f '%.200s'", a->filters[i]);
		if (strcmp(a->filters[i], "DEFAULT") == 0)
			return err_set(e, "-f DEFAULT stands alone");
		if (pol_filter_own_action(a->filters[i], tags, sizeof(tags)))
			return err_set(e, "%s: [block] and (pass-through) filters are dynamic-mode forms; "
					  "with -w give the rule -n BLOCK or -n PASS", what);
		if (pol_filter_tags(s, a->filters[i], tags, sizeof(tags), e) < 0)
			return err_prefix(e, "%s", what);
		if (run(s, what, e, "add filter filterlist=\"%s\"%s", list, tags) < 0)
			return -1;
	}
	line[0] = '\0';
	if (np->offers[0])
		pol_append(line, sizeof(line), " qmsecmethods=\"%s\"", np->offers);
	if (run(s, "-n", e, "add filteraction name=\"%s\" action=%s inpass=%s soft=%s qmpfs=%s%s",
		action, np->action, np->inpass ? "yes" : "no", a->soft ? "yes" : "no",
		np->pfs ? "yes" : "no", line) < 0)
		return -1;
	line[0] = '\0';
	if (a->t)
		pol_append(line, sizeof(line), " tunnel=\"%s\"", a->t);
	return run(s, "-r", e,
		   "add rule name=\"%s\" policy=\"%s\" filterlist=\"%s\" filteraction=\"%s\" "
		   "conntype=%s%s%s",
		   r, p->name, list, action, a->lan ? "lan" : a->dialup ? "dialup" : "all", line,
		   auth);
}

static int run_static(struct session *s, const struct pol_args *a, struct err *e)
{
	char name[NAME_MAX_LEN], ptags[POL_LINE_MAX / 2], auth[POL_LINE_MAX / 2],
		line[POL_LINE_MAX];
	const char *poll;
	struct policy p;
	struct negpol np;
	int rc;

	if (!a->p)
		return err_set(e, "-p: a policy name is required with -w");
	if (a->delete_dynamic || a->confirm)
		return err_set(e, "-%s acts on dynamic policy; drop -w", a->confirm ? "confirm" : "u");
	if (policy_name(a->p, name, &poll, e) < 0)
		return -1;
	for (size_t i = 0; i < a->n_rules; i++)
		if (!pol_quotable(a->rules[i]))
			return err_set(e, "names cannot hold '\"'");
	if (!pol_quotable(name) || (a->t && !pol_quotable(a->t)))
		return err_set(e, "names cannot hold '\"'");
	if (a->del) {
		if (a->n_filters)
			return err_set(e, "-o deletes the policy; it takes no -f");
		if ((rc = db_policy_find(s->db, s->store, name, NULL, &p, e)) <= 0)
			return rc < 0 ? -1 : err_set(e, "-p: no policy named '%s' in the %s store",
						     name, store_kind_name(s->store));
		if (a->unassign && run(s, "-y", e, "set policy name=\"%s\" assign=no", name) < 0)
			return -1;
		return delete_policy(s, a, name, e);
	}
	if (policy_tags(a, poll, ptags, sizeof(ptags), e) < 0 || pol_negpols(a, &np, e) < 0 ||
	    pol_auth_tags(a, auth, sizeof(auth), e) < 0)
		return -1;
	rc = db_policy_find(s->db, s->store, name, NULL, &p, e);
	if (rc < 0)
		return -1;
	/* Unassigning a policy that is not there is a mistake, not a creation. */
	if (rc == 0 && a->unassign && !a->n_filters)
		return err_set(e, "-y: no policy named '%s' in the %s store", name,
			       store_kind_name(s->store));
	if (rc == 0 && run(s, "-p", e, "add policy name=\"%s\"%s", name, ptags) < 0)
		return -1;
	if (rc == 1 && ptags[0] && run(s, "-p", e, "set policy name=\"%s\"%s", name, ptags) < 0)
		return -1;
	if (db_policy_find(s->db, s->store, name, NULL, &p, e) <= 0)
		return -1;

	if (a->n_filters == 1 && strcmp(a->filters[0], "DEFAULT") == 0) {
		/* The default response rule always negotiates (SPEC §2.6). */
		if (strcmp(np.action, "negotiate") != 0)
			return err_set(e, "-f DEFAULT: the default response rule always negotiates; "
					  "-n PASS or BLOCK cannot apply");
		line[0] = '\0';
		if (np.offers[0])
			pol_append(line, sizeof(line), " qmsecmethods=\"%s\"", np.offers);
		if (run(s, "-f DEFAULT", e, "set defaultrule policy=\"%s\" qmpfs=%s%s%s", name,
			np.pfs ? "yes" : "no", line, auth) < 0)
			return -1;
	} else if (a->n_filters) {
		if (!a->n_rules)
			return err_set(e, "-r: a rule name is required with -f in static mode");
		if (add_rule(s, a, &p, &np, auth, e) < 0)
			return -1;
	} else if (a->n_rules || a->n_negpols || a->n_auths) {
		return err_set(e, "-r, -n and -a need -f");
	}
	if (a->assign)
		return run(s, "-x", e, "set policy name=\"%s\" assign=yes", name);
	if (a->unassign)
		return run(s, "-y", e, "set policy name=\"%s\" assign=no", name);
	return 0;
}

int ipsecpol_run(struct session *s, int argc, char **argv, struct err *e)
{
	struct pol_args *a = malloc(sizeof(*a));
	int rc;

	if (!a)
		return err_set(e, "out of memory");
	if (argc == 0 || (argc == 1 && (strcmp(argv[0], "-?") == 0 || strcmp(argv[0], "/?") == 0 ||
					 strcmp(argv[0], "-h") == 0))) {
		ipsecpol_usage(s->out);
		free(a);
		return argc == 0 ? err_set(e, "no arguments") : 0;
	}
	rc = parse_args(argc, argv, a, e);
	if (rc == 0 && !a->w) {
		rc = ipsecpol_dynamic(s, a, e);
	} else if (rc == 0) {
		/* One transaction: a failing invocation changes nothing. */
		s->batch = true;
		s->all_or_nothing = true;
		rc = pick_store(s, a->w, e);
		if (rc == 0)
			rc = db_in_transaction(s->db) ? 0 : db_begin(s->db, e);
		if (rc == 0)
			rc = run_static(s, a, e);
		if (rc == 0)
			rc = session_finish(s, e);
		else if (db_in_transaction(s->db))
			db_rollback(s->db);
		s->batch = false;
		s->all_or_nothing = false;
	}
	free(a);
	return rc < 0 ? err_prefix(e, "ipsecpol") : 0;
}
