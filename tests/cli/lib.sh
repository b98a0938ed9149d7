# SPDX-License-Identifier: MIT
# lib.sh - TAP helpers for the command-line tests. Usage: . lib.sh IPSECFW SRCDIR
IPSECFW=$1
SRCDIR=$2
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT INT TERM
export IPSECFW_DB="$T/ipsecfw.db"
tap_n=0
tap_failed=0

ok() { # condition-status description
	tap_n=$((tap_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $tap_n - $2"
	else
		echo "not ok $tap_n - $2"
		tap_failed=$((tap_failed + 1))
	fi
}

# Compares a file with an expected one, showing the difference on failure.
same() { # expected actual description
	# GOLDEN_UPDATE=1 rewrites the expected files (review the diff!).
	[ "${GOLDEN_UPDATE:-0}" = 1 ] && cp "$2" "$1"
	if diff -u "$1" "$2" >"$T/diff" 2>&1; then
		ok 0 "$3"
	else
		sed 's/^/# /' "$T/diff"
		ok 1 "$3"
	fi
}

# The whole database as SQL, to prove a failure changed nothing.
snapshot() {
	sqlite3 "$IPSECFW_DB" .dump
}

done_testing() {
	echo "1..$tap_n"
	[ "$tap_failed" -eq 0 ]
}

# Runs the examples' ipsecpol lines.
run_ipsecpol_file() {
	grep -v '^#' "$1" | while IFS= read -r line; do
		[ -n "$line" ] || continue
		eval "\"\$IPSECFW\" pol $line" || return 1
	done
}

# "VERDICT rule" of a packet, from `F -j test` (F: ipsecfw with the test's
# options, defined by the caller).
verdict() {
	F -j test "$@" | python3 -c 'import json,sys
d = json.load(sys.stdin); b = d["decided_by"] or {}
print(d["verdict"], b.get("rule") or b.get("exemption") or "-")'
}

# A packet's verdict and deciding rule, as a test.
expect() { # want description packet...
	want=$1 what=$2
	shift 2
	got=$(verdict "$@")
	[ "$got" = "$want" ]
	ok $? "$what: $want"
	[ "$got" = "$want" ] || echo "#   got '$got'"
}
