#!/bin/sh
# SPDX-License-Identifier: MIT
# Scripts written the way Windows admins write them (tests/scripts/*.cmd:
# @echo off, rem and :: comments, labels, NETSH in capitals, netsh.exe,
# spaces around '=', a byte-order mark, CRLF), each run two ways: with -f,
# and line by line as cmd.exe would run it (each line's words as argv).
# Either way, the probes in NAME.expect must give their verdicts. Then the
# two error policies: all or nothing by default, exactly the good lines
# with -k, proved with `-j static show all` before and after.
. "$(dirname "$0")/lib.sh"

FACTS="$SRCDIR/examples/webserver.facts"

# Runs each line of a batch file as cmd.exe would start netsh: batch-only
# lines are cmd.exe's own, quotes group words and are removed
# (CommandLineToArgvW), and the words become ipsecfw's argv.
run_as_argv() { # ipsecfw script
	python3 - "$@" <<'END'
import shlex, subprocess, sys
ipsecfw, path = sys.argv[1], sys.argv[2]
text = open(path, encoding="utf-8-sig").read()
for n, line in enumerate(text.splitlines(), 1):
    word = line.strip().lstrip("@").split(" ")[0].lower()
    if not line.strip() or word in ("echo", "rem") or line.strip().startswith(":"):
        continue
    lex = shlex.shlex(line, posix=True)
    lex.whitespace_split = True
    lex.escape = ""
    rc = subprocess.call([ipsecfw] + list(lex), stdout=subprocess.DEVNULL)
    if rc != 0:
        print("# %s:%d: exit %d" % (path, n, rc))
        sys.exit(1)
END
}

# Checks every probe of an .expect file: "VERDICT test-arguments...".
probes() { # expect-file how
	bad=0
	while read -r want args; do
		[ -n "$want" ] || continue
		# shellcheck disable=SC2086 # the probe's words
		got=$("$IPSECFW" --facts "$FACTS" test $args | awk 'NR == 1 { print $1 }')
		if [ "$got" != "$want" ]; then
			echo "# $1 ($2): test $args: got $got, want $want"
			bad=1
		fi
	done <"$1"
	ok $bad "$(basename "$1" .expect): every probe's verdict ($2)"
}

for script in "$SRCDIR"/tests/scripts/*.cmd; do
	name=$(basename "$script" .cmd)
	rm -f "$IPSECFW_DB"
	"$IPSECFW" -f "$script" >/dev/null 2>"$T/err"
	ok $? "$name: runs with -f"
	if grep -q "error" "$T/err"; then
		sed 's/^/#   /' "$T/err"
		ok 1 "$name: no errors with -f"
	else
		ok 0 "$name: no errors with -f"
	fi
	probes "$SRCDIR/tests/scripts/$name.expect" "-f"
	"$IPSECFW" -j static show all >"$T/f.json"

	rm -f "$IPSECFW_DB"
	run_as_argv "$IPSECFW" "$script" 2>"$T/err"
	ok $? "$name: runs line by line as argv"
	probes "$SRCDIR/tests/scripts/$name.expect" "argv"
	"$IPSECFW" -j static show all >"$T/argv.json"
	same "$T/f.json" "$T/argv.json" "$name: both ways build the same store"
done

# The batch lines got their notes, and netsh's own rem none.
rm -f "$IPSECFW_DB"
"$IPSECFW" -f "$SRCDIR/tests/scripts/web-lockdown.cmd" >/dev/null 2>"$T/err"
grep -q "web-lockdown.cmd:1: note: skipped a batch file's 'echo' command" "$T/err" &&
	grep -q "web-lockdown.cmd:5: note: skipped a batch file's '::' comment" "$T/err" &&
	! grep -q "web-lockdown.cmd:2:" "$T/err"
ok $? "batch lines are skipped with a note"

# A script with two bad lines in the middle.
cat >"$T/good.netsh" <<'END'
netsh ipsec static add policy name = "Kiosk" assign=yes
netsh ipsec static add filteraction name = Block action = block
netsh ipsec static add filter filterlist = "Telnet" srcaddr = any dstaddr = me protocol = TCP dstport = 23
netsh ipsec static add rule name = "No Telnet" policy = "Kiosk" filterlist = "Telnet" filteraction = Block
END
cat >"$T/bad.netsh" <<'END'
netsh ipsec static add policy name = "Kiosk" assign=yes
netsh ipsec static add filteraction name = Block action = block
netsh ipsec static add filteraction name = Maybe action = perhaps
netsh ipsec static add filter filterlist = "Telnet" srcaddr = any dstaddr = me protocol = TCP dstport = 23
netsh ipsec static add filter filterlist = "Telnet" srcaddr = any dstaddr = me protocol = TCP dstport = 23
netsh ipsec static add rule name = "No Telnet" policy = "Kiosk" filterlist = "Telnet" filteraction = Block
END
rm -f "$IPSECFW_DB"
"$IPSECFW" -f "$T/good.netsh" 2>/dev/null
"$IPSECFW" -j static show all >"$T/want.json"
rm -f "$IPSECFW_DB"
"$IPSECFW" -j static show all >"$T/before.json"

"$IPSECFW" -f "$T/bad.netsh" >/dev/null 2>"$T/err"
[ $? -ne 0 ]
ok $? "all or nothing: a bad script fails"
"$IPSECFW" -j static show all >"$T/after.json"
same "$T/before.json" "$T/after.json" "all or nothing: nothing was applied"
grep -q "bad.netsh:3:59: error: add filteraction: action: expected permit, block, negotiate, not 'perhaps'" "$T/err" &&
	grep -q "bad.netsh: line 3 was refused, so nothing was applied; in force: persistent none, local none" "$T/err"
ok $? "all or nothing: the line, the tag, the reason, and what is in force"

"$IPSECFW" -k -f "$T/bad.netsh" >/dev/null 2>"$T/err"
[ $? -ne 0 ]
ok $? "keep going: a script with refused lines exits non-zero"
"$IPSECFW" -j static show all >"$T/after.json"
same "$T/want.json" "$T/after.json" "keep going: exactly the good lines were applied"
grep -q "bad.netsh:3:59: error: add filteraction: action:" "$T/err" &&
	grep -q "bad.netsh:5:63: error: add filter: filter list 'Telnet' already has the filter srcaddr=any dstaddr=me protocol=TCP dstport=23" "$T/err" &&
	grep -q "bad.netsh: 6 commands, 4 applied, 2 refused" "$T/err"
ok $? "keep going: every refused line, then the summary"
"$IPSECFW" --facts "$FACTS" test in tcp 203.0.113.9:40000 me:23 | grep -q "^DROP"
ok $? "keep going: the policy the good lines made is in force"

rm -f "$IPSECFW_DB"
"$IPSECFW" --keep-going -f "$T/good.netsh" >/dev/null 2>"$T/err"
[ $? -eq 0 ] && grep -q "good.netsh: 4 commands, 4 applied, 0 refused" "$T/err"
ok $? "keep going: a clean script exits 0 with its summary"

# The command line: separate words around '=', netsh prefixes, messages.
rm -f "$IPSECFW_DB"
"$IPSECFW" static add policy name = "Spaced Out" description= "two words" 2>"$T/err" &&
	"$IPSECFW" NETSH.EXE IPSEC STATIC show policy name ="Spaced Out" >"$T/out" &&
	grep -q "Description *: two words" "$T/out"
ok $? "argv: words around '=' and a netsh.exe prefix"
"$IPSECFW" static add policy name = "Eq" description= "a=b" &&
	"$IPSECFW" static show policy Eq | grep -q "Description *: a=b"
ok $? "argv: a value holding '=' after a separate '='"
"$IPSECFW" netsh ipsec static add policy Seoul Office no 1 1 yes Korea >/dev/null 2>"$T/err"
[ $? -ne 0 ] && grep -qF "ipsecfw: error: add policy: pollinginterval: expected an integer 1..35791394, not 'Korea' (the word 'Korea' was read as pollinginterval, by position)" "$T/err"
ok $? "argv: a word bound by position is named in the refusal"
"$IPSECFW" static add policy name "=" >/dev/null 2>"$T/err"
[ $? -ne 0 ] && grep -qF "add policy: name: a policy name cannot be empty" "$T/err"
ok $? "argv: a tag left without a value is refused by name"

printf '\377\376a\000d\000d\000\n\000' >"$T/u16.netsh"
"$IPSECFW" -f "$T/u16.netsh" >/dev/null 2>"$T/err"
[ $? -ne 0 ] && grep -q "u16.netsh:1:4: error: the script is UTF-16 (Unicode); save it as UTF-8 or ANSI" "$T/err"
ok $? "a UTF-16 script is named as such"

"$IPSECFW" -k static show store >/dev/null 2>&1
[ $? -eq 2 ]
ok $? "-k without a script is a usage error"

done_testing
