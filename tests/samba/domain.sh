#!/bin/sh
# SPDX-License-Identifier: MIT
# domain.sh - the domain store against a real Samba AD DC (TAP): samba-tool
# provisions a domain and samba serves it in a network namespace of its own;
# the policies, written by ipsecfw's encoder, go into CN=IP Security, and
# GPOs linked to the domain and to an OU assign them. Host 1 (web1, in the
# OU) binds with SASL GSSAPI and its machine keytab, host 2 (web2, in
# CN=Computers) with a simple bind over LDAPS checked against Samba's own
# CA. The OU's GPO wins over the domain's; an enforced link, blocked
# inheritance and a disabled link behave per MS-GPOL; a change written to
# Samba reaches host 1 within seconds by AD change notification (its poll
# is an hour); with the DC stopped the cached copy stays in force.
# Verdicts are checked with ipsecfw test and real traffic.
#
#   domain.sh IPSECFW IPSECFWD NETPROBE GPIPSEC_LDIF SRCROOT
set -u
IPSECFW=$1 IPSECFWD=$2 NETPROBE=$3 tool=$4 SRC=$5

. "$SRC/tests/e2e/lib.sh"
# the DC, the ldap tests' three policies (tree_encode: Domain Baseline
# blocks TCP 80; Web Lockdown 23; Web Lockdown 2 23 and 8080) under
# Samba's domain, the hosts
. "$SRC/tests/samba/hosts.sh"

samba_start

# --- the directory: an OU, two computers, a reader, the policies ----------
if dc_tool ou add "OU=Servers" >"$work/out" 2>&1 &&
	dc_tool computer add web1 --computerou="OU=Servers" >>"$work/out" 2>&1 &&
	dc_tool computer add web2 >>"$work/out" 2>&1 &&
	dc_tool user create ipsecreader 'Reader-test-only1!' >>"$work/out" 2>&1; then
	ok "samba-tool: OU=Servers, web1 in it, web2 in CN=Computers, a reader"
else
	not_ok "samba-tool: $(tail -3 "$work/out")"
fi

# the objects in CN=IP Security inherit their ACL from it (ipsecPolicy's
# default descriptor is empty), and its own grant to Authenticated Users
# is not inherited: let the computers read the policies
if dc_tool dsacl set --objectdn="$container" --sddl="(A;CI;RPLCLORC;;;AU)" >"$work/out" 2>&1; then
	ok "samba-tool dsacl: Authenticated Users (the computers) read what CN=IP Security holds"
else
	not_ok "dsacl: $(tail -3 "$work/out")"
fi
tree_encode || not_ok "encode: $(cat "$work/out")"
# AD checks that a DN value names an object: the objects first, then the
# references among them
awk '/^ipsec[A-Za-z]*Reference: / { next } { print }' "$work/objs.ldif" >"$work/objs-add.ldif"
awk '/^dn: / { dn = $0 } /^ipsec[A-Za-z]*Reference: / {
		split($0, kv, ": "); print dn; print "changetype: modify"; print "add: " kv[1]
		print $0; print "" }' "$work/objs.ldif" >"$work/objs-ref.ldif"
if dc_ldap ldapadd -f "$work/objs-add.ldif" >"$work/out" 2>&1 &&
	dc_ldap ldapmodify -f "$work/objs-ref.ldif" >>"$work/out" 2>&1; then
	ok "ldapadd over LDAPS: $(grep -c '^dn: ' "$work/objs-add.ldif") objects of three policies in $container"
else
	not_ok "ldapadd: $(tail -3 "$work/out")"
fi

# --- the GPOs: the directory part of a GPO, linked with samba-tool -------
guid_d="{0C4D8E9A-1B2C-4D3E-8F60-71A2B3C4D5E6}"
guid_o="{5E6F7A8B-9C0D-4E1F-A2B3-C4D5E6F7A8B9}"
gpo_dn() { echo "CN=$1,CN=Policies,CN=System,$sbase"; }
gpo() { # GUID DISPLAY-NAME POLICY-DN: a GPO whose computer part assigns the policy
	d=$(gpo_dn "$1")
	cat <<EOF2
dn: $d
objectClass: groupPolicyContainer
displayName: $2
gPCFileSysPath: \\\\samba.example.com\\sysvol\\samba.example.com\\Policies\\$1
gPCFunctionalityVersion: 2
versionNumber: 1
flags: 0
gPCMachineExtensionNames: [{E437BC1C-AA7D-11D2-A382-00C04F991E27}{DEA8AFA0-CC85-11D0-9CE2-0080C7E9D9A5}]

dn: CN=Machine,$d
objectClass: container

dn: CN=User,$d
objectClass: container

dn: CN=Microsoft,CN=Machine,$d
objectClass: container

dn: CN=Windows,CN=Microsoft,CN=Machine,$d
objectClass: container

dn: CN=IPSEC,CN=Windows,CN=Microsoft,CN=Machine,$d
objectClass: ipsecPolicy
ipsecName: $2
ipsecOwnersReference: $3

EOF2
}
{ gpo "$guid_d" "IPSec Domain" "$baseline"; gpo "$guid_o" "IPSec Servers" "$lockdown"; } >"$work/gpos.ldif"
if dc_ldap ldapadd -f "$work/gpos.ldif" >"$work/out" 2>&1 &&
	dc_tool gpo setlink "$sbase" "$guid_d" >>"$work/out" 2>&1 &&
	dc_tool gpo setlink "OU=Servers,$sbase" "$guid_o" >>"$work/out" 2>&1; then
	ok "two GPOs assigning policies, linked to the domain and to OU=Servers (samba-tool gpo setlink)"
else
	not_ok "GPOs: $(tail -3 "$work/out")"
fi

# --- the hosts' credentials --------------------------------------------
samba_krb5_conf
if machine_keytab web1 'Web1-machine-test-only!'; then
	ok "samba-tool domain exportkeytab: web1's machine keytab"
else
	not_ok "exportkeytab: $(tail -3 "$work/out")"
fi
printf 'Reader-test-only1!\n' >"$work/etc/reader.pw"
chmod 600 "$work/etc/reader.pw"
cp "$dc_dir/private/tls/ca.pem" "$work/etc/ca.pem"

# --- host 1: web1, GSSAPI, notification only (poll: an hour) ---------------
C=${tag}c1 S=${tag}s1
host 1 203.0.113.21 80 23 8080
gssapi_conf web1
chmod 644 "$work/etc/web1.keytab"
if ip netns exec "$S" timeout 10 "$IPSECFWD" --no-journal --db "$work/db1" --run-dir "$work/run1" \
	--log-dir "$work/log1" --domain-conf "$work/web1.conf" >"$work/out" 2>&1; then
	not_ok "the agent started with a keytab of mode 0644"
elif grep -q "keytab.*refused" "$work/out"; then
	ok "a keytab of mode 0644 is refused: $(tail -1 "$work/out")"
else
	not_ok "keytab mode: $(cat "$work/out")"
fi
chmod 600 "$work/etc/web1.keytab"

agent 1 --domain-conf "$work/web1.conf"
web1_pid=$agent_pid
if applied 1 "Web Lockdown"; then
	ok "web1 bound with GSSAPI (its keytab) and applied the OU's policy (4294)"
else
	not_ok "no 4294 on web1: $(events 1 | tail -3; tail -3 "$work/agent1.err")"
fi
[ "$(verdict 1 23)" = DROP ] && [ "$(verdict 1 80)" = PASS ] &&
	ok "ipsecfw test: the OU's GPO wins over the domain's (telnet dropped, web passes)" ||
	not_ok "verdicts: 23 $(verdict 1 23), 80 $(verdict 1 80)"
wire 1 "telnet to web1 is dropped on the wire" drop "$(verdict 1 23)" PASS \
	-- "$C" "$NETPROBE" tcp -p 40002 -w 700 $S4 23
wire 1 "the web passes" pass "$(ref 1 in tcp 192.0.2.20:40003 $S4:80)" \
	"$(ref 1 out tcp $S4:80 192.0.2.20:40003)" -- "$C" "$NETPROBE" tcp -p 40003 -w 700 $S4 80

# --- a change written to Samba, told by change notification ----------------
# change LDIF-TEXT: applies it as Administrator; $t0 is when
change() {
	printf '%s\n' "$1" >"$work/change.ldif"
	mark 1
	t0=$(date +%s%N)
	dc_ldap ldapmodify -f "$work/change.ldif" >"$work/out" 2>&1 || not_ok "ldapmodify: $(cat "$work/out")"
}
took() { echo "$((($(date +%s%N) - t0) / 1000000)) ms"; }
quiet() { "$@" >"$work/out" 2>&1; }
# in_force HOST POLICY PORT VERDICT WHAT: a new 4294 of POLICY, and what
# ipsecfw test says of a web client's SYN to PORT
in_force() {
	if applied "$1" "$2" && [ "$(verdict "$1" "$3")" = "$4" ]; then
		ok "$5 ($(took))"
	else
		not_ok "$5: $3 $(verdict "$1" "$3"): $(events "$1" | tail -1)"
	fi
}
# after_4294 CMD...: runs it, then waits (8 s at most) for web1's next 4294
after_4294() {
	before=$(count_event 1 4294)
	t0=$(date +%s%N)
	"$@"
	i=0
	while [ "$(count_event 1 4294)" = "$before" ] && [ $i -lt 80 ]; do sleep 0.1; i=$((i + 1)); done
}
change "dn: CN=IPSEC,CN=Windows,CN=Microsoft,CN=Machine,$(gpo_dn "$guid_o")
changetype: modify
replace: ipsecOwnersReference
ipsecOwnersReference: $lockdown2"
in_force 1 "Web Lockdown 2" 8080 DROP "a new assignment in the OU's GPO is in force after the write (notification; poll 3600 s)"
wire 1 "8080 is dropped on the wire" drop DROP PASS -- "$C" "$NETPROBE" tcp -p 40004 -w 700 $S4 8080

# relink DN GUID [OPTION]: a link's options anew (samba-tool's setlink
# refuses a GPO linked already)
relink() {
	mark 1
	t0=$(date +%s%N)
	dc_tool gpo dellink "$1" "$2" >"$work/out" 2>&1 &&
		dc_tool gpo setlink "$1" "$2" ${3:-} >>"$work/out" 2>&1 || not_ok "relink: $(cat "$work/out")"
}
# MS-GPOL: an enforced domain link wins over the OU's
relink "$sbase" "$guid_d" --enforce
if applied 1 "Domain Baseline" && [ "$(verdict 1 80)" = DROP ] && [ "$(verdict 1 23)" = PASS ]; then
	ok "the domain's link enforced: its policy wins over the OU's ($(took))"
else
	not_ok "enforced link: 80 $(verdict 1 80), 23 $(verdict 1 23): $(events 1 | tail -1)"
fi
# blocked inheritance on the OU ignores the domain's links, unless enforced
change "dn: OU=Servers,$sbase
changetype: modify
replace: gPOptions
gPOptions: 1"
sleep 1.5
[ "$(verdict 1 80)" = DROP ] && ok "OU=Servers blocks inheritance: the enforced domain link still wins" ||
	not_ok "blocked inheritance overrode an enforced link: 80 $(verdict 1 80)"
after_4294 relink "$sbase" "$guid_d"
if [ "$(verdict 1 8080)" = DROP ] && [ "$(verdict 1 80)" = PASS ]; then
	ok "not enforced any more: the OU's GPO again, the domain's blocked ($(took))"
else
	not_ok "unenforced: 8080 $(verdict 1 8080), 80 $(verdict 1 80): $(events 1 | tail -1)"
fi
# the OU's link disabled: nothing assigns a policy (the domain's is blocked)
relink "OU=Servers,$sbase" "$guid_o" --disable
if wait_event 1 4294 "assigns no IPSec policy" 8 && [ "$(verdict 1 23)" = PASS ]; then
	ok "the OU's link disabled: no GPO assigns a policy, the local store's applies ($(took))"
else
	not_ok "disabled link: 23 $(verdict 1 23): $(events 1 | tail -1)"
fi
# back: the link enabled, inheritance allowed, the GPO's computer part disabled
change "dn: OU=Servers,$sbase
changetype: modify
replace: gPOptions
gPOptions: 0
-
replace: gPLink
gPLink: [LDAP://$(gpo_dn "$guid_o");0]

dn: $(gpo_dn "$guid_o")
changetype: modify
replace: flags
flags: 2"
in_force 1 "Domain Baseline" 80 DROP "the OU's GPO with its computer part disabled: the domain's applies"
change "dn: $(gpo_dn "$guid_o")
changetype: modify
replace: flags
flags: 0"
in_force 1 "Web Lockdown 2" 8080 DROP "the GPO's computer part enabled again: the OU's policy"
# two GPOs linked to one OU: the first listed wins (setlink puts a new link first)
after_4294 quiet dc_tool gpo setlink "OU=Servers,$sbase" "$guid_d"
if events 1 | tail -1 | grep -q "policy 'Domain Baseline'" && [ "$(verdict 1 80)" = DROP ]; then
	ok "the domain's GPO linked to OU=Servers too, first: it wins there ($(took))"
else
	not_ok "link order: 80 $(verdict 1 80): $(events 1 | tail -1)"
fi
after_4294 quiet dc_tool gpo dellink "OU=Servers,$sbase" "$guid_d"

# --- host 2: web2, a simple bind over LDAPS with Samba's CA -----------------
C2=${tag}c2
host 2 203.0.113.22 80
ldaps_conf web2 "CN=ipsecreader,CN=Users,$sbase" "$work/etc/reader.pw"
mark=0
agent 2 --domain-conf "$work/web2.conf"
if applied 2 "Domain Baseline" && [ "$(verdict 2 80)" = DROP ]; then
	ok "web2 (CN=Computers) over LDAPS, Samba's CA verified: the domain's policy"
else
	not_ok "web2: $(events 2 | tail -2; tail -2 "$work/agent2.err")"
fi
wire 2 "the web to web2 is dropped on the wire" drop "$(verdict 2 80)" PASS \
	-- "$C2" "$NETPROBE" tcp -p 40010 -w 700 $S4 80
# GSSAPI over LDAPS (web2's own keytab): no SASL layer over TLS, as AD
# wants; Samba 4.17 refuses GSSAPI over TLS (it demands sign or seal, and
# refuses them over TLS): a 4295 saying so, and the cached copy stays
kill "$agent_pid" 2>/dev/null
wait "$agent_pid" 2>/dev/null
machine_keytab web2 'Web2-machine-test-only!' || not_ok "web2's keytab: $(tail -2 "$work/out")"
sed -e '/^binddn\|^passwordfile/d' -e 's/^bind = simple/bind = gssapi/' "$work/web2.conf" >"$work/web2g.conf"
echo "keytab = $work/etc/web2.keytab" >>"$work/web2g.conf"
mark 2
agent 2 --domain-conf "$work/web2g.conf"
if wait_event 2 4295 "ldaps://.*bind: Strong(er) authentication required" 8 &&
	[ "$(verdict 2 80)" = DROP ]; then
	ok "web2 with GSSAPI over LDAPS: Samba's refusal named (4295), the cached copy stays"
else
	not_ok "gssapi over ldaps: $(events 2 | tail -2; tail -2 "$work/agent2.err")"
fi
# a CA that did not sign the DC's certificate: no server answers
openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=other -days 1 -keyout "$work/other.key" \
	-out "$work/etc/other.pem" >/dev/null 2>&1
sed "s|^cafile = .*|cafile = $work/etc/other.pem|" "$work/web2.conf" >"$work/web2b.conf"
kill "$agent_pid" 2>/dev/null
wait "$agent_pid" 2>/dev/null
mark 2
agent 2 --domain-conf "$work/web2b.conf"
if wait_event 2 4295 "TLS refused" 8 && [ "$(verdict 2 80)" = DROP ]; then
	ok "another CA: the DC's certificate is refused (4295), the cached copy stays"
else
	not_ok "other CA: $(events 2 | tail -2)"
fi
kill "$agent_pid" 2>/dev/null

# --- the DC stopped: the cached copy stays in force -------------------------
before=$(count_event 1 4296)
dc_stop
i=0
while [ "$(count_event 1 4296)" = "$before" ] && [ $i -lt 80 ]; do sleep 0.1; i=$((i + 1)); done
if [ "$(count_event 1 4296)" != "$before" ]; then
	ok "the DC stopped: web1 noticed at once (the watch was lost) and keeps the cached copy (4296)"
else
	not_ok "no 4296 after the DC stopped: $(events 1 | tail -2)"
fi
wire 1 "8080 still dropped without the DC" drop "$(verdict 1 8080)" PASS \
	-- "$C" "$NETPROBE" tcp -p 40005 -w 700 $S4 8080
kill "$web1_pid" 2>/dev/null
i=0
while kill -0 "$web1_pid" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
sanitizers_quiet
echo "# wall time $(($(date +%s) - started)) s"
finish
