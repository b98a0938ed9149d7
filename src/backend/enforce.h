// SPDX-License-Identifier: MIT
/* enforce.h - putting the policy in force into the kernel: compile the
 * stores and the host facts, write the program for the mode, and load it,
 * by element updates when only addresses changed, else by replacing the
 * table. Whether the kernel holds the program already is asked of the
 * kernel itself (fingerprint.h), never of a file; the program last loaded
 * is kept, in the caller's memory or as a cache in the run directory
 * checked against the kernel's fingerprint, so the next load can be a
 * diff. */
#ifndef IPSECFW_ENFORCE_H
#define IPSECFW_ENFORCE_H

#include <stdbool.h>
#include <stdio.h>

#include "engine/ftable.h"
#include "fingerprint.h"
#include "program.h"
#include "store/ruleset_load.h"
#include "sys/facts.h"

#define RUN_DIR_DEFAULT "/run/ipsecfw"

/* The program last loaded, kept by a long-lived caller (the agent): a diff
 * base that needs no file, trusted while the kernel's state chain names its
 * fingerprint. */
struct loaded_program {
	struct nft_program program;
	char fp[FINGERPRINT_HEX + 1]; /* "" while none */
	/* The kernel's table as last read or written, of fingerprint kfp:
	 * trusted while the ruleset generation is still kgen (no commit since),
	 * so an element update needs no reading back (0: none). */
	struct fingerprint_state kstate;
	char kfp[FINGERPRINT_HEX + 1];
	uint32_t kgen;
	/* The views of the secure-mode program last built (view_cache.h):
	 * an address change rebuilds only the views it alters. NULL: none. */
	struct view_cache *views;
};

void loaded_program_free(struct loaded_program *m);

struct enforce_ctx {
	struct db *db;
	const struct facts_sources *facts;
	/* Optional: the facts to compile with, instead of reading the sources
	 * (the agent's, with a refused source's servers kept). */
	const struct host_facts *facts_given;
	/* Optional: the rules in force, already loaded, and their origin (the
	 * agent keeps them while the stores and its dynamic rules stay). */
	const struct ruleset *rules_given;
	const struct ruleset_origin *origin_given;
	const char *run_dir; /* NULL: $IPSECFW_RUN_DIR or RUN_DIR_DEFAULT */
	/* Optional: the host facts are unreadable since then (unix seconds):
	 * secure mode fails closed for local addresses the facts given do not
	 * list (program_secure). 0: they are readable. */
	long long unknown_local_since;
	/* Optional: a secure-mode load hands over the table it compiled and
	 * the facts it used (the agent attributes logged drops with them).
	 * The caller frees a table it was given (table_given). */
	struct ftable *table_out;
	struct host_facts *facts_out;
	bool *table_given;
	/* Optional: kept up to date by every load. */
	struct loaded_program *memory;
};

struct enforce_report {
	enum fw_mode mode;
	bool changed;     /* the kernel was written */
	bool incremental; /* by element updates only */
	bool blocked;     /* block mode: the persistent policy failed (SPEC §6.2) */
	bool drift;       /* the kernel's table was not what was loaded: replaced */
	size_t entries, tiers, elements;
	struct ruleset_origin origin;
	char warning[512]; /* what was left out, if anything */
};

/* The run directory: c->run_dir, $IPSECFW_RUN_DIR or RUN_DIR_DEFAULT. */
const char *enforce_run_dir(const struct enforce_ctx *c);

/* What the kernel holds, against what ipsecfw last loaded into it. */
enum kernel_state {
	KERNEL_NONE,   /* no program in force */
	KERNEL_INTACT, /* the table lists as it did right after the load */
	KERNEL_DRIFT,  /* changed since (or never read back) */
};

/* Reads the table back (seconds for 100,000 filters) and compares it with
 * the fingerprint the load recorded. program_fp (optional): the
 * fingerprint of the program the state chain says was loaded. */
int enforce_check_kernel(enum kernel_state *out, char program_fp[FINGERPRINT_HEX + 1],
			 struct err *e);

/* What to do when the policy in force cannot be applied. */
enum enforce_fallback {
	FALLBACK_NONE,       /* leave the kernel as it was */
	FALLBACK_PERSISTENT, /* apply the persistent policy alone (SPEC §8) */
	FALLBACK_BLOCK,      /* that, and if the persistent policy fails too,
			      * operational block mode (SPEC §6.2) */
};

/* Secure mode with the policy in force. Returns -1 with e saying why
 * whenever the wanted policy is not what the kernel now enforces; r->mode
 * tells what it enforces then. */
int enforce_policy(const struct enforce_ctx *c, enum enforce_fallback fb,
		   struct enforce_report *r, struct err *e);

/* A program built already (the agent's last one, put back when the
 * stores cannot be read); moved into c->memory when that is where it is. */
int enforce_program(const struct enforce_ctx *c, struct nft_program *p, struct enforce_report *r,
		    struct err *e);

/* Any mode but secure. */
int enforce_mode(const struct enforce_ctx *c, enum fw_mode m, struct enforce_report *r,
		 struct err *e);

/* The startup mode the configuration asks for (SPEC §6.1): bootmode, or
 * stateful when a policy is assigned and permit when none is. */
int enforce_boot_mode(const struct enforce_ctx *c, enum fw_mode *out, struct err *e);

/* Prints the program enforce_policy would load, touching nothing. */
int enforce_dry_run(const struct enforce_ctx *c, FILE *out, struct err *e);

/* Whether a change to the stores should reach the kernel at once: a policy
 * is assigned, or the kernel is in secure mode already. */
int enforce_wanted(const struct enforce_ctx *c, bool *out, struct err *e);

/* Deletes our table, whatever its mode: nothing is filtered by ipsecfw
 * afterwards (package removal). *removed tells whether there was one. */
int enforce_unload(const struct enforce_ctx *c, bool *removed, struct err *e);

#endif
