#!/bin/sh
# SPDX-License-Identifier: MIT
# ipsecpol.sh - ipsecpol / ipseccmd dynamic mode (no -w) against a real
# policy agent, with real packets (TAP).
#
#   ipsecpol.sh IPSECFW IPSECFWD NETPROBE SRCROOT
#
# The server runs the web-server policy (telnet blocked) and ipsecfwd; the
# ipsecpol lines add dynamic rules the agent enforces at once, checked
# with `dynamic show rule`, `ipsecfw test` and traffic; -u deletes them.
set -u
IPSECFW=$1 IPSECFWD=$2 NETPROBE=$3 SRC=$4

. "$SRC/tests/e2e/lib.sh"

C=${tag}c1 S=${tag}s1
make_pair 1
serve "$S" 80 23
srv 1 -f "$SRC/examples/001-web-server.netsh" >/dev/null 2>&1
IPSECFW_KERNEL=off srv 1 static set policy name="Web Server Policy" assign=yes >/dev/null 2>&1
ln -s "$(realpath "$IPSECFW")" "$work/ipseccmd"
# pol ARGS...: ipseccmd (the same program by another name) in the server
pol() {
	ip netns exec "${tag}s1" env -u IPSECFW_KERNEL IPSECFW_DB="$work/db1" \
		IPSECFW_RUN_DIR="$work/run1" "$work/ipseccmd" "$@"
}
n_rules() { srv 1 -j dynamic show rule | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))'; }
verdict() { ref 1 "$@"; }

# --- without an agent: the existing clear message, nothing else -----------
pol -f "192.0.2.20+0:23:TCP" -n PASS >"$work/out" 2>&1
rc=$?
case "$rc:$(cat "$work/out")" in
1:"ipsecpol: no policy agent is running (ipsecfwd)"*) ok "no agent: ipsecpol says so";;
*) not_ok "no agent: rc $rc: $(cat "$work/out")";;
esac

agent 1
mode_is 1 secure || not_ok "agent start: $(cat "$work/agent1.err")"
wire 1 "telnet is blocked by the stored policy" drop DROP PASS \
	-- "$C" "$NETPROBE" tcp -p 40001 -w 700 $S4 23

# --- KB 813878's dynamic form, and a permit for one client ------------------
if pol -f "192.0.2.20+0:23:TCP" -n PASS >"$work/out" 2>&1; then
	ok "ipseccmd -f 192.0.2.20+0:23:TCP -n PASS goes into the dynamic SPD"
else
	not_ok "dynamic add: $(cat "$work/out")"
fi
[ "$(n_rules)" = 1 ] && ok "dynamic show rule lists it" || not_ok "show rule: $(srv 1 dynamic show rule 2>&1 | head -5)"
srv 1 dynamic show rule >"$work/show" 2>&1
grep -q "192.0.2.20" "$work/show" && grep -qi "permit" "$work/show" &&
	ok "with its address and permit actions" || not_ok "show rule: $(cat "$work/show")"
v=$(verdict in tcp 192.0.2.20:40002 $S4:23)
[ "$v" = PASS ] && ok "ipsecfw test: the client's telnet passes" || not_ok "test verdict $v"
srv 1 test in tcp 192.0.2.20:40002 $S4:23 | grep -q dynamic &&
	ok "ipsecfw test names the dynamic store" || not_ok "test: $(srv 1 test in tcp 192.0.2.20:40002 $S4:23)"
wire 1 "the dynamic permit is enforced" pass PASS "$(verdict out tcp $S4:23 192.0.2.20:40003)" \
	-- "$C" "$NETPROBE" tcp -p 40003 -w 700 $S4 23
wire 1 "another client's telnet is still blocked" drop "$(verdict in tcp 192.0.2.5:40004 $S4:23)" PASS \
	-- "$C" "$NETPROBE" tcp -s 192.0.2.5 -p 40004 -w 700 $S4 23

# --- KB 813878's dynamic form: -f [*=0:80:TCP] is a block filter ---------
pol -f "[*=0:80:TCP]" >"$work/out" 2>&1
case "$?:$(cat "$work/out")" in
0:*) ok "ipseccmd -f [*=0:80:TCP] is taken";;
*) not_ok "bracketed filter: $(cat "$work/out")";;
esac
[ "$(n_rules)" = 2 ] && ok "two dynamic rules now" || not_ok "rules: $(n_rules)"
srv 1 -j dynamic show rule | grep -q '"actioninbound": "block"' &&
	ok "the bracketed filter blocks" || not_ok "show rule: $(srv 1 -j dynamic show rule)"
v=$(verdict in tcp 192.0.2.20:40005 $S4:80)
[ "$v" = DROP ] && ok "ipsecfw test: the web is dropped" || not_ok "web verdict $v"
wire 1 "and the web request is dropped" drop DROP PASS -- "$C" "$NETPROBE" tcp -p 40005 -w 700 $S4 80
# (...) is a pass-through filter, whatever -n says
pol -f "(192.0.2.5+0:23:TCP)" -n BLOCK >"$work/out" 2>&1 || not_ok "parenthesized filter: $(cat "$work/out")"
v=$(verdict in tcp 192.0.2.5:40008 $S4:23)
[ "$v" = PASS ] && ok "-f (192.0.2.5+0:23:TCP) passes that client's telnet" || not_ok "pass-through verdict $v"

# --- all or nothing: a duplicate in the batch changes nothing ----------------
pol -f "192.0.2.9+0:23:TCP" "192.0.2.20+0:23:TCP" -n PASS >"$work/out" 2>&1
rc=$?
case "$rc:$(cat "$work/out")" in
1:"ipsecpol: -f '192.0.2.20+0:23:TCP': "*) ok "a rule already in the SPD is refused, naming its -f: $(cut -c1-150 "$work/out")";;
*) not_ok "duplicate: rc $rc: $(cat "$work/out")";;
esac
[ "$(n_rules)" = 3 ] && ok "and the first filter of that line was not added" || not_ok "rules: $(n_rules)"
echo n | pol -f "192.0.2.9+0:22:TCP" -n PASS -confirm >"$work/out" 2>&1
case "$?:$(cat "$work/out")" in
1:*"Set it? (y/n) "*"-confirm: not confirmed; nothing changed"*) ok "-confirm shows the rules and takes no for an answer";;
*) not_ok "-confirm n: $(cat "$work/out")";;
esac
echo y | pol -f "192.0.2.9+0:22:TCP" -n PASS -confirm >"$work/out" 2>&1 && [ "$(n_rules)" = 4 ] &&
	ok "-confirm: yes sets them" || not_ok "-confirm y: $(cat "$work/out")"
pol -w REG -p X -r R -f "0+*" -u >"$work/out" 2>&1 && not_ok "-u with -w" ||
	ok "-u with -w is refused: $(cut -c1-60 "$work/out")"

# --- -u deletes the dynamic policy ------------------------------------------
if pol -u >"$work/out" 2>&1; then ok "ipseccmd -u"; else not_ok "-u: $(cat "$work/out")"; fi
case $(srv 1 dynamic show rule 2>&1) in "No dynamic rules in the SPD.") ok "no dynamic rules left";;
	*) not_ok "after -u: $(srv 1 dynamic show rule 2>&1 | head -3)";; esac
srv 1 dynamic show all >"$work/all" 2>&1
grep -q "ipsecpol " "$work/all" && not_ok "its policies stayed: $(cat "$work/all")" ||
	ok "and none of its main or quick mode policies"
v=$(verdict in tcp 192.0.2.20:40006 $S4:23)
[ "$v" = DROP ] && ok "ipsecfw test: telnet is blocked again" || not_ok "after -u: $v"
wire 1 "telnet is dropped again" drop DROP PASS -- "$C" "$NETPROBE" tcp -p 40006 -w 700 $S4 23
wire 1 "the web passes again" pass "$(verdict in tcp 192.0.2.20:40007 $S4:80)" PASS \
	-- "$C" "$NETPROBE" tcp -p 40007 -w 700 $S4 80

kill -TERM "$agent_pid"
mode_is 1 permit || not_ok "agent stop"
echo "1..$n"
[ $failed -eq 0 ]
