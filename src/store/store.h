// SPDX-License-Identifier: MIT
/* store.h - the SQLite stores of SPEC §9: local, persistent and domain
 * policy objects, the dynamic config values and a change counter, in one
 * database. Every write happens inside db_begin()/db_commit(). */
#ifndef IPSECFW_STORE_H
#define IPSECFW_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/config.h"
#include "model/err.h"
#include "model/policy.h"

#define DB_DEFAULT_PATH "/var/lib/ipsecfw/ipsecfw.db"

struct db;

/* Opens (creating and migrating as needed) the database at path. The
 * store and its side files are made 0600, its own folder 0700 (saying so
 * on stderr when they were open to others). */
int db_open(struct db **out, const char *path, struct err *e);
/* The same for a store that must exist already and not be empty (the
 * agent never creates one: a missing store is not "no policy"). */
int db_open_existing(struct db **out, const char *path, struct err *e);
/* An existing store opened read-only (SQLITE_OPEN_READONLY), for commands
 * that only read it: a user the file is readable to may view it; one it
 * is not gets a clear refusal. No migration, no write lock. */
int db_open_readonly(struct db **out, const char *path, struct err *e);
void db_close(struct db *db);

/* BEGIN IMMEDIATE: a writer waits for other writers (busy timeout), then
 * holds the write lock, so two processes never interleave a script. */
int db_begin(struct db *db, struct err *e);
/* BEGIN DEFERRED: a consistent snapshot for readers; end it with db_commit(). */
int db_begin_read(struct db *db, struct err *e);
/* Commits; bumps the change counter when anything was written. */
int db_commit(struct db *db, struct err *e);
void db_rollback(struct db *db);
bool db_in_transaction(const struct db *db);
/* Has the open transaction written anything? */
bool db_dirty(const struct db *db);
/* Per-command atomicity inside a longer transaction. */
int db_savepoint(struct db *db, struct err *e);
void db_savepoint_release(struct db *db);
void db_savepoint_rollback(struct db *db);

int64_t db_change_counter(struct db *db);

/* The first len bytes of the database file, read through SQLite's own
 * descriptor (another descriptor, once closed, would drop SQLite's POSIX
 * locks on the file). To notice the file overwritten under us. */
int db_file_head(struct db *db, void *buf, size_t len);

/* A new object GUID, "{XXXXXXXX-...}" as Windows writes them. */
void new_guid(char out[GUID_LEN]);
/* 1 when an object of any store has that GUID (GUIDs are unique across
 * the stores), 0 when none, -1 on error. */
int db_guid_used(struct db *db, const char *guid, struct err *e);

/* Lookups return 1 when found, 0 when not, -1 on error. Lists allocate
 * *out (free() it). Adds fill in id, guid and seq. */

int db_policy_add(struct db *db, struct policy *p, struct err *e);
int db_policy_update(struct db *db, const struct policy *p, struct err *e);
int db_policy_delete(struct db *db, int64_t id, struct err *e);
int db_policy_find(struct db *db, enum store_kind s, const char *name, const char *guid,
		   struct policy *out, struct err *e);
int db_policy_list(struct db *db, enum store_kind s, struct policy **out, size_t *n,
		   struct err *e);
/* Makes id the store's one assigned policy (0: none assigned). */
int db_policy_assign(struct db *db, enum store_kind s, int64_t id, struct err *e);
/* The store's assigned policy: 1 and *out, or 0 when none is. */
int db_policy_assigned(struct db *db, enum store_kind s, struct policy *out, struct err *e);

/* Deletes every policy, filter list and filter action of store s. */
int db_store_clear(struct db *db, enum store_kind s, struct err *e);

/* An assignment waiting for `ipsecfw confirm` (safe assign): at most one. */
struct pending_assign {
	enum store_kind store;
	char policy[GUID_LEN];   /* what the change assigned; "" when it unassigned */
	char previous[GUID_LEN]; /* what it replaced; "" when nothing was assigned */
	int64_t deadline;        /* unix seconds: roll back from then on */
};
int db_pending_get(struct db *db, struct pending_assign *out, struct err *e);
int db_pending_set(struct db *db, const struct pending_assign *p, struct err *e);
int db_pending_clear(struct db *db, struct err *e);

int db_filterlist_add(struct db *db, enum store_kind s, struct filterlist *l, struct err *e);
int db_filterlist_update(struct db *db, const struct filterlist *l, struct err *e);
int db_filterlist_delete(struct db *db, int64_t id, struct err *e);
int db_filterlist_find(struct db *db, enum store_kind s, const char *name, const char *guid,
		       struct filterlist *out, struct err *e);
int db_filterlist_by_id(struct db *db, int64_t id, struct filterlist *out, struct err *e);
int db_filterlist_list(struct db *db, enum store_kind s, struct filterlist **out, size_t *n,
		       struct err *e);

/* DB_DUPLICATE when the list already holds an equal filter (SPEC §2.4). */
enum { DB_DUPLICATE = -2 };
int db_filter_add(struct db *db, int64_t list_id, struct filter *f, struct err *e);
int db_filter_delete(struct db *db, int64_t id, struct err *e);
int db_filter_list(struct db *db, int64_t list_id, struct filter **out, size_t *n,
		   struct err *e);
int db_filter_count(struct db *db, int64_t list_id, size_t *n, struct err *e);

int db_filteraction_add(struct db *db, enum store_kind s, struct filteraction *a,
			struct err *e);
int db_filteraction_update(struct db *db, const struct filteraction *a, struct err *e);
int db_filteraction_delete(struct db *db, int64_t id, struct err *e);
int db_filteraction_find(struct db *db, enum store_kind s, const char *name, const char *guid,
			 struct filteraction *out, struct err *e);
int db_filteraction_by_id(struct db *db, int64_t id, struct filteraction *out, struct err *e);
int db_filteraction_list(struct db *db, enum store_kind s, struct filteraction **out,
			 size_t *n, struct err *e);

int db_rule_add(struct db *db, struct rule *r, struct err *e);
int db_rule_update(struct db *db, const struct rule *r, struct err *e);
int db_rule_delete(struct db *db, int64_t id, struct err *e);
/* By name, or by 1-based position in creation order when name is NULL. */
int db_rule_find(struct db *db, int64_t policy_id, const char *name, long position,
		 struct rule *out, struct err *e);
int db_rule_list(struct db *db, int64_t policy_id, struct rule **out, size_t *n, struct err *e);
/* How many rules use a filter list or filter action (to refuse deleting it). */
enum rule_ref { REF_FILTERLIST, REF_FILTERACTION };
int db_rules_using(struct db *db, enum rule_ref ref, int64_t id, size_t *n, struct err *e);

int db_config_load(struct db *db, struct config *c, struct err *e);
int db_config_save(struct db *db, const struct config *c, struct err *e);

/* The domain name chosen by `set store location=domain domain=X`. */
int db_meta_get(struct db *db, const char *key, char *buf, size_t len, struct err *e);
int db_meta_set(struct db *db, const char *key, const char *value, struct err *e);

#endif
