// SPDX-License-Identifier: MIT
/* policy.h - the stored ("generic") policy objects of SPEC §0 and §2:
 * filters, filter lists, filter actions, rules and policies. */
#ifndef IPSECFW_POLICY_H
#define IPSECFW_POLICY_H

#include <stdbool.h>
#include <stdint.h>

#include "addr.h"
#include "err.h"
#include "proto.h"

enum {
	NAME_MAX_LEN = 256,   /* names of policies, lists, actions, rules */
	DESC_MAX_LEN = 1024,  /* descriptions */
	GUID_LEN = 39,        /* "{8-4-4-4-12}" plus NUL */
	METHODS_MAX_LEN = 1024,
	AUTH_MAX_LEN = 4096,
};

enum store_kind { STORE_LOCAL, STORE_PERSISTENT, STORE_DOMAIN, STORE_COUNT };
enum action { ACTION_PERMIT, ACTION_BLOCK, ACTION_NEGOTIATE };
enum conntype { CONN_ALL, CONN_LAN, CONN_DIALUP };

struct filter {
	int64_t id;
	char guid[GUID_LEN];
	struct addr src, dst;
	uint8_t proto;
	struct port_range sport, dport;
	int16_t icmp_type, icmp_code; /* -1 = any */
	bool mirrored;
	int64_t seq; /* creation order, the last tie-break of the weight */
	char description[DESC_MAX_LEN];
};

struct filterlist {
	int64_t id;
	char guid[GUID_LEN];
	char name[NAME_MAX_LEN];
	char description[DESC_MAX_LEN];
};

struct filteraction {
	int64_t id;
	char guid[GUID_LEN];
	char name[NAME_MAX_LEN];
	char description[DESC_MAX_LEN];
	enum action action;
	bool inpass, soft, qmpfs;
	char qmsecmethods[METHODS_MAX_LEN]; /* normalised; kept for negotiate */
};

struct rule {
	int64_t id;
	char guid[GUID_LEN];
	int64_t policy_id, filterlist_id, filteraction_id;
	char name[NAME_MAX_LEN];
	char description[DESC_MAX_LEN];
	char tunnel[ADDR_NAME_MAX]; /* "" = transport rule */
	enum conntype conntype;
	bool active;
	char auth[AUTH_MAX_LEN]; /* preference-ordered, see auth.h */
	int64_t seq;
};

/* The default response rule is one per policy (SPEC §2.6, §5.6). */
struct default_rule {
	bool active; /* = activatedefaultrule */
	bool qmpfs;
	char qmsecmethods[METHODS_MAX_LEN];
	char auth[AUTH_MAX_LEN];
};

struct policy {
	int64_t id;
	char guid[GUID_LEN];
	enum store_kind store;
	char name[NAME_MAX_LEN];
	char description[DESC_MAX_LEN];
	bool mmpfs;
	long qmpermm, mmlifetime, pollinginterval; /* minutes for the last two */
	bool assigned;
	char gponame[NAME_MAX_LEN];
	char mmsecmethods[METHODS_MAX_LEN];
	struct default_rule defrule;
	int64_t seq;
};

/* Defaults of SPEC §2 (Q14). */
void filter_init(struct filter *f);
void filteraction_init(struct filteraction *a);
void rule_init(struct rule *r);
void policy_init(struct policy *p);

/* SPEC §1.1 rule 3, §1 ports, Q16, §14 ICMP, families. */
int filter_validate(const struct filter *f, struct err *e);
/* Source and destination swapped, ports included (SPEC §2.4, F3). */
void filter_mirror(const struct filter *f, struct filter *out);
/* A canonical text of the matching fields (not description, guid, seq):
 * two filters of one list with equal keys are duplicates (SPEC §2.4). */
void filter_key(const struct filter *f, char *buf, size_t len);

const char *store_kind_name(enum store_kind s);
int store_kind_parse(const char *text, enum store_kind *out);
const char *action_name(enum action a);
int action_parse(const char *text, enum action *out);
const char *conntype_name(enum conntype c);
int conntype_parse(const char *text, enum conntype *out);

/* Copies a name or description into a fixed field, failing with "<what>
 * is too long" or with what label_check (label.h) refuses. */
int field_copy(char *dst, size_t cap, const char *text, const char *what, struct err *e);

#endif
