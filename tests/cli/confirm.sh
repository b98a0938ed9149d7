#!/bin/sh
# SPDX-License-Identifier: MIT
# Safe assign on the stores (the kernel's side is in e2e/kernel.sh):
# set policy ... assign=yes confirm=SECONDS, then `ipsecfw confirm` in time
# keeps it, and no confirm brings the previous assignment back, also when
# the terminal that ran the command is gone; errors change nothing.
. "$(dirname "$0")/lib.sh"
F="$IPSECFW"
export IPSECFW_LOG_DIR="$T/log"
trap 'pkill -f "^ipsecfw --db $IPSECFW_DB confirm --watch" 2>/dev/null; rm -rf "$T"' EXIT INT TERM

watchers() { pgrep -f "^ipsecfw --db $IPSECFW_DB confirm --watch" | wc -l; }
assigned() { "$F" -j static show policy name=all | python3 -c '
import json, sys
print(",".join(p["name"] for p in json.load(sys.stdin) if p["assigned"]) or "none")'; }
# waits up to $1 s for the assigned policy to become $2
becomes() {
	i=0
	while [ $i -lt $(($1 * 10)) ]; do
		[ "$(assigned)" = "$2" ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
event() { grep "\"id\":$1[,}]" "$T/log/events.log" 2>/dev/null | tail -1; }

"$F" static add policy name=Admin assign=yes >/dev/null &&
	"$F" static add policy name=Lockdown >/dev/null &&
	"$F" static add policy name=Other >/dev/null
ok $? "setup: Admin assigned, Lockdown and Other not"

"$F" confirm >"$T/out" 2>&1
rc=$?
[ $rc = 1 ] && grep -q "no assignment is waiting for a confirm" "$T/out"
ok $? "confirm with nothing pending: exit 1 and why ($(tr '\n' ' ' <"$T/out"))"

# --- errors change nothing ------------------------------------------------
before=$(snapshot)
echo 'set policy name=Lockdown confirm=30' >"$T/noassign.netsh"
"$F" -f "$T/noassign.netsh" >"$T/out" 2>&1
[ $? = 1 ] && grep -q ":1:34: error: set policy: confirm: confirm= guards an assignment" "$T/out" &&
	[ "$before" = "$(snapshot)" ]
ok $? "confirm= without assign= is refused at its column, nothing changed ($(tr '\n' ' ' <"$T/out"))"
"$F" static set policy name=Lockdown assign=yes confirm=1 >"$T/out" 2>&1
[ $? = 1 ] && grep -q "confirm" "$T/out" && [ "$before" = "$(snapshot)" ]
ok $? "confirm=1 is below the 2 s minimum: refused, nothing changed"
"$F" static set policy name=Lockdown assign=yes confirm=soon >/dev/null 2>&1
[ $? = 1 ] && [ "$before" = "$(snapshot)" ]
ok $? "confirm=soon is refused"
printf 'set policy name=Lockdown assign=yes confirm=30\nadd filterlist name=\n' >"$T/bad.netsh"
"$F" -f "$T/bad.netsh" >"$T/out" 2>&1
[ $? = 1 ] && [ "$before" = "$(snapshot)" ] && [ "$(assigned)" = Admin ] && sleep 0.3 &&
	[ "$(watchers)" = 0 ]
ok $? "a script that fails after confirm= leaves no pending assignment and no watcher"

# --- confirmed in time (a window wide enough for the commands in between,
# which take seconds on a loaded machine) -----------------------------------
"$F" static set policy name=Lockdown assign=yes confirm=6 >"$T/out" 2>&1
ok $? "set policy name=Lockdown assign=yes confirm=6"
grep -q "run \`ipsecfw confirm\` within [1-6] s to keep this; otherwise policy 'Admin' is assigned again" "$T/out"
ok $? "it says how long and what comes back ($(tr '\n' ' ' <"$T/out"))"
[ "$(assigned)" = Lockdown ] && [ "$(watchers)" = 1 ]
ok $? "Lockdown is assigned at once, one detached watcher waits"
"$F" -j show mode 2>/dev/null | python3 -c '
import json, sys
p = json.load(sys.stdin)["pending"]
assert p["policy"] == "Lockdown" and p["previous"] == "Admin" and p["store"] == "local", p
assert 0 <= p["seconds_left"] <= 6, p'
ok $? "show mode -j tells what is pending"
"$F" static set policy name=Other assign=yes confirm=30 >"$T/out" 2>&1
[ $? = 1 ] && grep -q "still waiting for \`ipsecfw confirm\`" "$T/out" && [ "$(assigned)" = Lockdown ]
ok $? "a second confirm= while one is pending is refused"
"$F" confirm >"$T/out" 2>&1 && grep -q "confirmed: policy 'Lockdown' stays assigned to the local store" "$T/out"
ok $? "ipsecfw confirm in time ($(tr '\n' ' ' <"$T/out"))"
sleep 6
[ "$(assigned)" = Lockdown ] && [ "$(watchers)" = 0 ]
ok $? "after the deadline Lockdown stays and the watcher is gone"
case $(event 4299) in *'"by":"confirm"'*'"policy":"Lockdown"'*'"previous":"Admin"'*) ok 0 "event 4299: confirmed";;
	*) ok 1 "event 4299: $(event 4299)";; esac

# --- not confirmed: rolled back -------------------------------------------
"$F" static set policy name=Admin assign=yes >/dev/null 2>&1
"$F" static set policy name=Lockdown assign=yes confirm=2 >/dev/null 2>&1
[ "$(assigned)" = Lockdown ]
ok $? "Lockdown assigned again with confirm=2"
becomes 10 Admin
ok $? "no confirm: Admin is assigned again after the deadline"
case $(event 4298) in *'"by":"watcher"'*'"policy":"Lockdown"'*'"previous":"Admin"'*) ok 0 "event 4298: rolled back by the watcher";;
	*) ok 1 "event 4298: $(event 4298)";; esac
"$F" confirm >"$T/out" 2>&1
[ $? = 1 ] && grep -q "no assignment is waiting" "$T/out"
ok $? "a confirm after the rollback finds nothing to confirm"

# --- the terminal is gone ---------------------------------------------------
# The command runs in a session of its own, which is then hung up and
# killed whole, as when an SSH connection drops.
setsid sh -c "\"$F\" static set policy name=Lockdown assign=yes confirm=2 >/dev/null 2>&1; sleep 30" &
leader=$!
sleep 0.5
[ "$(assigned)" = Lockdown ]
ok $? "assigned from a session that is about to vanish"
kill -HUP -- "-$leader" 2>/dev/null
kill -KILL -- "-$leader" 2>/dev/null
wait "$leader" 2>/dev/null
becomes 10 Admin
ok $? "the session is gone: Admin comes back all the same"

# --- the watcher is killed too: a late confirm rolls back -------------------
"$F" static set policy name=Lockdown assign=yes confirm=2 >/dev/null 2>&1
pkill -KILL -f "^ipsecfw --db $IPSECFW_DB confirm --watch"
sleep 2.5
[ "$(assigned)" = Lockdown ]
ok $? "with its watcher killed (and no agent) nothing rolls back by itself"
"$F" confirm >"$T/out" 2>&1
[ $? = 1 ] && grep -q "too late, the deadline passed: policy 'Admin' is assigned again" "$T/out" &&
	[ "$(assigned)" = Admin ]
ok $? "a confirm after the deadline rolls back instead ($(tr '\n' ' ' <"$T/out"))"

# --- unassigning, and a previous policy deleted meanwhile -----------------
"$F" static set policy name=Admin assign=no confirm=2 >/dev/null 2>&1
[ "$(assigned)" = none ]
ok $? "assign=no confirm=2 unassigns"
becomes 10 Admin
ok $? "and the rollback assigns Admin again"
"$F" static set policy name=Other assign=yes confirm=2 >/dev/null 2>&1 &&
	"$F" static delete policy name=Admin >/dev/null 2>&1
becomes 10 none
ok $? "the previous policy deleted in the window: the rollback leaves none assigned"
case $(event 4298) in *"deleted meanwhile"*) ok 0 "and the event says why";;
	*) ok 1 "event 4298: $(event 4298)";; esac

# --- a caller that reads the output to its end (Cockpit's spawn) -----------
"$F" static set policy name=Other assign=yes >/dev/null 2>&1
start=$(date +%s%N)
"$F" static set policy name=Lockdown assign=yes confirm=30 3>&1 2>&1 | cat >/dev/null
took=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$took" -lt 2000 ] && [ "$(assigned)" = Lockdown ] && [ "$(watchers)" = 1 ]
ok $? "the watcher holds none of the caller's descriptors: a reader of its output returns in ${took} ms"
"$F" confirm >/dev/null 2>&1 && [ "$(assigned)" = Lockdown ] && sleep 0.5 && [ "$(watchers)" = 0 ]
ok $? "and the watcher still sees the confirm"

[ "$(watchers)" = 0 ]
ok $? "no watcher is left"
done_testing
