#!/bin/sh
# SPDX-License-Identifier: MIT
# browser.sh IPSECFW SRCDIR BUILDDIR: the Cockpit page in a real browser.
# cockpit-ws (no systemd, --local-session=cockpit-bridge) listens on the
# loopback of a network namespace this test makes; the bridge runs ipsecfw
# against a store of the test's own; Debian's headless Chromium, driven by
# puppeteer-core (tests/cockpit/node_modules, from `scripts/deps cockpit`),
# clicks through the page there. Screenshots go to BUILDDIR/cockpit-shots.
IPSECFW=$1 SRC=$2 BUILD=$3
if [ "$(id -u)" -ne 0 ]; then
	echo "1..0 # SKIP needs root for a network namespace"
	exit 0
fi
for need in /usr/lib/cockpit/cockpit-ws /usr/bin/cockpit-bridge /usr/bin/chromium /usr/bin/node \
	"$SRC/tests/cockpit/node_modules/puppeteer-core"; do
	if [ ! -e "$need" ]; then
		echo "Bail out! missing $need: run scripts/deps cockpit"
		exit 1
	fi
done
ns=ipfwck$$
work=$(mktemp -d)
ws="" agent=""
cleanup() {
	[ -n "$ws" ] && kill "$ws" 2>/dev/null
	[ -n "$agent" ] && kill "$agent" 2>/dev/null
	for n in "$ns" "${ns}p"; do
		ip netns list | grep -q "^$n\b" || continue
		# every process in the namespace is one this test started
		for p in $(ip netns pids "$n"); do kill -9 "$p" 2>/dev/null; done
		ip netns del "$n"
	done
	rm -rf "${work:?}"
}
trap cleanup EXIT INT TERM
ip netns add "$ns" || { echo "Bail out! ip netns add"; exit 1; }
ip -n "$ns" link set lo up
# A peer namespace on a veth pair, for real traffic to count: this side is
# 192.0.2.2, the peer 192.0.2.1.
ip netns add "${ns}p" || { echo "Bail out! ip netns add"; exit 1; }
ip link add "v$ns" netns "$ns" type veth peer name "w$ns" netns "${ns}p"
ip -n "$ns" addr add 192.0.2.2/24 dev "v$ns"
ip -n "${ns}p" addr add 192.0.2.1/24 dev "w$ns"
ip -n "$ns" link set "v$ns" up
ip -n "${ns}p" link set "w$ns" up
ip -n "${ns}p" link set lo up

# The page as `make install` lays it out, found through XDG_DATA_DIRS; the
# CLI it spawns is this build's, on PATH, with the test's store.
mkdir -p "$work/share/cockpit" "$work/bin" "$work/run" "$work/home" "$work/log"
cp -r "$SRC/cockpit" "$work/share/cockpit/ipsecfw"
ln -s "$IPSECFW" "$work/bin/ipsecfw"
export PATH="$work/bin:$PATH" XDG_DATA_DIRS="$work/share:/usr/share" HOME="$work/home"
export IPSECFW_DB="$work/db" IPSECFW_RUN_DIR="$work/run" IPSECFW_LOG_DIR="$work/log"
# The kernel hook is on: everything below runs inside the test's namespace.
unset IPSECFW_KERNEL IPSECFW_DOMAIN_CONF
# The store the page starts from (browser.mjs --setup says what it holds).
ip netns exec "$ns" node "$SRC/tests/cockpit/browser.mjs" --setup >"$work/setup.log" 2>&1 ||
	{ echo "Bail out! setup: $(tail -3 "$work/setup.log")"; exit 1; }
# The policy agent, for the drop events and the dynamic SPD. It fetches
# nothing: with no domain.conf the domain store is the database's.
ip netns exec "$ns" "$(dirname "$IPSECFW")/ipsecfwd" --no-journal >"$work/agent.log" 2>&1 &
agent=$!
# Drops logged each way (SPEC 7.1), once the agent answers (5 s at most).
for i in $(seq 50); do
	ip netns exec "$ns" "$IPSECFW" dynamic set config property=ipsecdiagnostics value=7 \
		>/dev/null 2>&1 && break
	[ "$i" = 50 ] && { echo "Bail out! the agent did not answer: $(tail -3 "$work/agent.log")"; exit 1; }
	sleep 0.1
done
port=9191
ip netns exec "$ns" /usr/lib/cockpit/cockpit-ws --no-tls --address 127.0.0.1 --port $port \
	--local-session=cockpit-bridge >"$work/ws.log" 2>&1 &
ws=$!
# A second console for a user without administrative access (nobody): the
# read-only view, of a copy of the store that nobody may read (0400).
chmod 755 "$work"
mkdir -p "$work/nobody"
sqlite3 "$work/db" ".backup '$work/nobody/db'"
chown -R nobody "$work/nobody"
chmod 0400 "$work/nobody/db"
IPSECFW_DB="$work/nobody/db" HOME="$work/nobody" ip netns exec "$ns" setpriv --reuid=nobody --regid=nogroup --clear-groups \
	/usr/lib/cockpit/cockpit-ws --no-tls --address 127.0.0.1 --port $((port + 1)) \
	--local-session=cockpit-bridge >"$work/ws-nobody.log" 2>&1 &

mkdir -p "$BUILD/cockpit-shots"
AGENT_PID=$agent ip netns exec "$ns" timeout 240 node "$SRC/tests/cockpit/browser.mjs" \
	"http://127.0.0.1:$port/cockpit/@localhost/ipsecfw/index.html" "$BUILD/cockpit-shots" "$work" \
	"http://127.0.0.1:$((port + 1))/cockpit/@localhost/ipsecfw/index.html"
rc=$?
[ $rc -ne 0 ] && sed 's/^/# ws: /' "$work/ws.log" | tail -20 && sed 's/^/# agent: /' "$work/agent.log" | tail -20
exit $rc
