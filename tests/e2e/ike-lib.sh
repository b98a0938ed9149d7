# SPDX-License-Identifier: MIT
# ike-lib.sh - what the IKE namespace tests share (sourced after setting
# IPSECFW and NETPROBE): lib.sh, a charon per namespace with its own
# strongswan.conf, VICI socket and private /run under $work (never the
# host's), and ipsecfw per side. Skips without charon. Callers call
# ike_pair for the namespaces.
CHARON=/usr/lib/ipsec/charon
. "$(dirname "$0")/lib.sh"
if [ ! -x "$CHARON" ]; then
	echo "1..0 # SKIP no charon (scripts/deps installs strongswan-charon)"
	exit 0
fi

# ike_pair: the server's and the client's namespaces (S, C; the client's
# address C4), or a skip.
ike_pair() {
	make_pair 1 || { echo "1..0 # SKIP cannot make namespaces"; exit 0; }
	S=${tag}s1 C=${tag}c1 C4=192.0.2.20
}

# charon NAME NS [KERNEL-PLUGINS]: its own config, socket and /run; its
# PID joins $pids and is $last_charon. KERNEL-PLUGINS: kernel-netlink by
# default; "kernel-libipsec kernel-netlink" for ESP in userspace.
charon() {
	d="$work/$1"
	mkdir -p "$d"
	kernel=${3:-kernel-netlink}
	routes=no
	[ "$kernel" = kernel-netlink ] || routes=yes
	cat >"$d/strongswan.conf" <<-EOF
	charon {
		load_modular = no
		load = random nonce openssl pem pkcs1 x509 pubkey $kernel socket-default vici
		install_routes = $routes
		retransmit_tries = 2
		retransmit_timeout = 1.0
		plugins {
			vici {
				socket = unix://$d/charon.vici
			}
		}
		filelog {
			main {
				path = $d/charon.log
				flush_line = yes
				default = 1
				ike = 2
				cfg = 2
			}
		}
	}
	EOF
	ip netns exec "$2" unshare -m sh -c \
		"mount -t tmpfs -o mode=0755 none /run && STRONGSWAN_CONF='$d/strongswan.conf' exec $CHARON" \
		>"$d/out" 2>&1 &
	last_charon=$!
	pids="$pids $!"
	for _ in $(seq 50); do
		[ -S "$d/charon.vici" ] && return 0
		sleep 0.1
	done
	return 1
}

# fw NAME ARGS...: ipsecfw of one side in its namespace (its addresses are
# the facts), its own store, its charon; the kernel hook off (nftables is
# not this test's).
fw() {
	name=$1
	shift
	ns=$S
	[ "$name" = cli ] && ns=$C
	ip netns exec "$ns" env IPSECFW_KERNEL=off IPSECFW_DB="$work/$name.db" \
		IPSECFW_RUN_DIR="$work/$name.run" IPSECFW_VICI="unix://$work/$name/charon.vici" \
		"$IPSECFW" "$@"
}

# event ID PATTERN [SECONDS]: waits up to SECONDS (5) for an event of that
# ID matching PATTERN in the agent's log ($work/agentlog).
event() {
	for _ in $(seq $((${3:-5} * 10))); do
		grep "\"id\":$1[,}]" "$work/agentlog/events.log" 2>/dev/null | grep -q "$2" && return 0
		sleep 0.1
	done
	return 1
}

# start_agent: the server's agent ($IPSECFWD) in $S with its charon, its
# store, and its events in $work/agentlog; $agent_pid.
start_agent() {
	mkdir -p "$work/agentroot/etc"
	ip netns exec "$S" env IPSECFW_VICI="unix://$work/srv/charon.vici" "$IPSECFWD" --no-journal \
		--db "$work/srv.db" --facts-root "$work/agentroot" --run-dir "$work/srv.run" \
		--log-dir "$work/agentlog" 2>>"$work/agent.err" &
	agent_pid=$!
	pids="$pids $!"
	sleep 0.5
}

# stop_agent: SIGTERM; it stops, under the sanitizers without a finding.
stop_agent() {
	kill "$agent_pid"
	for _ in $(seq 50); do kill -0 "$agent_pid" 2>/dev/null || break; sleep 0.1; done
	if ! kill -0 "$agent_pid" 2>/dev/null && ! grep -q 'Sanitizer\|runtime error' "$work/agent.err"; then
		ok "the agent stops on SIGTERM with nothing from the sanitizers"
	else
		not_ok "the agent did not stop cleanly"
		sed 's/^/# /' "$work/agent.err" | head -30
	fi
}
