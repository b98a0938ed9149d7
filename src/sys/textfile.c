// SPDX-License-Identifier: MIT
/* textfile.c - whole, bounded reads of small text files (textfile.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "textfile.h"

static const char *file_kind(mode_t m)
{
	return S_ISFIFO(m) ? "a FIFO"
	       : S_ISCHR(m) ? "a character device"
	       : S_ISBLK(m) ? "a block device"
	       : S_ISSOCK(m) ? "a socket"
	       : S_ISDIR(m) ? "a directory"
			    : "an unusual file";
}

/* No NUL: every line is then a C string, and binary junk is no text. */
static int check_bytes(const char *data, size_t len, struct err *e)
{
	const char *nul = memchr(data, '\0', len);

	if (nul)
		return err_set(e, "holds a NUL byte (at byte %zu): not a text file",
			       (size_t)(nul - data));
	return 0;
}

int text_from_bytes(const void *data, size_t len, struct text *out, struct err *e)
{
	memset(out, 0, sizeof(*out));
	if (len > TEXT_FILE_MAX)
		return err_set(e, "larger than %d bytes", TEXT_FILE_MAX);
	if (check_bytes(data, len, e) < 0)
		return -1;
	if (!(out->data = malloc(len + 1)))
		return err_set(e, "out of memory");
	memcpy(out->data, data, len);
	out->data[len] = '\0';
	out->len = len;
	return 0;
}

/* Reads at most TEXT_FILE_MAX + 1 bytes: one more says "too big" even when
 * the file grows while it is read. */
static int read_bounded(int fd, size_t hint, struct text *out, struct err *e)
{
	size_t cap = (hint < 4096 ? 4096 : hint + 2), len = 0;
	char *buf = malloc(cap), *grown;
	ssize_t n;

	if (!buf)
		return err_set(e, "out of memory");
	for (;;) {
		if (len + 1 == cap) { /* one byte stays free for the NUL */
			cap = cap * 2 > TEXT_FILE_MAX + 2 ? TEXT_FILE_MAX + 2 : cap * 2;
			if (!(grown = realloc(buf, cap))) {
				free(buf);
				return err_set(e, "out of memory");
			}
			buf = grown;
		}
		if ((n = read(fd, buf + len, cap - 1 - len)) < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			free(buf);
			return err_set(e, "cannot read it: %s", strerror(errno));
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > TEXT_FILE_MAX) {
			free(buf);
			return err_set(e, "larger than %d bytes", TEXT_FILE_MAX);
		}
	}
	buf[len] = '\0';
	if (check_bytes(buf, len, e) < 0) {
		free(buf);
		return -1;
	}
	out->data = buf;
	out->len = len;
	return 0;
}

int text_file_read(const char *path, struct text *out, struct err *e)
{
	/* O_NONBLOCK: opening a FIFO with no writer must not wait; the file
	 * type is checked on the descriptor, so a symlink (resolv.conf often
	 * is one) is judged by what it points at, with no race. */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	struct stat st;
	int rc;

	memset(out, 0, sizeof(*out));
	if (fd < 0 && (errno == ENOENT || errno == ENOTDIR))
		return 0;
	if (fd < 0)
		return err_set(e, "%s: cannot open: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0)
		rc = err_set(e, "cannot stat: %s", strerror(errno));
	else if (!S_ISREG(st.st_mode))
		rc = err_set(e, "%s, not a regular file", file_kind(st.st_mode));
	else if (st.st_size > TEXT_FILE_MAX)
		rc = err_set(e, "larger than %d bytes (%lld)", TEXT_FILE_MAX, (long long)st.st_size);
	else
		rc = read_bounded(fd, (size_t)st.st_size, out, e);
	close(fd);
	if (rc < 0)
		return err_prefix(e, "%s", path);
	return 1;
}

char *text_next_line(struct text *t)
{
	char *line, *nl;

	if (!t->data || t->pos >= t->len)
		return NULL;
	line = t->data + t->pos;
	if ((nl = memchr(line, '\n', t->len - t->pos))) {
		*nl = '\0';
		t->pos = (size_t)(nl - t->data) + 1;
	} else {
		t->pos = t->len;
	}
	return line;
}

void text_free(struct text *t)
{
	free(t->data);
	memset(t, 0, sizeof(*t));
}
