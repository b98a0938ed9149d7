// SPDX-License-Identifier: MIT
/* cmd_confirm.c - safe assign on the command line. A change made with
 * confirm=SECONDS starts `ipsecfw confirm --watch` as a detached process
 * (its own session, no terminal, none of the caller's descriptors), which rolls the change back when the
 * deadline passes unconfirmed, so the rollback happens even when the
 * admin's terminal is gone. `ipsecfw confirm` keeps the change. */
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>
#include <time.h>
#include <unistd.h>

#include "agent/assign_events.h"
#include "backend/safe_assign.h"
#include "kernel_cmds.h"
#include "queries.h"

extern char **environ;

/* The watcher reads the store this often (without a write lock) until the
 * deadline; a rollback the kernel refused is tried again this many times. */
enum { WATCH_POLL_MS = 200, ROLLBACK_TRIES = 30 };

static struct event_log *open_events(void)
{
	const char *dir = getenv("IPSECFW_LOG_DIR");
	struct event_log *l = NULL;
	struct err e;

	if (event_log_open(&l, dir && *dir ? dir : LOG_DIR_DEFAULT,
			   sd_booted() > 0 ? ECHO_JOURNAL : ECHO_NONE, &e) < 0)
		return NULL;
	return l;
}

/* The name of the policy with guid in store s, "" when there is none. */
static void policy_name(struct db *db, enum store_kind s, const char *guid,
			char out[NAME_MAX_LEN])
{
	struct policy p;
	struct err e;

	out[0] = '\0';
	if (guid[0] && db_policy_find(db, s, NULL, guid, &p, &e) == 1)
		memcpy(out, p.name, NAME_MAX_LEN);
}

static void record(const struct safe_assign_result *r, const char *by)
{
	struct event_log *l = open_events();

	if (l) {
		assign_event_write(l, r, by);
		event_log_close(l);
	}
}

static int start_watcher(const struct kernel_hook *k, pid_t *pid)
{
	char *argv[12];
	int n = 0, rc;
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, defaults;

	argv[n++] = "ipsecfw";
	argv[n++] = "--db";
	argv[n++] = (char *)k->db_path;
	if (k->ctx.facts->root) {
		argv[n++] = "--facts-root";
		argv[n++] = (char *)k->ctx.facts->root;
	}
	if (k->ctx.facts->facts_file) {
		argv[n++] = "--facts";
		argv[n++] = (char *)k->ctx.facts->facts_file;
	}
	argv[n++] = "confirm";
	argv[n++] = "--watch";
	argv[n] = NULL;
	sigemptyset(&none);
	sigemptyset(&defaults);
	sigaddset(&defaults, SIGHUP);
	sigaddset(&defaults, SIGINT);
	sigaddset(&defaults, SIGPIPE);
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&at);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	/* Nothing else of the caller's either: an inherited descriptor (a
	 * pipe the caller reads to its end, as Cockpit's spawn does) would
	 * keep the caller waiting until the deadline. */
	posix_spawn_file_actions_addclosefrom_np(&fa, 3);
	posix_spawn_file_actions_addchdir_np(&fa, "/");
	/* A session of its own: the terminal's hangup never reaches it. */
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK |
					      POSIX_SPAWN_SETSIGDEF);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &defaults);
	rc = posix_spawn(pid, "/proc/self/exe", &fa, &at, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	return rc;
}

/* The session committed a change with confirm=: say what happens next and
 * start the watcher that rolls it back. */
static void after_commit(struct session *s)
{
	struct kernel_hook *k = s->commit_ctx;
	struct pending_assign p;
	char prev[NAME_MAX_LEN], what[NAME_MAX_LEN + 16];
	struct err e;
	pid_t pid;
	int rc;

	if (db_pending_get(s->db, &p, &e) != 1)
		return; /* the command that armed it was undone */
	policy_name(s->db, p.store, p.previous, prev);
	assign_describe(prev, what, sizeof(what));
	if ((rc = start_watcher(k, &pid)) != 0) {
		fprintf(s->err,
			"ipsecfw: warning: the rollback watcher did not start (%s): only a running "
			"ipsecfwd rolls this change back\n",
			strerror(rc));
		return;
	}
	if (!s->json)
		fprintf(s->err,
			"ipsecfw: run `ipsecfw confirm` within %lld s to keep this; otherwise %s "
			"is assigned again\n",
			(long long)(p.deadline - (int64_t)time(NULL)), what);
}

void confirm_hook_install(struct session *s)
{
	s->after_commit = after_commit;
}

static int watch(const struct kernel_hook *k)
{
	struct safe_assign_result r;
	struct pending_assign p;
	struct err e;
	int found, tries = 0;

	for (;;) {
		if ((found = db_pending_get(k->ctx.db, &p, &e)) <= 0)
			return found < 0 ? 1 : 0; /* confirmed, or rolled back by another */
		if ((int64_t)time(NULL) < p.deadline) {
			struct timespec ts = { 0, WATCH_POLL_MS * 1000000L };
			nanosleep(&ts, NULL);
			continue;
		}
		if (safe_assign_expire(&k->ctx, !k->off, (int64_t)time(NULL), &r, &e) == 0) {
			record(&r, "watcher");
			return 0;
		}
		if (++tries == ROLLBACK_TRIES) {
			struct event_log *l = open_events();
			if (l) {
				event_write(l, EV_POLICY_FAILED, json_pack("{s:s}", "error", e.msg),
					    "safe assign: the rollback failed %d times: %s", tries,
					    e.msg);
				event_log_close(l);
			}
			return 1;
		}
		sleep(1);
	}
}

int cmd_confirm(const struct kernel_hook *k, int argc, char **argv, bool json)
{
	struct safe_assign_result r;
	char what[NAME_MAX_LEN + 16], previous[NAME_MAX_LEN + 16];
	struct err e;

	if (argc == 1 && strcmp(argv[0], "--watch") == 0)
		return watch(k);
	if (argc != 0) {
		fprintf(stderr, "ipsecfw: want: confirm [--watch]\n");
		return 2;
	}
	if (safe_assign_confirm(&k->ctx, !k->off, (int64_t)time(NULL), &r, &e) < 0) {
		fprintf(stderr, "ipsecfw: confirm: %s\n", e.msg);
		return 1;
	}
	record(&r, "confirm");
	assign_describe(r.assigned, what, sizeof(what));
	assign_describe(r.previous, previous, sizeof(previous));
	if (json)
		json_print(json_pack("{s:s, s:s, s:s, s:s}", "state",
				     safe_assign_state_name(r.state), "store",
				     store_kind_name(r.pending.store), "policy", r.assigned,
				     "previous", r.previous));
	if (r.state == SAFE_CONFIRMED) {
		if (!json)
			printf("ipsecfw: confirmed: %s stays assigned to the %s store\n", what,
			       store_kind_name(r.pending.store));
		return 0;
	}
	fprintf(stderr, "ipsecfw: confirm: too late, the deadline passed: %s is assigned again\n",
		previous);
	return 1;
}

void pending_describe(struct db *db, json_t **json_out, FILE *out)
{
	struct pending_assign p;
	char pol[NAME_MAX_LEN], prev[NAME_MAX_LEN];
	struct err e;

	*json_out = json_null();
	if (db_pending_get(db, &p, &e) != 1)
		return;
	policy_name(db, p.store, p.policy, pol);
	policy_name(db, p.store, p.previous, prev);
	long long left = (long long)(p.deadline - (int64_t)time(NULL));
	json_decref(*json_out);
	*json_out = json_pack("{s:s, s:s, s:s, s:I}", "store", store_kind_name(p.store), "policy",
			      pol, "previous", prev, "seconds_left",
			      (json_int_t)(left > 0 ? left : 0));
	if (out) {
		char what[NAME_MAX_LEN + 16], back[NAME_MAX_LEN + 16];
		assign_describe(pol, what, sizeof(what));
		assign_describe(prev, back, sizeof(back));
		fprintf(out, "pending: %s in the %s store waits for `ipsecfw confirm`; "
			     "%s comes back in %lld s\n",
			what, store_kind_name(p.store), back, left > 0 ? left : 0);
	}
}
