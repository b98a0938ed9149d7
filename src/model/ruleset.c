// SPDX-License-Identifier: MIT
/* ruleset.c - building and freeing the engine's input. */
#include <stdlib.h>
#include <string.h>

#include "ruleset.h"

struct ruleset_rule *ruleset_add(struct ruleset *rs, const struct ruleset_rule *r,
				 const struct rs_filter *filters, size_t n_filters)
{
	struct ruleset_rule *rules = realloc(rs->rules, (rs->n_rules + 1) * sizeof(*rules));
	struct ruleset_rule *out;

	if (!rules)
		return NULL;
	rs->rules = rules;
	out = &rules[rs->n_rules];
	*out = *r;
	out->filters = NULL;
	out->n_filters = 0;
	if (n_filters) {
		if (!(out->filters = malloc(n_filters * sizeof(*filters))))
			return NULL;
		memcpy(out->filters, filters, n_filters * sizeof(*filters));
		out->n_filters = n_filters;
	}
	rs->n_rules++;
	return out;
}

void ruleset_free(struct ruleset *rs)
{
	for (size_t i = 0; i < rs->n_rules; i++)
		free(rs->rules[i].filters);
	free(rs->rules);
	rs->rules = NULL;
	rs->n_rules = 0;
}

void rs_filter_from(struct rs_filter *out, const struct filter *f)
{
	memset(out, 0, sizeof(*out));
	out->src = (struct rs_addr){ f->src.kind, f->src.server, f->src.ip };
	out->dst = (struct rs_addr){ f->dst.kind, f->dst.server, f->dst.ip };
	out->proto = f->proto;
	out->mirrored = f->mirrored;
	out->sport = f->sport;
	out->dport = f->dport;
	out->icmp_type = f->icmp_type;
	out->icmp_code = f->icmp_code;
	out->id = f->id;
	out->seq = f->seq;
	memcpy(out->guid, f->guid, sizeof(out->guid));
}
