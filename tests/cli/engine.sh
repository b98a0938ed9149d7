#!/bin/sh
# SPDX-License-Identifier: MIT
# The engine from the command line: the SPEC §10.1 vectors T1-T9 through
# `ipsecfw test` (golden), bad packets, `show facts` from rtnetlink in a
# network namespace, `replay` of captures written here, and `analyze` on
# policies built to contain known problems. Usage: engine.sh IPSECFW SRCDIR PCAPGEN
. "$(dirname "$0")/lib.sh"
PCAPGEN=$3
G="$SRCDIR/tests/golden"

# 192.0.2.10 (and 2001:db8::10) stand for the SPEC's local address 10.1.1.1.
cat >"$T/facts" <<'X'
addr 192.0.2.10/24
addr 2001:db8::10/64
dns 198.51.100.53
gateway 192.0.2.1
X
F() { "$IPSECFW" --facts "$T/facts" "$@"; }

F -f - <<'X'
add policy name="Packet Filter" activatedefaultrule=no
add filteraction name=Block action=block
add filter filterlist="Web" srcaddr=any dstaddr=me protocol=TCP dstport=80 mirrored=yes
add filter filterlist="Web" srcaddr=any dstaddr=me protocol=TCP dstport=443 mirrored=yes
add filter filterlist="AllIn" srcaddr=any dstaddr=me mirrored=yes
add rule name=Web policy="Packet Filter" filterlist=Web filteraction=Permit
add rule name=AllIn policy="Packet Filter" filterlist=AllIn filteraction=Block
set policy name="Packet Filter" assign=yes
X
ok $? "SPEC §10.1 policy loads"

vectors() {
	echo "== T1"; F test in tcp 203.0.113.9:40000 me:80
	echo "== T2"; F test out tcp me:80 203.0.113.9:40000
	echo "== T3"; F test in tcp 203.0.113.9:40000 me:22
	echo "== T4"; F test out udp me:51000 198.51.100.7:53
	echo "== T5"; F test in udp 203.0.113.9:137 255.255.255.255:137
	echo "== T6"; F test in udp 203.0.113.9:500 me:500
	echo "== T6 from port 500 to a blocked port"; F test in udp 203.0.113.9:500 me:22
	echo "== T1 IPv6"; F test in tcp [2001:db8::99]:40000 me:80
	echo "== T5 IPv6"; F test in udp [2001:db8::99]:5353 [ff02::fb]:5353
}
vectors >"$T/vectors" 2>&1
same "$G/spec-vectors.txt" "$T/vectors" "T1-T6 explanations match the golden file"

expect "PASS Web" "T1 web request in" in tcp 203.0.113.9:40000 me:80
expect "PASS Web" "T2 web reply out (mirror)" out tcp me:80 203.0.113.9:40000
expect "DROP AllIn" "T3 ssh in" in tcp 203.0.113.9:40000 me:22
expect "DROP AllIn" "T4 dns query out (mirror of AllIn)" out udp me:51000 198.51.100.7:53
expect "DROP AllIn" "T5 broadcast in, exempt=3" in udp 203.0.113.9:137 255.255.255.255:137
expect "DROP AllIn" "T5 directed broadcast in, exempt=3" in udp 203.0.113.9:137 192.0.2.255:137
expect "PASS ISAKMP" "T6 IKE in" in udp 203.0.113.9:500 me:500
expect "PASS ISAKMP" "T6 NAT-T in from any port" in udp 203.0.113.9:40000 me:4500
expect "DROP AllIn" "source port 500 is no way in (ISAKMP is the local port)" in udp 203.0.113.9:500 me:22
expect "DROP AllIn" "nor source port 4500" in udp 203.0.113.9:4500 me:22
expect "PASS ISAKMP" "IKE out from the local port" out udp me:500 203.0.113.9:500
expect "PASS ISAKMP" "NAT-T out from the local port to any port" out udp me:4500 203.0.113.9:40000
expect "DROP AllIn" "out from another local port to a remote 500 is filtered" out udp me:40000 203.0.113.9:500
expect "PASS Web" "T1 over IPv6" in tcp [2001:db8::99]:40000 me:80
expect "DROP AllIn" "T3 over IPv6" in tcp [2001:db8::99]:40000 me:22
expect "DROP AllIn" "T5 IPv6 multicast in" in udp [2001:db8::99]:5353 [ff02::fb]:5353
expect "PASS -" "a packet between two other hosts matches nothing" in tcp 203.0.113.9:1 198.51.100.7:80
expect "PASS -" "loopback is never filtered" in tcp 127.0.0.1:40000 127.0.0.1:22
expect "DROP AllIn" "a non-first fragment never matches a port filter (Q11)" --frag in tcp 203.0.113.9:40000 me:80
expect "DROP AllIn" "outbound multicast: the mirror me->any matches by address" out udp me:5353 224.0.0.251:5353

"$IPSECFW" dynamic set config property=ipsecexempt value=1 >/dev/null 2>&1
expect "PASS broadcast" "T5 with ipsecexempt=1: broadcast exempt" in udp 203.0.113.9:137 255.255.255.255:137
expect "PASS multicast" "ipsecexempt=1: multicast exempt" in udp 203.0.113.9:5353 224.0.0.251:5353
expect "DROP AllIn" "ipsecexempt=1: Kerberos is filtered" in tcp 203.0.113.9:88 me:22
"$IPSECFW" dynamic set config property=ipsecexempt value=0 >/dev/null 2>&1
expect "PASS Kerberos" "T7 Kerberos source-port bypass with ipsecexempt=0" in tcp 203.0.113.9:88 me:22
expect "PASS RSVP" "ipsecexempt=0: RSVP exempt" in 46 203.0.113.9 me
"$IPSECFW" dynamic set config property=ipsecexempt value=2 >/dev/null 2>&1
expect "DROP AllIn" "ipsecexempt=2: broadcast filtered" in udp 203.0.113.9:137 255.255.255.255:137
"$IPSECFW" dynamic set config property=ipsecexempt value=3 >/dev/null 2>&1
expect "DROP AllIn" "T7 with ipsecexempt=3: Kerberos filtered" in tcp 203.0.113.9:88 me:22

F -f - <<'X'
add filter filterlist="Admin" srcaddr=192.0.2.5 dstaddr=me
add rule name=Admin policy="Packet Filter" filterlist=Admin filteraction=Permit
add filter filterlist="RDP" srcaddr=any dstaddr=me protocol=TCP dstport=3389
add rule name=RDP policy="Packet Filter" filterlist=RDP filteraction=Block
X
expect "PASS Admin" "T8 host->me permit (A=64) beats AllIn (A=32)" in tcp 192.0.2.5:40000 me:22
expect "PASS Admin" "T9 host->me permit beats any->me TCP 3389 block" in tcp 192.0.2.5:40000 me:3389
expect "DROP RDP" "T9 from another host: the RDP block decides" in tcp 203.0.113.9:40000 me:3389
F test in tcp 192.0.2.5:40000 me:3389 >"$T/t9"
grep -q "also matched, and lost" "$T/t9" && grep -q "rule 'RDP'" "$T/t9" && grep -q "rule 'AllIn'" "$T/t9"
ok $? "T9 lists the filters that matched and lost"

F -f - <<'X'
add filteraction name=Neg action=negotiate inpass=yes soft=no
add filter filterlist="Ping" srcaddr=any dstaddr=me protocol=ICMP mirrored=no
add rule name=Ping policy="Packet Filter" filterlist=Ping filteraction=Neg
X
expect "PASS Ping" "negotiate with inpass accepts cleartext in" in icmp 203.0.113.9 me type 8 code 0
F -j test in icmp 203.0.113.9 me type 8 | grep -q '"reason": "negotiate, inpass accepts cleartext"'
ok $? "the reason names inpass"

# add filter warns when the new filter is shadowed at once, and only then.
F static add filter filterlist=AllIn srcaddr=any dstaddr=me protocol=UDP dstport=500 2>"$T/err"
[ $? -eq 0 ] && grep -q "is shadowed at once: exemption ISAKMP" "$T/err" && grep -q "ipsecfw test in udp" "$T/err"
ok $? "add filter warns: the ISAKMP exemption shadows a UDP 500 filter"
F static add filter filterlist=Web srcaddr=203.0.113.0 srcmask=24 dstaddr=me protocol=TCP dstport=8080 2>"$T/err"
[ $? -eq 0 ] && ! grep -q "shadowed" "$T/err"
ok $? "add filter does not warn for a filter that can decide"
F -f - 2>"$T/err" <<'X'
add filter filterlist=Narrow srcaddr=any dstaddr=me protocol=TCP dstport=1500-1600
add filter filterlist=Wide srcaddr=any dstaddr=me protocol=TCP dstport=1000-3000
add rule name=Narrow policy="Packet Filter" filterlist=Narrow filteraction=Permit
add rule name=Wide policy="Packet Filter" filterlist=Wide filteraction=Block
X
[ $? -eq 0 ] && [ "$(grep -c 'shadowed at once' "$T/err")" -eq 1 ] && grep -q "list 'Narrow'" "$T/err"
ok $? "a script warns once, at commit, for the filter its own rules shadow"

# Bad packets: a clear message and status 2.
bad() { # what args...
	what=$1
	shift
	F test "$@" >"$T/out" 2>"$T/err"
	rc=$?
	[ $rc -eq 2 ] && grep -q "ipsecfw: test: " "$T/err"
	ok $? "bad packet: $what ($(cat "$T/err"))"
}
bad "port out of range" in tcp 203.0.113.9:99999 me:80
bad "direction" sideways tcp 203.0.113.9:1 me:80
bad "protocol" in xyz 203.0.113.9:1 me:80
bad "ports on ICMP" in icmp 203.0.113.9:5 me
bad "type on TCP" in tcp 203.0.113.9:5 me:80 type 3
bad "both me" in tcp me:1 me:80
bad "mixed families" in tcp 203.0.113.9:1 [2001:db8::1]:80
bad "bad address" in tcp 203.0.113.999:1 me:80
bad "too few words" in tcp
printf 'addr 192.0.2.10/24\n' >"$T/v4only"
"$IPSECFW" --facts "$T/v4only" test in tcp [2001:db8::1]:1 me:80 2>"$T/err"
[ $? -eq 2 ] && grep -q "no IPv6 address" "$T/err"
ok $? "me without an address of the family is an error"
"$IPSECFW" --facts "$T/nonexistent" test in tcp 203.0.113.9:1 me:80 2>"$T/err"
[ $? -eq 1 ] && grep -q "cannot open facts file" "$T/err"
ok $? "a missing facts file is an error"

# T7-T9 explanations, golden too.
{
	echo "== T8"; F test in tcp 192.0.2.5:40000 me:22
	echo "== T9"; F test in tcp 192.0.2.5:40000 me:3389
	"$IPSECFW" dynamic set config property=ipsecexempt value=0 >/dev/null 2>&1
	echo "== T7"; F test in tcp 203.0.113.9:88 me:22
	"$IPSECFW" dynamic set config property=ipsecexempt value=3 >/dev/null 2>&1
} >"$T/vectors2" 2>&1
same "$G/spec-vectors-t7-t9.txt" "$T/vectors2" "T7-T9 explanations match the golden file"

# Which policies are in force (SPEC §8): persistent + (domain, else local),
# active rules only; persistent wins an exact tie.
export IPSECFW_DB="$T/stores.db"
F -f - <<'X'
set store location=persistent
add policy name=Pers activatedefaultrule=no
add filteraction name=Block action=block
add filter filterlist=P80 srcaddr=any dstaddr=me protocol=TCP dstport=80
add rule name=P80 policy=Pers filterlist=P80 filteraction=Block
set policy name=Pers assign=yes
set store location=local
add policy name=Loc activatedefaultrule=no
add filteraction name=Block action=block
add filter filterlist=L80 srcaddr=any dstaddr=me protocol=TCP dstport=80
add filter filterlist=L22 srcaddr=any dstaddr=me protocol=TCP dstport=22
add filter filterlist=L25 srcaddr=any dstaddr=me protocol=TCP dstport=25
add rule name=L80 policy=Loc filterlist=L80 filteraction=Block
add rule name=L22 policy=Loc filterlist=L22 filteraction=Block
add rule name=L25 policy=Loc filterlist=L25 filteraction=Block activate=no
set policy name=Loc assign=yes
X
ok $? "persistent and local policies load"
expect "DROP P80" "persistent wins the exact tie with an equal local filter (Q3)" in tcp 203.0.113.9:1 me:80
expect "DROP L22" "the local policy is in force beside the persistent one" in tcp 203.0.113.9:1 me:22
expect "PASS -" "an inactive rule is not in force" in tcp 203.0.113.9:1 me:25
F -f - <<'X'
set store location=domain domain=example.com
add policy name=Dom activatedefaultrule=no
add filteraction name=Block action=block
add filter filterlist=D443 srcaddr=any dstaddr=me protocol=TCP dstport=443
add rule name=D443 policy=Dom filterlist=D443 filteraction=Block
set policy name=Dom gponame="Servers OU"
X
ok $? "a domain policy is assigned"
expect "DROP D443" "the domain policy is in force" in tcp 203.0.113.9:1 me:443
expect "PASS -" "and overrides the local policy" in tcp 203.0.113.9:1 me:22
expect "DROP P80" "the persistent policy stays" in tcp 203.0.113.9:1 me:80
export IPSECFW_DB="$T/ipsecfw.db"

# show table: deterministic, and JSON.
F show table >"$T/table1" && F show table >"$T/table2" && cmp -s "$T/table1" "$T/table2"
ok $? "show table prints the same table twice"
F -j show table | python3 -c 'import json,sys; t = json.load(sys.stdin); assert t[0]["exemption"] == "ISAKMP"'
ok $? "show table -j: exemptions first"

# Host facts from rtnetlink, in a namespace of our own.
if [ "$(id -u)" -eq 0 ] && command -v ip >/dev/null && ip netns add "ipsecfw-facts-$$" 2>/dev/null; then
	NS="ipsecfw-facts-$$"
	ip -n "$NS" link add v0 type veth peer name v1
	ip -n "$NS" link set v0 up
	ip -n "$NS" link set v1 up
	ip -n "$NS" addr add 192.0.2.10/24 dev v0
	ip -n "$NS" addr add 2001:db8::10/64 dev v0 nodad
	ip -n "$NS" route add default via 192.0.2.1
	mkdir -p "$T/root/etc"
	echo "nameserver 198.51.100.53" >"$T/root/etc/resolv.conf"
	ip netns exec "$NS" "$IPSECFW" --facts-root "$T/root" -j show facts >"$T/facts.json"
	ok $? "show facts runs in the namespace"
	python3 - "$T/facts.json" <<'X'
import json, sys
f = json.load(open(sys.argv[1]))
me = [a["address"] for a in f["me"]]
assert "192.0.2.10/24" in me and "2001:db8::10/64" in me, me
assert not any(a.startswith("127.") or a.startswith("::1/") for a in me), me
assert f["gateway"] == ["192.0.2.1"], f["gateway"]
assert f["dns"] == ["198.51.100.53"], f["dns"]
X
	ok $? "me = the namespace's addresses (no loopback); the default gateway; DNS from the root"
	ip netns del "$NS"
else
	echo "ok $((tap_n + 1)) - # SKIP rtnetlink facts need root and ip netns"
	tap_n=$((tap_n + 1))
fi

# Replay: captures in every supported form.
cat >"$T/specs" <<'X'
tcp 203.0.113.9 192.0.2.10 40000 80
tcp 192.0.2.10 203.0.113.9 80 40000
tcp 203.0.113.9 192.0.2.10 40001 23
udp 192.0.2.10 198.51.100.7 51000 53
udp 203.0.113.9 192.0.2.10 500 500
tcp 2001:db8::99 2001:db8::10 40000 443
tcp 2001:db8::99 2001:db8::10 40000 22
tcp 203.0.113.9 192.0.2.10 40000 80 first
tcp 203.0.113.9 192.0.2.10 40000 80 frag
tcp 2001:db8::99 2001:db8::10 40000 80 frag
arp
X
for form in "pcap ether" "pcapng ether" "pcap sll" "pcapng sll" "pcap raw" "pcapng raw"; do
	set -- $form
	"$PCAPGEN" "$T/cap.$1" "$1" "$2" <"$T/specs"
	F -j replay "$T/cap.$1" >"$T/replay.json"
	ok $? "replay $1 over $2 runs"
	python3 - "$T/replay.json" "$2" <<'X'
import json, sys
r = json.load(open(sys.argv[1]))
ip = 10
assert r["not_ip"] == (0 if sys.argv[2] == "raw" else 1), r
assert r["pass"] == 5 and r["drop"] == 5, r   # 2 web, IKE, v6 443, first fragment; 5 blocked
assert r["exempt"] == 1, r
rules = {x["rule"]: (x["pass"], x["drop"]) for x in r["rules"]}
assert rules["Web"] == (4, 0), rules
assert rules["AllIn"] == (0, 5), rules
X
	ok $? "replay $1 over $2: verdicts per packet, rule and exemption"
done
F replay --each "$T/cap.pcap" >"$T/each"
[ "$(grep -c ' in  \| out ' "$T/each")" -eq 10 ] && grep -q "DROP (block)" "$T/each" &&
	grep -q "non-first fragment" "$T/each"
ok $? "replay --each prints a line per IP packet"
head -c 30 "$T/cap.pcap" >"$T/short.pcap"
F replay "$T/short.pcap" >"$T/out" 2>"$T/err"
[ $? -ne 0 ] && grep -q "replay" "$T/err"
ok $? "a truncated capture is an error ($(head -c 80 "$T/err"))"
F replay "$T/nonexistent.pcap" 2>"$T/err"
[ $? -ne 0 ] && grep -q "nonexistent" "$T/err"
ok $? "a missing capture is an error"

# Analyze: a policy built to hold one of each finding.
export IPSECFW_DB="$T/analyze.db"
F -f - <<'X'
add policy name=A activatedefaultrule=no
add filteraction name=Block action=block
add filter filterlist=Web srcaddr=any dstaddr=me protocol=TCP dstport=80
add filter filterlist=AllIn srcaddr=any dstaddr=me
add filter filterlist=Ranges srcaddr=any dstaddr=me protocol=TCP dstport=1000-3000
add filter filterlist=Narrow srcaddr=any dstaddr=me protocol=TCP dstport=1500-1600
add filter filterlist=Host80 srcaddr=192.0.2.5 dstaddr=me protocol=TCP dstport=80
add filter filterlist=FromNet srcaddr=198.51.100.0 srcmask=24 dstaddr=any
add filter filterlist=ToNet srcaddr=any dstaddr=203.0.113.0 dstmask=24
add filter filterlist=Wins srcaddr=WINS dstaddr=me
add filter filterlist=Ike srcaddr=any dstaddr=me protocol=UDP dstport=500
add rule name=Web policy=A filterlist=Web filteraction=Permit
add rule name=AllIn policy=A filterlist=AllIn filteraction=Block
add rule name=Ranges policy=A filterlist=Ranges filteraction=Block
add rule name=Narrow policy=A filterlist=Narrow filteraction=Permit
add rule name=Host80 policy=A filterlist=Host80 filteraction=Permit
add rule name=FromNet policy=A filterlist=FromNet filteraction=Permit
add rule name=ToNet policy=A filterlist=ToNet filteraction=Block
add rule name=Wins policy=A filterlist=Wins filteraction=Block
add rule name=Ike policy=A filterlist=Ike filteraction=Block
set policy name=A assign=yes
X
F -j analyze >"$T/analyze.json"
ok $? "analyze runs"
python3 - "$T/analyze.json" <<'X'
import json, sys
found = {}
for f in json.load(open(sys.argv[1])):
    rule = f["filter"].split("in rule '")[1].split("'")[0]
    found.setdefault(f["kind"], set()).add(rule)
    if f["kind"] != "empty":
        assert f["witness"], f
print("#", found)
assert "Narrow" in found["shadowed"]          # same specificity, inside Ranges, block wins
assert "Ike" in found["shadowed"]             # the ISAKMP exemption always decides first
assert "Host80" in found["redundant"]         # Web permits the same packets
assert "Wins" in found["empty"]               # no WINS server on this host
conf = found["conflict"]
assert "FromNet" in conf or "ToNet" in conf   # equal A, overlapping, permit vs block
assert "Web" not in found.get("shadowed", ()) and "AllIn" not in found.get("shadowed", ())
X
ok $? "analyze finds the shadowed, redundant, empty and conflicting filters"
# Every witness, run through `ipsecfw test`, is decided as the finding says.
python3 - "$T/analyze.json" >"$T/witnesses" <<'X'
import json, sys
for f in json.load(open(sys.argv[1])):
    if f["kind"] == "shadowed":
        print(f["other"].get("rule") or f["other"].get("exemption"), f["witness"])
X
fails=0
while read -r want args; do
	# shellcheck disable=SC2086
	got=$(verdict $args | cut -d' ' -f2)
	[ "$got" = "$want" ] || { echo "# witness '$args': decided by $got, not $want"; fails=1; }
done <"$T/witnesses"
[ -s "$T/witnesses" ] && [ $fails -eq 0 ]
ok $? "each shadowed filter's witness is decided by the filter that covers it"
F analyze >"$T/analyze.txt"
grep -q "witness: ipsecfw test" "$T/analyze.txt" && grep -q "finding" "$T/analyze.txt"
ok $? "analyze text names witnesses"

done_testing
