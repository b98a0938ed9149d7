# SPDX-License-Identifier: MIT
# lib.sh - what the namespace tests share (sourced): TAP counters, a
# client/server pair of network namespaces per case, ipsecfw in the server,
# probes checked against the reference classifier, and a teardown that
# runs however the test ends. Needs IPSECFW and NETPROBE set.
if [ "$(id -u)" -ne 0 ] || ! command -v ip >/dev/null 2>&1; then
	echo "1..0 # SKIP needs root and iproute2 for network namespaces"
	exit 0
fi
tag=ipfw$$
work=$(mktemp -d)
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	for ns in $(ip netns list | awk '{print $1}' | grep "^$tag"); do
		# every process in our namespaces is one this test started
		for p in $(ip netns pids "$ns"); do kill -9 "$p" 2>/dev/null; done
		ip netns del "$ns"
	done
	rm -rf "$work"
}
trap cleanup EXIT INT TERM
if ! ip netns add "${tag}probe" || ! ip netns exec "${tag}probe" nft list ruleset >/dev/null 2>&1; then
	echo "1..0 # SKIP this kernel has no nftables"
	exit 0
fi

n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }

S4=192.0.2.10 S6=2001:db8::10

# make_pair ID: server ${tag}sID and client ${tag}cID, eth0 each, default
# routes over the pair (inside the namespaces only).
make_pair() {
	s=${tag}s$1 c=${tag}c$1
	ip netns add "$s" && ip netns add "$c" || return 1
	ip link add "x$tag$1" netns "$s" type veth peer name "y$tag$1" netns "$c"
	ip -n "$s" link set "x$tag$1" name eth0
	ip -n "$c" link set "y$tag$1" name eth0
	ip -n "$s" addr add $S4/24 dev eth0
	ip -n "$s" addr add $S6/64 dev eth0 nodad
	for a in 192.0.2.20/24 192.0.2.5/24 198.51.100.7/24; do ip -n "$c" addr add $a dev eth0; done
	for a in 2001:db8::20/64 2001:db8::5/64; do ip -n "$c" addr add $a dev eth0 nodad; done
	for ns in "$s" "$c"; do
		ip -n "$ns" link set lo up
		ip -n "$ns" link set eth0 up
		ip -n "$ns" route add default dev eth0
		ip -n "$ns" -6 route add default dev eth0
	done
}

# web_server ID: server ID's store holds source article 001's Web Server
# Policy, assigned; the kernel is left to the agent the test starts.
web_server() {
	IPSECFW_KERNEL=off srv "$1" -f "$SRC/examples/001-web-server.netsh" >/dev/null 2>&1
	IPSECFW_KERNEL=off srv "$1" static set policy name="Web Server Policy" assign=yes >/dev/null 2>&1
}

# srv ID CMD...: ipsecfw in the server, with the kernel hook on.
srv() {
	id=$1
	shift
	ip netns exec "${tag}s$id" env -u IPSECFW_KERNEL IPSECFW_DB="$work/db$id" \
		IPSECFW_RUN_DIR="$work/run$id" "$IPSECFW" "$@"
}
in_ns() {
	ns=$1
	shift
	ip netns exec "$ns" "$@"
}
serve() { # serve NS PORT...: listeners for 120 s at most
	ns=$1
	shift
	in_ns "$ns" "$NETPROBE" serve 120 "$@" >/dev/null 2>&1 &
	pids="$pids $!"
}

# The reference verdict of one packet in the server: PASS or DROP.
ref() {
	id=$1
	shift
	srv "$id" ${REF_ARGS:-} -j test "$@" | sed -n 's/.*"verdict": "\([A-Z]*\)".*/\1/p' | head -1
}

# wire ID DESC EXPECTED REF_IN REF_OUT -- NS NETPROBE-ARGS...: runs one
# exchange and checks it against the expected verdict and the reference's
# verdicts of the request and of its reply.
wire() {
	id=$1 desc=$2 want=$3 rin=$4 rout=$5
	shift 6
	got=$(in_ns "$@" 2>&1 | tail -1)
	refv=pass
	[ "$rin" = PASS ] && [ "$rout" = PASS ] || refv=drop
	if [ "$got" = "$want" ] && [ "$refv" = "$want" ]; then
		ok "$desc: $got"
	else
		not_ok "$desc: wire $got, expected $want, reference $rin/$rout"
	fi
}

# --- the policy agent (needs IPSECFWD) ---
# agent ID: starts ipsecfwd in server ID; its PID in $agent_pid.
agent() { # agent ID [IPSECFWD-OPTIONS...]
	id=$1
	shift
	mkdir -p "$work/root$id/etc"
	ip netns exec "${tag}s$id" "$IPSECFWD" --no-journal --db "$work/db$id" \
		--facts-root "$work/root$id" --run-dir "$work/run$id" --log-dir "$work/log$id" "$@" \
		2>>"$work/agent$id.err" &
	agent_pid=$!
	pids="$pids $agent_pid"
}
# mode_is ID MODE [SECONDS]: waits for the kernel's mode, 3 s by default.
mode_is() {
	i=0
	while [ $i -lt $((${3:-3} * 10)) ]; do
		case $(srv "$1" show mode 2>/dev/null) in "mode: $2 "* | "mode: $2") return 0;; esac
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
# secure_chain NS: the kernel is in secure mode (read without the store,
# which the fault cases break)
secure_chain() { in_ns "$1" nft list chains inet | grep -q 'chain state_secure_'; }
# has_event ID EVENT-ID: waits up to 3 s for the agent to log that event
has_event() {
	i=0
	while [ $i -lt 30 ]; do
		grep -q "\"id\":$2[,}]" "$work/log$1/events.log" 2>/dev/null && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
