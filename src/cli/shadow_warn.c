// SPDX-License-Identifier: MIT
/* shadow_warn.c - compiles the policy in force (with the transaction's own
 * changes) and warns for each new filter that a better filter covers
 * everywhere: it can never decide. Only warns; never fails a command. */
#include <stdlib.h>
#include <string.h>

#include "backend/enforce.h"
#include "engine/analyze.h"
#include "shadow_warn.h"
#include "view.h"

enum { CHECK_MAX = 2000 }; /* new filters checked per transaction: O(n) each */

static int id_cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

static bool is_new(const int64_t *ids, size_t n, int64_t id)
{
	return bsearch(&id, ids, n, sizeof(*ids), id_cmp) != NULL;
}

static void warn_filter(struct session *s, const struct ftable *t, size_t i, long by)
{
	char origin[1200], cover[1200], args[256];
	struct packet p;

	ftable_filter_origin(t, t->entries[i].filter, false, origin, sizeof(origin));
	fentry_format_origin(t, &t->entries[by], cover, sizeof(cover));
	analyze_witness(&t->entries[i], &t->entries[by], &p);
	packet_test_args(&p, args, sizeof(args));
	session_warn(s, "%s is shadowed at once: %s decides every packet it matches "
			"(see: ipsecfw test %s)",
		     origin, cover, args);
}

void shadow_warn(struct session *s, const int64_t *ids, size_t n)
{
	const struct facts_sources *src = s->hook_ctx;
	struct enforce_ctx defaults = { 0 };
	struct ruleset rs = { 0 };
	struct ruleset_origin origin;
	struct host_facts *facts = calloc(1, sizeof(*facts));
	int64_t *sorted = malloc(n * sizeof(*sorted));
	struct ftable t;
	struct err e;
	size_t checked = 0;

	if (!facts || !sorted ||
	    ruleset_load_in_force(s->db, enforce_run_dir(&defaults), &rs, &origin, &e) < 0 ||
	    facts_read(src, facts, &e) < 0 || ftable_compile(&rs, facts, &t, &e) < 0)
		goto out;
	memcpy(sorted, ids, n * sizeof(*sorted));
	qsort(sorted, n, sizeof(*sorted), id_cmp);
	/* A filter is shadowed when every entry it expands to is: one pass
	 * over the entries, for the new filters only. */
	struct verdict {
		bool check, shadowed;
		long first, by;
	} *v = calloc(t.n_filters + 1, sizeof(*v));
	for (size_t f = 0; v && f < t.n_filters && checked < CHECK_MAX; f++)
		if (is_new(sorted, n, t.filters[f].f.id)) {
			v[f] = (struct verdict){ .check = true, .shadowed = true, .first = -1 };
			checked++;
		}
	for (size_t i = 0; v && i < t.n_entries; i++) {
		uint32_t f = t.entries[i].filter;
		if (f == UINT32_MAX || !v[f].check || !v[f].shadowed)
			continue;
		long cover = analyze_shadower(&t, i);
		v[f].shadowed = cover >= 0;
		if (v[f].first < 0) {
			v[f].first = (long)i;
			v[f].by = cover;
		}
	}
	for (size_t f = 0; v && f < t.n_filters; f++)
		if (v[f].check && v[f].shadowed && v[f].first >= 0)
			warn_filter(s, &t, (size_t)v[f].first, v[f].by);
	free(v);
	ftable_free(&t);
out:
	ruleset_free(&rs);
	if (facts)
		facts_free(facts);
	free(facts);
	free(sorted);
}
