// SPDX-License-Identifier: MIT
/* Differential tests: on random policies (up to 5,000 filters; IPv4 and
 * IPv6, mirrored, ranges, me, server types, exemptions) and random packets,
 * the fast classifier decides exactly as the reference classifier, also
 * after random inserts and deletes. */
#include <stdio.h>

#include "engine/classify.h"
#include "engine/decide.h"
#include "gen.h"
#include "tap.h"

/* The reference over the entries still present. */
static long ref_live(const struct ftable *t, const bool *live, const struct packet *p)
{
	long best = -1;

	for (size_t i = 0; i < t->n_entries; i++)
		if (live[i] && entry_matches(&t->entries[i], p) &&
		    (best < 0 || fentry_better(&t->entries[i], (uint32_t)i, &t->entries[best],
					       (uint32_t)best)))
			best = (long)i;
	return best;
}

static int compare(const struct ftable *t, const struct fast_cls *c, const bool *live,
		   const struct host_facts *facts, size_t n_packets, const char *what)
{
	size_t bad = 0;

	for (size_t k = 0; k < n_packets; k++) {
		struct packet p;
		gen_packet(facts, &p);
		packet_mark_bcast(&p, facts);
		long want = live ? ref_live(t, live, &p) : ref_classify(t, &p);
		long got = fast_classify(c, &p);
		if (got != want && bad++ < 3) {
			char m[256] = "-";
			if (want >= 0)
				fentry_format_match(&t->entries[want], m, sizeof(m));
			printf("# %s: packet %zu: fast %ld, reference %ld (%s)\n", what, k, got, want, m);
		}
	}
	return ok(bad == 0, "%s: %zu packets, %zu mismatches", what, n_packets, bad);
}

static void one_policy(size_t n_filters, size_t n_packets)
{
	struct ruleset rs;
	struct host_facts facts;
	struct ftable t;
	struct fast_cls *c = fast_new();
	struct err e;
	char what[96];

	gen_facts(&facts);
	gen_ruleset(&rs, n_filters);
	if (!ok(ftable_compile(&rs, &facts, &t, &e) == 0, "compile %zu filters", n_filters)) {
		printf("# %s\n", e.msg);
		return;
	}
	ok(fast_build(c, &t) == 0, "build fast classifier over %zu entries", t.n_entries);
	snprintf(what, sizeof(what), "%zu filters (%zu entries, exempt=%d)", n_filters, t.n_entries,
		 rs.ipsecexempt);
	compare(&t, c, NULL, &facts, n_packets, what);

	/* Random deletes and inserts, checked as they go. */
	bool *live = calloc(t.n_entries + 1, sizeof(bool));
	size_t failures = 0;
	for (size_t i = 0; i < t.n_entries; i++)
		live[i] = true;
	for (int round = 0; round < 4 && t.n_entries; round++) {
		for (size_t k = 0; k < t.n_entries / 3 + 1; k++) {
			size_t i = rnd((uint32_t)t.n_entries);
			int rc = live[i] ? fast_delete(c, &t.entries[i], (uint32_t)i)
					 : fast_insert(c, &t.entries[i], (uint32_t)i);
			failures += rc != 0;
			live[i] = !live[i];
		}
		snprintf(what, sizeof(what), "%zu filters after update round %d", n_filters, round + 1);
		compare(&t, c, live, &facts, n_packets / 2, what);
	}
	ok(failures == 0, "every insert and delete of %zu filters succeeded", n_filters);
	/* Deleting everything leaves a classifier that matches nothing. */
	for (size_t i = 0; i < t.n_entries; i++)
		if (live[i])
			fast_delete(c, &t.entries[i], (uint32_t)i);
	struct fast_stats st;
	fast_get_stats(c, &st);
	ok(st.rules == 0 && st.tables == 0, "empty after deleting all (%zu rules, %zu tables)",
	   st.rules, st.tables);
	ok(fast_delete(c, &t.entries[0], 0) == -1 || t.n_entries == 0,
	   "deleting what is not there fails");
	free(live);
	fast_free(c);
	ftable_free(&t);
	ruleset_free(&rs);
	facts_free(&facts);
}

int main(void)
{
	static const size_t sizes[] = { 1, 5, 20, 100, 300, 1000, 5000 };

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		for (int rep = 0; rep < (sizes[i] < 1000 ? 6 : 2); rep++)
			one_policy(sizes[i], sizes[i] >= 5000 ? 1500 : 3000);
	return done_testing();
}
