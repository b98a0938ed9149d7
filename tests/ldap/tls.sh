#!/bin/sh
# SPDX-License-Identifier: MIT
# tls.sh - the agent reaches the directory over TLS only (TAP): slapd in
# a client namespace serving ldaps:// and StartTLS on 192.0.2.20 with a
# certificate made now (openssl) by a CA of the test; the agent in the
# server namespace, across the veth pair. The right CA works (ldaps://
# and StartTLS); a wrong CA, a name the certificate does not hold and a
# server that cannot start TLS are refused with event 4295 naming the
# server and the reason, never the password, and nothing goes in clear.
# With syncprov, a change is followed over the ldaps:// session too.
#
#   tls.sh IPSECFW IPSECFWD NETPROBE GPIPSEC_LDIF SRCROOT
set -u
IPSECFW=$1 IPSECFWD=$2 NETPROBE=$3 tool=$4 SRC=$5 root=$5

. "$SRC/tests/e2e/lib.sh"
ldap_dir=$work/tls
. "$SRC/tests/ldap/lib.sh"
. "$SRC/tests/ldap/tree.sh"
tls_pid="" plain_pid=""
trap 'ldap_stop_all; cleanup' EXIT INT TERM

ldap_require openssl

# --- certificates: CA 1 signs the server's (192.0.2.20), CA 2 is another --
pki=$work/pki
mkdir -p "$pki"
ca() { # NAME
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
		-subj "/CN=ipsecfw test $1" -keyout "$pki/$1.key" -out "$pki/$1.pem"
}
printf 'subjectAltName=IP:192.0.2.20,DNS:ldap.example.com\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' \
	>"$pki/ext"
if { ca ca1 && ca ca2 &&
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=ldap.example.com" \
		-keyout "$pki/server.key" -out "$pki/server.csr" &&
	openssl x509 -req -in "$pki/server.csr" -CA "$pki/ca1.pem" -CAkey "$pki/ca1.key" \
		-CAcreateserial -days 2 -extfile "$pki/ext" -out "$pki/server.pem"; } >"$work/out" 2>&1; then
	ok "a CA, another CA and the server's certificate (IP 192.0.2.20) made with openssl"
else
	not_ok "openssl: $(tail -3 "$work/out")"
	finish
fi
chmod 600 "$pki"/*.key

# --- slapd in the client namespace: ldaps:// and StartTLS ---------------------
C=${tag}c1 S=${tag}s1
make_pair 1
host_store 1
ldap_ns=$C
ldap_modules=syncprov ldap_db_extra=$syncprov_db
ldap_listen="ldaps:/// ldap:///"
ldap_global="olcTLSCACertificateFile: $pki/ca1.pem
olcTLSCertificateFile: $pki/server.pem
olcTLSCertificateKeyFile: $pki/server.key"
if ldap_config "$SRC/dist/ldap/gpo.ldif" >"$work/slapadd.log" 2>&1 && ldap_start; then
	tls_pid=$slapd_pid
	ok "slapd with TLS on 192.0.2.20 (ldaps:// and ldap:// with StartTLS)"
else
	not_ok "slapd: $(tail -3 "$work/slapadd.log" "$ldap_dir/slapd.log" 2>/dev/null)"
	finish
fi
if tree_encode && tree_load; then
	ok "the policies, the GPOs and web1 are in the directory"
else
	not_ok "directory: $(tail -3 "$work/out")"
fi
# a second slapd there without TLS, on port 1389
ldap_use "$work/plain"
ldap_global="" ldap_listen="ldap://192.0.2.20:1389/" ldap_modules="" ldap_db_extra=""
if ldap_config "$SRC/dist/ldap/gpo.ldif" >"$work/slapadd2.log" 2>&1 && ldap_start; then
	plain_pid=$slapd_pid
else
	not_ok "slapd without TLS: $(tail -3 "$work/slapadd2.log" "$ldap_dir/slapd.log" 2>/dev/null)"
fi
ldap_use "$work/tls"
slapd_pid=$tls_pid

# try NAME URI CAFILE [LINE...]: agent 1 with that domain.conf until its
# first outcome (a 4294 from the directory or a 4295); the events it
# wrote in $work/try.log
try() {
	name=$1 u=$2 cafile=$3
	shift 3
	domain_conf "$work/$name.conf" "$u" "cafile = $cafile" "timeout = 3" "$@"
	lines=$(cat "$evlog" 2>/dev/null | wc -l)
	agent 1 --domain-conf "$work/$name.conf" --domain-poll 3600
	i=0
	while [ $i -lt 100 ]; do
		tail -n +$((lines + 1)) "$evlog" 2>/dev/null >"$work/try.log"
		grep -q '"id":4295,' "$work/try.log" && break
		grep '"id":4294,' "$work/try.log" | grep -q '"source":"directory"' && break
		sleep 0.1
		i=$((i + 1))
	done
	agent_stop
	tail -n +$((lines + 1)) "$evlog" 2>/dev/null >"$work/try.log"
	if grep -q "$ldap_pw" "$work/try.log" "$work/agent1.err"; then
		not_ok "$name: the password is in an event or on stderr"
	fi
}
served() { grep '"id":4294,' "$work/try.log" | grep '"source":"directory"' | grep -qF "\"server\":\"$1\""; }
refused_by() { grep '"id":4295,' "$work/try.log" | grep -F "$1" | grep -qi -- "$2"; }

try right "ldaps://192.0.2.20" "$pki/ca1.pem"
served "ldaps://192.0.2.20" && [ "$(verdict 23)" = DROP ] &&
	ok "ldaps:// with the right CA: the directory's policy applied" ||
	not_ok "ldaps://: $(cat "$work/try.log" "$work/agent1.err" | tail -4)"
try starttls "ldap://192.0.2.20" "$pki/ca1.pem" "starttls = yes"
served "ldap://192.0.2.20" &&
	ok "ldap:// with StartTLS and the right CA: the directory's policy applied" ||
	not_ok "StartTLS: $(cat "$work/try.log" "$work/agent1.err" | tail -4)"
try wrongca "ldaps://192.0.2.20" "$pki/ca2.pem"
refused_by "ldaps://192.0.2.20" "TLS refused: the server's certificate" && ! served "ldaps://192.0.2.20" &&
	ok "another CA: refused, 4295 names the server and why: $(grep -o '"error":"[^"]*"' "$work/try.log" | head -1)" ||
	not_ok "wrong CA: $(cat "$work/try.log" | tail -3)"
try wrongca-starttls "ldap://192.0.2.20" "$pki/ca2.pem" "starttls = yes"
refused_by "ldap://192.0.2.20" "StartTLS: TLS refused" && ! served "ldap://192.0.2.20" &&
	ok "another CA with StartTLS: refused, no bind in clear" ||
	not_ok "wrong CA, StartTLS: $(cat "$work/try.log" | tail -3)"
try badname "ldaps://192.0.2.5" "$pki/ca1.pem"
refused_by "ldaps://192.0.2.5" "TLS refused.*host name" && ! served "ldaps://192.0.2.5" &&
	ok "a name the certificate does not hold: refused: $(grep -o '"error":"[^"]*"' "$work/try.log" | head -1)" ||
	not_ok "hostname: $(cat "$work/try.log" | tail -3)"
try notls "ldap://192.0.2.20:1389" "$pki/ca1.pem" "starttls = yes"
refused_by "ldap://192.0.2.20:1389" "the server cannot start TLS" && ! served "ldap://192.0.2.20:1389" &&
	ok "StartTLS required, the server has no TLS: refused, never clear text: $(grep -o '"error":"[^"]*"' "$work/try.log" | head -1)" ||
	not_ok "no TLS: $(cat "$work/try.log" | tail -3)"
# fail-over: a refused server first, then the right one
domain_conf "$work/failover.conf" "ldaps://192.0.2.5" "uri = ldaps://192.0.2.20" \
	"cafile = $pki/ca1.pem" "timeout = 3"
try failover "ldaps://192.0.2.5" "$pki/ca1.pem" "uri = ldaps://192.0.2.20"
served "ldaps://192.0.2.20" && ok "a refused server, then the next one: applied from it" ||
	not_ok "fail-over: $(cat "$work/try.log" | tail -3)"

# --- followed over TLS: the sync session's answers come through GnuTLS ----
domain_conf "$work/follow.conf" "ldaps://192.0.2.20" "cafile = $pki/ca1.pem"
from_dir() { grep '"id":4294,' "$evlog" | grep -c '"source":"directory"'; }
before=$(from_dir)
agent 1 --domain-conf "$work/follow.conf" --domain-poll 3600
fetched() { [ "$(from_dir)" != "$before" ]; }
until_ok 10 fetched || not_ok "over ldaps://: $(tail -2 "$evlog")"
sleep 1
assign "$lockdown2"
if until_ok 5 in_force_8080; then
	ok "over ldaps://, a change is in force after $took ms (RFC 4533, poll interval 1 h)"
else
	not_ok "not followed over TLS: $(tail -3 "$evlog")"
fi
agent_stop
sanitizers_quiet
finish
