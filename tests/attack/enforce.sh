#!/bin/sh
# SPDX-License-Identifier: MIT
# enforce.sh - the attack team's enforcement holes, repeated on the wire
# (TAP); each case asserts the fix.
#
#   enforce.sh IPSECFW IPSECFWD NETPROBE SRCROOT
#
# 1. UDP from source port 500/4500 passed every filter under every
#    ipsecexempt value: ISAKMP is the LOCAL port (SPEC §6.4).
# 2. Local addresses beyond 1,024 made the host facts unreadable, and the
#    agent kept a program that let every newer address through; facts that
#    cannot be read must fail closed for the addresses they would tell.
# Network namespaces made here, documentation addresses only, torn down on
# exit (tests/e2e/lib.sh).
set -u
IPSECFW=$1 IPSECFWD=$2 NETPROBE=$3 SRC=$4

. "$SRC/tests/e2e/lib.sh"

PF="$SRC/tests/e2e/packet-filter.netsh"
CL=192.0.2.20

# --- 1. ISAKMP is the local port, for every ipsecexempt value -------------
# Pair 1: inbound (the server serves a blocked UDP service and IKE); pair 2:
# outbound (the client serves, so no port of the server is taken).
make_pair 1
make_pair 2
serve "${tag}s1" 5000 500 4500
serve "${tag}c2" 40000 500 4500
for id in 1 2; do
	srv $id -f "$PF" >"$work/out" 2>&1 || not_ok "policy $id: $(cat "$work/out")"
done
sleep 0.3
# hp ADDR PORT: "192.0.2.10:500", "[2001:db8::10]:500"
hp() { case $1 in *:*) echo "[$1]:$2";; *) echo "$1:$2";; esac; }
# udp_case ID WANT in|out SPORT DPORT DESC [REMOTE LOCAL]: one UDP exchange
# started by pair ID's client (in) or server (out), checked on the wire and
# against the reference's verdicts of the request and of the reply.
udp_case() {
	id=$1 want=$2 dir=$3 sp=$4 dp=$5 desc=$6 rem=${7:-$CL} loc=${8:-$S4}
	if [ "$dir" = in ]; then
		wire "$id" "$desc" "$want" "$(ref "$id" in udp "$(hp "$rem" "$sp")" "$(hp "$loc" "$dp")")" \
			"$(ref "$id" out udp "$(hp "$loc" "$dp")" "$(hp "$rem" "$sp")")" \
			-- "${tag}c$id" "$NETPROBE" udp -p "$sp" -w 700 "$loc" "$dp"
	else
		wire "$id" "$desc" "$want" "$(ref "$id" out udp "$(hp "$loc" "$sp")" "$(hp "$rem" "$dp")")" \
			"$(ref "$id" in udp "$(hp "$rem" "$dp")" "$(hp "$loc" "$sp")")" \
			-- "${tag}s$id" "$NETPROBE" udp -p "$sp" -w 700 "$rem" "$dp"
	fi
}
for lvl in 0 1 2 3; do
	srv 1 dynamic set config ipsecexempt value=$lvl >/dev/null 2>&1 &&
		srv 2 dynamic set config ipsecexempt value=$lvl >/dev/null 2>&1 ||
		not_ok "ipsecexempt=$lvl not set"
	x="exempt=$lvl:"
	udp_case 1 drop in 500 5000 "$x remote source port 500 does not reach a blocked UDP service"
	udp_case 1 drop in 4500 5000 "$x nor remote source port 4500"
	udp_case 1 drop in 500 5000 "$x IPv6 remote source port 500 neither" 2001:db8::20 $S6
	udp_case 1 pass in 40100 500 "$x inbound IKE to local port 500 passes"
	udp_case 1 pass in 40101 4500 "$x inbound NAT-T to local port 4500 passes"
	udp_case 2 pass out 500 40000 "$x outbound from local port 500 passes"
	udp_case 2 pass out 4500 4500 "$x outbound from local port 4500 passes"
	udp_case 2 drop out 40102 500 "$x outbound from another port to a remote 500 is filtered"
	# Kerberos keeps the documented source-OR-destination hole, only
	# where it is exempt at all (0 and 2)
	if [ $lvl = 0 ] || [ $lvl = 2 ]; then
		udp_case 1 pass in 88 5000 "$x remote source port 88 (Kerberos) bypasses, as documented"
	else
		udp_case 1 drop in 88 5000 "$x remote source port 88 (Kerberos) is filtered"
	fi
done

# Boot modes exempt no IKE (SPEC §6.1, §6.3: boot exemptions and DHCP only)
srv 1 dynamic set config bootmode value=block >/dev/null 2>&1
srv 1 unload >/dev/null 2>&1 # a reboot: boot never replaces a policy in force
srv 1 boot >/dev/null 2>&1
wire 1 "boot-block: IKE from port 500 is not exempt" drop DROP PASS \
	-- "${tag}c1" "$NETPROBE" udp -p 500 -w 700 $S4 500

# --- 2a. 1,100 more local addresses: every one filtered ------------------
make_pair 3
S=${tag}s3 C=${tag}c3
serve "$S" 80 23
# 254 IPv4 and 846 IPv6: the last is 2001:db8:1::34e
{
	i=1
	while [ $i -le 254 ]; do echo "address add 203.0.113.$i/32 dev eth0"; i=$((i + 1)); done
	i=1
	while [ $i -le 846 ]; do printf 'address add 2001:db8:1::%x/128 dev eth0 nodad\n' $i; i=$((i + 1)); done
} >"$work/addrs"
ip -n "$S" -batch "$work/addrs" && ok "1,100 addresses added to the server" || not_ok "adding 1,100 addresses"
IPSECFW_KERNEL=off srv 3 -f "$PF" >/dev/null 2>&1
agent 3
mode_is 3 secure 10 && ok "the agent reads 1,100+ local addresses and applies the policy" ||
	not_ok "agent with 1,100 addresses: $(srv 3 show mode 2>&1); $(tail -2 "$work/agent3.err")"
n_me=$(srv 3 show facts 2>/dev/null | grep -c '^me ')
[ "$n_me" -ge 1100 ] && ok "show facts lists $n_me local addresses" || not_ok "show facts: $n_me addresses"
srv 3 apply --dry-run >"$work/dry3" 2>&1
grep -q '2001:db8:1::34e/128 . 0-255 . 0-65535 . 0-65535 comment' "$work/dry3" &&
	ok "the kernel program filters the 1,100th address" || not_ok "the 1,100th address is not in the program"
wire 3 "telnet to the 1,100th address (IPv6) is dropped" drop \
	"$(ref 3 in tcp "[2001:db8::20]:40200" "[2001:db8:1::34e]:23")" PASS \
	-- "$C" "$NETPROBE" tcp -p 40200 -w 700 2001:db8:1::34e 23
wire 3 "the web on it passes" pass "$(ref 3 in tcp "[2001:db8::20]:40201" "[2001:db8:1::34e]:80")" \
	"$(ref 3 out tcp "[2001:db8:1::34e]:80" "[2001:db8::20]:40201")" \
	-- "$C" "$NETPROBE" tcp -p 40201 -w 700 2001:db8:1::34e 80
wire 3 "telnet to an IPv4 address beyond 1,024 (203.0.113.254) is dropped" drop \
	"$(ref 3 in tcp $CL:40202 203.0.113.254:23)" PASS \
	-- "$C" "$NETPROBE" tcp -p 40202 -w 700 203.0.113.254 23
kill -TERM "$agent_pid"
wait "$agent_pid"
rc=$?
[ $rc = 0 ] && ok "the agent with 1,100 addresses stops cleanly" ||
	not_ok "agent 3 exited with $rc: $(tail -5 "$work/agent3.err")"

# --- 2b. facts that cannot be read: fail closed ---------------------------
# The agent reads its facts from a file here (--facts), which the test can
# break for real; 192.0.2.99 is a local address the facts never listed.
make_pair 4
S=${tag}s4 C=${tag}c4
serve "$S" 80 23
serve "$C" 53
ip -n "$S" addr add 192.0.2.99/24 dev eth0
ip -n "$S" addr add 2001:db8::99/64 dev eth0 nodad
FACTS="$work/facts4"
printf 'addr %s/24\naddr %s/64\n' $S4 $S6 >"$FACTS"
IPSECFW_KERNEL=off srv 4 -f "$PF" >/dev/null 2>&1
start_agent4() {
	mkdir -p "$work/root4/etc"
	ip netns exec "$S" "$IPSECFWD" --no-journal --db "$work/db4" --facts "$FACTS" \
		--facts-root "$work/root4" --run-dir "$work/run4" --log-dir "$work/log4" \
		2>>"$work/agent4.err" &
	agent_pid=$!
	pids="$pids $agent_pid"
}
start_agent4
mode_is 4 secure 5 || not_ok "agent 4: $(srv 4 show mode 2>&1)"
wire 4 "facts readable: the web of a known address passes" pass PASS PASS \
	-- "$C" "$NETPROBE" tcp -p 40300 -w 700 $S4 80
{ echo "this is not a facts line"; head -c 512 /dev/urandom; } >"$FACTS"
kill -HUP "$agent_pid"
has_event 4 4285 && ok "unreadable facts: event 4285" || not_ok "no 4285: $(tail -3 "$work/log4/events.log")"
grep '"id":4285' "$work/log4/events.log" | grep -q '"state":"entered"' &&
	ok "4285 says the fail-closed state was entered" || not_ok "4285: $(grep '"id":4285' "$work/log4/events.log")"
mode=$(srv 4 show mode 2>/dev/null)
case $mode in "mode: secure (facts unreadable since "*", unknown local addresses dropped;"*)
	ok "show mode does not say plain secure: $(echo "$mode" | cut -c1-80)";;
	*) not_ok "show mode: $mode";; esac
wire 4 "fail closed: telnet to the unknown address is dropped" drop DROP PASS \
	-- "$C" "$NETPROBE" tcp -p 40301 -w 700 192.0.2.99 23
wire 4 "fail closed: so is its web (no policy is known for it)" drop DROP PASS \
	-- "$C" "$NETPROBE" tcp -p 40302 -w 700 192.0.2.99 80
wire 4 "fail closed: so is telnet to an unknown IPv6 address" drop DROP PASS \
	-- "$C" "$NETPROBE" tcp -p 40308 -w 700 2001:db8::99 23
wire 4 "fail closed: outbound from the unknown address is dropped" drop DROP PASS \
	-- "$S" "$NETPROBE" tcp -s 192.0.2.99 -p 40303 -w 700 $CL 53
wire 4 "the policy stays in force for the known address: web passes" pass PASS PASS \
	-- "$C" "$NETPROBE" tcp -p 40304 -w 700 $S4 80
wire 4 "and telnet to it is dropped" drop DROP PASS -- "$C" "$NETPROBE" tcp -p 40305 -w 700 $S4 23
counted() { # DIRECTION: packets show stats counts as dropped for unknown-local
	srv 4 show stats 2>/dev/null | sed -n "s/^ *$1 *unknown-local *\([0-9]*\) packets.*/\1/p"
}
[ "$(counted in)" -ge 3 ] 2>/dev/null && [ "$(counted out)" -gt 0 ] 2>/dev/null &&
	ok "show stats counts the unknown-local drops apart (in $(counted in), out $(counted out))" ||
	not_ok "unknown-local in show stats: $(srv 4 show stats 2>&1 | head -12)"
printf 'addr %s/24\naddr %s/64\naddr 192.0.2.99/24\n' $S4 $S6 >"$FACTS"
kill -HUP "$agent_pid"
i=0
while [ $i -lt 30 ] && ! grep '"id":4285' "$work/log4/events.log" | grep -q '"state":"left"'; do
	sleep 0.1
	i=$((i + 1))
done
grep '"id":4285' "$work/log4/events.log" | grep -q '"state":"left"' &&
	ok "facts readable again: 4285 says the state was left" || not_ok "no 4285 left"
case $(srv 4 show mode 2>/dev/null) in "mode: secure (generation "*) ok "show mode: plain secure again";;
	*) not_ok "show mode after recovery: $(srv 4 show mode 2>&1)";; esac
wire 4 "the address now known is filtered by the policy: web passes" pass PASS PASS \
	-- "$C" "$NETPROBE" tcp -p 40306 -w 700 192.0.2.99 80
wire 4 "and telnet to it is dropped" drop DROP PASS -- "$C" "$NETPROBE" tcp -p 40307 -w 700 192.0.2.99 23
kill -TERM "$agent_pid"
wait "$agent_pid"
rc=$?
[ $rc = 0 ] && ok "the agent stops cleanly after all that" ||
	not_ok "the agent exited with $rc: $(tail -5 "$work/agent4.err")"

echo "1..$n"
[ $failed -eq 0 ]
