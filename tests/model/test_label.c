// SPDX-License-Identifier: MIT
/* Names and descriptions (label.h): valid UTF-8, no control and no
 * bidirectional formatting characters, with where the first one is; a
 * store edited by hand is shown escaped. Also through field_copy, which
 * every name and description of the commands goes through. */
#include <stdio.h>

#include "model/label.h"
#include "model/policy.h"
#include "tap.h"

static void refused(const char *text, const char *want, const char *what)
{
	struct err e = { "" };

	ok(label_check(text, &e) < 0 && strstr(e.msg, want), "%s: %s", what, e.msg);
	if (!strstr(e.msg, want))
		printf("#   want '%s'\n", want);
}

static void escapes(const char *text, size_t cap, const char *want, const char *what)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "%s", text);
	label_escape(buf, cap);
	is_str(buf, want, "escaped: %s", what);
}

int main(void)
{
	struct err e;
	char field[16];

	ok(label_check("Web Server Policy", &e) == 0, "ASCII");
	ok(label_check("Pol\xc3\xadtica de r\xc3\xa9seau \xe2\x80\x93 \xe6\x97\xa5\xe6\x9c\xac "
		       "\xf0\x9f\x94\x92",
		       &e) == 0,
	   "accents, a dash, CJK and an emoji");
	ok(label_check("", &e) == 0, "empty (emptiness is the caller's rule)");

	static const struct {
		const char *text, *want, *what;
	} bad[] = {
		{ "ab\xff" "cd", "invalid UTF-8 at byte 3 (character 3)", "a stray byte" },
		{ "\xc3\xa9t\xc3", "invalid UTF-8 at byte 4 (character 3)", "a cut sequence" },
		{ "a\xc0\xaf", "invalid UTF-8 at byte 2", "an overlong '/'" },
		{ "\xed\xa0\x80", "invalid UTF-8 at byte 1", "a UTF-16 surrogate" },
		{ "\xf4\x90\x80\x80", "invalid UTF-8 at byte 1", "above U+10FFFF" },
		{ "tab\there", "control character U+0009 at character 4 (byte 4)", "a tab" },
		{ "line\nbreak", "control character U+000A", "a newline" },
		{ "esc\x1b[31m", "control character U+001B", "an escape sequence" },
		{ "del\x7f", "control character U+007F", "DEL" },
		{ "\xc3\xa9\xc2\x85", "control character U+0085 at character 2 (byte 3)",
		  "a C1 control (NEL) after a two-byte letter" },
		{ "invoice\xe2\x80\xaegpj.exe",
		  "bidirectional control character U+202E at character 8 (byte 8)",
		  "RIGHT-TO-LEFT OVERRIDE" },
		{ "a\xe2\x80\xaa", "U+202A", "LEFT-TO-RIGHT EMBEDDING" },
		{ "a\xe2\x81\xa6", "U+2066", "LEFT-TO-RIGHT ISOLATE" },
		{ "a\xe2\x81\xa9", "U+2069", "POP DIRECTIONAL ISOLATE" },
		{ "a\xe2\x80\x8e", "U+200E", "LEFT-TO-RIGHT MARK" },
		{ "a\xe2\x80\x8f", "U+200F", "RIGHT-TO-LEFT MARK" },
		{ "a\xd8\x9c", "U+061C", "ARABIC LETTER MARK" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		refused(bad[i].text, bad[i].want, bad[i].what);

	escapes("plain", 64, "plain", "a valid name is left as it is");
	escapes("Ev\xe2\x80\xaeil\xff\t", 64, "Ev\\u202Eil\\xFF\\u0009",
		"bidi, a bad byte and a tab");
	escapes("\xc3\xa9\xc3", 64, "\xc3\xa9\\xC3", "a sequence cut by a short column");
	escapes("\xff\xff\xff\xff", 10, "\\xFF\\xFF", "what does not fit is cut whole");
	char out[64] = "x\xe2\x80\xae";
	label_escape(out, sizeof(out));
	ok(label_check(out, &e) == 0, "escaped text passes the check");

	ok(field_copy(field, sizeof(field), "desc\xe2\x80\xae", "description", &e) < 0 &&
		   strstr(e.msg, "U+202E"),
	   "field_copy refuses what label_check refuses (%s)", e.msg);
	ok(field_copy(field, sizeof(field), "fine \xc3\xa9", "description", &e) == 0 &&
		   strcmp(field, "fine \xc3\xa9") == 0,
	   "field_copy copies a valid text");
	return done_testing();
}
