// SPDX-License-Identifier: MIT
/* agent.h - the policy agent's state and what it does with it: keep the
 * kernel in step with the stores and the host (SPEC §6.2, §8), and turn
 * logged drops into aggregated events (SPEC §7). The event loop lives in
 * ipsecfwd.c; this is what the loop calls. */
#ifndef IPSECFW_AGENT_H
#define IPSECFW_AGENT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "attribute.h"
#include "backend/enforce.h"
#include "dropagg.h"
#include "events.h"
#include "ike/mapping.h"
#include "model/spd.h"

struct domain_sync;

struct agent {
	const char *db_path;
	struct db *db;
	bool have_store;         /* false: missing or empty at start, db is a stand-in */
	ino_t store_ino;         /* to notice the file replaced */
	char store_problem[256]; /* what is wrong with it now, "" if nothing */
	char facts_problem[256]; /* a facts source refused now, "" if none */
	/* The facts could not be read since then (unix seconds); 0: they
	 * could at the last reconcile. */
	long long facts_unreadable_since;
	char kernel_problem[512]; /* the kernel's table cannot be checked now */
	struct facts_sources facts_src;
	struct enforce_ctx ctx;
	struct event_log *log;

	/* What the kernel was last given, to tell when to load again. */
	bool applied;
	int64_t counter;
	struct host_facts *facts;
	enum fw_mode mode;
	int ipsecdiagnostics, ipsecloginterval;

	/* The rules in force as last read, while the store's change counter
	 * stays rules_counter and the dynamic rules stay: an address change
	 * then costs no store read. */
	struct ruleset rules;
	struct ruleset_origin rules_origin;
	int64_t rules_counter;
	bool have_rules;

	/* The program last loaded: the next load's diff base, and what the
	 * kernel must still hold. */
	struct loaded_program loaded;
	/* The ruleset generation at which the kernel was last found holding
	 * the program of fingerprint checked_fp, unchanged (0: none): while
	 * the generation stays there nothing was committed, and a check needs
	 * no reading. */
	uint32_t checked_gen;
	char checked_fp[FINGERPRINT_HEX + 1];
	/* Checks the generation answered, and checks that read the table
	 * (kernel_check.c). */
	unsigned long checks_by_generation, checks_reading;

	/* The secure-mode table in force, for drop attribution. */
	struct ftable table;
	bool have_table;
	struct fast_cls *fast;
	struct host_facts *table_facts;

	struct dropagg drops;

	/* The directory's GPO and server of the domain store's policy, when
	 * the last fetch succeeded (domain_sync.c); "" when the domain store
	 * is a cached copy the directory did not confirm. */
	char directory_gpo[256];
	char directory_server[1024];
	/* The directory's follower (ipsecfwd.c sets it), NULL without a
	 * domain.conf: the control socket's status request reads it. */
	struct domain_sync *domain;

	/* What is wrong with loading charon now (ike_sync.c), "" if nothing. */
	char ike_problem[256];
	/* The digest of the configuration charon was given last, "" when it
	 * must be loaded again (never loaded, a failure, charon restarted). */
	char ike_digest[FINGERPRINT_HEX + 1];
	/* Soft rules' fallbacks to clear in force (ike_soft.c). */
	struct ike_fallback soft[64];
	size_t n_soft;

	/* A safe assign waiting for its confirm: when (unix seconds) to roll
	 * it back; 0 when none waits. */
	int64_t confirm_deadline;

	/* The dynamic SPD (SPEC §3): lost when the agent stops. */
	struct spd spd;
	long long refusal_window;
	unsigned long refusals_logged, refusals_unlogged;
};

int agent_init(struct agent *a, const char *db_path, const struct facts_sources *facts,
	       const char *run_dir, struct event_log *log, struct err *e);
void agent_free(struct agent *a);

/* Rolls back a safe assign whose deadline passed, then loads the policy in
 * force if the stores or the facts changed since the last load (always
 * when force). Failures are events; the kernel keeps
 * the last good state, or enters block mode when the persistent policy
 * cannot be applied. -1 when the stores or the facts could not be read. */
int agent_reconcile(struct agent *a, bool force);

/* Compares the kernel's table with the program last loaded (reading it
 * back only when the ruleset generation moved: kernel_check.h) and, when
 * it was changed or another program is in force, loads the policy in
 * force again. */
void agent_check_kernel(struct agent *a);

/* After the first reconcile: when nothing could be applied (no store, or
 * facts unreadable), the kernel keeps the table it holds (the startup
 * table), or enters block mode when it holds none; an event says which.
 * Either way something is in force before the agent reports ready. */
void agent_fail_safe(struct agent *a);
/* Is a policy or a fail-safe mode known to be in the kernel? */
bool agent_in_force(const struct agent *a);

/* The manual stop of SPEC §6.2: permit mode. */
int agent_stop(struct agent *a, struct err *e);

/* One NFLOG line, counted until the interval's flush. */
void agent_log_drop(struct agent *a, const char *prefix, const uint8_t *packet, size_t len,
		    long long when);

void agent_flush_drops(struct agent *a);

/* The control socket's handlers (control.h): a dynamic command, run on the
 * SPD and loaded into the kernel; a refusal, told as an event. */
void agent_control_request(void *ctx, const char *request, size_t len, char **reply);
void agent_control_refused(void *ctx, const char *why);

#endif
