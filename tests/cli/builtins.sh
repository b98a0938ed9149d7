#!/bin/sh
# SPDX-License-Identifier: MIT
# The built-in objects of a fresh store (SPEC §15): what a new database
# holds, scripts that use Permit and All IP Traffic without making them,
# the built-in policies compiled and probed, delete all, `restore defaults`
# and what an older database gets (nothing unasked).
. "$(dirname "$0")/lib.sh"

cat >"$T/facts" <<'X'
addr 192.0.2.10/24
dns 198.51.100.53
gateway 192.0.2.1
X
F() { "$IPSECFW" --facts "$T/facts" "$@"; }
# "kind name guid" lines of the store's objects, sorted.
objects() {
	F -j static show all level=verbose | python3 -c 'import json,sys
d = json.load(sys.stdin)
for kind in ("policies", "filterlists", "filteractions"):
    for o in d[kind]:
        print(kind, o["name"], o["guid"])' | sort
}

# --- a fresh store --------------------------------------------------------
objects >"$T/fresh"
cat >"$T/want" <<'X'
filteractions Permit {7238523B-70FA-11D1-864C-14A300000000}
filteractions Request Security (Optional) {72385233-70FA-11D1-864C-14A300000000}
filteractions Require Security {7238523F-70FA-11D1-864C-14A300000000}
filterlists All ICMP Traffic {72385235-70FA-11D1-864C-14A300000000}
filterlists All IP Traffic {7238523A-70FA-11D1-864C-14A300000000}
policies Client (Respond Only) {72385236-70FA-11D1-864C-14A300000000}
policies Secure Server (Require Security) {7238523C-70FA-11D1-864C-14A300000000}
policies Server (Request Security) {72385230-70FA-11D1-864C-14A300000000}
X
same "$T/want" "$T/fresh" "a fresh local store holds Windows' objects with their GUIDs"

F -j static show all level=verbose >"$T/all.json"
python3 - "$T/all.json" <<'X'
import json, sys
d = json.load(open(sys.argv[1]))
acts = {a["name"]: a for a in d["filteractions"]}
lists = {l["name"]: l for l in d["filterlists"]}
pols = {p["name"]: p for p in d["policies"]}
def check(cond, what):
    if not cond:
        sys.exit("not as built: " + what)
check(acts["Permit"]["action"] == "permit", "Permit permits")
for n, soft in (("Request Security (Optional)", True), ("Require Security", False)):
    a = acts[n]
    check(a["action"] == "negotiate" and a["inpass"] and a["soft"] == soft and not a["qmpfs"], n)
check(acts["Require Security"]["qmsecmethods"][0] == "ESP[3DES,SHA1]:100000k/900s",
      "Require Security offers 3DES/SHA1 for 900 s first")
for n, proto in (("All IP Traffic", "ANY"), ("All ICMP Traffic", "ICMP")):
    f = lists[n]["filters"]
    check(len(f) == 1 and f[0]["srcaddr"] == "me" and f[0]["dstaddr"] == "any" and
          f[0]["mirrored"] and f[0]["protocol"] == proto, n)
check(all(not p["assigned"] for p in pols.values()), "no policy assigned")
check(pols["Client (Respond Only)"]["rules"] == [], "Client has only the default response rule")
for n, lst, act in (("Server (Request Security)", "All IP Traffic", "Request Security (Optional)"),
                    ("Secure Server (Require Security)", "All IP Traffic", "Require Security")):
    p = pols[n]
    got = sorted((r["filterlist"], r["filteraction"]) for r in p["rules"])
    check(got == sorted([(lst, act), ("All ICMP Traffic", "Permit")]), n + " rules")
    check(all(r["auth"] == ["kerberos"] and r["active"] and r["conntype"] == "all" and
              not r["tunnel"] for r in p["rules"]), n + " rules: Kerberos, active, all, transport")
for p in pols.values():
    dr = p["defaultrule"]
    check(dr["active"] and dr["auth"] == ["kerberos"] and len(dr["qmsecmethods"]) == 6,
          p["name"] + " default response rule")
    check(p["mmlifetime"] == 480 and p["pollinginterval"] == 180 and p["qmpermm"] == 0 and
          not p["mmpfs"], p["name"] + " main mode")
X
ok $? "the built-ins' settings are Windows' (negotiate, inpass, soft, filters, rules)"

F show table >"$T/table"
grep -q "no policy\|ipsecexempt" "$T/table" && ! grep -q "All IP Traffic" "$T/table"
ok $? "the built-ins change nothing in force (unassigned)"
printf 'set store location=persistent\nshow all\n' | F -f - >"$T/pers"
grep -q "No Policy objects in the persistent store" "$T/pers"
ok $? "the persistent store starts empty"

# --- a script that uses them without making them ---------------------------
F -f - <<'X'
add policy name="Web Lockdown" activatedefaultrule=no
add filteraction name=Block action=block
add filter filterlist=Web srcaddr=any dstaddr=me protocol=TCP dstport=80
add rule name=Web policy="Web Lockdown" filterlist=Web filteraction=Permit
add rule name=Rest policy="Web Lockdown" filterlist="All IP Traffic" filteraction=Block
set policy name="Web Lockdown" assign=yes
X
ok $? "a script using Permit and All IP Traffic without creating them runs"
expect "PASS Web" "web in through the built-in Permit" in tcp 203.0.113.9:40000 me:80
expect "DROP Rest" "ssh in blocked by the built-in All IP Traffic" in tcp 203.0.113.9:40000 me:22
expect "DROP Rest" "all IP traffic out blocked (me -> any)" out udp me:5000 198.51.100.7:5000
F static set policy name="Web Lockdown" assign=no

# --- the built-in policies, assigned -----------------------------------------
F static set policy name="Secure Server (Require Security)" assign=yes
ok $? "Secure Server (Require Security) can be assigned"
F show table >"$T/table"
grep -q "rule 'Require Security' of policy 'Secure Server (Require Security)'" "$T/table" &&
	grep -q "in=negotiate out=negotiate inpass" "$T/table"
ok $? "it compiles: All IP Traffic negotiates, with inpass"
expect "DROP Require Security" "Secure Server: clear traffic out (no SA, soft=no)" \
	out tcp me:40000 203.0.113.9:80
expect "PASS Require Security" "Secure Server: clear traffic in (inpass)" \
	in tcp 203.0.113.9:40000 me:80
expect "PASS Permit unsecure ICMP packets to pass through." "Secure Server: ICMP out" \
	out icmp me 203.0.113.9 type 8 code 0
expect "DROP Require Security" "Secure Server: broadcast in meets negotiate" \
	in udp 192.0.2.77:137 192.0.2.255:137

F static set policy name="Server (Request Security)" assign=yes
expect "PASS Request Security (Optional) Rule" "Server: clear traffic out (soft)" \
	out tcp me:40000 203.0.113.9:80
expect "PASS Request Security (Optional) Rule" "Server: clear traffic in (inpass)" \
	in tcp 203.0.113.9:40000 me:80
F static set policy name="Client (Respond Only)" assign=yes
expect "PASS -" "Client (Respond Only): no filters, everything passes" \
	out tcp me:40000 203.0.113.9:80
F static set policy name="Client (Respond Only)" assign=no

# --- delete all, restore defaults ---------------------------------------------
F static delete all
ok $? "delete all"
F static show all >"$T/out"
grep -q "No Policy objects" "$T/out" && ! grep -q "Permit\|All IP Traffic\|Require Security" "$T/out"
ok $? "delete all removes the built-ins like any other object"
F static restore defaults >"$T/out"
ok $? "restore defaults runs"
[ "$(grep -c "^Restored the built-in" "$T/out")" -eq 8 ]
ok $? "it recreates all eight objects"
objects >"$T/restored"
same "$T/want" "$T/restored" "with Windows' names and GUIDs"
F static restore defaults >"$T/out"
ok $? "restore defaults again"
[ ! -s "$T/out" ]
ok $? "is a no-op when nothing is missing"
objects >"$T/again"
same "$T/want" "$T/again" "and changes nothing"

# Only what is missing; what exists is left alone.
F -f - <<'X'
set filteraction name=Permit description="ours now"
delete policy name="Client (Respond Only)"
X
F static restore defaults >"$T/out"
grep -qx "Restored the built-in policy 'Client (Respond Only)'." "$T/out" &&
	[ "$(wc -l <"$T/out")" -eq 1 ]
ok $? "restore defaults recreates only the missing policy"
F static show filteraction Permit >"$T/out"
grep -q "ours now" "$T/out"
ok $? "and leaves an existing built-in as it is"

# Refused, with nothing written, when another object holds a built-in name.
F -f - <<'X'
delete all
add filteraction name=Permit action=block
X
F static restore defaults >"$T/out" 2>"$T/err"
[ $? -ne 0 ] && grep -q "restore defaults" "$T/err" && grep -q "'Permit' is not the built-in one" "$T/err"
ok $? "refused when another filter action is named Permit: $(head -1 "$T/err")"
F static show filterlist all >"$T/out"
! grep -q "All IP Traffic" "$T/out"
ok $? "and nothing was restored"
printf 'set store location=persistent\nrestore defaults\n' | F -f - >"$T/out" 2>&1
[ $? -ne 0 ] && grep -q "belong to the local store" "$T/out"
ok $? "restore defaults is refused in the persistent store"

# --- a script that makes Permit itself, as many published ones do -------------
export IPSECFW_DB="$T/again.db"
F static add filteraction name=Permit action=permit 2>"$T/err"
ok $? "add filteraction Permit action=permit on a fresh store keeps the built-in"
grep -q "note: the built-in filter action 'Permit' already does what this asks" "$T/err"
ok $? "... and says so in a note"
F static show filteraction name=Permit verbose | grep -q "{7238523B-70FA-11D1-864C-14A300000000}"
ok $? "... the built-in (Windows' GUID) is the one kept"
F static add filteraction name=Permit action=block 2>"$T/err"
[ $? -ne 0 ] && grep -q "a filter action named 'Permit' already exists" "$T/err"
ok $? "asking for another verdict under the built-in's name is still refused"
F static add filteraction name="Require Security" action=negotiate inpass=no 2>"$T/err"
[ $? -ne 0 ]
ok $? "Require Security with inpass=no is another verdict: refused"

# --- a database made by an older ipsecfw --------------------------------------
export IPSECFW_DB="$T/old.db"
F static delete all
sqlite3 "$IPSECFW_DB" "DROP TABLE pending_assign; PRAGMA user_version = 1;"
F static show all >"$T/out"
ok $? "a schema-1 database opens (migrated)"
[ "$(sqlite3 "$IPSECFW_DB" 'PRAGMA user_version')" -gt 1 ] &&
	[ "$(sqlite3 "$IPSECFW_DB" 'SELECT count(*) FROM policies')" -eq 0 ]
ok $? "migration adds no built-in objects to an existing store"
F static restore defaults >/dev/null && objects >"$T/old"
same "$T/want" "$T/old" "restore defaults gives an old store the built-ins"

done_testing
