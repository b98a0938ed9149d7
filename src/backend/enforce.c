/* enforce.c - from the stores to the kernel, one transaction at a time. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "enforce.h"
#include "engine/ftable.h"
#include "kernel.h"
#include "sys/safefile.h"

const char *enforce_run_dir(const struct enforce_ctx *c)
{
	const char *env = getenv("IPSECFW_RUN_DIR");

	if (c->run_dir)
		return c->run_dir;
	return env && *env ? env : RUN_DIR_DEFAULT;
}

static void saved_path(const struct enforce_ctx *c, uint64_t gen, char *buf, size_t len)
{
	snprintf(buf, len, "%s/program-%016llx", enforce_run_dir(c), (unsigned long long)gen);
}

static char *read_whole(const char *path)
{
	struct err ignored;
	FILE *f = safe_fopen_read(path, &ignored); /* one someone else wrote: no diff */
	char *buf = NULL;
	size_t len = 0;
	FILE *mem;
	char chunk[65536];
	size_t n;

	if (!f)
		return NULL;
	if (!(mem = open_memstream(&buf, &len))) {
		fclose(f);
		return NULL;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		fwrite(chunk, 1, n, mem);
	fclose(f);
	fclose(mem);
	return buf;
}

/* Keeps the program loaded under generation gen, for the next diff. A
 * failure only costs the next load its diff. */
static void save_program(const struct enforce_ctx *c, uint64_t gen, const struct nft_program *p)
{
	char path[4096];
	char *text = program_serialize(p);
	struct err ignored;

	saved_path(c, gen, path, sizeof(path));
	if (text && safe_dir(enforce_run_dir(c), &ignored) == 0)
		safe_write_file(path, text, strlen(text), &ignored);
	free(text);
}

static uint64_t new_generation(void)
{
	uint64_t gen = 0;

	while (gen == 0)
		if (getrandom(&gen, sizeof(gen), 0) != sizeof(gen))
			gen = (uint64_t)time(NULL) << 20 ^ (uint64_t)getpid();
	return gen;
}

/* The element updates from the saved program to p, if the kernel holds
 * the saved program. NULL when only a full load will do. */
static char *update_text(const struct enforce_ctx *c, const struct kernel_table *kt,
			 const struct nft_program *p)
{
	char path[4096], *saved, *text = NULL;
	struct nft_program old;
	struct err ignored;
	size_t len = 0;
	FILE *f;
	bool same;

	saved_path(c, kt->gen, path, sizeof(path));
	if (!(saved = read_whole(path)))
		return NULL;
	if (program_deserialize(saved, &old, &ignored) < 0) {
		free(saved);
		return NULL;
	}
	free(saved);
	if (!(f = open_memstream(&text, &len))) {
		program_free(&old);
		return NULL;
	}
	same = program_write_update(&old, p, kt->slot, f);
	fclose(f);
	program_free(&old);
	if (!same) {
		free(text);
		return NULL;
	}
	return text;
}

enum step { STEP_STAGE, STEP_SWITCH, STEP_DISCARD };

/* One transaction of a full load. */
static int run_step(enum step step, const struct nft_program *p, char slot, uint64_t gen,
		    const struct kernel_table *kt, struct err *e)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int rc;

	if (!f)
		return err_set(e, "out of memory");
	if (step == STEP_STAGE)
		program_write_stage(p, slot, !kt->loaded, kt->objects, kt->n_objects, f);
	else if (step == STEP_SWITCH)
		program_write_switch(p, slot, gen, kt->objects, kt->n_objects, f);
	else
		program_write_discard(slot, kt->objects, kt->n_objects, f);
	fclose(f);
	rc = text ? kernel_run(text, e) : err_set(e, "out of memory");
	free(text);
	return rc;
}

/* Stages p in the free slot, then switches to it (program.h says why in
 * two steps). Until the switch commits, the old program is in force. */
static int replace_program(const struct enforce_ctx *c, const struct kernel_table *kt,
			   const struct nft_program *p, struct enforce_report *r, struct err *e)
{
	char slot = kt->loaded && kt->slot == 'a' ? 'b' : 'a', old_path[4096];
	uint64_t gen = new_generation();
	struct kernel_table now;
	struct err ignored;

	if (run_step(STEP_STAGE, p, slot, gen, kt, e) < 0)
		return -1;
	if (run_step(STEP_SWITCH, p, slot, gen, kt, e) < 0) {
		/* the stage is unreachable; removing it only saves memory */
		if (kernel_table_read(&now, &ignored) == 0) {
			run_step(STEP_DISCARD, p, slot, gen, &now, &ignored);
			kernel_table_free(&now);
		}
		return -1;
	}
	r->changed = true;
	save_program(c, gen, p);
	if (kt->loaded) {
		saved_path(c, kt->gen, old_path, sizeof(old_path));
		unlink(old_path);
	}
	return 0;
}

static int load_program(const struct enforce_ctx *c, const struct nft_program *p,
			struct enforce_report *r, struct err *e)
{
	struct kernel_table kt;
	char *text;
	int rc;

	if (kernel_table_read(&kt, e) < 0)
		return -1;
	r->mode = p->mode;
	if (kt.loaded && (text = update_text(c, &kt, p))) {
		struct err ignored;
		rc = *text ? kernel_run(text, &ignored) : 0; /* empty: loaded already */
		if (rc == 0 && *text) {
			save_program(c, kt.gen, p);
			r->changed = r->incremental = true;
		}
		free(text);
		if (rc == 0) {
			kernel_table_free(&kt);
			return 0;
		}
		/* the kernel's elements were not what we saved: replace it all */
	}
	rc = replace_program(c, &kt, p, r, e);
	kernel_table_free(&kt);
	return rc;
}

/* The secure-mode program of what is in force (or the persistent policy
 * alone). */
static int build_secure(const struct enforce_ctx *c, bool persistent_only, struct nft_program *p,
			struct enforce_report *r, struct err *e)
{
	struct ruleset loaded = { 0 };
	const struct ruleset *rs = &loaded;
	struct host_facts *facts = malloc(sizeof(*facts));
	struct ftable t;
	struct config cfg;
	int rc = -1;

	if (!facts)
		return err_set(e, "out of memory");
	if (!persistent_only && c->rules_given) {
		rs = c->rules_given;
		r->origin = *c->origin_given;
	}
	if (db_config_load(c->db, &cfg, e) < 0 ||
	    (persistent_only ? ruleset_load_persistent(c->db, &loaded, &r->origin, e)
	     : rs == &loaded ? ruleset_load_in_force(c->db, enforce_run_dir(c), &loaded, &r->origin, e)
			     : 0) < 0 ||
	    (c->facts_given ? (*facts = *c->facts_given, 0) : facts_read(c->facts, facts, e)) < 0)
		goto out;
	if (ftable_compile(rs, facts, &t, e) < 0)
		goto out;
	rc = program_secure(&t, facts, &cfg, p, e);
	r->entries = t.n_entries;
	r->tiers = p->n_tiers;
	r->elements = p->n_elems;
	if (rc == 0 && c->table_out) {
		*c->table_out = t;
		*c->facts_out = *facts;
		*c->table_given = true;
	} else {
		ftable_free(&t);
	}
out:
	ruleset_free(&loaded);
	free(facts);
	return rc;
}

static int apply_secure(const struct enforce_ctx *c, bool persistent_only,
			struct enforce_report *r, struct err *e)
{
	struct nft_program p;
	int rc;

	if (c->table_given)
		*c->table_given = false;
	if (build_secure(c, persistent_only, &p, r, e) < 0)
		return -1;
	rc = load_program(c, &p, r, e);
	program_free(&p);
	if (rc < 0 && c->table_given && *c->table_given) {
		ftable_free(c->table_out);
		*c->table_given = false;
	}
	return rc;
}

/* Does the store have an assigned policy? (Its rules need not be read.) */
static int assigned_in(struct db *db, enum store_kind store, bool *out, struct err *e)
{
	struct policy *all;
	size_t n;

	*out = false;
	if (db_policy_list(db, store, &all, &n, e) < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		*out = *out || all[i].assigned;
	free(all);
	return 0;
}

int enforce_policy(const struct enforce_ctx *c, enum enforce_fallback fb,
		   struct enforce_report *r, struct err *e)
{
	struct err first, again;
	bool persistent;

	memset(r, 0, sizeof(*r));
	if (apply_secure(c, false, r, &first) == 0)
		return 0;
	if (fb == FALLBACK_NONE) {
		*e = first;
		return -1;
	}
	if (assigned_in(c->db, STORE_PERSISTENT, &persistent, &again) < 0 || !persistent) {
		*e = first;
		return -1;
	}
	memset(r, 0, sizeof(*r));
	if (apply_secure(c, true, r, &again) == 0) {
		snprintf(r->warning, sizeof(r->warning), "%s", first.msg);
		return err_set(e, "%s; the persistent policy '%s' alone is in force", first.msg,
			       r->origin.persistent);
	}
	if (fb != FALLBACK_BLOCK) {
		*e = again;
		return -1;
	}
	/* SPEC §6.2: a persistent policy that cannot be applied blocks all. */
	if (enforce_mode(c, MODE_BLOCK, r, e) < 0)
		return err_prefix(e, "the persistent policy failed (%s), and block mode too",
				  again.msg);
	r->blocked = true;
	return err_set(e, "the persistent policy could not be applied: %s; block mode", again.msg);
}

int enforce_mode(const struct enforce_ctx *c, enum fw_mode m, struct enforce_report *r,
		 struct err *e)
{
	struct nft_program p;
	struct config cfg;
	int rc;

	memset(r, 0, sizeof(*r));
	if (db_config_load(c->db, &cfg, e) < 0 || program_mode(m, &cfg, &p, e) < 0)
		return -1;
	rc = load_program(c, &p, r, e);
	program_free(&p);
	return rc;
}

static int any_assigned(struct db *db, bool *out, struct err *e)
{
	static const enum store_kind stores[] = { STORE_PERSISTENT, STORE_DOMAIN, STORE_LOCAL };
	bool found = false;

	for (size_t i = 0; i < sizeof(stores) / sizeof(stores[0]) && !found; i++)
		if (assigned_in(db, stores[i], &found, e) < 0)
			return -1;
	*out = found;
	return 0;
}

int enforce_boot_mode(const struct enforce_ctx *c, enum fw_mode *out, struct err *e)
{
	static const enum fw_mode of_bootmode[] = {
		[BOOT_PERMIT] = MODE_BOOT_PERMIT,
		[BOOT_BLOCK] = MODE_BOOT_BLOCK,
		[BOOT_STATEFUL] = MODE_BOOT_STATEFUL,
	};
	struct config cfg;
	bool assigned;

	if (db_config_load(c->db, &cfg, e) < 0)
		return -1;
	if (cfg.bootmode_set) {
		*out = of_bootmode[cfg.bootmode];
		return 0;
	}
	if (any_assigned(c->db, &assigned, e) < 0)
		return -1;
	*out = assigned ? MODE_BOOT_STATEFUL : MODE_BOOT_PERMIT;
	return 0;
}

int enforce_dry_run(const struct enforce_ctx *c, FILE *out, struct err *e)
{
	struct enforce_report r = { 0 };
	struct enforce_ctx plain = *c;
	struct nft_program p;

	plain.table_out = NULL;
	if (build_secure(&plain, false, &p, &r, e) < 0)
		return -1;
	program_write_table(&p, out);
	program_free(&p);
	return 0;
}

int enforce_wanted(const struct enforce_ctx *c, bool *out, struct err *e)
{
	struct kernel_table kt;

	if (any_assigned(c->db, out, e) < 0)
		return -1;
	if (*out)
		return 0;
	if (kernel_table_read(&kt, e) < 0)
		return -1;
	*out = kt.loaded && kt.mode == MODE_SECURE;
	kernel_table_free(&kt);
	return 0;
}

int enforce_unload(const struct enforce_ctx *c, bool *removed, struct err *e)
{
	struct kernel_table kt;
	char path[4096];
	int rc = 0;

	*removed = false;
	if (kernel_table_read(&kt, e) < 0) /* refuses a table of that name not ours */
		return -1;
	if (kt.exists && (rc = kernel_run("delete table " NFT_TABLE_FAMILY " " NFT_TABLE_NAME "\n",
					  e)) == 0) {
		*removed = true;
		if (kt.loaded) {
			saved_path(c, kt.gen, path, sizeof(path));
			unlink(path);
		}
	}
	kernel_table_free(&kt);
	return rc;
}
