/* The netsh tokenizer and tag binding (SPEC §1). */
#include <string.h>

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

	ok(lex("add policy name=\"open", &t, &col, &e) < 0 && col == 17, "unterminated quote at %d",
	   col);
	ok(lex("add \x01 policy", &t, &col, &e) < 0 && col == 5, "control character at %d", col);
	ok(lex("add policy =x", &t, &col, &e) < 0, "'=' without a tag");
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
	ok(args_bind(params, 6, &t, 0, &b, &col, &e) < 0 && strstr(e.msg, "ambiguous"),
	   "ambiguous prefix: %s", e.msg);
	ok(col == 8, "error column points at the tag (%d)", col);
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

	bool yes;
	ok(parse_yes_no("Y", &yes) == 0 && yes, "Y is yes");
	ok(parse_yes_no("no", &yes) == 0 && !yes, "no is no");
	ok(parse_yes_no("true", &yes) < 0, "true is not netsh");
	return done_testing();
}
