// SPDX-License-Identifier: MIT
/* view.h - the policy in force as the queries see it: the rules loaded from
 * the stores, the host facts, the compiled FilterTable and its fast
 * classifier. */
#ifndef IPSECFW_VIEW_H
#define IPSECFW_VIEW_H

#include "engine/classify.h"
#include "engine/decide.h"
#include "engine/ftable.h"
#include "store/ruleset_load.h"
#include "sys/facts.h"

struct view {
	struct ruleset rs;
	struct ruleset_origin origin;
	struct host_facts facts;
	struct ftable table;
	struct fast_cls *fast;
};

int view_open(struct view *v, struct db *db, const struct facts_sources *src, struct err *e);
void view_close(struct view *v);

/* Decides p (setting its broadcast mark from the facts). */
void view_decide(const struct view *v, struct packet *p, struct decision *out);

/* "203.0.113.9:40000 -> 192.0.2.10:80 TCP" and friends. */
void packet_format(const struct packet *p, char *buf, size_t len);

/* The same packet as arguments of `ipsecfw test`:
 * "in tcp 198.51.100.1:40000 192.0.2.10:80". */
void packet_test_args(const struct packet *p, char *buf, size_t len);

#endif
