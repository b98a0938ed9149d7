/* agent.c - reconcile the kernel with the stores and the host. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "agent.h"
#include "engine/classify.h"

int agent_init(struct agent *a, const char *db_path, const struct facts_sources *facts,
	       const char *run_dir, struct event_log *log, struct err *e)
{
	memset(a, 0, sizeof(*a));
	a->db_path = db_path;
	a->facts_src = *facts;
	a->log = log;
	a->mode = MODE_COUNT;
	if (!(a->facts = calloc(1, sizeof(*a->facts))) ||
	    !(a->table_facts = calloc(1, sizeof(*a->table_facts))))
		return err_set(e, "out of memory");
	if (db_open(&a->db, db_path, e) < 0)
		return -1;
	a->ctx = (struct enforce_ctx){ .db = a->db, .facts = &a->facts_src, .run_dir = run_dir };
	return 0;
}

static void drop_table(struct agent *a)
{
	if (a->have_table)
		ftable_free(&a->table);
	a->have_table = false;
	fast_free(a->fast);
	a->fast = NULL;
}

void agent_free(struct agent *a)
{
	drop_table(a);
	if (a->db)
		db_close(a->db);
	free(a->facts);
	free(a->table_facts);
}

/* Says a store problem once, until the store is well again. */
static void store_problem(struct agent *a, const char *why)
{
	if (!strcmp(a->store_problem, why))
		return;
	snprintf(a->store_problem, sizeof(a->store_problem), "%s", why);
	event_write(a->log, EV_REFUSED, json_pack("{s:s,s:s}", "store", a->db_path, "error", why),
		    "store %s refused: %s; the kernel keeps the last policy applied", a->db_path,
		    why);
}

/* Is the store file still a SQLite database? Replaced: open the new one.
 * Deleted or overwritten with something else: keep the kernel as it is.
 * Returns false when the store must not be read now. */
static bool check_store(struct agent *a)
{
	static const char magic[16] = "SQLite format 3";
	char head[16] = { 0 };
	struct stat st;
	struct db *db;
	struct err e;
	FILE *f;

	if (stat(a->db_path, &st) < 0) {
		store_problem(a, "the file is gone");
		return false;
	}
	if ((f = fopen(a->db_path, "rb"))) {
		if (fread(head, 1, sizeof(head), f) != sizeof(head))
			memset(head, 0, sizeof(head));
		fclose(f);
	}
	/* An empty file is a database SQLite has yet to write. */
	if (st.st_size > 0 && memcmp(head, magic, sizeof(magic))) {
		store_problem(a, "not a SQLite database any more");
		return false;
	}
	if (a->store_ino && st.st_ino != a->store_ino) {
		if (db_open(&db, a->db_path, &e) < 0) {
			store_problem(a, e.msg);
			return false;
		}
		db_close(a->db);
		a->db = a->ctx.db = db;
	}
	a->store_ino = st.st_ino;
	a->store_problem[0] = 0;
	return true;
}

/* Keeps the compiled table for attribution, with a classifier over it. */
static void take_table(struct agent *a, struct ftable *t, const struct host_facts *facts)
{
	drop_table(a);
	a->table = *t;
	a->have_table = true;
	*a->table_facts = *facts;
	if ((a->fast = fast_new()) && fast_build(a->fast, &a->table) < 0) {
		fast_free(a->fast);
		a->fast = NULL; /* the reference classifier answers alike, slower */
	}
}

static json_t *origin_fields(const struct enforce_report *r)
{
	return json_pack("{s:s?,s:s?,s:s,s:I,s:I}", "persistent",
			 *r->origin.persistent ? r->origin.persistent : NULL, "policy",
			 *r->origin.effective ? r->origin.effective : NULL, "store",
			 store_kind_name(r->origin.effective_store), "entries",
			 (json_int_t)r->entries, "elements", (json_int_t)r->elements);
}

static void report_mode(struct agent *a, enum fw_mode m, const struct enforce_report *r,
			const char *error)
{
	if (m == a->mode)
		return;
	a->mode = m;
	if (m == MODE_SECURE)
		event_write(a->log, EV_SECURE, origin_fields(r), "secure mode: %s%s%s%s%s",
			    *r->origin.persistent ? "persistent policy " : "", r->origin.persistent,
			    *r->origin.persistent && *r->origin.effective ? ", " : "",
			    *r->origin.effective ? r->origin.effective : "",
			    *r->origin.persistent || *r->origin.effective ? "" : "no policy assigned");
	else if (m == MODE_BLOCK)
		event_write(a->log, EV_BLOCK, json_pack("{s:s}", "error", error ? error : ""),
			    "block mode: the persistent policy could not be applied: %s",
			    error ? error : "");
	else if (m == MODE_PERMIT)
		event_write(a->log, EV_PERMIT, json_object(), "permit mode: the agent was stopped");
}

static void report_applied(struct agent *a, const struct enforce_report *r)
{
	if (!r->changed && a->applied)
		return;
	if (*r->origin.effective && r->origin.effective_store == STORE_DOMAIN)
		event_write(a->log, EV_POLICY_CACHED, origin_fields(r),
			    "applied the cached copy of domain policy '%s'", r->origin.effective);
	else
		event_write(a->log, EV_POLICY_APPLIED, origin_fields(r),
			    "applied %s%s%s: %zu filters, %s", *r->origin.effective ? "policy '" : "",
			    *r->origin.effective ? r->origin.effective : "no policy",
			    *r->origin.effective ? "'" : "", r->entries,
			    r->incremental ? "addresses updated in place" : r->changed ? "new program loaded"
										  : "unchanged");
}

void agent_reconcile(struct agent *a, bool force)
{
	struct host_facts *now = malloc(sizeof(*now));
	struct enforce_report r;
	struct ftable t;
	bool given = false;
	struct config cfg;
	int64_t counter;
	struct err e;
	int rc;

	if (!now)
		return;
	if (!check_store(a)) {
		free(now);
		return;
	}
	counter = db_change_counter(a->db);
	if (facts_read(&a->facts_src, now, &e) < 0) {
		event_write(a->log, EV_REFUSED, json_pack("{s:s}", "error", e.msg),
			    "host facts unreadable (%s); the kernel keeps the last policy", e.msg);
		free(now);
		return;
	}
	if (!force && a->applied && counter == a->counter && facts_equal(now, a->facts)) {
		free(now);
		return;
	}
	a->ctx.table_out = &t;
	a->ctx.facts_out = a->table_facts;
	a->ctx.table_given = &given;
	rc = enforce_policy(&a->ctx, FALLBACK_BLOCK, &r, &e);
	a->ctx.table_out = NULL;
	if (given)
		take_table(a, &t, a->table_facts);
	else if (r.mode != MODE_SECURE)
		drop_table(a);
	if (rc == 0) {
		report_mode(a, MODE_SECURE, &r, NULL);
		report_applied(a, &r);
	} else if (r.blocked) {
		report_mode(a, MODE_BLOCK, &r, e.msg);
	} else {
		event_write(a->log, EV_POLICY_FAILED,
			    json_pack("{s:s,s:s}", "error", e.msg, "mode", fw_mode_name(r.mode)),
			    "policy not applied: %s", e.msg);
		if (*r.warning)
			report_mode(a, MODE_SECURE, &r, NULL);
	}
	/* Mark it seen even on failure: the same inputs would fail the same
	 * way, and the next change tries again. */
	a->applied = true;
	a->counter = counter;
	*a->facts = *now;
	free(now);
	if (db_config_load(a->db, &cfg, &e) == 0) {
		a->ipsecdiagnostics = cfg.ipsecdiagnostics;
		a->ipsecloginterval = cfg.ipsecloginterval;
	}
}

int agent_stop(struct agent *a, struct err *e)
{
	struct enforce_report r;

	agent_flush_drops(a);
	if (enforce_mode(&a->ctx, MODE_PERMIT, &r, e) < 0)
		return -1;
	report_mode(a, MODE_PERMIT, &r, NULL);
	return 0;
}

bool agent_log_drop(struct agent *a, const char *prefix, const uint8_t *packet, size_t len,
		    long long when)
{
	struct attribution at = {
		.table = a->have_table ? &a->table : NULL,
		.fast = a->fast,
		.facts = a->table_facts,
	};
	struct drop d;

	if (!drop_attribute(&at, prefix, packet, len, &d))
		return false;
	/* The kernel logs what the diagnostics asked for when the table was
	 * loaded; errors (bit 0) decide whether malformed packets are told. */
	if (d.malformed && !(a->ipsecdiagnostics & 1))
		return false;
	return dropagg_add(&a->drops, &d, when);
}

void agent_flush_drops(struct agent *a)
{
	dropagg_flush(&a->drops, a->log);
}
