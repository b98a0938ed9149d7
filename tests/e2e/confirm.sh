#!/bin/sh
# SPDX-License-Identifier: MIT
# confirm.sh - safe assign with real packets (TAP). An admin on SSH
# assigns the web-server lock-down, which blocks SSH, with confirm=2:
# unconfirmed, the kernel goes back to the admin's policy and SSH passes
# again; confirmed, the lock-down stays. With the CLI's watcher killed, a
# running agent rolls back instead.
#
#   confirm.sh IPSECFW IPSECFWD NETPROBE SRCROOT
set -u
IPSECFW=$1 IPSECFWD=$2 NETPROBE=$3 SRC=$4

. "$SRC/tests/e2e/lib.sh"

C=${tag}c1 S=${tag}s1
export IPSECFW_LOG_DIR="$work/log1"
make_pair 1
serve "$S" 22 80 23
srv 1 -f "$SRC/examples/001-web-server.netsh" >/dev/null 2>&1 &&
	srv 1 -f "$SRC/tests/e2e/admin-access.netsh" >/dev/null 2>&1
ok_setup=$?
[ $ok_setup = 0 ] && ok "the admin's policy is in force" || not_ok "setup failed"

port=40100
# probe DESC EXPECTED DPORT: one TCP connect from the client, checked
# against the reference classifier's verdicts on the store as it is now.
probe() {
	port=$((port + 1))
	wire 1 "$1" "$2" "$(ref 1 in tcp 192.0.2.20:$port $S4:$3)" "$(ref 1 out tcp $S4:$3 192.0.2.20:$port)" \
		-- "$C" "$NETPROBE" tcp -p $port -w 700 $S4 "$3"
}
# pending_gone SECONDS: waits for the pending assignment to end
pending_gone() {
	i=0
	while [ $i -lt $(($1 * 10)) ]; do
		srv 1 -j show mode 2>/dev/null | grep -q '"pending": null' && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
lockdown() { srv 1 static set policy name="Web Server Policy" assign=yes confirm=$1 >"$work/out" 2>&1; }
watcher_pattern="--db $work/db1 confirm --watch"

probe "SSH passes under the admin's policy" pass 22
probe "telnet is dropped" drop 23

# --- not confirmed: the kernel rolls back --------------------------------
lockdown 2 && ok "the lock-down assigned with confirm=2" || not_ok "lockdown: $(cat "$work/out")"
probe "the lock-down blocks SSH: the admin is locked out" drop 22
probe "the web passes" pass 80
pending_gone 5 && ok "nobody confirms: the wait ends" || not_ok "still pending: $(srv 1 show mode 2>&1)"
probe "the admin's policy is back in the kernel: SSH passes" pass 22
probe "and telnet is dropped again" drop 23
grep -q '"id":4298' "$IPSECFW_LOG_DIR/events.log" 2>/dev/null &&
	ok "event 4298 says it rolled back" || not_ok "no 4298 event"

# --- confirmed: the lock-down stays ---------------------------------------
lockdown 3 && ok "the lock-down assigned with confirm=3" || not_ok "lockdown: $(cat "$work/out")"
srv 1 confirm >"$work/out" 2>&1 && ok "ipsecfw confirm" || not_ok "confirm: $(cat "$work/out")"
sleep 3.5
probe "past the deadline SSH is still blocked" drop 22
probe "and the web passes" pass 80
pgrep -f -- "$watcher_pattern" >/dev/null && not_ok "a watcher is left" || ok "the watcher has gone"

# --- the watcher killed: the agent rolls back -------------------------------
srv 1 static set policy name="Admin Access" assign=yes >/dev/null 2>&1
agent 1
mode_is 1 secure && ok "the agent runs" || not_ok "agent: $(cat "$work/agent1.err")"
lockdown 2 && ok "the lock-down assigned with confirm=2 under the agent" || not_ok "lockdown: $(cat "$work/out")"
pkill -KILL -f -- "$watcher_pattern" && ok "its watcher is killed" || not_ok "no watcher to kill"
pending_gone 5 && ok "the wait ends all the same" || not_ok "still pending: $(srv 1 show mode 2>&1)"
grep '"id":4298' "$IPSECFW_LOG_DIR/events.log" | tail -1 | grep -q '"by":"agent"' &&
	ok "the agent rolled it back (4298, by agent)" || not_ok "4298: $(grep '"id":4298' "$IPSECFW_LOG_DIR/events.log" | tail -1)"
probe "SSH passes again" pass 22
probe "telnet is dropped" drop 23

echo "1..$n"
[ "$failed" -eq 0 ]
