// SPDX-License-Identifier: MIT
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

/* Runs size bytes of text as a script; *msgs gets what it printed
 * (caller frees). */
static int script_bytes(const char *text, size_t size, bool keep_going, char **msgs)
{
	FILE *in = fmemopen((void *)text, size, "r");
	size_t len = 0;
	FILE *saved = s.err;
	int rc;

	s.err = open_memstream(msgs, &len);
	s.keep_going = keep_going;
	rc = session_script(&s, in, "t.netsh");
	fclose(s.err);
	fclose(in);
	s.err = saved;
	s.keep_going = false;
	for (const char *l = *msgs; *l;) { /* TAP: every line a comment */
		size_t n = strcspn(l, "\n");
		printf("# %.*s\n", (int)n, l);
		l += n + (l[n] == '\n');
	}
	return rc;
}

static int script(const char *text, bool keep_going, char **msgs)
{
	return script_bytes(text, strlen(text), keep_going, msgs);
}

static int refuse_commit(struct session *ss, struct err *e)
{
	(void)ss;
	return err_set(e, "the kernel refused the ruleset");
}

static bool policy_exists(const char *name)
{
	struct policy p;
	struct err e;
	return db_policy_find(s.db, s.store, name, NULL, &p, &e) == 1;
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

	/* Windows netsh leniency. */
	ok(line("NETSH.EXE ipsec static add policy name = Spaced") == 0 && policy_exists("Spaced"),
	   "netsh.exe prefix in capitals, spaces around '='");
	ok(line("C:\\Windows\\System32\\netsh.exe ipsec static add filterlist name= FL1") == 0,
	   "a path to netsh.exe, 'tag= value'");
	ok(line("Netsh Ipsec Static add filter filterlist =FL1 srcaddr = any dstaddr= me "
		"protocol=TCP dstport =443") == 0 && count("FL1") == 1,
	   "mixed case, every form of spaces around '='");
	ok(line("add rule name=R2 policy=Spaced filter=FL1 filteraction=Permit") == 0,
	   "filter= is filterlist= in add rule (declared first)");
	ok(line("add filteraction name=Q action=negotiate "
		"qmsec=\"ESP[3DES,SHA1]:3600s ESP[3DES,SHA1]:100000k AH[MD5]:50k/60s\"") == 0,
	   "quick-mode lifetimes in seconds only, kilobytes only, or both");
	ok(line("add filteraction name=Q2 action=negotiate qmsec=ESP[3DES,SHA1]:3600s/100k") < 0,
	   "seconds before kilobytes is refused");
	struct err e2;
	int col2;
	const char *dup = "add filter FL1 any me protocol=TCP dstport=443";
	ok(session_line(&s, dup, strlen(dup), &col2, &e2) < 0 &&
		   strstr(e2.msg, "add filter: filter list 'FL1' already has the filter "
				  "srcaddr=any dstaddr=me protocol=TCP dstport=443") &&
		   !strstr(e2.msg, "|") && col2 == 16,
	   "a duplicate filter is described as written: %s (col %d)", e2.msg, col2);

	/* Scripts: BOM, batch-file lines, the two error policies. */
	char *msgs = NULL;
	ok(script("\xef\xbb\xbf@echo off\r\nrem netsh comment\r\n:: note\r\n:start\r\n"
		  "echo Adding the policy\r\n@rem quiet\r\n"
		  "netsh ipsec static add policy name = Bom\r\n",
		  false, &msgs) == 0 &&
		   policy_exists("Bom"),
	   "a BOM and batch lines are skipped");
	ok(strstr(msgs, "t.netsh:1: note: skipped a batch file's 'echo' command") &&
		   !strstr(msgs, "t.netsh:2:") && strstr(msgs, "t.netsh:3: note: skipped a batch file's '::' comment") &&
		   strstr(msgs, "t.netsh:4: note: skipped a batch file's ':' label") &&
		   strstr(msgs, "t.netsh:6: note: skipped a batch file's '@rem' comment") &&
		   !strstr(msgs, "error"),
	   "each batch line gets a note; netsh's own rem does not");
	free(msgs);

	ok(script("add policy name=A1\nadd policy name=A2 pollinginterval=x\nadd policy name=A3\n",
		  false, &msgs) < 0 && !policy_exists("A1") && !policy_exists("A3"),
	   "all or nothing: nothing applied");
	ok(strstr(msgs, "t.netsh:2:36: error: add policy: pollinginterval:") &&
		   strstr(msgs, "t.netsh: line 2 was refused, so nothing was applied; in force: "
				"persistent none, local none"),
	   "the message names the line, says nothing was applied and what is in force");
	free(msgs);

	ok(script("add policy name=K1\nadd policy name=K2 pollinginterval=x\n"
		  "add policy K3 d no 1 1 yes Korea\nadd policy name=K4\n",
		  true, &msgs) < 0 && policy_exists("K1") && !policy_exists("K2") &&
		   !policy_exists("K3") && policy_exists("K4"),
	   "keep going: exactly the good lines are applied");
	ok(strstr(msgs, "t.netsh:2:36: error:") &&
		   strstr(msgs, "t.netsh:3:28: error: add policy: pollinginterval: expected") &&
		   strstr(msgs, "the word 'Korea' was read as pollinginterval, by position") &&
		   strstr(msgs, "t.netsh: 4 commands, 2 applied, 2 refused"),
	   "every refused line is reported, then a summary");
	free(msgs);

	ok(script("add policy name=B1x\nset batch mode=disable\nadd policy name=B1x\n"
		  "add policy name=B2x\n",
		  false, &msgs) < 0 && policy_exists("B1x") && policy_exists("B2x"),
	   "batching turned off in a script: like keep going from there");
	ok(strstr(msgs, "t.netsh:3:") && strstr(msgs, "t.netsh: 4 commands, 3 applied, 1 refused"),
	   "with the same summary");
	free(msgs);

	ok(script("add policy name=C1\nset batch mode=enable\nadd policy name=C2\n"
		  "add policy name=C2\nadd policy name=C3\n",
		  true, &msgs) < 0 && policy_exists("C1") && !policy_exists("C2") &&
		   !policy_exists("C3"),
	   "batching turned on under keep going: the open batch is all or nothing");
	ok(strstr(msgs, "t.netsh: line 4 was refused, so the batch from line 3 on was not applied "
			"(2 earlier commands stay)"),
	   "and the message says which part was rolled back");
	free(msgs);

	s.before_commit = refuse_commit;
	ok(script("add policy name=D1\n", false, &msgs) < 0 && !policy_exists("D1") &&
		   strstr(msgs, "t.netsh: error: the kernel refused the ruleset") &&
		   strstr(msgs, "t.netsh: the commit failed, so nothing was applied; in force:"),
	   "a failed commit says nothing was applied");
	free(msgs);
	s.before_commit = NULL;

	ok(script_bytes("\xff\xfe" "a\0d\0d\0\n\0", 10, false, &msgs) < 0 &&
		   strstr(msgs, "t.netsh:1:4: error: the script is UTF-16"),
	   "a UTF-16 script is named as such");
	free(msgs);

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
