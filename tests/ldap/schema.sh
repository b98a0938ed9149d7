#!/bin/sh
# SPDX-License-Identifier: MIT
# dist/ldap's schema in a real slapd: ipsecfw's own policy objects and
# Windows' defaults (Samba's provisioning LDIF) go in with ldapadd, come back
# with ldapsearch and decode to the same bytes and the same store.
# slapd listens only on a unix socket in a temporary directory; it is killed
# by PID and the directory removed at the end, even on failure.
# usage: schema.sh IPSECFW GPIPSEC_LDIF SOURCE-ROOT
set -u
ipsecfw=$1
tool=$2
root=$3
tmp=$(mktemp -d /tmp/ipsecfw-ldap.XXXXXX)
pid=""
n=0
failed=0

cleanup() {
	ldap_stop
	rm -rf "${tmp:?}"
}
trap cleanup EXIT INT TERM

ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() {
	n=$((n + 1)); failed=1; echo "not ok $n - $1"
	[ -f "$tmp/err" ] && sed 's/^/# /' "$tmp/err" | head -20
}
check() { # description, command...
	d=$1; shift
	if "$@" >"$tmp/out" 2>"$tmp/err"; then ok "$d"; else notok "$d"; fi
}
finish() { echo "1..$n"; exit $failed; }

ldap_dir=$tmp
. "$root/tests/ldap/lib.sh"
if missing=$(ldap_programs); then :; else
	notok "$missing is installed (packages slapd and ldap-utils; scripts/deps)"
	finish
fi
container="CN=IP Security,CN=System,$suffix"
check "slapadd -n0 takes a cn=config with dist/ldap/ipsec.ldif" ldap_config
if ldap_start; then ok "slapd listens on its unix socket only"; else
	cp "$tmp/slapd.log" "$tmp/err"; notok "slapd started"; finish
fi
pid=$slapd_pid

add() { ldap_add "$1"; }
search() { # base
	ldapsearch -x -LLL -o ldif-wrap=no -H "$uri" -D "$admin" -w ldap-test-only -b "$1" -s one \
		'(objectClass=ipsecBase)' '*'
}
base_entries "$suffix" example >"$tmp/base.ldif"
check "the domain, CN=System and CN=IP Security (AD's container class)" add "$tmp/base.ldif"

# ipsecfw's own objects: a policy with IPv4, IPv6, a port range, a server
# type, permit and negotiate actions, Kerberos and a preshared key.
cat >"$tmp/policy.netsh" <<'EOF4'
add policy name="Web Server Policy" description="lock-down" pollinginterval=30
add filterlist name=HTTP description="web clients"
add filter filterlist=HTTP srcaddr=any dstaddr=me protocol=TCP dstport=80
add filter filterlist=HTTP srcaddr=2001:db8:: srcmask=32 dstaddr=me protocol=TCP dstport=8000-8080 mirrored=no
add filter filterlist=HTTP srcaddr=DNS dstaddr=me protocol=UDP
add filteraction name=Permit action=permit
add filteraction name=Secure action=negotiate inpass=yes soft=yes qmsecmethods="ESP[3DES,SHA1]:100000k/900s AH[MD5]"
add rule name=HTTP policy="Web Server Policy" filterlist=HTTP filteraction=Permit
add rule name=Secure policy="Web Server Policy" filterlist=HTTP filteraction=Secure psk=key conntype=lan
EOF4
check "a store with ipsecfw's policy" "$ipsecfw" --db "$tmp/orig.db" -f "$tmp/policy.netsh"
check "the store's objects encode as LDIF" sh -c "'$tool' encode '$tmp/orig.db' '$container' >'$tmp/objs.ldif'"
check "ldapadd takes every object" add "$tmp/objs.ldif"
check "ldapsearch gives them back" sh -c "$(command -v ldapsearch) -x -LLL -o ldif-wrap=no -H '$uri' -D '$admin' -w ldap-test-only -b '$container' -s one '(objectClass=ipsecBase)' '*' >'$tmp/back.ldif'"
count=$(grep -c '^dn: ' "$tmp/back.ldif")
if [ "$count" -ge 6 ]; then ok "$count objects came back"; else notok "only $count objects came back"; fi
check "what came back is what went in, byte for byte" "$tool" same "$tmp/objs.ldif" "$tmp/back.ldif"
# a fresh store holds the built-in objects: decode into an emptied one
"$ipsecfw" --db "$tmp/new.db" static delete all
check "it decodes into a new store" "$tool" decode "$tmp/back.ldif" "$tmp/new.db"
"$ipsecfw" --db "$tmp/orig.db" static show all >"$tmp/orig.txt" 2>&1
"$ipsecfw" --db "$tmp/new.db" static show all >"$tmp/new.txt" 2>&1
if grep -q "Web Server Policy" "$tmp/new.txt" && grep -q "2001:db8::" "$tmp/new.txt"; then
	ok "the new store has the policy and its IPv6 filter"
else
	cp "$tmp/new.txt" "$tmp/err"; notok "the new store has the policy and its IPv6 filter"
fi
check "and shows it exactly as the original store does" sh -c "diff -u '$tmp/orig.txt' '$tmp/new.txt' >&2"

# Windows' defaults, as Samba provisions them, under a domain of their own.
prov=/usr/share/samba/setup/provision.ldif
if [ -r "$prov" ]; then
	sdom="DC=samba,$suffix"
	base_entries "$sdom" samba >"$tmp/sbase.ldif"
	sed "s/\${DOMAINDN}/$sdom/g" "$prov" >"$tmp/provision.ldif"
	check "Samba's IPSec objects relay as LDIF" sh -c "'$tool' relay '$tmp/provision.ldif' >'$tmp/samba.ldif'"
	check "ldapadd takes Windows' default objects" sh -c "$(command -v ldapadd) -x -H '$uri' -D '$admin' -w ldap-test-only -f '$tmp/sbase.ldif' && $(command -v ldapadd) -x -H '$uri' -D '$admin' -w ldap-test-only -f '$tmp/samba.ldif'"
	check "ldapsearch gives them back" sh -c "$(command -v ldapsearch) -x -LLL -o ldif-wrap=no -H '$uri' -D '$admin' -w ldap-test-only -b 'CN=IP Security,CN=System,$sdom' -s one '(objectClass=ipsecBase)' '*' >'$tmp/sback.ldif'"
	check "byte for byte" "$tool" same "$tmp/samba.ldif" "$tmp/sback.ldif"
	"$ipsecfw" --db "$tmp/samba.db" static delete all
	check "Windows' defaults decode into a store" "$tool" decode "$tmp/sback.ldif" "$tmp/samba.db"
	# ...and compile to the same table as ipsecfw's built-ins (SPEC §15): the
	# same entries, weights and verdicts, whatever ids and creation order the
	# stores gave them (the low half of prio is only the creation tie-break).
	table() { # DB POLICY
		"$ipsecfw" --db "$1" static set policy name="$2" assign=yes &&
			"$ipsecfw" --db "$1" --facts "$root/examples/webserver.facts" show table |
			grep -v '^ipsecfw:' | cut -f2- | sed -e 's/^\(.*\)filter [0-9]*/\1filter N/' -e 's/\(prio=[0-9a-f]\{8\}\)[0-9a-f]*/\1/' | sort
	}
	for pol in "Client (Respond Only)" "Server (Request Security)" "Secure Server (Require Security)"; do
		table "$tmp/builtin.db" "$pol" >"$tmp/t.builtin" 2>&1
		table "$tmp/samba.db" "$pol" >"$tmp/t.samba" 2>&1
		if [ -s "$tmp/t.builtin" ] && diff -u "$tmp/t.builtin" "$tmp/t.samba" >"$tmp/err"; then
			ok "$pol from Samba compiles to the built-in's table"
		else
			notok "$pol from Samba compiles to the built-in's table"
		fi
	done
else
	notok "$prov is installed (package samba-ad-provision; scripts/deps)"
fi

# slapd never listened on a network socket.
if command -v ss >/dev/null 2>&1; then
	if ss -ltnp 2>/dev/null | grep -q "pid=$pid,"; then notok "slapd listens on TCP"; else ok "slapd has no TCP listener"; fi
fi
finish
