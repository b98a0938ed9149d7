// SPDX-License-Identifier: MIT
/* kernel_lock.c - the loads of a namespace's table take turns (kernel_lock.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "kernel_lock.h"

static int held_fd = -1;
static unsigned depth; /* nested takes by this process */

/* Opens kernel.lock (0600 whatever the umask), or -1: ENOENT when the run
 * directory does not exist. */
static int open_lock(const char *run_dir)
{
	char path[4096];
	int fd;

	if (snprintf(path, sizeof(path), "%s/kernel.lock", run_dir) >= (int)sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd >= 0)
		fchmod(fd, 0600);
	return fd;
}

static int take(const char *run_dir, bool wait, struct err *e)
{
	struct timespec pause = { 0, 20 * 1000 * 1000 };
	int fd;

	if (depth > 0) {
		depth++;
		return 0;
	}
	if ((fd = open_lock(run_dir)) < 0) {
		/* No run directory: no agent to take turns with. A lock file that
		 * cannot be opened cannot be held by a load either (theirs fails
		 * on it too): a check may go ahead, a load says why it cannot. */
		if (errno == ENOENT || !wait) {
			depth = 1;
			return 0;
		}
		return e ? err_set(e, "%s/kernel.lock: %s", run_dir, strerror(errno)) : -1;
	}
	for (long waited = 0; flock(fd, LOCK_EX | LOCK_NB) < 0; waited += 20) {
		if (errno != EWOULDBLOCK || !wait || waited >= KERNEL_LOCK_WAIT_S * 1000L) {
			int err = errno;
			close(fd);
			if (!e)
				return -1;
			return err == EWOULDBLOCK
				       ? err_set(e, "another load of the table (%s/kernel.lock) "
						    "went on for %d s",
						 run_dir, KERNEL_LOCK_WAIT_S)
				       : err_set(e, "%s/kernel.lock: %s", run_dir, strerror(err));
		}
		nanosleep(&pause, NULL);
	}
	held_fd = fd;
	depth = 1;
	return 0;
}

int kernel_lock_take(const char *run_dir, struct err *e)
{
	return take(run_dir, true, e);
}

bool kernel_lock_try(const char *run_dir)
{
	return take(run_dir, false, NULL) == 0;
}

void kernel_lock_release(void)
{
	if (depth == 0 || --depth > 0)
		return;
	if (held_fd >= 0) {
		close(held_fd); /* releases the flock */
		held_fd = -1;
	}
}
