// SPDX-License-Identifier: MIT
/* ipsecpol_dynamic.c - ipsecpol without -w (SPEC §4.1): the rule goes
 * straight into the running policy agent's dynamic SPD. The invocation
 * becomes netsh dynamic commands (a main-mode policy, a quick-mode policy
 * for negotiation, one rule per -f) that the agent applies as one change,
 * all or nothing; -u deletes all dynamic policy first. */
#include <stdlib.h>
#include <string.h>

#include "ipsecpol_int.h"
#include "store/store.h"

enum { DYN_LINES_MAX = SPECS_MAX + 3 };

struct dyn_batch {
	char *lines[DYN_LINES_MAX];
	char *what[DYN_LINES_MAX]; /* what the user wrote that each came from */
	size_t n;
};

static int batch_add(struct dyn_batch *b, const char *what, const char *line, struct err *e)
{
	if (b->n == DYN_LINES_MAX)
		return err_set(e, "too many filters");
	b->lines[b->n] = strdup(line);
	b->what[b->n] = strdup(what);
	if (!b->lines[b->n] || !b->what[b->n]) {
		free(b->lines[b->n]);
		free(b->what[b->n]);
		return err_set(e, "out of memory");
	}
	b->n++;
	return 0;
}

static void batch_free(struct dyn_batch *b)
{
	for (size_t i = 0; i < b->n; i++) {
		free(b->lines[i]);
		free(b->what[i]);
	}
}

/* The static-only flags: -p, -r and -x are ignored (the rule is in force at
 * once); -y and -o act on a stored policy only. */
static int check_flags(struct session *s, const struct pol_args *a, struct err *e)
{
	if (a->unassign || a->del)
		return err_set(e, "-%s acts on a stored policy; add -w REG", a->del ? "o" : "y");
	if (a->p || a->n_rules || a->assign)
		pol_warn(s, a->p ? "-p" : a->n_rules ? "-r" : "-x",
			 "-p, -r and -x name and assign a stored policy; without -w the rule goes "
			 "straight into the agent's dynamic SPD and they are ignored");
	for (size_t i = 0; i < a->n_filters; i++)
		if (strcmp(a->filters[i], "DEFAULT") == 0)
			return err_set(e, "-f DEFAULT: the default response rule belongs to a stored "
					  "policy; add -w REG");
	if (!a->n_filters && !a->delete_dynamic)
		return err_set(e, "-f: dynamic mode needs a filter list (or -u to delete the "
				  "dynamic policy)");
	if (a->t && !pol_quotable(a->t))
		return err_set(e, "-t: the tunnel cannot hold '\"'");
	return 0;
}

/* The main-mode policy every rule names (-1s, -1k, -1p) and, for rules
 * that negotiate, the quick-mode one (-n offers, PFS, -soft). */
static int policy_lines(struct session *s, const struct pol_args *a, const struct negpol *np,
			const char *name, struct dyn_batch *b, struct err *e)
{
	char line[POL_LINE_MAX], methods[POL_LINE_MAX / 2];
	struct rekey rk;

	if (pol_rekey(a->rekey, &rk, e) < 0 || pol_mmoffers_tag(a, methods, sizeof(methods), e) < 0)
		return -1;
	/* Master-key PFS is one quick mode per main mode. */
	if (a->mmpfs && rk.qmpermm > 1)
		pol_warn(s, "-1p", "master key PFS forces one quick mode per main mode (-1k %ldQ "
				   "is overridden)", rk.qmpermm);
	if (a->mmpfs)
		rk.qmpermm = 1;
	line[0] = '\0';
	if (pol_append(line, sizeof(line), "add mmpolicy name=\"%s\"%s", name, methods) < 0 ||
	    (rk.qmpermm && pol_append(line, sizeof(line), " qmpermm=%ld", rk.qmpermm) < 0) ||
	    (rk.mmlifetime && pol_append(line, sizeof(line), " mmlifetime=%ld", rk.mmlifetime) < 0))
		return err_set(e, "-1s: too long");
	if (batch_add(b, "-1s", line, e) < 0)
		return -1;
	if (strcmp(np->action, "negotiate") != 0)
		return 0;
	line[0] = '\0';
	pol_append(line, sizeof(line), "add qmpolicy name=\"%s\" soft=%s pfsgroup=%s", name,
		   a->soft ? "yes" : "no", np->pfs ? np->pfsgroup : "NOPFS");
	if (np->offers[0] && pol_append(line, sizeof(line), " qmsecmethods=\"%s\"", np->offers) < 0)
		return err_set(e, "-n: too long");
	return batch_add(b, "-n", line, e);
}

/* The tags after a rule's filter: its policies, connection type, actions,
 * tunnel and authentication. INPASS accepts clear inbound traffic: the
 * packet filter reads it as inbound permit, outbound negotiate (SPEC §5.5). */
static int rule_tail(const struct pol_args *a, const char *action, bool inpass, const char *name,
		     const char *auth, char *tail, size_t cap)
{
	bool negotiate = strcmp(action, "negotiate") == 0;

	tail[0] = '\0';
	if (pol_append(tail, cap, " mmpolicy=\"%s\"", name) < 0 ||
	    (negotiate && pol_append(tail, cap, " qmpolicy=\"%s\"", name) < 0) ||
	    pol_append(tail, cap, " conntype=%s actioninbound=%s actionoutbound=%s",
		       a->lan ? "lan" : a->dialup ? "dialup" : "all",
		       negotiate && inpass ? "permit" : action, action) < 0 ||
	    (a->t && pol_append(tail, cap, " tunneldstaddress=\"%s\"", a->t) < 0) ||
	    pol_append(tail, cap, "%s", auth) < 0)
		return -1;
	return 0;
}

/* One rule per -f; a [block] or (pass-through) filter has its own action. */
static int rule_lines(struct session *s, const struct pol_args *a, const struct negpol *np,
		      const char *name, const char *auth, struct dyn_batch *b, struct err *e)
{
	for (size_t i = 0; i < a->n_filters; i++) {
		char inner[POL_LINE_MAX / 4], tags[POL_LINE_MAX / 4], tail[POL_LINE_MAX / 4],
			line[POL_LINE_MAX], what[300];
		const char *own = pol_filter_own_action(a->filters[i], inner, sizeof(inner));
		snprintf(what, sizeof(what), "-f '%.200s'", a->filters[i]);
		if (pol_filter_tags(s, inner, tags, sizeof(tags), e) < 0)
			return err_prefix(e, "%s", what);
		if (rule_tail(a, own ? own : np->action, np->inpass, name, auth, tail, sizeof(tail)) < 0)
			return err_set(e, "%s: too long", what);
		snprintf(line, sizeof(line), "add rule%s%s", tags, tail);
		if (batch_add(b, what, line, e) < 0)
			return -1;
	}
	return 0;
}

/* -confirm: the rules are shown and set only when the user says yes. */
static int confirmed(struct session *s, const struct dyn_batch *b, struct err *e)
{
	char answer[16];

	fputs("ipsecpol: the dynamic policy to set:\n", s->out);
	for (size_t i = 0; i < b->n; i++)
		fprintf(s->out, "  %s\n", b->lines[i]);
	fputs("Set it? (y/n) ", s->out);
	fflush(s->out);
	if (!fgets(answer, sizeof(answer), stdin) || (answer[0] != 'y' && answer[0] != 'Y'))
		return err_set(e, "-confirm: not confirmed; nothing changed");
	return 0;
}

int ipsecpol_dynamic(struct session *s, const struct pol_args *a, struct err *e)
{
	char name[NAME_MAX_LEN], guid[GUID_LEN], auth[POL_LINE_MAX / 4];
	struct dyn_batch *b;
	struct negpol np;
	size_t failed = (size_t)-1; /* set when the agent refuses a line */
	int rc;

	if (check_flags(s, a, e) < 0 || pol_negpols(a, &np, e) < 0 ||
	    pol_auth_tags(a, auth, sizeof(auth), e) < 0)
		return -1;
	if (!s->spd_batch)
		return err_set(e, SPD_NO_AGENT);
	if (!(b = calloc(1, sizeof(*b))))
		return err_set(e, "out of memory");
	/* Each invocation's policies get a name of their own. */
	new_guid(guid);
	snprintf(name, sizeof(name), "ipsecpol %s", guid);
	rc = a->delete_dynamic ? batch_add(b, "-u", "delete all", e) : 0;
	if (rc == 0 && a->n_filters && policy_lines(s, a, &np, name, b, e) < 0)
		rc = -1;
	if (rc == 0 && a->n_filters && rule_lines(s, a, &np, name, auth, b, e) < 0)
		rc = -1;
	if (rc == 0 && a->confirm)
		rc = confirmed(s, b, e);
	if (rc == 0) {
		s->command[0] = '\0';
		rc = s->spd_batch(s, (const char *const *)b->lines, b->n, &failed, e);
		if (rc < 0 && failed < b->n)
			err_prefix(e, "%s", b->what[failed]);
	}
	batch_free(b);
	free(b);
	return rc;
}
