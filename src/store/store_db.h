// SPDX-License-Identifier: MIT
/* store_db.h - what the store's two halves share: the connection (store.c:
 * opening, transactions, statements) and the objects' rows
 * (store_objects.c). Not for use outside src/store. */
#ifndef IPSECFW_STORE_DB_H
#define IPSECFW_STORE_DB_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "model/err.h"

enum { STMT_CACHE = 96 };

struct db {
	sqlite3 *h;
	bool in_tx, dirty;
	bool readonly; /* db_open_readonly: no write lock to take */
	/* The creation sequence, read once per transaction and written back at
	 * commit: one UPDATE per added object would double the cost of a big
	 * script. 0 = not loaded. */
	int64_t seq;
	struct {
		const char *sql; /* static strings: cached by address */
		sqlite3_stmt *st;
	} cache[STMT_CACHE];
	size_t n_cache;
};

/* Sets e from SQLite's last error on db, for what was being done; -1. */
int db_fail(struct db *db, struct err *e, const char *what);
/* A prepared statement for sql (a static string), cached by its address. */
sqlite3_stmt *db_stmt(struct db *db, const char *sql, struct err *e);
/* Steps st to its end and resets it; -1 with e set on failure. */
int db_step_done(struct db *db, sqlite3_stmt *st, struct err *e, const char *what);
/* The next creation sequence number of this transaction. */
int db_next_seq(struct db *db, int64_t *seq, struct err *e);

#endif
