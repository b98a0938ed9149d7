# SPDX-License-Identifier: MIT
# lib.sh - a Samba AD DC for the samba tests (sourced after tests/e2e/lib.sh):
# samba-tool provisions a domain into $work/dc (once per suite, ~4 s), and
# `samba -i` serves it inside the namespace ${tag}dc at $DC4 only (every
# interface and listener of that namespace; nothing in the root one). Hosts
# in other namespaces reach it over a veth pair and know its name from
# /etc/netns/NS/hosts (ip netns exec mounts it over /etc/hosts), which the
# teardown removes with the namespaces. The DC is stopped by PID.
# Needs: work, tag (tests/e2e/lib.sh).
. "$SRC/tests/lib/pid.sh"

realm=SAMBA.EXAMPLE.COM
sdomain=SAMBA
dcname=dc1
dcfqdn=dc1.samba.example.com
sbase="DC=samba,DC=example,DC=com"
DC4=203.0.113.10
admin_pw='Adm1n-test-only!'
dc_dir=$work/dc
dc_ns=${tag}dc
dc_pid=""

# The programs; prints the one missing.
samba_programs() {
	PATH=$PATH:/usr/sbin
	for p in samba samba-tool ldapsearch ldapmodify; do
		command -v "$p" >/dev/null 2>&1 || { echo "$p"; return 1; }
	done
}

# samba_provision: the domain and its smb.conf, every path under $dc_dir.
samba_provision() {
	mkdir -p "$dc_dir/run" "$dc_dir/log" "$dc_dir/ncalrpc" "$dc_dir/winbindd"
	chmod 700 "$dc_dir"
	samba-tool domain provision --targetdir="$dc_dir" --realm=$realm --domain=$sdomain \
		--adminpass="$admin_pw" --server-role=dc --dns-backend=SAMBA_INTERNAL \
		--host-name=$dcname --host-ip=$DC4 --use-rfc2307 \
		--option="interfaces = $DC4" --option="bind interfaces only = yes" \
		--option="pid directory = $dc_dir/run" --option="ncalrpc dir = $dc_dir/ncalrpc" \
		--option="winbindd socket directory = $dc_dir/winbindd" \
		--option="log file = $dc_dir/log/log.%m" --option="dns forwarder = 192.0.2.53" \
		--option="server services = -nbt -wrepl -ntp_signd -dnsupdate -kcc" \
		--option="printing = bsd" --option="load printers = no" \
		--option="ldap server require strong auth = yes"
}

# dc_up: the DC's namespace and samba started in it; waits (30 s at most) until its LDAP server answers.
dc_up() {
	ip netns add "$dc_ns" || return 1
	ip -n "$dc_ns" link set lo up
	# the DC's address on a link of its own (a veth pair inside its
	# namespace: this kernel may lack dummy links); the hosts' veths
	# route to it
	ip -n "$dc_ns" link add dc0 type veth peer name dc1
	ip -n "$dc_ns" addr add "$DC4/32" dev dc0
	ip -n "$dc_ns" link set dc0 up
	ip -n "$dc_ns" link set dc1 up
	dc_hosts "$dc_ns"
	ip netns exec "$dc_ns" samba -i -M single -s "$dc_dir/etc/smb.conf" --debug-stdout -d 1 \
		>>"$dc_dir/samba.out" 2>&1 &
	dc_pid=$!
	dc_wait || return 1
	# the LDAP service's principal, which samba_spnupdate (the dnsupdate
	# service, off here with the DNS server) would register
	ip netns exec "$dc_ns" samba-tool spn add "ldap/$dcfqdn" "$(echo $dcname | tr a-z A-Z)\$" \
		-s "$dc_dir/etc/smb.conf" >>"$dc_dir/samba.out" 2>&1
}

# dc_wait: bounded wait for the DC's rootDSE over LDAP.
dc_wait() {
	i=0
	while [ $i -lt 300 ] && kill -0 "$dc_pid" 2>/dev/null; do
		ip netns exec "$dc_ns" ldapsearch -x -LLL -H "ldap://$DC4" -s base -b "" \
			dnsHostName >/dev/null 2>&1 && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# dc_stop: the DC, by PID (its children end with it; the namespace's
# remaining processes are killed by the e2e teardown).
dc_stop() {
	stop_pid "$dc_pid"
	dc_pid=""
}

# dc_link NS ADDR: a veth between the DC's namespace and host namespace NS
# (ADDR/24 on its side), and NS's /etc/hosts naming the DC.
dc_link() {
	ns=$1
	ip link add "d$ns" netns "$dc_ns" type veth peer name dc0 netns "$ns" || return 1
	ip -n "$dc_ns" link set "d$ns" up
	ip -n "$ns" addr add "$2/32" dev dc0
	ip -n "$ns" link set dc0 up
	ip -n "$ns" route add "$DC4/32" dev dc0
	ip -n "$dc_ns" route add "$2/32" dev "d$ns"
	dc_hosts "$ns"
}

# dc_hosts NS: NS's /etc/hosts names the DC (its certificate's name), and
# its resolv.conf has the DC's DNS server, as a domain member's does (the
# machine's own would time out from a namespace, seconds a lookup).
dc_hosts() {
	mkdir -p "/etc/netns/$1"
	printf '127.0.0.1 localhost\n%s %s %s\n' "$DC4" "$dcfqdn" "$dcname" >"/etc/netns/$1/hosts"
	printf 'search samba.example.com\nnameserver %s\n' "$DC4" >"/etc/netns/$1/resolv.conf"
}

# samba_cleanup: the DC and the hosts files of our namespaces.
samba_cleanup() {
	dc_stop
	for d in /etc/netns/"$tag"*; do
		[ -d "$d" ] && rm -rf "${d:?}"
	done
}

# dc_ldap CMD ARGS...: an ldap-utils command inside the DC's namespace as
# Administrator, over LDAPS with the DC's own CA.
dc_ldap() {
	cmd=$1
	shift
	ip netns exec "$dc_ns" env LDAPTLS_CACERT="$dc_dir/private/tls/ca.pem" LDAPTLS_REQCERT=demand \
		"$cmd" -x -H "ldaps://$dcfqdn" -D "Administrator@$realm" -w "$admin_pw" "$@"
}

# dc_tool ARGS...: samba-tool against the running DC.
dc_tool() {
	ip netns exec "$dc_ns" samba-tool "$@" -H "ldap://$DC4" -U "Administrator%$admin_pw" \
		-s "$dc_dir/etc/smb.conf"
}

# --- what the samba tests share beyond the DC ----------------------------

# samba_krb5_conf: $work/etc (0700) and a krb5.conf there naming the DC's KDC
# (exported in KRB5_CONFIG)
samba_krb5_conf() {
	mkdir -p "$work/etc"
	chmod 700 "$work/etc"
	cat >"$work/etc/krb5.conf" <<EOF2
[libdefaults]
	default_realm = $realm
	dns_lookup_kdc = false
	dns_lookup_realm = false
	rdns = false
	dns_canonicalize_hostname = false
[realms]
	$realm = {
		kdc = $DC4
	}
[domain_realm]
	.samba.example.com = $realm
EOF2
	export KRB5_CONFIG="$work/etc/krb5.conf"
}

# machine_keytab NAME PASSWORD: the computer's password set (as a join
# sets one: computer add leaves none, so no Kerberos keys) and its keys
# exported to $work/etc/NAME.keytab (0600)
machine_keytab() {
	up=$(echo "$1" | tr a-z A-Z)
	dc_tool user setpassword "$1\$" --newpassword="$2" >"$work/out" 2>&1 &&
		samba-tool domain exportkeytab "$work/etc/$1.keytab" --principal="$up\$" \
			-s "$dc_dir/etc/smb.conf" >>"$work/out" 2>&1 && [ -s "$work/etc/$1.keytab" ] &&
		chmod 600 "$work/etc/$1.keytab"
}

finish() { echo "1..$n"; exit $((failed > 0)); }
# one line whatever the message holds (TAP)
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $(printf '%s' "$*" | tr '\n' ' ')"; }
# under ASan: MIT Kerberos' leak on a refused GSSAPI bind is not ours (lsan.supp)
export LSAN_OPTIONS="suppressions=$SRC/tests/samba/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"

# samba_start: the programs, the domain provisioned and its DC serving it
# (the test ends when one fails); $started is when
samba_start() {
	if missing=$(samba_programs); then :; else
		not_ok "$missing is installed (packages samba, samba-ad-dc, ldap-utils; scripts/deps)"
		finish
	fi
	started=$(date +%s)
	if samba_provision >"$work/provision.log" 2>&1 && dc_up; then
		ok "samba-tool provisioned $realm and samba serves it at $DC4 in its namespace ($(($(date +%s) - started)) s)"
	else
		not_ok "Samba: $(tail -5 "$work/provision.log" "$dc_dir/samba.out" 2>/dev/null)"
		finish
	fi
}
