// SPDX-License-Identifier: MIT
/* kernel_check.c - the kernel's table against the program loaded, read
 * back only when the ruleset generation says something was committed. */
#include <string.h>

#include "agent.h"
#include "backend/kernel.h"
#include "backend/kernel_lock.h"
#include "kernel_check.h"

/* Says once, until it can be checked again, that the kernel's table
 * cannot be. */
static void unreadable(struct agent *a, const struct err *e)
{
	if (strcmp(a->kernel_problem, e->msg) != 0)
		event_write(a->log, EV_POLICY_FAILED, json_pack("{s:s}", "error", e->msg),
			    "the kernel table cannot be checked: %s", e->msg);
	snprintf(a->kernel_problem, sizeof(a->kernel_problem), "%s", e->msg);
}

/* Is the ruleset still at generation gen? Then a reading taken since
 * was taken at gen. */
static bool still_at(uint32_t gen)
{
	struct err e;
	uint32_t now;

	return fingerprint_generation(&now, &e) == 0 && now == gen;
}

/* The kernel held the program loaded, unchanged, at generation gen. */
static void checked_at(struct agent *a, uint32_t gen)
{
	a->checked_gen = gen;
	snprintf(a->checked_fp, sizeof(a->checked_fp), "%s", a->loaded.fp);
}

/* Does the kernel hold the program loaded at generation gen, as far as
 * can be told without reading its elements? At the generation last
 * checked, nothing was committed since. At the one the agent's own last
 * load left, its copy of the table is exact (enforce.h: kgen), and a
 * listing without elements tells whether the state chain, which the
 * table's fingerprint leaves out, still names that load. */
static bool known_at(struct agent *a, uint32_t gen)
{
	struct kernel_table kt;
	struct err e;
	bool same;

	if (!*a->loaded.fp)
		return false;
	if (a->checked_gen && a->checked_gen == gen && !strcmp(a->checked_fp, a->loaded.fp))
		return true;
	if (!a->loaded.kgen || a->loaded.kgen != gen || !*a->loaded.kfp ||
	    kernel_table_read(&kt, &e) < 0)
		return false;
	same = kt.loaded && !strcmp(kt.program_fp, a->loaded.fp) &&
	       !strcmp(kt.kernel_fp, a->loaded.kfp);
	kernel_table_free(&kt);
	if (!same || !still_at(gen))
		return false;
	checked_at(a, gen);
	return true;
}

bool kernel_check_current(struct agent *a)
{
	struct err e;
	uint32_t gen;

	return !a->applied || (fingerprint_generation(&gen, &e) == 0 && known_at(a, gen));
}

bool kernel_check_intact(struct agent *a)
{
	char fp[FINGERPRINT_HEX + 1];
	enum kernel_state state;
	uint32_t gen;
	struct err e;
	int rc;

	if (!a->applied)
		return true;
	if (fingerprint_generation(&gen, &e) < 0) {
		unreadable(a, &e);
		return true;
	}
	if (known_at(a, gen)) {
		a->checks_by_generation++;
		a->kernel_problem[0] = '\0';
		return true;
	}
	/* a load by someone else (the CLI) is under way: what it leaves is
	 * checked once it is done */
	if (!kernel_lock_try(enforce_run_dir(&a->ctx)))
		return true;
	a->checks_reading++;
	rc = enforce_check_kernel(&state, fp, &e);
	kernel_lock_release();
	if (rc < 0) {
		unreadable(a, &e);
		return true;
	}
	a->kernel_problem[0] = '\0';
	if (state != KERNEL_INTACT || strcmp(fp, a->loaded.fp) != 0)
		return false;
	if (still_at(gen))
		checked_at(a, gen);
	return true;
}

json_t *kernel_check_status(const struct agent *a)
{
	return json_pack("{s:I,s:I,s:I}", "generation", (json_int_t)a->checked_gen,
			 "checks_by_generation", (json_int_t)a->checks_by_generation,
			 "checks_reading", (json_int_t)a->checks_reading);
}
