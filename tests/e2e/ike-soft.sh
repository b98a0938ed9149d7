#!/bin/sh
# SPDX-License-Identifier: MIT
# soft=yes and inpass=yes on the wire (SPEC §2.5, §5.5): the server's
# agent and charon negotiate with a client that has no IKE at all. The
# first packets of a soft rule start IKE (the trap holds them); charon
# gives up on the silent peer; the agent falls back to clear with it
# (event 4286 "fallback":"clear"): charon's pass policies and the peer in
# nftables' live_soft set, so clear TCP flows both ways. A rule without
# soft stays blocked (4286 "blocked"). inpass=yes: the client's clear SYN
# is accepted and the answer starts IKE instead of leaving in clear. When
# the fallback ends (the dynamic mmpolicy's softsaexpirationtime) and the
# client has IKE by then, the next packet negotiates: main mode comes up
# and no clear packet reaches the client (this kernel has no ESP, so the
# SA itself cannot be installed: the traffic stays blocked, fail closed).
# Needs root; skips without charon.
# usage: ike-soft.sh IPSECFW NETPROBE SRCDIR IPSECFWD
IPSECFW=$1
NETPROBE=$2
IPSECFWD=$4
. "$(dirname "$0")/ike-lib.sh"
ike_pair
SOFT_S=12 # the soft rule's fallback, seconds

charon srv "$S" && ok "charon runs in the server's namespace (none in the client's)" ||
	{ not_ok "charon in the server"; cat "$work/srv/out"; }
# What reaches the client's wire: clear TCP of the soft rule, IKE, and
# clear answers of the inpass rule.
in_ns "$C" nft -f - <<-EOF || not_ok "the wire counters did not load"
table netdev softtest {
	counter clear { }
	counter ike { }
	counter reply { }
	chain in {
		type filter hook ingress device eth0 priority 0;
		ip saddr $S4 tcp dport 7000 counter name clear
		ip saddr $S4 udp dport 500 counter name ike
		ip saddr $S4 tcp sport 7022 counter name reply
	}
}
EOF
count() { in_ns "$C" nft list counter netdev softtest "$1" | sed -n 's/.*packets \([0-9]*\).*/\1/p'; }

# The server: a static rule without soft (tcp/7001), then the agent, then
# a dynamic rule with soft (tcp/7000), SOFT_S seconds of fallback.
fw srv -f - >/dev/null <<-EOF
delete all
add policy name=Hard activatedefaultrule=no
add filteraction name=Require action=negotiate soft=no qmsecmethods="ESP[3DES,SHA1]"
add filter filterlist=Hard srcaddr=me dstaddr=$C4 protocol=TCP dstport=7001
add rule name=Hard policy=Hard filterlist=Hard filteraction=Require psk="soft test key"
add filteraction name=Inpass action=negotiate inpass=yes qmsecmethods="ESP[3DES,SHA1]"
add filter filterlist=Inpass srcaddr=$C4 dstaddr=me protocol=TCP dstport=7022
add rule name=Inpass policy=Hard filterlist=Inpass filteraction=Inpass psk="soft test key"
set policy name=Hard assign=yes
EOF
start_agent
{
	fw srv dynamic add mmpolicy name=SoftMM mmsecmethods="3DES-SHA1-2" softsaexpirationtime=$SOFT_S &&
	fw srv dynamic add qmpolicy name=SoftQM soft=yes qmsecmethods="ESP[3DES,SHA1]" &&
	fw srv dynamic add rule srcaddr=me dstaddr=$C4 protocol=tcp dstport=7000 mmpolicy=SoftMM \
		qmpolicy=SoftQM actioninbound=negotiate actionoutbound=negotiate psk="soft test key"
} >"$work/dyn.out" 2>&1
trap_for() { in_ns "$S" ip xfrm policy | grep -q "dst $C4/32 proto tcp dport $1"; }
for _ in $(seq 30); do trap_for 7000 && trap_for 7001 && break; sleep 0.1; done
if trap_for 7000 && trap_for 7001; then
	ok "the agent loaded both rules into charon: trap policies for tcp/7000 (soft) and tcp/7001"
else
	not_ok "no trap policies"
	sed 's/^/# /' "$work/dyn.out" "$work/agent.err"
fi

# Before any fallback, the soft rule's clear inbound is refused: the
# client's SYN from port 7000 (the rule's mirror) meets the negotiate
# drop, the client not being in the set (nothing listens on the
# client's port 7000 yet).
in_drops() { in_ns "$S" nft list counters inet | grep -A1 'drop_in_negotiate-required' |
	sed -n 's/.*packets \([0-9]*\).*/\1/p' | head -1; }
if ! in_ns "$C" "$NETPROBE" tcp -p 7000 -w 500 $S4 7100 >/dev/null && [ "$(in_drops)" -gt 0 ]; then
	ok "before a fallback, clear inbound of the soft rule is refused ($(in_drops) negotiate-required)"
else
	not_ok "clear inbound of the soft rule before a fallback (drops: $(in_drops))"
fi

serve "$C" 7000 7001
# The first packets start IKE towards a client that never answers (charon
# runs one attempt per peer at a time: the rules are tried in turn).
in_ns "$S" "$NETPROBE" tcp -w 2000 $C4 7000 >/dev/null 2>&1
if [ "$(count clear)" = 0 ] && [ "$(count ike)" -gt 0 ]; then
	ok "the first packets are held: IKE reaches the client ($(count ike) packets), no clear TCP"
else
	not_ok "first packets: clear=$(count clear) ike=$(count ike)"
fi
if event 4286 "\"fallback\":\"clear\"" 20 &&
	grep '"fallback":"clear"' "$work/agentlog/events.log" | head -1 | grep "\"seconds\":$SOFT_S" |
	grep -q "\"dst\":\"$C4\""; then
	ok "charon gave up on the silent peer: the soft rule falls back to clear for $SOFT_S s (4286)"
	grep '"fallback":"clear"' "$work/agentlog/events.log" | head -1 | sed 's/^/# /'
else
	not_ok "no fallback to clear"
	sed 's/^/# /' "$work/agentlog/events.log" | tail -8
	grep -v 'CFG]  ' "$work/srv/charon.log" | tail -30 | sed 's/^/# /'
	sed 's/^/# /' "$work/agent.err"
fi
pols=$(in_ns "$S" swanctl --list-pols --uri "unix://$work/srv/charon.vici" 2>&1)
if echo "$pols" | grep -q "clear-192_0_2_20.*PASS" &&
	in_ns "$S" nft list ruleset | grep -A4 'set [ab]_live_soft4' | grep -q "$C4 timeout ${SOFT_S}s expires"; then
	ok "charon has a pass policy for the soft rule with the peer; nftables' live_soft set has it, timed"
else
	not_ok "no pass policy or set element"
	echo "$pols" | sed 's/^/# /' | tail -6
	in_ns "$S" nft list ruleset | grep -A4 'live_soft4' | sed 's/^/# /'
fi
if in_ns "$S" "$NETPROBE" tcp -w 2000 $C4 7000 >/dev/null 2>&1 && [ "$(count clear)" -gt 0 ]; then
	ok "clear TCP to the peer flows both ways now ($(count clear) clear packets on its wire)"
else
	not_ok "clear TCP after the fallback (clear=$(count clear))"
fi

# The rule without soft, towards the same silent client (one IKE attempt
# per peer at a time in charon: after the soft rule's).
in_ns "$S" "$NETPROBE" tcp -w 2000 $C4 7001 >/dev/null 2>&1
if event 4286 "\"fallback\":\"blocked\"" 20 &&
	grep '"fallback":"blocked"' "$work/agentlog/events.log" | grep -q "\"dst\":\"$C4\""; then
	ok "the rule without soft: the same failure leaves it blocked (4286 \"fallback\":\"blocked\")"
else
	not_ok "no blocked event for the rule without soft"
fi

# inpass: the client (no IKE) connects in clear; the server's nftables
# accept it, and so does XFRM (charon's inbound policies of an inpass rule
# carry a mark no packet has), and its answer is secure: the SYN-ACK is
# held and starts IKE towards the client, never leaving in clear.
serve "$S" 7022
tmpl() { in_ns "$S" sed -n 's/^XfrmInTmplMismatch[[:space:]]*//p' /proc/net/xfrm_stat; }
inpass=$(fw srv -j show ike | python3 -c '
import json, sys
print([c["name"] for c in json.load(sys.stdin) if "Inpass" in c["origin"]][0])')
before=$(tmpl)
in_ns "$C" "$NETPROBE" tcp -w 1000 $S4 7022 >/dev/null
started=""
for _ in $(seq 30); do
	grep -q "initiating Main Mode IKE_SA $inpass\[[0-9]*\] to $C4" "$work/srv/charon.log" &&
		started=1 && break
	sleep 0.1
done
if [ -n "$started" ] && [ "$(tmpl)" = "$before" ] && [ "$(count reply)" = 0 ]; then
	ok "inpass: clear SYN from the client accepted (nftables and XFRM), the answer starts IKE ($inpass), none leaves in clear"
else
	not_ok "inpass: IKE started: ${started:-no}, XFRM template drops $before -> $(tmpl), clear replies $(count reply)"
	grep -v 'CFG]  ' "$work/srv/charon.log" | tail -12 | sed 's/^/# /'
	in_ns "$S" nft list counters inet | grep -A1 negotiate | sed 's/^/# /'
fi

if ! in_ns "$S" "$NETPROBE" tcp -w 1000 $C4 7001 >/dev/null 2>&1; then
	ok "the rule without soft stays blocked (fail closed)"
else
	not_ok "the rule without soft let clear traffic through"
fi

# The client gets IKE (its own charon and the mirror rule) while the
# server is still in clear with it.
charon cli "$C" || not_ok "charon in the client"
fw cli -f - >/dev/null <<-EOF
delete all
add policy name=Soft activatedefaultrule=no mmsecmethods="3DES-SHA1-2"
add filteraction name=Require action=negotiate qmsecmethods="ESP[3DES,SHA1]"
add filter filterlist=Soft srcaddr=me dstaddr=$S4 protocol=TCP srcport=7000
add rule name=Soft policy=Soft filterlist=Soft filteraction=Require psk="soft test key"
set policy name=Soft assign=yes
EOF
fw cli ike load >/dev/null || not_ok "client: ike load"
if event 4294 '"fallback":"ended"' $((SOFT_S + 5)); then
	ok "the fallback ends after its time, said (4294 \"fallback\":\"ended\")"
else
	not_ok "the fallback did not end"
fi
sleep 1
if ! in_ns "$S" swanctl --list-pols --uri "unix://$work/srv/charon.vici" 2>&1 | grep -q "clear-" &&
	! in_ns "$S" nft list ruleset | grep -A4 'set [ab]_live_soft4' | grep -q "$C4"; then
	ok "its pass policy is unloaded and the peer left nftables' set"
else
	not_ok "the pass policy or the set element is still there"
fi
before=$(count clear)
in_ns "$S" "$NETPROBE" tcp -w 3000 $C4 7000 >/dev/null 2>&1
established=""
for _ in $(seq 50); do
	fw srv ike sas 2>/dev/null | grep -q "ESTABLISHED IKEv1 $S4 <-> $C4" && established=1 && break
	sleep 0.2
done
if [ -n "$established" ] && [ "$(count clear)" = "$before" ]; then
	ok "the next packet negotiates again: main mode ESTABLISHED with the client, no clear packet reached it"
else
	not_ok "not negotiated again (clear $before -> $(count clear))"
	fw srv ike sas 2>&1 | sed 's/^/# /'
fi
if ! grep -q 'unable to add SAD entry\|unable to install' "$work/srv/charon.log"; then
	ok "the SA was installed: this kernel has ESP"
elif ! sed -n '/"fallback":"ended"/,$p' "$work/agentlog/events.log" | grep -q '"fallback":"clear"'; then
	ok "the SA install fails on this kernel (no ESP): the traffic stays blocked, no new fallback"
else
	not_ok "a failure with an answering peer started a fallback"
fi

# A stored soft rule (300 s of fallback) with another silent peer: the
# client's own charon is kept from answering on 192.0.2.5. (Not IPv6: this
# kernel refuses charon's IPv6 XFRM policies, EINVAL.)
P5=192.0.2.5
in_ns "$C" nft add rule netdev softtest in ip daddr $P5 udp dport '{ 500, 4500 }' drop ||
	not_ok "the client's IKE drop for $P5"
fw srv -f - >/dev/null <<-EOF
add filteraction name=Soft5 action=negotiate soft=yes qmsecmethods="ESP[3DES,SHA1]"
add filter filterlist=Soft5 srcaddr=me dstaddr=$P5 protocol=TCP dstport=7002
add rule name=Soft5 policy=Hard filterlist=Soft5 filteraction=Soft5 psk="soft test key"
EOF
trap5() { in_ns "$S" ip xfrm policy | grep -q "dst $P5/32 proto tcp dport 7002"; }
for _ in $(seq 50); do trap5 && break; sleep 0.1; done
trap5 || {
	not_ok "no trap policy for the stored soft rule"
	fw srv show ike 2>&1 | grep -B2 -A12 Soft5 | sed 's/^/# /'
	grep -v "CFG]  " "$work/srv/charon.log" | tail -8 | sed "s/^/# /"
}
serve "$C" 7002
in_ns "$S" "$NETPROBE" tcp -w 2000 $P5 7002 >/dev/null 2>&1
if event 4286 "\"dst\":\"$P5\".*\"fallback\":\"clear\"" 20 &&
	in_ns "$S" "$NETPROBE" tcp -w 2000 $P5 7002 >/dev/null 2>&1 &&
	in_ns "$S" nft list ruleset | grep -A4 'set [ab]_live_soft4' | grep -q "$P5 timeout 5m"; then
	ok "a stored soft rule: the silent peer $P5 falls back to clear for 300 s (live_soft4), clear TCP flows"
else
	not_ok "the stored soft rule's fallback"
	sed 's/^/# /' "$work/agentlog/events.log" | tail -4
	in_ns "$S" nft list ruleset | grep -A4 'live_soft4' | sed 's/^/# /'
fi

# dynamic show fallbacks: peer, rule, since, until, as text and JSON.
rule5=$(fw srv -j show ike | python3 -c '
import json, sys
print([c["name"] for c in json.load(sys.stdin) if "Soft5" in c["origin"]][0])')
fb() { fw srv -j dynamic show fallbacks | python3 -c '
import json, sys
for f in json.load(sys.stdin):
    if f["peer"] == sys.argv[1]:
        print(f["rule"], f["since"], f["until"], f["seconds_left"])' "$P5"; }
shown=$(fb)
text=$(fw srv dynamic show fallbacks)
if [ "${shown%% *}" = "$rule5" ] && echo "$text" | grep -q "^Peer: $P5" &&
	echo "$text" | grep -q "^Rule: $rule5" && echo "$text" | grep -q "^Until: .*Z ([0-9]* s left)"; then
	ok "dynamic show fallbacks: $shown"
else
	not_ok "dynamic show fallbacks: '$shown'"
	echo "$text" | sed 's/^/# /'
fi

# ipsecfw ike load by hand keeps the agent's pass policies.
clear5() { in_ns "$S" swanctl --list-pols --uri "unix://$work/srv/charon.vici" 2>&1 |
	grep -q "$rule5-clear.*PASS"; }
if clear5 && fw srv ike load >"$work/load.out" 2>&1 && clear5; then
	ok "ipsecfw ike load keeps the agent's fallback ($rule5-clear): $(cat "$work/load.out")"
else
	not_ok "ike load and the fallback's pass policy"
	sed 's/^/# /' "$work/load.out"
fi

# An agent started again (a handover keeps the program and its set) keeps
# the fallback until its end: charon's pass policy, the set, the time.
kill -USR2 "$agent_pid"
for _ in $(seq 50); do kill -0 "$agent_pid" 2>/dev/null || break; sleep 0.1; done
start_agent
sleep 1
again=$(fb)
secs() { date -d "$(echo "$1" | cut -d' ' -f3)" +%s; }
if [ -n "$again" ] && [ "$(secs "$again")" -ge $(($(secs "$shown") - 1)) ] &&
	[ "$(secs "$again")" -le $(($(secs "$shown") + 1)) ] && clear5 &&
	in_ns "$S" nft list ruleset | grep -A4 'set [ab]_live_soft4' | grep -q "$P5 timeout" &&
	in_ns "$S" "$NETPROBE" tcp -w 2000 $P5 7002 >/dev/null 2>&1; then
	ok "after a restart the agent keeps the fallback to its end: $again"
else
	not_ok "after a restart: '$again' (was '$shown')"
	in_ns "$S" swanctl --list-pols --uri "unix://$work/srv/charon.vici" 2>&1 | tail -6 | sed 's/^/# /'
	tail -5 "$work/agent.err" | sed 's/^/# /'
fi

stop_agent

echo "1..$n"
[ "$failed" -eq 0 ]
