#!/bin/sh
# SPDX-License-Identifier: MIT
# IKE mapping goldens: each scenario in tests/golden/ike/ (every SPEC
# combination of main mode, quick mode, authentication and filters) gives
# exactly the expected `show ike` text; -j is valid JSON; keys are never
# shown.
. "$(dirname "$0")/lib.sh"
G="$SRCDIR/tests/golden/ike"
FACTS="$SRCDIR/examples/webserver.facts"

# Rule GUIDs are random: their hex in connection names is normalised.
normalise() {
	sed 's/ipsecfw-[0-9a-f]\{8\}/ipsecfw-XXXXXXXX/g'
}

for script in "$G"/*.netsh; do
	name=$(basename "$script" .netsh)
	rm -f "$IPSECFW_DB"
	"$IPSECFW" -f "$script" >"$T/out" 2>&1
	ok $? "$name: script runs"
	"$IPSECFW" --facts "$FACTS" show ike >"$T/raw" 2>&1
	ok $? "$name: show ike runs"
	normalise <"$T/raw" >"$T/$name.conf"
	same "$G/$name.conf" "$T/$name.conf" "$name: show ike matches"
	! grep -Eq 'correct horse|respond-key|tunnel-key|dns-key' "$T/raw"
	ok $? "$name: no preshared key in the output"
	"$IPSECFW" --facts "$FACTS" -j show ike >"$T/json"
	python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$T/json"
	ok $? "$name: show ike -j is valid JSON"
done

# The web-server example with its admin rule.
rm -f "$IPSECFW_DB"
"$IPSECFW" -f "$SRCDIR/examples/001-web-server.netsh" >/dev/null 2>&1 &&
	"$IPSECFW" -f "$SRCDIR/examples/002-web-server-admin.netsh" >"$T/out" 2>&1
ok $? "examples 001 and 002 run"
"$IPSECFW" --facts "$FACTS" show ike | normalise >"$T/web-server-admin.conf"
same "$G/web-server-admin.conf" "$T/web-server-admin.conf" "web server admin rule: show ike matches"

rm -f "$IPSECFW_DB"
"$IPSECFW" show ike extra >/dev/null 2>"$T/err"
[ $? -eq 2 ] && grep -q 'show facts | table | ike' "$T/err"
ok $? "show ike with an extra word is refused with usage"

done_testing
