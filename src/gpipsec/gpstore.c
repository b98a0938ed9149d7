// SPDX-License-Identifier: MIT
/* gpstore.c - see gpstore.h. */
#include "gpipsec/gpstore.h"

#include <stdlib.h>
#include <string.h>

int gp_domain_load(struct db *db, enum store_kind s, struct gp_domain *out, struct err *e)
{
	struct filterlist *lists = NULL;
	size_t n_lists = 0;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (db_filterlist_list(db, s, &lists, &n_lists, e) < 0 ||
	    db_filteraction_list(db, s, &out->actions, &out->n_actions, e) < 0 ||
	    db_policy_list(db, s, &out->policies, &out->n_policies, e) < 0)
		goto done;
	if (!(out->lists = calloc(n_lists + 1, sizeof(*out->lists)))) {
		err_set(e, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < n_lists; i++) {
		out->lists[i].list = lists[i];
		out->n_lists++;
		if (db_filter_list(db, lists[i].id, &out->lists[i].filters, &out->lists[i].n_filters, e) < 0)
			goto done;
	}
	for (size_t i = 0; i < out->n_policies; i++) {
		struct rule *rules;
		size_t n;
		void *v;

		if (db_rule_list(db, out->policies[i].id, &rules, &n, e) < 0)
			goto done;
		v = realloc(out->rules, (out->n_rules + n + 1) * sizeof(*out->rules));
		if (!v) {
			free(rules);
			err_set(e, "out of memory");
			goto done;
		}
		out->rules = v;
		for (size_t j = 0; j < n; j++) {
			struct gp_rule *r = &out->rules[out->n_rules];
			const char *lg = NULL, *ag = NULL;

			memset(r, 0, sizeof(*r));
			r->rule = rules[j];
			for (size_t k = 0; k < out->n_lists && !lg; k++)
				if (out->lists[k].list.id == rules[j].filterlist_id)
					lg = out->lists[k].list.guid;
			for (size_t k = 0; k < out->n_actions && !ag; k++)
				if (out->actions[k].id == rules[j].filteraction_id)
					ag = out->actions[k].guid;
			if (!lg || !ag) {
				free(rules);
				err_set(e, "rule '%s': its filter list or filter action is missing", rules[j].name);
				goto done;
			}
			memcpy(r->policy, out->policies[i].guid, GUID_LEN);
			memcpy(r->list, lg, GUID_LEN);
			memcpy(r->action, ag, GUID_LEN);
			out->n_rules++;
		}
		free(rules);
	}
	rc = 0;
done:
	free(lists);
	if (rc)
		gp_domain_free(out);
	return rc;
}

int gp_domain_insert(struct db *db, enum store_kind s, const struct gp_domain *d, struct err *e)
{
	int64_t *list_ids = calloc(d->n_lists + 1, sizeof(*list_ids)),
		*action_ids = calloc(d->n_actions + 1, sizeof(*action_ids)),
		*policy_ids = calloc(d->n_policies + 1, sizeof(*policy_ids));
	int rc = -1;

	if (!list_ids || !action_ids || !policy_ids) {
		err_set(e, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < d->n_lists; i++) {
		struct filterlist l = d->lists[i].list;

		if (db_filterlist_add(db, s, &l, e) < 0)
			goto done;
		list_ids[i] = l.id;
		for (size_t j = 0; j < d->lists[i].n_filters; j++) {
			struct filter f = d->lists[i].filters[j];

			if (db_filter_add(db, l.id, &f, e) < 0) {
				err_prefix(e, "filter list '%s'", l.name);
				goto done;
			}
		}
	}
	for (size_t i = 0; i < d->n_actions; i++) {
		struct filteraction a = d->actions[i];

		if (db_filteraction_add(db, s, &a, e) < 0)
			goto done;
		action_ids[i] = a.id;
	}
	for (size_t i = 0; i < d->n_policies; i++) {
		struct policy p = d->policies[i];

		p.store = s;
		if (db_policy_add(db, &p, e) < 0)
			goto done;
		policy_ids[i] = p.id;
	}
	for (size_t i = 0; i < d->n_rules; i++) {
		struct rule r = d->rules[i].rule;

		r.policy_id = r.filterlist_id = r.filteraction_id = 0;
		for (size_t k = 0; k < d->n_policies; k++)
			if (!strcmp(d->policies[k].guid, d->rules[i].policy))
				r.policy_id = policy_ids[k];
		for (size_t k = 0; k < d->n_lists; k++)
			if (!strcmp(d->lists[k].list.guid, d->rules[i].list))
				r.filterlist_id = list_ids[k];
		for (size_t k = 0; k < d->n_actions; k++)
			if (!strcmp(d->actions[k].guid, d->rules[i].action))
				r.filteraction_id = action_ids[k];
		if (!r.policy_id || !r.filterlist_id || !r.filteraction_id) {
			err_set(e, "rule '%s': its policy, filter list or filter action is missing", r.name);
			goto done;
		}
		if (db_rule_add(db, &r, e) < 0)
			goto done;
	}
	rc = 0;
done:
	free(list_ids);
	free(action_ids);
	free(policy_ids);
	return rc;
}

/* guid under one derived from it, when db uses it already; every
 * reference to it follows (refs). */
static int rekey_one(struct db *db, char guid[GUID_LEN], char *const *refs, size_t n_refs,
		     struct err *e)
{
	char old[GUID_LEN];
	int rc = db_guid_used(db, guid, e);

	if (rc <= 0)
		return rc;
	memcpy(old, guid, GUID_LEN);
	gp_guid_derive(old, "ipsecfw cached copy", guid);
	for (size_t i = 0; i < n_refs; i++)
		if (strcmp(refs[i], old) == 0)
			memcpy(refs[i], guid, GUID_LEN);
	return 0;
}

int gp_domain_rekey(struct db *db, struct gp_domain *d, char assigned[GUID_LEN], struct err *e)
{
	size_t n = 3 * d->n_rules + 1, k = 0;
	char **refs = calloc(n, sizeof *refs);
	int rc = 0;

	if (!refs)
		return err_set(e, "out of memory");
	for (size_t i = 0; i < d->n_rules; i++) {
		refs[k++] = d->rules[i].policy;
		refs[k++] = d->rules[i].list;
		refs[k++] = d->rules[i].action;
	}
	refs[k++] = assigned;
	for (size_t i = 0; i < d->n_lists && rc == 0; i++) {
		rc = rekey_one(db, d->lists[i].list.guid, refs, k, e);
		for (size_t j = 0; j < d->lists[i].n_filters && rc == 0; j++)
			rc = rekey_one(db, d->lists[i].filters[j].guid, NULL, 0, e);
	}
	for (size_t i = 0; i < d->n_actions && rc == 0; i++)
		rc = rekey_one(db, d->actions[i].guid, refs, k, e);
	for (size_t i = 0; i < d->n_policies && rc == 0; i++)
		rc = rekey_one(db, d->policies[i].guid, refs, k, e);
	for (size_t i = 0; i < d->n_rules && rc == 0; i++)
		rc = rekey_one(db, d->rules[i].rule.guid, NULL, 0, e);
	free(refs);
	return rc;
}
