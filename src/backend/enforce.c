// SPDX-License-Identifier: MIT
/* enforce.c - from the stores to the kernel, one transaction at a time. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "elements.h"
#include "enforce.h"
#include "engine/ftable.h"
#include "kernel.h"
#include "kernel_lock.h"
#include "sys/safefile.h"
#include "view_cache.h"

#define SAVED_PREFIX "program-"
#define STATE_PREFIX "state_"

const char *enforce_run_dir(const struct enforce_ctx *c)
{
	const char *env = getenv("IPSECFW_RUN_DIR");

	if (c->run_dir)
		return c->run_dir;
	return env && *env ? env : RUN_DIR_DEFAULT;
}

/* --- the saved program: a cache of what was loaded, for the next diff;
 * trusted only when its fingerprint is the one the kernel's state chain
 * names (an edited copy is then merely not used) --- */

static void saved_path(const struct enforce_ctx *c, const char *fp, char *buf, size_t len)
{
	snprintf(buf, len, "%s/" SAVED_PREFIX "%s", enforce_run_dir(c), fp);
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

/* Saved programs but the one of fingerprint fp (and temporary files left
 * by a crash) are of no use any more; fp "": none is. */
static void remove_stale(const struct enforce_ctx *c, const char *fp)
{
	char keep[64];
	DIR *d = opendir(enforce_run_dir(c));
	struct dirent *de;

	if (!d)
		return;
	snprintf(keep, sizeof(keep), SAVED_PREFIX "%s", fp);
	while ((de = readdir(d)))
		if (!strncmp(de->d_name, SAVED_PREFIX, strlen(SAVED_PREFIX)) && strcmp(de->d_name, keep))
			unlinkat(dirfd(d), de->d_name, 0);
	closedir(d);
}

/* Keeps the program loaded (text, of fingerprint fp), root-only whatever
 * the umask. A failure only costs the next load its diff. */
static void save_program(const struct enforce_ctx *c, const char *fp, const char *text)
{
	char path[4096];
	struct err ignored;

	saved_path(c, fp, path, sizeof(path));
	if (safe_dir(enforce_run_dir(c), &ignored) == 0)
		safe_write_file(path, text, strlen(text), &ignored);
	remove_stale(c, fp);
}

/* The saved program of fingerprint fp, if the file still holds it. */
static int cached_program(const struct enforce_ctx *c, const char *fp, struct nft_program *out)
{
	char path[4096], got[FINGERPRINT_HEX + 1], *text;
	struct err ignored;
	int rc = -1;

	saved_path(c, fp, path, sizeof(path));
	if (!(text = read_whole(path)))
		return -1;
	fingerprint_text(text, strlen(text), got);
	if (!strcmp(got, fp))
		rc = program_deserialize(text, out, &ignored);
	free(text);
	return rc;
}

void loaded_program_free(struct loaded_program *m)
{
	program_free(&m->program);
	fingerprint_state_free(&m->kstate);
	view_cache_free(m->views);
	memset(m, 0, sizeof(*m));
}

/* The memory's copy of the kernel's table: st (moved there), valid at
 * generation gen; NULL st: none. */
static void remember_kernel(const struct enforce_ctx *c, struct fingerprint_state *st,
			    const char *kfp, uint32_t gen)
{
	if (!c->memory)
		return;
	fingerprint_state_free(&c->memory->kstate);
	c->memory->kgen = 0;
	if (!st)
		return;
	c->memory->kstate = *st;
	memset(st, 0, sizeof(*st));
	snprintf(c->memory->kfp, sizeof(c->memory->kfp), "%s", kfp);
	c->memory->kgen = gen;
}

/* The caller's memory now holds p (moved there). */
static void remember(const struct enforce_ctx *c, struct nft_program *p, const char *fp)
{
	if (!c->memory)
		return;
	if (p != &c->memory->program) {
		program_free(&c->memory->program);
		c->memory->program = *p;
		memset(p, 0, sizeof(*p));
	}
	snprintf(c->memory->fp, sizeof(c->memory->fp), "%s", fp);
}

static uint64_t new_generation(void)
{
	uint64_t gen = 0;

	while (gen == 0)
		if (getrandom(&gen, sizeof(gen), 0) != sizeof(gen))
			gen = (uint64_t)time(NULL) << 20 ^ (uint64_t)getpid();
	return gen;
}

/* Where a load left the table: the state chain to complete, and the
 * number of commits it made; named: the state chain names the kernel's
 * fingerprint already. */
struct loaded_state {
	uint64_t gen;
	char slot;
	uint32_t commits;
	bool named;
};

/* Digests of elements as the kernel will list them, in slot. */
static int digests_of(const struct nft_elem *const *v, size_t n, char slot,
		      uint8_t (**out)[FINGERPRINT_ELEM])
{
	*out = malloc((n ? n : 1) * FINGERPRINT_ELEM);
	if (!*out)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (elements_digest(v[i], slot, (*out)[i]) < 0)
			return -1;
	return 0;
}

/* The elements of one map (from *i on, in v sorted by map). */
static size_t run_of(const struct nft_elem *const *v, size_t n, size_t i, uint32_t map)
{
	size_t j = i;

	while (j < n && v[j]->map == map)
		j++;
	return j - i;
}

/* The kernel's fingerprint once d is applied to st (updated): -1 when st
 * does not hold what d deletes. */
static int predict_fingerprint(struct fingerprint_state *st, const struct nft_program *p,
			       const struct program_diff *d, char slot,
			       char kfp[FINGERPRINT_HEX + 1])
{
	uint8_t (*gone)[FINGERPRINT_ELEM] = NULL, (*fresh)[FINGERPRINT_ELEM] = NULL;
	size_t i = 0, j = 0;
	int rc = -1;

	if (digests_of(d->gone, d->n_gone, slot, &gone) < 0 ||
	    digests_of(d->fresh, d->n_fresh, slot, &fresh) < 0)
		goto out;
	while (i < d->n_gone || j < d->n_fresh) {
		bool from_gone = i < d->n_gone &&
				 (j == d->n_fresh || d->gone[i]->map <= d->fresh[j]->map);
		uint32_t map = from_gone ? d->gone[i]->map : d->fresh[j]->map;
		size_t ng = run_of(d->gone, d->n_gone, i, map);
		size_t nf = run_of(d->fresh, d->n_fresh, j, map);
		char name[128];
		snprintf(name, sizeof(name), "%c_%s", slot, p->maps[map] + strlen(SLOT_MARK));
		if (fingerprint_state_update(st, name, gone + i, ng, fresh + j, nf) < 0)
			goto out;
		i += ng;
		j += nf;
	}
	fingerprint_state_hex(st, kfp);
	rc = 0;
out:
	free(gone);
	free(fresh);
	return rc;
}

/* Whether every element d changes is one elements.c loads. */
static bool all_by_netlink(const struct nft_program *p, const struct program_diff *d)
{
	bool *by_netlink = calloc(p->n_maps ? p->n_maps : 1, sizeof(*by_netlink));
	bool all = by_netlink != NULL;

	if (by_netlink)
		elements_by_netlink(p, by_netlink);
	for (size_t i = 0; all && i < d->n_gone; i++)
		all = by_netlink[d->gone[i]->map];
	for (size_t i = 0; all && i < d->n_fresh; i++)
		all = by_netlink[d->fresh[i]->map];
	free(by_netlink);
	return all;
}

/* An address change, the agent's way: the changed elements and the state
 * chain, renamed with the kernel's fingerprint it predicts, in one netlink
 * transaction bound to the generation the memory's copy of the table is
 * valid at; so nothing is read back, and a commit from elsewhere since
 * makes the kernel refuse it (then the caller goes the long way). */
static int update_by_netlink(const struct enforce_ctx *c, const struct kernel_table *kt,
			     const struct nft_program *p, const char *fp, uint32_t gen_now,
			     struct loaded_state *at, struct enforce_report *r)
{
	struct loaded_program *m = c->memory;
	struct program_diff d;
	struct nlbatch *b = NULL;
	char kfp[FINGERPRINT_HEX + 1], state[160];
	struct err ignored;
	int rc = -1;

	if (!m || !m->kgen || m->kgen != gen_now || !kt->state_handle ||
	    strcmp(m->fp, kt->program_fp) != 0 || strcmp(m->kfp, kt->kernel_fp) != 0 ||
	    !program_diff(&m->program, p, &d))
		return -1;
	if (!all_by_netlink(p, &d) || predict_fingerprint(&m->kstate, p, &d, kt->slot, kfp) < 0 ||
	    !(b = nlbatch_new(gen_now)))
		goto out;
	program_state_name(p->mode, kt->gen, kt->slot, fp, kfp, state, sizeof(state));
	if (elements_put(b, &m->program, d.gone, d.n_gone, true, kt->slot, &ignored) < 0 ||
	    elements_put(b, p, d.fresh, d.n_fresh, false, kt->slot, &ignored) < 0)
		goto out;
	nlbatch_rename_chain(b, kt->state_handle, state);
	if (nlbatch_commit(b, "updating the map elements", &ignored) == 0) {
		rc = 0;
		r->changed = r->incremental = true;
		*at = (struct loaded_state){ kt->gen, kt->slot, 1, true };
		snprintf(m->kfp, sizeof(m->kfp), "%s", kfp);
		m->kgen = gen_now + 1;
	}
out:
	if (rc < 0)
		remember_kernel(c, NULL, "", 0); /* the copy may be half updated */
	nlbatch_free(b);
	program_diff_free(&d);
	return rc;
}

/* Updates the program in force in place into p, in one transaction that
 * renames the state chain too: only when the kernel still holds (intact)
 * a program we have a trusted copy of, and the two differ in elements
 * alone. */
static int update_in_place(const struct enforce_ctx *c, const struct kernel_table *kt,
			   const struct nft_program *p, const char *fp, struct loaded_state *at,
			   struct enforce_report *r)
{
	struct nft_program cached = { 0 };
	const struct nft_program *base = &cached;
	char *text = NULL, state[160];
	size_t len = 0;
	struct err ignored;
	FILE *f;
	int rc = -1;

	if (c->memory && !strcmp(c->memory->fp, kt->program_fp))
		base = &c->memory->program;
	else if (cached_program(c, kt->program_fp, &cached) < 0)
		return -1;
	if (!(f = open_memstream(&text, &len)))
		goto out;
	if (program_write_update(base, p, kt->slot, f)) {
		program_state_name(p->mode, kt->gen, kt->slot, fp, "", state, sizeof(state));
		fprintf(f, "rename chain " NFT_TABLE_FAMILY " " NFT_TABLE_NAME " %s %s\n",
			kt->state_chain, state);
		rc = 0;
	}
	if (fclose(f) != 0 || !text)
		rc = -1;
	if (rc == 0 && (rc = kernel_run(text, &ignored)) == 0) {
		r->changed = r->incremental = true;
		*at = (struct loaded_state){ kt->gen, kt->slot, 1, false };
	}
	/* refused: the kernel's elements were not what we had; replace it all */
out:
	free(text);
	program_free(&cached);
	return rc;
}

enum step { STEP_STAGE, STEP_SWITCH, STEP_DISCARD };

/* One step of a full load. The stage is two transactions: the slot's
 * objects as text, then the bulk of its map elements by netlink (parsing
 * them as text took nftables seconds); nothing refers to the slot before
 * the switch, so it is complete before a packet can reach it. */
static int run_step(enum step step, const struct nft_program *p, char slot, uint64_t gen,
		    const char *fp, const struct kernel_table *kt, uint32_t *commits, struct err *e)
{
	bool *by_netlink = calloc(p->n_maps ? p->n_maps : 1, sizeof(*by_netlink));
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int rc;

	if (!f || !by_netlink) {
		if (f)
			fclose(f);
		free(text);
		free(by_netlink);
		return err_set(e, "out of memory");
	}
	elements_by_netlink(p, by_netlink);
	if (step == STEP_STAGE)
		program_write_stage(p, slot, !kt->loaded, kt->objects, kt->n_objects, by_netlink,
				    f);
	else if (step == STEP_SWITCH)
		program_write_switch(p, slot, gen, fp, kt->objects, kt->n_objects, f);
	else
		program_write_discard(slot, kt->objects, kt->n_objects, f);
	fclose(f);
	rc = text ? kernel_run(text, e) : err_set(e, "out of memory");
	*commits += rc == 0;
	if (rc == 0 && step == STEP_STAGE && (rc = elements_load(p, slot, by_netlink, e)) > 0) {
		*commits += 1;
		rc = 0;
	}
	free(text);
	free(by_netlink);
	return rc;
}

/* Stages p in the free slot, then switches to it (program.h says why in
 * two steps). Until the switch commits, the old program is in force. */
static int replace_program(const struct kernel_table *kt, const struct nft_program *p,
			   const char *fp, struct loaded_state *at, struct enforce_report *r,
			   struct err *e)
{
	char slot = kt->loaded && kt->slot == 'a' ? 'b' : 'a';
	uint64_t gen = new_generation();
	struct kernel_table now;
	struct err ignored;
	uint32_t commits = 0;

	if (run_step(STEP_STAGE, p, slot, gen, fp, kt, &commits, e) < 0 ||
	    run_step(STEP_SWITCH, p, slot, gen, fp, kt, &commits, e) < 0) {
		/* the stage is unreachable; removing it only saves memory */
		if (kernel_table_read(&now, &ignored) == 0) {
			run_step(STEP_DISCARD, p, slot, gen, fp, &now, &commits, &ignored);
			kernel_table_free(&now);
		}
		return -1;
	}
	r->changed = true;
	*at = (struct loaded_state){ gen, slot, commits, false };
	return 0;
}

/* Reads the table back after a load and names its fingerprint in the
 * state chain: from then on, a table that reads otherwise was changed
 * behind ipsecfw's back. A reading at another generation than our commits
 * led to (another commit slipped in between) is not recorded: the table
 * then counts as changed, and the next load or check replaces it. */
static void record_fingerprint(const struct enforce_ctx *c, const struct nft_program *p,
			       const char *fp, const struct loaded_state *at, uint32_t gen)
{
	char now[FINGERPRINT_HEX + 1], from[160], to[160], cmd[400];
	struct fingerprint_state st;
	struct err ignored;
	uint32_t read_at;

	remember_kernel(c, NULL, "", 0);
	if (fingerprint_kernel_state(STATE_PREFIX, &st, &read_at, &ignored) != 1)
		return;
	fingerprint_state_hex(&st, now);
	program_state_name(p->mode, at->gen, at->slot, fp, "", from, sizeof(from));
	program_state_name(p->mode, at->gen, at->slot, fp, now, to, sizeof(to));
	snprintf(cmd, sizeof(cmd), "rename chain " NFT_TABLE_FAMILY " " NFT_TABLE_NAME " %s %s\n",
		 from, to);
	/* the rename is the next commit: the copy is valid after it */
	if (read_at == gen && kernel_run(cmd, &ignored) == 0)
		remember_kernel(c, &st, now, gen + 1);
	fingerprint_state_free(&st);
}

/* Does the kernel still hold, unchanged, what the state chain says was
 * loaded? (A table without its fingerprint does not.) */
static int kernel_intact(const struct enforce_ctx *c, const struct kernel_table *kt,
			 uint32_t gen_now, bool *out, struct err *e)
{
	char now[FINGERPRINT_HEX + 1];
	struct fingerprint_state st;
	uint32_t gen;
	int rc;

	*out = false;
	if (!kt->loaded || !*kt->kernel_fp)
		return 0;
	/* no commit since the table was last read or written by us */
	if (c && c->memory && c->memory->kgen && c->memory->kgen == gen_now &&
	    !strcmp(c->memory->kfp, kt->kernel_fp)) {
		*out = true;
		return 0;
	}
	if ((rc = fingerprint_kernel_state(STATE_PREFIX, &st, &gen, e)) < 0)
		return -1;
	if (rc == 1) {
		fingerprint_state_hex(&st, now);
		*out = !strcmp(now, kt->kernel_fp);
		if (c)
			remember_kernel(c, *out ? &st : NULL, now, gen);
	}
	fingerprint_state_free(&st);
	return 0;
}

int enforce_check_kernel(enum kernel_state *out, char program_fp[FINGERPRINT_HEX + 1],
			 struct err *e)
{
	struct kernel_table kt;
	bool intact;
	int rc;

	if (kernel_table_read(&kt, e) < 0)
		return -1;
	if ((rc = kernel_intact(NULL, &kt, 0, &intact, e)) == 0) {
		*out = !kt.loaded ? KERNEL_NONE : intact ? KERNEL_INTACT : KERNEL_DRIFT;
		if (program_fp)
			snprintf(program_fp, FINGERPRINT_HEX + 1, "%s", kt.program_fp);
	}
	kernel_table_free(&kt);
	return rc;
}

/* Loads p unless the kernel holds it, unchanged, already: compared with
 * the kernel itself, never with a file. */
static int load_program(const struct enforce_ctx *c, struct nft_program *p,
			struct enforce_report *r, struct err *e)
{
	char fp[FINGERPRINT_HEX + 1], *text = program_serialize(p);
	struct loaded_state at;
	struct kernel_table kt;
	uint32_t gen;
	bool intact;
	int rc = -1;

	if (!text)
		return err_set(e, "out of memory");
	fingerprint_text(text, strlen(text), fp);
	if (kernel_lock_take(enforce_run_dir(c), e) < 0) {
		free(text);
		return -1;
	}
	if (kernel_table_read(&kt, e) < 0) {
		kernel_lock_release();
		free(text);
		return -1;
	}
	r->mode = p->mode;
	if (fingerprint_generation(&gen, e) < 0 || kernel_intact(c, &kt, gen, &intact, e) < 0)
		goto out;
	/* a table that lists otherwise than when loaded, or that vanished
	 * under a caller that had loaded it */
	r->drift = kt.loaded ? !intact : c->memory && *c->memory->fp;
	if (intact && !strcmp(kt.program_fp, fp)) {
		rc = 0;
		remember(c, p, fp);
		goto out;
	}
	if ((intact && update_by_netlink(c, &kt, p, fp, gen, &at, r) == 0) ||
	    (intact && update_in_place(c, &kt, p, fp, &at, r) == 0) ||
	    replace_program(&kt, p, fp, &at, r, e) == 0) {
		rc = 0;
		if (!at.named)
			record_fingerprint(c, p, fp, &at, gen + at.commits);
		save_program(c, fp, text);
		remember(c, p, fp);
	}
out:
	kernel_table_free(&kt);
	kernel_lock_release();
	free(text);
	return rc;
}

int enforce_program(const struct enforce_ctx *c, struct nft_program *p, struct enforce_report *r,
		    struct err *e)
{
	memset(r, 0, sizeof(*r));
	return load_program(c, p, r, e);
}

/* The secure-mode program of what is in force (or the persistent policy
 * alone). */
static int build_secure(const struct enforce_ctx *c, bool persistent_only, struct nft_program *p,
			struct enforce_report *r, struct err *e)
{
	struct ruleset loaded = { 0 };
	const struct ruleset *rs = &loaded;
	struct host_facts *facts = calloc(1, sizeof(*facts));
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
	    (c->facts_given ? (facts_copy(facts, c->facts_given) < 0 ? err_set(e, "out of memory") : 0)
			    : facts_read(c->facts, facts, e)) < 0)
		goto out;
	if (ftable_compile(rs, facts, &t, e) < 0)
		goto out;
	/* a long-lived caller keeps the views for its next build */
	if (c->memory && !c->memory->views)
		c->memory->views = view_cache_new(); /* NULL: builds every view */
	rc = program_secure(&t, facts, &cfg, c->unknown_local_since,
			    c->memory ? c->memory->views : NULL, p, e);
	r->entries = t.n_entries;
	r->tiers = p->n_tiers;
	r->elements = p->n_elems;
	if (rc == 0 && c->table_out) {
		*c->table_out = t;
		facts_move(c->facts_out, facts);
		*c->table_given = true;
	} else {
		ftable_free(&t);
	}
out:
	ruleset_free(&loaded);
	if (facts)
		facts_free(facts);
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
	int rc = 0;

	*removed = false;
	if (kernel_table_read(&kt, e) < 0) /* refuses a table of that name not ours */
		return -1;
	if (kt.exists && (rc = kernel_run("delete table " NFT_TABLE_FAMILY " " NFT_TABLE_NAME "\n",
					  e)) == 0) {
		*removed = true;
		remove_stale(c, ""); /* every saved program */
	}
	kernel_table_free(&kt);
	return rc;
}
