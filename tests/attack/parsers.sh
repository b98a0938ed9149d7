#!/bin/sh
# SPDX-License-Identifier: MIT
# parsers.sh - issue 13's attacks on the input parsers and names, end to end
# through the programs (TAP):
#   1. long lines in resolv.conf, a lease and a facts file: read whole,
#      never split (text past 1 KiB of a comment is no DNS server)
#   2. a FIFO, /dev/zero and an oversize file as facts files: refused at
#      once, no hang (each run bounded by timeout)
#   3. the agent with its store behind a symlink: a change made through the
#      link, and the link pointed at another store, enforced within ~1 s
#      (in network namespaces; skipped without root)
#   4. names with invalid UTF-8, bidi or control characters: refused with
#      the command, the tag and where; a store edited by hand shown escaped
#   5. loose numeric addresses (0x7f.1, 127.1, 017.0.0.1): refused
#   6. CSV export: formulas neutralised
#
#   parsers.sh IPSECFW IPSECFWD NETPROBE SRCROOT
set -u
IPSECFW=$1 IPSECFWD=$2 NETPROBE=$3 SRC=$4
work=$(mktemp -d)
tag=ipfwp$$
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	if command -v ip >/dev/null 2>&1; then
		for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^$tag"); do
			for p in $(ip netns pids "$ns"); do kill -9 "$p" 2>/dev/null; done
			ip netns del "$ns"
		done
	fi
	[ -n "${KEEP:-}" ] && echo "# kept $work" || rm -rf "$work"
}
trap cleanup EXIT INT TERM
export IPSECFW_KERNEL=off IPSECFW_DB="$work/cli.db"

n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
check() { # status description
	if [ "$1" -eq 0 ]; then ok "$2"; else not_ok "$2"; fi
}
show() { sed 's/^/#   /' "$@" | head -5; }
# A line of N copies of a character.
chars() { python3 -c 'import sys; sys.stdout.write(sys.argv[1] * int(sys.argv[2]))' "$1" "$2"; }

# --- 1. long lines ---------------------------------------------------------
R=$work/root
mkdir -p "$R/etc/ipsecfw" "$R/var/lib/dhcp"
{ printf '#'; chars x 1022; printf 'nameserver 203.0.113.66\nnameserver 192.0.2.53\n'; } >"$R/etc/resolv.conf"
timeout 10 "$IPSECFW" --facts-root "$R" show facts >"$work/out" 2>&1
grep -q '^dns      192.0.2.53$' "$work/out" && ! grep -q 203.0.113.66 "$work/out"
check $? "resolv.conf: text past byte 1023 of a comment line is not a DNS server"
{ printf 'search'; for i in $(seq 1 300); do printf ' d%d.example.net' "$i"; done
  printf '\nnameserver 192.0.2.54\n'; } >"$R/etc/resolv.conf"
timeout 10 "$IPSECFW" --facts-root "$R" show facts >"$work/out" 2>&1
grep -q '^dns      192.0.2.54$' "$work/out" && ! grep -q refused "$work/out"
check $? "resolv.conf: a $(head -1 "$R/etc/resolv.conf" | wc -c)-byte search line is accepted whole"
{ printf 'lease {\n  option dhcp-server-identifier 192.0.2.67; #'; chars x 2000
  printf '\n}\nlease {\n  option dhcp-server-identifier 192.0.2.68;\n}\n'; } >"$R/var/lib/dhcp/dhclient.eth0.leases"
timeout 10 "$IPSECFW" --facts-root "$R" show facts >"$work/out" 2>&1
grep -q '^dhcp     192.0.2.68$' "$work/out" && ! grep -q 192.0.2.67 "$work/out"
check $? "dhclient lease with a 2 KB line: the last lease's server"
{ printf '#'; chars x 1022; printf 'dns 203.0.113.66\naddr 192.0.2.10/24\n'; } >"$work/long.facts"
timeout 10 "$IPSECFW" --facts "$work/long.facts" show facts >"$work/out" 2>&1
grep -q '^me       192.0.2.10/24$' "$work/out" && ! grep -q 203.0.113.66 "$work/out"
check $? "--facts FILE: a long comment line is one line"
echo "nameserver 192.0.2.53" >"$R/etc/resolv.conf"

# --- 2. FIFO, /dev/zero, oversize ---------------------------------------------
rm "$R/etc/resolv.conf"
mkfifo "$R/etc/resolv.conf"
timeout 10 "$IPSECFW" --facts-root "$R" show facts >"$work/out" 2>&1
rc=$?
[ $rc -eq 0 ] && grep -q 'refused .*resolv.conf: a FIFO, not a regular file (no servers of type dns)' "$work/out"
check $? "a FIFO as resolv.conf: refused at once, said (rc $rc)"
ln -s /dev/zero "$R/etc/ipsecfw/wins.conf"
timeout 10 "$IPSECFW" --facts-root "$R" show facts >"$work/out" 2>&1
rc=$?
[ $rc -eq 0 ] && grep -q 'wins.conf: a character device, not a regular file' "$work/out"
check $? "wins.conf linked to /dev/zero: refused at once (rc $rc)"
rm "$R/etc/ipsecfw/wins.conf" "$R/etc/resolv.conf"
mkfifo "$R/var/lib/dhcp/dhclient.eth1.leases"
timeout 10 "$IPSECFW" --facts-root "$R" show facts >"$work/out" 2>&1
rc=$?
[ $rc -eq 0 ] && grep -q 'dhclient.eth1.leases: a FIFO.*(no servers of type dhcp)' "$work/out"
check $? "a FIFO lease file: refused at once (rc $rc)"
rm "$R/var/lib/dhcp/dhclient.eth1.leases"
mkfifo "$work/fifo.facts"
timeout 10 "$IPSECFW" --facts "$work/fifo.facts" show facts >"$work/out" 2>&1
rc=$?
[ $rc -ne 0 ] && [ $rc -ne 124 ] && grep -q 'facts file: .*fifo.facts: a FIFO, not a regular file' "$work/out"
check $? "--facts FIFO: an error at once, not a hang (rc $rc)"
timeout 10 "$IPSECFW" --facts /dev/zero show facts >"$work/out" 2>&1
rc=$?
[ $rc -ne 0 ] && [ $rc -ne 124 ] && grep -q 'a character device' "$work/out"
check $? "--facts /dev/zero: an error at once (rc $rc)"
python3 -c 'import sys; sys.stdout.write("nameserver 192.0.2.53\n" * 50000)' >"$R/etc/resolv.conf"
timeout 10 "$IPSECFW" --facts-root "$R" show facts >"$work/out" 2>&1
grep -q 'resolv.conf: larger than 1048576 bytes' "$work/out" && ! grep -q '^dns ' "$work/out"
check $? "a 1.1 MB resolv.conf: refused"
echo "nameserver 192.0.2.53" >"$R/etc/resolv.conf"

# --- 4. names -----------------------------------------------------------------
"$IPSECFW" -f "$SRC/examples/001-web-server.netsh" >/dev/null 2>&1
snap() { sqlite3 "$IPSECFW_DB" .dump; }
snap >"$work/before.sql"
refused() { # expected description command...
	want=$1 what=$2
	shift 2
	"$@" >"$work/out" 2>&1
	rc=$?
	snap >"$work/after.sql"
	if [ $rc -ne 0 ] && grep -qF -- "$want" "$work/out" && cmp -s "$work/before.sql" "$work/after.sql"; then
		ok "$what"
	else
		not_ok "$what (rc $rc)"
		show "$work/out"
	fi
}
RLO=$(printf '\342\200\256') LRI=$(printf '\342\201\246') NEL=$(printf '\302\205')
refused "add policy: name: bidirectional control character U+202E at character 4 (byte 4)" \
	"netsh: a policy name with RIGHT-TO-LEFT OVERRIDE" "$IPSECFW" static add policy name="Web${RLO}cba"
refused "add filterlist: name: invalid UTF-8 at byte 3" "netsh: a filter list name with a bad byte" \
	"$IPSECFW" static add filterlist name="$(printf 'ab\377')"
refused "add filteraction: description: control character U+0085 at character 2" \
	"netsh: a description with a C1 control" "$IPSECFW" static add filteraction name=X description="a${NEL}"
refused "set rule: newname: bidirectional control character U+2066" "netsh: a rule renamed with an isolate" \
	"$IPSECFW" static set rule name="Block All" policy="Web Server Policy" newname="a${LRI}b"
refused "add filter: description: control character U+0009 at character 2" "netsh: a filter description with a tab" \
	"$IPSECFW" static add filter filterlist=HTTP srcaddr=any dstaddr=me description="$(printf 'a\tb')"
refused "ipsecpol: -p: add policy: name: bidirectional control character U+202E" \
	"ipsecpol: a policy name with RIGHT-TO-LEFT OVERRIDE" "$IPSECFW" pol -w REG -p "P${RLO}" -r R -f '*+0' -n PASS
printf 'add filteraction name=Fine action=permit\nadd filterlist name="x%sy"\n' "$RLO" >"$work/names.netsh"
refused "names.netsh:2:" "a script: file:line, nothing applied" "$IPSECFW" -f "$work/names.netsh"
grep -q "name: bidirectional control character U+202E at character 2 (byte 2)" "$work/out"
check $? "a script: the tag and where in the name"
# --- 5. loose numeric addresses ---------------------------------------------------
for a in 0x7f.1 127.1 017.0.0.1 2130706433; do
	refused "add filter: srcaddr: bad address '$a': an IPv4 address is four decimal numbers" \
		"srcaddr=$a is refused, not resolved" \
		"$IPSECFW" static add filter filterlist=HTTP srcaddr=$a dstaddr=me
done
refused "-f '0x7f.1+0': add filter: srcaddr: bad address '0x7f.1'" "ipsecpol -f 0x7f.1+0 is refused" \
	"$IPSECFW" pol -w REG -p P -r R -f '0x7f.1+0' -n PASS
refused "set rule: tunnel: bad address '127.1'" "tunnel=127.1 is refused" \
	"$IPSECFW" static set rule name="Block All" policy="Web Server Policy" tunnel=127.1

# A store edited by hand: shown escaped, JSON stays valid.
sqlite3 "$IPSECFW_DB" "UPDATE policies SET name = 'Ev' || char(8238) || 'il' || char(9) || x'ff'"
"$IPSECFW" static show policy all >"$work/out" 2>&1
grep -qF 'Ev\u202Eil\u0009\xFF' "$work/out" && ! grep -q "$RLO" "$work/out"
check $? "a store edited by hand: the name is shown escaped"
"$IPSECFW" -j static show policy all | python3 -c 'import json, sys; assert json.load(sys.stdin)[0]["name"] == "Ev\\u202Eil\\u0009\\xFF"'
check $? "and is valid JSON, escaped"

# --- 6. CSV -------------------------------------------------------------------------
mkdir "$work/log"
printf '%s\n' '{"id":4280,"time":"2026-11-25T08:00:00Z","rule":"=cmd|\u0027 /C calc\u0027!A0","policy":"@SUM(1)","filter":"-1+1","direction":"in"}' \
	'{"id":4280,"time":"2026-11-25T08:00:01Z","rule":"+1","policy":"\tx","filter":"ok","direction":"in"}' >"$work/log/events.log"
"$IPSECFW" log export --log-dir "$work/log" --format csv >"$work/csv" 2>/dev/null
python3 - "$work/csv" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))[1:]
got = [(r[11], r[12], r[13]) for r in rows]
assert got == [("'-1+1", "'=cmd|' /C calc'!A0", "'@SUM(1)"), ("ok", "'+1", "'\tx")], got
PY
check $? "CSV export: = + - @ and tab fields start with a single quote"

# --- 3. the agent, its store behind a symlink -------------------------------------------
if [ "$(id -u)" -ne 0 ] || ! command -v ip >/dev/null 2>&1 || ! ip netns add "${tag}s" 2>/dev/null ||
	! ip netns exec "${tag}s" nft list ruleset >/dev/null 2>&1; then
	ok "# SKIP the symlinked store's agent needs root, iproute2 and nftables"
else
	S=${tag}s C=${tag}c S4=192.0.2.10
	ip netns add "$C"
	# No IPv6: its addresses settling (DAD) send rtnetlink events that
	# would make the agent reload for another reason than the store.
	for ns in "$S" "$C"; do
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
	done
	ip link add "x$tag" netns "$S" type veth peer name "y$tag" netns "$C"
	ip -n "$S" link set "x$tag" name eth0
	ip -n "$C" link set "y$tag" name eth0
	ip -n "$S" addr add $S4/24 dev eth0
	ip -n "$C" addr add 192.0.2.20/24 dev eth0
	for ns in "$S" "$C"; do ip -n "$ns" link set lo up; ip -n "$ns" link set eth0 up; done
	ip netns exec "$S" "$NETPROBE" serve 60 80 8080 8081 >/dev/null 2>&1 &
	pids="$pids $!"
	mkdir -p "$work/real" "$work/other" "$work/links" "$work/aroot/etc"
	LINK=$work/links/store.db
	ln -s ../real/a.db "$LINK"
	IPSECFW_DB=$LINK "$IPSECFW" -f "$SRC/examples/001-web-server.netsh" >/dev/null 2>&1
	IPSECFW_DB=$LINK "$IPSECFW" static set policy name="Web Server Policy" assign=yes >/dev/null 2>&1
	cp "$work/real/a.db" "$work/other/b.db"
	ip netns exec "$S" "$IPSECFWD" --no-journal --db "$LINK" --facts-root "$work/aroot" \
		--run-dir "$work/run" --log-dir "$work/alog" 2>>"$work/agent.err" &
	agent=$!
	pids="$pids $agent"
	srv() { ip netns exec "$S" env -u IPSECFW_KERNEL IPSECFW_DB="$LINK" IPSECFW_RUN_DIR="$work/run" "$IPSECFW" "$@"; }
	probe() { ip netns exec "$C" "$NETPROBE" tcp -p "$1" -w 700 $S4 "$2" 2>/dev/null | tail -1; }
	i=0
	until srv show mode 2>/dev/null | grep -q '^mode: secure' || [ $i -ge 50 ]; do sleep 0.1; i=$((i + 1)); done
	[ "$(probe 40001 80)" = pass ] && [ "$(probe 40002 8080)" = drop ]
	check $? "the agent enforces the store behind the symlink (web passes, 8080 dropped)"
	# permit_via_link PORT SPORT DESC: a filter for PORT added through the
	# link is enforced within 1 s
	permit_via_link() {
		IPSECFW_DB=$LINK "$IPSECFW" static add filter filterlist="HTTP Server" srcaddr=any \
			dstaddr=me protocol=TCP dstport="$1" >/dev/null 2>&1
		sleep 1
		got=$(probe "$2" "$1")
		[ "$got" = pass ]
		check $? "$3 ($got)"
	}
	permit_via_link 8080 40003 "a change made through the symlink is enforced within 1 s"
	# The link pointed at another store (a copy without the 8080 filter),
	# then a change made there through the link.
	ln -sfn ../other/b.db "$work/links/new" && mv -T "$work/links/new" "$LINK"
	sleep 1
	got=$(probe 40004 8080)
	[ "$got" = drop ]
	check $? "the link pointed at another store: that store is enforced within 1 s ($got)"
	permit_via_link 8081 40005 "and a change in the new target is enforced within 1 s"
	kill "$agent" 2>/dev/null
fi

echo "1..$n"
[ "$failed" -eq 0 ]
