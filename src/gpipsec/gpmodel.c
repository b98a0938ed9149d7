// SPDX-License-Identifier: MIT
/* gpmodel.c - see gpmodel.h: the set-level walk (policies to their ISAKMP
 * policy, NFAs, filters and negotiation policies) over convert.c. */
#include "gpipsec/gpmodel.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uuid/uuid.h>

#include "gpipsec/convert.h"

static void *grow(void *v, size_t n, size_t size)
{
	return realloc(v, (n + 1) * size);
}

static const struct gp_object *deref(const struct gp_objset *set, const struct gp_object *from,
				     const char *dn, const char *attr, enum gp_class cls,
				     struct err *e)
{
	const struct gp_object *o;

	if (!dn) {
		err_set(e, "%s: %s is missing", from->dn, attr);
		return NULL;
	}
	if (!(o = gp_objset_find(set, dn)) || o->cls != cls) {
		err_set(e, "%s: %s: no %s '%s'", from->dn, attr, gp_class_name(cls), dn);
		return NULL;
	}
	return o;
}

static int id_of(const struct gp_object *o, char out[GUID_LEN], struct err *e)
{
	struct gp_guid g;

	if (!o->id || guid_parse(o->id, &g) < 0)
		return err_set(e, "%s: ipsecID is not a braced GUID", o->dn);
	guid_format(&g, out);
	return 0;
}

static int add_policy(const struct gp_objset *set, const struct gp_object *po, struct gp_domain *d,
		      struct err *e)
{
	struct policy p;
	const struct gp_object *k;
	void *v;

	policy_init(&p);
	p.store = STORE_DOMAIN;
	p.defrule.active = false;
	if (conv_policy(po, &p, e) < 0 ||
	    !(k = deref(set, po, po->isakmp_ref, "ipsecISAKMPReference", GPC_ISAKMP, e)) ||
	    conv_isakmp(k, &p, e) < 0)
		return -1;
	for (size_t i = 0; i < po->nfa_refs.n; i++) {
		const struct gp_object *nfa, *neg, *fl;
		struct gp_rule r;
		struct filteraction a;

		memset(&r, 0, sizeof(r));
		rule_init(&r.rule);
		filteraction_init(&a);
		if (!(nfa = deref(set, po, po->nfa_refs.v[i], "ipsecNFAReference", GPC_NFA, e)) ||
		    !(neg = deref(set, nfa, nfa->negpol_ref, "ipsecNegotiationPolicyReference", GPC_NEGPOL, e)) ||
		    conv_nfa(nfa, &r.rule, e) < 0 || conv_negpol(neg, &a, e) < 0)
			return -1;
		if (negpol_is_default_response(neg)) {
			p.defrule.active = r.rule.active;
			p.defrule.qmpfs = a.qmpfs;
			memcpy(p.defrule.qmsecmethods, a.qmsecmethods, sizeof(a.qmsecmethods));
			memcpy(p.defrule.auth, r.rule.auth, sizeof(r.rule.auth));
			continue;
		}
		if (nfa->filter_refs.n != 1)
			return err_set(e, "%s: ipsecFilterReference: %zu filter lists; an ipsecfw rule has one",
				       nfa->dn, nfa->filter_refs.n);
		if (!(fl = deref(set, nfa, nfa->filter_refs.v[0], "ipsecFilterReference", GPC_FILTER, e)) ||
		    id_of(fl, r.list, e) < 0)
			return -1;
		memcpy(r.policy, p.guid, sizeof(r.policy));
		memcpy(r.action, a.guid, sizeof(r.action));
		r.rule.seq = (int64_t)d->n_rules + 1;
		if (!(v = grow(d->rules, d->n_rules, sizeof(*d->rules))))
			return err_set(e, "out of memory");
		d->rules = v;
		d->rules[d->n_rules++] = r;
	}
	p.seq = (int64_t)d->n_policies + 1;
	if (!(v = grow(d->policies, d->n_policies, sizeof(*d->policies))))
		return err_set(e, "out of memory");
	d->policies = v;
	d->policies[d->n_policies++] = p;
	return 0;
}

static int by_list_name(const void *a, const void *b)
{
	const struct gp_list *x = a, *y = b;
	int c = strcmp(x->list.name, y->list.name);

	return c ? c : strcmp(x->list.guid, y->list.guid);
}

static int by_action_name(const void *a, const void *b)
{
	const struct filteraction *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : strcmp(x->guid, y->guid);
}

static int by_policy_name(const void *a, const void *b)
{
	const struct policy *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : strcmp(x->guid, y->guid);
}

int gp_to_model(const struct gp_objset *set, struct gp_domain *out, struct err *e)
{
	int rc = 0;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < set->n && rc == 0; i++) {
		const struct gp_object *o = &set->objs[i];
		void *v;

		if (o->cls == GPC_FILTER) {
			struct gp_list l = { 0 };

			if (conv_filter(o, &l, e) < 0) {
				free(l.filters);
				rc = -1;
			} else if (!(v = grow(out->lists, out->n_lists, sizeof(*out->lists)))) {
				free(l.filters);
				rc = err_set(e, "out of memory");
			} else {
				out->lists = v;
				out->lists[out->n_lists++] = l;
			}
		} else if (o->cls == GPC_NEGPOL && !negpol_is_default_response(o)) {
			struct filteraction a;

			filteraction_init(&a);
			if (conv_negpol(o, &a, e) < 0)
				rc = -1;
			else if (!(v = grow(out->actions, out->n_actions, sizeof(*out->actions))))
				rc = err_set(e, "out of memory");
			else {
				out->actions = v;
				out->actions[out->n_actions++] = a;
			}
		} else if (o->cls == GPC_POLICY) {
			rc = add_policy(set, o, out, e);
		}
	}
	if (rc) {
		gp_domain_free(out);
		return rc;
	}
	/* A directory has no order: name order makes the result not depend on it. */
	if (out->n_lists)
		qsort(out->lists, out->n_lists, sizeof(*out->lists), by_list_name);
	if (out->n_actions)
		qsort(out->actions, out->n_actions, sizeof(*out->actions), by_action_name);
	if (out->n_policies)
		qsort(out->policies, out->n_policies, sizeof(*out->policies), by_policy_name);
	return 0;
}

void gp_domain_free(struct gp_domain *d)
{
	for (size_t i = 0; i < d->n_lists; i++)
		free(d->lists[i].filters);
	free(d->lists);
	free(d->policies);
	free(d->rules);
	free(d->actions);
	memset(d, 0, sizeof(*d));
}

/* --- model -> objects --- */

struct builder {
	struct gp_objset *out;
	const char *container;
	struct err *e;
};

static struct gp_object *new_obj(struct builder *b, enum gp_class cls, const char *guid,
				 const char *name, const char *desc)
{
	char dn[1024];
	struct gp_object *o;

	snprintf(dn, sizeof(dn), "CN=%s%s,%s", gp_class_name(cls), guid, b->container);
	if (gp_objset_find(b->out, dn)) {
		err_set(b->e, "%s: two objects with this GUID", dn);
		return NULL;
	}
	if (!(o = gp_objset_add(b->out, cls, dn)) || !(o->id = strdup(guid)) ||
	    !(o->data_type = strdup(GP_DATA_TYPE)) || (name && name[0] && !(o->name = strdup(name))) ||
	    (desc && desc[0] && !(o->description = strdup(desc)))) {
		err_set(b->e, "out of memory");
		return NULL;
	}
	return o;
}

/* A GUID for an object the model has none for, from the policy's and a role. */
void gp_guid_derive(const char *policy_guid, const char *role, char out[GUID_LEN])
{
	struct gp_guid g;
	uuid_t ns, u;
	char text[37];

	guid_parse(policy_guid, &g);
	guid_format(&g, out);
	uuid_parse(out[0] == '{' ? (snprintf(text, sizeof(text), "%.36s", out + 1), text) : out, ns);
	uuid_generate_sha1(u, ns, role, strlen(role));
	uuid_unparse_upper(u, text);
	snprintf(out, GUID_LEN, "{%s}", text);
}

/* The GUID in "CN=<class>{GUID},..." */
static int guid_of_dn(const char *dn, char out[GUID_LEN])
{
	const char *open = strchr(dn, '{'), *close = open ? strchr(open, '}') : NULL;
	struct gp_guid g;
	char text[40];

	if (!close || close - open != 37)
		return -1;
	memcpy(text, open, 38);
	text[38] = '\0';
	if (guid_parse(text, &g) < 0)
		return -1;
	guid_format(&g, out);
	return 0;
}

/* The policy pp's default response NFA in prev, and its place among the
 * policy's ipsecNFAReference values in *at. */
static const struct gp_object *prev_default_nfa(const struct gp_objset *prev,
						const struct gp_object *pp, size_t *at)
{
	for (size_t i = 0; pp && i < pp->nfa_refs.n; i++) {
		const struct gp_object *nfa = gp_objset_find(prev, pp->nfa_refs.v[i]), *neg;

		if (nfa && nfa->cls == GPC_NFA && nfa->negpol_ref &&
		    (neg = gp_objset_find(prev, nfa->negpol_ref)) && neg->cls == GPC_NEGPOL &&
		    negpol_is_default_response(neg)) {
			*at = i;
			return nfa;
		}
	}
	return NULL;
}

static int add_ref(struct gp_strs *s, const char *dn, struct err *e)
{
	return gp_strs_add(s, dn) < 0 ? err_set(e, "out of memory") : 0;
}

static struct gp_object *find_guid(struct builder *b, enum gp_class cls, const char *guid)
{
	char dn[1024];

	snprintf(dn, sizeof(dn), "CN=%s%s,%s", gp_class_name(cls), guid, b->container);
	return gp_objset_find(b->out, dn);
}

static int build_policy(struct builder *b, const struct gp_domain *d, const struct policy *p,
			const struct gp_objset *prev)
{
	char kguid[GUID_LEN], nguid[GUID_LEN], qguid[GUID_LEN], dn[1024];
	const struct gp_object *pp = NULL, *pnfa;
	struct gp_object *po, *ko, *no, *qo;
	struct gp_guid inst;
	struct rule dr;
	size_t dr_at = SIZE_MAX;

	snprintf(dn, sizeof(dn), "CN=ipsecPolicy%s,%s", p->guid, b->container);
	if (prev)
		pp = gp_objset_find(prev, dn);
	if (!pp || !pp->isakmp_ref || guid_of_dn(pp->isakmp_ref, kguid) < 0)
		gp_guid_derive(p->guid, "ipsecISAKMPPolicy", kguid);
	if (!(pnfa = prev ? prev_default_nfa(prev, pp, &dr_at) : NULL) || guid_of_dn(pnfa->dn, nguid) < 0 ||
	    guid_of_dn(pnfa->negpol_ref, qguid) < 0) {
		gp_guid_derive(p->guid, "default response ipsecNFA", nguid);
		gp_guid_derive(p->guid, "default response ipsecNegotiationPolicy", qguid);
	}
	if (!(po = new_obj(b, GPC_POLICY, p->guid, p->name, p->description)))
		return -1;
	blob_policy(p, &po->blob);
	if (!(ko = new_obj(b, GPC_ISAKMP, kguid, NULL, NULL)) || add_ref(&ko->owners, po->dn, b->e) < 0)
		return -1;
	guid_parse(kguid, &inst);
	if (blob_isakmp(p, &inst, &ko->blob, b->e) < 0 || !(po->isakmp_ref = strdup(ko->dn)))
		return po->isakmp_ref ? -1 : err_set(b->e, "out of memory");
	for (size_t i = 0; i < d->n_rules; i++) {
		const struct gp_rule *r = &d->rules[i];
		struct gp_object *ro, *lo, *ao;

		if (strcmp(r->policy, p->guid))
			continue;
		if (!(lo = find_guid(b, GPC_FILTER, r->list)) || !(ao = find_guid(b, GPC_NEGPOL, r->action)))
			return err_set(b->e, "rule '%s' of policy '%s': its filter list or filter action is missing",
				       r->rule.name, p->name);
		if (!(ro = new_obj(b, GPC_NFA, r->rule.guid, r->rule.name, r->rule.description)) ||
		    blob_nfa(&r->rule, r->rule.auth, &ro->blob, b->e) < 0 ||
		    add_ref(&ro->filter_refs, lo->dn, b->e) < 0 || add_ref(&ro->owners, po->dn, b->e) < 0 ||
		    add_ref(&po->nfa_refs, ro->dn, b->e) < 0 || add_ref(&lo->owners, ro->dn, b->e) < 0 ||
		    add_ref(&ao->owners, ro->dn, b->e) < 0 || !(ro->negpol_ref = strdup(ao->dn)))
			return -1;
	}
	rule_init(&dr);
	dr.active = p->defrule.active;
	snprintf(dr.name, sizeof(dr.name), "default response");
	if (!(no = new_obj(b, GPC_NFA, nguid, NULL, NULL)) ||
	    blob_nfa(&dr, p->defrule.auth, &no->blob, b->e) < 0 ||
	    !(qo = new_obj(b, GPC_NEGPOL, qguid, NULL, NULL)) ||
	    blob_negpol(ACTION_NEGOTIATE, false, p->defrule.qmpfs, p->defrule.qmsecmethods, &qo->blob,
			b->e) < 0 ||
	    add_ref(&no->owners, po->dn, b->e) < 0 || add_ref(&qo->owners, no->dn, b->e) < 0 ||
	    add_ref(&po->nfa_refs, no->dn, b->e) < 0)
		return -1;
	/* the default response rule where it was (last when new): another
	 * writer's order (Samba's defaults have it between the rules) is no
	 * change of the policy's */
	for (size_t i = po->nfa_refs.n - 1; i > dr_at; i--) {
		char *t = po->nfa_refs.v[i];

		po->nfa_refs.v[i] = po->nfa_refs.v[i - 1];
		po->nfa_refs.v[i - 1] = t;
	}
	if (!(no->negpol_ref = strdup(qo->dn)) || !(qo->negpol_type = strdup(GP_TYPE_DEFAULT_RESPONSE)) ||
	    !(qo->negpol_action = strdup(GP_ACTION_SECURE)))
		return err_set(b->e, "out of memory");
	return 0;
}

static bool same_ref(const char *a, const char *b)
{
	return (!a && !b) || (a && b && gp_dn_equal(a, b));
}

/* Keeps prev's bytes for an object whose meaning did not change. */
static int keep_prev(struct gp_object *o, const struct gp_objset *prev, struct err *e)
{
	const struct gp_object *pv = gp_objset_find(prev, o->dn);
	char *m1 = NULL, *m2 = NULL;
	bool same;
	struct err ignored;

	if (!pv || pv->cls != o->cls || !same_ref(pv->isakmp_ref, o->isakmp_ref) ||
	    !same_ref(pv->negpol_ref, o->negpol_ref) || !gp_dn_set_equal(&pv->nfa_refs, &o->nfa_refs) ||
	    !gp_dn_set_equal(&pv->filter_refs, &o->filter_refs))
		return 0;
	/* An old object the model cannot read is simply replaced. */
	if (object_meaning(pv, &m1, &ignored) < 0)
		return 0;
	if (object_meaning(o, &m2, e) < 0) {
		free(m1);
		return -1;
	}
	same = strcmp(m1, m2) == 0;
	free(m1);
	free(m2);
	if (!same)
		return 0;
	gp_blob_free(&o->blob);
	free(o->data);
	o->data_len = 0;
	if (!(o->data = malloc(pv->data_len ? pv->data_len : 1)))
		return err_set(e, "out of memory");
	memcpy(o->data, pv->data, pv->data_len);
	o->data_len = pv->data_len;
	free(o->data_type);
	if (!(o->data_type = strdup(pv->data_type ? pv->data_type : GP_DATA_TYPE)))
		return err_set(e, "out of memory");
	return gp_blob_decode(o->data, o->data_len, o->dn, &o->blob, e);
}

int gp_from_model(const struct gp_domain *dom, const char *container,
		  const struct gp_objset *prev, struct gp_objset *out, struct err *e)
{
	struct builder b = { out, container, e };
	int rc = 0;

	memset(out, 0, sizeof(*out));
	/* build_policy holds pointers to objects while it adds more. */
	if (gp_objset_reserve(out, dom->n_lists + dom->n_actions + 4 * dom->n_policies + dom->n_rules + 1) < 0)
		return err_set(e, "out of memory");
	for (size_t i = 0; i < dom->n_lists && rc == 0; i++) {
		const struct gp_list *l = &dom->lists[i];
		struct gp_object *o = new_obj(&b, GPC_FILTER, l->list.guid, l->list.name, l->list.description);

		rc = !o || blob_filter(l, &o->blob, e) < 0 ? -1 : 0;
	}
	for (size_t i = 0; i < dom->n_actions && rc == 0; i++) {
		const struct filteraction *a = &dom->actions[i];
		struct gp_object *o = new_obj(&b, GPC_NEGPOL, a->guid, a->name, a->description);
		const char *act = a->action == ACTION_BLOCK    ? GP_ACTION_BLOCK
				  : a->action == ACTION_PERMIT ? GP_ACTION_PERMIT
				  : a->inpass                  ? GP_ACTION_INPASS
							       : GP_ACTION_SECURE;

		rc = !o || blob_negpol(a->action, a->soft, a->qmpfs, a->qmsecmethods, &o->blob, e) < 0 ||
				     !(o->negpol_type = strdup(GP_TYPE_STANDARD)) ||
				     !(o->negpol_action = strdup(act))
			     ? -1
			     : 0;
	}
	for (size_t i = 0; i < dom->n_policies && rc == 0; i++)
		rc = build_policy(&b, dom, &dom->policies[i], prev);
	for (size_t i = 0; i < out->n && rc == 0; i++) {
		rc = gp_object_encode(&out->objs[i], e);
		if (rc == 0 && prev)
			rc = keep_prev(&out->objs[i], prev, e);
	}
	if (rc)
		gp_objset_free(out);
	return rc;
}

/* --- the engine's input --- */

int gp_policy_ruleset(const struct gp_domain *dom, const char *policy_guid,
		      enum weight_store store, struct ruleset *out, struct err *e)
{
	const struct policy *p = NULL;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < dom->n_policies && !p; i++)
		if (guid_text_equal(dom->policies[i].guid, policy_guid))
			p = &dom->policies[i];
	if (!p)
		return err_set(e, "no policy %s", policy_guid);
	for (size_t i = 0; i < dom->n_rules; i++) {
		const struct gp_rule *r = &dom->rules[i];
		const struct gp_list *l = NULL;
		const struct filteraction *a = NULL;
		struct ruleset_rule rr = { 0 };
		struct rs_filter *fs;

		if (strcmp(r->policy, p->guid) || !r->rule.active)
			continue;
		for (size_t j = 0; j < dom->n_lists && !l; j++)
			if (!strcmp(dom->lists[j].list.guid, r->list))
				l = &dom->lists[j];
		for (size_t j = 0; j < dom->n_actions && !a; j++)
			if (!strcmp(dom->actions[j].guid, r->action))
				a = &dom->actions[j];
		if (!l || !a) {
			ruleset_free(out);
			return err_set(e, "rule '%s' of policy '%s': its filter list or filter action is missing",
				       r->rule.name, p->name);
		}
		rr.store = store;
		snprintf(rr.store_name, sizeof(rr.store_name), "%s", store_kind_name(p->store));
		memcpy(rr.policy, p->name, sizeof(rr.policy));
		memcpy(rr.rule, r->rule.name, sizeof(rr.rule));
		memcpy(rr.list, l->list.name, sizeof(rr.list));
		memcpy(rr.action_name, a->name, sizeof(rr.action_name));
		rr.action_in = rr.action_out = a->action;
		rr.inpass = a->inpass;
		rr.soft = a->soft;
		rr.conntype = r->rule.conntype;
		if (!(fs = calloc(l->n_filters + 1, sizeof(*fs)))) {
			ruleset_free(out);
			return err_set(e, "out of memory");
		}
		for (size_t j = 0; j < l->n_filters; j++)
			rs_filter_from(&fs[j], &l->filters[j]);
		if (!ruleset_add(out, &rr, fs, l->n_filters)) {
			free(fs);
			ruleset_free(out);
			return err_set(e, "out of memory");
		}
		free(fs);
	}
	return 0;
}
