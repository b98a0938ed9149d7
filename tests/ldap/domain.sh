#!/bin/sh
# SPDX-License-Identifier: MIT
# domain.sh - the domain store end to end against a real slapd (TAP): a
# directory with a domain, an OU, a computer object and two GPOs (domain
# and OU) assigning policies the encoder wrote; ipsecfwd in a network
# namespace fetches the OU's (the last applied wins), caches it in the
# local database, enforces it (ipsecfw test and real traffic), follows a
# change within the poll interval, refuses a bad blob naming the object
# (4295) and keeps the cached copy in force when slapd is killed (4296),
# also across an agent restart. A password file others can read is
# refused. slapd listens on a unix socket only (reachable from the
# namespace: unix sockets are not network-namespaced).
#
#   domain.sh IPSECFW IPSECFWD NETPROBE GPIPSEC_LDIF SRCROOT
set -u
IPSECFW=$1 IPSECFWD=$2 NETPROBE=$3 tool=$4 SRC=$5 root=$5

. "$SRC/tests/e2e/lib.sh"
ldap_dir=$work/ldap
. "$SRC/tests/ldap/lib.sh"
. "$SRC/tests/ldap/tree.sh"
trap 'ldap_stop_all; cleanup' EXIT INT TERM

ldap_require
if ldap_config "$SRC/dist/ldap/gpo.ldif" >"$work/slapadd.log" 2>&1 && ldap_start; then
	ok "slapd with dist/ldap/ipsec.ldif and gpo.ldif on a unix socket"
else
	not_ok "slapd: $(tail -3 "$work/slapadd.log" "$ldap_dir/slapd.log" 2>/dev/null)"
	finish
fi

# --- the policies and the GPOs (tree.sh) ------------------------------
if tree_encode; then
	ok "three policies encoded as directory objects"
else
	not_ok "encode: $(cat "$work/out")"
fi
if tree_load; then
	ok "the domain, an OU, web1, the policies and two linked GPOs are in the directory"
else
	not_ok "ldapadd: $(tail -3 "$work/out")"
fi

# --- the host ---------------------------------------------------------
C=${tag}c1 S=${tag}s1
make_pair 1
serve "$S" 80 23 8080
host_store 1
printf '%s\n' "$ldap_pw" >"$work/pw"
chmod 644 "$work/pw"
cat >"$work/domain.conf" <<EOF2
# a server that does not exist first: fail-over to the next
uri = ldapi://$(printf '%s' "$work/nothing" | sed 's|/|%2F|g')
uri = $uri
base = $suffix
hostname = web1
bind = simple
binddn = $admin
passwordfile = $work/pw
EOF2

# --- a password file others can read is refused -------------------------
if ip netns exec "$S" timeout 10 "$IPSECFWD" --no-journal --db "$work/db1" --run-dir "$work/run1" \
	--log-dir "$work/log1" --domain-conf "$work/domain.conf" >"$work/out" 2>&1; then
	not_ok "the agent started with a password file of mode 0644"
elif grep -q "refused" "$work/out" && ! grep -q "$ldap_pw" "$work/out"; then
	ok "a password file of mode 0644 is refused, the password not shown: $(tail -1 "$work/out")"
else
	not_ok "password file: $(cat "$work/out")"
fi
chmod 600 "$work/pw"


# --- fetch, cache, enforce ------------------------------------------------
agent 1 --domain-conf "$work/domain.conf" --domain-poll 1
if wait_event 4294 '"source":"directory"' 10; then
	ok "applied directory policy (4294, source directory)"
else
	not_ok "no 4294 from the directory: $(tail -5 "$work/log1/events.log" "$work/agent1.err" 2>/dev/null)"
fi
srv 1 static show gpoassignedpolicy >"$work/show" 2>&1
if grep -q "Web Lockdown" "$work/show" && grep -q "6AC1786C" "$work/show" &&
	grep -qF "$uri" "$work/show" && grep -q "fetched" "$work/show"; then
	ok "show gpoassignedpolicy: the OU's policy, its GPO, the second server, when"
else
	not_ok "show gpoassignedpolicy: $(cat "$work/show")"
fi
[ "$(verdict 23)" = DROP ] && [ "$(verdict 80)" = PASS ] &&
	ok "ipsecfw test: the OU's GPO wins over the domain's (telnet dropped, web passes)" ||
	not_ok "verdicts: 23 $(verdict 23), 80 $(verdict 80)"
wire 1 "telnet is dropped on the wire" drop "$(verdict 23)" PASS \
	-- "$C" "$NETPROBE" tcp -p 40002 -w 700 $S4 23
wire 1 "the web passes" pass "$(ref 1 in tcp 192.0.2.20:40003 $S4:80)" \
	"$(ref 1 out tcp $S4:80 192.0.2.20:40003)" -- "$C" "$NETPROBE" tcp -p 40003 -w 700 $S4 80
srv 1 show mode >"$work/show" 2>&1
grep -q "from the directory" "$work/show" && ok "show mode names the directory source" ||
	not_ok "show mode: $(cat "$work/show")"

# --- a change in the directory, within the poll interval -----------------
assign "$lockdown2"
i=0
# in force: cached (ipsecfw test reads the store) and loaded (the event)
applied2() { grep '"id":4294,' "$work/log1/events.log" | grep -q "policy 'Web Lockdown 2'"; }
while ! { [ "$(verdict 8080)" = DROP ] && applied2; } && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
if [ "$(verdict 8080)" = DROP ] && applied2; then
	ok "the new assignment is in force after $((i * 100)) ms (poll interval 1 s)"
else
	not_ok "the change was not followed: $(tail -3 "$work/log1/events.log")"
fi
wire 1 "8080 is dropped on the wire" drop DROP PASS -- "$C" "$NETPROBE" tcp -p 40004 -w 700 $S4 8080

# --- a bad blob: refused, naming the object; the cached copy stays ----------
cat >"$work/bad.ldif" <<EOF2
dn: $alt
changetype: modify
replace: ipsecData
ipsecData:: AAECAwQFBgc=
EOF2
ldap_modify "$work/bad.ldif" >"$work/out" 2>&1 || not_ok "ldapmodify: $(cat "$work/out")"
if wait_event 4295 "$(printf '%s' "$alt" | cut -c1-30)" 5; then
	ok "a bad blob is refused with 4295 naming the object"
else
	not_ok "no 4295 naming $alt: $(tail -3 "$work/log1/events.log")"
fi
[ "$(verdict 8080)" = DROP ] && [ "$(verdict 23)" = DROP ] &&
	ok "the cached copy stays in force" || not_ok "cached copy: 8080 $(verdict 8080)"

# --- the directory gone: the cached copy in force (4296) -------------------
before=$(count_event 4296)
ldap_stop
i=0
while [ "$(count_event 4296)" = "$before" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
if [ "$(count_event 4296)" != "$before" ] && wait_event 4296 "no directory server answered" 1; then
	ok "slapd killed: applied cached copy (4296)"
else
	not_ok "no 4296 after slapd stopped: $(tail -3 "$work/log1/events.log")"
fi
wire 1 "telnet still dropped without the directory" drop DROP PASS \
	-- "$C" "$NETPROBE" tcp -p 40005 -w 700 $S4 23

# --- and across an agent restart ------------------------------------------
agent_stop USR2
before=$(count_event 4296)
agent 1 --domain-conf "$work/domain.conf" --domain-poll 1
i=0
while [ "$(count_event 4296)" = "$before" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
if [ "$(count_event 4296)" != "$before" ] && mode_is 1 secure; then
	ok "restarted without a directory: the cached copy in force (4296)"
else
	not_ok "restart: $(tail -3 "$work/log1/events.log" "$work/agent1.err")"
fi
wire 1 "8080 dropped after the restart" drop "$(verdict 8080)" PASS \
	-- "$C" "$NETPROBE" tcp -p 40006 -w 700 $S4 8080
kill "$agent_pid" 2>/dev/null
finish
