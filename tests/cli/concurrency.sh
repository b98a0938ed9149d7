#!/bin/sh
# SPDX-License-Identifier: MIT
# Two ipsecfw processes writing at once: both succeed, or one fails cleanly;
# never a corrupt or half-written store.
. "$(dirname "$0")/lib.sh"

"$IPSECFW" static delete all && "$IPSECFW" static add policy name=P || exit 1
for w in A B; do
	python3 - "$T/$w.netsh" "$w" <<'END'
import sys
path, name = sys.argv[1], sys.argv[2]
with open(path, "w") as f:
    for i in range(5000):
        f.write(f"add filter filterlist=List{name} srcaddr=203.0.113.{i % 250 + 1} dstaddr=me protocol=UDP dstport={i // 250 + 1}\n")
    f.write(f"add filteraction name=Act{name} action=permit\n")
    f.write(f"add rule name=Rule{name} policy=P filterlist=List{name} filteraction=Act{name}\n")
END
done

for round in 1 2 3; do
	"$IPSECFW" static delete rule all P >/dev/null 2>&1
	"$IPSECFW" static delete filterlist all >/dev/null 2>&1
	"$IPSECFW" static delete filteraction all >/dev/null 2>&1
	"$IPSECFW" -f "$T/A.netsh" 2>"$T/A.err" &
	pa=$!
	"$IPSECFW" -f "$T/B.netsh" 2>"$T/B.err" &
	pb=$!
	wait $pa
	ra=$?
	wait $pb
	rb=$?
	for w in A B; do
		eval rc=\$r$(echo $w | tr AB ab)
		n=$(sqlite3 "$IPSECFW_DB" "select count(*) from filters f join filterlists l on f.filterlist_id = l.id where l.name = 'List$w'")
		if [ "$rc" -eq 0 ]; then
			[ "$n" -eq 5000 ]
			ok $? "round $round: writer $w succeeded with all 5000 filters"
		else
			[ "$n" -eq 0 ] && grep -q "busy" "$T/$w.err"
			ok $? "round $round: writer $w failed cleanly (busy) and left nothing ($n filters)"
		fi
	done
	[ "$(sqlite3 "$IPSECFW_DB" 'pragma integrity_check')" = ok ]
	ok $? "round $round: the database passes integrity_check"
	[ "$(sqlite3 "$IPSECFW_DB" 'pragma foreign_key_check' | wc -l)" -eq 0 ]
	ok $? "round $round: no dangling references"
done

done_testing
