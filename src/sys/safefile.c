// SPDX-License-Identifier: MIT
/* safefile.c - trusted and secret files: explicit modes, no links
 * followed, nothing someone else could have written. */
#include "safefile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Could someone but us have written what st describes? */
static int check_owner(const char *path, const struct stat *st, struct err *e)
{
	if (st->st_uid != geteuid())
		return err_set(e, "%s belongs to uid %u, not to uid %u: refusing to trust it", path,
			       (unsigned)st->st_uid, (unsigned)geteuid());
	if (st->st_mode & (S_IWGRP | S_IWOTH))
		return err_set(e, "%s is writable by group or others (mode %04o): refusing to "
				  "trust it", path, (unsigned)(st->st_mode & 07777));
	return 0;
}

int safe_dir(const char *path, struct err *e)
{
	struct stat st;

	if (mkdir(path, 0700) == 0)
		return chmod(path, 0700) < 0 ? err_set(e, "%s: %s", path, strerror(errno)) : 0;
	if (errno != EEXIST)
		return err_set(e, "cannot create %s: %s", path, strerror(errno));
	if (lstat(path, &st) < 0)
		return err_set(e, "%s: %s", path, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return err_set(e, "%s is not a directory%s: refusing to use it", path,
			       S_ISLNK(st.st_mode) ? " (a symbolic link)" : "");
	return check_owner(path, &st, e);
}

/* The file behind fd is a regular one only we could have written. */
static int check_fd(const char *path, int fd, struct err *e)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return err_set(e, "%s: %s", path, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return err_set(e, "%s is not a regular file: refusing to use it", path);
	return check_owner(path, &st, e);
}

static int open_error(const char *path, struct err *e)
{
	if (errno == ELOOP)
		return err_set(e, "%s is a symbolic link: refusing to follow it", path);
	return err_set(e, "%s: %s", path, strerror(errno));
}

int safe_open_write(const char *path, int flags, struct err *e)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC | flags, 0600);

	if (fd < 0)
		return open_error(path, e);
	if (check_fd(path, fd, e) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

FILE *safe_fopen_read(const char *path, struct err *e)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	FILE *f;

	if (fd < 0) {
		int saved = errno;
		open_error(path, e);
		errno = saved;
		return NULL;
	}
	if (check_fd(path, fd, e) < 0 || !(f = fdopen(fd, "r"))) {
		close(fd);
		errno = EPERM;
		return NULL;
	}
	return f;
}

/* A new 0600 file beside path, named into tmp. */
static int temp_beside(const char *path, char *tmp, size_t len, struct err *e)
{
	int fd;

	if (snprintf(tmp, len, "%s.XXXXXX", path) >= (int)len)
		return err_set(e, "%s: the path is too long", path);
	if ((fd = mkostemp(tmp, O_CLOEXEC)) < 0)
		return err_set(e, "cannot create a file beside %s: %s", path, strerror(errno));
	if (fchmod(fd, 0600) < 0) {
		err_set(e, "%s: %s", tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		return -1;
	}
	return fd;
}

int safe_write_file(const char *path, const char *text, size_t len, struct err *e)
{
	char tmp[4200];
	size_t done = 0;
	ssize_t n = 0;
	int fd = temp_beside(path, tmp, sizeof(tmp), e);

	if (fd < 0)
		return -1;
	while (done < len && (n = write(fd, text + done, len - done)) > 0)
		done += (size_t)n;
	if (done < len || close(fd) < 0 || rename(tmp, path) < 0) {
		err_set(e, "cannot write %s: %s", path, n == 0 ? "no space" : strerror(errno));
		if (done < len)
			close(fd);
		unlink(tmp);
		return -1;
	}
	return 0;
}

int safe_tighten(const char *path, mode_t mode, struct err *e)
{
	struct stat st;
	mode_t now;

	if (stat(path, &st) < 0)
		return errno == ENOENT ? 0 : err_set(e, "%s: %s", path, strerror(errno));
	now = st.st_mode & 07777;
	if (!(now & ~mode))
		return 0;
	/* Not ours to change (another user's file): say so, and go on, as
	 * refusing would protect nothing the mode does not already expose. */
	if (chmod(path, now & mode) < 0)
		fprintf(stderr, "ipsecfw: warning: %s has mode %04o (others can read it) and "
				"cannot be made private: %s\n", path, (unsigned)now, strerror(errno));
	else
		fprintf(stderr, "ipsecfw: warning: %s had mode %04o (others could read it); "
				"now %04o\n", path, (unsigned)now, (unsigned)(now & mode));
	return 0;
}

int safe_output_open(struct safe_output *o, const char *path, bool append, struct err *e)
{
	struct stat st;
	int fd;

	memset(o, 0, sizeof(*o));
	snprintf(o->path, sizeof(o->path), "%s", path);
	o->append = append;
	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode))
		return err_set(e, "%s is a symbolic link: refusing to write through it", path);
	if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode))
		return err_set(e, "%s is not a regular file: refusing to write to it", path);
	if (append)
		fd = open(path, O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC);
	else
		fd = temp_beside(path, o->tmp, sizeof(o->tmp), e);
	if (fd < 0)
		return append ? open_error(path, e) : -1;
	if (!(o->f = fdopen(fd, append ? "a" : "w"))) {
		close(fd);
		if (!append)
			unlink(o->tmp);
		return err_set(e, "%s: %s", path, strerror(errno));
	}
	return 0;
}

int safe_output_close(struct safe_output *o, bool ok, struct err *e)
{
	int rc = 0;

	if (!o->f)
		return 0;
	if (fclose(o->f) != 0 && ok)
		rc = err_set(e, "cannot write %s: %s", o->path, strerror(errno));
	o->f = NULL;
	if (!o->append && (rc < 0 || !ok || rename(o->tmp, o->path) < 0)) {
		if (ok && rc == 0)
			rc = err_set(e, "cannot write %s: %s", o->path, strerror(errno));
		unlink(o->tmp);
	}
	return ok ? rc : -1;
}
