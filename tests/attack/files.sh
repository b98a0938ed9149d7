#!/bin/sh
# SPDX-License-Identifier: MIT
# files.sh IPSECFW IPSECFWD NETPROBE SRCDIR - secrets and trusted files:
# the store and the agent's files are private whatever the umask (000, 022),
# loose ones are tightened or refused, forged ones refused; outputs never
# follow symbolic links; words of a file given by mistake are never echoed;
# the agent never creates a store and, without one, keeps the kernel's
# table (or block mode) and reports ready only with something in force.
IPSECFW=$1 IPSECFWD=$2 NETPROBE=$3 SRC=$4
. "$SRC/tests/e2e/lib.sh"

mode_of() { stat -c %a "$1" 2>/dev/null || echo missing; }
# modes_are MODE PATH...: each path has MODE
modes_are() {
	want=$1
	shift
	bad=""
	for p in "$@"; do [ "$(mode_of "$p")" = "$want" ] || bad="$bad ${p#"$work"/}=$(mode_of "$p")"; done
	[ -z "$bad" ] && return 0
	echo "# not $want:$bad"
	return 1
}
quiet() { IPSECFW_KERNEL=off "$IPSECFW" "$@" >/dev/null 2>&1; }
# notify_wait: $work/notify receives systemd's READY=1 (then "READY" goes
# to $work/ready; "timeout" after 20 s); $waiter is its PID
notify_wait() {
	rm -f "$work/ready" "$work/notify"
	python3 -c 'import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(20)
print("bound", flush=True)
try:
    while b"READY=1" not in s.recv(4096):
        pass
    print("READY", flush=True)
except socket.timeout:
    print("timeout", flush=True)' "$work/notify" >"$work/ready.raw" &
	waiter=$!
	i=0
	while [ ! -S "$work/notify" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
}
# agent_until_ready ID: starts the agent in server ID and waits for its
# READY=1 ("READY", or "timeout", in $work/ready)
agent_until_ready() {
	notify_wait
	ip netns exec "${tag}s$1" env NOTIFY_SOCKET="$work/notify" "$IPSECFWD" --no-journal \
		--db "$work/db$1" --facts-root "$work/root$1" --run-dir "$work/run$1" \
		--log-dir "$work/log$1" 2>>"$work/agent$1.err" &
	agent_pid=$!
	pids="$pids $agent_pid"
	wait "$waiter"
	tail -1 "$work/ready.raw" >"$work/ready"
}
# kmode ID: the kernel's mode in server ID, asked with a scratch store (the
# CLI makes the store it is given, and these cases need it missing)
kmode() {
	ip netns exec "${tag}s$1" env -u IPSECFW_KERNEL IPSECFW_DB="$work/scratch$1.db" \
		"$IPSECFW" show mode 2>/dev/null | sed -n 's/^mode: \([a-z-]*\).*/\1/p'
}

# --- the store: 0600 files, a 0700 folder, whatever the umask --------------
for um in 000 022; do
	db=$work/u$um/ipsecfw/ipsecfw.db
	(umask $um && quiet --db "$db" static add policy name=P &&
		quiet --db "$db" static add filteraction name=F action=negotiate &&
		quiet --db "$db" static add filter filterlist=L srcaddr=me dstaddr=any &&
		quiet --db "$db" static add rule name=R policy=P filterlist=L filteraction=F psk="s3cret")
	modes_are 700 "$work/u$um/ipsecfw" && modes_are 600 "$db" &&
		ok "umask $um: the CLI makes the store 0600 in a 0700 folder" ||
		not_ok "umask $um: store modes"
done
db=$work/u022/ipsecfw/ipsecfw.db
chmod 0755 "$work/u022/ipsecfw"
chmod 0644 "$db"
: >"$db-journal"
chmod 0666 "$db-journal"
IPSECFW_KERNEL=off "$IPSECFW" --db "$db" static show policy all >/dev/null 2>"$work/err"
modes_are 700 "$work/u022/ipsecfw" && modes_are 600 "$db" "$db-journal" &&
	grep -q "warning: .*ipsecfw.db had mode 0644" "$work/err" &&
	ok "a store open to others is tightened, with a warning" ||
	not_ok "tightening: $(cat "$work/err")"

# --- the agent's files under umask 000 ---------------------------------
C=${tag}c1 S=${tag}s1
make_pair 1
serve "$S" 23
mkdir -p "$work/root1/etc"
web_server 1
chmod 0644 "$work/db1"
(umask 000 && agent 1 && echo "$agent_pid" >"$work/pid1")
agent_pid=$(cat "$work/pid1")
pids="$pids $agent_pid"
mode_is 1 secure || not_ok "the agent did not start: $(cat "$work/agent1.err")"
i=0
while [ ! -S "$work/run1/agent.sock" ] && [ $i -lt 30 ]; do sleep 0.1; i=$((i + 1)); done
srv 1 dynamic add mmpolicy name=MM >/dev/null 2>&1
srv 1 dynamic add rule srcaddr=192.0.2.20 dstaddr=me protocol=tcp dstport=23 mmpolicy=MM \
	actioninbound=permit actionoutbound=permit >"$work/out" 2>&1 ||
	not_ok "dynamic add rule under umask 000: $(cat "$work/out")"
set -- "$work/run1/agent.lock" "$work/run1/agent.sock" "$work/run1/dynamic.json" \
	"$work/log1/events.log" "$work/db1" "$work/db1-wal" "$work/db1-shm" "$work/run1"/program-*
modes_are 600 "$@" && modes_are 700 "$work/run1" "$work/log1" &&
	ok "umask 000: the agent's folders are 0700, its files, socket and the store's side files 0600" ||
	not_ok "agent modes"
[ "$(stat -c %U "$work/run1/agent.sock")" = root ] && ok "the socket belongs to root" ||
	not_ok "socket owner: $(stat -c %U "$work/run1/agent.sock")"
kill "$agent_pid"
i=0
while kill -0 "$agent_pid" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done

# --- forged or loose trusted files are refused, naming the path ------------
# refused START-DESC SETUP...: the agent must refuse to start, naming $bad
refused() {
	desc=$1
	: >"$work/agent1.err"
	agent 1
	i=0
	while kill -0 "$agent_pid" 2>/dev/null && [ $i -lt 30 ]; do sleep 0.1; i=$((i + 1)); done
	if kill -0 "$agent_pid" 2>/dev/null; then
		kill "$agent_pid"
		not_ok "$desc: the agent started"
	elif grep -q "$bad.*refusing" "$work/agent1.err"; then
		ok "$desc: refused ($(grep -o 'refusing.*' "$work/agent1.err" | head -1 | cut -c1-50))"
	else
		not_ok "$desc: $(cat "$work/agent1.err")"
	fi
}
chmod 0777 "$work/log1"
bad=$work/log1 refused "a log folder others may write"
chmod 0700 "$work/log1"
chmod 0666 "$work/log1/events.log"
bad=$work/log1/events.log refused "an events.log others may write (forged events)"
chmod 0600 "$work/log1/events.log"
chown 65534 "$work/log1/events.log"
bad=$work/log1/events.log refused "an events.log another user owns"
chown 0 "$work/log1/events.log"
mv "$work/log1/events.log" "$work/events.real"
ln -s "$work/events.real" "$work/log1/events.log"
bad=$work/log1/events.log refused "an events.log that is a symbolic link"
rm "$work/log1/events.log"
mv "$work/events.real" "$work/log1/events.log"
chmod 0757 "$work/run1"
bad=$work/run1 refused "a run folder others may write"
chmod 0700 "$work/run1"

# the dynamic rules' mirror and the saved programs are read by the CLI
echo '[]' >"$work/run1/dynamic.json"
chmod 0666 "$work/run1/dynamic.json"
if srv 1 show table >/dev/null 2>"$work/err"; then
	not_ok "a dynamic.json others may write was trusted"
else
	grep -q "dynamic.json is writable by group or others" "$work/err" &&
		ok "a dynamic.json others may write is refused, naming it" || not_ok "mirror: $(cat "$work/err")"
fi
rm -f "$work/run1/dynamic.json"

# a socket in the run folder that is not root's: the CLI will not talk to it
python3 -c 'import socket,sys,os,time
s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(1); os.chown(sys.argv[1], 65534, 65534)
time.sleep(8)' "$work/run1/agent.sock" &
fake=$!
pids="$pids $fake"
sleep 0.5
if IPSECFW_AGENT_TIMEOUT=2 srv 1 dynamic show rule >/dev/null 2>"$work/err"; then
	not_ok "the CLI talked to a socket that is not root's"
else
	grep -q "not the policy agent's socket" "$work/err" && ok "the CLI refuses a socket that is not root's" ||
		not_ok "fake socket: $(cat "$work/err")"
fi
kill "$fake" 2>/dev/null
rm -f "$work/run1/agent.sock"

# --- outputs never follow a symbolic link -------------------------------
ln -s "$work/victim" "$work/out.netsh"
if (umask 000 && quiet static exportpolicy file="$work/out.netsh"); then
	not_ok "exportpolicy wrote through a symbolic link"
else
	[ ! -e "$work/victim" ] && ok "exportpolicy file= refuses a symbolic link" || not_ok "the link's target was written"
fi
IPSECFW_KERNEL=off "$IPSECFW" static exportpolicy file="$work/out.netsh" 2>&1 | grep -q "symbolic link" &&
	ok "and says so" || not_ok "exportpolicy message"
(umask 000 && IPSECFW_DB="$work/db1" quiet static exportpolicy file="$work/real.netsh")
modes_are 600 "$work/real.netsh" && ok "umask 000: an exported policy (it holds keys) is 0600" ||
	not_ok "export mode"
for fmt in w3c csv json; do
	ln -sf "$work/victim" "$work/out.$fmt"
	if "$IPSECFW" log export --log-dir "$work/log1" --format $fmt -o "$work/out.$fmt" 2>"$work/err"; then
		not_ok "log export $fmt wrote through a symbolic link"
	else
		[ ! -e "$work/victim" ] && grep -q "symbolic link" "$work/err" &&
			ok "log export --format $fmt -o refuses a symbolic link" || not_ok "log export $fmt: $(cat "$work/err")"
	fi
done
(umask 000 && "$IPSECFW" log export --log-dir "$work/log1" -o "$work/real.log" 2>/dev/null)
modes_are 600 "$work/real.log" && ok "umask 000: an exported log is 0600" || not_ok "log export mode"

# --- a file that is not a script: its words are never echoed ---------------
printf 'root:$y$j9T$SECRETHASH:19700:0:99999:7:::\nsvc=SECRETVALUE x\nbin:*:19700::::::\n' >"$work/shadow"
chmod 0600 "$work/shadow"
for how in "-f $work/shadow" "static importpolicy file=$work/shadow" "--facts $work/shadow show facts"; do
	# shellcheck disable=SC2086
	IPSECFW_KERNEL=off "$IPSECFW" $how >"$work/out" 2>&1
	rc=$?
	if [ $rc -ne 0 ] && ! grep -q SECRET "$work/out" && grep -q ":1" "$work/out"; then
		ok "ipsecfw ${how%% *} on a secret file fails without quoting it ($(grep -o ':1[:0-9]*: .*' "$work/out" | head -1 | cut -c1-60))"
	else
		not_ok "ipsecfw $how: rc=$rc $(cat "$work/out")"
	fi
done
printf 'svc:x=1\n' >"$work/tag"
IPSECFW_KERNEL=off "$IPSECFW" -f "$work/tag" >"$work/out" 2>&1
grep -q 'svc' "$work/out" && not_ok "a bad tag is echoed: $(cat "$work/out")" || ok "a bad tag is not echoed"

# --- no store at start: the boot table stays, the store is not made --------
# (a CLI that creates the store is how an admin starts: that stays)
C=${tag}c2 S=${tag}s2
make_pair 2
serve "$S" 80
mkdir -p "$work/root2/etc"
IPSECFW_KERNEL=off srv 2 dynamic set config bootmode block >/dev/null 2>&1
srv 2 boot >/dev/null 2>&1
[ "$(kmode 2)" = boot-block ] || not_ok "boot: $(kmode 2)"
rm -f "$work/db2"
ip netns exec "$S" "$IPSECFWD" --no-journal --db "$work/db2" --facts-root "$work/root2" \
	--run-dir "$work/run2" --log-dir "$work/log2" 2>>"$work/agent2.err" &
agent_pid=$!
pids="$pids $agent_pid"
has_event 2 4283 && ok "a missing store at start is an event (4283)" || not_ok "no 4283: $(cat "$work/agent2.err")"
sleep 0.5
if kill -0 "$agent_pid" 2>/dev/null && [ ! -e "$work/db2" ] && [ "$(kmode 2)" = boot-block ]; then
	ok "the agent runs on, makes no store, and the kernel keeps the boot-block table"
else
	not_ok "missing store: $(kmode 2); $(ls "$work")"
fi
wire 2 "the web is still blocked" drop DROP PASS -- "$C" "$NETPROBE" tcp -w 700 $S4 80
ip netns exec "$S" env -u IPSECFW_KERNEL IPSECFW_DB="$work/scratch2.db" IPSECFW_RUN_DIR="$work/run2" \
	"$IPSECFW" dynamic show rule >"$work/out" 2>&1
grep -q "no store" "$work/out" && ok "dynamic commands wait for the store" || not_ok "dynamic without store: $(cat "$work/out")"
# the admin makes the store: the agent follows it
web_server 2
if mode_is 2 secure 35; then ok "the agent follows the store once it appears"; else
	not_ok "store appeared: $(srv 2 show mode 2>&1)"; fi
wire 2 "the web passes under the policy" pass PASS PASS -- "$C" "$NETPROBE" tcp -w 700 $S4 80
kill "$agent_pid"
wait "$agent_pid" 2>/dev/null

# an empty store at start: the same, and the file stays empty
IPSECFW_KERNEL=off srv 2 dynamic set config bootmode block >/dev/null 2>&1
srv 2 unload >/dev/null 2>&1 # a reboot: boot never replaces a policy in force
srv 2 boot >/dev/null 2>&1
cp "$work/db2" "$work/db2.keep"
: >"$work/db2"
rm -f "$work/db2-wal" "$work/db2-shm"
: >"$work/log2/events.log"
ip netns exec "$S" "$IPSECFWD" --no-journal --db "$work/db2" --facts-root "$work/root2" \
	--run-dir "$work/run2" --log-dir "$work/log2" 2>>"$work/agent2.err" &
agent_pid=$!
pids="$pids $agent_pid"
has_event 2 4283 && sleep 0.5 && [ ! -s "$work/db2" ] && [ "$(kmode 2)" = boot-block ]
[ $? = 0 ] && ok "an empty store at start: 4283, the boot table stays, the file stays empty" ||
	not_ok "empty store: $(tail -2 "$work/log2/events.log")"
kill "$agent_pid"
wait "$agent_pid" 2>/dev/null

# no table in the kernel and no store: block mode, and ready only then
C=${tag}c3 S=${tag}s3
make_pair 3
mkdir -p "$work/root3/etc" "$work/log3"
agent_until_ready 3
# what the kernel held when READY came: the agent has done nothing since
if [ "$(cat "$work/ready")" = READY ] && [ "$(kmode 3)" = block ] && [ ! -e "$work/db3" ]; then
	ok "no table and no store: block mode, then READY"
else
	not_ok "no table, no store: $(cat "$work/ready") $(kmode 3)"
fi
rm -f "$work/db3"
kill "$agent_pid"
wait "$agent_pid" 2>/dev/null

# facts that cannot be read at start: READY only with the boot table kept
C=${tag}c4 S=${tag}s4
make_pair 4
mkdir -p "$work/root4/etc"
web_server 4
IPSECFW_KERNEL=off srv 4 dynamic set config bootmode block >/dev/null 2>&1
srv 4 boot >/dev/null 2>&1
i=0
while [ $i -lt 1100 ]; do
	echo "addr add 10.$((i / 250)).$((i % 250)).1/32 dev eth0"
	i=$((i + 1))
done >"$work/addrs"
ip -n "$S" -batch "$work/addrs"
if srv 4 show facts >/dev/null 2>&1; then
	echo "# SKIP facts do not fail with 1,100 addresses: no case for unreadable facts"
else
	agent_until_ready 4
	if [ "$(cat "$work/ready")" = READY ] && [ "$(kmode 4)" = boot-block ] &&
		grep -q '"id":4290' "$work/log4/events.log"; then
		ok "facts unreadable at start: the boot table stays (4290), then READY"
	else
		not_ok "facts unreadable: $(cat "$work/ready") $(kmode 4) $(tail -2 "$work/log4/events.log")"
	fi
	kill "$agent_pid"
	wait "$agent_pid" 2>/dev/null
fi

echo "1..$n"
[ $failed -eq 0 ]
