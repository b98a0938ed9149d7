// SPDX-License-Identifier: MIT
/* The netsh tokenizer and tag binding (SPEC §1). */
#include <string.h>
#include <strings.h>

#include "lang/args.h"
#include "lang/lexer.h"
#include "tap.h"

static int lex(const char *line, struct tokens *t, int *col, struct err *e)
{
	return lex_line(line, strlen(line), t, col, e);
}

int main(void)
{
	struct tokens t;
	struct err e;
	int col;

	ok(lex("add policy name=\"Web Server\" description=x", &t, &col, &e) == 0 && t.n == 4,
	   "four tokens");
	ok(t.v[2].tag && strcmp(t.v[2].tag, "name") == 0 && strcmp(t.v[2].value, "Web Server") == 0,
	   "quoted value keeps its blank");
	ok(t.v[2].col == 12 && t.v[2].value_col == 17, "columns are 1-based (%d, %d)", t.v[2].col,
	   t.v[2].value_col);
	tokens_free(&t);

	ok(lex("add policy name=\"open", &t, &col, &e) < 0 && col == 17 &&
		   strcmp(e.msg, "name: unterminated quote") == 0,
	   "unterminated quote at %d, named by its tag, the value not echoed", col);
	ok(lex("add \"open", &t, &col, &e) < 0 && col == 5 &&
		   strstr(e.msg, "untagged word") && !strstr(e.msg, "open"),
	   "an untagged word's unterminated quote");
	ok(lex("add \x01 policy", &t, &col, &e) < 0 && col == 5, "control character at %d", col);
	ok(lex("=x add", &t, &col, &e) < 0 && col == 1 && strstr(e.msg, "'=' without a tag"),
	   "'=' without a tag");
	ok(lex("add name=a =x", &t, &col, &e) < 0 && col == 12, "'=' after a tagged word");
	ok(lex("add \"quoted\" = x", &t, &col, &e) < 0, "a quoted word is never a tag");
	ok(lex("add policy na&me=x", &t, &col, &e) < 0 && strstr(e.msg, "bad tag") && !strstr(e.msg, "na&me") &&
		   col == 12,
	   "a bad tag is refused without echoing it (fuzz find: the message read freed memory)");
	ok(lex("add policy name=x\r\n", &t, &col, &e) == 0 && strcmp(t.v[2].value, "x") == 0,
	   "CRLF line endings");
	tokens_free(&t);
	ok(lex("   ", &t, &col, &e) == 0 && t.n == 0, "blank line");
	tokens_free(&t);

	static const struct param params[] = {
		{ "name", P_REQUIRED }, { "description", 0 }, { "srcaddr", 0 },
		{ "srcmask", 0 },       { "guid", P_TAGGED }, { "rootca", P_REPEAT },
	};
	struct bound b;
	lex("x y srca=me", &t, &col, &e);
	ok(args_bind(params, 6, &t, 0, &b, &col, &e) == 0, "positional values and a prefix");
	ok(strcmp(args_get(&b, "name"), "x") == 0 && strcmp(args_get(&b, "description"), "y") == 0 &&
		   strcmp(args_get(&b, "srcaddr"), "me") == 0,
	   "values land on their parameters");
	tokens_free(&t);

	lex("name=a src=me", &t, &col, &e);
	ok(args_bind(params, 6, &t, 0, &b, &col, &e) == 0 && args_get(&b, "srcaddr") &&
		   !args_get(&b, "srcmask"),
	   "a shared prefix means the tag declared first (srcaddr before srcmask)");
	tokens_free(&t);

	lex("name=a SRCM=24", &t, &col, &e);
	ok(args_bind(params, 6, &t, 0, &b, &col, &e) == 0 && args_get(&b, "srcmask"),
	   "a longer prefix picks the one tag it fits, in any case");
	tokens_free(&t);

	lex("name=a zz=b", &t, &col, &e);
	ok(args_bind(params, 6, &t, 0, &b, &col, &e) < 0 && col == 8 && strstr(e.msg, "unknown tag 'zz'"),
	   "error column points at the tag (%d)", col);
	tokens_free(&t);

	lex("description=a", &t, &col, &e);
	ok(args_bind(params, 6, &t, 0, &b, &col, &e) < 0 && strstr(e.msg, "name: required"),
	   "missing required: %s", e.msg);
	tokens_free(&t);

	lex("name=a colour=b", &t, &col, &e);
	ok(args_bind(params, 6, &t, 0, &b, &col, &e) < 0 && strstr(e.msg, "unknown tag 'colour'"),
	   "unknown tag: %s", e.msg);
	tokens_free(&t);

	lex("name=a name=b", &t, &col, &e);
	ok(args_bind(params, 6, &t, 0, &b, &col, &e) < 0, "duplicate tag: %s", e.msg);
	tokens_free(&t);

	lex("name=a rootca=x rootca=y", &t, &col, &e);
	ok(args_bind(params, 6, &t, 0, &b, &col, &e) == 0 && b.n_seq == 3,
	   "a repeatable tag keeps every value in order");
	tokens_free(&t);

	lex("a b c d e f", &t, &col, &e);
	ok(args_bind(params, 6, &t, 0, &b, &col, &e) < 0, "tagged-only parameters are not positional");
	tokens_free(&t);

	/* Spaces around '=' (netsh reads them as one tag=value). */
	static const char *const spaced[] = { "name = web", "name= web", "name =web", "name=web",
					       "NAME = \"web\"", "name\t=\tweb" };
	for (size_t k = 0; k < sizeof(spaced) / sizeof(spaced[0]); k++) {
		ok(lex(spaced[k], &t, &col, &e) == 0 && t.n == 1 && t.v[0].tag &&
			   strcasecmp(t.v[0].tag, "name") == 0 && strcmp(t.v[0].value, "web") == 0,
		   "'%s' is name=web", spaced[k]);
		tokens_free(&t);
	}
	ok(lex("name = \"Web Server\" desc = x", &t, &col, &e) == 0 && t.n == 2 &&
		   strcmp(t.v[0].value, "Web Server") == 0 && strcmp(t.v[1].tag, "desc") == 0 &&
		   t.v[1].value_col == 28,
	   "a quoted value after ' = ', and the next pair's value column");
	tokens_free(&t);
	ok(lex("description= mmpfs=yes", &t, &col, &e) == 0 && t.n == 2 &&
		   strcmp(t.v[0].value, "") == 0 && strcmp(t.v[1].tag, "mmpfs") == 0,
	   "'tag=' before another tag=value stays empty");
	tokens_free(&t);
	ok(lex("name = ", &t, &col, &e) == 0 && t.n == 1 && strcmp(t.v[0].value, "") == 0,
	   "'tag =' at the end of the line is empty");
	tokens_free(&t);
	ok(lex("add 10.0.0.1 = x", &t, &col, &e) < 0 && strstr(e.msg, "bad tag") && !strstr(e.msg, "10.0.0.1"),
	   "the word before ' = ' must be a tag: %s", e.msg);

	/* An untagged word bound to an optional tag says so when it is bad. */
	static const struct param pol[] = {
		{ "name", P_REQUIRED }, { "description", 0 }, { "pollinginterval", 0 },
	};
	lex("South Korea 7 x", &t, &col, &e);
	ok(args_bind(pol, 3, &t, 0, &b, &col, &e) < 0 && strstr(e.msg, "no parameter is left"),
	   "a word too many: %s", e.msg);
	tokens_free(&t);
	lex("Web Server Korea", &t, &col, &e);
	long minutes;
	ok(args_bind(pol, 3, &t, 0, &b, &col, &e) == 0 &&
		   args_long(&b, "pollinginterval", 1, 100, &minutes, &e) < 0 &&
		   strstr(e.msg, "pollinginterval: expected") &&
		   strstr(e.msg, "the word 'Korea' was read as pollinginterval, by position") &&
		   b.err_col == 12,
	   "positional binding is named: %s", e.msg);
	tokens_free(&t);
	lex("name=Web pollinginterval=Korea", &t, &col, &e);
	ok(args_bind(pol, 3, &t, 0, &b, &col, &e) == 0 &&
		   args_long(&b, "pollinginterval", 1, 100, &minutes, &e) < 0 &&
		   !strstr(e.msg, "by position"),
	   "a tagged value is not said to be positional");
	tokens_free(&t);
	lex("Web x description=y", &t, &col, &e);
	ok(args_bind(pol, 3, &t, 0, &b, &col, &e) < 0 &&
		   strstr(e.msg, "the word 'x' was read as description, by position"),
	   "given twice, once by position: %s", e.msg);
	tokens_free(&t);

	/* Invisible characters are shown escaped. */
	err_set(&e, "no policy named 'Web\xc2\xa0Server\xe2\x80\x8b' \xef\xbb\xbf\xe2\x80\x8d");
	err_show_invisible(&e);
	is_str(e.msg, "no policy named 'Web\\u00a0Server\\u200b' \\ufeff\\u200d",
	       "NBSP, zero-width characters and BOM escaped");
	err_set(&e, "caf\xc3\xa9 \xe2\x80\x94");
	err_show_invisible(&e);
	is_str(e.msg, "caf\xc3\xa9 \xe2\x80\x94", "visible UTF-8 stays");

	char long_text[1200];
	memset(long_text, 'x', 1000);
	memcpy(long_text + 1000, "\xc2\xa0", 3);
	text_show_invisible(long_text, sizeof(long_text));
	ok(strlen(long_text) == 1006 && strcmp(long_text + 1000, "\\u00a0") == 0,
	   "a warning longer than an error message is escaped whole");

	bool yes;
	ok(parse_yes_no("Y", &yes) == 0 && yes, "Y is yes");
	ok(parse_yes_no("no", &yes) == 0 && !yes, "no is no");
	ok(parse_yes_no("true", &yes) < 0, "true is not netsh");
	return done_testing();
}
