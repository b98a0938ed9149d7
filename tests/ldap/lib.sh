# SPDX-License-Identifier: MIT
# lib.sh - a real slapd for the ldap tests (sourced): a temporary cn=config
# with core and dist/ldap's schemas, one mdb database under $suffix, and
# only a unix socket (no network listener). Unix sockets are not
# network-namespaced, so agents in test namespaces reach it too.
# Needs: ldap_dir (a private temporary folder), root (the source tree).
# Optional, read by ldap_config and ldap_start: ldap_modules (more modules
# to load, e.g. syncprov), ldap_global (more LDIF lines for cn=config, e.g.
# TLS), ldap_db_extra (more LDIF after the database: overlays, or lines of
# the database entry when it starts without a blank line), ldap_listen (more
# URLs to listen on) and ldap_ns (a network namespace to run slapd in).
# ldap_use DIR switches to another instance (a replica).
. "$root/tests/lib/pid.sh"

suffix="DC=example,DC=com"
admin="CN=admin,$suffix"
ldap_pw=ldap-test-only
slapd_pid=""
ldap_pids="" # every slapd started, for ldap_stop_all

# The programs, from /usr/sbin too; prints the one missing.
ldap_programs() {
	for p in slapd slapadd ldapadd ldapsearch ldapmodify; do
		command -v "$p" >/dev/null 2>&1 || PATH=$PATH:/usr/sbin
		command -v "$p" >/dev/null 2>&1 || { echo "$p"; return 1; }
	done
}

# ldap_config [EXTRA-LDIF...]: slapadd -n0 of the cn=config, with
# dist/ldap/ipsec.ldif and any further schema LDIF files.
ldap_config() {
	mkdir -p "$ldap_dir/slapd.d" "$ldap_dir/db"
	chmod 700 "$ldap_dir"
	{
		cat <<EOF2
dn: cn=config
objectClass: olcGlobal
cn: config
olcPidFile: $ldap_dir/slapd.pid
EOF2
		[ -z "${ldap_global:-}" ] || printf '%s\n' "$ldap_global"
		cat <<EOF2

dn: cn=module{0},cn=config
objectClass: olcModuleList
cn: module{0}
olcModulePath: /usr/lib/ldap
olcModuleLoad: back_mdb
EOF2
		for m in ${ldap_modules:-}; do echo "olcModuleLoad: $m"; done
		cat <<EOF2

dn: cn=schema,cn=config
objectClass: olcSchemaConfig
cn: schema

include: file:///etc/ldap/schema/core.ldif

include: file://$root/dist/ldap/ipsec.ldif

EOF2
		for x in "$@"; do printf 'include: file://%s\n\n' "$x"; done
		cat <<EOF2
dn: olcDatabase={-1}frontend,cn=config
objectClass: olcDatabaseConfig
objectClass: olcFrontendConfig
olcDatabase: {-1}frontend

dn: olcDatabase={0}config,cn=config
objectClass: olcDatabaseConfig
olcDatabase: {0}config
olcAccess: {0}to * by * none

dn: olcDatabase={1}mdb,cn=config
objectClass: olcDatabaseConfig
objectClass: olcMdbConfig
olcDatabase: {1}mdb
olcSuffix: $suffix
olcRootDN: $admin
olcRootPW: $ldap_pw
olcDbDirectory: $ldap_dir/db
olcDbMaxSize: 67108864
EOF2
		[ -z "${ldap_db_extra:-}" ] || printf '%s\n' "$ldap_db_extra"
	} >"$ldap_dir/config.ldif"
	slapadd -n0 -F "$ldap_dir/slapd.d" -l "$ldap_dir/config.ldif"
}

ldap_use() {
	ldap_dir=$1
	sock="$ldap_dir/ldapi"
	uri="ldapi://$(printf '%s' "$sock" | sed 's|/|%2F|g')"
}
ldap_use "$ldap_dir"

# Starts slapd on the socket and waits (5 s at most) until it answers.
ldap_start() {
	${ldap_ns:+ip netns exec "$ldap_ns"} slapd -d 0 -h "$uri ${ldap_listen:-}" \
		-F "$ldap_dir/slapd.d" >>"$ldap_dir/slapd.log" 2>&1 &
	slapd_pid=$!
	ldap_pids="$ldap_pids $slapd_pid"
	i=0
	# the socket appears before slapd answers on it: wait for an answer
	while ! ldapsearch -x -LLL -H "$uri" -s base -b "" 1.1 >/dev/null 2>&1 && [ $i -lt 50 ] &&
		kill -0 "$slapd_pid" 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
	[ -S "$sock" ] && kill -0 "$slapd_pid" 2>/dev/null
}

# Stops the slapd we started, by PID.
ldap_stop() {
	stop_pid "$slapd_pid"
	slapd_pid=""
}

# Stops every slapd this test started.
ldap_stop_all() {
	for slapd_pid in $ldap_pids; do ldap_stop; done
}

ldap_add() { ldapadd -x -H "$uri" -D "$admin" -w "$ldap_pw" -f "$1"; }
ldap_modify() { ldapmodify -x -H "$uri" -D "$admin" -w "$ldap_pw" -f "$1"; }

# base_entries DOMAIN-DN O: the domain, CN=System and CN=IP Security.
base_entries() {
	cat <<EOF3
dn: $1
objectClass: organization
objectClass: dcObject
objectClass: extensibleObject
o: $2

dn: CN=System,$1
objectClass: container
cn: System

dn: CN=IP Security,CN=System,$1
objectClass: container
cn: IP Security

EOF3
}

# gpo DN POLICY-DN POLICY-NAME: a GPO and its machine IPSEC assignment
gpo() {
	cat <<EOF2
dn: $1
objectClass: groupPolicyContainer
gPCMachineExtensionNames: [{E437BC1C-AA7D-11D2-A382-00C04F991E27}{DEA8AFA0-CC85-11D0-9CE2-0080C7E9D9A5}]

dn: CN=Machine,$1
objectClass: container

dn: CN=Microsoft,CN=Machine,$1
objectClass: container

dn: CN=Windows,CN=Microsoft,CN=Machine,$1
objectClass: container

dn: CN=IPSEC,CN=Windows,CN=Microsoft,CN=Machine,$1
objectClass: ipsecPolicy
cn: IPSEC
ipsecOwnersReference: $2
ipsecName: $3

EOF2
}

# The syncprov overlay (RFC 4533) on the database: ldap_modules=syncprov
# and this in ldap_db_extra.
syncprov_db='olcDbIndex: entryCSN,entryUUID eq

dn: olcOverlay={0}syncprov,olcDatabase={1}mdb,cn=config
objectClass: olcOverlayConfig
objectClass: olcSyncProvConfig
olcOverlay: {0}syncprov'

# servers_ou GPO-DN: OU=Servers, linked to that GPO, and the computer web1 in it.
servers_ou() {
	cat <<EOF3
dn: OU=Servers,$suffix
objectClass: organizationalUnit
objectClass: extensibleObject
ou: Servers
gPLink: [LDAP://$1;0]

dn: CN=web1,OU=Servers,$suffix
objectClass: computer

EOF3
}
