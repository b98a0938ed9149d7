#!/bin/sh
# SPDX-License-Identifier: MIT
# sync.sh - the agent follows the directory (TAP): a provider slapd with
# the syncprov overlay (RFC 4533) and a consumer replica fed from it by
# syncrepl refreshAndPersist; an agent bound to each, polling once an
# hour, so what they apply within seconds came over the sync session. A
# write of several changes is applied once (debounced). Then the faults:
# a half-written policy (a rule whose filter list does not exist yet),
# a value over 1 MiB and a reference loop are refused naming the object
# (4295) with the cached copy in force; a change made while the agent is
# stopped is in force when it is back; the directory killed leaves the
# cached copy in force, also across an agent restart; a change made while
# it was down (slapmodify) is picked up when it is back (reconnect,
# resync). Verdicts from ipsecfw test and real traffic.
#
#   sync.sh IPSECFW IPSECFWD NETPROBE GPIPSEC_LDIF SRCROOT
set -u
IPSECFW=$1 IPSECFWD=$2 NETPROBE=$3 tool=$4 SRC=$5 root=$5

. "$SRC/tests/e2e/lib.sh"
ldap_dir=$work/provider
. "$SRC/tests/ldap/lib.sh"
. "$SRC/tests/ldap/tree.sh"
provider_pid="" replica_pid=""
trap 'ldap_stop_all; cleanup' EXIT INT TERM

ldap_require
ldap_modules=syncprov
ldap_db_extra=$syncprov_db
if ldap_config "$SRC/dist/ldap/gpo.ldif" >"$work/slapadd.log" 2>&1 && ldap_start; then
	provider_pid=$slapd_pid
	ok "provider slapd with the syncprov overlay"
else
	not_ok "slapd: $(tail -3 "$work/slapadd.log" "$ldap_dir/slapd.log" 2>/dev/null)"
	finish
fi
provider_uri=$uri
ldapsearch -x -LLL -H "$uri" -s base -b "" supportedControl >"$work/dse" 2>&1
grep -q "1.3.6.1.4.1.4203.1.9.1.1" "$work/dse" &&
	ok "its root DSE offers content synchronisation (1.3.6.1.4.1.4203.1.9.1.1)" ||
	not_ok "root DSE: $(cat "$work/dse")"
if tree_encode && tree_load; then
	ok "the policies, the GPOs and web1 are in the provider"
else
	not_ok "directory: $(tail -3 "$work/out")"
fi

# --- agent 1, on the provider, polling once an hour ------------------------
C=${tag}c1 S=${tag}s1
make_pair 1
serve "$S" 80 23 8080
host_store 1
domain_conf "$work/domain1.conf" "$provider_uri"
agent 1 --domain-conf "$work/domain1.conf" --domain-poll 3600
if until_ok 10 applied "Web Lockdown" && [ "$(verdict 23)" = DROP ]; then
	ok "agent 1 applied the OU's policy from the provider"
else
	not_ok "agent 1: $(tail -3 "$evlog" "$work/agent1.err" 2>/dev/null)"
fi

# --- a change on the provider, followed without a poll ----------------------
sleep 1 # the session's refresh is over
assign "$lockdown2"
if until_ok 5 in_force_8080; then
	ok "a change on the provider is in force after $took ms (poll interval 1 h)"
else
	not_ok "not followed: $(tail -3 "$evlog")"
fi
wire 1 "8080 dropped on the wire" drop "$(verdict 8080)" PASS \
	-- "$C" "$NETPROBE" tcp -p 40001 -w 700 $S4 8080

# --- a write of three changes, applied once ---------------------------------
before=$(count_event 4294)
{
	assign_ldif "$baseline"
	assign_ldif "$lockdown2"
	assign_ldif "$lockdown"
} >"$work/three.ldif"
ldap_modify "$work/three.ldif" >"$work/out" 2>&1 || not_ok "ldapmodify: $(cat "$work/out")"
in_force_lockdown() { applied "Web Lockdown" && [ "$(verdict 8080)" = PASS ]; }
until_ok 5 in_force_lockdown
sleep 1
new=$(($(count_event 4294) - before))
if in_force_lockdown && [ "$new" = 1 ]; then
	ok "three changes in one write: one fetch, one load (Web Lockdown)"
else
	not_ok "debounce: $new new 4294 events: $(tail -4 "$evlog")"
fi

# --- a consumer replica, and agent 2 bound to it ----------------------------
ldap_use "$work/replica"
ldap_db_extra="olcSyncrepl: rid=001 provider=$provider_uri bindmethod=simple binddn=\"$admin\" credentials=$ldap_pw searchbase=\"$suffix\" type=refreshAndPersist retry=\"1 +\" timeout=3
$syncprov_db"
if ldap_config "$SRC/dist/ldap/gpo.ldif" >"$work/slapadd2.log" 2>&1 && ldap_start; then
	replica_pid=$slapd_pid
	ok "a consumer replica (syncrepl refreshAndPersist from the provider)"
else
	not_ok "replica: $(tail -3 "$work/slapadd2.log" "$ldap_dir/slapd.log" 2>/dev/null)"
fi
replica_uri=$uri
replicated() {
	ldapsearch -x -LLL -H "$replica_uri" -D "$admin" -w "$ldap_pw" -b "$suffix" \
		'(objectClass=computer)' 1.1 2>/dev/null | grep -q web1
}
until_ok 10 replicated || not_ok "the replica has not the provider's content"
agent1_pid=$agent_pid
make_pair 2
serve "${tag}s2" 80 23 8080
host_store 2
domain_conf "$work/domain2.conf" "$replica_uri"
agent 2 --domain-conf "$work/domain2.conf" --domain-poll 3600
agent2_pid=$agent_pid
if until_ok 10 applied "Web Lockdown" 2; then
	ok "agent 2 applied the policy from the replica"
else
	not_ok "agent 2: $(tail -3 "$work/log2/events.log" "$work/agent2.err" 2>/dev/null)"
fi
sleep 1
ldap_use "$work/provider"
assign "$lockdown2"
in_force_2() { applied "Web Lockdown 2" 2 && [ "$(verdict 8080 2)" = DROP ]; }
if until_ok 10 in_force_2; then
	ok "a change on the provider reaches agent 2 through the replica in $took ms"
else
	not_ok "replica: $(tail -3 "$work/log2/events.log")"
fi
wire 2 "8080 dropped on the wire behind the replica" drop "$(verdict 8080 2)" PASS \
	-- "${tag}c2" "$NETPROBE" tcp -p 40002 -w 700 $S4 8080
kill "$agent2_pid" 2>/dev/null
agent_pid=$agent1_pid
slapd_pid=$replica_pid
ldap_use "$work/replica"
ldap_stop
replica_pid=""
ldap_use "$work/provider"
slapd_pid=$provider_pid

# --- faults: refused, naming the object; the cached copy stays ----------------
# the policy in force is Web Lockdown 2: 23 and 8080 dropped, 80 passes
in_force() { [ "$(verdict 23)" = DROP ] && [ "$(verdict 8080)" = DROP ] && [ "$(verdict 80)" = PASS ]; }
# refused NAME LDIF PATTERN: the write gives a 4295 matching PATTERN and
# leaves the verdicts as they were
refused() {
	before=$(count_event 4295)
	ldap_modify "$2" >"$work/out" 2>&1 || { not_ok "$1: ldapmodify: $(tail -2 "$work/out")"; return; }
	i=0
	while [ "$(count_event 4295)" = "$before" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	if grep '"id":4295,' "$evlog" | tail -1 | grep -qi -- "$3" && in_force; then
		ok "$1: refused (4295 names it), the cached copy in force"
	else
		not_ok "$1: $(grep '"id":4295,' "$evlog" | tail -1) verdicts 23 $(verdict 23) 8080 $(verdict 8080)"
	fi
}
# undo LDIF: the write undone; the directory's copy is in force again
back_events() { grep '"id":4294,' "$evlog" | grep -c "is the cached copy in force"; }
undo() {
	back=$(back_events)
	ldap_modify "$1" >"$work/out" 2>&1 || not_ok "undo: $(tail -2 "$work/out")"
	is_back() { [ "$(back_events)" != "$back" ]; }
	until_ok 5 is_back || not_ok "undo $1: $(tail -2 "$evlog")"
}
nfa_alt=$(awk -v want="$alt" '/^dn: / { dn = substr($0, 5) } $0 == "ipsecFilterReference: " want { print dn }' "$work/objs.ldif")
missing="CN=ipsecFilter{00000000-0000-0000-0000-00000000DEAD},$container"
cat >"$work/half.ldif" <<EOF2
dn: $nfa_alt
changetype: modify
replace: ipsecFilterReference
ipsecFilterReference: $missing
EOF2
cat >"$work/half-undo.ldif" <<EOF2
dn: $nfa_alt
changetype: modify
replace: ipsecFilterReference
ipsecFilterReference: $alt
EOF2
refused "a rule whose filter list does not exist yet" "$work/half.ldif" "00000000DEAD.*does not exist"
undo "$work/half-undo.ldif"
head -c 1200000 /dev/zero | tr '\0' 'x' >"$work/huge"
cat >"$work/huge.ldif" <<EOF2
dn: $alt
changetype: modify
replace: description
description:< file://$work/huge
EOF2
cat >"$work/huge-undo.ldif" <<EOF2
dn: $alt
changetype: modify
delete: description
EOF2
refused "a value of 1.2 MB" "$work/huge.ldif" "description: larger than"
undo "$work/huge-undo.ldif"
cat >"$work/loop.ldif" <<EOF2
dn: $nfa_alt
changetype: modify
replace: ipsecFilterReference
ipsecFilterReference: $lockdown2
EOF2
refused "a reference back to the policy (a loop)" "$work/loop.ldif" "referenced as an ipsecPolicy"
undo "$work/half-undo.ldif"

# --- a change while the agent is stopped ---------------------------------------
agent_stop USR2
assign "$baseline"
agent 1 --domain-conf "$work/domain1.conf" --domain-poll 3600
in_force_base() { applied "Domain Baseline" && [ "$(verdict 80)" = DROP ] && [ "$(verdict 23)" = PASS ]; }
if until_ok 10 in_force_base; then
	ok "a change made while the agent was stopped is in force $took ms after its start"
else
	not_ok "agent back: $(tail -3 "$evlog" "$work/agent1.err")"
fi

# --- the directory killed: the cached copy stays ---------------------------------
before=$(count_event 4296)
kill -9 "$provider_pid"
wait "$provider_pid" 2>/dev/null
slapd_pid="" provider_pid=""
cached_event() { [ "$(count_event 4296)" != "$before" ]; }
if until_ok 10 cached_event && [ "$(verdict 80)" = DROP ]; then
	ok "slapd killed: the cached copy in force (4296) after $took ms"
else
	not_ok "no 4296: $(tail -3 "$evlog")"
fi
wire 1 "80 still dropped without the directory" drop DROP PASS \
	-- "$C" "$NETPROBE" tcp -p 40003 -w 700 $S4 80
agent_stop USR2
before=$(count_event 4296)
agent 1 --domain-conf "$work/domain1.conf" --domain-poll 3600
if until_ok 10 cached_event && mode_is 1 secure &&
	[ "$(verdict 80)" = DROP ]; then
	ok "agent restarted without the directory: the cached copy in force (4296)"
else
	not_ok "restart: $(tail -3 "$evlog" "$work/agent1.err")"
fi

# --- a change made while it was down, picked up when it is back ---------------
assign_ldif "$lockdown2" >"$work/change.ldif"
if slapmodify -F "$ldap_dir/slapd.d" -b "$suffix" -l "$work/change.ldif" >"$work/out" 2>&1; then
	ok "Web Lockdown 2 assigned offline (slapmodify) while slapd was down"
else
	not_ok "slapmodify: $(tail -2 "$work/out")"
fi
sleep 2 # the agent backs off
ldap_start && provider_pid=$slapd_pid
if until_ok 40 in_force_8080; then
	ok "slapd back: reconnected, resynchronised, Web Lockdown 2 in force after $took ms"
else
	not_ok "after the restart: $(tail -3 "$evlog")"
fi
wire 1 "8080 dropped on the wire after the resync" drop "$(verdict 8080)" PASS \
	-- "$C" "$NETPROBE" tcp -p 40004 -w 700 $S4 8080
# and followed again over a new session
sleep 1
assign "$lockdown"
if until_ok 5 in_force_lockdown; then
	ok "the new session follows changes again ($took ms)"
else
	not_ok "new session: $(tail -3 "$evlog")"
fi
agent_stop
sanitizers_quiet
finish
