# SPDX-License-Identifier: MIT
# tree.sh - the directory the domain tests share (sourced after
# e2e/lib.sh and ldap/lib.sh; needs IPSECFW, tool (gpipsec_ldif), work):
# three policies the encoder wrote (Domain Baseline: TCP 80 blocked; Web
# Lockdown: 23; Web Lockdown 2: 23 and 8080), two GPOs (the domain's
# assigning the first, OU=Servers' the second) and web1 in OU=Servers.
finish() { echo "1..$n"; exit $((failed > 0)); }
# ldap_require [PROGRAM...]: slapd, ldap-utils and these, or the test ends
ldap_require() {
	if missing=$(ldap_programs); then :; else
		not_ok "$missing is installed (packages slapd and ldap-utils; scripts/deps)"
		finish
	fi
	for p in "$@"; do
		command -v "$p" >/dev/null 2>&1 || { not_ok "$p is installed (scripts/deps)"; finish; }
	done
}

container="CN=IP Security,CN=System,$suffix"
gpo_d="CN={31B2F340-016D-11D2-945F-00C04FB984F9},CN=Policies,CN=System,$suffix"
gpo_o="CN={6AC1786C-016F-11D2-945F-00C04FB984F9},CN=Policies,CN=System,$suffix"

# dn_of CLASS NAME: the DN of the object of that class and ipsecName
dn_of() {
	awk -v cls="$1" -v want="$2" '
		/^dn: / { dn = substr($0, 5) } /^ipsecName: / { name = substr($0, 12) }
		$0 == "objectClass: " cls { is = 1 }
		/^$/ { if (is && name == want) print dn; is = 0; name = "" }' "$work/objs.ldif"
}

# The policies as directory objects in $work/objs.ldif; their DNs in
# baseline, lockdown, lockdown2 and alt (the 8080 filter list).
tree_encode() {
	cat >"$work/policies.netsh" <<'EOF2'
add policy name="Domain Baseline" description="every host"
add policy name="Web Lockdown" description="web servers"
add policy name="Web Lockdown 2" description="web servers, tighter"
add filterlist name=Web
add filter filterlist=Web srcaddr=any dstaddr=me protocol=TCP dstport=80
add filterlist name=Telnet
add filter filterlist=Telnet srcaddr=any dstaddr=me protocol=TCP dstport=23
add filterlist name=Alt
add filter filterlist=Alt srcaddr=any dstaddr=me protocol=TCP dstport=8080
add filteraction name=Block action=block
add rule name=NoWeb policy="Domain Baseline" filterlist=Web filteraction=Block
add rule name=NoTelnet policy="Web Lockdown" filterlist=Telnet filteraction=Block
add rule name=NoTelnet policy="Web Lockdown 2" filterlist=Telnet filteraction=Block
add rule name=NoAlt policy="Web Lockdown 2" filterlist=Alt filteraction=Block
EOF2
	pdb=$work/policies.db
	IPSECFW_KERNEL=off "$IPSECFW" --db "$pdb" static delete all >/dev/null 2>&1
	IPSECFW_KERNEL=off "$IPSECFW" --db "$pdb" -f "$work/policies.netsh" >"$work/out" 2>&1 &&
		"$tool" encode "$pdb" "$container" >"$work/objs.ldif" 2>"$work/out" || return 1
	baseline=$(dn_of ipsecPolicy "Domain Baseline")
	lockdown=$(dn_of ipsecPolicy "Web Lockdown")
	lockdown2=$(dn_of ipsecPolicy "Web Lockdown 2")
	alt=$(dn_of ipsecFilter Alt)
}

# The tree, the policies and the domain's link into the directory at $uri.
tree_load() {
	{
		base_entries "$suffix" example
		cat <<EOF2
dn: CN=Policies,CN=System,$suffix
objectClass: container

EOF2
		gpo "$gpo_d" "$baseline" "Domain Baseline"
		gpo "$gpo_o" "$lockdown" "Web Lockdown"
		servers_ou "$gpo_o"
	} >"$work/tree.ldif"
	cat >"$work/link.ldif" <<EOF2
dn: $suffix
changetype: modify
add: gPLink
gPLink: [LDAP://$gpo_d;0]
EOF2
	ldap_add "$work/tree.ldif" >"$work/out" 2>&1 && ldap_add "$work/objs.ldif" >>"$work/out" 2>&1 &&
		ldap_modify "$work/link.ldif" >>"$work/out" 2>&1
}

# assign POLICY-DN: the OU's GPO assigns that policy (an LDIF to modify)
assign_ldif() {
	cat <<EOF2
dn: CN=IPSEC,CN=Windows,CN=Microsoft,CN=Machine,$gpo_o
changetype: modify
replace: ipsecOwnersReference
ipsecOwnersReference: $1

EOF2
}

# --- what the agents say and do (agent 1 unless evlog or the ID says) ---
evlog=$work/log1/events.log
# wait_event ID PATTERN [SECONDS]: an event of that id whose line matches
wait_event() {
	i=0
	while [ $i -lt $((${3:-5} * 10)) ]; do
		grep "\"id\":$1[,}]" "$evlog" 2>/dev/null | grep -qi -- "$2" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
count_event() { grep -c "\"id\":$1[,}]" "$evlog" 2>/dev/null; }
# verdict PORT [ID]: what ipsecfw test says of a web client's SYN to that port
verdict() { ref "${2:-1}" in tcp 192.0.2.20:40000 $S4:$1; }

# domain_conf FILE URI [LINE...]: a domain.conf for web1, simple bind as
# the admin with the password in $work/pw (0600)
domain_conf() {
	f=$1 u=$2
	shift 2
	printf '%s\n' "$ldap_pw" >"$work/pw"
	chmod 600 "$work/pw"
	{
		printf 'uri = %s\nbase = %s\nhostname = web1\nbind = simple\n' "$u" "$suffix"
		printf 'binddn = %s\npasswordfile = %s\n' "$admin" "$work/pw"
		for l in "$@"; do printf '%s\n' "$l"; done
	} >"$f"
}

# host_store ID: server ID gets a store (the agent never creates one)
# with a local policy that is never assigned
host_store() {
	IPSECFW_KERNEL=off srv "$1" static add policy name="Local" description="never assigned" \
		>/dev/null 2>&1
}

# sanitizers_quiet: the agents' stderr holds no sanitizer report (ASan
# builds: a leak is reported when an agent exits)
sanitizers_quiet() {
	if cat "$work"/agent*.err 2>/dev/null | grep -q "Sanitizer\|runtime error:"; then
		not_ok "a sanitizer report: $(cat "$work"/agent*.err | grep -m3 "Sanitizer\|runtime error:\|#[0-9] ")"
	else
		ok "no sanitizer report from the agents"
	fi
}

applied() { # POLICY [ID]: agent ID's last directory 4294 names POLICY
	grep '"id":4294,' "$work/log${2:-1}/events.log" 2>/dev/null | grep '"source":"directory"' |
		tail -1 | grep -q "policy '$1'"
}
# until SECONDS COMMAND...: waits for COMMAND to succeed; ms in $took
until_ok() {
	lim=$(($1 * 10))
	shift
	i=0
	while ! "$@" && [ $i -lt $lim ]; do sleep 0.1; i=$((i + 1)); done
	took=$((i * 100))
	"$@"
}

# assign POLICY-DN: the OU's GPO assigns that policy now (at $uri)
assign() {
	assign_ldif "$1" >"$work/assign.ldif"
	ldap_modify "$work/assign.ldif" >"$work/out" 2>&1 || not_ok "ldapmodify: $(cat "$work/out")"
}
in_force_8080() { applied "Web Lockdown 2" && [ "$(verdict 8080)" = DROP ]; }
# agent_stop [SIGNAL]: stops agent_pid (TERM; USR2 hands the rules over)
# and waits for it, 5 s at most
agent_stop() {
	kill -"${1:-TERM}" "$agent_pid" 2>/dev/null
	i=0
	while kill -0 "$agent_pid" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
}
