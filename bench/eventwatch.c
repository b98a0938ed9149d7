// SPDX-License-Identifier: MIT
/* eventwatch - waits until each of many agents' event logs gets a new line
 * holding every given pattern, and prints when, as unix seconds with
 * nanoseconds. bench/fleet starts it before a directory change and so
 * learns when each host's agent applied the change (its event 4294 is
 * written right after the kernel took the new rules), from one process,
 * without polling: inotify on the logs' folders. Only lines written after
 * the start count; a log that does not exist yet is read from its start.
 *
 * usage: eventwatch TIMEOUT_MS PATTERNS FILE...
 *   PATTERNS: substrings a line must all hold, separated by '|'
 * Prints "ready" once watching, then "INDEX SECONDS" per file (INDEX from
 * 0, in the order given) as each matches, and "done N" or "timeout N"
 * (N files matched); exit 0 when all matched. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_PATTERNS 8

struct log {
	const char *path, *base;
	int wd;
	off_t offset;
	char line[8192];
	size_t len;
	bool matched;
};

static char *patterns[MAX_PATTERNS];
static int n_patterns;

static bool line_matches(const char *line)
{
	for (int i = 0; i < n_patterns; i++)
		if (!strstr(line, patterns[i]))
			return false;
	return true;
}

/* Reads what the log gained since last time; true when a whole new line
 * matched. A line longer than the buffer is cut (events are shorter). */
static bool read_new(struct log *l)
{
	char buf[65536];
	int fd = open(l->path, O_RDONLY | O_CLOEXEC);
	bool hit = false;
	ssize_t got;

	if (fd < 0)
		return false;
	while (!hit && (got = pread(fd, buf, sizeof buf, l->offset)) > 0) {
		l->offset += got;
		for (ssize_t i = 0; i < got && !hit; i++) {
			if (buf[i] != '\n') {
				if (l->len < sizeof l->line - 1)
					l->line[l->len++] = buf[i];
				continue;
			}
			l->line[l->len] = '\0';
			hit = line_matches(l->line);
			l->len = 0;
		}
	}
	close(fd);
	return hit;
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static long long mono_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: eventwatch TIMEOUT_MS PATTERNS FILE...\n");
		return 2;
	}
	long long deadline = mono_ms() + atoll(argv[1]);
	int n = argc - 3, matched = 0, in = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	struct log *logs = calloc((size_t)n, sizeof *logs);

	for (char *p = strtok(argv[2], "|"); p && n_patterns < MAX_PATTERNS; p = strtok(NULL, "|"))
		patterns[n_patterns++] = p;
	if (in < 0 || !logs) {
		perror("eventwatch");
		return 2;
	}
	for (int i = 0; i < n; i++) {
		struct log *l = &logs[i];
		char dir[PATH_MAX];
		char *slash = strrchr(argv[i + 3], '/');
		struct stat st;

		l->path = argv[i + 3];
		l->base = slash ? slash + 1 : l->path;
		snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - l->path) : 1,
			 slash ? l->path : ".");
		l->wd = inotify_add_watch(in, dir, IN_MODIFY | IN_CREATE | IN_MOVED_TO);
		if (l->wd < 0) {
			fprintf(stderr, "eventwatch: %s: %s\n", dir, strerror(errno));
			return 2;
		}
		l->offset = stat(l->path, &st) == 0 ? st.st_size : 0;
	}
	printf("ready\n");
	fflush(stdout);
	while (matched < n) {
		long long left = deadline - mono_ms();
		struct pollfd p = { .fd = in, .events = POLLIN };
		char buf[65536] __attribute__((aligned(__alignof__(struct inotify_event))));
		ssize_t got;

		if (left <= 0 || poll(&p, 1, (int)left) <= 0)
			break;
		while ((got = read(in, buf, sizeof buf)) > 0) {
			for (char *q = buf; q < buf + got;) {
				const struct inotify_event *ev = (const struct inotify_event *)q;

				q += sizeof *ev + ev->len;
				/* several logs may share a folder: each is named */
				for (int i = 0; i < n; i++) {
					struct log *l = &logs[i];

					if (l->matched || l->wd != ev->wd || !ev->len ||
					    strcmp(ev->name, l->base) != 0)
						continue;
					if (read_new(l)) {
						l->matched = true;
						matched++;
						printf("%d %.6f\n", i, now_s());
					}
				}
			}
		}
	}
	printf("%s %d\n", matched == n ? "done" : "timeout", matched);
	free(logs);
	close(in);
	return matched == n ? 0 : 1;
}
