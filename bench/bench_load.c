// SPDX-License-Identifier: MIT
/* bench_load - loads a 100,000-line netsh script of filters into a fresh
 * store, side by side with a baseline that inserts the same number of rows
 * into SQLite with one prepared statement in one transaction (the storage
 * cost alone). Reports both times and their ratio; the target is < 5 s. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lang/session.h"

enum { LINES = 100000, ROUNDS = 3 };

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void write_script(const char *path)
{
	FILE *f = fopen(path, "w");
	if (!f)
		exit(1);
	for (int i = 0; i < LINES; i++)
		fprintf(f,
			"add filter filterlist=\"List %d\" srcaddr=198.51.100.%d dstaddr=me "
			"protocol=TCP srcport=0 dstport=%d mirrored=yes description=\"filter %d\"\n",
			i / 1000, i % 250 + 1, i / 250 + 1, i);
	fclose(f);
}

static void remove_db(const char *path)
{
	char p[256];
	unlink(path);
	snprintf(p, sizeof(p), "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", path);
	unlink(p);
}

static double load_ipsecfw(const char *script, const char *dbpath)
{
	struct db *db;
	struct session s;
	struct err e;
	FILE *in, *null = fopen("/dev/null", "w");

	remove_db(dbpath);
	if (db_open(&db, dbpath, &e) < 0 || !(in = fopen(script, "r"))) {
		fprintf(stderr, "bench: %s\n", e.msg);
		exit(1);
	}
	session_init(&s, db, null, stderr);
	double t0 = now();
	if (session_script(&s, in, script) < 0)
		exit(1);
	double t = now() - t0;
	fclose(in);
	fclose(null);
	db_close(db);
	return t;
}

static double load_raw_sqlite(const char *dbpath)
{
	sqlite3 *h;
	sqlite3_stmt *st;

	remove_db(dbpath);
	sqlite3_open(dbpath, &h);
	sqlite3_exec(h, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
			"CREATE TABLE f (id INTEGER PRIMARY KEY, list INTEGER, key TEXT, src TEXT,"
			" dport INTEGER, description TEXT, UNIQUE (list, key))",
		     NULL, NULL, NULL);
	double t0 = now();
	sqlite3_exec(h, "BEGIN", NULL, NULL, NULL);
	sqlite3_prepare_v2(h, "INSERT INTO f (list, key, src, dport, description) VALUES (?,?,?,?,?)",
			   -1, &st, NULL);
	for (int i = 0; i < LINES; i++) {
		char key[64], src[32], desc[32];
		snprintf(src, sizeof(src), "198.51.100.%d", i % 250 + 1);
		snprintf(key, sizeof(key), "%s|me|6|%d", src, i / 250 + 1);
		snprintf(desc, sizeof(desc), "filter %d", i);
		sqlite3_bind_int(st, 1, i / 1000);
		sqlite3_bind_text(st, 2, key, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 3, src, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int(st, 4, i / 250 + 1);
		sqlite3_bind_text(st, 5, desc, -1, SQLITE_TRANSIENT);
		sqlite3_step(st);
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	sqlite3_exec(h, "COMMIT", NULL, NULL, NULL);
	double t = now() - t0;
	sqlite3_close(h);
	return t;
}

int main(void)
{
	char dir[] = "/tmp/ipsecfw-bench-XXXXXX", script[64], dbpath[64];
	double best_ours = 1e9, best_raw = 1e9;

	if (!mkdtemp(dir))
		return 1;
	snprintf(script, sizeof(script), "%s/filters.netsh", dir);
	snprintf(dbpath, sizeof(dbpath), "%s/bench.db", dir);
	write_script(script);
	/* Interleaved rounds, best of each: the machine is noisy. */
	for (int r = 0; r < ROUNDS; r++) {
		double ours = load_ipsecfw(script, dbpath);
		double raw = load_raw_sqlite(dbpath);
		printf("round %d: ipsecfw %.3f s, raw sqlite %.3f s\n", r + 1, ours, raw);
		best_ours = ours < best_ours ? ours : best_ours;
		best_raw = raw < best_raw ? raw : best_raw;
	}
	printf("\n%d-line netsh filter script (best of %d)\n", LINES, ROUNDS);
	printf("  ipsecfw -f (parse, validate, store): %.3f s  (%.0f lines/s)\n", best_ours,
	       LINES / best_ours);
	printf("  baseline: raw SQLite inserts       : %.3f s\n", best_raw);
	printf("  ratio ipsecfw / baseline           : %.2fx\n", best_ours / best_raw);
	printf("  target < 5 s                       : %s\n", best_ours < 5 ? "met" : "MISSED");
	remove_db(dbpath);
	unlink(script);
	rmdir(dir);
	return 0;
}
