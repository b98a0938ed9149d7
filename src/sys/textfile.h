// SPDX-License-Identifier: MIT
/* textfile.h - a small text file from outside (resolv.conf, a lease, a
 * facts file) read whole, safely: only a regular file (a FIFO or a device
 * such as /dev/zero would block or never end), at most TEXT_FILE_MAX bytes,
 * no NUL byte; then handed out line by line, each whole whatever its
 * length. */
#ifndef IPSECFW_TEXTFILE_H
#define IPSECFW_TEXTFILE_H

#include <stddef.h>

#include "model/err.h"

enum { TEXT_FILE_MAX = 1 << 20 }; /* 1 MiB: far above any real file of these kinds */

struct text {
	char *data; /* len bytes and a NUL; lines are cut in place */
	size_t len, pos;
};

/* 1: read; 0: there is no such file (ENOENT, ENOTDIR); -1: refused or
 * unreadable, the reason in e (the path first, never the contents). */
int text_file_read(const char *path, struct text *out, struct err *e);

/* The same checks on bytes already in memory (the fuzz targets). */
int text_from_bytes(const void *data, size_t len, struct text *out, struct err *e);

/* The next line without its '\n' (a '\r' before it stays), NUL-ended, or
 * NULL at the end. Lines are cut in place: one pass per text. */
char *text_next_line(struct text *t);

void text_free(struct text *t);

#endif
