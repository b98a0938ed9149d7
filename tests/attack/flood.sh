#!/bin/sh
# SPDX-License-Identifier: MIT
# flood.sh IPSECFW IPSECFWD NETPROBE SRCDIR - a remote flood of blocked
# packets with random ports, for 30 s at a bounded rate (~1,000 a second,
# real packets between namespaces): the event log grows by one interval's
# capped records, not by a record per port, the agent's memory stays
# bounded, and events.log is rotated by size into at most 4 old files.
IPSECFW=$1 IPSECFWD=$2 NETPROBE=$3 SRC=$4
. "$SRC/tests/e2e/lib.sh"
FLOOD_S=${FLOOD_S:-30}

C=${tag}c1 S=${tag}s1
make_pair 1
mkdir -p "$work/root1/etc"
web_server 1
IPSECFW_KERNEL=off srv 1 dynamic set config ipsecdiagnostics 7 >/dev/null 2>&1
size() { stat -c %s "$1" 2>/dev/null || echo 0; }
rss_kb() { sed -n 's/^VmRSS:[^0-9]*\([0-9]*\).*/\1/p' "/proc/$agent_pid/status"; }
# flood SECONDS [spoof]: UDP from the client to the server, random ports,
# ~1,000/s; spoof: from random documentation addresses too
flood() {
	awk -v n=$(($1 * 950)) -v seed=$$ -v spoof="${2:-}" 'BEGIN { srand(seed); for (i = 0; i < n; i++) {
		src = spoof ? sprintf("%s.%d", rand() < 0.5 ? "198.51.100" : "203.0.113", 1 + int(rand() * 254)) \
			    : "192.0.2.20"
		printf "udp %s 192.0.2.10 %d %d\n", src, 1024 + int(rand() * 64000), 1 + int(rand() * 65000) } }' |
		in_ns "$C" "$NETPROBE" inject -g 1
}
# records FILE: the drop records and the packets they count
records() {
	python3 - "$1" <<'END'
import json, sys
recs = packets = suppressed = folded = 0
for line in open(sys.argv[1], errors="replace"):
    try:
        ev = json.loads(line)
    except ValueError:
        continue
    if ev.get("id") in (4280, 4281):
        recs += 1
        packets += ev.get("count", 0)
        folded += ev.get("dport") == "*"
    elif ev.get("id") == 4284:
        suppressed += ev.get("count", 0)
print(recs, packets, folded, suppressed)
END
}

# --- one interval of a 30 s flood -------------------------------------
agent 1
mode_is 1 secure || not_ok "the agent did not start: $(cat "$work/agent1.err")"
sleep 0.5
log=$work/log1/events.log
size0=$(size "$log")
rss0=$(rss_kb)
t0=$(date +%s)
flood "$FLOOD_S"
took=$(($(date +%s) - t0))
kill -USR1 "$agent_pid"
sleep 1
size1=$(size "$log")
rss1=$(rss_kb)
tail -c +$((size0 + 1)) "$log" >"$work/grown"
set -- $(records "$work/grown")
recs=$1 packets=$2 folded=$3 suppressed=$4
grown=$((size1 - size0))
echo "# flood: ${took} s of random-port UDP; the kernel logged $((packets + suppressed)) drops"
echo "# events.log grew by $grown bytes: $recs drop records ($folded without ports), $suppressed drops counted as suppressed"
echo "# one record per port would be about $(( (packets + suppressed) * (grown / (recs + 1)) )) bytes"
echo "# agent VmRSS $rss0 -> $rss1 kB"
[ $((packets + suppressed)) -ge 1000 ] && ok "the flood was logged by the kernel ($((packets + suppressed)) drops)" ||
	not_ok "too few drops logged: $((packets + suppressed))"
[ "$recs" -le 1024 ] && ok "at most 1,024 drop records for the interval ($recs)" || not_ok "$recs records"
[ "$grown" -le 1048576 ] && ok "events.log grew by $grown bytes (at most 1 MiB)" ||
	not_ok "events.log grew by $grown bytes"
[ "$folded" -ge 1 ] && ok "random ports fold into records without ports ($folded)" || not_ok "no folded record"
if ldd "$IPSECFWD" | grep -q libasan; then
	ok "memory # SKIP AddressSanitizer keeps freed memory in quarantine (VmRSS $rss0 -> $rss1 kB)"
else
	[ "$rss1" -le $((rss0 + 8192)) ] && ok "agent memory bounded (VmRSS $rss0 -> $rss1 kB)" ||
		not_ok "VmRSS grew: $rss0 -> $rss1 kB"
fi

# random sources too: records run out, the rest is a count
size0=$(size "$log")
flood 10 spoof
kill -USR1 "$agent_pid"
sleep 1
tail -c +$((size0 + 1)) "$log" >"$work/grown"
set -- $(records "$work/grown")
echo "# spoofed flood: $1 drop records ($3 without ports), $4 drops counted as suppressed, $(($(size "$log") - size0)) bytes"
[ "$1" -le 1024 ] && [ "$4" -ge 1 ] && grep -q '"id":4284' "$work/grown" &&
	ok "random sources: at most 1,024 records, then one 'suppressed' event (4284, $4 drops)" ||
	not_ok "spoofed flood: $*"
kill "$agent_pid"
i=0
while kill -0 "$agent_pid" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done

# --- many intervals: events.log rotates by size, 4 old files kept ----------
ip netns exec "${tag}s1" "$IPSECFWD" --no-journal --db "$work/db1" --facts-root "$work/root1" \
	--run-dir "$work/run1" --log-dir "$work/log1" --log-max-size 65536 2>>"$work/agent1.err" &
agent_pid=$!
pids="$pids $agent_pid"
mode_is 1 secure || not_ok "the agent did not restart"
flood 12 &
flooder=$!
i=0
while [ $i -lt 12 ]; do
	sleep 1
	kill -USR1 "$agent_pid"
	i=$((i + 1))
done
wait "$flooder"
kill -USR1 "$agent_pid"
sleep 0.5
total=$(cat "$log"* | wc -c)
largest=$(for f in "$log"*; do size "$f"; done | sort -n | tail -1)
files=$(ls "$log"* | wc -l)
echo "# rotation at 64 KiB: $files files, $total bytes in all, the largest $largest bytes"
[ -e "$log.4" ] && [ ! -e "$log.5" ] && [ "$files" -eq 5 ] &&
	ok "events.log rotated into events.log.1 to .4, none older kept" || not_ok "rotated files: $(ls "$work/log1")"
[ "$largest" -le $((65536 + 4096)) ] && [ "$total" -le $((5 * (65536 + 4096))) ] &&
	ok "the log folder stays bounded ($total bytes)" || not_ok "log folder: $total bytes, largest $largest"
[ "$(stat -c %a "$log.1")" = 600 ] && ok "rotated files stay 0600" || not_ok "rotated mode $(stat -c %a "$log.1")"
"$IPSECFW" log export --log-dir "$work/log1" -o "$work/export.log" 2>/dev/null &&
	python3 "$SRC/tests/tools/w3cread.py" "$work/export.log" >/dev/null &&
	ok "the export reads the current events.log with folded ports" || not_ok "export after rotation"

echo "1..$n"
[ $failed -eq 0 ]
