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
#include "ike_sync.h"
#include "control.h"
#include "nflog.h"
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

enum source {
	SRC_SIGNAL, SRC_NETLINK, SRC_INOTIFY, SRC_SETTLE, SRC_RESYNC, SRC_FLUSH, SRC_NFLOG, SRC_CONTROL,
	SRC_CONFIRM, SRC_IKE
};

struct loop {
	struct agent agent;
	struct watch *watch;
	struct nflog_source *nflog;
	struct control *control;
	int epoll, sig, settle, resync, flush;
	int confirm; /* fires at a safe assign's deadline (wall clock) */
	long long last_reconcile_ms; /* CLOCK_MONOTONIC */
	int64_t confirm_armed;
	bool settling;
	int flush_interval;
	struct ike_monitor ike; /* charon's log, for negotiation failures */
};

static void usage(FILE *out)
{
	fputs("usage: ipsecfwd [options]\n"
	      "The ipsecfw policy agent: keeps the kernel's filter table in step with the\n"
	      "stores and the host, and logs dropped packets (ipsecfwd(8)).\n"
	      "  --db PATH          the store database (default $IPSECFW_DB or " DB_DEFAULT_PATH ")\n"
	      "  --facts-root DIR   read resolv.conf, leases and wins.conf under DIR\n"
	      "  --run-dir DIR      runtime state (default $IPSECFW_RUN_DIR or " RUN_DIR_DEFAULT ")\n"
	      "  --log-dir DIR      event log directory (default $IPSECFW_LOG_DIR or " LOG_DIR_DEFAULT ")\n"
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

	if (agent_log_drop(&l->agent, prefix, packet, len, when))
		agent_flush_drops(&l->agent);
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
	/* charon may have come up since: watch its log */
	if (l->ike.fd < 0 && ike_watch_open(&l->agent, &l->ike) == 0 &&
	    add_fd(l, l->ike.fd, SRC_IKE) < 0)
		ike_monitor_close(&l->ike);
	follow_interval(l);
	follow_confirm(l);
	sd_notifyf(0, "STATUS=%s mode", fw_mode_name(l->agent.mode));
}

/* Returns false when the agent should stop. */
static bool on_signal(struct loop *l)
{
	struct signalfd_siginfo si;

	while (read(l->sig, &si, sizeof(si)) == sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGTERM:
		case SIGINT:
			return false;
		case SIGHUP:
			reconcile(l, true);
			break;
		case SIGUSR1:
			agent_flush_drops(&l->agent);
			break;
		}
	}
	return true;
}

static void settle_soon(struct loop *l)
{
	long long since = monotonic_ms() - l->last_reconcile_ms;
	long long wait = since >= SETTLE_MS - BATCH_MS ? BATCH_MS : SETTLE_MS - since;

	if (!l->settling && arm(l->settle, wait, 0) == 0)
		l->settling = true;
}

static int run(struct loop *l)
{
	struct epoll_event evs[16];
	uint64_t ticks;
	int n;

	for (;;) {
		if ((n = epoll_wait(l->epoll, evs, 16, -1)) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		for (int i = 0; i < n; i++) {
			switch ((enum source)evs[i].data.u32) {
			case SRC_SIGNAL:
				if (!on_signal(l))
					return 0;
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
				control_dispatch(l->control);
				break;
			case SRC_IKE:
				if (!ike_watch_read(&l->agent, &l->ike)) {
					epoll_ctl(l->epoll, EPOLL_CTL_DEL, l->ike.fd, NULL);
					ike_monitor_close(&l->ike);
				}
				break;
			}
		}
	}
}

/* One agent per run directory. */
static int lock_run_dir(const char *dir, struct err *e)
{
	char path[4096];
	int fd;

	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return err_set(e, "%s: %s", dir, strerror(errno));
	snprintf(path, sizeof(path), "%s/agent.lock", dir);
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0)
		return err_set(e, "%s: %s", path, strerror(errno));
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		close(fd);
		return err_set(e, "another ipsecfwd runs for %s", dir);
	}
	return fd; /* held until exit */
}

static int setup(struct loop *l, struct err *e)
{
	sigset_t mask;

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGUSR1);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	if ((l->epoll = epoll_create1(EPOLL_CLOEXEC)) < 0 ||
	    (l->sig = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC)) < 0 ||
	    (l->settle = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC)) < 0 ||
	    (l->resync = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC)) < 0 ||
	    (l->flush = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC)) < 0 ||
	    (l->confirm = timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK | TFD_CLOEXEC)) < 0)
		return err_set(e, "event loop: %s", strerror(errno));
	if (add_fd(l, l->sig, SRC_SIGNAL) < 0 || add_fd(l, l->settle, SRC_SETTLE) < 0 ||
	    add_fd(l, l->resync, SRC_RESYNC) < 0 || add_fd(l, l->flush, SRC_FLUSH) < 0 ||
	    add_fd(l, l->confirm, SRC_CONFIRM) < 0 ||
	    add_fd(l, watch_netlink_fd(l->watch), SRC_NETLINK) < 0 ||
	    add_fd(l, watch_inotify_fd(l->watch), SRC_INOTIFY) < 0)
		return err_set(e, "event loop: %s", strerror(errno));
	arm(l->resync, RESYNC_S * 1000LL, RESYNC_S * 1000LL);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "facts-root", required_argument, NULL, 'R' },
		{ "run-dir", required_argument, NULL, 'r' },
		{ "log-dir", required_argument, NULL, 'l' },
		{ "journal", no_argument, NULL, 'J' },
		{ "no-journal", no_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *db_path = getenv("IPSECFW_DB"), *run_dir = getenv("IPSECFW_RUN_DIR");
	const char *log_dir = getenv("IPSECFW_LOG_DIR");
	bool journal = getenv("INVOCATION_ID") != NULL;
	struct facts_sources facts = { 0 };
	struct event_log *log = NULL;
	struct loop l = { .epoll = -1, .ike.fd = -1 };
	char sock[4200];
	struct err e;
	int opt, rc = 1;

	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'd': db_path = optarg; break;
		case 'R': facts.root = optarg; break;
		case 'r': run_dir = optarg; break;
		case 'l': log_dir = optarg; break;
		case 'J': journal = true; break;
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
	if (lock_run_dir(run_dir, &e) < 0 ||
	    event_log_open(&log, log_dir, journal ? ECHO_JOURNAL : ECHO_STDERR, &e) < 0 ||
	    agent_init(&l.agent, db_path, &facts, run_dir, log, &e) < 0 ||
	    watch_open(&l.watch, db_path, facts.root ? facts.root : "", &e) < 0 ||
	    setup(&l, &e) < 0) {
		fprintf(stderr, "ipsecfwd: %s\n", e.msg);
		sd_notifyf(0, "STATUS=%s", e.msg);
		goto out;
	}
	/* SPEC §6.2: persistent first, then domain or local, then ready. */
	reconcile(&l, true);
	if (nflog_source_open(&l.nflog, NFLOG_GROUP, on_drop, &l, &e) < 0)
		event_write(log, EV_REFUSED, json_pack("{s:s}", "error", e.msg),
			    "dropped packets will not be logged: %s", e.msg);
	else if (add_fd(&l, nflog_source_fd(l.nflog), SRC_NFLOG) < 0)
		fprintf(stderr, "ipsecfwd: NFLOG: %s\n", strerror(errno));
	snprintf(sock, sizeof(sock), "%s/" CONTROL_SOCKET, run_dir);
	if (control_open(&l.control, sock, agent_control_request, agent_control_refused, &l.agent,
			 &e) < 0 ||
	    add_fd(&l, control_fd(l.control), SRC_CONTROL) < 0) {
		fprintf(stderr, "ipsecfwd: %s\n", e.msg);
		goto out;
	}
	sd_notifyf(0, "READY=1\nSTATUS=%s mode", fw_mode_name(l.agent.mode));
	if (run(&l) < 0) {
		fprintf(stderr, "ipsecfwd: event loop: %s\n", strerror(errno));
		goto out;
	}
	sd_notify(0, "STOPPING=1");
	if (agent_stop(&l.agent, &e) < 0) {
		fprintf(stderr, "ipsecfwd: permit mode: %s\n", e.msg);
		goto out;
	}
	rc = 0;
out:
	control_close(l.control);
	ike_monitor_close(&l.ike);
	nflog_source_close(l.nflog);
	watch_close(l.watch);
	agent_free(&l.agent);
	event_log_close(log);
	return rc;
}
