#!/bin/sh
# SPDX-License-Identifier: MIT
# Commands that only read the store open it read-only: a user the store is
# readable to may view it (show, -j, test, analyze) but not change it; one
# it is not readable to gets a clear refusal, not a crash. Needs root to
# become nobody (skips otherwise).
. "$(dirname "$0")/lib.sh"
F="$IPSECFW"
if [ "$(id -u)" -ne 0 ] || ! command -v setpriv >/dev/null; then
	echo "1..0 # SKIP needs root and setpriv to run as nobody"
	exit 0
fi
as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
"$F" static add policy name=Web description=web >/dev/null &&
	"$F" static add filterlist name=FL >/dev/null &&
	"$F" static add filter filterlist=FL srcaddr=any dstaddr=192.0.2.1 protocol=tcp dstport=22 >/dev/null &&
	"$F" static add filteraction name=Blk action=block >/dev/null &&
	"$F" static add rule name=R policy=Web filterlist=FL filteraction=Blk >/dev/null &&
	"$F" static set policy name=Web assign=yes >/dev/null
ok $? "setup as root"

# A copy nobody owns, read-only (0400) in a folder of nobody's.
chmod 755 "$T"
mkdir "$T/view"
"$F" -j static show all >"$T/root.json"
cp "$IPSECFW_DB" "$T/view/ipsecfw.db"
chown -R nobody "$T/view"
chmod 0400 "$T/view/ipsecfw.db"
V="$T/view/ipsecfw.db"
as_nobody env IPSECFW_DB="$V" "$F" -j static show all >"$T/nobody.json" 2>"$T/err"
[ $? = 0 ] && cmp -s "$T/root.json" "$T/nobody.json"
ok $? "a reader's -j static show all is root's ($(head -c 200 "$T/err"))"
as_nobody env IPSECFW_DB="$V" "$F" static show policy name=Web >"$T/out" 2>&1 && grep -q "Web" "$T/out"
ok $? "static show policy as text"
as_nobody env IPSECFW_DB="$V" "$F" -j show table >"$T/out" 2>&1 && grep -q "192.0.2.1" "$T/out"
ok $? "show table"
as_nobody env IPSECFW_DB="$V" "$F" -j test out tcp 198.51.100.1:1000 192.0.2.1:22 >"$T/out" 2>&1 &&
	grep -q '"verdict": "DROP"' "$T/out"
ok $? "test out tcp ... : the verdict"
as_nobody env IPSECFW_DB="$V" "$F" -j analyze >"$T/out" 2>&1
ok $? "analyze"
as_nobody env IPSECFW_DB="$V" "$F" static exportpolicy file="$T/view/export.netsh" >"$T/out" 2>&1 &&
	grep -q 'add policy name=Web' "$T/view/export.netsh"
ok $? "exportpolicy ($(tr '\n' ' ' <"$T/out"))"
sum=$(sha256sum <"$V")
as_nobody env IPSECFW_DB="$V" "$F" static add policy name=Other >"$T/out" 2>&1
rc=$?
[ $rc = 1 ] && grep -q "readonly database" "$T/out" && [ "$sum" = "$(sha256sum <"$V")" ]
ok $? "a change is refused with SQLite's reason, the file unchanged ($(tr '\n' ' ' <"$T/out"))"

# The real store: root's, 0600 in a folder of root's.
as_nobody "$F" -j static show all >"$T/out" 2>&1
rc=$?
[ $rc = 1 ] && grep -q "ipsecfw: store $IPSECFW_DB: Permission denied: reading it needs root or read access" "$T/out"
ok $? "an unreadable store: exit 1 and why ($(tr '\n' ' ' <"$T/out"))"
as_nobody "$F" -j show table >"$T/out" 2>&1
[ $? = 1 ] && grep -q "Permission denied: reading it needs root" "$T/out"
ok $? "show table too"
as_nobody "$F" static add policy name=X >"$T/out" 2>&1
[ $? = 1 ] && ! grep -qi "segmentation\|abort" "$T/out"
ok $? "and a change: exit 1, no crash ($(tr '\n' ' ' <"$T/out"))"
"$F" -j static show all >"$T/root2.json" && cmp -s "$T/root.json" "$T/root2.json"
ok $? "root's store is as it was"

# The agent's event log, in a folder nobody may not read.
mkdir -m 0700 "$T/log"
echo '{"id":4290,"time":"2026-11-25T10:00:00Z"}' >"$T/log/events.log"
as_nobody "$F" log export --log-dir "$T/log" >"$T/out" 2>&1
[ $? = 1 ] && grep -q "events.log: Permission denied (reading the events needs root or read access" "$T/out"
ok $? "an unreadable event log: exit 1 and why ($(tr '\n' ' ' <"$T/out"))"

# An older schema cannot be migrated by a reader: said so.
sqlite3 "$V" "PRAGMA user_version = 1" 2>/dev/null || true
chmod 0400 "$V"
as_nobody env IPSECFW_DB="$V" "$F" -j static show all >"$T/out" 2>&1
[ $? = 1 ] && grep -q "older ipsecfw (schema 1) and reading it needs an upgrade" "$T/out"
ok $? "an older store a reader cannot upgrade: said so ($(tr '\n' ' ' <"$T/out"))"
done_testing
