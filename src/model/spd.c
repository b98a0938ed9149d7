// SPDX-License-Identifier: MIT
/* spd.c - the dynamic SPD: rules and policies kept in arrays, copied
 * whole, so a command works on a copy and the agent keeps the old one
 * when the kernel refuses the new. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "secmethods.h"
#include "spd.h"

void dyn_rule_init(struct dyn_rule *r)
{
	memset(r, 0, sizeof(*r));
	filter_init(&r->f);
	r->f.mirrored = true;
	r->conntype = CONN_ALL;
	r->action_in = r->action_out = ACTION_NEGOTIATE;
	snprintf(r->auth, sizeof(r->auth), "kerberos");
}

void mm_policy_init(struct mm_policy *p)
{
	memset(p, 0, sizeof(*p));
	p->mmlifetime = 480;
	snprintf(p->mmsecmethods, sizeof(p->mmsecmethods), "%s", MM_DEFAULT_METHODS);
}

void qm_policy_init(struct qm_policy *p)
{
	memset(p, 0, sizeof(*p));
	p->pfsgroup = PFS_NONE;
	snprintf(p->qmsecmethods, sizeof(p->qmsecmethods), "%s", QM_DEFAULT_METHODS);
}

bool dyn_rule_same_identity(const struct dyn_rule *a, const struct dyn_rule *b)
{
	return addr_equal(&a->f.src, &b->f.src) && addr_equal(&a->f.dst, &b->f.dst) &&
	       a->f.proto == b->f.proto && a->f.sport.lo == b->f.sport.lo &&
	       a->f.sport.hi == b->f.sport.hi && a->f.dport.lo == b->f.dport.lo &&
	       a->f.dport.hi == b->f.dport.hi && a->f.mirrored == b->f.mirrored &&
	       a->conntype == b->conntype && strcasecmp(a->tunnel, b->tunnel) == 0;
}

long spd_rule_find(const struct spd *s, const struct dyn_rule *r)
{
	for (size_t i = 0; i < s->n_rules; i++)
		if (dyn_rule_same_identity(&s->rules[i], r))
			return (long)i;
	return -1;
}

long spd_mm_find(const struct spd *s, const char *name)
{
	for (size_t i = 0; i < s->n_mm; i++)
		if (strcasecmp(s->mm[i].name, name) == 0)
			return (long)i;
	return -1;
}

long spd_qm_find(const struct spd *s, const char *name)
{
	for (size_t i = 0; i < s->n_qm; i++)
		if (strcasecmp(s->qm[i].name, name) == 0)
			return (long)i;
	return -1;
}

size_t spd_mm_users(const struct spd *s, const char *name)
{
	size_t n = 0;

	for (size_t i = 0; i < s->n_rules; i++)
		n += strcasecmp(s->rules[i].mmpolicy, name) == 0;
	return n;
}

size_t spd_qm_users(const struct spd *s, const char *name)
{
	size_t n = 0;

	for (size_t i = 0; i < s->n_rules; i++)
		n += strcasecmp(s->rules[i].qmpolicy, name) == 0;
	return n;
}

/* Appends one element of size sz to *arr holding *n. */
static void *append(void *arr, size_t *n, size_t sz, const void *elem)
{
	char *grown = realloc(arr, (*n + 1) * sz);

	if (!grown)
		return NULL;
	memcpy(grown + *n * sz, elem, sz);
	(*n)++;
	return grown;
}

int spd_rule_add(struct spd *s, const struct dyn_rule *r, struct err *e)
{
	struct dyn_rule copy = *r;
	void *grown;

	if (spd_rule_find(s, r) >= 0)
		return err_set(e, "a dynamic rule with these filter fields exists; use set rule");
	copy.f.seq = ++s->next_seq;
	if (!(grown = append(s->rules, &s->n_rules, sizeof(copy), &copy)))
		return err_set(e, "out of memory");
	s->rules = grown;
	return 0;
}

int spd_mm_add(struct spd *s, const struct mm_policy *p, struct err *e)
{
	void *grown;

	if (spd_mm_find(s, p->name) >= 0)
		return err_set(e, "a main mode policy named '%s' exists", p->name);
	if (!(grown = append(s->mm, &s->n_mm, sizeof(*p), p)))
		return err_set(e, "out of memory");
	s->mm = grown;
	return 0;
}

int spd_qm_add(struct spd *s, const struct qm_policy *p, struct err *e)
{
	void *grown;

	if (spd_qm_find(s, p->name) >= 0)
		return err_set(e, "a quick mode policy named '%s' exists", p->name);
	if (!(grown = append(s->qm, &s->n_qm, sizeof(*p), p)))
		return err_set(e, "out of memory");
	s->qm = grown;
	return 0;
}

static void remove_at(void *arr, size_t *n, size_t sz, size_t i)
{
	char *base = arr;

	memmove(base + i * sz, base + (i + 1) * sz, (*n - i - 1) * sz);
	(*n)--;
}

void spd_rule_delete(struct spd *s, size_t i)
{
	remove_at(s->rules, &s->n_rules, sizeof(*s->rules), i);
}

void spd_mm_delete(struct spd *s, size_t i)
{
	remove_at(s->mm, &s->n_mm, sizeof(*s->mm), i);
}

void spd_qm_delete(struct spd *s, size_t i)
{
	remove_at(s->qm, &s->n_qm, sizeof(*s->qm), i);
}

static void *dup_array(const void *src, size_t n, size_t sz, bool *failed)
{
	void *out;

	if (n == 0)
		return NULL;
	if (!(out = malloc(n * sz))) {
		*failed = true;
		return NULL;
	}
	return memcpy(out, src, n * sz);
}

int spd_copy(struct spd *dst, const struct spd *src)
{
	bool failed = false;

	*dst = *src;
	dst->rules = dup_array(src->rules, src->n_rules, sizeof(*src->rules), &failed);
	dst->mm = dup_array(src->mm, src->n_mm, sizeof(*src->mm), &failed);
	dst->qm = dup_array(src->qm, src->n_qm, sizeof(*src->qm), &failed);
	if (failed) {
		spd_clear(dst);
		return -1;
	}
	return 0;
}

void spd_clear(struct spd *s)
{
	int64_t seq = s->next_seq;

	free(s->rules);
	free(s->mm);
	free(s->qm);
	memset(s, 0, sizeof(*s));
	s->next_seq = seq; /* creation order keeps counting */
}

/* What IKE needs of a dynamic rule: its quick mode policy's offers and
 * PFS, its main mode policy's offers and lifetime (SPEC §3 defaults when
 * it names none), its authentication and tunnel. */
static void dyn_rule_ike(const struct spd *s, const struct dyn_rule *d, long qm,
			 struct rs_ike_rule *ike)
{
	long mm = d->mmpolicy[0] ? spd_mm_find(s, d->mmpolicy) : -1;
	struct mm_policy mm_defaults;
	struct qm_policy qm_defaults;
	const struct mm_policy *m = mm >= 0 ? &s->mm[mm] : &mm_defaults;
	const struct qm_policy *q = qm >= 0 ? &s->qm[qm] : &qm_defaults;

	mm_policy_init(&mm_defaults);
	qm_policy_init(&qm_defaults);
	ike->policy = -1;
	ike->dynamic = true;
	snprintf(ike->guid, sizeof(ike->guid), "%s", d->guid);
	snprintf(ike->tunnel, sizeof(ike->tunnel), "%s", d->tunnel);
	snprintf(ike->auth, sizeof(ike->auth), "%s", d->auth);
	ike->mm_qmpermm = m->qmpermm;
	ike->mm_lifetime = m->mmlifetime;
	ike->mm_softsa = m->softsaexpirationtime;
	snprintf(ike->mm_secmethods, sizeof(ike->mm_secmethods), "%s", m->mmsecmethods);
	snprintf(ike->qmsecmethods, sizeof(ike->qmsecmethods), "%s", q->qmsecmethods);
	ike->qmpfs = q->pfsgroup != PFS_NONE;
	ike->qmpfs_group = q->pfsgroup == PFS_GRPMM ? 0 : (int)q->pfsgroup;
}

int spd_to_ruleset(const struct spd *s, struct ruleset *rs)
{
	for (size_t i = 0; i < s->n_rules; i++) {
		const struct dyn_rule *d = &s->rules[i];
		struct ruleset_rule r = { 0 };
		struct rs_filter f;

		r.store = WSTORE_DYNAMIC;
		snprintf(r.store_name, sizeof(r.store_name), "dynamic");
		snprintf(r.policy, sizeof(r.policy), "%s", d->mmpolicy);
		snprintf(r.rule, sizeof(r.rule), "%s", d->guid);
		snprintf(r.action_name, sizeof(r.action_name), "in %s, out %s",
			 action_name(d->action_in), action_name(d->action_out));
		r.action_in = d->action_in;
		r.action_out = d->action_out;
		/* a soft quick-mode policy falls back to clear (SPEC §5.5) */
		long qm = d->qmpolicy[0] ? spd_qm_find(s, d->qmpolicy) : -1;
		r.soft = qm >= 0 && s->qm[qm].soft;
		r.conntype = d->conntype;
		dyn_rule_ike(s, d, qm, &r.ike);
		rs_filter_from(&f, &d->f);
		f.id = d->f.seq; /* "dynamic:N" in counters and explanations */
		if (!ruleset_add(rs, &r, &f, 1))
			return -1;
	}
	return 0;
}

static const char *const pfs_names[] = { "NOPFS", "GRP1", "GRP2", "GRP3", "GRPMM" };

const char *pfs_group_name(enum pfs_group g)
{
	return pfs_names[g];
}

int pfs_group_parse(const char *text, enum pfs_group *out)
{
	for (size_t i = 0; i < sizeof(pfs_names) / sizeof(pfs_names[0]); i++)
		if (strcasecmp(text, pfs_names[i]) == 0) {
			*out = (enum pfs_group)i;
			return 0;
		}
	return -1;
}
