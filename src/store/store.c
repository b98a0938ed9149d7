// SPDX-License-Identifier: MIT
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <uuid/uuid.h>

#include "builtins.h"
#include "store_db.h"
#include "model/label.h"
#include "schema.h"
#include "sys/safefile.h"

enum { BUSY_TIMEOUT_MS = 15000 };


int db_fail(struct db *db, struct err *e, const char *what)
{
	int code = sqlite3_extended_errcode(db->h);

	if (code == SQLITE_BUSY || code == SQLITE_LOCKED)
		return err_set(e, "%s: the store is busy (another ipsecfw holds it); try again", what);
	return err_set(e, "%s: %s", what, sqlite3_errmsg(db->h));
}

/* A prepared, reset statement for a static SQL string. */
sqlite3_stmt *db_stmt(struct db *db, const char *sql, struct err *e)
{
	for (size_t i = 0; i < db->n_cache; i++) {
		if (db->cache[i].sql == sql) {
			sqlite3_reset(db->cache[i].st);
			sqlite3_clear_bindings(db->cache[i].st);
			return db->cache[i].st;
		}
	}
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v3(db->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
		db_fail(db, e, "prepare");
		return NULL;
	}
	if (db->n_cache < STMT_CACHE) {
		db->cache[db->n_cache].sql = sql;
		db->cache[db->n_cache++].st = st;
	}
	return st;
}

static int exec(struct db *db, const char *sql, struct err *e)
{
	char *msg = NULL;

	if (sqlite3_exec(db->h, sql, NULL, NULL, &msg) != SQLITE_OK) {
		int busy = sqlite3_extended_errcode(db->h) == SQLITE_BUSY;
		err_set(e, "%s", busy ? "the store is busy (another ipsecfw holds it); try again"
				      : msg ? msg : "sqlite error");
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

/* Runs a write statement to completion. */
int db_step_done(struct db *db, sqlite3_stmt *st, struct err *e, const char *what)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		if (rc == SQLITE_CONSTRAINT)
			return err_set(e, "%s: %s", what, sqlite3_errmsg(db->h));
		return db_fail(db, e, what);
	}
	db->dirty = true;
	return 0;
}

void new_guid(char out[GUID_LEN])
{
	uuid_t u;
	char text[37];

	uuid_generate(u);
	uuid_unparse_upper(u, text);
	snprintf(out, GUID_LEN, "{%s}", text);
}

int db_next_seq(struct db *db, int64_t *seq, struct err *e)
{
	static const char sql[] = "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'seq'";
	sqlite3_stmt *st;

	if (db->seq == 0) {
		if (!(st = db_stmt(db, sql, e)))
			return -1;
		if (sqlite3_step(st) != SQLITE_ROW) {
			sqlite3_reset(st);
			return db_fail(db, e, "sequence");
		}
		db->seq = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
	}
	*seq = ++db->seq;
	return 0;
}

/* Writes the creation sequence back, when this transaction used it. */
static int save_seq(struct db *db, struct err *e)
{
	char sql[96];

	if (!db->seq)
		return 0;
	snprintf(sql, sizeof(sql), "UPDATE meta SET value = '%lld' WHERE key = 'seq'",
		 (long long)db->seq);
	return exec(db, sql, e);
}

static int mkdir_parent(const char *path, struct err *e)
{
	char dir[4096];
	const char *slash = strrchr(path, '/');

	if (!slash || slash == path)
		return 0;
	if ((size_t)(slash - path) >= sizeof(dir))
		return err_set(e, "store path is too long");
	memcpy(dir, path, (size_t)(slash - path));
	dir[slash - path] = '\0';
	for (char *p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0700) < 0 && errno != EEXIST)
			return err_set(e, "cannot create %s: %s", dir, strerror(errno));
		*p = '/';
	}
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return err_set(e, "cannot create %s: %s", dir, strerror(errno));
	return 0;
}

static int migrate(struct db *db, bool create, struct err *e)
{
	const int target = (int)(sizeof(schema_migrations) / sizeof(schema_migrations[0]));
	sqlite3_stmt *st = NULL;
	int version = 0;
	char sql[64];

	if (exec(db, "BEGIN IMMEDIATE", e) < 0)
		return -1;
	if (sqlite3_prepare_v2(db->h, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (version == 0 && !create) {
		exec(db, "ROLLBACK", NULL);
		return err_set(e, "not an ipsecfw store (yet)");
	}
	if (version > target) {
		exec(db, "ROLLBACK", NULL);
		return err_set(e, "the store was written by a newer ipsecfw (schema %d, this one knows %d)",
			       version, target);
	}
	for (int v = version; v < target; v++) {
		if (exec(db, schema_migrations[v], e) < 0) {
			exec(db, "ROLLBACK", NULL);
			return err_prefix(e, "schema migration %d", v + 1);
		}
	}
	/* A new database is a fresh store: it gets Windows' built-in objects
	 * (SPEC §15). A store made by an older ipsecfw is migrated without
	 * them: objects appearing in it unasked could clash with the admin's;
	 * `restore defaults` adds them on request. */
	if (version == 0 && (db_builtins_restore(db, STORE_LOCAL, NULL, e) < 0 ||
			     save_seq(db, e) < 0)) {
		exec(db, "ROLLBACK", NULL);
		return err_prefix(e, "built-in objects");
	}
	db->dirty = false;
	db->seq = 0;
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", target);
	if (exec(db, sql, e) < 0 || exec(db, "COMMIT", e) < 0) {
		exec(db, "ROLLBACK", NULL);
		return -1;
	}
	return 0;
}

/* The store's own folder (one named ipsecfw, as /var/lib/ipsecfw is)
 * holds secrets only: 0700. Any other folder is the admin's to set. */
static int private_folder(const char *path, struct err *e)
{
	char dir[4096];
	const char *slash = strrchr(path, '/'), *name;

	if (!slash || (size_t)(slash - path) >= sizeof(dir))
		return 0;
	memcpy(dir, path, (size_t)(slash - path));
	dir[slash - path] = '\0';
	name = strrchr(dir, '/') ? strrchr(dir, '/') + 1 : dir;
	return strcmp(name, "ipsecfw") == 0 ? safe_tighten(dir, 0700, e) : 0;
}

/* The store holds pre-shared keys: it and SQLite's side files are 0600,
 * whatever the umask (SQLite gives its side files the store's mode). */
static int private_files(const char *path, bool create, struct err *e)
{
	static const char *const sides[] = { "", "-wal", "-shm", "-journal" };
	char side[4200];
	int fd;

	if (create && (fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
				 0600)) >= 0)
		close(fd);
	for (size_t i = 0; i < sizeof(sides) / sizeof(sides[0]); i++) {
		snprintf(side, sizeof(side), "%s%s", path, sides[i]);
		if (safe_tighten(side, 0600, e) < 0)
			return -1;
	}
	return 0;
}

/* A reader's check of what migrate() would do: 0 for the schema this
 * ipsecfw knows, the older version for one to migrate, else -1 and why. */
static int check_schema(struct db *db, struct err *e)
{
	const int target = (int)(sizeof(schema_migrations) / sizeof(schema_migrations[0]));
	sqlite3_stmt *st = NULL;
	int version = -1;

	if (sqlite3_prepare_v2(db->h, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (version < 0)
		return err_set(e, "cannot read it: %s", sqlite3_errmsg(db->h));
	if (version == 0)
		return err_set(e, "not an ipsecfw store (yet)");
	if (version > target)
		return err_set(e, "the store was written by a newer ipsecfw (schema %d, this one knows %d)",
			       version, target);
	return version < target ? version : 0;
}

enum open_how { OPEN_CREATE, OPEN_EXISTING, OPEN_READ };

static int open_store(struct db **out, const char *path, enum open_how how, struct err *e)
{
	struct db *db = calloc(1, sizeof(*db));
	bool file = strcmp(path, ":memory:") != 0, create = how == OPEN_CREATE;
	struct stat st;

	*out = NULL;
	if (!db)
		return err_set(e, "out of memory");
	if (file && !create && stat(path, &st) < 0) {
		free(db);
		return err_set(e, "store %s: %s", path, strerror(errno));
	}
	if (file && !create && st.st_size == 0) {
		free(db);
		return err_set(e, "store %s: the file is empty", path);
	}
	/* The store holds pre-shared keys (0600): a user it was not opened to
	 * is told so rather than meeting SQLite's "unable to open". */
	if (file && how == OPEN_READ && access(path, R_OK) < 0) {
		free(db);
		return err_set(e, "store %s: %s: reading it needs root or read access to the file "
				  "(and search access to its folder)",
			       path, strerror(errno));
	}
	if (file && ((create && mkdir_parent(path, e) < 0) || private_folder(path, e) < 0 ||
		     private_files(path, create, e) < 0)) {
		free(db);
		return -1;
	}
	int flags = how == OPEN_READ ? SQLITE_OPEN_READONLY
				     : SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);
	if (sqlite3_open_v2(path, &db->h, flags, NULL) != SQLITE_OK) {
		err_set(e, "cannot open store %s: %s", path,
			db->h ? sqlite3_errmsg(db->h) : "out of memory");
		sqlite3_close(db->h);
		free(db);
		return -1;
	}
	sqlite3_busy_timeout(db->h, BUSY_TIMEOUT_MS);
	if (how == OPEN_READ) {
		int older = exec(db, "PRAGMA foreign_keys = ON;", e) < 0 ? -1 : check_schema(db, e);
		if (older != 0)
			db_close(db);
		if (older < 0)
			return err_prefix(e, "store %s", path);
		/* An older store is migrated first, as any command does. */
		if (older > 0 && open_store(out, path, OPEN_EXISTING, e) < 0)
			return err_prefix(e, "the store was written by an older ipsecfw (schema %d) "
					     "and reading it needs an upgrade",
					  older);
		if (older > 0)
			return 0;
		db->readonly = true;
		*out = db;
		return 0;
	}
	if (exec(db, "PRAGMA foreign_keys = ON; PRAGMA journal_mode = WAL;"
		     "PRAGMA synchronous = NORMAL;"
		     /* Big scripts are one transaction: keep its pages in memory. */
		     "PRAGMA cache_size = -65536;", e) < 0 ||
	    migrate(db, create, e) < 0) {
		err_prefix(e, "store %s", path);
		db_close(db);
		return -1;
	}
	*out = db;
	return 0;
}

int db_open(struct db **out, const char *path, struct err *e)
{
	return open_store(out, path, OPEN_CREATE, e);
}

int db_open_existing(struct db **out, const char *path, struct err *e)
{
	return open_store(out, path, OPEN_EXISTING, e);
}

int db_open_readonly(struct db **out, const char *path, struct err *e)
{
	return open_store(out, path, OPEN_READ, e);
}

void db_close(struct db *db)
{
	if (!db)
		return;
	for (size_t i = 0; i < db->n_cache; i++)
		sqlite3_finalize(db->cache[i].st);
	sqlite3_close(db->h);
	free(db);
}

int db_begin(struct db *db, struct err *e)
{
	if (exec(db, db->readonly ? "BEGIN DEFERRED" : "BEGIN IMMEDIATE", e) < 0)
		return -1;
	db->in_tx = true;
	db->dirty = false;
	db->seq = 0; /* another process may have added objects since */
	return 0;
}

int db_begin_read(struct db *db, struct err *e)
{
	if (exec(db, "BEGIN DEFERRED", e) < 0)
		return -1;
	db->in_tx = true;
	db->dirty = false;
	db->seq = 0;
	return 0;
}

int db_commit(struct db *db, struct err *e)
{
	if (db->dirty &&
	    exec(db, "UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'changes'",
		 e) < 0)
		return -1;
	if (save_seq(db, e) < 0 || exec(db, "COMMIT", e) < 0)
		return -1;
	db->in_tx = false;
	db->dirty = false;
	db->seq = 0;
	return 0;
}

void db_rollback(struct db *db)
{
	if (db->in_tx)
		exec(db, "ROLLBACK", NULL);
	db->in_tx = false;
	db->dirty = false;
	db->seq = 0;
}

bool db_dirty(const struct db *db)
{
	return db->dirty;
}

bool db_in_transaction(const struct db *db)
{
	return db->in_tx;
}

int db_savepoint(struct db *db, struct err *e)
{
	return exec(db, "SAVEPOINT command", e);
}

void db_savepoint_release(struct db *db)
{
	exec(db, "RELEASE command", NULL);
}

void db_savepoint_rollback(struct db *db)
{
	exec(db, "ROLLBACK TO command; RELEASE command", NULL);
}

int64_t db_change_counter(struct db *db)
{
	char buf[32];

	if (db_meta_get(db, "changes", buf, sizeof(buf), NULL) != 1)
		return -1;
	return strtoll(buf, NULL, 10);
}

int db_file_head(struct db *db, void *buf, size_t len)
{
	sqlite3_file *f = NULL;

	if (sqlite3_file_control(db->h, "main", SQLITE_FCNTL_FILE_POINTER, &f) != SQLITE_OK ||
	    !f || !f->pMethods)
		return -1;
	return f->pMethods->xRead(f, buf, (int)len, 0) == SQLITE_OK ? 0 : -1;
}

int db_meta_get(struct db *db, const char *key, char *buf, size_t len, struct err *e)
{
	static const char sql[] = "SELECT value FROM meta WHERE key = ?";
	sqlite3_stmt *st = db_stmt(db, sql, e);
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		snprintf(buf, len, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_fail(db, e, "meta");
	return rc == SQLITE_ROW;
}

int db_guid_used(struct db *db, const char *guid, struct err *e)
{
	static const char sql[] =
		"SELECT 1 FROM policies WHERE guid = ?1 UNION ALL SELECT 1 FROM filterlists WHERE "
		"guid = ?1 UNION ALL SELECT 1 FROM filters WHERE guid = ?1 UNION ALL SELECT 1 FROM "
		"filteractions WHERE guid = ?1 UNION ALL SELECT 1 FROM rules WHERE guid = ?1 LIMIT 1";
	sqlite3_stmt *st = db_stmt(db, sql, e);
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, guid, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_fail(db, e, "guid");
	return rc == SQLITE_ROW;
}

int db_meta_set(struct db *db, const char *key, const char *value, struct err *e)
{
	static const char sql[] = "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)";
	sqlite3_stmt *st = db_stmt(db, sql, e);

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
	return db_step_done(db, st, e, "meta");
}
