#!/bin/sh
# SPDX-License-Identifier: MIT
# agent.sh - the policy agent ipsecfwd with real packets (TAP).
#
#   agent.sh IPSECFW IPSECFWD NETPROBE SRCROOT
#
# The agent runs in a server namespace against a scratch store, run and log
# directory, with its facts files (resolv.conf) under a scratch root. The
# cases: policy at start, a new address and a new DNS server enforced
# within a second, drops logged and aggregated, the W3C export, kill -9,
# SIGTERM, and a broken persistent policy at start.
set -u
IPSECFW=$1 IPSECFWD=$2 NETPROBE=$3 SRC=$4

. "$SRC/tests/e2e/lib.sh"

C=${tag}c1 S=${tag}s1
make_pair 1
serve "$S" 80 23 8080
serve "$C" 53
mkdir -p "$work/root1/etc"
echo "nameserver 198.51.100.7" >"$work/root1/etc/resolv.conf"
srv 1 -f "$SRC/examples/001-web-server.netsh" >/dev/null 2>&1
IPSECFW_KERNEL=off srv 1 static set policy name="Web Server Policy" assign=yes >/dev/null 2>&1
# Nested filters off the test's traffic (from 10/8, to 198.51.100.0/24 and
# 2001:db8:ff::/48): views of partitions and tiers for the update in place
awk 'BEGIN {
	print "static add filterlist name=Bulk"
	for (i = 0; i < 240; i++) {
		m = i % 3 == 0 ? 8 : i % 3 == 1 ? 16 : 24
		d = i % 4 == 0 ? "198.51.100.0 dstmask=24" : "198.51.100." i % 64 " dstmask=32"
		printf "static add filter filterlist=Bulk srcaddr=10.%d.%d.0 srcmask=%d dstaddr=%s " \
			"protocol=%s srcport=0 dstport=%d mirrored=no\n", (m > 8 ? i % 5 : 0),
			(m > 16 ? i % 7 : 0), m, d, (i % 5 ? "TCP" : "UDP"), (i % 6 ? 1000 + i % 40 : 0)
		if (i % 8 == 0)
			printf "static add filter filterlist=Bulk srcaddr=2001:db8:ff:%x:: srcmask=%d " \
				"dstaddr=any protocol=TCP srcport=0 dstport=%d mirrored=no\n",
				(i % 16 ? i % 3 : 0), (i % 16 ? 64 : 48), 2000 + i % 9
	}
	print "static add rule name=Bulk policy=\"Web Server Policy\" filterlist=Bulk filteraction=Block"
}' | awk '!seen[$0]++' >"$work/bulk.netsh"
IPSECFW_KERNEL=off srv 1 -f "$work/bulk.netsh" >/dev/null 2>&1 || not_ok "the bulk filters were refused"

# --- start: the policy in force, then ready ----------------------------
agent 1
if mode_is 1 secure; then ok "the agent applies the policy at start"; else not_ok "mode: $(srv 1 show mode 2>&1)"; fi
has_event 1 4291 && ok "a secure-mode event (4291)" || not_ok "no secure-mode event"
wire 1 "web request passes" pass "$(ref 1 in tcp 192.0.2.20:40001 $S4:80)" \
	"$(ref 1 out tcp $S4:80 192.0.2.20:40001)" -- "$C" "$NETPROBE" tcp -p 40001 -w 700 $S4 80
wire 1 "telnet is dropped" drop "$(ref 1 in tcp 192.0.2.20:40002 $S4:23)" PASS \
	-- "$C" "$NETPROBE" tcp -p 40002 -w 700 $S4 23

# --- a store change made without the kernel hook -------------------------
IPSECFW_KERNEL=off IPSECFW_DB="$work/db1" "$IPSECFW" static add filter filterlist="HTTP Server" \
	srcaddr=any dstaddr=me protocol=TCP dstport=8080 mirrored=yes >/dev/null 2>&1
sleep 1
wire 1 "within 1 s the agent enforces a filter added to the store" pass \
	"$(ref 1 in tcp 192.0.2.20:40005 $S4:8080)" "$(ref 1 out tcp $S4:8080 192.0.2.20:40005)" \
	-- "$C" "$NETPROBE" tcp -p 40005 -w 700 $S4 8080

# --- a DNS server change moves the DNS filter ---------------------------
# (TCP: a UDP reply would leave from the client's primary address)
REF_ARGS="--facts-root $work/root1"
wire 1 "DNS to the configured server passes" pass "$(ref 1 out tcp $S4:41000 198.51.100.7:53)" PASS \
	-- "$S" "$NETPROBE" tcp -p 41000 -w 700 198.51.100.7 53
echo "nameserver 192.0.2.5" >"$work/root1/etc/resolv.conf.new"
mv "$work/root1/etc/resolv.conf.new" "$work/root1/etc/resolv.conf"
sleep 1
wire 1 "within 1 s the new DNS server is allowed" pass "$(ref 1 out tcp $S4:41001 192.0.2.5:53)" PASS \
	-- "$S" "$NETPROBE" tcp -p 41001 -w 700 192.0.2.5 53
wire 1 "and the old one is not" drop "$(ref 1 out tcp $S4:41002 198.51.100.7:53)" PASS \
	-- "$S" "$NETPROBE" tcp -p 41002 -w 700 198.51.100.7 53

# --- a new address joins `me` -----------------------------------------
ip -n "$S" addr add 192.0.2.77/24 dev eth0
sleep 1
wire 1 "within 1 s telnet to the new address is dropped" drop "$(ref 1 in tcp 192.0.2.20:40003 192.0.2.77:23)" PASS \
	-- "$C" "$NETPROBE" tcp -p 40003 -w 700 192.0.2.77 23
wire 1 "and the web on it passes" pass PASS PASS -- "$C" "$NETPROBE" tcp -p 40004 -w 700 192.0.2.77 80
grep -q 'updated in place' "$work/log1/events.log" &&
	ok "the address change was an update in place" || not_ok "no in-place update logged"
# the agent named the table's new fingerprint without reading it back
mode=$(srv 1 show mode 2>&1)
case $mode in *drift*) not_ok "after the update in place: $mode";;
	"mode: secure"*) ok "the fingerprint the update named is the table's: no drift";;
	*) not_ok "show mode: $mode";; esac
# the table the update left lists as a full load of the same state does
# (elements in any order: a map lists them as its history laid them out)
canon() { sed -e 's/state_[0-9a-z_]*/STATE/' -e 's/\b[ab]_/S_/g' -e 's/elements = { /elements = {\n/' -e 's/^[[:space:]]*//' \
	-e 's/packets [0-9]* bytes [0-9]*/packets 0 bytes 0/g' -e 's/\( }\|,\)$//' | sort; }
ip netns add "${tag}full"
srv 1 --facts-root "$work/root1" apply --dry-run | in_ns "${tag}full" nft -f - &&
	in_ns "${tag}full" nft list table inet ipsecfw | canon >"$work/full" &&
	in_ns "$S" nft list table inet ipsecfw | canon >"$work/updated"
if [ "$(grep -c 'comment "local:' "$work/full")" -gt 240 ] && cmp -s "$work/full" "$work/updated"; then
	ok "the updated table lists as a full load of the same policy and addresses ($(grep -c ' : ' "$work/full") elements)"
else
	not_ok "update in place and full load differ: $(diff "$work/full" "$work/updated" | head -12 | tr "\n\t" "| ")"
fi
ip netns del "${tag}full"

# --- drops: logged, attributed, aggregated ------------------------------
for i in 1 2 3 4 5; do in_ns "$C" "$NETPROBE" udp -p 42000 -w 100 $S4 5000 >/dev/null; done
sleep 0.3
kill -USR1 "$agent_pid"
for i in 1 2 3 4 5 6 7 8 9 10; do
	rec=$(grep '"id":4280' "$work/log1/events.log" | grep '"dport":5000' | tail -1)
	[ -n "$rec" ] && break
	sleep 0.2
done
case $rec in *'"count":5,'*'"rule":"Block All"'*'"sport":42000'*) ok "5 drops, one record: count 5, rule Block All";;
	*) not_ok "drop record: $rec";; esac
"$IPSECFW" log export --log-dir "$work/log1" --format w3c -o "$work/export.log" 2>/dev/null
if python3 "$SRC/tests/tools/w3cread.py" "$work/export.log" >"$work/w3c.txt"; then
	ok "the W3C export reads back by the format's rules"
else
	not_ok "W3C export: $(cat "$work/w3c.txt")"
fi
grep -q ' 4280 drop in UDP 192.0.2.20 192.0.2.10 42000 5000 5 {' "$work/export.log" &&
	ok "the export holds the aggregated drop" || not_ok "export: $(grep 5000 "$work/export.log")"

# --- ipsecdiagnostics decides what is logged: 2 = inbound drops only ---------
srv 1 dynamic set config ipsecdiagnostics 2 >/dev/null 2>&1
sleep 0.5
in_ns "$C" "$NETPROBE" udp -p 42001 -w 100 $S4 5002 >/dev/null
in_ns "$S" "$NETPROBE" tcp -p 42002 -w 300 192.0.2.20 2525 >/dev/null
sleep 0.3
kill -USR1 "$agent_pid"
sleep 0.5
grep '"id":4280' "$work/log1/events.log" | grep -q '"dport":5002' &&
	ok "ipsecdiagnostics=2: an inbound drop is logged" || not_ok "ipsecdiagnostics=2: no inbound record"
grep '"id":4281' "$work/log1/events.log" | grep -q '"dport":2525' &&
	not_ok "ipsecdiagnostics=2: an outbound drop was logged" ||
	ok "ipsecdiagnostics=2: an outbound drop is not"
srv 1 dynamic set config ipsecdiagnostics 7 >/dev/null 2>&1

# --- the dynamic SPD: rules held by the agent -----------------------------
dyn() { srv 1 ${REF_ARGS:-} dynamic "$@"; }
dyn add mmpolicy name=MM >/dev/null 2>&1 && ok "add mmpolicy" || not_ok "add mmpolicy: $(dyn add mmpolicy name=MM2 2>&1)"
# one client may telnet in: more specific than Block All
if dyn add rule srcaddr=192.0.2.20 dstaddr=me mmpolicy=MM protocol=tcp dstport=23 \
	actioninbound=permit actionoutbound=permit >"$work/out" 2>&1; then
	ok "add rule: a dynamic permit for one client's telnet"
else
	not_ok "add rule: $(cat "$work/out")"
fi
wire 1 "the dynamic permit is enforced at once" pass "$(ref 1 in tcp 192.0.2.20:40020 $S4:23)" \
	"$(ref 1 out tcp $S4:23 192.0.2.20:40020)" -- "$C" "$NETPROBE" tcp -p 40020 -w 700 $S4 23
wire 1 "another client is still blocked" drop "$(ref 1 in tcp 192.0.2.5:40021 $S4:23)" PASS \
	-- "$C" "$NETPROBE" tcp -s 192.0.2.5 -p 40021 -w 700 $S4 23
n_rules=$(srv 1 -j dynamic show rule | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
[ "$n_rules" = 1 ] && ok "show rule -j lists it" || not_ok "show rule: $n_rules"
dyn add rule srcaddr=any dstaddr=me mmpolicy=NOPE protocol=udp >"$work/out" 2>&1
rc=$?
case "$rc:$(cat "$work/out")" in
1:*"1:35: error: add rule: mmpolicy: no main mode policy named 'NOPE'"*) ok "an unknown mmpolicy is refused with its column";;
1:*"mmpolicy: no main mode policy named 'NOPE'"*) ok "an unknown mmpolicy is refused";;
*) not_ok "unknown mmpolicy: rc $rc: $(cat "$work/out")";;
esac
dyn set rule srcaddr=192.0.2.20 dstaddr=me protocol=tcp dstport=23 actioninbound=block >/dev/null 2>&1
wire 1 "set rule: the client's telnet is blocked again" drop DROP PASS \
	-- "$C" "$NETPROBE" tcp -p 40022 -w 700 $S4 23
dyn set rule srcaddr=192.0.2.20 dstaddr=me protocol=tcp dstport=23 actioninbound=permit >/dev/null 2>&1
dyn delete rule srcaddr=192.0.2.20 dstaddr=me protocol=udp dstport=23 >"$work/out" 2>&1 &&
	not_ok "delete rule matched the wrong identity" || ok "delete rule needs the exact identity: $(tail -1 "$work/out" | cut -c1-60)"
dyn delete mmpolicy name=MM >"$work/out" 2>&1 && not_ok "deleted an mmpolicy in use" ||
	ok "an mmpolicy in use stays"

SOCK="$work/run1/agent.sock"
case $(python3 "$SRC/tests/tools/agentsock.py" "$SOCK" garbage) in
*'"rc":1'*malformed*) ok "a malformed message gets an error";; *) not_ok "garbage: no error";; esac
reply=$(python3 "$SRC/tests/tools/agentsock.py" "$SOCK" silent)
case $reply in *"no request in time"*) ok "a client that never speaks is cut off (${reply##* } s)";;
	*) not_ok "silent client: $reply";; esac
[ "$(python3 "$SRC/tests/tools/agentsock.py" "$SOCK" half)" = closed ] && ok "half a request, then gone" ||
	not_ok "half request"
crowd=$(python3 "$SRC/tests/tools/agentsock.py" "$SOCK" crowd 1000)
case $crowd in *"other=0") ok "1,000 clients at once: each answered or told busy ($crowd)";;
	*) not_ok "crowd: $crowd";; esac
if setpriv --reuid=65534 --regid=65534 --clear-groups env IPSECFW_RUN_DIR="$work/run1" \
	IPSECFW_DB="$work/db1" "$IPSECFW" dynamic show rule >"$work/out" 2>&1; then
	not_ok "a non-root user talked to the agent"
else
	ok "a non-root user is refused: $(tail -1 "$work/out" | cut -c1-70)"
fi
kill -0 "$agent_pid" 2>/dev/null && dyn show rule >/dev/null 2>&1 &&
	ok "after all that the agent still answers" || not_ok "the agent is gone or mute"
grep -q '"id":4297.*malformed' "$work/log1/events.log" && ok "refused requests are logged (4297)" ||
	not_ok "no refusal event"

# --- kill -9 keeps enforcement; SIGTERM permits ---------------------------
kill -9 "$agent_pid"
sleep 0.3
if mode_is 1 secure 1; then ok "kill -9: the kernel keeps the policy"; else not_ok "after kill -9: $(srv 1 show mode 2>&1)"; fi
wire 1 "after kill -9 the dynamic permit stays in the kernel" pass PASS PASS \
	-- "$C" "$NETPROBE" tcp -p 40023 -w 700 $S4 23
agent 1
mode_is 1 secure || not_ok "restart"
sleep 0.5
case $(dyn show rule 2>&1) in "No dynamic rules in the SPD.") ok "a restarted agent has no dynamic rules";;
	*) not_ok "after restart: $(dyn show rule 2>&1 | head -3)";; esac
wire 1 "and the kernel lost the dynamic permit" drop DROP PASS -- "$C" "$NETPROBE" tcp -p 40024 -w 700 $S4 23
kill -TERM "$agent_pid"
if mode_is 1 permit; then ok "SIGTERM: permit mode"; else not_ok "after SIGTERM: $(srv 1 show mode 2>&1)"; fi
has_event 1 4293 && ok "a permit-mode event (4293)" || not_ok "no permit-mode event"
wire 1 "telnet passes in permit mode" pass PASS PASS -- "$C" "$NETPROBE" tcp -p 40006 -w 700 $S4 23

# --- a broken persistent policy at start: block mode ----------------------
C=${tag}c2 S=${tag}s2
make_pair 2
serve "$S" 80
IPSECFW_KERNEL=off srv 2 -f "$SRC/tests/e2e/persistent.netsh" >/dev/null 2>&1
sqlite3 "$work/db2" "PRAGMA foreign_keys=OFF; DELETE FROM filteractions;"
agent 2
if mode_is 2 block; then ok "a broken persistent policy: block mode"; else not_ok "mode: $(srv 2 show mode 2>&1)"; fi
has_event 2 4292 && ok "a block-mode event (4292) saying why" || not_ok "no block-mode event: $(cat "$work/log2/events.log" "$work/agent2.err")"
wire 2 "the web is dropped in block mode" drop DROP PASS -- "$C" "$NETPROBE" tcp -w 700 $S4 80
kill -0 "$agent_pid" 2>/dev/null && ok "the agent keeps running" || not_ok "the agent exited"

dyn show rule >"$work/out" 2>&1
grep -q "no policy agent is running" "$work/out" && ok "without an agent, dynamic commands say so" ||
	not_ok "no agent: $(cat "$work/out")"

# --- faults: the agent keeps running and keeps the last good state ------
C=${tag}c3 S=${tag}s3
make_pair 3
serve "$S" 80 23
serve "$C" 53
mkdir -p "$work/root3/etc"
echo "nameserver 192.0.2.5" >"$work/root3/etc/resolv.conf"
web_server 3
agent 3
mode_is 3 secure || not_ok "fault agent start"
head -c 4096 /dev/urandom >"$work/root3/etc/resolv.conf"
sleep 0.5
# 10,000 address changes in about a second: one flood, a few loads
i=0
while [ $i -lt 5000 ]; do
	echo "address add 203.0.113.$((i % 250 + 1))/32 dev eth0 label eth0:$((i % 7))"
	echo "address del 203.0.113.$((i % 250 + 1))/32 dev eth0"
	i=$((i + 1))
done >"$work/flood"
ip -n "$S" -force -batch "$work/flood" 2>/dev/null
ip -n "$S" addr add 192.0.2.88/24 dev eth0
sleep 1
if kill -0 "$agent_pid" 2>/dev/null && mode_is 3 secure 1; then
	ok "garbage resolv.conf and 10,000 address changes: the agent runs on, secure"
else
	not_ok "after the flood: $(srv 3 show mode 2>&1); $(tail -3 "$work/agent3.err")"
fi
# (random bytes almost always hold a NUL: no text file at all)
grep '"id":4297' "$work/log3/events.log" |
	grep -Eq 'resolv.conf: (line [0-9]* is not a resolv.conf line|holds a NUL byte)' &&
	ok "the garbage resolv.conf is refused (4297)" || not_ok "no 4297 for resolv.conf"
wire 3 "DNS to the server read before the garbage still passes" pass PASS PASS \
	-- "$S" "$NETPROBE" tcp -p 41003 -w 700 192.0.2.5 53
wire 3 "the address added after the flood is enforced" drop "$(ref 3 in tcp 192.0.2.20:40010 192.0.2.88:23)" PASS \
	-- "$C" "$NETPROBE" tcp -p 40010 -w 700 192.0.2.88 23
head -c 65536 /dev/urandom >"$work/db3.garbage"
cp "$work/db3.garbage" "$work/db3"
sleep 1
kill -0 "$agent_pid" 2>/dev/null && has_event 3 4297 && secure_chain "$S"
[ $? = 0 ] && ok "a corrupted store: refused (4297), the agent runs on, the kernel keeps the policy" ||
	not_ok "corrupted store: $(tail -3 "$work/log3/events.log")"
wire 3 "telnet still dropped" drop DROP PASS -- "$C" "$NETPROBE" tcp -p 40011 -w 700 $S4 23
rm -f "$work/db3" "$work/db3-wal" "$work/db3-shm"
sleep 1
kill -0 "$agent_pid" 2>/dev/null && grep -q 'the file is gone' "$work/log3/events.log" && secure_chain "$S"
[ $? = 0 ] && ok "a deleted store: refused (4297), the kernel keeps the policy" ||
	not_ok "deleted store: $(tail -3 "$work/log3/events.log")"

echo "1..$n"
[ $failed -eq 0 ]
