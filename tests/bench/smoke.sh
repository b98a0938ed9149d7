#!/bin/bash
# SPDX-License-Identifier: MIT
# smoke.sh - the benchmark tools, quickly, on a small sample of every
# ClassBench family, so they cannot silently break: bench_classify (the
# classifiers agree), bench/datapath (every set loads, its probes pass, an
# address change is an update in place, figures in every column),
# bench/addrchange (the agent enforces an address change), bench/showstats
# (every counted filter listed) and bench/fleet
# (three hosts on a replica slapd follow one directory change; light sync
# clients). The benches make their own network namespaces; this needs root
# and the ClassBench data (BENCH_DATA, default ../shared/bench/classbench)
# and skips without them.
#
# usage: smoke.sh BUILD_DIR SOURCE_DIR
set -u
BUILD=$1 SRC=$2
DATA=${BENCH_DATA:-$SRC/../shared/bench/classbench}
if [ "$(id -u)" -ne 0 ] || ! command -v ip >/dev/null 2>&1; then
	echo "1..0 # SKIP needs root and iproute2 for network namespaces"
	exit 0
fi
families=$(cd "$DATA" 2>/dev/null && ls *_1k.rules.xz 2>/dev/null | sed 's/_1k\.rules\.xz$//')
if [ -z "$families" ]; then
	echo "1..0 # SKIP no ClassBench data in $DATA"
	exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "${work:?}"' EXIT

n=0
failed=0
check() { # check DESC CONDITION-COMMAND...
	local desc=$1
	shift
	n=$((n + 1))
	if "$@"; then echo "ok $n - $desc"; else echo "not ok $n - $desc"; failed=$((failed + 1)); return 1; fi
}

# the sample: the first rules and trace headers of each family's 1k set
sets=""
for f in $families; do
	xz -dc "$DATA/${f}_1k.rules.xz" | head -n 60 | xz >"$work/${f}_s.rules.xz"
	xz -dc "$DATA/${f}_1k.trace.xz" | head -n 300 | xz >"$work/${f}_s.trace.xz"
	sets="$sets ${f}_s"
done
n_sets=$(echo $sets | wc -w)

# shellcheck disable=SC2086
"$BUILD/bench/bench_classify" --dir "$work" $sets >"$work/classify" 2>&1
check "bench_classify: every classifier agrees on every family" \
	grep -q 'all classifiers agree' "$work/classify"

BENCH_DATA=$work BENCH_SETS="$sets" BENCH_NAIVE_SETS="${sets%% *}" \
	timeout 300 "$SRC/bench/datapath" "$BUILD" 1 0.3 >"$work/datapath" 2>&1
rc=$?
check "bench/datapath exits 0 on every family" test $rc = 0
[ $rc = 0 ] || sed 's/^/# /' "$work/datapath"
rows() { grep -c "^ipsecfw ${1}" "$work/datapath"; }
# setup: name filters elements lkp_max lkp_mean apply_ms addr_ms kernel_KB B/filter
setup_ok() {
	awk -v want="$n_sets" '
		$1 == "ipsecfw" && NF == 10 && $2 != "floor" {
			if ($3 ~ /^[0-9]+$/ && $4 ~ /^[1-9][0-9]*$/ && $5 ~ /^[1-9][0-9]*$/ &&
			    $6 ~ /^[0-9.]+$/ && $7 ~ /^[0-9]+$/ && $8 ~ /^[0-9]+$/) good++ }
		END { exit good == want ? 0 : 1 }' "$work/datapath"
}
check "bench/datapath: lookups, apply and in-place address change for every set" setup_ok ||
	sed 's/^/# /' "$work/datapath"
check "bench/datapath: the floor is measured" test "$(rows floor)" -ge 1
# measure: name udp_pps ratio tcp_gbit ratio; the probes must pass everywhere
probes_pass() {
	awk '$1 == "ipsecfw" && NF == 6 { seen++; if ($3 + 0 <= 0) bad++ }
	     END { exit seen >= 2 && !bad ? 0 : 1 }' "$work/datapath"
}
check "bench/datapath: the probe flows pass every policy" probes_pass || sed 's/^/# /' "$work/datapath"

BENCH_DATA=$work BENCH_SETS="$sets" timeout 300 "$SRC/bench/addrchange" "$BUILD" 1 >"$work/addr" 2>&1
rc=$?
check "bench/addrchange exits 0 on every family" test $rc = 0
[ $rc = 0 ] || sed 's/^/# /' "$work/addr"
addr_ok() {
	awk -v want="$n_sets" '$1 ~ /_s$/ && $3 + 0 > 0 && $4 + 0 > 0 { good++ }
		END { exit good == want ? 0 : 1 }' "$work/addr"
}
check "bench/addrchange: both timings for every family" addr_ok || sed 's/^/# /' "$work/addr"

# show stats with every element counted: every filter listed, a time per set
BENCH_DATA=$work BENCH_SETS="$sets" timeout 120 "$SRC/bench/showstats" "$BUILD" 1 >"$work/stats" 2>&1
rc=$?
check "bench/showstats exits 0 on every family" test $rc = 0
[ $rc = 0 ] || sed 's/^/# /' "$work/stats"
# set filters listed keys text_ms json_ms: the exemptions are keys too
stats_ok() {
	awk -v want="$n_sets" '$1 ~ /_s$/ && NF == 6 && $3 > 0 && $3 == $4 && $5 ~ /^[0-9]+$/ &&
		$6 ~ /^[0-9]+$/ { good++ } END { exit good == want ? 0 : 1 }' "$work/stats"
}
check "bench/showstats: every counted key listed, times for every family" stats_ok ||
	sed 's/^/# /' "$work/stats"

# fleet: three hosts, one change, polling; ten sync clients; notify as built
if command -v slapd >/dev/null 2>&1 || [ -x /usr/sbin/slapd ]; then
	timeout 120 "$SRC/bench/fleet" "$BUILD" --hosts 3 --changes 1 --modes "poll notify" \
		--clients 10 --big none >"$work/fleet" 2>&1
	rc=$?
	check "bench/fleet exits 0" test $rc = 0
	[ $rc = 0 ] || sed 's/^/# /' "$work/fleet"
	# mode hosts changes p50 p99 max start_s cpu agent_MB replica_KB
	fleet_ok() {
		awk '$1 == "poll" && $2 == 3 && $3 == 1 && $6 ~ /^[0-9]+$/ && $6 > 0 && $6 < 5000 &&
		     $9 + 0 > 0 { good = 1 } END { exit !good }' "$work/fleet"
	}
	check "bench/fleet: the change is in every host's kernel within the poll interval" fleet_ok ||
		sed 's/^/# /' "$work/fleet"
	# the agent follows the directory (RFC 4533) when it calls libldap's sync client
	notify_ok() {
		if grep -q ldap_sync_init "$BUILD/ipsecfwd"; then
			awk '$1 == "notify" && $2 == 3 && $6 ~ /^[0-9]+$/ && $6 < 5000 { good = 1 }
			     END { exit !good }' "$work/fleet"
		else
			grep -q '^notify: not available in this build' "$work/fleet"
		fi
	}
	check "bench/fleet: notify measured when the agent follows the directory, else said unavailable" \
		notify_ok
	sync_ok() { awk '$1 == 10 && NF == 7 && $5 ~ /^[0-9]+$/ { good = 1 } END { exit !good }' "$work/fleet"; }
	check "bench/fleet: ten sync clients are told of every change" sync_ok
else
	echo "ok $((n += 1)) - bench/fleet # SKIP slapd is not installed"
fi

echo "1..$n"
[ $failed = 0 ]
