#!/bin/sh
# SPDX-License-Identifier: MIT
# kernel.sh - attacks on enforcement itself (TAP): the table changed or
# removed behind ipsecfw's back, a forged saved program, the run directory
# deleted under a running agent, restarts and kill -9 around loads.
#
#   kernel.sh IPSECFW IPSECFWD NETPROBE SRCROOT
#
# A real ipsecfwd runs in a server namespace; a client namespace probes
# telnet (23), which the Web Server Policy blocks: a probe that passes is
# enforcement lost.
set -u
IPSECFW=$1 IPSECFWD=$2 NETPROBE=$3 SRC=$4

. "$SRC/tests/e2e/lib.sh"

C=${tag}c1 S=${tag}s1
make_pair 1
serve "$S" 80 23
mkdir -p "$work/root1/etc"
web_server 1

port=45000
telnet_dropped() { # telnet_dropped DESC: a fresh blocked probe is dropped
	port=$((port + 1))
	wire 1 "$1" drop DROP PASS -- "$C" "$NETPROBE" tcp -p $port -w 500 $S4 23
}
now_ms() { echo $(($(date +%s%N) / 1000000)); }
# restored_within MS: waits for a secure state chain with the kernel's
# fingerprint (the load done and read back); prints the milliseconds taken.
restored_within() {
	start=$(now_ms)
	while [ $(($(now_ms) - start)) -lt "$1" ]; do
		if in_ns "$S" nft list chains inet 2>/dev/null |
			grep -Eq 'chain state_secure_[0-9a-f]{16}_[ab]_[0-9a-f]{32}_[0-9a-f]{32} '; then
			echo $(($(now_ms) - start))
			return 0
		fi
		sleep 0.01
	done
	return 1
}
events() { grep -c "\"id\":$1[,}]" "$work/log1/events.log" 2>/dev/null; }

agent 1
mode_is 1 secure || not_ok "the agent did not start: $(cat "$work/agent1.err")"
telnet_dropped "with the agent in force, telnet is dropped"
ip -n "$S" addr add 192.0.2.60/24 dev eth0
sleep 0.5
port=$((port + 1))
wire 1 "an address added is enforced" drop DROP PASS -- "$C" "$NETPROBE" tcp -p $port -w 500 192.0.2.60 23
[ "$(events 4288)" = 0 ] && ok "traffic and an address change are no drift (no 4288 event)" ||
	not_ok "a restore event with nothing changed outside ipsecfw"

# --- checks by the ruleset generation -------------------------------------
# kstat FIELD: the agent's count of checks answered by the generation
# alone (by_generation) or by reading the table back (reading)
kstat() {
	python3 "$SRC/tests/tools/agentsock.py" "$work/run1/agent.sock" request '{"status":"kernel"}' |
		python3 -c 'import json, sys; print(json.load(sys.stdin)["kernel"]["checks_'"$1"'"])'
}
# checked_beyond FIELD N: waits (periodic checks come every 5 s) until
# FIELD's count passes N
checked_beyond() {
	i=0
	while [ $i -lt 130 ] && [ "$(kstat "$1")" -le "$2" ]; do sleep 0.1; i=$((i + 1)); done
	[ "$(kstat "$1")" -gt "$2" ]
}
# the agent hears nftables commits while it waits: a netfilter netlink
# socket in the group NFNLGRP_NFTABLES (7: bit 0x40) in its namespace
hears() {
	in_ns "$S" cat /proc/net/netlink | while read -r _ proto _ groups _; do
		[ "$proto" = 12 ] && [ $((0x$groups & 64)) != 0 ] && echo yes
	done | grep -q yes
}
hears && ok "the idle agent hears nftables commits" || not_ok "the idle agent is not in NFNLGRP_NFTABLES"
reads=$(kstat reading) quick=$(kstat by_generation)
if checked_beyond by_generation "$quick" && [ "$(kstat reading)" = "$reads" ]; then
	ok "a check of the unchanged kernel reads nothing back (the generation answers)"
else
	not_ok "checks of the unchanged kernel: $(kstat by_generation) by generation (from $quick), $(kstat reading) reading (from $reads)"
fi
# a commit to another table: no event for ours, but the generation moved
in_ns "$S" nft add table inet bystander
if checked_beyond reading "$reads"; then
	ok "after a commit elsewhere, the next check reads the table back"
else
	not_ok "a moved generation did not make a check read the table back"
fi
reads=$(kstat reading) quick=$(kstat by_generation)
checked_beyond by_generation "$quick" && [ "$(kstat reading)" = "$reads" ] &&
	ok "and the checks after it read nothing again" ||
	not_ok "checks after the commit elsewhere kept reading: $(kstat reading) from $reads"
in_ns "$S" nft delete table inet bystander
[ "$(events 4288)" = 0 ] && ok "neither was a drift (no 4288 event)" ||
	not_ok "a restore event after a commit to another table"

# --- nft flush ruleset (what reloading nftables.service does) -------------
before=$(events 4288)
in_ns "$S" nft flush ruleset
if ms=$(restored_within 1000); then
	ok "nft flush ruleset: the table is back in $ms ms"
else
	not_ok "nft flush ruleset: not restored within 1 s"
fi
has_event 1 4288 && [ "$(events 4288)" -gt "$before" ] && ok "with an event (4288)" ||
	not_ok "no restore event"
telnet_dropped "telnet is dropped again"

# --- nft delete table --------------------------------------------------
before=$(events 4288)
in_ns "$S" nft delete table inet ipsecfw
if ms=$(restored_within 1000); then
	ok "nft delete table inet ipsecfw: back in $ms ms"
else
	not_ok "delete table: not restored within 1 s"
fi
[ "$(events 4288)" -gt "$before" ] && ok "with an event (4288)" || not_ok "no event after delete table"
telnet_dropped "telnet is dropped after the table came back"

# --- one map element deleted ----------------------------------------------
# the first element of a map that holds some: ISAKMP's exemption
elem_count() {
	in_ns "$S" nft -j list table inet ipsecfw | python3 -c '
import json, sys
print(sum(len(o.get(k, {}).get("elem", [])) for o in json.load(sys.stdin)["nftables"] for k in ("map", "set")))'
}
first_elem() { # MAP KEY of one element of a non-empty map, as nft takes it
	in_ns "$S" nft list table inet ipsecfw | awk '
		/^\t(map|set) / { map = $1 == "map" ? $2 : "" } /elements = \{/ && map { sub(/.*elements = \{ */, ""); sub(/ (counter|comment|:).*/, ""); print map " " $0; exit }'
}
# elements_back DESC: a new restore event within 1 s (since $before),
# and the table holds its $full elements again
elements_back() {
	i=0
	while [ $i -lt 100 ] && [ "$(events 4288)" -le "$before" ]; do sleep 0.01; i=$((i + 1)); done
	sleep 0.1
	if [ "$(events 4288)" -gt "$before" ] && [ "$(elem_count)" = "$full" ]; then
		ok "$1"
	else
		not_ok "$1: $(elem_count) elements, not $full"
	fi
}
# pick_element: full (the elements now), map and key (one of them to
# take away) and before (the restore events so far)
pick_element() {
	full=$(elem_count)
	set -- $(first_elem)
	map=$1
	shift
	key=$*
	before=$(events 4288)
}
pick_element
if in_ns "$S" nft delete element inet ipsecfw "$map" "{ $key }"; then
	ok "deleted element { $key } of $map"
else
	not_ok "could not delete an element of $map: { $key }"
fi
elements_back "the element is back within 1 s ($full elements), with an event"
case $(srv 1 show mode 2>&1) in *drift*) not_ok "show mode still says drift";;
	"mode: secure "*) ok "show mode: secure, no drift";; *) not_ok "show mode: $(srv 1 show mode 2>&1)";; esac

# --- an element added (a way in) and a chain added to our table ---------
# (a map refuses an element that overlaps one of its own, and a partition
# covers much: the first IPv4 five-field map that takes it)
before=$(events 4288)
added=
for m in $(in_ns "$S" nft list table inet ipsecfw | awk '/^\tmap [ab]_(in|out)4(_p[0-9]+)?_t[0-9]+ / {print $2}'); do
	if in_ns "$S" nft add element inet ipsecfw "$m" \
		"{ 192.0.2.20 . 192.0.2.10 . tcp . 0-65535 . 23 : accept }" 2>"$work/out"; then
		added=$m
		break
	fi
done
[ -n "$added" ] || not_ok "no IPv4 map took an added element: $(cat "$work/out")"
elements_back "an element added to ${added:-a map} is gone again within 1 s, with an event"
telnet_dropped "telnet from the client is still dropped"
in_ns "$S" nft add chain inet ipsecfw intruder "{ type filter hook input priority -500; policy drop; }"
i=0
while [ $i -lt 100 ] && in_ns "$S" nft list chains inet | grep -q 'chain intruder'; do
	sleep 0.01
	i=$((i + 1))
done
in_ns "$S" nft list chains inet | grep -q 'chain intruder' &&
	not_ok "a base chain added to our table stays" ||
	ok "a base chain added to our table is removed within 1 s ($((i * 10)) ms)"
port=$((port + 1))
wire 1 "and the web passes again" pass PASS PASS -- "$C" "$NETPROBE" tcp -p $port -w 500 $S4 80

# --- a change while the agent loads (it does not listen then) -----------
# the table deleted just as an address change makes the agent load: before,
# during or after its load, the table comes back
before=$(events 4288)
ip -n "$S" addr add 192.0.2.61/24 dev eth0
in_ns "$S" nft delete table inet ipsecfw
i=0
while [ $i -lt 200 ] && [ "$(events 4288)" -le "$before" ]; do sleep 0.01; i=$((i + 1)); done
if ms=$(restored_within 2000) && [ "$(events 4288)" -gt "$before" ]; then
	ok "deleted during an address change: back, with an event"
else
	not_ok "deleted during an address change: not restored within 2 s"
fi
port=$((port + 1))
wire 1 "telnet to the new address is dropped" drop DROP PASS \
	-- "$C" "$NETPROBE" tcp -p $port -w 500 192.0.2.61 23
hears && ok "the agent hears nftables commits again after its loads" ||
	not_ok "the agent stayed out of NFNLGRP_NFTABLES after its loads"

# --- loads take turns (kernel.lock): nothing is checked or loaded over a
# load under way, here one that holds the lock for 2 s ------------------------
pick_element
exec 9>"$work/run1/kernel.lock"
flock 9
in_ns "$S" nft delete element inet ipsecfw "$map" "{ $key }"
srv 1 apply >"$work/apply-waits.out" 2>&1 &
apply_pid=$!
sleep 2
if [ "$(events 4288)" = "$before" ] && [ "$(elem_count)" = $((full - 1)) ] &&
	kill -0 "$apply_pid" 2>/dev/null; then
	ok "while a load holds the lock, the agent repairs nothing and a CLI apply waits"
else
	not_ok "under the lock: $(events 4288) restores (were $before), $(elem_count) elements of $full"
fi
flock -u 9
exec 9>&-
wait "$apply_pid"
rc=$?
i=0
while [ $i -lt 30 ] && [ "$(elem_count)" != "$full" ]; do sleep 0.1; i=$((i + 1)); done
if [ $rc = 0 ] && [ "$(elem_count)" = "$full" ]; then
	ok "the lock released, the apply runs and puts the element back"
else
	not_ok "after the lock: exit $rc, $(cat "$work/apply-waits.out"), $(elem_count) elements of $full"
fi
[ "$(stat -c %a "$work/run1/kernel.lock")" = 600 ] && ok "kernel.lock is mode 0600" ||
	not_ok "kernel.lock mode $(stat -c %a "$work/run1/kernel.lock")"

# --- the run directory deleted: one agent per kernel table still ---------
rm -rf "$work/run1"
ip netns exec "$S" "$IPSECFWD" --no-journal --db "$work/db1" --facts-root "$work/root1" \
	--run-dir "$work/run1" --log-dir "$work/log1b" >"$work/second.out" 2>&1 &
second=$!
pids="$pids $second"
i=0
while [ $i -lt 50 ] && kill -0 $second 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
if kill -0 $second 2>/dev/null; then
	not_ok "a second agent started after the run directory was deleted"
	kill $second
else
	wait $second
	rc=$?
	grep -q "runs in this network namespace" "$work/second.out" && [ $rc -ne 0 ] &&
		ok "a second agent refuses to start: $(head -1 "$work/second.out" | cut -c1-90)" ||
		not_ok "second agent: rc $rc: $(cat "$work/second.out")"
fi
i=0
while [ $i -lt 80 ] && ! [ -S "$work/run1/agent.sock" ]; do sleep 0.1; i=$((i + 1)); done
srv 1 dynamic show rule >"$work/out" 2>&1 && ok "the agent made its socket again ($((i * 100)) ms)" ||
	not_ok "no control socket after the run directory went: $(cat "$work/out")"

# --- a restart keeps the rules: no blocked packet passes during it --------
probes() { # probes COUNT: blocked probes back to back; counts those that pass
	passed=0 k=0
	while [ $k -lt "$1" ]; do
		port=$((port + 1))
		[ "$(in_ns "$C" "$NETPROBE" tcp -p $port -w 60 $S4 23 2>/dev/null | tail -1)" = pass ] &&
			passed=$((passed + 1))
		k=$((k + 1))
	done
	echo $passed
}
restored=$(events 4288)
probes 40 >"$work/probes" &
prober=$!
sleep 0.3
kill -USR2 "$agent_pid"
wait "$agent_pid"
rc=$?
[ $rc = 0 ] && in_ns "$S" nft list chains inet | grep -q 'chain state_secure_' &&
	ok "hand-over (SIGUSR2): the agent exits (0) and the rules stay" ||
	not_ok "hand-over: no secure table left"
agent 1
wait $prober
[ "$(cat "$work/probes")" = 0 ] && ok "40 blocked probes during the restart: none passed" ||
	not_ok "$(cat "$work/probes") blocked probes passed during the restart"
mode_is 1 secure && ok "the new agent keeps secure mode" || not_ok "after restart: $(srv 1 show mode 2>&1)"
has_event 1 4289 && ok "the hand-over is an event (4289)" || not_ok "no hand-over event"
grep -q '"id":4293' "$work/log1/events.log" && not_ok "the restart went through permit mode" ||
	ok "no permit mode on the way"
[ "$(events 4288)" = "$restored" ] && ok "the new agent finds the table intact (no 4288)" ||
	not_ok "the new agent restored the table after a hand-over"

# --- kill -9 around loads: the rules stay -----------------------------
lost=0 a=100
for t in 0 0.005 0.01 0.02 0.05; do
	mode_is 1 secure || true
	a=$((a + 1))
	ip -n "$S" addr add 192.0.2.$a/24 dev eth0
	sleep "$t"
	kill -9 "$agent_pid"
	wait "$agent_pid" 2>/dev/null
	in_ns "$S" nft list chains inet | grep -q 'chain state_secure_' || lost=$((lost + 1))
	port=$((port + 1))
	[ "$(in_ns "$C" "$NETPROBE" tcp -p $port -w 300 $S4 23 | tail -1)" = drop ] || lost=$((lost + 1))
	agent 1
done
[ $lost = 0 ] && ok "kill -9 during 5 address-change loads: rules in force every time" ||
	not_ok "kill -9 around loads: $lost checks lost enforcement"
kill -USR2 "$agent_pid"
wait "$agent_pid"

# --- without an agent: the CLI asks the kernel, not a file ---------------
srv 1 apply >/dev/null 2>&1
set -- $(first_elem)
map=$1
shift
in_ns "$S" nft delete element inet ipsecfw "$map" "{ $* }"
case $(srv 1 show mode 2>&1) in *"drift: the kernel table differs from the policy in force"*)
	ok "CLI only: show mode reports the drift";; *) not_ok "show mode: $(srv 1 show mode 2>&1)";; esac
out=$(srv 1 apply 2>&1)
case $out in *"drift"*"restored"*"new program loaded"*) ok "apply restores it (not 'unchanged')";;
	*) not_ok "apply after a deleted element: $out";; esac
case $(srv 1 show mode 2>&1) in *drift*) not_ok "still drift after apply";;
	*) ok "no drift after apply";; esac

# a forged saved program: the program of a later address change, saved
# under the name of the one in force, would make that change add nothing
ip -n "$S" addr add 192.0.2.88/24 dev eth0
srv 1 apply >/dev/null 2>&1
cp "$work/run1"/program-* "$work/later-program"
ip -n "$S" addr del 192.0.2.88/24 dev eth0
srv 1 apply >/dev/null 2>&1
set -- "$work/run1"/program-*
[ $# = 1 ] && ok "one saved program in the run directory after 3 loads" || not_ok "saved programs: $*"
cp "$work/later-program" "$1"
ip -n "$S" addr add 192.0.2.88/24 dev eth0
out=$(srv 1 apply 2>&1)
case $out in *"new program loaded"*) ok "a forged saved program is not used: $(echo "$out" | sed 's/.*(//')";;
	*) not_ok "with a forged saved program: $out";; esac
port=$((port + 1))
wire 1 "telnet to the new address is dropped" drop DROP PASS \
	-- "$C" "$NETPROBE" tcp -p $port -w 500 192.0.2.88 23
case $(srv 1 show mode 2>&1) in *drift*) not_ok "drift after the forged-file apply";;
	*) ok "and the kernel holds what was loaded";; esac

echo "1..$n"
[ $failed -eq 0 ]
