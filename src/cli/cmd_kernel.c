// SPDX-License-Identifier: MIT
/* cmd_kernel.c - apply, boot, unload, show mode, show stats, and the commit
 * hook. */
#include <stdlib.h>
#include <string.h>

#include "agent/events.h"
#include "backend/coexist.h"
#include "agent_client.h"
#include "backend/kernel.h"
#include "directory/domainsrc.h"
#include "backend/kernel_lock.h"
#include "kernel_cmds.h"
#include "queries.h"
#include "view.h"

static void print_report(FILE *out, const struct enforce_report *r)
{
	const char *how = !r->changed ? "unchanged" : r->incremental ? "updated in place"
								     : "new program loaded";

	if (r->drift)
		fprintf(out, "ipsecfw: drift: the kernel table differed from the policy in force; "
			     "restored\n");
	if (r->mode != MODE_SECURE) {
		fprintf(out, "ipsecfw: %s mode (%s)\n", fw_mode_name(r->mode), how);
		return;
	}
	fprintf(out, "ipsecfw: secure mode: ");
	if (r->origin.persistent[0])
		fprintf(out, "persistent policy '%s'%s", r->origin.persistent,
			r->origin.effective[0] ? " + " : "");
	if (r->origin.effective[0])
		fprintf(out, "%s policy '%s'", store_kind_name(r->origin.effective_store),
			r->origin.effective);
	if (!r->origin.persistent[0] && !r->origin.effective[0])
		fprintf(out, "no policy assigned");
	fprintf(out, "; %zu specific filters, %zu map elements, at most %zu lookups a packet (%s)\n",
		r->entries, r->elements, r->tiers, how);
}

static json_t *report_json(const struct enforce_report *r)
{
	return json_pack("{s:s, s:b, s:b, s:b, s:I, s:I, s:I, s:s, s:s}", "mode",
			 fw_mode_name(r->mode), "changed", r->changed, "incremental", r->incremental,
			 "drift", r->drift, "entries",
			 (json_int_t)r->entries, "elements", (json_int_t)r->elements, "tiers",
			 (json_int_t)r->tiers, "persistent", r->origin.persistent, "policy",
			 r->origin.effective);
}

static void warn_stderr(void *ctx, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "ipsecfw: warning: %s\n", msg);
}

/* Other tables that can drop what we accept (never fatal). */
static void warn_coexistence(void)
{
	struct err e;

	if (coexist_scan(warn_stderr, NULL, &e) < 0)
		fprintf(stderr, "ipsecfw: warning: cannot read the other tables: %s\n", e.msg);
}

static int finish(const struct enforce_report *r, int rc, const struct err *e, bool json)
{
	if (json)
		json_print(report_json(r));
	else if (rc == 0 || r->changed)
		print_report(stdout, r);
	if (rc < 0)
		fprintf(stderr, "ipsecfw: %s\n", e->msg);
	else
		warn_coexistence();
	return rc < 0 ? 1 : 0;
}

int cmd_apply(const struct enforce_ctx *c, int argc, char **argv, bool json)
{
	struct enforce_report r;
	struct err e;

	if (argc == 1 && strcmp(argv[0], "--dry-run") == 0) {
		if (enforce_dry_run(c, stdout, &e) < 0) {
			fprintf(stderr, "ipsecfw: apply: %s\n", e.msg);
			return 1;
		}
		return 0;
	}
	if (argc != 0) {
		fprintf(stderr, "ipsecfw: want: apply [--dry-run]\n");
		return 2;
	}
	return finish(&r, enforce_policy(c, FALLBACK_BLOCK, &r, &e), &e, json);
}

int cmd_boot(const struct enforce_ctx *c, int argc, char **argv, bool json)
{
	struct enforce_report r = { 0 };
	struct kernel_table kt;
	bool after_boot;
	enum fw_mode m;
	struct err e;
	int rc;

	(void)argv;
	if (argc != 0) {
		fprintf(stderr, "ipsecfw: want: boot\n");
		return 2;
	}
	/* The startup table stands in for the policy until it is in force
	 * (SPEC §6.1: discarded once an operational mode begins): run again
	 * later (a restarted boot unit, a hand), it must not weaken a policy,
	 * or the block mode of one that failed. Checked and loaded in one turn
	 * (kernel_lock.h), so an agent cannot load the policy in between. */
	if (kernel_lock_take(enforce_run_dir(c), &e) < 0 || kernel_table_read(&kt, &e) < 0) {
		fprintf(stderr, "ipsecfw: boot: %s\n", e.msg);
		kernel_lock_release();
		return 1;
	}
	after_boot = kt.loaded && !fw_mode_is_boot(kt.mode);
	m = kt.mode;
	kernel_table_free(&kt);
	if (after_boot) {
		fprintf(stderr,
			"ipsecfw: boot: %s mode is in force: the startup table applies only "
			"before it; nothing changed (`ipsecfw unload` first to load it anyway)\n",
			fw_mode_name(m));
		kernel_lock_release();
		return 0;
	}
	rc = enforce_boot_mode(c, &m, &e);
	if (rc == 0)
		rc = enforce_mode(c, m, &r, &e);
	kernel_lock_release();
	return finish(&r, rc, &e, json);
}

int cmd_unload(const struct enforce_ctx *c, int argc, char **argv, bool json)
{
	bool removed;
	struct err e;

	(void)argv;
	if (argc != 0) {
		fprintf(stderr, "ipsecfw: want: unload\n");
		return 2;
	}
	/* it would load the policy again at its next change */
	if (agent_client_running(enforce_run_dir(c))) {
		fprintf(stderr, "ipsecfw: unload: the policy agent (ipsecfwd) is running: stop it "
				"first\n");
		return 1;
	}
	if (enforce_unload(c, &removed, &e) < 0) {
		fprintf(stderr, "ipsecfw: unload: %s\n", e.msg);
		return 1;
	}
	if (json)
		json_print(json_pack("{s:b}", "removed", removed));
	else if (removed)
		printf("ipsecfw: table " NFT_TABLE_FAMILY " " NFT_TABLE_NAME
		       " deleted: ipsecfw filters nothing now\n");
	else
		printf("ipsecfw: no ipsecfw table in the kernel: nothing to unload\n");
	return 0;
}

/* Since when the program in force fails closed for unknown local
 * addresses (its marker chain), or 0. */
static long long unknown_local_since(const struct kernel_table *kt)
{
	const size_t mark = strlen(UNKNOWN_LOCAL_MARK);

	for (size_t i = 0; kt->loaded && i < kt->n_objects; i++) {
		const char *name = kt->objects[i].name;
		if (!strcmp(kt->objects[i].kind, "chain") && program_slot_of(name) == kt->slot &&
		    !strncmp(name + 2, UNKNOWN_LOCAL_MARK, mark))
			return atoll(name + 2 + mark);
	}
	return 0;
}

/* Where the domain store's policy came from, when it is in force. */
static json_t *domain_describe(struct db *db, FILE *out)
{
	struct domain_source src;
	struct policy p;
	struct err e;

	if (!db || db_policy_assigned(db, STORE_DOMAIN, &p, &e) != 1)
		return NULL;
	if (domain_source_get(db, &src, &e) != 1) {
		if (out)
			fprintf(out, "domain: policy '%s' from the domain store\n", p.name);
		return json_pack("{s:s}", "policy", p.name);
	}
	if (out)
		fprintf(out, "domain: policy '%s' from the directory: GPO '%s' (%s), server %s, "
			     "fetched %s; the cached copy is used when no server answers\n",
			p.name, src.gponame, src.gpo, src.server, src.fetched);
	return json_pack("{s:s,s:s,s:s,s:s,s:s}", "policy", p.name, "gpo", src.gpo, "gponame",
			 src.gponame, "server", src.server, "fetched", src.fetched);
}

/* What the agent does with the directory (agent_client_status "domain"),
 * NULL when no agent answers or it has no domain.conf. */
static json_t *directory_describe(const struct enforce_ctx *c, FILE *out)
{
	struct err e;
	json_t *st = agent_client_status(enforce_run_dir(c), "domain", &e);
	char line[1536];

	if (st && agent_client_domain_text(st, line, sizeof line) == 1) {
		if (out)
			fprintf(out, "directory: %s\n", line);
		return st;
	}
	json_decref(st);
	return NULL;
}

int cmd_show_mode(const struct enforce_ctx *c, bool json)
{
	enum kernel_state state = KERNEL_NONE;
	struct kernel_table kt;
	json_t *pending;
	struct err e;
	char since[32] = "";

	if (kernel_table_read(&kt, &e) < 0 || (kt.loaded && enforce_check_kernel(&state, NULL, &e) < 0)) {
		fprintf(stderr, "ipsecfw: show mode: %s\n", e.msg);
		return 1;
	}
	if (unknown_local_since(&kt))
		event_time_format(unknown_local_since(&kt), since, sizeof(since));
	if (json) {
		char g[20] = "";
		if (kt.loaded)
			snprintf(g, sizeof(g), "%016llx", (unsigned long long)kt.gen);
		pending_describe(c->db, &pending, NULL);
		json_print(json_pack("{s:s, s:s, s:b, s:o, s:s?, s:o?, s:o?}", "mode",
				     kt.loaded ? fw_mode_name(kt.mode) : "none", "generation", g,
				     "drift", state == KERNEL_DRIFT, "pending", pending,
				     "facts_unreadable_since", *since ? since : NULL, "domain",
				     domain_describe(c->db, NULL), "directory",
				     directory_describe(c, NULL)));
	} else if (!kt.loaded) {
		printf("mode: none (no ipsecfw program in the kernel: nothing is filtered)\n");
	} else if (*since) {
		printf("mode: %s (facts unreadable since %s, unknown local addresses dropped; "
		       "generation %016llx)\n",
		       fw_mode_name(kt.mode), since, (unsigned long long)kt.gen);
	} else {
		printf("mode: %s (generation %016llx)\n", fw_mode_name(kt.mode),
		       (unsigned long long)kt.gen);
	}
	if (!json && state == KERNEL_DRIFT)
		printf("drift: the kernel table differs from the policy in force "
		       "(changed outside ipsecfw; `ipsecfw apply` restores it)\n");
	if (!json) {
		pending_describe(c->db, &pending, stdout);
		json_decref(pending);
		json_decref(domain_describe(c->db, stdout));
		json_decref(directory_describe(c, stdout));
	}
	kernel_table_free(&kt);
	warn_coexistence();
	return 0;
}

/* --- show stats --- */

struct filter_count {
	char key[96]; /* the element comment: "local:12", "exempt:isakmp" */
	json_int_t packets[2], bytes[2]; /* [0] in, [1] out */
};

/* The keys in the order the kernel listed them (the output's order), and a
 * hash index over them: a policy has up to ~100k keys. */
struct counts {
	struct filter_count *v;
	size_t n, cap;
	size_t *index; /* open addressing: position in v + 1, 0 free */
	size_t index_cap; /* a power of two, at least twice n */
	bool uncounted;	  /* a filter map without counters (filtercounters=0) */
};

static size_t key_hash(const char *key)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */

	for (; *key; key++)
		h = (h ^ (unsigned char)*key) * 1099511628211ULL;
	return (size_t)h;
}

static size_t *index_slot(const struct counts *c, const char *key)
{
	size_t mask = c->index_cap - 1, i = key_hash(key) & mask;

	while (c->index[i] && strcmp(c->v[c->index[i] - 1].key, key) != 0)
		i = (i + 1) & mask;
	return &c->index[i];
}

static int index_grow(struct counts *c)
{
	size_t old_cap = c->index_cap, *old = c->index;

	c->index_cap = old_cap ? 2 * old_cap : 128;
	if (!(c->index = calloc(c->index_cap, sizeof(*c->index)))) {
		c->index = old;
		c->index_cap = old_cap;
		return -1;
	}
	for (size_t i = 0; i < old_cap; i++)
		if (old[i])
			*index_slot(c, c->v[old[i] - 1].key) = old[i];
	free(old);
	return 0;
}

static struct filter_count *count_for(struct counts *c, const char *key)
{
	size_t *slot;

	if (2 * (c->n + 1) > c->index_cap && index_grow(c) < 0)
		return NULL;
	slot = index_slot(c, key);
	if (*slot)
		return &c->v[*slot - 1];
	if (c->n == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 64;
		struct filter_count *v = realloc(c->v, cap * sizeof(*v));
		if (!v)
			return NULL;
		c->v = v;
		c->cap = cap;
	}
	memset(&c->v[c->n], 0, sizeof(c->v[c->n]));
	snprintf(c->v[c->n].key, sizeof(c->v[c->n].key), "%s", key);
	*slot = c->n + 1;
	return &c->v[c->n++];
}

/* An object's name in the slot in force without the slot, or NULL. */
static const char *name_in_slot(json_t *object, char slot)
{
	const char *name = json_string_value(json_object_get(object, "name"));

	return name && program_slot_of(name) == slot ? name + 2 : NULL;
}

/* Is the map declared with `counter` (its elements count)? */
static bool map_counts(json_t *map)
{
	json_t *stmt;
	size_t i;

	json_array_foreach(json_object_get(map, "stmt"), i, stmt)
		if (json_object_get(stmt, "counter"))
			return true;
	return false;
}

static void add_map_counts(json_t *map, char slot, struct counts *c)
{
	const char *name = name_in_slot(map, slot);
	int dir = name && strncmp(name, "out", 3) == 0;
	json_t *pair;
	size_t i;

	if (!name || (strncmp(name, "in", 2) != 0 && !dir))
		return;
	if (!map_counts(map)) {
		c->uncounted = true;
		return;
	}
	json_array_foreach(json_object_get(map, "elem"), i, pair) {
		json_t *el = json_object_get(json_array_get(pair, 0), "elem");
		json_t *counter = json_object_get(el, "counter");
		const char *comment = json_string_value(json_object_get(el, "comment"));
		json_int_t packets = json_integer_value(json_object_get(counter, "packets"));
		struct filter_count *fc;
		if (!comment || packets == 0 || !(fc = count_for(c, comment)))
			continue;
		fc->packets[dir] += packets;
		fc->bytes[dir] += json_integer_value(json_object_get(counter, "bytes"));
	}
}

/* The policy's filters sorted by (store, id, position), to find a key's
 * filter by binary search; the first in position wins, as in the table. */
struct filter_order {
	const struct ftable *table;
	uint32_t *by_key; /* NULL: no view of the policy */
};

static int filter_cmp(const struct ftable *t, uint32_t a, const char *store, size_t store_len,
		      long long id)
{
	const char *a_store = t->rules[t->filters[a].rule].store_name;
	int c = strncmp(a_store, store, store_len);

	if (c == 0 && a_store[store_len])
		c = 1; /* a_store is longer: "local" < "localx" */
	if (c == 0)
		c = (t->filters[a].f.id > id) - (t->filters[a].f.id < id);
	return c;
}

static const struct ftable *sort_table; /* qsort has no context argument */

static int by_key_cmp(const void *pa, const void *pb)
{
	uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
	const struct ftable_filter *fb = &sort_table->filters[b];
	const char *b_store = sort_table->rules[fb->rule].store_name;
	int c = filter_cmp(sort_table, a, b_store, strlen(b_store), fb->f.id);

	return c ? c : (a > b) - (a < b);
}

static void filter_order_init(struct filter_order *o, const struct view *v)
{
	o->table = v ? &v->table : NULL;
	o->by_key = v ? malloc((v->table.n_filters ? v->table.n_filters : 1) * sizeof(uint32_t)) : NULL;
	if (!o->by_key)
		return;
	for (size_t i = 0; i < v->table.n_filters; i++)
		o->by_key[i] = (uint32_t)i;
	sort_table = o->table;
	qsort(o->by_key, v->table.n_filters, sizeof(uint32_t), by_key_cmp);
}

/* "local:12" as the filter's origin in the policy in force; the index of
 * its rule in the table, or -1 (an exemption, or no view of the policy). */
static long describe_key(const struct filter_order *o, const char *key, char *buf, size_t len)
{
	const char *colon = strchr(key, ':');
	long long id = colon ? atoll(colon + 1) : -1;
	size_t lo = 0, hi;

	snprintf(buf, len, "%s", key);
	if (!o->by_key || !colon || strncmp(key, "exempt:", 7) == 0)
		return -1;
	hi = o->table->n_filters;
	while (lo < hi) { /* the first not below the key */
		size_t mid = lo + (hi - lo) / 2;
		if (filter_cmp(o->table, o->by_key[mid], key, (size_t)(colon - key), id) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == o->table->n_filters ||
	    filter_cmp(o->table, o->by_key[lo], key, (size_t)(colon - key), id) != 0)
		return -1;
	ftable_filter_origin(o->table, o->by_key[lo], false, buf, len);
	return (long)o->table->filters[o->by_key[lo]].rule;
}

/* Packets and bytes per rule: the sums over its filters. */
static json_t *rule_totals(const struct view *v, const struct counts *c, const long *rule_of,
			   bool print)
{
	json_t *rules = json_array();
	struct rule_sum {
		json_int_t p[2], b[2];
		bool any;
	} *sums;

	if (!v || !(sums = calloc(v->table.n_rules ? v->table.n_rules : 1, sizeof(*sums))))
		return rules;
	for (size_t i = 0; i < c->n; i++) {
		if (rule_of[i] < 0)
			continue;
		struct rule_sum *s = &sums[rule_of[i]];
		s->any = true;
		for (int d = 0; d < 2; d++) {
			s->p[d] += c->v[i].packets[d];
			s->b[d] += c->v[i].bytes[d];
		}
	}
	if (print && !c->uncounted)
		printf("matched, per rule (in / out):\n");
	for (size_t r = 0; r < v->table.n_rules; r++) {
		const struct ruleset_rule *rr = &v->table.rules[r];
		const struct rule_sum *s = &sums[r];
		if (!s->any)
			continue;
		json_array_append_new(rules, json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:I}", "rule",
						       rr->rule, "policy", rr->policy, "store",
						       rr->store_name, "in_packets", s->p[0], "in_bytes",
						       s->b[0], "out_packets", s->p[1], "out_bytes", s->b[1]));
		if (print)
			printf("  %lld / %lld packets, %lld / %lld bytes: rule '%s' of policy '%s' (%s)\n",
			       (long long)s->p[0], (long long)s->p[1], (long long)s->b[0],
			       (long long)s->b[1], rr->rule, rr->policy, rr->store_name);
	}
	free(sums);
	return rules;
}

static void print_stats(json_t *doc, char slot, const struct view *v, bool json)
{
	struct counts c = { 0 };
	struct filter_order order;
	json_t *item, *drops = json_array(), *filters = json_array(), *rules;
	long *rule_of;
	size_t i;

	if (!json)
		printf("dropped by reason:\n");
	json_array_foreach(json_object_get(doc, "nftables"), i, item) {
		json_t *counter = json_object_get(item, "counter"), *map = json_object_get(item, "map");
		if (map)
			add_map_counts(map, slot, &c);
		if (!counter)
			continue;
		const char *name = name_in_slot(counter, slot);
		json_int_t packets = json_integer_value(json_object_get(counter, "packets"));
		json_int_t bytes = json_integer_value(json_object_get(counter, "bytes"));
		char dir[8], reason[64];
		if (!name || sscanf(name, "drop_%7[^_]_%63s", dir, reason) != 2)
			continue;
		json_array_append_new(drops, json_pack("{s:s, s:s, s:I, s:I}", "direction", dir,
						       "reason", reason, "packets", packets, "bytes",
						       bytes));
		if (!json && packets)
			printf("  %-3s %-20s %10lld packets %12lld bytes\n", dir, reason,
			       (long long)packets, (long long)bytes);
	}
	if (!json && c.uncounted)
		printf("matched, per filter and per rule: not counted (filtercounters is 0; "
		       "`ipsecfw dynamic set config property=filtercounters value=1` counts them)\n");
	else if (!json)
		printf("matched, per filter (in / out):\n");
	rule_of = calloc(c.n ? c.n : 1, sizeof(*rule_of));
	filter_order_init(&order, v);
	for (i = 0; i < c.n; i++) {
		char origin[512];
		long rule = describe_key(&order, c.v[i].key, origin, sizeof(origin));
		if (rule_of)
			rule_of[i] = rule;
		json_array_append_new(
			filters, json_pack("{s:s, s:s, s:I, s:I, s:I, s:I}", "key", c.v[i].key,
					   "filter", origin, "in_packets", c.v[i].packets[0],
					   "in_bytes", c.v[i].bytes[0], "out_packets",
					   c.v[i].packets[1], "out_bytes", c.v[i].bytes[1]));
		if (!json)
			printf("  %lld / %lld packets, %lld / %lld bytes: %s\n",
			       (long long)c.v[i].packets[0], (long long)c.v[i].packets[1],
			       (long long)c.v[i].bytes[0], (long long)c.v[i].bytes[1], origin);
	}
	rules = rule_of ? rule_totals(v, &c, rule_of, !json) : json_array();
	if (json)
		json_print(json_pack("{s:o, s:o, s:o, s:b}", "drops", drops, "filters", filters,
				     "rules", rules, "filter_counters", !c.uncounted));
	else {
		json_decref(drops);
		json_decref(filters);
		json_decref(rules);
	}
	free(order.by_key);
	free(rule_of);
	free(c.index);
	free(c.v);
}

int cmd_show_stats(const struct enforce_ctx *c, bool json)
{
	struct kernel_table kt;
	struct view v;
	struct err e;
	json_t *doc = NULL;
	bool have_view;

	if (kernel_table_read(&kt, &e) < 0 ||
	    (kt.loaded && kernel_list_json("list table " NFT_TABLE_FAMILY " " NFT_TABLE_NAME, &doc,
					   &e) < 0)) {
		kernel_table_free(&kt);
		fprintf(stderr, "ipsecfw: show stats: %s\n", e.msg);
		return 1;
	}
	if (!doc) {
		kernel_table_free(&kt);
		fprintf(stderr, "ipsecfw: show stats: no ipsecfw program in the kernel\n");
		return 1;
	}
	if (!json)
		printf("mode: %s\n", fw_mode_name(kt.mode));
	have_view = view_open(&v, c->db, c->facts, &e) == 0;
	print_stats(doc, kt.slot, have_view ? &v : NULL, json);
	kernel_table_free(&kt);
	if (have_view)
		view_close(&v);
	json_decref(doc);
	return 0;
}

/* --- the commit hook --- */

static int before_commit(struct session *s, struct err *e)
{
	struct kernel_hook *k = s->commit_ctx;
	struct enforce_report r;
	bool wanted;

	if (k->off || !db_dirty(s->db))
		return 0;
	/* held until the store committed (commit_done): an agent that read
	 * the store between this load and the commit would load the old
	 * policy over this one */
	if (kernel_lock_take(enforce_run_dir(&k->ctx), e) < 0)
		return err_prefix(e, "not applied, nothing changed");
	k->locked = true;
	if (enforce_wanted(&k->ctx, &wanted, e) < 0)
		return err_prefix(e, "kernel");
	if (!wanted)
		return 0;
	if (enforce_policy(&k->ctx, FALLBACK_NONE, &r, e) < 0)
		return err_prefix(e, "not applied, nothing changed");
	if (r.changed && !s->json)
		print_report(s->err, &r);
	return 0;
}

static void commit_done(struct session *s)
{
	struct kernel_hook *k = s->commit_ctx;

	if (k->locked)
		kernel_lock_release();
	k->locked = false;
}

/* The store kept its old state: so must the kernel. */
static void commit_failed(struct session *s)
{
	struct kernel_hook *k = s->commit_ctx;
	struct enforce_report r;
	struct err e;

	if (!k->off && enforce_policy(&k->ctx, FALLBACK_NONE, &r, &e) < 0)
		fprintf(s->err, "ipsecfw: kernel: restoring the previous policy failed: %s\n", e.msg);
}

void kernel_hook_install(struct session *s, struct kernel_hook *k, struct db *db,
			 const char *db_path, const struct facts_sources *facts)
{
	const char *env = getenv("IPSECFW_KERNEL");

	memset(k, 0, sizeof(*k));
	k->ctx.db = db;
	k->ctx.facts = facts;
	k->db_path = db_path;
	k->off = env && strcmp(env, "off") == 0;
	s->before_commit = before_commit;
	s->commit_done = commit_done;
	s->commit_failed = commit_failed;
	s->commit_ctx = k;
}
