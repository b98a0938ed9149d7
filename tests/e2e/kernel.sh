#!/bin/sh
# SPDX-License-Identifier: MIT
# kernel.sh - the nftables backend with real packets (TAP).
#
#   kernel.sh IPSECFW NETPROBE PCAPGEN SRCROOT
#
# Every case makes its own pair of network namespaces, a server and a
# client joined by a veth pair, with documentation addresses only; ipsecfw
# runs in the server against a scratch store; everything is torn down on
# exit, failed or not. Each verdict on the wire is also checked against the
# reference classifier (ipsecfw test / replay in the same namespace).
set -u
IPSECFW=$1 NETPROBE=$2 PCAPGEN=$3 SRC=$4

. "$SRC/tests/e2e/lib.sh"

# --- SPEC §10.1 T1-T9, IPv4 and IPv6 ---------------------------------
make_pair 1
serve "${tag}s1" 80 443 22 3389 500 137
serve "${tag}c1" 53
PF="$SRC/tests/e2e/packet-filter.netsh"
if srv 1 -f "$PF" >"$work/out" 2>&1; then ok "T1-T9 policy assigned and applied"; else not_ok "policy: $(cat "$work/out")"; fi
sleep 0.3
C=${tag}c1 S=${tag}s1
for fam in 4 6; do
	if [ $fam = 4 ]; then cl=192.0.2.20 sv=$S4 other=192.0.2.5; else cl=2001:db8::20 sv=$S6 other=2001:db8::5; fi
	br() { case $1 in *:*) echo "[$1]";; *) echo "$1";; esac; }
	wire 1 "T1/T2 v$fam web in, reply out" pass "$(ref 1 in tcp "$(br $cl):40001" "$(br $sv):80")" \
		"$(ref 1 out tcp "$(br $sv):80" "$(br $cl):40001")" -- "$C" "$NETPROBE" tcp -p 40001 -w 700 $sv 80
	wire 1 "T1 v$fam https" pass "$(ref 1 in tcp "$(br $cl):40002" "$(br $sv):443")" \
		"$(ref 1 out tcp "$(br $sv):443" "$(br $cl):40002")" -- "$C" "$NETPROBE" tcp -p 40002 -w 700 $sv 443
	wire 1 "T3 v$fam ssh blocked" drop "$(ref 1 in tcp "$(br $cl):40003" "$(br $sv):22")" PASS \
		-- "$C" "$NETPROBE" tcp -p 40003 -w 700 $sv 22
	wire 1 "T4 v$fam outbound DNS blocked" drop "$(ref 1 out udp "$(br $sv):51000" "$(br $cl):53")" PASS \
		-- "$S" "$NETPROBE" udp -p 51000 -w 700 $cl 53
	wire 1 "T6 v$fam ISAKMP exempt" pass "$(ref 1 in udp "$(br $cl):500" "$(br $sv):500")" \
		"$(ref 1 out udp "$(br $sv):500" "$(br $cl):500")" -- "$C" "$NETPROBE" udp -p 500 -w 700 $sv 500
	wire 1 "v$fam ICMP echo blocked" drop "$(ref 1 in icmp $cl $sv type 8 code 0)" PASS \
		-- "$C" "$NETPROBE" icmp -w 700 $sv
done
# T8, T9: a permit for one client address; a block of 3389 for the rest
if srv 1 -f "$SRC/tests/e2e/t8-t9.netsh" >"$work/out" 2>&1; then ok "T8/T9 rules added, kernel updated"; else not_ok "T8/T9: $(cat "$work/out")"; fi
for fam in 4 6; do
	if [ $fam = 4 ]; then cl=192.0.2.20 sv=$S4 other=192.0.2.5; else cl=2001:db8::20 sv=$S6 other=2001:db8::5; fi
	wire 1 "T8 v$fam permitted host reaches ssh" pass "$(ref 1 in tcp "$(br $other):40004" "$(br $sv):22")" \
		"$(ref 1 out tcp "$(br $sv):22" "$(br $other):40004")" -- "$C" "$NETPROBE" tcp -s $other -p 40004 -w 700 $sv 22
	wire 1 "T9 v$fam addresses dominate: permitted host reaches 3389" pass \
		"$(ref 1 in tcp "$(br $other):40005" "$(br $sv):3389")" "$(ref 1 out tcp "$(br $sv):3389" "$(br $other):40005")" \
		-- "$C" "$NETPROBE" tcp -s $other -p 40005 -w 700 $sv 3389
	wire 1 "T9 v$fam others blocked at 3389" drop "$(ref 1 in tcp "$(br $cl):40006" "$(br $sv):3389")" PASS \
		-- "$C" "$NETPROBE" tcp -s $cl -p 40006 -w 700 $sv 3389
done
# T7: ipsecexempt=0 lets a source port of 88 through everything
srv 1 dynamic set config ipsecexempt value=0 >/dev/null 2>&1
wire 1 "T7 Kerberos source port bypass (ipsecexempt=0)" pass "$(ref 1 in tcp 192.0.2.20:88 $S4:22)" \
	"$(ref 1 out tcp $S4:22 192.0.2.20:88)" -- "$C" "$NETPROBE" tcp -p 88 -w 700 $S4 22
srv 1 dynamic set config ipsecexempt value=3 >/dev/null 2>&1
wire 1 "T7 no bypass with ipsecexempt=3" drop "$(ref 1 in tcp 192.0.2.20:88 $S4:22)" PASS \
	-- "$C" "$NETPROBE" tcp -p 88 -w 700 $S4 22
stats=$(srv 1 show stats)
case $stats in *"block-filter"*" of list 'AllIn'"*"per rule"*"bytes: rule 'AllIn' of policy 'Packet Filter' (local)"*)
	ok "show stats counts the drops per reason, filter and rule";;
	*) not_ok "show stats: $stats";; esac

# filtercounters=0: no counter and no comment on the filter maps' elements
# (kernel memory), the same verdicts, and show stats says nothing is counted
if srv 1 dynamic set config property=filtercounters value=0 >"$work/out" 2>&1 &&
	! in_ns "$S" nft list table inet ipsecfw | grep -q 'comment "local:\|^[[:space:]]*counter$\|counter packets [0-9]* bytes [0-9]* comment'; then
	ok "filtercounters=0: the maps carry no counters and no comments"
else
	not_ok "filtercounters=0: $(cat "$work/out"; in_ns "$S" nft list table inet ipsecfw | grep -m2 'comment "local:\|^[[:space:]]*counter$')"
fi
wire 1 "filtercounters=0: v4 ssh still blocked" drop "$(ref 1 in tcp 192.0.2.20:40007 $S4:22)" PASS \
	-- "$C" "$NETPROBE" tcp -p 40007 -w 700 $S4 22
stats=$(srv 1 show stats)
case $stats in *"block-filter"*"per filter and per rule: not counted (filtercounters is 0"*)
	case $stats in *" of list 'AllIn'"*) not_ok "show stats names a filter uncounted: $stats";;
		*) ok "filtercounters=0: show stats says the filters are not counted";; esac;;
	*) not_ok "show stats with filtercounters=0: $stats";; esac
case $(srv 1 -j show stats) in *'"filter_counters": false'*) ok "filtercounters=0: show stats -j says filter_counters false";;
	*) not_ok "show stats -j with filtercounters=0: $(srv 1 -j show stats | tail -3)";; esac
srv 1 dynamic set config property=filtercounters value=1 >/dev/null 2>&1
wire 1 "filtercounters=1: v4 ssh blocked" drop "$(ref 1 in tcp 192.0.2.20:40008 $S4:22)" PASS \
	-- "$C" "$NETPROBE" tcp -p 40008 -w 700 $S4 22
stats=$(srv 1 show stats)
if echo "$stats" | awk "/of list 'AllIn'/ && \$1 >= 1 {found = 1} END {exit !found}" &&
	srv 1 -j show stats | grep -q '"filter_counters": true'; then
	ok "filtercounters=1: show stats counts per filter again"
else
	not_ok "show stats with filtercounters=1: $stats"
fi

# observe NS: a table of the test's own in NS that records the id of every
# probe (TTL 199) reaching input or leaving by postrouting.
observe() {
	in_ns "$1" nft -f - <<-EOF
	table inet observe {
		set in4 { typeof ip id; flags dynamic; size 65535; }
		set in6 { typeof ip6 flowlabel; flags dynamic; size 65535; }
		set out4 { typeof ip id; flags dynamic; size 65535; }
		set out6 { typeof ip6 flowlabel; flags dynamic; size 65535; }
		chain i {
			type filter hook input priority 100; policy accept;
			ip ttl 199 add @in4 { ip id }
			ip6 hoplimit 199 add @in6 { ip6 flowlabel }
		}
		chain o {
			type filter hook postrouting priority 100; policy accept;
			ip ttl 199 add @out4 { ip id }
			ip6 hoplimit 199 add @out6 { ip6 flowlabel }
		}
	}
	EOF
}
seen_count() { # NS SET: how many ids the observer holds
	in_ns "$1" nft -j list set inet observe "$2" | python3 -c \
		'import json,sys; d=json.load(sys.stdin); print(sum(len(i["set"].get("elem",[])) for i in d["nftables"] if "set" in i))'
}
observe_reset() { in_ns "$1" nft flush set inet observe "$2"; }

# T5: a broadcast is dropped by AllIn under ipsecexempt=3, passes under 1
observe "$S"
for lvl in 3 1; do
	srv 1 dynamic set config ipsecexempt value=$lvl >/dev/null 2>&1
	observe_reset "$S" in4
	echo "udp 192.0.2.20 255.255.255.255 137 137" | in_ns "$C" "$NETPROBE" inject
	sleep 0.2
	want=$([ $lvl = 3 ] && echo 0 || echo 1)
	r=$(ref 1 in udp 192.0.2.20:137 255.255.255.255:137)
	got=$(seen_count "$S" in4)
	refn=$([ "$r" = PASS ] && echo 1 || echo 0)
	if [ "$got" = "$want" ] && [ "$refn" = "$want" ]; then
		ok "T5 inbound broadcast with ipsecexempt=$lvl: $r"
	else
		not_ok "T5 ipsecexempt=$lvl: seen $got, reference $r"
	fi
done
srv 1 dynamic set config ipsecexempt value=3 >/dev/null 2>&1

# IPv6 non-first fragments see only port-less filters (SPEC §5.4)
observe_reset "$S" in6
printf 'udp 2001:db8::20 %s 40000 80 frag\n' $S6 | in_ns "$C" "$NETPROBE" inject
sleep 0.2
r=$(ref 1 --frag in udp "[2001:db8::20]:40000" "[$S6]:80")
got=$(seen_count "$S" in6)
if { [ "$r" = DROP ] && [ "$got" = 0 ]; } || { [ "$r" = PASS ] && [ "$got" = 1 ]; }; then
	ok "IPv6 non-first fragment: $r, as the reference says"
else
	not_ok "IPv6 non-first fragment: seen $got, reference $r"
fi

mode=$(srv 1 show mode)
case $mode in "mode: secure"*) ok "show mode: secure";; *) not_ok "show mode: $mode";; esac

# --- incremental update: a new address joins me ------------------------
ip -n "$S" addr add 192.0.2.11/24 dev eth0
out=$(srv 1 apply 2>&1)
case $out in *"updated in place"*) ok "an address change is applied by element updates";;
	*) not_ok "address change: $out";; esac
wire 1 "the new address is locked down at once" drop "$(ref 1 in tcp 192.0.2.20:40007 192.0.2.11:22)" PASS \
	-- "$C" "$NETPROBE" tcp -p 40007 -w 700 192.0.2.11 22
wire 1 "and serves the web" pass "$(ref 1 in tcp 192.0.2.20:40008 192.0.2.11:80)" \
	"$(ref 1 out tcp 192.0.2.11:80 192.0.2.20:40008)" -- "$C" "$NETPROBE" tcp -p 40008 -w 700 192.0.2.11 80

# --- dry run -------------------------------------------------------------
gen_before=$(srv 1 show mode 2>/dev/null)
dry=$(srv 1 apply --dry-run)
case $dry in *"table inet ipsecfw"*"vmap @a_in4_t0"*) ok "apply --dry-run prints the ruleset";;
	*) not_ok "dry run printed: $(echo "$dry" | head -3)";; esac
[ "$(srv 1 show mode 2>/dev/null)" = "$gen_before" ] && ok "the dry run changed nothing" || not_ok "dry run changed the kernel"
# The map elements are loaded by netlink, not as this text: the kernel must
# hold the same table either way (fingerprints depend on it).
canon() { sed -e 's/state_[0-9a-z_]*/STATE/' -e 's/\b[ab]_/S_/g' \
	-e 's/packets [0-9]* bytes [0-9]*/packets 0 bytes 0/g' -e 's/\( }\|,\)$//' | sort; }
ip netns add "${tag}text"
echo "$dry" | in_ns "${tag}text" nft -f - &&
	in_ns "${tag}text" nft list table inet ipsecfw | canon >"$work/as-text" &&
	in_ns "$S" nft list table inet ipsecfw | canon >"$work/as-loaded"
if [ -s "$work/as-text" ] && cmp -s "$work/as-text" "$work/as-loaded"; then
	ok "the table loaded by netlink lists as its text loaded by nft does"
else
	not_ok "netlink and text loads differ: $(diff "$work/as-text" "$work/as-loaded" | head -12 | tr "\n\t" "| ")"
fi
ip netns del "${tag}text"

# --- coexistence -------------------------------------------------------
in_ns "$S" nft -f - <<-EOF
	table ip other {
		chain input {
			type filter hook input priority 10; policy accept;
			tcp dport 9999 drop
		}
	}
	EOF
w=$(srv 1 show mode 2>&1)
case $w in *"table ip other hooks input or output and can drop"*) ok "show warns about another table that can drop";;
	*) not_ok "no coexistence warning: $w";; esac
in_ns "$S" nft delete table ip other


# --- nothing partial: a table named like ours but not ours --------------
make_pair 8
in_ns "${tag}s8" nft add table inet ipsecfw
if srv 8 -f "$PF" >"$work/out" 2>&1; then not_ok "a script applied over a foreign table"
else ok "a script is refused when the kernel can't take it: $(head -c 90 "$work/out")"; fi
[ -z "$(srv 8 static show policy all 2>/dev/null | grep 'Packet Filter')" ] &&
	ok "the refused script left the store as it was" || not_ok "the store kept part of the script"
in_ns "${tag}s8" nft list table inet ipsecfw >/dev/null && ok "the foreign table is untouched" ||
	not_ok "the foreign table was removed"

# --- T10: boot in block mode with an RDP exemption -----------------------
make_pair 2
C=${tag}c2 S=${tag}s2
serve "$S" 3389 80 22
serve "$C" 53
srv 2 dynamic set config bootmode value=block >/dev/null 2>&1
srv 2 dynamic set config bootexemptions value="tcp:0:3389:inbound" >/dev/null 2>&1
srv 2 boot >/dev/null 2>&1
case $(srv 2 show mode 2>/dev/null) in "mode: boot-block"*) ok "boot loads the block startup table";;
	*) not_ok "boot mode: $(srv 2 show mode 2>&1)";; esac
sleep 0.3
wire 2 "T10 boot exemption: RDP in and its replies out" pass PASS PASS -- "$C" "$NETPROBE" tcp -w 700 $S4 3389
wire 2 "T10 block mode drops the web" drop DROP PASS -- "$C" "$NETPROBE" tcp -w 700 $S4 80
wire 2 "T10 block mode drops outbound" drop DROP PASS -- "$S" "$NETPROBE" udp -w 700 192.0.2.20 53
wire 2 "T10 IPv6 RDP exempt too" pass PASS PASS -- "$C" "$NETPROBE" tcp -w 700 $S6 3389
observe "$S"
printf 'udp 192.0.2.20 255.255.255.255 67 68\nudp 192.0.2.20 %s 67 68\n' $S4 | in_ns "$C" "$NETPROBE" inject
sleep 0.2
[ "$(seen_count "$S" in4)" = 2 ] && ok "T10 DHCP is always allowed at boot" || not_ok "DHCP dropped at boot"

# --- T11: stateful startup mode ------------------------------------------
make_pair 3
C=${tag}c3 S=${tag}s3
serve "$S" 1026 80
serve "$C" 80
srv 3 dynamic set config bootmode value=stateful >/dev/null 2>&1
srv 3 boot >/dev/null 2>&1
sleep 0.3
wire 3 "T11 stateful: outbound connection and its replies" pass PASS PASS -- "$S" "$NETPROBE" tcp -p 1025 -w 700 192.0.2.20 80
wire 3 "T11 stateful: unsolicited inbound dropped" drop DROP PASS -- "$C" "$NETPROBE" tcp -w 700 $S4 1026
wire 3 "T11 stateful: unsolicited inbound IPv6 dropped" drop DROP PASS -- "$C" "$NETPROBE" tcp -w 700 $S6 1026
srv 3 -f "$PF" >/dev/null 2>&1
case $(srv 3 show mode 2>/dev/null) in "mode: secure"*) ok "assigning a policy leaves the startup mode";;
	*) not_ok "after assign: $(srv 3 show mode 2>&1)";; esac
wire 3 "secure mode after boot serves the web" pass PASS PASS -- "$C" "$NETPROBE" tcp -w 700 $S4 80
# boot run again (a restarted boot unit) must not replace the policy in force
if srv 3 boot >"$work/out" 2>&1 && grep -q "secure mode is in force" "$work/out" &&
	case $(srv 3 show mode 2>/dev/null) in "mode: secure"*) true;; *) false;; esac; then
	ok "boot run again leaves the secure mode in force and says so"
else
	not_ok "boot after secure: $(cat "$work/out"; srv 3 show mode 2>&1)"
fi
wire 3 "the web still served after boot ran again" pass PASS PASS -- "$C" "$NETPROBE" tcp -w 700 $S4 80

# --- T12: a persistent policy that can't be applied blocks everything ----
make_pair 4
C=${tag}c4 S=${tag}s4
serve "$S" 80
srv 4 -f "$SRC/tests/e2e/persistent.netsh" >/dev/null 2>&1
wire 4 "persistent policy in force" pass PASS PASS -- "$C" "$NETPROBE" tcp -w 700 $S4 80
sqlite3 "$work/db4" "PRAGMA foreign_keys=OFF; DELETE FROM filteractions;"
if srv 4 apply >"$work/out" 2>&1; then not_ok "a broken persistent policy applied"
else ok "a broken persistent policy is refused: $(grep -o 'block mode' "$work/out" | head -1)"; fi
case $(srv 4 show mode 2>/dev/null) in "mode: block"*) ok "T12 operational block mode";;
	*) not_ok "T12 mode: $(srv 4 show mode 2>&1)";; esac
wire 4 "T12 the web is dropped" drop DROP PASS -- "$C" "$NETPROBE" tcp -w 700 $S4 80
observe "$S"
echo "udp 192.0.2.20 255.255.255.255 67 68" | in_ns "$C" "$NETPROBE" inject
sleep 0.2
[ "$(seen_count "$S" in4)" = 0 ] && ok "T12 DHCP is dropped too (SPEC Q8)" || not_ok "T12 DHCP passed"

# --- atomicity: 100 swaps under steady traffic ----------------------------
make_pair 6
C=${tag}c6 S=${tag}s6
srv 6 -f "$PF" >/dev/null 2>&1
srv 6 -f "$SRC/tests/e2e/second-policy.netsh" >/dev/null 2>&1
srv 6 static set policy name="Packet Filter" assign=yes >/dev/null 2>&1
observe "$S"
sleep 0.3
in_ns "$C" "$NETPROBE" stream 12 200 tcp 192.0.2.20 $S4 40000 80 1 >"$work/allowed" &
sa=$!
in_ns "$C" "$NETPROBE" stream 12 200 tcp 192.0.2.20 $S4 40000 22 30000 >"$work/blocked" &
sb=$!
pids="$pids $sa $sb"
sleep 0.5
swaps=0 swap_fail=0
while [ $swaps -lt 100 ]; do
	p=$([ $((swaps % 2)) = 0 ] && echo Second || echo "Packet Filter")
	srv 6 static set policy name="$p" assign=yes >/dev/null 2>&1 || swap_fail=$((swap_fail + 1))
	swaps=$((swaps + 1))
done
wait $sa $sb
sleep 0.3
sent=$(($(cat "$work/allowed") - 1))
counts=$(in_ns "$S" nft -j list set inet observe in4 | python3 -c '
import json, sys
ids = [e for i in json.load(sys.stdin)["nftables"] if "set" in i for e in i["set"].get("elem", [])]
print(sum(1 for e in ids if e < 30000), sum(1 for e in ids if e >= 30000))')
set -- $counts
if [ "$swap_fail" = 0 ] && [ "$1" = "$sent" ]; then
	ok "100 swaps under traffic: $sent of $sent allowed packets arrived"
else
	not_ok "swaps: $swap_fail failed; allowed $1 of $sent arrived"
fi
[ "$2" = 0 ] && ok "100 swaps under traffic: no blocked packet passed" ||
	not_ok "100 swaps under traffic: $2 blocked packets passed"

# --- crash: kill -9 mid-apply ------------------------------------------
make_pair 5
S=${tag}s5
python3 "$SRC/tests/e2e/wirediff.py" gen 7 3000 10 "$work" && mv "$work/policy.netsh" "$work/big.netsh"
srv 5 -f "$PF" >/dev/null 2>&1
srv 5 -f "$work/big.netsh" >/dev/null 2>&1
crash_bad=0
for i in 1 2 3 4 5 6 7 8 9 10; do
	p=$([ $((i % 2)) = 0 ] && echo Diff || echo "Packet Filter")
	srv 5 static set policy name="$p" assign=yes >/dev/null 2>&1 &
	sleep "0.0$i"
	for pid in $(ip netns pids "$S"); do
		[ "$(cat /proc/$pid/comm 2>/dev/null)" = ipsecfw ] && kill -9 "$pid" 2>/dev/null
	done
	wait 2>/dev/null
	mode=$(srv 5 show mode 2>/dev/null)
	case $mode in "mode: secure"*) ;; *) crash_bad=$((crash_bad + 1)); echo "# after kill $i: $mode";; esac
done
[ $crash_bad = 0 ] && ok "kill -9 mid-apply, 10 times: the kernel always kept a whole table" ||
	not_ok "kill -9 left $crash_bad broken states"
srv 5 apply >/dev/null 2>&1 && ok "and the next apply puts the store's policy in force" || not_ok "apply after the kills"
slots=$(in_ns "$S" nft -t list table inet ipsecfw | sed -n 's/^\t\(chain\|map\|set\|counter\) \([ab]\)_.*/\2/p' | sort -u | wc -l)
[ "$slots" = 1 ] && ok "and leaves no half-loaded program behind" || not_ok "$slots program slots after the apply"

# --- differential: random filters, 2,000 probes on the wire ----------------
# differential ID SEED FILTERS LABEL: a random policy in force, its probes
# injected, what crossed compared with the reference classifier's verdicts
differential() {
	local C=${tag}c$1 S=${tag}s$1 dir=$work/diff$1
	make_pair "$1"
	mkdir -p "$dir"
	python3 "$SRC/tests/e2e/wirediff.py" gen "$2" "$3" 2000 "$dir"
	# (random filters shadow others by the hundred: the warnings are expected)
	if srv "$1" -f "$dir/policy.netsh" >"$dir/out" 2>&1; then ok "$4 random filters applied: $(tail -1 "$dir/out" | cut -c1-100)"
	else not_ok "random policy of $4 filters: $(grep -v ': warning: ' "$dir/out" | tail -3)"; return; fi
	"$PCAPGEN" "$dir/all.pcap" pcap raw <"$dir/all.txt"
	srv "$1" -j replay --each "$dir/all.pcap" >"$dir/replay.jsonl"
	observe "$S"
	in_ns "$C" "$NETPROBE" inject -g 1 <"$dir/in.txt"
	in_ns "$S" "$NETPROBE" inject -g 1 <"$dir/out.txt"
	sleep 0.5
	for set in in4 in6 out4 out6; do in_ns "$S" nft -j list set inet observe $set >"$dir/seen-$set.json"; done
	if python3 "$SRC/tests/e2e/wirediff.py" check "$dir" "$dir/replay.jsonl"; then
		ok "$4 filters: every probe's fate on the wire is the reference classifier's"
	else
		not_ok "$4 filters: the wire and the reference disagree"
	fi
}
differential 7 42 1000 1,000
# crossing and nested filters by the thousand: the partitions cut and tier deep
differential 9 43 10000 10,000

echo "1..$n"
[ $failed -eq 0 ]
