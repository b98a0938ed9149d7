// SPDX-License-Identifier: MIT
/* spd.h - the dynamic Security Policy Database of SPEC §3: rules added with
 * `netsh ipsec dynamic`, each one filter with separate inbound and outbound
 * actions, and the main-mode and quick-mode policies they name. It lives
 * in the policy agent and is lost when the agent stops. */
#ifndef IPSECFW_SPD_H
#define IPSECFW_SPD_H

#include <stdbool.h>
#include <stddef.h>

#include "policy.h"
#include "ruleset.h"

struct dyn_rule {
	char guid[GUID_LEN];
	struct filter f; /* addresses, protocol, ports, mirrored; f.seq: creation order */
	enum conntype conntype;
	char tunnel[ADDR_NAME_MAX]; /* "" = transport */
	enum action action_in, action_out;
	char mmpolicy[NAME_MAX_LEN], qmpolicy[NAME_MAX_LEN];
	char auth[AUTH_MAX_LEN];
};

struct mm_policy {
	char guid[GUID_LEN];
	char name[NAME_MAX_LEN];
	long qmpermm, mmlifetime, softsaexpirationtime; /* minutes, seconds */
	char mmsecmethods[METHODS_MAX_LEN];
};

enum pfs_group { PFS_NONE, PFS_GRP1, PFS_GRP2, PFS_GRP3, PFS_GRPMM };

struct qm_policy {
	char guid[GUID_LEN];
	char name[NAME_MAX_LEN];
	bool soft;
	enum pfs_group pfsgroup;
	char qmsecmethods[METHODS_MAX_LEN];
};

struct spd {
	struct dyn_rule *rules;
	size_t n_rules;
	struct mm_policy *mm;
	size_t n_mm;
	struct qm_policy *qm;
	size_t n_qm;
	int64_t next_seq;
};

/* SPEC §3 defaults: negotiate both ways, mirrored, conntype all. */
void dyn_rule_init(struct dyn_rule *r);
void mm_policy_init(struct mm_policy *p);
void qm_policy_init(struct qm_policy *p);

/* Do two rules have the same identifying fields (SPEC §3: addresses and
 * masks, protocol, ports, mirrored, conntype, tunnel)? */
bool dyn_rule_same_identity(const struct dyn_rule *a, const struct dyn_rule *b);

/* Index of the rule with r's identity, or -1. */
long spd_rule_find(const struct spd *s, const struct dyn_rule *r);
long spd_mm_find(const struct spd *s, const char *name);
long spd_qm_find(const struct spd *s, const char *name);
/* How many rules name this main-mode or quick-mode policy. */
size_t spd_mm_users(const struct spd *s, const char *name);
size_t spd_qm_users(const struct spd *s, const char *name);

/* Adds copies; a rule gets the next creation sequence. -1 when out of
 * memory or when it would duplicate an identity or a name (e says which). */
int spd_rule_add(struct spd *s, const struct dyn_rule *r, struct err *e);
int spd_mm_add(struct spd *s, const struct mm_policy *p, struct err *e);
int spd_qm_add(struct spd *s, const struct qm_policy *p, struct err *e);
void spd_rule_delete(struct spd *s, size_t i);
void spd_mm_delete(struct spd *s, size_t i);
void spd_qm_delete(struct spd *s, size_t i);

int spd_copy(struct spd *dst, const struct spd *src);
void spd_clear(struct spd *s); /* delete all: frees and empties */

/* The rules as the engine's input (store "dynamic", SPEC §5.3 Store 0). */
int spd_to_ruleset(const struct spd *s, struct ruleset *rs);

const char *pfs_group_name(enum pfs_group g);
int pfs_group_parse(const char *text, enum pfs_group *out);

#endif
