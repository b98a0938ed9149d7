// SPDX-License-Identifier: MIT
/* kernel_cmds.h - the commands that touch the kernel: apply, boot, show
 * mode and show stats, and the session hook that applies a committed
 * change of the policy in force before the store commits it. */
#ifndef IPSECFW_KERNEL_CMDS_H
#define IPSECFW_KERNEL_CMDS_H

#include <jansson.h>

#include "backend/enforce.h"
#include "lang/session.h"

struct kernel_hook {
	struct enforce_ctx ctx;
	const char *db_path; /* for the safe-assign watcher */
	bool off; /* IPSECFW_KERNEL=off: the stores only (tests outside namespaces) */
	bool locked; /* holds the kernel lock from before_commit to commit_done */
};

/* Installs before_commit/commit_failed on s. */
void kernel_hook_install(struct session *s, struct kernel_hook *k, struct db *db,
			 const char *db_path, const struct facts_sources *facts);

int cmd_apply(const struct enforce_ctx *c, int argc, char **argv, bool json);
int cmd_boot(const struct enforce_ctx *c, int argc, char **argv, bool json);
int cmd_show_mode(const struct enforce_ctx *c, bool json);
int cmd_show_stats(const struct enforce_ctx *c, bool json);
/* Deletes the table (no store needed: c->db may be NULL). */
int cmd_unload(const struct enforce_ctx *c, int argc, char **argv, bool json);

/* Safe assign (cmd_confirm.c): `confirm [--watch]`; the session hook that
 * starts the watcher after a change made with confirm=; what is pending,
 * as JSON (null when nothing) and, when out is given, as a line. */
int cmd_confirm(const struct kernel_hook *k, int argc, char **argv, bool json);
void confirm_hook_install(struct session *s);
void pending_describe(struct db *db, json_t **json_out, FILE *out);

#endif
