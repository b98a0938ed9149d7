// SPDX-License-Identifier: MIT
/* safefile.h - files ipsecfw trusts or writes secrets to: created with
 * explicit modes whatever the umask (folders 0700, files 0600), never
 * through a symbolic link, and refused when someone else could have
 * written them (owned by another user, or writable by group or others). */
#ifndef IPSECFW_SAFEFILE_H
#define IPSECFW_SAFEFILE_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include "model/err.h"

/* A directory ipsecfw keeps trusted files in (the run and log folders):
 * created 0700 when missing (its parent must exist); an existing one must
 * be a real directory owned by us and writable by us alone. */
int safe_dir(const char *path, struct err *e);

/* Opens path for writing (O_APPEND or O_TRUNC in flags), created 0600
 * when missing; an existing one must be a regular file owned by us and
 * writable by us alone. Never follows a symbolic link. Returns the
 * descriptor (close-on-exec) or -1. */
int safe_open_write(const char *path, int flags, struct err *e);

/* Opens a trusted file for reading (NULL and errno ENOENT when missing):
 * one someone else could have written is refused, with e saying so. */
FILE *safe_fopen_read(const char *path, struct err *e);

/* Writes text to path whole: to a new 0600 file beside it, then renamed
 * over it, so a reader never sees half of it and a link at path is
 * replaced, not followed. */
int safe_write_file(const char *path, const char *text, size_t len, struct err *e);

/* Lowers path's permissions to at most mode (0700 or 0600), saying so on
 * stderr when it had more (or could not be lowered); a missing path is
 * fine. -1 only when path cannot be examined. */
int safe_tighten(const char *path, mode_t mode, struct err *e);

/* A file the user asked for (exportpolicy file=, log export -o): written
 * beside its target and renamed over it at the end, or appended to; a
 * target that is a symbolic link or not a regular file is refused. */
struct safe_output {
	FILE *f;
	char path[4096], tmp[4200];
	bool append;
};
int safe_output_open(struct safe_output *o, const char *path, bool append, struct err *e);
/* Closes the output; renames it into place when ok, else removes it. */
int safe_output_close(struct safe_output *o, bool ok, struct err *e);

#endif
