/* The session: command lookup, contexts, transactions, name resolution and
 * the all-or-nothing rules, against a scratch database. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lang/session.h"
#include "tap.h"

/* "two.example" has an IPv4 and an IPv6 address; nothing else resolves. */
static int stub_resolve(const char *name, struct ip_prefix *out, size_t max, size_t *n,
			struct err *e)
{
	(void)max;
	if (strcmp(name, "two.example") != 0)
		return err_set(e, "cannot resolve '%s'", name);
	memset(out, 0, 2 * sizeof(*out));
	out[0] = (struct ip_prefix){ .family = 2, .len = 32, .bytes = { 192, 0, 2, 10 } };
	out[1] = (struct ip_prefix){ .family = 10, .len = 128, .bytes = { 0x20, 0x01, 0x0d, 0xb8 } };
	*n = 2;
	return 0;
}

static struct session s;
static FILE *out;

static int line(const char *text)
{
	struct err e;
	int col;
	int rc = session_line(&s, text, strlen(text), &col, &e);
	if (rc < 0)
		printf("# %s (col %d)\n", e.msg, col);
	return rc;
}

static size_t count(const char *list)
{
	struct filterlist l;
	struct err e;
	size_t n = 0;
	if (db_filterlist_find(s.db, s.store, list, NULL, &l, &e) == 1)
		db_filter_count(s.db, l.id, &n, &e);
	return n;
}

int main(void)
{
	char path[] = "/tmp/ipsecfw-test-XXXXXX";
	char *buf = NULL;
	size_t len = 0;
	struct db *db;
	struct err e;

	if (!mkdtemp(path))
		return 1;
	char dbpath[64];
	snprintf(dbpath, sizeof(dbpath), "%s/t.db", path);
	ok(db_open(&db, dbpath, &e) == 0, "open a scratch store");
	out = open_memstream(&buf, &len);
	session_init(&s, db, out, out);
	s.resolve = stub_resolve;
	s.allow_files = false;

	ok(line("netsh ipsec static add policy name=P") == 0, "netsh prefix");
	ok(line("add filteraction Pass action=permit") == 0, "bare line, positional name");
	ok(line("ADD FILTERA name=Block act=BLOCK") == 0, "case-insensitive, prefixes");
	ok(line("add filter filterlist=L srcaddr=two.example dstaddr=me protocol=TCP dstport=80") == 0,
	   "a host name with two addresses");
	ok(count("L") == 2, "one filter per address (%zu)", count("L"));
	ok(line("add filter filterlist=L2 srcaddr=two.example dstaddr=198.51.100.1") == 0,
	   "a name beside an IPv4 peer");
	ok(count("L2") == 1, "only the matching family is kept (%zu)", count("L2"));
	ok(line("add filter filterlist=L3 srcaddr=nowhere.example dstaddr=me") < 0,
	   "an unresolvable name fails");
	ok(count("L3") == 0, "and creates no list");
	ok(line("add rule name=R policy=P filterlist=L filteraction=Pass") == 0, "a rule");
	ok(line("add rule name=r policy=P filterlist=L filteraction=Block") < 0,
	   "rule names are unique per policy, case-insensitively");

	ok(line("dynamic") == 0 && s.ctx == CTX_DYNAMIC, "a context line switches");
	ok(line("set config ipsecdiagnostics 7") == 0, "dynamic set config, positional");
	ok(line("add policy name=X") < 0, "static commands do not exist in dynamic");
	ok(line("pushd static") == 0 && s.ctx == CTX_STATIC, "pushd");
	ok(line("popd") == 0 && s.ctx == CTX_DYNAMIC, "popd");
	ok(line("popd") < 0, "popd on an empty stack fails");
	ok(line("netsh ipsec static show store") == 0 && s.ctx == CTX_DYNAMIC,
	   "a prefixed line does not change the context");
	ok(line("static") == 0, "back to static");

	/* Batching: one transaction across commands until disabled. */
	int64_t before = db_change_counter(db);
	ok(line("set batch enable") == 0, "batch on");
	ok(line("add filterlist name=B1") == 0 && line("add filterlist name=B2") == 0,
	   "two batched commands");
	ok(line("add filterlist name=B1") < 0, "a failing batched command");
	ok(count("B1") == 0 && line("delete filterlist B2") == 0, "earlier batched work survives");
	ok(line("set batch disable") == 0, "batch off commits");
	ok(db_change_counter(db) == before + 1, "one change for the batch");

	ok(line("exportpolicy file=/tmp/x") < 0, "files are refused when not allowed");
	ok(line("rem a comment") == 0 && line("# another") == 0, "comments");
	ok(line("exit") == 0 && s.quit, "exit");

	fclose(out);
	free(buf);
	db_close(db);
	unlink(dbpath);
	char wal[80];
	snprintf(wal, sizeof(wal), "%s-wal", dbpath);
	unlink(wal);
	snprintf(wal, sizeof(wal), "%s-shm", dbpath);
	unlink(wal);
	rmdir(path);
	return done_testing();
}
