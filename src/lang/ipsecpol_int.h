// SPDX-License-Identifier: MIT
/* ipsecpol_int.h - what the ipsecpol modules share: the parsed command line
 * (ipsecpol.c), the -f/-n/-a/-1k grammars as netsh tags (ipsecpol_spec.c),
 * and the two modes that run it (static in ipsecpol.c, dynamic in
 * ipsecpol_dynamic.c). */
#ifndef IPSECFW_IPSECPOL_INT_H
#define IPSECFW_IPSECPOL_INT_H

#include "model/policy.h"
#include "session.h"

enum { SPECS_MAX = 256, POL_LINE_MAX = 8192 };

struct pol_args {
	const char *filters[SPECS_MAX];
	size_t n_filters;
	const char *negpols[SPECS_MAX];
	size_t n_negpols;
	const char *auths[SPECS_MAX];
	size_t n_auths;
	const char *mmoffers[SPECS_MAX];
	size_t n_mmoffers;
	const char *rules[SPECS_MAX]; /* -r; several only with -o */
	size_t n_rules;
	const char *w, *p, *t, *rekey;
	bool soft, lan, dialup, mmpfs, assign, unassign, del, delete_dynamic, confirm;
};

/* The -n list: one action and the quick-mode offers. */
struct negpol {
	const char *action; /* permit, block, negotiate */
	bool inpass, pfs;
	char pfsgroup[8];             /* GRP1..GRP3, or GRPMM for a bare PFS */
	char offers[METHODS_MAX_LEN]; /* netsh qmsecmethods, "" = default */
};

/* -1k: quick modes per main mode and main-mode lifetime in minutes, 0 = not given. */
struct rekey {
	long qmpermm, mmlifetime;
};

/* Appends to a NUL-terminated line; -1 when it does not fit. */
int pol_append(char *line, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* A warning about what the user wrote, "ipsecpol: warning: what: ...". */
void pol_warn(struct session *s, const char *what, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Can v go inside a netsh "..." value? */
bool pol_quotable(const char *v);

/* A FilterSpec in [brackets] is a block filter, in (parentheses) a
 * pass-through one, whatever -n says (KB 813878: ipseccmd -f [*=0:1434:UDP]
 * blocks): "block", "permit" or NULL; inner gets the spec unwrapped. */
const char *pol_filter_own_action(const char *spec, char *inner, size_t cap);
/* One FilterSpec (unwrapped) as netsh filter tags: srcaddr= dstaddr= [srcmask=]
 * [dstmask=] [protocol=] [srcport=] [dstport=] mirrored=. */
int pol_filter_tags(struct session *s, const char *spec, char *tags, size_t cap, struct err *e);
int pol_negpols(const struct pol_args *a, struct negpol *n, struct err *e);
/* The -a list as netsh auth tags (kerberos= psk= rootca=), in order. */
int pol_auth_tags(const struct pol_args *a, char *out, size_t cap, struct err *e);
int pol_rekey(const char *text, struct rekey *r, struct err *e);
/* The -1s list as a netsh mmsecmethods="..." tag, "" when not given. */
int pol_mmoffers_tag(const struct pol_args *a, char *out, size_t cap, struct err *e);

/* Dynamic mode (no -w): the rules go to the policy agent's SPD. */
int ipsecpol_dynamic(struct session *s, const struct pol_args *a, struct err *e);

#endif
