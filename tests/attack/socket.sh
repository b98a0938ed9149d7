#!/bin/sh
# SPDX-License-Identifier: MIT
# socket.sh IPSECFW IPSECFWD NETPROBE SRCDIR - the agent's socket under
# attack: peers that are not this host's root, malformed, huge, deep,
# non-UTF-8 and line-smuggling requests, static commands, slowloris, 2,000
# clients at once and 6,000 connect/close cycles leave the agent up, with
# its descriptors and memory bounded; a stopped agent does not hang the CLI;
# a full run folder does not pin a dynamic permit.
IPSECFW=$1 IPSECFWD=$2 NETPROBE=$3 SRC=$4
. "$SRC/tests/e2e/lib.sh"
SOCK_TOOL="$SRC/tests/tools/agentsock.py"

C=${tag}c1 S=${tag}s1
make_pair 1
serve "$S" 80 23
mkdir -p "$work/root1/etc"
web_server 1
agent 1
SOCK=$work/run1/agent.sock
mode_is 1 secure || not_ok "the agent did not start: $(cat "$work/agent1.err")"
i=0
while [ ! -S "$SOCK" ] && [ $i -lt 30 ]; do sleep 0.1; i=$((i + 1)); done
dyn() { srv 1 dynamic "$@"; }
fds() { ls "/proc/$agent_pid/fd" | wc -l; }
rss_kb() { sed -n 's/^VmRSS:[^0-9]*\([0-9]*\).*/\1/p' "/proc/$agent_pid/status"; }
alive() { kill -0 "$agent_pid" 2>/dev/null && dyn show rule >/dev/null 2>&1; }
tool() { python3 "$SOCK_TOOL" "$SOCK" "$@"; }
dyn show rule >/dev/null 2>&1
fds0=$(fds)
rss0=$(rss_kb)

# --- peers that are not this host's root -----------------------------------
# (the folders and the socket are opened up for the test, so that the
# agent's own check is what refuses them)
chmod 0711 "$work" "$work/run1"
chmod 0666 "$SOCK"
# peer CMD... -> the reply of `show rule` asked by CMD
peer() { "$@" /usr/bin/python3 "$SOCK_TOOL" "$SOCK" line "show rule" 2>&1; }
refused_peer() {
	desc=$1
	shift
	reply=$(peer "$@")
	case $reply in
	*"only root may talk"*) ok "$desc: refused";;
	*"Operation not permitted"* | *"unshare failed"* | *"cannot"*) echo "# SKIP $desc: $reply";;
	*) not_ok "$desc: $reply";;
	esac
}
refused_peer "uid 65534" setpriv --reuid=65534 --regid=65534 --clear-groups
refused_peer "uid 65534 with CAP_NET_ADMIN" setpriv --reuid=65534 --regid=65534 --clear-groups \
	--inh-caps=+net_admin --ambient-caps=+net_admin
refused_peer "root of a user namespace root made" unshare -U -r
refused_peer "root of a user namespace uid 65534 made" setpriv --reuid=65534 --regid=65534 \
	--clear-groups unshare -U -r
chmod 0600 "$SOCK"
chmod 0700 "$work" "$work/run1"

# --- requests that are not what the agent serves --------------------------
# bad CASE DESC ARGS...: the reply is an error, and the agent lives on
bad() {
	desc=$1
	shift
	reply=$(tool "$@" | cut -c1-200)
	case $reply in
	*'"rc":1'* | *'"rc": 1'* | reset | "") alive && ok "$desc: refused (${reply:-closed})" ||
		not_ok "$desc: the agent died";;
	*) not_ok "$desc: $reply";;
	esac
}
bad "not JSON" garbage
bad "a 10 MB request" big 10000000
bad "JSON 30,000 arrays deep" deep 30000
bad "a line that is not UTF-8" badutf8
bad "a newline smuggling a second line" line "show rule
static exportpolicy file=$work/smuggled"
bad "static exportpolicy over the socket" line "static exportpolicy file=$work/exported"
bad "netsh ipsec static importpolicy over the socket" line "netsh ipsec static importpolicy file=/etc/shadow"
bad "pushd static over the socket" line "pushd static"
bad "exportpolicy in the dynamic context" line "exportpolicy file=$work/exported"
[ ! -e "$work/smuggled" ] && [ ! -e "$work/exported" ] && ok "no file was written for a socket client" ||
	not_ok "the socket wrote a file"
reply=$(tool line "netsh ipsec static importpolicy file=/etc/shadow")
case $reply in *root:*) not_ok "/etc/shadow echoed";; *) ok "nothing of /etc/shadow is echoed";; esac

# --- slowloris, crowds, cycles ------------------------------------------
t0=$(date +%s)
slow=$(tool slowloris 300 8)
case $slow in "cut=300 answered=0") ok "300 slowloris clients are all cut off ($slow, $(($(date +%s) - t0)) s)";;
	*) not_ok "slowloris: $slow";; esac
alive && ok "the agent answers after the slowloris" || not_ok "mute after slowloris"
crowd=$(tool crowd 2000)
case $crowd in *"other=0") ok "2,000 clients at once: each answered or told busy ($crowd)";;
	*) not_ok "crowd: $crowd";; esac
t0=$(date +%s)
[ "$(tool cycles 6000)" = "done 6000" ] && alive &&
	ok "6,000 connect/close cycles ($(($(date +%s) - t0)) s), and the agent answers" || not_ok "cycles"
sleep 4 # connections the agent still held time out
fds1=$(fds)
rss1=$(rss_kb)
echo "# agent: $fds0 -> $fds1 descriptors, VmRSS $rss0 -> $rss1 kB"
[ "$fds1" -le $((fds0 + 2)) ] && ok "descriptors bounded ($fds0 -> $fds1)" || not_ok "descriptors: $fds0 -> $fds1"
if ldd "$IPSECFWD" | grep -q libasan; then
	ok "memory # SKIP AddressSanitizer keeps freed memory in quarantine (VmRSS $rss0 -> $rss1 kB)"
else
	[ "$rss1" -le $((rss0 + 16384)) ] && ok "memory bounded (VmRSS $rss0 -> $rss1 kB)" ||
		not_ok "VmRSS grew: $rss0 -> $rss1 kB"
fi

# --- a stopped agent: the CLI gives up after its deadline --------------------
kill -STOP "$agent_pid"
t0=$(date +%s)
IPSECFW_AGENT_TIMEOUT=2 srv 1 dynamic show rule >"$work/out" 2>&1
rc=$?
took=$(($(date +%s) - t0))
kill -CONT "$agent_pid"
[ $rc -ne 0 ] && [ $took -le 4 ] && grep -q "did not answer within 2 s" "$work/out" &&
	ok "SIGSTOPped agent: the CLI fails after ${took} s, saying so" || not_ok "stopped agent: rc=$rc ${took}s $(cat "$work/out")"
# a backlog the stopped agent does not drain: connect times out too
kill -STOP "$agent_pid"
python3 - "$SOCK" <<'END' &
import socket, sys, time
socks = []
for _ in range(300):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.setblocking(False)
    try:
        s.connect(sys.argv[1])
    except OSError:
        break
    socks.append(s)
time.sleep(6)
END
filler=$!
sleep 1
t0=$(date +%s)
IPSECFW_AGENT_TIMEOUT=2 srv 1 dynamic show rule >"$work/out" 2>&1
rc=$?
took=$(($(date +%s) - t0))
kill -CONT "$agent_pid"
kill "$filler" 2>/dev/null
wait "$filler" 2>/dev/null
[ $rc -ne 0 ] && [ $took -le 4 ] && grep -q "did not answer within 2 s" "$work/out" &&
	ok "full backlog of a stopped agent: the connect gives up after ${took} s" ||
	not_ok "full backlog: rc=$rc ${took}s $(cat "$work/out")"
sleep 3
alive && ok "the agent answers once continued" || not_ok "the agent is gone after SIGCONT"
kill "$agent_pid"
i=0
while kill -0 "$agent_pid" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done

# --- a full run folder does not pin a dynamic permit -------------------------
C=${tag}c2 S=${tag}s2
make_pair 2
serve "$S" 23
mkdir -p "$work/root2/etc" "$work/run2"
web_server 2
if mount -t tmpfs -o size=256k,mode=0700 ipsecfw-test "$work/run2"; then
	trap 'umount "$work/run2" 2>/dev/null; cleanup' EXIT INT TERM
	agent 2
	mode_is 2 secure || not_ok "agent 2 did not start: $(cat "$work/agent2.err")"
	i=0
	while [ ! -S "$work/run2/agent.sock" ] && [ $i -lt 30 ]; do sleep 0.1; i=$((i + 1)); done
	rule="srcaddr=192.0.2.20 dstaddr=me protocol=tcp dstport=23"
	srv 2 dynamic add mmpolicy name=MM >/dev/null 2>&1
	srv 2 dynamic add rule $rule mmpolicy=MM actioninbound=permit actionoutbound=permit >/dev/null 2>&1
	wire 2 "a dynamic permit lets the client telnet in" pass PASS PASS \
		-- "$C" "$NETPROBE" tcp -p 40001 -w 700 $S4 23
	dd if=/dev/zero of="$work/run2/fill" bs=4k 2>/dev/null
	[ "$(df --output=avail "$work/run2" | tail -1 | tr -d ' ')" = 0 ] || echo "# the run folder is not quite full"
	if srv 2 dynamic add rule srcaddr=192.0.2.5 dstaddr=me protocol=tcp dstport=23 mmpolicy=MM \
		actioninbound=permit actionoutbound=permit >"$work/out" 2>&1; then
		echo "# adding a rule on a full run folder worked (the mirror fit)"
	else
		ok "full run folder: adding a rule fails cleanly ($(head -1 "$work/out" | cut -c1-60))"
	fi
	if srv 2 dynamic delete rule $rule >"$work/out" 2>&1; then
		ok "full run folder: the dynamic permit is deleted"
	else
		not_ok "full run folder: delete failed: $(cat "$work/out")"
	fi
	wire 2 "and the kernel dropped it" drop DROP PASS -- "$C" "$NETPROBE" tcp -p 40002 -w 700 $S4 23
	case $(srv 2 dynamic show rule 2>&1) in *"No dynamic rules"*) ok "the SPD agrees";;
		*) not_ok "SPD after delete: $(srv 2 dynamic show rule 2>&1 | head -3)";; esac
	grep -q 192.0.2.20 "$work/run2/dynamic.json" && not_ok "the mirror still holds the rule" ||
		ok "the mirror no longer holds the rule (a CLI load will not bring it back)"
	kill "$agent_pid"
	i=0
	while kill -0 "$agent_pid" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	umount "$work/run2"
else
	echo "# SKIP no tmpfs mount: no full run folder case"
fi

echo "1..$n"
[ $failed -eq 0 ]
