// SPDX-License-Identifier: MIT
/* spd_file.h - the agent's dynamic rules, mirrored to a file in the run
 * directory (tmpfs: gone at reboot; the agent also removes it when it
 * starts and stops), so every compile of the policy in force, the CLI's
 * included, sees the same rules the agent holds (SPEC §3, §9). */
#ifndef IPSECFW_SPD_FILE_H
#define IPSECFW_SPD_FILE_H

#include <jansson.h>

#include "model/ruleset.h"
#include "model/spd.h"

#define SPD_FILE "dynamic.json"

/* Writes the rules atomically (rename). */
int spd_file_save(const char *run_dir, const struct spd *s, struct err *e);
/* Appends the saved rules to rs; no file is no rules. */
int spd_file_load_rules(const char *run_dir, struct ruleset *rs, struct err *e);
/* Reads the saved rules and their main and quick mode policies back. */
int spd_file_load(const char *run_dir, struct spd *out, struct err *e);
void spd_file_remove(const char *run_dir);

/* A main or quick mode policy as JSON, as the file and `dynamic show`
 * give it. */
json_t *spd_mm_json(const struct mm_policy *p);
json_t *spd_qm_json(const struct qm_policy *p);

#endif
