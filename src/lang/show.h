// SPDX-License-Identifier: MIT
/* show.h - the `show` output of SPEC §2: every object becomes a JSON value
 * first (what `-j` prints), and the netsh list and table formats are
 * rendered from that one value, so the three views never disagree. */
#ifndef IPSECFW_SHOW_H
#define IPSECFW_SHOW_H

#include <jansson.h>
#include <stdbool.h>

#include "session.h"

enum show_format { SHOW_LIST, SHOW_TABLE };

struct show_opts {
	bool verbose;    /* level=verbose: GUIDs and IKE details */
	enum show_format format;
	bool resolvedns; /* print the DNS name an address came from */
};

/* Builders: new references, NULL on error (e says why). */
json_t *show_filter(const struct filter *f, const struct show_opts *o);
json_t *show_filterlist(struct session *s, const struct filterlist *l, const struct show_opts *o,
			struct err *e);
json_t *show_filteraction(const struct filteraction *a, const struct show_opts *o);
json_t *show_rule(struct session *s, const struct rule *r, long position,
		  const struct show_opts *o, struct err *e);
json_t *show_default_rule(const struct policy *p, const struct show_opts *o);
json_t *show_policy(struct session *s, const struct policy *p, bool with_rules,
		    const struct show_opts *o, struct err *e);
json_t *show_config(const struct config *c);

/* Prints a titled array of objects of one kind ("policy", "filterlist",
 * "filteraction", "rule", "config", "store") in the session's format and
 * steals the reference. */
void show_print(struct session *s, const char *kind, json_t *items, const struct show_opts *o);

/* Reads level=, format=, resolvedns= of a show command. */
int show_opts_read(struct bound *b, struct show_opts *o, struct err *e);

#endif
