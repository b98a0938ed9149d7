#!/bin/sh
# SPDX-License-Identifier: MIT
# Golden tests: the source articles' scenarios give exactly the expected
# `show all` output and export.
. "$(dirname "$0")/lib.sh"
G="$SRCDIR/tests/golden"
E="$SRCDIR/examples"

check_store() { # name [store]
	printf 'set store location=%s\nshow all\n' "${2:-local}" | "$IPSECFW" -f - >"$T/$1.show" 2>&1
	ok $? "$1: show all runs"
	same "$G/$1.show" "$T/$1.show" "$1: show all matches"
	printf 'set store location=%s\nexportpolicy file=%s\n' "${2:-local}" "$T/$1.export" |
		"$IPSECFW" -f - 2>&1
	ok $? "$1: export runs"
	same "$G/$1.export" "$T/$1.export" "$1: export matches"
	printf 'set store location=%s\nshow all\n' "${2:-local}" | "$IPSECFW" -j -f - >"$T/$1.json"
	python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$T/$1.json"
	ok $? "$1: show all -j is valid JSON"
}

rm -f "$IPSECFW_DB"
"$IPSECFW" -f "$E/001-web-server.netsh" 2>"$T/warn"
ok $? "001 web server script runs"
check_store 001-web-server
"$IPSECFW" dynamic show config >"$T/config"
same "$G/001-web-server.config" "$T/config" "001: dynamic config kept"

rm -f "$IPSECFW_DB"
"$IPSECFW" -f "$E/003-packet-filter.netsh"
ok $? "003 packet filter (netsh) runs"
check_store 003-packet-filter-netsh

rm -f "$IPSECFW_DB"
run_ipsecpol_file "$E/003-packet-filter.ipsecpol"
ok $? "003 packet filter (ipsecpol) runs"
check_store 003-packet-filter-ipsecpol

rm -f "$IPSECFW_DB"
"$IPSECFW" -f "$E/000-persistent-block80.netsh"
ok $? "000 persistent Block80 runs"
check_store 000-persistent-block80 persistent
"$IPSECFW" static show all >"$T/local"
! grep -q "Block80" "$T/local" && grep -q "Client (Respond Only)" "$T/local"
ok $? "000: the local store keeps only its built-in objects"
"$IPSECFW" static show policy all format=table | grep -c " NO " >"$T/count"
[ "$(cat "$T/count")" -eq 3 ]
ok $? "000: none of the three built-in policies is assigned"

done_testing
