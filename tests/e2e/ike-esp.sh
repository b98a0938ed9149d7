#!/bin/sh
# SPDX-License-Identifier: MIT
# ESP on the wire for a tunnel rule: this kernel has no ESP, so both
# charons use strongSwan's userspace ESP (kernel-libipsec, tunnel mode
# only, ESP in UDP 4500). Each side's policy names the other as its tunnel
# endpoint between inner addresses; ipsecfw maps and loads it, the quick
# mode SA is installed, TCP between the inner addresses goes through it,
# and a counter on the server's veth sees ESP-in-UDP but never the inner
# TCP in clear. libipsec starts no negotiation from a trap, so the test
# initiates the CHILD_SA with swanctl. ipsecfw's own nftables table is in
# force on both sides: clear inner traffic is refused (negotiate-required)
# before the tunnel, and passes through it. Counters beside it prove what
# nftables sees of a libipsec packet: no secpath (`meta ipsec exists` never
# matches), but the TUN device libipsec made, ipsec0, as input interface;
# so the negotiate chains also pass what comes in on or goes out to ipsec0.
# usage: ike-esp.sh IPSECFW NETPROBE SRCDIR
IPSECFW=$1
NETPROBE=$2
. "$(dirname "$0")/ike-lib.sh"
if [ ! -e /usr/lib/ipsec/plugins/libstrongswan-kernel-libipsec.so ] ||
	! command -v swanctl >/dev/null || [ ! -c /dev/net/tun ]; then
	echo "1..0 # SKIP needs kernel-libipsec (libcharon-extra-plugins), swanctl and /dev/net/tun"
	exit 0
fi
ike_pair
SIN=203.0.113.10 CIN=198.51.100.20 # inner addresses, on lo
ip -n "$S" addr add $SIN/32 dev lo
ip -n "$C" addr add $CIN/32 dev lo

if charon srv "$S" "kernel-libipsec kernel-netlink" && charon cli "$C" "kernel-libipsec kernel-netlink"; then
	ok "charon with userspace ESP runs in each namespace"
else
	not_ok "charon with kernel-libipsec"
	cat "$work"/*/out
fi

tunnel_policy() { # NAME ENDPOINT
	fw "$1" -f - <<-EOF
	delete all
	add policy name=Branch activatedefaultrule=no
	add filteraction name=Secure action=negotiate qmsecmethods="ESP[3DES,SHA1]"
	add filter filterlist=Inner srcaddr=$CIN dstaddr=$SIN protocol=any
	add rule name=Tunnel policy=Branch filterlist=Inner filteraction=Secure tunnel=$2 psk="esp test key"
	set policy name=Branch assign=yes
	EOF
}
tunnel_policy srv 192.0.2.20 && tunnel_policy cli $S4
fw srv ike load >/dev/null || not_ok "server: ike load"
fw srv show ike | grep -q "mode = tunnel" && ok "the rule maps to a tunnel-mode CHILD_SA" ||
	not_ok "no tunnel mode in show ike"

# The client has neither its tunnel nor its table yet: its packets to the
# inner address leave in clear. apply NAME: ipsecfw's nftables table in force in that side's namespace.
apply() {
	ns=$S
	[ "$1" = cli ] && ns=$C
	ip netns exec "$ns" env -u IPSECFW_KERNEL IPSECFW_DB="$work/$1.db" \
		IPSECFW_RUN_DIR="$work/$1.run" "$IPSECFW" apply >/dev/null
}
dropped() { # dropped NS: the server's negotiate-required drops inbound
	in_ns "$1" nft list counters inet | grep -A1 'drop_in_negotiate-required' |
		sed -n 's/.*packets \([0-9]*\).*/\1/p' | head -1
}
serve "$S" 8080
apply srv || not_ok "the server's table did not load"
if ! in_ns "$C" "$NETPROBE" tcp -s $CIN -w 1000 $SIN 8080 >/dev/null && [ "$(dropped "$S")" -gt 0 ]; then
	ok "before the tunnel: clear TCP between the inner addresses is refused (negotiate-required)"
else
	not_ok "clear inner TCP was not refused (drops: $(dropped "$S"))"
fi
fw cli ike load >/dev/null && apply cli
[ $? -eq 0 ] && ok "both sides' tunnel rules loaded, in charon and in nftables" ||
	not_ok "the client's rules did not load"

# A counter on the server's wire: ESP-in-UDP, and inner TCP in clear; and
# what nftables' input hook sees of the inner packets, before ipsecfw's
# chain: with a secpath, or from libipsec's TUN device.
in_ns "$S" nft -f - <<-EOF || not_ok "the wire counters did not load"
table netdev esptest {
	counter encap { }
	counter inner { }
	chain in {
		type filter hook ingress device eth0 priority 0;
		udp dport 4500 counter name encap
		ip saddr $CIN counter name inner
	}
}
table inet esptest {
	counter secpath { }
	counter tun { }
	counter inner { }
	chain in {
		type filter hook input priority -10;
		ip saddr $CIN counter name inner
		ip saddr $CIN meta ipsec exists counter name secpath
		ip saddr $CIN iifname "ipsec0" counter name tun
	}
}
EOF
conn=$(fw cli -j show ike | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["name"])')
if timeout 30 swanctl --initiate --child f1 --ike "$conn" --uri "unix://$work/cli/charon.vici" \
	>"$work/initiate" 2>&1; then
	ok "main mode and quick mode complete; the ESP SA is installed (userspace)"
else
	not_ok "the CHILD_SA did not come up"
	tail -20 "$work/initiate" | sed 's/^/# /'
fi
drops=$(dropped "$S")
if in_ns "$C" "$NETPROBE" tcp -s $CIN -w 3000 $SIN 8080 >/dev/null; then
	ok "TCP from $CIN to $SIN:8080 goes through the tunnel, ipsecfw's tables in force both sides"
else
	not_ok "TCP through the tunnel"
	in_ns "$S" nft list counters inet | grep -A1 negotiate | sed 's/^/# /'
fi
pkts() { in_ns "$S" nft list counter "$1" esptest "$2" | sed -n 's/.*packets \([0-9]*\).*/\1/p'; }
if [ "$(pkts inet inner)" -gt 0 ] && [ "$(pkts inet secpath)" = 0 ] &&
	[ "$(pkts inet tun)" = "$(pkts inet inner)" ] && [ "$(dropped "$S")" = "$drops" ]; then
	ok "nftables sees libipsec's packets without a secpath, all from ipsec0: $(pkts inet inner) in, meta ipsec exists $(pkts inet secpath), none dropped"
else
	not_ok "what nftables saw: inner $(pkts inet inner), secpath $(pkts inet secpath), ipsec0 $(pkts inet tun), drops $drops -> $(dropped "$S")"
fi
fw cli ike sas >"$work/sas" 2>&1
if grep -q "INSTALLED ESP TUNNEL 3DES_CBC/HMAC_SHA1_96 $CIN/32 <-> $SIN/32 in [1-9]" "$work/sas"; then
	ok "ike sas: the quick mode SA counted the bytes"
else
	not_ok "no bytes through the quick mode SA"
	sed 's/^/# /' "$work/sas"
fi
esp=$(in_ns "$S" nft list counter netdev esptest encap | sed -n 's/.*packets \([0-9]*\).*/\1/p')
clear=$(in_ns "$S" nft list counter netdev esptest inner | sed -n 's/.*packets \([0-9]*\).*/\1/p')
if [ "${esp:-0}" -gt 0 ] && [ "${clear:-1}" -eq 0 ]; then
	ok "on the server's wire: $esp ESP-in-UDP packets, no inner packet in clear"
else
	not_ok "the wire saw esp=${esp:-?} clear=${clear:-?}"
fi

echo "1..$n"
[ "$failed" -eq 0 ]
