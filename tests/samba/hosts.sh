# SPDX-License-Identifier: MIT
# hosts.sh - what the samba tests share (sourced after tests/e2e/lib.sh;
# needs SRC): the DC (lib.sh), the ldap tests' tree.sh under Samba's
# domain (its policies, container, sanitizers_quiet), the teardown, and
# the hosts: a server namespace linked to the DC, its agent's events and
# its verdicts (these take the host first, replacing tree.sh's).
. "$SRC/tests/samba/lib.sh"
suffix=$sbase
. "$SRC/tests/ldap/tree.sh"
trap 'samba_cleanup; cleanup' EXIT INT TERM

# host ID ADDRESS PORT...: client and server namespaces, the server linked to
# the DC at ADDRESS and listening on the ports, with a local store (without
# one the agent starts in block mode, the DC unreachable)
host() {
	make_pair "$1"
	dc_link "${tag}s$1" "$2"
	id=$1
	shift 2
	serve "${tag}s$id" "$@"
	IPSECFW_KERNEL=off srv "$id" static add policy name="Local" description="never assigned" \
		>/dev/null 2>&1
}

# gssapi_conf NAME: $work/NAME.conf, the computer NAME binding with its
# keytab over ldap:// (sealed by SASL), polling once an hour
gssapi_conf() {
	cat >"$work/$1.conf" <<EOF2
uri = ldap://$dcfqdn
base = $sbase
hostname = $1
bind = gssapi
keytab = $work/etc/$1.keytab
poll = 3600
EOF2
}

# ldaps_conf NAME BINDDN PASSWORDFILE [LINE...]: $work/NAME.conf, the
# computer NAME binding simple as BINDDN over LDAPS, Samba's CA verified
ldaps_conf() {
	f=$work/$1.conf
	printf 'uri = ldaps://%s\nbase = %s\nhostname = %s\nbind = simple\nbinddn = %s\n' \
		"$dcfqdn" "$sbase" "$1" "$2" >"$f"
	printf 'passwordfile = %s\ncafile = %s\n' "$3" "$work/etc/ca.pem" >>"$f"
	shift 3
	for l in "$@"; do printf '%s\n' "$l" >>"$f"; done
}

events() { cat "$work/log$1/events.log" 2>/dev/null; }
# mark HOST: wait_event looks at the events logged after this only
mark=0
mark() { mark=$(events "$1" | wc -l); }
# wait_event HOST ID PATTERN [SECONDS]: an event of that id whose line matches
wait_event() {
	i=0
	while [ $i -lt $((${4:-5} * 10)) ]; do
		events "$1" | tail -n +$((mark + 1)) | grep "\"id\":$2[,}]" | grep -qi -- "$3" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
count_event() { events "$1" | grep -c "\"id\":$2[,}]"; }
# applied HOST POLICY: waits (8 s at most) for the 4294 of that policy
applied() { wait_event "$1" 4294 "policy '$2'" 8; }
# verdict HOST PORT: what ipsecfw test says of a web client's SYN to that port
verdict() { ref "$1" in tcp 192.0.2.20:40000 $S4:$2; }
