// SPDX-License-Identifier: MIT
/* ipsecfwd.c - the policy agent: options, the event loop, signals and
 * systemd readiness. What each event does is in agent.c. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <systemd/sd-daemon.h>
#include <time.h>
#include <unistd.h>

#include "agent.h"
#include "backend/program.h"
#include "ike_soft.h"
#include "ike_sync.h"
#include "kernel_check.h"
#include "control.h"
#include "domain_sync.h"
#include "lifecycle.h"
#include "nflog.h"
#include "sys/safefile.h"
#include "version.h"
#include "watch.h"

/* A change is acted on BATCH_MS after its first event (the rest of its
 * netlink messages come with it), but loads are at least SETTLE_MS apart,
 * so a burst of events (an interface coming up, a netlink flood) costs a
 * few loads, not one each. */
#define BATCH_MS 3
#define SETTLE_MS 100
/* Facts are also re-read this often, for sources no watch covers. */
#define RESYNC_S 30
/* The kernel's table is checked against the program loaded at least this
 * often (nftables events tell of most changes at once); a check that must
 * read it back (the ruleset generation moved) comes never more than
 * 1/CHECK_LOAD of the time: that takes half a second for 100,000 filters.
 * The control socket is checked for too. */
#define CHECK_MS 5000
#define CHECK_LOAD 20

enum source {
	SRC_SIGNAL, SRC_NETLINK, SRC_INOTIFY, SRC_SETTLE, SRC_RESYNC, SRC_FLUSH, SRC_NFLOG, SRC_CONTROL,
	SRC_CONFIRM, SRC_NFT, SRC_CHECK, SRC_IKE, SRC_DOMAIN, SRC_DOMAIN_WATCH, SRC_SOFT
};

/* How the agent ends. */
enum ending { RUNNING, STOP, HANDOVER, FAILED };

struct loop {
	struct agent agent;
	struct watch *watch;
	struct nflog_source *nflog;
	struct control *control;
	const char *run_dir, *socket_path;
	ino_t socket_ino; /* to notice the socket deleted with the run directory */
	int epoll, sig, settle, resync, flush, check;
	int confirm; /* fires at a safe assign's deadline (wall clock) */
	int soft;    /* fires when a soft rule's fallback to clear ends (monotonic) */
	long long soft_armed;
	long long last_reconcile_ms; /* CLOCK_MONOTONIC */
	long long check_free_ms;     /* a check may read the table again from then on */
	int64_t confirm_armed;
	bool settling;
	bool kernel_changed; /* another process changed our table: check it */
	bool nft_problem;    /* joining the nftables group failed (said once) */
	int flush_interval;
	struct ike_monitor ike; /* charon's log, for negotiation failures */
	struct domain_sync *domain; /* NULL: no domain.conf */
	int domain_timer;
	unsigned domain_watch; /* the generation of the watch in the loop */
};

static void usage(FILE *out)
{
	fputs("usage: ipsecfwd [options]\n"
	      "The ipsecfw policy agent: keeps the kernel's filter table in step with the\n"
	      "stores and the host, and logs dropped packets (ipsecfwd(8)).\n"
	      "  --db PATH          the store database (default $IPSECFW_DB or " DB_DEFAULT_PATH ")\n"
	      "  --facts-root DIR   read resolv.conf, leases and wins.conf under DIR\n"
	      "  --facts FILE       host facts from FILE (the format of ipsecfw --facts)\n"
	      "                     instead of rtnetlink and those files; re-read on SIGHUP\n"
	      "  --run-dir DIR      runtime state (default $IPSECFW_RUN_DIR or " RUN_DIR_DEFAULT ")\n"
	      "  --log-dir DIR      event log directory (default $IPSECFW_LOG_DIR or " LOG_DIR_DEFAULT ")\n"
	      "  --log-max-size BYTES   rotate events.log at this size (default 8 MiB; 4 kept)\n"
	      "  --domain-conf PATH the directory to fetch the domain policy from (default\n"
	      "                     $IPSECFW_DOMAIN_CONF or " DOMAIN_CONF_DEFAULT "; none if missing)\n"
	      "  --domain-poll SECONDS  fetch it this often (default: the policy's pollinginterval)\n"
	      "  --journal, --no-journal   send events to the journal (default: under systemd)\n"
	      "  --version          print the version and exit\n",
	      out);
}

static int arm(int fd, long long first_ms, long long every_ms)
{
	struct itimerspec its = {
		.it_value = { first_ms / 1000, (first_ms % 1000) * 1000000 },
		.it_interval = { every_ms / 1000, (every_ms % 1000) * 1000000 },
	};

	return timerfd_settime(fd, 0, &its, NULL);
}

static int add_fd(struct loop *l, int fd, enum source what)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = what };

	return epoll_ctl(l->epoll, EPOLL_CTL_ADD, fd, &ev);
}

static void on_drop(void *ctx, const char *prefix, const uint8_t *packet, size_t len,
		    long long when)
{
	struct loop *l = ctx;

	agent_log_drop(&l->agent, prefix, packet, len, when);
}

/* The log interval may change with the configuration. */
static void follow_interval(struct loop *l)
{
	int every = l->agent.ipsecloginterval > 0 ? l->agent.ipsecloginterval : 3600;

	if (every != l->flush_interval) {
		l->flush_interval = every;
		arm(l->flush, every * 1000LL, every * 1000LL);
	}
}

/* Wakes the loop at the deadline of a safe assign that waits for a confirm. */
static void follow_confirm(struct loop *l)
{
	struct itimerspec its = { .it_value = { (time_t)l->agent.confirm_deadline, 0 } };

	if (l->agent.confirm_deadline == l->confirm_armed)
		return;
	if (timerfd_settime(l->confirm, TFD_TIMER_ABSTIME, &its, NULL) == 0)
		l->confirm_armed = l->agent.confirm_deadline;
}

/* Wakes the loop when the next fallback to clear ends. */
static void follow_soft(struct loop *l)
{
	long long next = ike_soft_next(&l->agent);
	struct itimerspec its = { .it_value = { (time_t)next, 0 } };

	if (next == l->soft_armed)
		return;
	if (timerfd_settime(l->soft, TFD_TIMER_ABSTIME, &its, NULL) == 0)
		l->soft_armed = next;
}

static long long monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static void reconcile(struct loop *l, bool force)
{
	agent_reconcile(&l->agent, force);
	l->last_reconcile_ms = monotonic_ms();
	/* charon may have come up (or back) since: watch its log, and give
	 * it the negotiate rules in force */
	if (l->ike.fd < 0 && ike_watch_open(&l->agent, &l->ike) == 0) {
		if (add_fd(l, l->ike.fd, SRC_IKE) < 0)
			ike_monitor_close(&l->ike);
		ike_sync(&l->agent);
	}
	follow_interval(l);
	follow_confirm(l);
	follow_soft(l);
	sd_notifyf(0, "STATUS=%s mode", fw_mode_name(l->agent.mode));
}

/* SIGTERM is a manual stop (permit mode, SPEC §6.2) unless systemd is
 * restarting the unit; SIGUSR2 hands the rules over to the next agent. */
static enum ending on_signal(struct loop *l)
{
	struct signalfd_siginfo si;

	while (read(l->sig, &si, sizeof(si)) == sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGTERM:
			return lifecycle_restarting() ? HANDOVER : STOP;
		case SIGINT:
			return STOP;
		case SIGUSR2:
			return HANDOVER;
		case SIGHUP:
			reconcile(l, true);
			break;
		case SIGUSR1:
			agent_flush_drops(&l->agent);
			break;
		}
	}
	return RUNNING;
}

static void settle_soon(struct loop *l)
{
	long long since = monotonic_ms() - l->last_reconcile_ms;
	long long wait = since >= SETTLE_MS - BATCH_MS ? BATCH_MS : SETTLE_MS - since;

	if (!l->settling && arm(l->settle, wait, 0) == 0)
		l->settling = true;
}

/* The control socket, made again when it was deleted (with the run
 * directory): the CLI's dynamic commands keep reaching the agent. */
static void keep_socket(struct loop *l)
{
	struct stat st;
	struct err e;

	if (l->control && stat(l->socket_path, &st) == 0 && st.st_ino == l->socket_ino)
		return;
	control_close(l->control);
	l->control = NULL;
	if (safe_dir(l->run_dir, &e) < 0)
		err_prefix(&e, "run directory");
	else if (control_open(&l->control, l->socket_path, agent_control_request,
			 agent_control_refused, &l->agent, &e) == 0 &&
	    (add_fd(l, control_fd(l->control), SRC_CONTROL) < 0 || stat(l->socket_path, &st) < 0)) {
		err_set(&e, "%s", strerror(errno));
		control_close(l->control);
		l->control = NULL;
	}
	if (!l->control) {
		event_write(l->agent.log, EV_REFUSED, json_pack("{s:s}", "error", e.msg),
			    "control socket %s: %s", l->socket_path, e.msg);
		return;
	}
	l->socket_ino = st.st_ino;
}

/* Compares the kernel with the program loaded, then waits CHECK_MS, or
 * CHECK_LOAD times what the check took. */
static void check_kernel(struct loop *l)
{
	long long start = monotonic_ms(), took;

	agent_check_kernel(&l->agent);
	took = monotonic_ms() - start;
	l->last_reconcile_ms = monotonic_ms();
	l->check_free_ms = l->last_reconcile_ms + took * CHECK_LOAD;
	arm(l->check, took * CHECK_LOAD > CHECK_MS ? took * CHECK_LOAD : CHECK_MS, 0);
}

/* The agent hears other processes' nftables commits only while it waits
 * (watch.h says why): it stops before work that may write the kernel, and
 * when it hears our table touched (a check follows; the rest of that
 * process's batches need not be told). */
static void deafen(struct loop *l)
{
	struct err e;

	watch_nft_hear(l->watch, false, &e); /* still hearing: only slower */
}

/* Sources whose handling never writes the kernel. */
static bool passive(enum source s)
{
	return s == SRC_NETLINK || s == SRC_INOTIFY || s == SRC_NFLOG || s == SRC_FLUSH ||
	       s == SRC_NFT || s == SRC_DOMAIN_WATCH;
}

/* Once the work is done (no settle pending), the agent hears again, then
 * compares the generation: a commit it did not make or check since, made
 * while it was deaf, gets a check, as soon as the budget of reading
 * checks allows (the commit may have been to another table). What it
 * heard before going deaf and had not read yet is read first: our table
 * touched is checked at once. */
static void hear_again(struct loop *l)
{
	long long wait;
	struct err e;

	if (watch_nft_hearing(l->watch) || l->settling)
		return;
	if (watch_nft_read(l->watch)) {
		l->kernel_changed = true;
		settle_soon(l);
		if (l->settling)
			return;
	}
	if (watch_nft_hear(l->watch, true, &e) < 0) {
		if (!l->nft_problem)
			event_write(l->agent.log, EV_POLICY_FAILED, json_pack("{s:s}", "error", e.msg),
				    "%s: the kernel table is checked periodically meanwhile",
				    e.msg);
		l->nft_problem = true;
		return;
	}
	l->nft_problem = false;
	if (kernel_check_current(&l->agent))
		return;
	wait = l->check_free_ms - monotonic_ms();
	arm(l->check, wait > BATCH_MS ? wait : BATCH_MS, 0);
}

/* A new watch of the directory joins the loop (a closed one left it
 * when its descriptor was closed). */
static void domain_watch_follow(struct loop *l)
{
	unsigned generation;
	int fd = domain_sync_watch_fd(l->domain, &generation);

	if (fd >= 0 && generation != l->domain_watch) {
		l->domain_watch = generation;
		if (add_fd(l, fd, SRC_DOMAIN_WATCH) < 0)
			event_write(l->agent.log, EV_REFUSED, json_pack("{s:s}", "error", strerror(errno)),
				    "the directory will be polled, not followed: %s", strerror(errno));
	}
}

/* One fetch from the directory; the next one after the poll interval, a
 * change the watch saw, or a retry. */
static void domain_poll(struct loop *l)
{
	int rc = domain_sync_run(l->domain, &l->agent);

	if (rc > 0)
		reconcile(l, false);
	arm(l->domain_timer, domain_sync_schedule(l->domain, &l->agent, rc), 0);
	domain_watch_follow(l);
}

static void domain_watch_read(struct loop *l)
{
	long long next = domain_sync_watch_read(l->domain, &l->agent);

	if (next >= 0)
		arm(l->domain_timer, next, 0);
}

static enum ending run(struct loop *l)
{
	struct epoll_event evs[16];
	enum ending end;
	uint64_t ticks;
	int n;

	for (;;) {
		if ((n = epoll_wait(l->epoll, evs, 16, -1)) < 0) {
			if (errno == EINTR)
				continue;
			return FAILED;
		}
		for (int i = 0; i < n; i++) {
			if (!passive((enum source)evs[i].data.u32))
				deafen(l);
			switch ((enum source)evs[i].data.u32) {
			case SRC_SIGNAL:
				if ((end = on_signal(l)) != RUNNING)
					return end;
				break;
			case SRC_NETLINK:
				if (watch_netlink_read(l->watch))
					settle_soon(l);
				break;
			case SRC_INOTIFY:
				if (watch_inotify_read(l->watch))
					settle_soon(l);
				break;
			case SRC_SETTLE:
				if (read(l->settle, &ticks, sizeof(ticks)) < 0)
					break;
				l->settling = false;
				reconcile(l, false);
				if (l->kernel_changed) {
					l->kernel_changed = false;
					check_kernel(l);
				}
				break;
			case SRC_NFT:
				if (watch_nft_read(l->watch)) {
					deafen(l);
					l->kernel_changed = true;
					settle_soon(l);
				}
				break;
			case SRC_CHECK:
				if (read(l->check, &ticks, sizeof(ticks)) > 0) {
					check_kernel(l);
					keep_socket(l);
				}
				break;
			case SRC_RESYNC:
				if (read(l->resync, &ticks, sizeof(ticks)) > 0)
					reconcile(l, false);
				break;
			case SRC_FLUSH:
				if (read(l->flush, &ticks, sizeof(ticks)) > 0)
					agent_flush_drops(&l->agent);
				break;
			case SRC_CONFIRM:
				if (read(l->confirm, &ticks, sizeof(ticks)) > 0) {
					l->confirm_armed = 0;
					reconcile(l, false);
				}
				break;
			case SRC_NFLOG:
				nflog_source_read(l->nflog);
				break;
			case SRC_CONTROL:
				if (l->control)
					control_dispatch(l->control);
				break;
			case SRC_DOMAIN:
				if (read(l->domain_timer, &ticks, sizeof(ticks)) > 0)
					domain_poll(l);
				break;
			case SRC_DOMAIN_WATCH:
				domain_watch_read(l);
				break;
			case SRC_IKE:
				if (!ike_watch_read(&l->agent, &l->ike)) {
					epoll_ctl(l->epoll, EPOLL_CTL_DEL, l->ike.fd, NULL);
					ike_monitor_close(&l->ike);
				}
				follow_soft(l);
				break;
			case SRC_SOFT:
				if (read(l->soft, &ticks, sizeof(ticks)) > 0) {
					l->soft_armed = 0;
					ike_soft_expire(&l->agent);
					follow_soft(l);
				}
				break;
			}
		}
		hear_again(l);
	}
}

static int setup(struct loop *l, struct err *e)
{
	sigset_t mask;

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGUSR1);
	sigaddset(&mask, SIGUSR2);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	if ((l->epoll = epoll_create1(EPOLL_CLOEXEC)) < 0 ||
	    (l->sig = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC)) < 0 ||
	    (l->settle = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC)) < 0 ||
	    (l->resync = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC)) < 0 ||
	    (l->flush = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC)) < 0 ||
	    (l->check = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC)) < 0 ||
	    (l->confirm = timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK | TFD_CLOEXEC)) < 0 ||
	    (l->soft = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC)) < 0)
		return err_set(e, "event loop: %s", strerror(errno));
	if (add_fd(l, l->sig, SRC_SIGNAL) < 0 || add_fd(l, l->settle, SRC_SETTLE) < 0 ||
	    add_fd(l, l->resync, SRC_RESYNC) < 0 || add_fd(l, l->flush, SRC_FLUSH) < 0 ||
	    add_fd(l, l->confirm, SRC_CONFIRM) < 0 || add_fd(l, l->check, SRC_CHECK) < 0 ||
	    add_fd(l, l->soft, SRC_SOFT) < 0 ||
	    add_fd(l, watch_nft_fd(l->watch), SRC_NFT) < 0 ||
	    add_fd(l, watch_netlink_fd(l->watch), SRC_NETLINK) < 0 ||
	    add_fd(l, watch_inotify_fd(l->watch), SRC_INOTIFY) < 0)
		return err_set(e, "event loop: %s", strerror(errno));
	arm(l->resync, RESYNC_S * 1000LL, RESYNC_S * 1000LL);
	arm(l->check, CHECK_MS, 0);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "facts-root", required_argument, NULL, 'R' },
		{ "facts", required_argument, NULL, 'F' },
		{ "run-dir", required_argument, NULL, 'r' },
		{ "log-dir", required_argument, NULL, 'l' },
		{ "log-max-size", required_argument, NULL, 'M' },
		{ "journal", no_argument, NULL, 'J' },
		{ "domain-conf", required_argument, NULL, 'D' },
		{ "domain-poll", required_argument, NULL, 'P' },
		{ "no-journal", no_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *db_path = getenv("IPSECFW_DB"), *run_dir = getenv("IPSECFW_RUN_DIR");
	const char *log_dir = getenv("IPSECFW_LOG_DIR");
	const char *domain_conf = getenv("IPSECFW_DOMAIN_CONF");
	bool domain_explicit = domain_conf && *domain_conf, domain_on = false;
	struct domain_sync domain;
	long domain_poll_s = 0;
	bool journal = getenv("INVOCATION_ID") != NULL;
	struct facts_sources facts = { 0 };
	struct event_log *log = NULL;
	struct loop l = { .epoll = -1, .ike.fd = -1 };
	long long log_max = EVENTS_MAX_BYTES;
	char sock[4200], *endp;
	enum ending end;
	struct err e;
	int opt, rc = 1;

	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'd': db_path = optarg; break;
		case 'R': facts.root = optarg; break;
		case 'F': facts.facts_file = optarg; break;
		case 'r': run_dir = optarg; break;
		case 'l': log_dir = optarg; break;
		case 'M':
			log_max = strtoll(optarg, &endp, 10);
			if (*endp || log_max < 4096) {
				fprintf(stderr, "ipsecfwd: --log-max-size: '%s' is not a size of "
						"4096 bytes or more\n", optarg);
				return 2;
			}
			break;
		case 'J': journal = true; break;
		case 'D': domain_conf = optarg; domain_explicit = true; break;
		case 'P':
			domain_poll_s = strtol(optarg, &endp, 10);
			if (*endp || domain_poll_s < 1 || domain_poll_s > 7 * 24 * 3600) {
				fprintf(stderr, "ipsecfwd: --domain-poll: '%s' is not a number of "
						"seconds from 1 to 604800\n", optarg);
				return 2;
			}
			break;
		case 'N': journal = false; break;
		case 'h': usage(stdout); return 0;
		case 'V': puts("ipsecfwd " IPSECFW_VERSION); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if (!db_path || !*db_path)
		db_path = DB_DEFAULT_PATH;
	if (!run_dir || !*run_dir)
		run_dir = RUN_DIR_DEFAULT;
	if (!log_dir || !*log_dir)
		log_dir = LOG_DIR_DEFAULT;
	if (!domain_explicit)
		domain_conf = DOMAIN_CONF_DEFAULT;
	l.domain_timer = -1;
	if (lifecycle_lock(run_dir, &e) < 0 ||
	    event_log_open(&log, log_dir, journal ? ECHO_JOURNAL : ECHO_STDERR, &e) < 0 ||
	    agent_init(&l.agent, db_path, &facts, run_dir, log, &e) < 0 ||
	    watch_open(&l.watch, db_path, facts.root ? facts.root : "", &e) < 0 ||
	    setup(&l, &e) < 0 ||
	    domain_sync_init(&domain, domain_conf, domain_explicit, (int)domain_poll_s, &domain_on,
			     &e) < 0) {
		fprintf(stderr, "ipsecfwd: %s\n", e.msg);
		sd_notifyf(0, "STATUS=%s", e.msg);
		goto out;
	}
	event_log_limit(log, log_max, EVENTS_KEEP);
	ike_soft_restore(&l.agent);
	/* SPEC §6.2: persistent first, then domain or local, then ready; and
	 * ready only once something is in force (the fail-safe state when
	 * nothing could be applied). */
	reconcile(&l, true);
	agent_fail_safe(&l.agent);
	if (!agent_in_force(&l.agent)) {
		fprintf(stderr, "ipsecfwd: neither a policy nor block mode could be put in force\n");
		goto out;
	}
	if (nflog_source_open(&l.nflog, NFLOG_GROUP, on_drop, &l, &e) < 0)
		event_write(log, EV_REFUSED, json_pack("{s:s}", "error", e.msg),
			    "dropped packets will not be logged: %s", e.msg);
	else if (add_fd(&l, nflog_source_fd(l.nflog), SRC_NFLOG) < 0)
		fprintf(stderr, "ipsecfwd: NFLOG: %s\n", strerror(errno));
	snprintf(sock, sizeof(sock), "%s/" CONTROL_SOCKET, run_dir);
	l.run_dir = run_dir;
	l.socket_path = sock;
	keep_socket(&l);
	if (!l.control)
		goto out;
	/* The cached copy is in force: now ask the directory (at once, then
	 * every poll interval). */
	if (domain_on) {
		l.domain = l.agent.domain = &domain;
		if ((l.domain_timer = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC)) < 0 ||
		    add_fd(&l, l.domain_timer, SRC_DOMAIN) < 0 || arm(l.domain_timer, 1, 0) < 0) {
			fprintf(stderr, "ipsecfwd: domain poll timer: %s\n", strerror(errno));
			goto out;
		}
	}
	hear_again(&l); /* deaf until now: the first load told nobody */
	sd_notifyf(0, "READY=1\nSTATUS=%s mode", fw_mode_name(l.agent.mode));
	end = run(&l);
	sd_notify(0, "STOPPING=1");
	if (end == FAILED) {
		fprintf(stderr, "ipsecfwd: event loop: %s\n", strerror(errno));
		goto out;
	}
	if (end == HANDOVER) {
		/* The next agent finds the same program in force and keeps it. */
		agent_flush_drops(&l.agent);
		event_write(log, EV_HANDOVER, json_object(),
			    "the agent stopped for a restart: the rules stay in force for the next one");
		rc = 0;
		goto out;
	}
	if (agent_stop(&l.agent, &e) < 0) {
		fprintf(stderr, "ipsecfwd: permit mode: %s\n", e.msg);
		goto out;
	}
	rc = 0;
out:
	if (l.domain_timer >= 0)
		close(l.domain_timer);
	if (l.domain)
		domain_sync_close(l.domain);
	control_close(l.control);
	ike_monitor_close(&l.ike);
	nflog_source_close(l.nflog);
	watch_close(l.watch);
	agent_free(&l.agent);
	event_log_close(log);
	return rc;
}
