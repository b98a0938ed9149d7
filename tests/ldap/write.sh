#!/bin/sh
# SPDX-License-Identifier: MIT
# write.sh - the CLI's domain store and `ipsecfw gpo` against a real slapd
# (TAP): a netsh script in domain mode writes the objects Windows' netsh
# writes (classes, blobs that decode, ipsecID = the DN's GUID); `show all`
# and an export round trip read them back; a refused script leaves the
# directory byte for byte as it was; gpo assign writes the GPO's IPSEC
# object, IPSec's client-side extension and a new versionNumber, and the
# agent in a network namespace enforces what it assigns; a writer killed
# (SIGKILL, by a relay in front of slapd) before each of its writes never
# leaves the agent's fetch a policy half old and half new.
#
#   write.sh IPSECFW IPSECFWD NETPROBE GPIPSEC_LDIF SRCROOT
set -u
IPSECFW=$1 IPSECFWD=$2 NETPROBE=$3 tool=$4 SRC=$5 root=$5

. "$SRC/tests/e2e/lib.sh"
ldap_dir=$work/ldap
. "$SRC/tests/ldap/lib.sh"
. "$SRC/tests/ldap/tree.sh"
relay_pid=""
stop_relay() { [ -z "$relay_pid" ] || { kill "$relay_pid" 2>/dev/null; wait "$relay_pid" 2>/dev/null; relay_pid=""; }; }
trap 'stop_relay; ldap_stop_all; cleanup' EXIT INT TERM

ldap_require python3
if ldap_config /etc/ldap/schema/cosine.ldif /etc/ldap/schema/inetorgperson.ldif \
	"$SRC/dist/ldap/gpo.ldif" >"$work/slapadd.log" 2>&1 && ldap_start; then
	ok "slapd with ipsec.ldif and gpo.ldif on a unix socket"
else
	not_ok "slapd: $(tail -3 "$work/slapadd.log" "$ldap_dir/slapd.log" 2>/dev/null)"
	finish
fi

{
	base_entries "$suffix" example
	cat <<EOF2
dn: CN=Policies,CN=System,$suffix
objectClass: container

dn: $gpo_d
objectClass: groupPolicyContainer
objectClass: extensibleObject
displayName: Default Domain Policy
gPCMachineExtensionNames: [{35378EAC-683F-11D2-A89A-00C04FBBCFA2}{53D6AB1B-2488-11D1-A28C-00C04FB94F17}]
versionNumber: 3

dn: $gpo_o
objectClass: groupPolicyContainer
objectClass: extensibleObject
displayName: Servers

EOF2
	servers_ou "$gpo_o"
} >"$work/tree.ldif"
if ldap_add "$work/tree.ldif" >"$work/out" 2>&1; then
	ok "the domain, two GPOs (one linked to OU=Servers) and web1"
else
	not_ok "ldapadd: $(tail -3 "$work/out")"
fi

domain_conf "$work/domain.conf" "$uri"
# dom ARGS...: ipsecfw with the directory of domain.conf (kernel off, a database of its own)
dom() {
	IPSECFW_KERNEL=off IPSECFW_DB="$work/cli.db" IPSECFW_RUN_DIR="$work/clirun" \
		IPSECFW_DOMAIN_CONF="${CONF:-$work/domain.conf}" "$IPSECFW" "$@"
}
dump() { # the whole directory, operational attributes too
	ldapsearch -x -LLL -H "$uri" -D "$admin" -w "$ldap_pw" -b "$suffix" -o ldif-wrap=no '*' '+'
}
ipsec_dump() { # the container's objects
	ldapsearch -x -LLL -H "$uri" -D "$admin" -w "$ldap_pw" -b "$container" -s one -o ldif-wrap=no "$@"
}
count_class() { ipsec_dump "(objectClass=$1)" 1.1 | grep -c '^dn:'; }

# --- a netsh script in domain mode writes the directory ------------------
cat >"$work/corp.netsh" <<'EOF2'
netsh ipsec static set store location=domain domain=example.com
add policy name=Corp description="every server" activatedefaultrule=no
add filterlist name=Telnet
add filter filterlist=Telnet srcaddr=any dstaddr=me protocol=TCP dstport=23
add filteraction name=Block action=block
add rule name=NoTelnet policy=Corp filterlist=Telnet filteraction=Block
EOF2
if dom -f "$work/corp.netsh" >"$work/out" 2>&1; then
	ok "a netsh script in domain mode ran"
else
	not_ok "script: $(cat "$work/out")"
fi
got="$(count_class ipsecPolicy) $(count_class ipsecISAKMPPolicy) $(count_class ipsecNFA) $(count_class ipsecNegotiationPolicy) $(count_class ipsecFilter)"
[ "$got" = "1 1 2 2 1" ] &&
	ok "the container holds a policy, its ISAKMP policy, 2 NFAs (rule, default response), 2 negotiation policies, a filter list" ||
	not_ok "objects by class (policy isakmp nfa negpol filter): $got"
ipsec_dump >"$work/objs.ldif"
bad=$(awk '/^dn: CN=ipsec/ { split($0, a, "[{}]"); dnguid = a[2] } /^ipsecID: / { split($0, b, "[{}]"); if (b[2] != dnguid) print dnguid }' "$work/objs.ldif")
[ -z "$bad" ] && [ "$(grep -c '^ipsecDataType: 598$' "$work/objs.ldif")" = 7 ] &&
	ok "every object's ipsecID is its DN's GUID, ipsecDataType 598 as Windows writes" ||
	not_ok "ipsecID/ipsecDataType: $bad $(grep -c '^ipsecDataType' "$work/objs.ldif")"
rm -f "$work/decoded.db"
if "$tool" decode "$work/objs.ldif" "$work/decoded.db" >"$work/out" 2>&1 &&
	IPSECFW_KERNEL=off "$IPSECFW" --db "$work/decoded.db" static show rule all Corp >"$work/show" 2>&1 &&
	grep -q "NoTelnet" "$work/show"; then
	ok "the blobs ldapsearch shows decode to the policy (gpipsec_ldif decode)"
else
	not_ok "decode: $(cat "$work/out" "$work/show" 2>/dev/null | head -5)"
fi
printf 'set store location=domain\nshow all\n' | dom -f - >"$work/all" 2>&1
grep -q "Corp" "$work/all" && grep -q "NoTelnet" "$work/all" && grep -q "Telnet" "$work/all" &&
	grep -q "23" "$work/all" &&
	ok "static show all in domain mode reads them back" || not_ok "show all: $(head -20 "$work/all")"
printf 'show policy all\n' | dom -f - >"$work/local" 2>&1
grep -q "Corp" "$work/local" && not_ok "the local store has the domain's policy" ||
	ok "the local store is untouched"

# --- export round trip --------------------------------------------------
dom -f - >"$work/out" 2>&1 <<EOF2
set store location=domain
exportpolicy file="$work/corp.ipsec"
delete all
importpolicy file="$work/corp.ipsec"
EOF2
rc=$?
printf 'set store location=domain\nshow all\n' | dom -f - >"$work/all2" 2>&1
if [ $rc -eq 0 ] && diff "$work/all" "$work/all2" >"$work/diff"; then
	ok "exportpolicy, delete all, importpolicy in domain mode: show all the same"
else
	not_ok "round trip (rc $rc): $(cat "$work/out" "$work/diff" | head -10)"
fi
[ "$(count_class ipsecNFA) $(count_class ipsecFilter)" = "2 1" ] &&
	ok "and no object left over" || not_ok "left over: $(ipsec_dump 1.1)"

# --- ipsecpol -w DS writes the directory too --------------------------------
if dom pol -w DS:example.com -p Mail -r NoSMTP -f '0+*:25:TCP' -n BLOCK >"$work/out" 2>&1 &&
	[ "$(ipsec_dump '(ipsecName=Mail)' 1.1 | grep -ci '^dn: cn=ipsecPolicy')" = 1 ] &&
	dom pol -w DS:example.com -p Mail -o >>"$work/out" 2>&1 &&
	[ "$(ipsec_dump '(ipsecName=Mail)' 1.1 | grep -c '^dn:')" = 0 ]; then
	ok "ipsecpol -w DS:example.com adds a policy to the directory; -o deletes it"
else
	not_ok "ipsecpol -w DS: $(cat "$work/out")"
fi

# --- a refused script changes nothing -------------------------------------
dump >"$work/before"
cat >"$work/bad.netsh" <<'EOF2'
set store location=domain
add filter filterlist=Telnet srcaddr=any dstaddr=me protocol=TCP dstport=2323
add policy name=Other
add rule name=R policy=Corp filterlist=Nope filteraction=Block
EOF2
dom -f "$work/bad.netsh" >"$work/out" 2>&1
rc=$?
dump >"$work/after"
if [ $rc -ne 0 ] && grep -q ":4:" "$work/out" && cmp -s "$work/before" "$work/after"; then
	ok "an error at line 4 leaves the directory byte for byte as it was"
else
	not_ok "bad script (rc $rc): $(head -3 "$work/out"); $(diff "$work/before" "$work/after" | head -5)"
fi

printf 'add policy name=Local\nset store location=domain\n' | dom -f - >"$work/out" 2>&1
[ $? -ne 0 ] && grep -q "set store: the open batch must be committed" "$work/out" &&
	! printf 'show policy all\n' | dom -f - 2>&1 | grep -q Local &&
	ok "switching to the directory inside an open batch is refused, nothing applied" ||
	not_ok "set store in a batch: $(cat "$work/out")"

# --- another writer between the session's read and its write ---------------
mkfifo "$work/fifo"
dom -f - <"$work/fifo" >"$work/out" 2>&1 &
wpid=$!
exec 3>"$work/fifo"
printf 'set store location=domain\nadd policy name=Temp\n' >&3
sleep 2 # the session has read the directory (it commits at the end of its input)
corp_dn=$(ipsec_dump '(&(objectClass=ipsecPolicy)(ipsecName=Corp))' 1.1 | sed -n 's/^dn: //p')
printf 'dn: %s\nchangetype: modify\nreplace: description\ndescription: changed by another writer\n' \
	"$corp_dn" >"$work/other.ldif"
ldap_modify "$work/other.ldif" >/dev/null 2>&1
exec 3>&-
wait $wpid
rc=$?
if [ $rc -ne 0 ] && grep -q "another writer changed the directory" "$work/out" &&
	[ "$(count_class ipsecPolicy)" = 1 ]; then
	ok "a change by another writer since the session read the directory: refused, nothing written"
else
	not_ok "concurrent writer (rc $rc): $(cat "$work/out")"
fi

# --- the agent's GPO: gpo assign, show, the agent enforces it --------------
if dom gpo assign gpo=Servers policy=Corp >"$work/out" 2>&1; then
	ok "gpo assign gpo=Servers policy=Corp"
else
	not_ok "gpo assign: $(cat "$work/out")"
fi
ldapsearch -x -LLL -H "$uri" -D "$admin" -w "$ldap_pw" -b "$gpo_o" -o ldif-wrap=no \
	gPCMachineExtensionNames versionNumber >"$work/gpo" 2>&1
ipsec_o=$(ldapsearch -x -LLL -H "$uri" -D "$admin" -w "$ldap_pw" -o ldif-wrap=no \
	-b "CN=IPSEC,CN=Windows,CN=Microsoft,CN=Machine,$gpo_o" -s base ipsecOwnersReference objectClass)
if printf '%s' "$ipsec_o" | grep -qi "^ipsecOwnersReference: $corp_dn" &&
	printf '%s' "$ipsec_o" | grep -q "objectClass: ipsecPolicy" &&
	grep -q "gPCMachineExtensionNames: \[{E437BC1C-AA7D-11D2-A382-00C04F991E27}{DEA8AFA0-CC85-11D0-9CE2-0080C7E9D9A5}\]" "$work/gpo" &&
	grep -q "versionNumber: 65536" "$work/gpo"; then
	ok "the GPO's IPSEC object names the policy; IPSec's CSE listed; versionNumber 65536"
else
	not_ok "GPO: $ipsec_o / $(cat "$work/gpo")"
fi
dom gpo assign gpo="Default Domain Policy" policy=Corp >"$work/out" 2>&1
ldapsearch -x -LLL -H "$uri" -D "$admin" -w "$ldap_pw" -b "$gpo_d" -s base -o ldif-wrap=no \
	gPCMachineExtensionNames versionNumber >"$work/gpo" 2>&1
grep -q "gPCMachineExtensionNames: \[{35378EAC-683F-11D2-A89A-00C04FBBCFA2}{53D6AB1B-2488-11D1-A28C-00C04FB94F17}\]\[{E437BC1C-AA7D-11D2-A382-00C04F991E27}{DEA8AFA0-CC85-11D0-9CE2-0080C7E9D9A5}\]" "$work/gpo" &&
	grep -q "versionNumber: 65539" "$work/gpo" &&
	ok "by displayName; the extension list kept sorted; the computer version bumped (3 -> 65539)" ||
	not_ok "second GPO: $(cat "$work/out" "$work/gpo")"
dom -j gpo show >"$work/show" 2>&1
python3 -c '
import json, sys
g = {x["gpo"]: x for x in json.load(open(sys.argv[1]))}
assert g["Servers"]["policy"] == "Corp" and g["Default Domain Policy"]["policy"] == "Corp", g
' "$work/show" && ok "gpo show -j: both GPOs assign Corp" || not_ok "gpo show: $(cat "$work/show")"
dom gpo unassign gpo="Default Domain Policy" >"$work/out" 2>&1
ldapsearch -x -LLL -H "$uri" -D "$admin" -w "$ldap_pw" -b "$gpo_d" -s base -o ldif-wrap=no \
	gPCMachineExtensionNames versionNumber >"$work/gpo" 2>&1
dom gpo show gpo="Default Domain Policy" | grep -q "Assigned policy *: none" &&
	grep -q "gPCMachineExtensionNames: \[{35378EAC-683F-11D2-A89A-00C04FBBCFA2}{53D6AB1B-2488-11D1-A28C-00C04FB94F17}\]$" "$work/gpo" &&
	grep -q "versionNumber: 131075" "$work/gpo" &&
	ok "gpo unassign: the IPSEC object and IPSec's extension gone, the version bumped again" ||
	not_ok "gpo unassign: $(cat "$work/out" "$work/gpo")"
printf 'set store location=domain\ndelete policy name=Corp\n' | dom -f - >"$work/out" 2>&1
if [ $? -ne 0 ] && grep -q "assigned by the GPO" "$work/out" && [ "$(count_class ipsecPolicy)" = 1 ]; then
	ok "deleting a policy a GPO assigns is refused: $(grep -o "policy 'Corp' is assigned.*" "$work/out" | head -1 | cut -c1-60)..."
else
	not_ok "delete assigned: $(cat "$work/out")"
fi
printf 'set store location=domain\nset policy name=Corp gponame="Default Domain Policy"\n' | dom -f - >"$work/out" 2>&1
dom gpo show gpo="Default Domain Policy" | grep -q "Assigned policy *: Corp" &&
	ok "set policy gponame= in domain mode assigns through the GPO" ||
	not_ok "gponame=: $(cat "$work/out")"

C=${tag}c1 S=${tag}s1
make_pair 1
serve "$S" 23 80
agent 1 --domain-conf "$work/domain.conf" --domain-poll 1
i=0
while [ "$(verdict 23)" != DROP ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
[ "$(verdict 23)" = DROP ] && [ "$(verdict 80)" = PASS ] &&
	ok "the agent in a namespace fetched Corp: telnet dropped, the web passes" ||
	not_ok "agent: 23 $(verdict 23), 80 $(verdict 80): $(tail -3 "$work/agent1.err" "$work/log1/events.log" 2>/dev/null)"
wire 1 "telnet is dropped on the wire" drop "$(verdict 23)" PASS -- "$C" "$NETPROBE" tcp -p 40002 -w 700 $S4 23
# slapd without syncprov offers no way of following it: the agent polls
srv 1 show mode >"$work/mode" 2>&1
grep -q "^directory: polling $uri every 1 s (the server offers no way of following it)$" "$work/mode" &&
	ok "show mode: the agent polls the directory every second (no syncprov)" ||
	not_ok "show mode: $(cat "$work/mode")"
printf 'set store location=domain\nadd filter filterlist=Telnet srcaddr=any dstaddr=me protocol=TCP dstport=80\n' |
	dom -f - >"$work/out" 2>&1
i=0
while [ "$(verdict 80)" != DROP ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
[ "$(verdict 80)" = DROP ] && ok "a filter added in domain mode is in force after $((i * 100)) ms" ||
	not_ok "change not followed: $(cat "$work/out")"
wire 1 "the web is dropped on the wire" drop "$(verdict 80)" PASS -- "$C" "$NETPROBE" tcp -p 40003 -w 700 $S4 80
kill "$agent_pid" 2>/dev/null

# --- a writer killed before each of its writes ------------------------------
cat >"$work/change.netsh" <<'EOF2'
set store location=domain
set policy name=Corp description="every server, v2"
add filter filterlist=Telnet srcaddr=any dstaddr=me protocol=TCP dstport=2323
add filterlist name=Alt
add filter filterlist=Alt srcaddr=any dstaddr=me protocol=TCP dstport=8080
add rule name=NoAlt policy=Corp filterlist=Alt filteraction=Block
EOF2
relay="$work/relay.sock"
domain_conf "$work/relay.conf" "ldapi://$(printf '%s' "$relay" | sed 's|/|%2F|g')"
start_relay() { # start_relay N
	rm -f "$relay"
	python3 "$SRC/tests/tools/ldapkill.py" "$relay" "$sock" "$1" "$work/writes" &
	relay_pid=$!
	i=0
	while [ ! -S "$relay" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
}
"$tool" fetch "$work/domain.conf" >"$work/old" 2>&1
ldap_stop
cp -a "$ldap_dir/db" "$work/db.saved"
ldap_start
start_relay 0
CONF=$work/relay.conf dom -f "$work/change.netsh" >"$work/out" 2>&1
rc=$?
stop_relay
read -r total kinds <"$work/writes"
"$tool" fetch "$work/domain.conf" >"$work/new" 2>&1
if [ $rc -eq 0 ] && [ "$total" -gt 3 ] && ! cmp -s "$work/old" "$work/new" && grep -q 8080 "$work/new"; then
	ok "through the relay: the change takes $total writes; the fetch sees it"
else
	not_ok "relay run (rc $rc, $total writes): $(cat "$work/out" "$work/new" | head -5)"
fi
printf '%s' "$kinds" | grep -Eq '^a+m+d+$' &&
	ok "adds, then modifies (back-links, the policy last), then deletes: $kinds" ||
	not_ok "write order: $kinds"
adds_mods=$(printf '%s' "$kinds" | tr -d d | wc -c)
# resolved: every DN the container's objects reference exists (a directory
# may refuse a reference to a missing object), the container included
resolved() {
	ipsec_dump ipsecOwnersReference ipsecNFAReference ipsecFilterReference \
		ipsecNegotiationPolicyReference ipsecISAKMPReference |
		awk -v c="$container" 'BEGIN { have[tolower(c)] = 1 }
			{ $0 = tolower($0) }
			/^dn: / { have[substr($0, 5)] = 1; next }
			/^ipsec[a-z]*reference: / { sub(/^[^:]*: /, ""); ref[$0] = 1 }
			END { for (r in ref) if (!(r in have)) { print r; bad = 1 } exit bad }' >/dev/null
}
olds=0 news=0 mixed=0 clean=0 unclean="" dangling=""
k=1
while [ "$k" -le "$total" ] && [ "$k" -le 64 ]; do
	ldap_stop
	rm -rf "${ldap_dir:?}/db"
	cp -a "$work/db.saved" "$ldap_dir/db"
	ldap_start
	start_relay "$k"
	IPSECFW_KERNEL=off IPSECFW_DB="$work/cli.db" IPSECFW_RUN_DIR="$work/clirun" \
		IPSECFW_DOMAIN_CONF="$work/relay.conf" timeout 20 "$IPSECFW" -f "$work/change.netsh" >/dev/null 2>&1
	stop_relay
	"$tool" fetch "$work/domain.conf" >"$work/mid" 2>&1
	# before the first delete, no reference points at a missing object
	[ "$k" -gt "$adds_mods" ] || resolved || dangling="$dangling $k"
	if cmp -s "$work/mid" "$work/old"; then
		olds=$((olds + 1))
	elif cmp -s "$work/mid" "$work/new"; then
		news=$((news + 1))
	else
		mixed=$((mixed + 1))
		cp "$work/mid" "$work/mixed.$k"
	fi
	# the next session sees no leftovers and cleans them up
	printf 'set store location=domain\nshow all\n' | dom -f - >"$work/show.$k" 2>&1
	printf 'set store location=domain\nset policy name=Corp pollinginterval=181\nset policy name=Corp pollinginterval=180\n' |
		dom -f - >/dev/null 2>&1
	# old: policy, ISAKMP, 2 NFAs, 2 negotiation policies, a list; new: an NFA and a list more
	want=7
	cmp -s "$work/mid" "$work/new" && want=9
	got=$(ipsec_dump 1.1 | grep -c '^dn:')
	[ "$got" = $want ] && clean=$((clean + 1)) || unclean="$unclean $k:$got/$want"
	k=$((k + 1))
done
if [ $mixed -eq 0 ] && [ $olds -gt 0 ] && [ $news -gt 0 ]; then
	ok "killed before each of $total writes: the fetch saw the old policy $olds times, the new $news, never a mix"
else
	not_ok "killed writers: $olds old, $news new, $mixed mixed: $(cat "$work"/mixed.* 2>/dev/null | head -10)"
fi
# the server gone in the middle of a write: that write fails, the session
# writes no more (it no longer knows what the directory holds)
ldap_stop
rm -rf "${ldap_dir:?}/db"
cp -a "$work/db.saved" "$ldap_dir/db"
ldap_start
start_relay -4
printf 'set store location=domain\nset filterlist name=Telnet description=cut\nadd filterlist name=Later\n' \
	>"$work/cut.netsh"
CONF=$work/relay.conf dom -k -f "$work/cut.netsh" >"$work/out" 2>&1
rc=$?
stop_relay
"$tool" fetch "$work/domain.conf" >"$work/mid" 2>&1
if [ $rc -ne 0 ] && grep -q "cut.netsh:2:.*Can't contact LDAP server" "$work/out" &&
	grep -q "cut.netsh:3:.*failed half way" "$work/out" && cmp -s "$work/mid" "$work/old" &&
	[ "$(ipsec_dump '(ipsecName=Later)' 1.1 | grep -c '^dn:')" = 0 ]; then
	ok "the server gone at write 4 of 6: the command fails, the next is refused, the policy stays old"
else
	not_ok "connection cut (rc $rc): $(cat "$work/out"; diff "$work/mid" "$work/old")"
fi

[ -z "$dangling" ] && ok "until the deletes, every reference names an object that exists (kill points 1-$adds_mods)" ||
	not_ok "a reference to a missing object when killed before write$dangling"
[ $clean -eq $((k - 1)) ] && ok "and the next write left no leftover behind ($clean of $((k - 1)))" ||
	not_ok "leftovers after the next write: $clean of $((k - 1)) clean (kill at: objects/expected$unclean)"
finish
