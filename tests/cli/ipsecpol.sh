#!/bin/sh
# SPDX-License-Identifier: MIT
# ipsecpol / ipseccmd as admins write them: the leniencies (each with its
# warning), the errors, and the batch files of tests/scripts/ipsecpol run
# line by line with their expected verdicts. Usage: ipsecpol.sh IPSECFW SRCDIR
. "$(dirname "$0")/lib.sh"
ln -s "$(realpath "$IPSECFW")" "$T/ipsecpol"
ln -s "$(realpath "$IPSECFW")" "$T/ipseccmd"
cat >"$T/facts" <<'X'
addr 192.0.2.10/24
dns 198.51.100.53
gateway 192.0.2.1
X
F() { "$IPSECFW" --facts "$T/facts" "$@"; }
fresh() { rm -f "$IPSECFW_DB" "$IPSECFW_DB"-*; }

# run_ok DESCRIPTION WARNING|- ARGS...: succeeds, warning with that text (or none)
run_ok() {
	what=$1 warn=$2
	shift 2
	"$IPSECFW" pol "$@" >"$T/out" 2>"$T/err"
	rc=$?
	if [ "$warn" = - ]; then
		[ $rc -eq 0 ] && [ ! -s "$T/err" ]
	else
		[ $rc -eq 0 ] && grep -q "^ipsecpol: warning: .*$warn" "$T/err"
	fi
	r=$?
	[ $r -eq 0 ] || sed 's/^/#   /' "$T/err"
	ok $r "$what"
}
# run_fails DESCRIPTION MESSAGE ARGS...: fails with that message, store unchanged
run_fails() {
	what=$1 want=$2
	shift 2
	[ -f "$IPSECFW_DB" ] && snapshot >"$T/before.sql" || : >"$T/before.sql"
	"$IPSECFW" pol "$@" >"$T/out" 2>"$T/err"
	rc=$?
	[ $rc -ne 0 ] && grep -qF -- "$want" "$T/err"
	r=$?
	[ $r -eq 0 ] || { echo "#   exit $rc"; sed 's/^/#   /' "$T/err"; }
	ok $r "$what"
	[ -f "$IPSECFW_DB" ] && snapshot >"$T/after.sql" || : >"$T/after.sql"
	cmp -s "$T/before.sql" "$T/after.sql"
	ok $? "$what: store unchanged"
}
dumped() { # description line-part: the store's dump holds it
	F static dump | grep -qF -- "$2"
	ok $? "$1"
}

# --- leniencies, each with its warning -----------------------------------
fresh
run_ok "* as a source port and protocol (192.0.2.9:*:*+*)" - -w REG -p P -r Star -f '192.0.2.9:*:*+*' -n BLOCK
dumped "  is any port, any protocol" 'srcaddr=192.0.2.9 srcmask=255.255.255.255 dstaddr=any protocol=ANY mirrored=yes'
run_ok "* as a destination port and protocol (*+0:*:*)" - -w REG -p P -r Star2 -f '*+0:*:*' -n BLOCK
dumped "  is any port, any protocol" 'filterlist=Star2 srcaddr=any dstaddr=me protocol=ANY mirrored=yes'
run_ok "an empty protocol after :: (any)" - -w REG -p P -r Empty -f '0=198.51.100.5::' -n BLOCK
dumped "  is any protocol" 'filterlist=Empty srcaddr=me dstaddr=198.51.100.5 dstmask=255.255.255.255 protocol=ANY mirrored=no'
run_ok "a port of * with a protocol" - -w REG -p P -r PortStar -f '*=0:*:UDP' -n BLOCK
dumped "  is any port of that protocol" 'filterlist=PortStar srcaddr=any dstaddr=me protocol=UDP mirrored=no'
run_ok "lower-case -w reg" "-w: 'reg' read as REG (ipsecpol takes upper case)" -w reg -p P -x
run_ok "lower-case -w ds:domain" "-w: 'ds:example.com' read as DS" -w ds:example.com -p D
printf 'set store location=domain\nshow policy D\n' | F -f - 2>/dev/null | grep -q "Name *: D$"
ok $? "  goes to the domain store"
run_ok "lower-case protocol ::icmp" "-f '\*=0::icmp': protocol 'icmp' read as ICMP" -w REG -p P -r Ping -f '*=0::icmp' -n BLOCK
dumped "  is ICMP" 'filterlist=Ping srcaddr=any dstaddr=me protocol=ICMP mirrored=no'
run_ok "mixed-case protocol :Tcp" "protocol 'Tcp' read as TCP" -w REG -p P -r Mixed -f '*+0:22:Tcp' -n PASS
F -j test in icmp 198.51.100.7 me type 8 code 0 | grep -q '"verdict": "DROP"'
ok $? "  the ICMP block is enforced by ipsecfw test"

# -y -o: unassign, then delete (the Resource Kit's clean-up)
run_ok "-y -o together" - -w REG -p P -y -o
F static show policy P >/dev/null 2>&1
[ $? -ne 0 ] && ! F static dump | grep -qE 'filterlist=(Star|Ping|Mixed)'
ok $? "  the policy is gone with its lists"
F -j test in icmp 198.51.100.7 me type 8 code 0 | grep -q '"verdict": "PASS"'
ok $? "  and nothing is enforced any more"

# -o -r: KB 813878 names the rules whose lists and actions go with the policy
fresh
"$IPSECFW" pol -w REG -p K -r In -f '*=0:1434:UDP' -n BLOCK -x 2>/dev/null
"$IPSECFW" pol -w REG -p K -r Out -f '0=*:1434:UDP' -n BLOCK 2>/dev/null
"$IPSECFW" static delete rule name=Out policy=K 2>/dev/null # leaves list Out and "Out negpol"
dumped "a rule deleted by hand leaves its list" 'add filterlist name=Out'
run_ok "-o -r In -r Out -r Gone" "-r: policy 'K' has no rule named 'Out'" -w REG -p K -r In -r Out -o
grep -q "no rule named 'Gone'" "$T/err" || grep -q "no rule named 'Out'" "$T/err"
ok $? "  each missing rule is warned about"
[ -z "$(F static dump | grep -E 'add (filterlist|filteraction|policy)')" ]
ok $? "  the policy, and the named rules' lists and actions, are gone"

# a rule name reused in another policy: rules are per policy
fresh
run_ok "rule Web in policy A" - -w REG -p A -r Web -f '*+0:80:TCP' -n PASS
run_ok "rule Web in policy B" - -w REG -p B -r Web -f '*+0:443:TCP' -n PASS
dumped "  B's rule has a list of its own" 'add rule name=Web policy=B filterlist="Web (B)" filteraction="Web (B) negpol"'
dumped "  A's rule keeps its list" 'add filter filterlist=Web srcaddr=any dstaddr=me protocol=TCP mirrored=yes srcport=0 dstport=80'
run_ok "re-running B's line" - -w REG -p B -r Web -f '*+0:8443:TCP' -n PASS
[ "$(F static dump | grep -c 'add filterlist')" = 2 ] && dumped "  replaces B's list only" 'dstport=8443'
F static dump | grep -q 'dstport=443$'
[ $? -ne 0 ]
ok $? "  B's old filter is gone"

# names: whole or refused, never cut
long=$(printf 'P%0254d' 0)
run_ok "a 255-character policy name" - -w REG -p "$long" -x
F static show policy "$long" >/dev/null 2>&1
ok $? "  is kept whole"
run_fails "a 256-character policy name" "-p: the policy name is 256 characters long; at most 255" \
	-w REG -p "${long}X" -x
run_fails "two names that differ after 255 characters" "at most 255" -w REG -p "${long}Y" -r R -f '0+*' -n BLOCK
run_fails "a rule name too long for its action" "-r: the rule name is 250 characters long; at most 248" \
	-w REG -p A -r "$(printf 'R%0249d' 0)" -f '0+*' -n BLOCK

# --- errors ----------------------------------------------------------------
run_fails "-y on a missing policy" "-y: no policy named 'Nope' in the local store" -w REG -p Nope -y
run_fails "-o on a missing policy" "-p: no policy named 'Nope' in the local store" -w REG -p Nope -y -o
run_fails "-x with -y" "-x excludes -y and -o" -w REG -p A -x -y
run_fails "-x with -o" "-x excludes -y and -o" -w REG -p A -x -o
run_fails "two -r without -o" "-r: one rule per command" -w REG -p A -r R1 -r R2 -f '0+*' -n BLOCK
run_fails "a protocol on the source" "only the destination may name a protocol" -w REG -p A -r R -f '0:80:TCP+*' -n BLOCK
run_fails "a port of **" "bad port '**'" -w REG -p A -r R -f '*+0:**:TCP' -n BLOCK
run_fails "an unknown protocol" "unknown protocol 'TCPP'" -w REG -p A -r R -f '*+0::TCPP' -n BLOCK
run_fails "a [block] filter with -w" "dynamic-mode forms" -w REG -p A -r R -f '[*=0:1434:UDP]'
run_fails "lower-case -n stays an error" "-n: 'block' must be upper case" -w REG -p A -r R -f '0+*' -n block
run_fails "dynamic mode without an agent" "ipsecpol: no policy agent is running (ipsecfwd)" -f '*=0:1434:UDP' -n BLOCK
run_fails "dynamic -o" "-o acts on a stored policy; add -w REG" -p A -o
run_fails "dynamic -y" "-y acts on a stored policy; add -w REG" -p A -y
run_fails "dynamic -f DEFAULT" "-f DEFAULT: the default response rule belongs to a stored policy" -f DEFAULT
run_fails "dynamic mode with nothing to do" "-f: dynamic mode needs a filter list" -soft
run_fails "a bad filter in dynamic mode is told without an agent" "-f '*+0:99999:TCP': bad port" -f '*+0:99999:TCP'
"$IPSECFW" pol -p Legacy -r R -f '0+*' -n BLOCK -x 2>"$T/err"
grep -q "^ipsecpol: warning: -p: -p, -r and -x name and assign a stored policy; without -w" "$T/err" &&
	grep -q "no policy agent is running" "$T/err"
ok $? "dynamic -p -r -x: warned as ignored, then the agent is asked"

# --- the admins' batch files ----------------------------------------------
# run_cmd FILE: runs the file's ipsecpol/ipseccmd lines, checks its rem expectations
run_cmd() {
	file=$1 name=$(basename "$1") lineno=0 expect_err= expect_warn= bad=0
	fresh
	set -f
	while IFS= read -r line || [ -n "$line" ]; do
		lineno=$((lineno + 1))
		line=$(printf '%s' "$line" | tr -d '\r')
		case $line in
		"rem expect-error: "*) expect_err=${line#rem expect-error: }; continue;;
		"rem expect-warning: "*) expect_warn=${line#rem expect-warning: }; continue;;
		"rem expect: "*) echo "${line#rem expect: }" >>"$T/probes"; continue;;
		esac
		prog=$(printf '%s' "${line%% *}" | tr 'A-Z' 'a-z')
		case $prog in ipsecpol | ipsecpol.exe | ipseccmd | ipseccmd.exe) ;; *) continue;; esac
		eval "set -- ${line#* }"
		"$T/${prog%.exe}" "$@" >"$T/out" 2>"$T/err"
		rc=$?
		if [ -n "$expect_err" ]; then
			[ $rc -ne 0 ] && grep -qF -- "$expect_err" "$T/err"
		elif [ -n "$expect_warn" ]; then
			[ $rc -eq 0 ] && grep -qF -- "$expect_warn" "$T/err"
		else
			[ $rc -eq 0 ] && [ ! -s "$T/err" ]
		fi || {
			bad=1
			echo "#   $name:$lineno: exit $rc: $(head -2 "$T/err")"
		}
		expect_err= expect_warn=
	done <"$file"
	set +f
	ok $bad "$name: every line as expected"
}
for f in "$SRCDIR"/tests/scripts/ipsecpol/*.cmd; do
	: >"$T/probes"
	run_cmd "$f"
	while read -r want probe; do
		got=$(F -j test $probe | sed -n 's/.*"verdict": "\([A-Z]*\)".*/\1/p' | head -1)
		[ "$got" = "$want" ]
		ok $? "$(basename "$f"): $probe: $want"
	done <"$T/probes"
done
F static dump | grep -E "add (policy|filterlist)" >/dev/null
ok $? "the last batch file left its policies"

done_testing
