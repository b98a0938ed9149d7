// SPDX-License-Identifier: MIT
/* bench_classify - ipsecfw's fast classifier against the linear reference
 * and DPDK's rte_acl, on the ClassBench sets, in one process on one core.
 * Every trace header is classified by all three and must get the same
 * answer (the same deciding entry): a mismatch fails the benchmark.
 *
 *   bench_classify [--acl-100k] [--dir DIR] [SET ...]    (SET: acl1_10k ...)
 *
 * rte_acl builds of the 100k sets take minutes and gigabytes; they run only
 * with --acl-100k. */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "classbench.h"
#include "engine/classify.h"

#ifdef HAVE_RTE_ACL
#include <rte_acl.h>
#include <rte_eal.h>
#include <rte_malloc.h>
#endif

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct result {
	const char *name;
	double lookups_per_s, build_s, bytes_per_filter, updates_per_s;
	bool ran;
};

static volatile long sink;

/* Lookups/s over the trace, repeated until at least min_s seconds. */
static double rate_fast(const struct fast_cls *c, const struct packet *p, size_t n, double min_s)
{
	size_t done = 0;
	double t0 = now(), t;
	long acc = 0;

	do {
		for (size_t i = 0; i < n; i++)
			acc += fast_classify(c, &p[i]);
		done += n;
	} while ((t = now() - t0) < min_s);
	sink = acc;
	return (double)done / t;
}

static double rate_ref(const struct ftable *tb, const struct packet *p, size_t n)
{
	size_t k = n < 2000 ? n : 2000;
	double t0 = now();
	long acc = 0;

	for (size_t i = 0; i < k; i++)
		acc += ref_classify(tb, &p[i]);
	sink = acc;
	return (double)k / (now() - t0);
}

/* Deletes and re-inserts random entries, a lookup after each update. */
static double updates_fast(struct fast_cls *c, const struct ftable *tb, const struct packet *p,
			   size_t n)
{
	size_t rounds = 20000;
	double t0 = now();
	long acc = 0;

	srand(7);
	for (size_t k = 0; k < rounds; k++) {
		uint32_t i = (uint32_t)((size_t)rand() % tb->n_entries);
		if (fast_delete(c, &tb->entries[i], i) < 0)
			return -1;
		acc += fast_classify(c, &p[k % n]);
		if (fast_insert(c, &tb->entries[i], i) < 0)
			return -1;
		acc += fast_classify(c, &p[(k + 1) % n]);
	}
	sink = acc;
	return (double)(2 * rounds) / (now() - t0);
}

/* The reference keeps a sorted array: an update is a memmove. */
static double updates_ref(const struct ftable *tb, const struct packet *p, size_t n)
{
	struct ftable copy = *tb;
	size_t rounds = 200;
	double t0 = now();
	long acc = 0;

	copy.entries = malloc(tb->n_entries * sizeof(*copy.entries));
	memcpy(copy.entries, tb->entries, tb->n_entries * sizeof(*copy.entries));
	for (size_t k = 0; k < rounds; k++) {
		size_t i = (size_t)rand() % tb->n_entries;
		struct fentry saved = copy.entries[i];
		memmove(&copy.entries[i], &copy.entries[i + 1],
			(copy.n_entries - i - 1) * sizeof(saved));
		copy.n_entries--;
		acc += ref_classify(&copy, &p[k % n]);
		memmove(&copy.entries[i + 1], &copy.entries[i], (copy.n_entries - i) * sizeof(saved));
		copy.entries[i] = saved;
		copy.n_entries++;
		acc += ref_classify(&copy, &p[(k + 1) % n]);
	}
	sink = acc;
	free(copy.entries);
	return (double)(2 * rounds) / (now() - t0);
}

#ifdef HAVE_RTE_ACL
/* DPDK's example layout: protocol, then addresses and ports, network order. */
struct acl_input {
	uint8_t proto;
	uint32_t src, dst;
	uint16_t sport, dport;
} __attribute__((packed));

enum { F_PROTO, F_SRC, F_DST, F_SPORT, F_DPORT, N_FIELDS };

RTE_ACL_RULE_DEF(acl_rule, N_FIELDS);

static const struct rte_acl_field_def acl_defs[N_FIELDS] = {
	{ RTE_ACL_FIELD_TYPE_BITMASK, 1, F_PROTO, 0, offsetof(struct acl_input, proto) },
	{ RTE_ACL_FIELD_TYPE_MASK, 4, F_SRC, 1, offsetof(struct acl_input, src) },
	{ RTE_ACL_FIELD_TYPE_MASK, 4, F_DST, 2, offsetof(struct acl_input, dst) },
	{ RTE_ACL_FIELD_TYPE_RANGE, 2, F_SPORT, 3, offsetof(struct acl_input, sport) },
	{ RTE_ACL_FIELD_TYPE_RANGE, 2, F_DPORT, 3, offsetof(struct acl_input, dport) },
};

static size_t heap_bytes(void)
{
	struct rte_malloc_socket_stats st;
	size_t total = 0;
	for (int s = 0; s < RTE_MAX_NUMA_NODES; s++)
		if (rte_malloc_get_socket_stats(s, &st) == 0)
			total += st.heap_allocsz_bytes;
	return total;
}

static uint32_t be32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static int acl_fill(struct rte_acl_ctx *ctx, const struct ftable *tb)
{
	for (size_t i = 0; i < tb->n_entries; i++) {
		const struct fentry *en = &tb->entries[i];
		struct acl_rule r;
		memset(&r, 0, sizeof(r));
		/* unique priorities: the rank under ipsecfw's key */
		r.data.priority = (int32_t)(tb->n_entries - i);
		r.data.category_mask = 1;
		r.data.userdata = (uint32_t)i + 1;
		r.field[F_PROTO].value.u8 = en->proto;
		r.field[F_PROTO].mask_range.u8 = en->proto ? 0xff : 0;
		r.field[F_SRC].value.u32 = be32(en->src);
		r.field[F_SRC].mask_range.u32 = en->src_len;
		r.field[F_DST].value.u32 = be32(en->dst);
		r.field[F_DST].mask_range.u32 = en->dst_len;
		r.field[F_SPORT].value.u16 = en->sport.lo;
		r.field[F_SPORT].mask_range.u16 = en->sport.hi;
		r.field[F_DPORT].value.u16 = en->dport.lo;
		r.field[F_DPORT].mask_range.u16 = en->dport.hi;
		if (rte_acl_add_rules(ctx, (struct rte_acl_rule *)&r, 1) != 0)
			return -1;
	}
	return 0;
}

static int acl_build(struct rte_acl_ctx *ctx)
{
	struct rte_acl_config cfg = { .num_categories = 1, .num_fields = N_FIELDS };
	memcpy(cfg.defs, acl_defs, sizeof(acl_defs));
	return rte_acl_build(ctx, &cfg);
}

static int run_acl(const char *set, const struct ftable *tb, const struct packet *p, size_t n,
		   const long *want, struct result *res)
{
	struct rte_acl_param prm = { .name = set, .socket_id = SOCKET_ID_ANY,
				     .rule_size = RTE_ACL_RULE_SZ(N_FIELDS),
				     .max_rule_num = (uint32_t)tb->n_entries + 16 };
	struct acl_input *in = malloc(n * sizeof(*in));
	const uint8_t **ptr = malloc(n * sizeof(*ptr));
	uint32_t *out = malloc(n * sizeof(*out));
	size_t before = heap_bytes(), mismatches = 0;
	struct rte_acl_ctx *ctx = rte_acl_create(&prm);
	double t0;
	int rc = -1;

	if (!ctx || !in || !ptr || !out)
		goto done;
	t0 = now();
	if (acl_fill(ctx, tb) < 0 || acl_build(ctx) != 0) {
		fprintf(stderr, "rte_acl: build failed for %s\n", set);
		goto done;
	}
	res->build_s = now() - t0;
	res->bytes_per_filter = (double)(heap_bytes() - before) / (double)tb->n_entries;
	for (size_t i = 0; i < n; i++) {
		in[i].proto = p[i].proto;
		memcpy(&in[i].src, p[i].src, 4);
		memcpy(&in[i].dst, p[i].dst, 4);
		in[i].sport = htons(p[i].sport);
		in[i].dport = htons(p[i].dport);
		ptr[i] = (const uint8_t *)&in[i];
	}
	rte_acl_classify(ctx, ptr, out, (uint32_t)n, 1);
	for (size_t i = 0; i < n; i++)
		if ((long)out[i] - 1 != want[i] && mismatches++ < 3)
			fprintf(stderr, "rte_acl: %s header %zu: %ld, reference %ld\n", set, i,
				(long)out[i] - 1, want[i]);
	if (mismatches) {
		fprintf(stderr, "rte_acl: %s: %zu mismatches\n", set, mismatches);
		goto done;
	}
	size_t done_n = 0;
	double t;
	t0 = now();
	do {
		/* batches of 64: how rte_acl is meant to be used */
		for (size_t i = 0; i < n; i += 64)
			rte_acl_classify(ctx, ptr + i, out + i, (uint32_t)(n - i < 64 ? n - i : 64), 1);
		done_n += n;
	} while ((t = now() - t0) < 0.5);
	res->lookups_per_s = (double)done_n / t;
	/* rte_acl has no incremental update: one change is a rebuild */
	if (tb->n_entries <= 20000) {
		t0 = now();
		rte_acl_reset(ctx);
		if (acl_fill(ctx, tb) < 0 || acl_build(ctx) != 0)
			goto done;
		res->updates_per_s = 1.0 / (now() - t0);
	}
	res->ran = true;
	rc = 0;
done:
	rte_acl_free(ctx);
	free(in);
	free(ptr);
	free(out);
	return rc;
}
#endif

static void print_row(const char *set, size_t filters, const struct result *r,
		      const struct result *acl)
{
	printf("%-10s %8zu  %-10s %12.0f %9.1f %10.1f %9.1f %12.0f", set, filters, r->name,
	       r->lookups_per_s, 1e9 / r->lookups_per_s, r->build_s * 1e3, r->bytes_per_filter,
	       r->updates_per_s);
	if (acl && acl->ran && r != acl)
		printf("   x%.2f lookups  x%.2f build  x%.2f mem  x%.0f updates",
		       r->lookups_per_s / acl->lookups_per_s, acl->build_s / r->build_s,
		       r->bytes_per_filter / acl->bytes_per_filter,
		       acl->updates_per_s > 0 ? r->updates_per_s / acl->updates_per_s : 0.0);
	putchar('\n');
}

static int run_set(const char *dir, const char *set, bool acl_100k)
{
	char rules_path[4096], trace_path[4096];
	struct ruleset rs = { .ipsecexempt = 3 };
	struct host_facts facts;
	struct ftable tb;
	struct packet *p;
	size_t n_rules, n;
	struct err e;
	double t0;
	struct result fast = { .name = "ipsecfw" }, ref = { .name = "linear" },
		      acl = { .name = "rte_acl" };
	int rc = 0;

	snprintf(rules_path, sizeof(rules_path), "%s/%s.rules.xz", dir, set);
	snprintf(trace_path, sizeof(trace_path), "%s/%s.trace.xz", dir, set);
	memset(&facts, 0, sizeof(facts));
	if (classbench_load_rules(rules_path, &rs, &n_rules) < 0 ||
	    classbench_load_trace(trace_path, &p, &n) < 0) {
		fprintf(stderr, "bench_classify: cannot read %s or %s\n", rules_path, trace_path);
		return -1;
	}
	t0 = now();
	if (ftable_compile(&rs, &facts, &tb, &e) < 0) {
		fprintf(stderr, "bench_classify: %s: %s\n", set, e.msg);
		return -1;
	}
	double compile_s = now() - t0;
	struct fast_cls *c = fast_new();
	t0 = now();
	if (fast_build(c, &tb) < 0)
		return -1;
	fast.build_s = now() - t0;
	struct fast_stats st;
	fast_get_stats(c, &st);
	fast.bytes_per_filter = (double)st.bytes / (double)tb.n_entries;
	ref.bytes_per_filter = (double)sizeof(struct fentry);

	/* The reference decides every header; the fast classifier must agree. */
	long *want = malloc(n * sizeof(long));
	size_t mismatches = 0;
	for (size_t i = 0; i < n; i++) {
		want[i] = ref_classify(&tb, &p[i]);
		if (fast_classify(c, &p[i]) != want[i] && mismatches++ < 3)
			fprintf(stderr, "ipsecfw: %s header %zu: %ld, reference %ld\n", set, i,
				fast_classify(c, &p[i]), want[i]);
	}
	if (mismatches) {
		fprintf(stderr, "bench_classify: %s: %zu mismatches\n", set, mismatches);
		rc = -1;
	}
	fast.lookups_per_s = rate_fast(c, p, n, 0.5);
	fast.updates_per_s = updates_fast(c, &tb, p, n);
	ref.lookups_per_s = rate_ref(&tb, p, n);
	ref.updates_per_s = updates_ref(&tb, p, n);
	fast.ran = ref.ran = true;
#ifdef HAVE_RTE_ACL
	if ((n_rules < 50000 || acl_100k) && run_acl(set, &tb, p, n, want, &acl) < 0)
		rc = -1;
#else
	(void)acl_100k;
#endif
	printf("# %s: %zu rules -> %zu entries (%zu exemptions), %zu headers, compile %.1f ms, "
	       "%zu tuples\n",
	       set, n_rules, tb.n_entries, tb.n_entries - n_rules, n, compile_s * 1e3, st.tables);
	print_row(set, n_rules, &fast, &acl);
	print_row(set, n_rules, &ref, &acl);
	if (acl.ran)
		print_row(set, n_rules, &acl, &acl);
	fflush(stdout);
	free(want);
	free(p);
	fast_free(c);
	ftable_free(&tb);
	ruleset_free(&rs);
	return rc;
}

int main(int argc, char **argv)
{
	static const char *const all[] = { "acl1_1k", "fw1_1k", "ipc1_1k", "acl1_10k", "fw1_10k",
					   "ipc1_10k", "acl1_100k", "fw1_100k", "ipc1_100k" };
	const char *dir = "../shared/bench/classbench";
	const char *sets[16];
	size_t n_sets = 0;
	bool acl_100k = false;
	int rc = 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--acl-100k") == 0)
			acl_100k = true;
		else if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc)
			dir = argv[++i];
		else if (n_sets < 16)
			sets[n_sets++] = argv[i];
	}
	if (n_sets == 0)
		for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
			sets[n_sets++] = all[i];
#ifdef HAVE_RTE_ACL
	char *eal_argv[] = { "bench_classify", "--no-huge", "--no-pci", "-l", "0", "-m", "6144",
			     "--log-level", "lib.eal:error", "--no-telemetry", "--no-shconf", NULL };
	if (rte_eal_init(11, eal_argv) < 0) {
		fprintf(stderr, "bench_classify: rte_eal_init failed\n");
		return 1;
	}
#else
	printf("# built without DPDK: no rte_acl column (make bench installs dpdk-dev)\n");
#endif
	printf("%-10s %8s  %-10s %12s %9s %10s %9s %12s   ratios to rte_acl\n", "set", "filters",
	       "classifier", "lookups/s", "ns/lookup", "build ms", "B/filter", "updates/s");
	for (size_t i = 0; i < n_sets; i++)
		if (run_set(dir, sets[i], acl_100k) < 0)
			rc = 1;
	printf(rc ? "# FAILED: classifiers disagree\n" : "# all classifiers agree on every header\n");
	return rc;
}
