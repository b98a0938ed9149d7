#!/bin/sh
# SPDX-License-Identifier: MIT
# fleet.sh - the domain store's headline against a real Samba AD DC (TAP):
# a policy written by `ipsecfw static` on one host is enforced on the
# others. An admin host's netsh script in domain mode writes the policy to
# Samba (a simple bind as Administrator over LDAPS, Samba's CA verified,
# the password in a 0600 file), `ipsecfw gpo assign` assigns it in a GPO
# linked to OU=Fleet, and both of the OU's hosts enforce it: fleet1 bound
# with its machine keytab (GSSAPI), fleet2 with its machine password over
# LDAPS. A filter added from the admin host reaches both by change
# notification within seconds (their poll is an hour); a refused script
# writes nothing anywhere in the DC (its highestCommittedUSN stays) and
# changes nothing on the hosts; Samba's three default policies survive
# every write untouched. Verdicts are checked with ipsecfw test and on
# the wire.
#
#   fleet.sh IPSECFW IPSECFWD NETPROBE SRCROOT
set -u
IPSECFW=$1 IPSECFWD=$2 NETPROBE=$3 SRC=$4

. "$SRC/tests/e2e/lib.sh"
. "$SRC/tests/samba/hosts.sh"
samba_start

# --- the administrator's set-up ---------------------------------------------
gpo_guid="{7A1B2C3D-4E5F-4061-8273-94A5B6C7D8E9}"
gpo_dn="CN=$gpo_guid,CN=Policies,CN=System,$sbase"
cat >"$work/gpo.ldif" <<EOF2
dn: $gpo_dn
objectClass: groupPolicyContainer
displayName: Fleet Servers
gPCFileSysPath: \\\\samba.example.com\\sysvol\\samba.example.com\\Policies\\$gpo_guid
gPCFunctionalityVersion: 2
versionNumber: 0
flags: 0
EOF2
# the objects the CLI writes in CN=IP Security inherit its ACL, and its own
# grant to Authenticated Users is not inherited: the computers read them
if dc_tool ou add "OU=Fleet" >"$work/out" 2>&1 &&
	dc_tool computer add fleet1 --computerou="OU=Fleet" >>"$work/out" 2>&1 &&
	dc_tool computer add fleet2 --computerou="OU=Fleet" >>"$work/out" 2>&1 &&
	dc_tool dsacl set --objectdn="$container" --sddl="(A;CI;RPLCLORC;;;AU)" >>"$work/out" 2>&1 &&
	dc_ldap ldapadd -f "$work/gpo.ldif" >>"$work/out" 2>&1 &&
	dc_tool gpo setlink "OU=Fleet,$sbase" "$gpo_guid" >>"$work/out" 2>&1; then
	ok "OU=Fleet with fleet1 and fleet2, the container readable by computers, an empty GPO linked to the OU"
else
	not_ok "set-up: $(tail -3 "$work/out")"
fi
# Samba's own objects (the three default policies and all they reference)
defaults() {
	dc_ldap ldapsearch -LLL -o ldif-wrap=no -b "$container" -s one '(isCriticalSystemObject=TRUE)' \
		'*' uSNChanged whenChanged
}
defaults >"$work/defaults.before" 2>&1
[ "$(grep -c '^objectClass: ipsecPolicy$' "$work/defaults.before")" = 3 ] &&
	ok "Samba provisioned its three default policies in $container" ||
	not_ok "Samba's defaults: $(head -3 "$work/defaults.before")"

samba_krb5_conf
cp "$dc_dir/private/tls/ca.pem" "$work/etc/ca.pem"
printf '%s\n' "$admin_pw" >"$work/etc/admin.pw"
chmod 600 "$work/etc/admin.pw"
cat >"$work/admin.conf" <<EOF2
uri = ldaps://$dcfqdn
base = $sbase
bind = simple
binddn = CN=Administrator,CN=Users,$sbase
passwordfile = $work/etc/admin.pw
cafile = $work/etc/ca.pem
EOF2
adm_ns=${tag}adm
ip netns add "$adm_ns" && ip -n "$adm_ns" link set lo up && dc_link "$adm_ns" 203.0.113.30
# adm ARGS...: ipsecfw on the admin host (no kernel: it only writes the directory)
adm() {
	ip netns exec "$adm_ns" env IPSECFW_KERNEL=off IPSECFW_DB="$work/adm.db" \
		IPSECFW_RUN_DIR="$work/admrun" IPSECFW_DOMAIN_CONF="$work/admin.conf" "$IPSECFW" "$@"
}

# --- the admin host writes a policy and assigns it ---------------------------
cat >"$work/fleet.netsh" <<EOF2
static set store location=domain domain=$realm
add policy name="Fleet Web" description="every web server of the fleet" activatedefaultrule=no
add filterlist name="Fleet Telnet"
add filter filterlist="Fleet Telnet" srcaddr=any dstaddr=me protocol=TCP dstport=23
add filteraction name="Fleet Block" action=block
add rule name=NoTelnet policy="Fleet Web" filterlist="Fleet Telnet" filteraction="Fleet Block"
EOF2
if adm -f "$work/fleet.netsh" >"$work/out" 2>&1; then
	ok "the admin host's netsh script wrote Fleet Web to Samba (domain=$realm, LDAPS)"
else
	not_ok "admin script: $(cat "$work/out")"
fi
if adm gpo assign gpo="Fleet Servers" policy="Fleet Web" >"$work/out" 2>&1 &&
	adm gpo show gpo="Fleet Servers" >"$work/show" 2>&1 &&
	grep -q "Assigned policy *: Fleet Web" "$work/show"; then
	ok "ipsecfw gpo assign: the GPO linked to OU=Fleet assigns Fleet Web"
else
	not_ok "gpo assign: $(cat "$work/out" "$work/show" 2>/dev/null)"
fi

# --- the fleet: two hosts of the OU follow the directory ---------------------
for h in 1 2; do
	host $h 203.0.113.2$h 23 80 8080
done
machine_keytab fleet1 'Fleet1-machine-test-only!' || not_ok "fleet1's keytab: $(tail -2 "$work/out")"
dc_tool user setpassword 'fleet2$' --newpassword='Fleet2-machine-test-only!' >"$work/out" 2>&1 ||
	not_ok "fleet2's password: $(tail -2 "$work/out")"
printf 'Fleet2-machine-test-only!\n' >"$work/etc/fleet2.pw"
chmod 600 "$work/etc/fleet2.pw"
gssapi_conf fleet1
ldaps_conf fleet2 "CN=fleet2,OU=Fleet,$sbase" "$work/etc/fleet2.pw" "poll = 3600"
for h in 1 2; do
	agent $h --domain-conf "$work/fleet$h.conf"
	eval "agent${h}_pid=\$agent_pid"
done
for h in 1 2; do
	if applied $h "Fleet Web" && [ "$(verdict $h 23)" = DROP ] && [ "$(verdict $h 80)" = PASS ]; then
		ok "fleet$h applied Fleet Web from the GPO (ipsecfw test: telnet dropped, web passes)"
	else
		not_ok "fleet$h: 23 $(verdict $h 23): $(events $h | tail -2; tail -2 "$work/agent$h.err")"
	fi
	wire $h "telnet to fleet$h is dropped on the wire" drop "$(verdict $h 23)" PASS \
		-- "${tag}c$h" "$NETPROBE" tcp -p 4100$h -w 700 $S4 23
	wire $h "the web to fleet$h passes" pass "$(ref $h in tcp 192.0.2.20:4101$h $S4:80)" \
		"$(ref $h out tcp $S4:80 192.0.2.20:4101$h)" -- "${tag}c$h" "$NETPROBE" tcp -p 4101$h -w 700 $S4 80
done

# what the agents say they do: following the directory, by which method
srv 1 show mode >"$work/mode1" 2>&1
srv 2 -j show mode >"$work/mode2" 2>&1
if grep -q "^directory: following ldap://$dcfqdn (AD change notification): a change is fetched at once; a full fetch every 3600 s$" "$work/mode1" &&
	python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))["directory"]
assert d["following"] == "ldaps://" + sys.argv[2] + " (AD change notification)" and d["poll"] == 3600, d
assert d["cached"] is None, d
' "$work/mode2" "$dcfqdn"; then
	ok "show mode: each host follows the DC by AD change notification (-j: the method, the poll)"
else
	not_ok "show mode: $(cat "$work/mode1" "$work/mode2")"
fi
srv 1 static show gpoassignedpolicy >"$work/gap" 2>&1
grep -q "Fleet Servers" "$work/gap" && grep -q "following ldap://$dcfqdn (AD change notification)" "$work/gap" &&
	ok "show gpoassignedpolicy: the GPO, and that the agent follows the directory" ||
	not_ok "show gpoassignedpolicy: $(cat "$work/gap")"

# --- a filter added on the admin host: both hosts follow ---------------------
cat >"$work/change.netsh" <<EOF2
static set store location=domain domain=$realm
add filter filterlist="Fleet Telnet" srcaddr=any dstaddr=me protocol=TCP dstport=8080
EOF2
c1=$(count_event 1 4294) c2=$(count_event 2 4294)
t0=$(date +%s%N)
adm -f "$work/change.netsh" >"$work/out" 2>&1 || not_ok "change: $(cat "$work/out")"
i=0
while { [ "$(count_event 1 4294)" = "$c1" ] || [ "$(count_event 2 4294)" = "$c2" ]; } && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
took=$((($(date +%s%N) - t0) / 1000000))
for h in 1 2; do
	if [ "$(verdict $h 8080)" = DROP ] && [ "$(verdict $h 80)" = PASS ]; then
		ok "fleet$h follows the filter added on the admin host by change notification (both in $took ms; poll 3600 s)"
	else
		not_ok "fleet$h after the change: 8080 $(verdict $h 8080): $(events $h | tail -1)"
	fi
	wire $h "8080 to fleet$h is dropped on the wire" drop "$(verdict $h 8080)" PASS \
		-- "${tag}c$h" "$NETPROBE" tcp -p 4102$h -w 700 $S4 8080
done

# --- a refused script changes nothing, in the DC or on the hosts ------------
usn() { dc_ldap ldapsearch -LLL -s base -b "" highestCommittedUSN | sed -n 's/^highestCommittedUSN: //p'; }
dump() { dc_ldap ldapsearch -LLL -o ldif-wrap=no -b "$sbase" '*' uSNChanged; }
cat >"$work/bad.netsh" <<EOF2
static set store location=domain domain=$realm
add filter filterlist="Fleet Telnet" srcaddr=any dstaddr=me protocol=TCP dstport=80
add policy name="Fleet Other"
add rule name=Nope policy="Fleet Web" filterlist=Nope filteraction="Fleet Block"
EOF2
u0=$(usn)
dump >"$work/before"
c1=$(count_event 1 4294) c2=$(count_event 2 4294)
adm -f "$work/bad.netsh" >"$work/out" 2>&1
rc=$?
sleep 2
dump >"$work/after"
if [ $rc -ne 0 ] && grep -q "bad.netsh:4:" "$work/out" && [ "$(usn)" = "$u0" ] &&
	cmp -s "$work/before" "$work/after"; then
	ok "an error at line 4: nothing written to the DC (highestCommittedUSN $u0, the dump identical)"
else
	not_ok "refused script (rc $rc): $(head -2 "$work/out"); usn $u0 -> $(usn); $(diff "$work/before" "$work/after" | head -5)"
fi
for h in 1 2; do
	[ "$(count_event $h 4294)" = "$(eval echo \$c$h)" ] && [ "$(verdict $h 80)" = PASS ] &&
		ok "fleet$h: no new policy, the web still passes" ||
		not_ok "fleet$h after the refused script: 80 $(verdict $h 80): $(events $h | tail -1)"
done

defaults >"$work/defaults.after" 2>&1
if cmp -s "$work/defaults.before" "$work/defaults.after"; then
	ok "Samba's default policies and their objects untouched (uSNChanged too)"
else
	not_ok "Samba's defaults changed: $(diff "$work/defaults.before" "$work/defaults.after" |
		grep '^[<>] \(dn\|ipsecOwnersReference\|ipsecNFAReference\):' | head -12)"
fi

# --- one of Samba's default policies assigned: the hosts cache it beside
# their local store's built-ins, which carry the same well-known GUIDs
mark 1
if adm gpo assign gpo="Fleet Servers" policy="Server (Request Security)" >"$work/out" 2>&1 &&
	wait_event 1 4294 "applied directory policy 'Server (Request Security)'" 8 &&
	srv 1 static show gpoassignedpolicy >"$work/gap" 2>&1 &&
	grep -q "Server (Request Security)" "$work/gap" &&
	printf 'show policy name="Server (Request Security)"\n' | srv 1 -f - >"$work/local" 2>&1 &&
	grep -q "Server (Request Security)" "$work/local"; then
	ok "Samba's 'Server (Request Security)' assigned: the hosts apply it, their local built-in of that name stays"
else
	not_ok "a default policy assigned: $(cat "$work/out"; events 1 | tail -2)"
fi
mark 1
adm gpo assign gpo="Fleet Servers" policy="Fleet Web" >"$work/out" 2>&1
applied 1 "Fleet Web" || not_ok "Fleet Web again: $(cat "$work/out"; events 1 | tail -2)"

# --- the DC stopped: the cached copy in force, named ------------------------
mark 1
dc_stop
if wait_event 1 4296 "the cached copy of domain policy 'Fleet Web' stays in force" 8 &&
	srv 1 show mode >"$work/mode1" 2>&1 &&
	grep -q "^directory: the cached copy of domain policy 'Fleet Web' is in force: " "$work/mode1" &&
	[ "$(verdict 1 8080)" = DROP ]; then
	ok "the DC stopped: 4296 and show mode name the cached copy in force ($(grep '^directory' "$work/mode1" | cut -c1-90)...)"
else
	not_ok "DC stopped: $(events 1 | tail -1; cat "$work/mode1")"
fi

for h in 1 2; do
	p=$(eval echo \$agent${h}_pid)
	kill "$p" 2>/dev/null
	i=0
	while kill -0 "$p" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
done
sanitizers_quiet
echo "# wall time $(($(date +%s) - started)) s"
finish
