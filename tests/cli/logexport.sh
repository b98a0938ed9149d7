#!/bin/sh
# SPDX-License-Identifier: MIT
# `ipsecfw log export` of a fixed event log: W3C (ours and Log Parser's
# fields), CSV and JSON against golden files; the W3C output read back by
# the format's rules; --since/--until; appending to a file with the same
# fields and a new file when they differ; bad options; CSV fields that a
# spreadsheet would run as formulas neutralised.
. "$(dirname "$0")/lib.sh"
F="$IPSECFW"
G="$SRCDIR/tests/golden/log"
READ="$SRCDIR/tests/tools/w3cread.py"
export IPSECFW_LOG_DIR="$G"
export IPSECFW_COMPUTER=web1

# The #Date directive says when the export ran: the one line that varies.
export_to() { # file args...
	out=$1
	shift
	"$F" log export "$@" 2>"$T/err" | grep -v '^#Date: ' >"$out"
}

export_to "$T/w3c" --format w3c
same "$G/export.w3c" "$T/w3c" "W3C export, our fields"
"$F" log export >"$T/full.w3c" 2>/dev/null
python3 "$READ" "$T/full.w3c" >"$T/read" 2>&1
ok $? "the W3C export reads back by the format's rules"
grep -q '"policy": "P%C3%A9 \\"quoted\\"", "protocol": "UDP", "rule": "\\"Odd\\" 100%25 name"' "$T/read"
ok $? "names: quotes doubled inside strings, '%' and non-ASCII bytes as %XX"
grep -q "1 line(s) of .* not events; skipped" "$T/err"
ok $? "a line that is not an event is skipped and counted"

export_to "$T/evt" --evt-fields
same "$G/export-evt.w3c" "$T/evt" "W3C export, Log Parser's EVT fields"
"$F" log export --evt-fields >"$T/evt-full" 2>/dev/null && python3 "$READ" "$T/evt-full" >/dev/null
ok $? "the EVT-field export reads back too"

export_to "$T/csv" --format csv
same "$G/export.csv" "$T/csv" "CSV export"
"$F" -j log export >"$T/json" 2>/dev/null && python3 -c '
import json, sys
ev = json.load(open(sys.argv[1]))
assert [e["id"] for e in ev] == [4291, 4294, 4280, 4281, 4280, 4292], ev
' "$T/json"
ok $? "JSON export: every event, in order"

n=$("$F" log export --since 2026-11-25 --until "2026-11-25 08:00:01" 2>/dev/null | grep -vc '^#')
[ "$n" = 2 ]
ok $? "--since and --until bound the events by time (got $n)"
n=$("$F" log export --since 2026-11-25T08:00:02Z --until 2026-11-25 2>/dev/null | grep -vc '^#')
[ "$n" = 1 ]
ok $? "--until with a bare date means the end of that day (got $n)"

"$F" log export --until 2026-11-25 -o "$T/ipsec.log" 2>/dev/null &&
	"$F" log export --since 2026-11-26 -o "$T/ipsec.log" 2>"$T/err"
[ "$(grep -c '^#Fields' "$T/ipsec.log")" = 1 ] && [ "$(grep -vc '^#' "$T/ipsec.log")" = 6 ] &&
	grep -q "appended to" "$T/err"
ok $? "-o appends to a file with the same #Fields"
"$F" log export --evt-fields -o "$T/ipsec.log" 2>"$T/err"
[ -f "$T/ipsec.log.1" ] && grep -q EventLog "$T/ipsec.log.1" && ! grep -q EventLog "$T/ipsec.log"
ok $? "other fields go to a new file: $(head -1 "$T/err")"

# CSV injection: a field that starts with = + - @ (or a tab or CR) is a
# formula to a spreadsheet; it is quoted with a leading single quote.
mkdir "$T/formula"
python3 - "$T/formula/events.log" <<'PY'
import json, sys
names = ['=HYPERLINK("http://203.0.113.9/x","y")', "+1+1", "-2+3", "@SUM(1,2)", "\tx", "\r=1",
         "a=b", "", "Plain"]
with open(sys.argv[1], "w") as f:
    for i, n in enumerate(names):
        f.write(json.dumps({"id": 4280, "time": "2026-11-25T08:00:%02dZ" % i, "rule": n,
                            "policy": "P", "direction": "in", "protocol": "TCP"}) + "\n")
PY
"$F" log export --log-dir "$T/formula" --format csv >"$T/formula.csv" 2>"$T/err"
python3 - "$T/formula.csv" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
rules = [r[12] for r in rows[1:]]
want = ["'=HYPERLINK(\"http://203.0.113.9/x\",\"y\")", "'+1+1", "'-2+3", "'@SUM(1,2)", "'\tx",
        "'\r=1", "a=b", "", "Plain"]
assert rules == want, rules
for r in rows[1:]:
    for v in r:
        assert not v or v[0] not in "=+-@\t\r", r
PY
ok $? "CSV: fields starting with = + - @ tab or CR get a leading single quote"
grep -q "^2026-11-25,08:00:00,4280,drop,in,TCP,,,,,,,\"'=HYPERLINK(" "$T/formula.csv"
ok $? "CSV: the neutralised field is quoted"

"$F" log export --since yesterday >/dev/null 2>"$T/err"
[ $? = 2 ] && grep -q -- "--since: 'yesterday' is not a time" "$T/err"
ok $? "a bad --since is refused, naming the option"
"$F" log export --format xml >/dev/null 2>"$T/err"
[ $? = 2 ] && grep -q -- "--format: 'xml'" "$T/err"
ok $? "a bad --format is refused"
IPSECFW_LOG_DIR="$T/none" "$F" log export >/dev/null 2>"$T/err"
[ $? = 1 ] && grep -q "no event log" "$T/err"
ok $? "no event log: a clear error"

done_testing
