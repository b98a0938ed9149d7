// SPDX-License-Identifier: MIT
/* agent.c - reconcile the kernel with the stores and the host. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "agent.h"
#include "domain_sync.h"
#include "ike_soft.h"
#include "ike_sync.h"
#include "kernel_check.h"
#include "assign_events.h"
#include "backend/kernel.h"
#include "engine/classify.h"
#include "spd_cmds.h"
#include "store/spd_file.h"

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
	/* The agent never creates the store: a missing or empty one is not
	 * "no policy". Until it appears, an empty stand-in answers for the
	 * configuration (agent_fail_safe keeps the kernel as it is). */
	if (db_open_existing(&a->db, db_path, e) == 0)
		a->have_store = true;
	else if (db_open(&a->db, ":memory:", e) < 0)
		return -1;
	a->ctx = (struct enforce_ctx){
		.db = a->db, .facts = &a->facts_src, .run_dir = run_dir, .memory = &a->loaded };
	/* A new agent starts with no dynamic rules, as on Windows: those of
	 * one that died go now (the kernel loses them at the first load). */
	spd_file_remove(run_dir);
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

static void drop_rules(struct agent *a)
{
	if (a->have_rules)
		ruleset_free(&a->rules);
	a->have_rules = false;
}

/* The rules in force at change counter `counter`, read again only when it
 * moved. A counter read before a commit and rules read after it are only
 * read once more at the next reconcile. */
static void keep_rules(struct agent *a, int64_t counter)
{
	struct err e;

	if (a->have_rules && a->rules_counter == counter)
		return;
	drop_rules(a);
	memset(&a->rules, 0, sizeof(a->rules));
	if (ruleset_load_in_force(a->db, enforce_run_dir(&a->ctx), &a->rules, &a->rules_origin,
				  &e) < 0) {
		ruleset_free(&a->rules);
		return; /* enforce reads them itself, and says what is wrong */
	}
	a->have_rules = true;
	a->rules_counter = counter;
}

void agent_free(struct agent *a)
{
	drop_table(a);
	drop_rules(a);
	spd_clear(&a->spd);
	loaded_program_free(&a->loaded);
	if (a->db)
		db_close(a->db);
	if (a->facts)
		facts_free(a->facts);
	if (a->table_facts)
		facts_free(a->table_facts);
	free(a->facts);
	free(a->table_facts);
}

/* Says a store problem once, until the store is well again (at start,
 * agent_fail_safe says it, with what the kernel keeps). */
static void store_problem(struct agent *a, const char *why)
{
	if (!strcmp(a->store_problem, why))
		return;
	snprintf(a->store_problem, sizeof(a->store_problem), "%s", why);
	if (agent_in_force(a))
		event_write(a->log, EV_REFUSED,
			    json_pack("{s:s,s:s}", "store", a->db_path, "error", why),
			    "store %s refused: %s; the kernel keeps the last policy applied",
			    a->db_path, why);
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

	if (stat(a->db_path, &st) < 0) {
		store_problem(a, a->have_store ? "the file is gone" : "there is no store");
		return false;
	}
	if (!a->have_store) {
		/* the store appeared: follow it from now on */
		if (db_open_existing(&db, a->db_path, &e) < 0) {
			store_problem(a, e.msg);
			return false;
		}
		db_close(a->db);
		a->db = a->ctx.db = db;
		a->have_store = true;
		drop_rules(a);
		a->store_ino = st.st_ino;
		a->store_problem[0] = 0;
		return true;
	}
	/* Through SQLite's own descriptor: closing a second one would drop
	 * the POSIX locks SQLite holds on the file. An empty file is a
	 * database SQLite has yet to write. */
	if (st.st_ino == a->store_ino && db_file_head(a->db, head, sizeof(head)) < 0)
		memset(head, 0, sizeof(head));
	if (st.st_size > 0 && st.st_ino == a->store_ino && memcmp(head, magic, sizeof(magic))) {
		store_problem(a, "not a SQLite database any more");
		return false;
	}
	if (a->store_ino && st.st_ino != a->store_ino) {
		if (db_open_existing(&db, a->db_path, &e) < 0) {
			store_problem(a, e.msg);
			return false;
		}
		db_close(a->db);
		a->db = a->ctx.db = db;
		drop_rules(a); /* another file: its counter says nothing */
	}
	a->store_ino = st.st_ino;
	a->store_problem[0] = 0;
	return true;
}

/* Keeps the compiled table for attribution, with a classifier over it
 * (the load left the facts it used in a->table_facts). */
static void take_table(struct agent *a, struct ftable *t)
{
	drop_table(a);
	a->table = *t;
	a->have_table = true;
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
			    "block mode: %s",
			    error ? error : "");
	else if (m == MODE_PERMIT)
		event_write(a->log, EV_PERMIT, json_object(), "permit mode: the agent was stopped");
}

static void report_applied(struct agent *a, const struct enforce_report *r)
{
	if (!r->changed && a->applied)
		return;
	if (*r->origin.effective && r->origin.effective_store == STORE_DOMAIN && *a->directory_server) {
		json_t *f = origin_fields(r);
		json_object_set_new(f, "source", json_string("directory"));
		json_object_set_new(f, "gpo", json_string(a->directory_gpo));
		json_object_set_new(f, "server", json_string(a->directory_server));
		event_write(a->log, EV_POLICY_APPLIED, f,
			    "applied directory policy '%s' (GPO '%s', %s): %zu filters",
			    r->origin.effective, a->directory_gpo, a->directory_server, r->entries);
	} else if (*r->origin.effective && r->origin.effective_store == STORE_DOMAIN)
		event_write(a->log, EV_POLICY_CACHED, origin_fields(r),
			    "applied the cached copy of domain policy '%s'", r->origin.effective);
	else
		event_write(a->log, EV_POLICY_APPLIED, origin_fields(r),
			    "applied %s%s%s: %zu filters, %s", *r->origin.effective ? "policy '" : "",
			    *r->origin.effective ? r->origin.effective : "no assigned policy",
			    *r->origin.effective ? "'" : "", r->entries,
			    r->incremental ? "addresses updated in place" : r->changed ? "new program loaded"
										  : "unchanged");
}

/* A load found the kernel's table changed outside ipsecfw. */
static void report_drift(struct agent *a, const struct enforce_report *r, bool restored)
{
	event_write(a->log, EV_KERNEL_RESTORED, json_pack("{s:s,s:b}", "mode", fw_mode_name(r->mode),
							  "restored", restored),
		    "the kernel table differed from the policy in force (changed outside "
		    "ipsecfw): %s", restored ? "restored" : "not restored");
}

/* Loads the policy in force, keeps its table, and tells what happened. */
static int apply(struct agent *a, enum enforce_fallback fb, struct err *e)
{
	struct enforce_report r;
	struct ftable t;
	bool given = false;
	int rc;

	a->ctx.table_out = &t;
	a->ctx.facts_out = a->table_facts;
	a->ctx.table_given = &given;
	rc = enforce_policy(&a->ctx, fb, &r, e);
	a->ctx.table_out = NULL;
	if (r.drift)
		report_drift(a, &r, rc == 0 || r.blocked);
	if (given)
		take_table(a, &t);
	else if (r.mode != MODE_SECURE)
		drop_table(a);
	if (rc == 0)
		ike_sync(a); /* charon, in the same reconcile as nftables */
	if (rc == 0) {
		report_mode(a, MODE_SECURE, &r, NULL);
		report_applied(a, &r);
	} else if (r.blocked) {
		report_mode(a, MODE_BLOCK, &r, e->msg);
	} else {
		event_write(a->log, EV_POLICY_FAILED,
			    json_pack("{s:s,s:s}", "error", e->msg, "mode", fw_mode_name(r.mode)),
			    "policy not applied: %s", e->msg);
		if (*r.warning)
			report_mode(a, MODE_SECURE, &r, NULL);
	}
	return rc;
}

/* apply with the rules in force at change counter `counter` (read again
 * if it moved or they were dropped), which charon is given too. */
static int apply_rules(struct agent *a, int64_t counter, enum enforce_fallback fb, struct err *e)
{
	int rc;

	keep_rules(a, counter);
	a->ctx.rules_given = a->have_rules ? &a->rules : NULL;
	a->ctx.origin_given = &a->rules_origin;
	rc = apply(a, fb, e);
	a->ctx.rules_given = NULL;
	return rc;
}

/* A facts source that was refused (resolv.conf replaced by garbage or a
 * FIFO) keeps the servers last applied of its type; said once, until it is well again. */
static void keep_refused_servers(struct agent *a, struct host_facts *now)
{
	if (!now->refused[0]) {
		a->facts_problem[0] = '\0';
		return;
	}
	for (int t = SRV_DNS; a->applied && t <= SRV_GATEWAY; t++) {
		if (!(now->refused_types & 1u << t))
			continue;
		now->n_servers[t] = a->facts->n_servers[t];
		memcpy(now->servers[t], a->facts->servers[t], sizeof(now->servers[t]));
	}
	if (strcmp(a->facts_problem, now->refused) != 0) {
		snprintf(a->facts_problem, sizeof(a->facts_problem), "%s", now->refused);
		event_write(a->log, EV_REFUSED, json_pack("{s:s}", "error", now->refused),
			    "%s; the servers read before stay in force", now->refused);
	}
}

/* A rollback the kernel refused is tried again this much later. */
enum { PENDING_RETRY_S = 5 };

/* The agent rolls back an unconfirmed safe assign too, so that it happens
 * even when the CLI's watcher was killed or the machine restarted within
 * the window. */
static void check_pending(struct agent *a)
{
	struct safe_assign_result r;
	struct pending_assign p;
	int64_t now = (int64_t)time(NULL);
	struct err e;
	/* A read first: most reconciles find nothing waiting, and need no
	 * write lock to learn it. */
	int found = db_pending_get(a->db, &p, &e);

	if (found != 1 || p.deadline > now) {
		a->confirm_deadline = found == 1 ? p.deadline : 0;
		return;
	}
	if (safe_assign_expire(&a->ctx, true, now, &r, &e) < 0) {
		event_write(a->log, EV_POLICY_FAILED, json_pack("{s:s}", "error", e.msg),
			    "safe assign: %s", e.msg);
		a->confirm_deadline = now + PENDING_RETRY_S;
		return;
	}
	assign_event_write(a->log, &r, "agent");
	a->confirm_deadline = r.state == SAFE_WAITING ? r.pending.deadline : 0;
}

/* The rules in force loaded with the facts given, or with block mode if
 * the persistent policy fails; marked seen even on failure: the same
 * inputs would fail the same way, and the next change tries again. */
static int apply_in_force(struct agent *a, const struct host_facts *facts, int64_t counter)
{
	struct err e;
	int rc;

	a->ctx.facts_given = facts;
	rc = apply_rules(a, counter, FALLBACK_BLOCK, &e);
	a->applied = true;
	a->counter = counter;
	return rc;
}

/* The host facts cannot be read: what they would tell is unknown, so fail
 * closed for it. The policy stays in force for the local addresses read
 * last; unicast to or from any other local address is dropped (SPEC §5.2:
 * `me` expands to known addresses only, and an address it misses would
 * match no me filter at all). Loaded again when the stores change. */
static int facts_unreadable(struct agent *a, bool force, int64_t counter, const char *why)
{
	bool entering = !a->facts_unreadable_since;
	int rc;

	if (!entering && !force && a->applied && counter == a->counter)
		return 0;
	if (entering)
		a->facts_unreadable_since = (long long)time(NULL);
	a->ctx.unknown_local_since = a->facts_unreadable_since;
	rc = apply_in_force(a, a->facts, counter);
	if (entering)
		event_write(a->log, EV_FACTS_UNREADABLE,
			    json_pack("{s:s,s:s,s:I,s:b}", "state", "entered", "error", why, "known",
				      (json_int_t)a->facts->n_addrs, "loaded", rc == 0),
			    "host facts unreadable (%s): %s for the %zu local addresses known, "
			    "unknown local addresses %s",
			    why, rc == 0 ? "the policy stays in force" : "the policy failed (4295)",
			    a->facts->n_addrs,
			    rc == 0 ? "are dropped" : "are not dropped: the kernel keeps what it had");
	return rc;
}

int agent_reconcile(struct agent *a, bool force)
{
	struct host_facts *now = calloc(1, sizeof(*now));
	struct config cfg;
	int64_t counter;
	struct err e;
	bool readable_again = false;

	if (!now)
		return -1;
	if (!check_store(a)) {
		free(now);
		return -1;
	}
	check_pending(a);
	counter = db_change_counter(a->db);
	if (facts_read(&a->facts_src, now, &e) < 0) {
		int rc = facts_unreadable(a, force, counter, e.msg);
		free(now);
		return rc;
	}
	if (a->facts_unreadable_since) {
		/* every local address filtered by the policy again */
		a->facts_unreadable_since = 0;
		a->ctx.unknown_local_since = 0;
		readable_again = force = true;
	}
	keep_refused_servers(a, now);
	if (!force && a->applied && counter == a->counter && facts_equal(now, a->facts)) {
		facts_free(now);
		free(now);
		return 0;
	}
	apply_in_force(a, now, counter);
	if (readable_again)
		event_write(a->log, EV_FACTS_UNREADABLE, json_pack("{s:s}", "state", "left"),
			    "host facts readable again: unknown local addresses are no longer dropped");
	facts_move(a->facts, now);
	free(now);
	/* Dynamic rules and rollbacks compile with the facts applied last. */
	a->ctx.facts_given = a->facts;
	if (db_config_load(a->db, &cfg, &e) == 0) {
		a->ipsecdiagnostics = cfg.ipsecdiagnostics;
		a->ipsecloginterval = cfg.ipsecloginterval;
	}
	return 0;
}

void agent_check_kernel(struct agent *a)
{
	struct enforce_report r;
	struct err e;

	if (kernel_check_intact(a))
		return;
	/* The CLI loads before its store transaction commits: wait for the
	 * commit, so the agent loads what the store now says rather than
	 * undo the CLI's change for a moment. */
	if (db_begin(a->db, &e) == 0)
		db_rollback(a->db);
	if (agent_reconcile(a, true) == 0)
		return;
	/* The stores or facts cannot be read: the kernel keeps the last
	 * policy applied, so put that back. */
	if (a->loaded.program.body && enforce_program(&a->ctx, &a->loaded.program, &r, &e) == 0) {
		if (r.drift)
			report_drift(a, &r, true);
	} else if (a->loaded.program.body) {
		event_write(a->log, EV_POLICY_FAILED, json_pack("{s:s}", "error", e.msg),
			    "restoring the last policy applied: %s", e.msg);
	}
}

void agent_fail_safe(struct agent *a)
{
	enum event_id id = a->have_store ? EV_STARTUP : EV_NO_STORE;
	const char *why = a->have_store ? "the policy could not be applied" : a->store_problem;
	struct kernel_table kt;
	struct enforce_report r;
	struct err e;

	if (agent_in_force(a))
		return;
	/* kernel_table_read clears kt first, so it can be freed either way */
	if (kernel_table_read(&kt, &e) == 0 && kt.exists && kt.loaded) {
		a->mode = kt.mode;
		event_write(a->log, id, json_pack("{s:s,s:s}", "mode", fw_mode_name(kt.mode), "error",
						  why),
			    "%s: the kernel keeps its %s table until the %s", why,
			    fw_mode_name(kt.mode), a->have_store ? "next change" : "store appears");
		kernel_table_free(&kt);
		return;
	}
	kernel_table_free(&kt);
	if (enforce_mode(&a->ctx, MODE_BLOCK, &r, &e) < 0) {
		event_write(a->log, EV_POLICY_FAILED, json_pack("{s:s}", "error", e.msg),
			    "block mode refused by the kernel: %s", e.msg);
		return;
	}
	a->mode = MODE_BLOCK;
	event_write(a->log, id, json_pack("{s:s,s:s}", "mode", fw_mode_name(MODE_BLOCK), "error",
					  why),
		    "%s: block mode until the %s", why,
		    a->have_store ? "next change" : "store appears");
}

bool agent_in_force(const struct agent *a)
{
	return a->mode != MODE_COUNT;
}

int agent_stop(struct agent *a, struct err *e)
{
	struct enforce_report r;

	agent_flush_drops(a);
	/* SPEC §3: dynamic rules are lost when the agent stops */
	spd_file_remove(enforce_run_dir(&a->ctx));
	spd_clear(&a->spd);
	if (enforce_mode(&a->ctx, MODE_PERMIT, &r, e) < 0)
		return -1;
	report_mode(a, MODE_PERMIT, &r, NULL);
	return 0;
}

void agent_log_drop(struct agent *a, const char *prefix, const uint8_t *packet, size_t len,
		    long long when)
{
	struct attribution at = {
		.table = a->have_table ? &a->table : NULL,
		.fast = a->fast,
		.facts = a->table_facts,
	};
	struct drop d;

	if (!drop_attribute(&at, prefix, packet, len, &d))
		return;
	/* The kernel logs what the diagnostics asked for when the table was
	 * loaded; errors (bit 0) decide whether malformed packets are told. */
	if (d.malformed && !(a->ipsecdiagnostics & 1))
		return;
	dropagg_add(&a->drops, &d, when);
}

void agent_flush_drops(struct agent *a)
{
	dropagg_flush(&a->drops, a->log);
}

/* --- the control socket: dynamic SPD commands --- */

/* "line": the index of the request's command that failed. */
/* A reply: j (consumed) on one line. */
static char *reply_line(json_t *j)
{
	char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
	char *line = NULL;

	if (text && asprintf(&line, "%s\n", text) < 0)
		line = NULL;
	free(text);
	json_decref(j);
	return line;
}

static char *reply_json(int rc, const char *out, const char *errs, const char *error, int col,
			size_t failed)
{
	return reply_line(json_pack("{s:i,s:s,s:s,s:s,s:i,s:I}", "rc", rc, "out", out ? out : "",
				    "err", errs ? errs : "", "error", error ? error : "", "col", col,
				    "line", (json_int_t)failed));
}

/* {"status": "domain"}: what the agent does with the directory (null
 * without a domain.conf); {"status": "fallbacks"}: the soft rules'
 * fallbacks to clear in force (`ipsecfw ike load` keeps them);
 * {"status": "kernel"}: how its checks of the kernel's table went;
 * another status is refused. */
static char *status_reply(struct agent *a, const char *what)
{
	if (what && strcmp(what, "fallbacks") == 0)
		return reply_line(json_pack("{s:i,s:o}", "rc", 0, "fallbacks",
					    ike_soft_json(a->soft, a->n_soft)));
	if (what && strcmp(what, "kernel") == 0)
		return reply_line(json_pack("{s:i,s:o}", "rc", 0, "kernel", kernel_check_status(a)));
	if (!what || strcmp(what, "domain") != 0) {
		agent_control_refused(a, "an unknown status request");
		return reply_json(1, NULL, NULL,
				  "unknown status request: expected \"domain\", \"fallbacks\" or "
				  "\"kernel\"", 0, 0);
	}
	return reply_line(json_pack("{s:i,s:o}", "rc", 0, "domain",
				    a->domain ? domain_sync_status(a->domain, a) : json_null()));
}

/* Runs the commands in order on one copy of the SPD; a change is loaded
 * into the kernel before it replaces the SPD, so a failing command or a
 * refused load changes nothing. *failed: the index of the failing line. */
static int run_spd_lines(struct agent *a, const char *const *lines, size_t n, bool json,
			 FILE *out, FILE *errs, int *col, size_t *failed, struct err *e)
{
	const char *run_dir = enforce_run_dir(&a->ctx);
	struct spd work;
	struct session s;
	struct spd_exec x = { .spd = &work };
	struct err ignored;
	int rc = 0;

	if (spd_copy(&work, &a->spd) < 0)
		return err_set(e, "out of memory");
	x.table = a->have_table ? &a->table : NULL;
	x.drops_logged = a->drops.total;
	x.soft = a->soft;
	x.n_soft = a->n_soft;
	session_init(&s, a->db, out, errs);
	s.ctx = CTX_DYNAMIC;
	s.dynamic_only = true; /* the socket serves the dynamic SPD, nothing else */
	s.allow_files = false;
	s.json = json;
	s.source = "ipsecfw";
	spd_exec_install(&s, &x);
	for (size_t i = 0; i < n && rc == 0; i++) {
		*failed = i;
		rc = session_line(&s, lines[i], strlen(lines[i]), col, e);
	}
	session_free(&s);
	if (rc == 0 && x.changed) {
		drop_rules(a); /* they hold the dynamic rules */
		if (spd_file_save(run_dir, &work, e) < 0 || apply_rules(a, a->counter, FALLBACK_NONE, e) < 0) {
			spd_file_save(run_dir, &a->spd, &ignored);
			rc = -1;
		} else {
			spd_clear(&a->spd);
			a->spd = work;
			return 0;
		}
	}
	spd_clear(&work);
	return rc;
}

/* The request's commands: "line" (one) or "lines" (several, applied as one
 * change: ipsecpol's dynamic mode). NULL when malformed. */
static const char **request_lines(json_t *req, size_t *n)
{
	json_t *one = json_object_get(req, "line"), *many = json_object_get(req, "lines"), *item;
	const char **lines;
	size_t i;

	if (!json_is_object(req) || (one != NULL) == (many != NULL))
		return NULL;
	if (one) {
		*n = 1;
		lines = malloc(sizeof(*lines));
		if (lines && !(lines[0] = json_string_value(one)))
			free(lines), lines = NULL;
		return lines;
	}
	*n = json_array_size(many);
	if (!json_is_array(many) || *n == 0 || !(lines = calloc(*n, sizeof(*lines))))
		return NULL;
	json_array_foreach (many, i, item)
		if (!(lines[i] = json_string_value(item))) {
			free(lines);
			return NULL;
		}
	return lines;
}

/* Why the request's commands are not run, or NULL: each must be one netsh
 * line (a line break inside would smuggle in another), and there must be
 * a store to run them with. */
static const char *not_runnable(const struct agent *a, const char *const *lines, size_t n,
				int *col, size_t *at)
{
	for (size_t i = 0; i < n; i++)
		for (const char *p = lines[i]; *p; p++)
			if ((unsigned char)*p < 0x20 && *p != '\t') {
				*col = (int)(p - lines[i]) + 1;
				*at = i;
				return "malformed request: a control character in the line";
			}
	if (!a->have_store)
		return "the agent has no store yet: the kernel keeps its table until the store "
		       "appears";
	return NULL;
}

void agent_control_request(void *ctx, const char *request, size_t len, char **reply)
{
	struct agent *a = ctx;
	json_t *req = json_loadb(request, len, 0, NULL);
	size_t n = 0, failed = 0;
	const char **lines = request_lines(req, &n);
	char *out = NULL, *errs = NULL;
	size_t out_len = 0, errs_len = 0;
	FILE *fo, *fe;
	struct err e = { "" };
	const char *why;
	int col = 0, rc;

	if (json_is_object(req) && json_object_get(req, "status")) {
		*reply = status_reply(a, json_string_value(json_object_get(req, "status")));
		free(lines);
		json_decref(req);
		return;
	}
	if (!lines) {
		agent_control_refused(a, "malformed request");
		*reply = reply_json(1, NULL, NULL,
				    "malformed request: expected {\"line\": ...} or {\"lines\": [...]}",
				    0, 0);
		json_decref(req);
		return;
	}
	if ((why = not_runnable(a, lines, n, &col, &failed))) {
		if (col)
			agent_control_refused(a, "a control character in the request line");
		*reply = reply_json(1, NULL, NULL, why, col, failed);
		free(lines);
		json_decref(req);
		return;
	}
	fo = open_memstream(&out, &out_len);
	fe = open_memstream(&errs, &errs_len);
	if (!fo || !fe) {
		*reply = reply_json(1, NULL, NULL, "out of memory", 0, 0);
	} else {
		rc = run_spd_lines(a, lines, n, json_is_true(json_object_get(req, "json")), fo, fe,
				   &col, &failed, &e);
		fclose(fo);
		fclose(fe);
		fo = fe = NULL;
		*reply = reply_json(rc < 0, out, errs, rc < 0 ? e.msg : NULL, col, failed);
	}
	if (fo)
		fclose(fo);
	if (fe)
		fclose(fe);
	free(out);
	free(errs);
	free(lines);
	json_decref(req);
}

void agent_control_refused(void *ctx, const char *why)
{
	struct agent *a = ctx;
	time_t now = time(NULL);

	/* A flood of bad clients gets ten events a minute, and a count. */
	if (now - a->refusal_window >= 60) {
		if (a->refusals_unlogged)
			event_write(a->log, EV_REFUSED, json_pack("{s:I}", "count",
				    (json_int_t)a->refusals_unlogged),
				    "%lu more control requests refused", a->refusals_unlogged);
		a->refusal_window = now;
		a->refusals_logged = 0;
		a->refusals_unlogged = 0;
	}
	if (a->refusals_logged++ < 10)
		event_write(a->log, EV_REFUSED, json_pack("{s:s}", "error", why),
			    "control request refused: %s", why);
	else
		a->refusals_unlogged++;
}
