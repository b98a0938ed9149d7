#!/bin/sh
# SPDX-License-Identifier: MIT
# The netsh static commands one by one: what each changes and shows; the
# domain store and GPO assignment; JSON; the prompt; the ipsecpol name.
. "$(dirname "$0")/lib.sh"
F="$IPSECFW"

has() { # pattern description command...
	pat=$1
	what=$2
	shift 2
	"$@" >"$T/out" 2>&1
	rc=$?
	if [ $rc -eq 0 ] && grep -qE -- "$pat" "$T/out"; then
		ok 0 "$what"
	else
		sed 's/^/# /' "$T/out" | head -20
		ok 1 "$what"
	fi
}

"$F" -f - <<'END' || exit 1
delete all
add policy name=P description=first
add filteraction name=Permit action=permit
add filteraction name=Block action=block
add filter filterlist=Web srcaddr=any dstaddr=me protocol=TCP dstport=80
add filter filterlist=Web srcaddr=any dstaddr=me protocol=TCP dstport=443
add filter filterlist=Web srcaddr=192.0.2.0 srcmask=24 dstaddr=me protocol=TCP dstport=8080
add filter filterlist=Web srcaddr=192.0.2.0 srcmask=24 dstaddr=me protocol=UDP dstport=8080
add rule name=WebIn policy=P filterlist=Web filteraction=Permit
add filterlist name=Everything
add filter filterlist=Everything srcaddr=any dstaddr=me
add rule name=Rest policy=P filterlist=Everything filteraction=Block
END
ok $? "setup script"

has "Name +: Q$" "set policy newname" sh -c "\"$F\" static set policy name=P newname=Q && \"$F\" static show policy Q"
has "Description +: second" "set policy description by GUID" sh -c "
	guid=\$(\"$F\" -j static show policy Q level=verbose | python3 -c 'import json,sys; print(json.load(sys.stdin)[0][\"guid\"])')
	\"$F\" static set policy guid=\$guid description=second && \"$F\" static show policy Q"
has "QM Per MM +: 1" "mmpfs=yes forces qmpermm=1" sh -c "\"$F\" static set policy Q mmpfs=yes qmpermm=5 2>/dev/null && \"$F\" static show policy Q"
has "Action +: block" "set filteraction" sh -c "\"$F\" static set filteraction Permit action=block && \"$F\" static show filteraction Permit"
"$F" static set filteraction Permit action=permit
has "Filter Count +: 4" "show filterlist" "$F" static show filterlist Web
has "Filter Count +: 2" "delete filter: omitted fields are wildcards" sh -c "\"$F\" static delete filter Web 192.0.2.0 me srcmask=24 && \"$F\" static show filterlist Web"
has "Name +: Web" "show filterlist rule=" "$F" static show filterlist rule=WebIn
has "Name +: Block" "show filteraction rule=" "$F" static show filteraction rule=Rest
has "Rule ID +: 2" "show rule by id" "$F" static show rule id=2 policy=Q
has "Activated +: NO" "set rule activate=no" sh -c "\"$F\" static set rule name=Rest policy=Q activate=no && \"$F\" static show rule Rest Q"
has "psk.{0,4}k1.{0,4}\",\"kerberos" "set rule auth methods, in order" sh -c "\"$F\" static set rule Rest Q psk=k1 kerberos=yes && \"$F\" -j static show rule Rest Q | tr -d ' \\n' | grep -o 'auth.*'"
has "Action +: negotiate" "show rule default" "$F" static show rule default Q
has "Tunnel Endpoint +: 198.51.100.9" "tunnel rule" sh -c "\"$F\" static set rule Rest Q tunnel=198.51.100.9 && \"$F\" static show rule all Q type=tunnel"
has "Name +: WebIn" "show rule type=transport" "$F" static show rule all Q type=transport
has "Rule ID +: 1" "delete rule by id renumbers" sh -c "\"$F\" static delete rule id=1 policy=Q && \"$F\" static show rule all Q"
has "No Rule objects" "delete rule all" sh -c "\"$F\" static delete rule all Q && \"$F\" static show rule all Q"
has "Name +: Q" "delete filterlist then filteraction all once unused" sh -c "\"$F\" static delete filterlist all && \"$F\" static delete filteraction all && \"$F\" static show policy all"
has "Assigned +: YES" "assign=yes" sh -c "\"$F\" static set policy Q assign=yes && \"$F\" static show policy Q"
has "Assigned +: NO" "assign=no" sh -c "\"$F\" static set policy Q assign=no && \"$F\" static show policy Q"
has "No Policy objects" "delete policy all" sh -c "\"$F\" static delete policy all && \"$F\" static show policy all"

# The domain store and its GPO link.
"$F" -f - <<'END'
set store location=domain domain=example.test
add policy name=Corp
set policy name=Corp gponame="Servers GPO"
END
ok $? "a policy in the domain store linked to a GPO"
has "Name +: Corp" "show gpoassignedpolicy" "$F" static show gpoassignedpolicy "Servers GPO"
has "No policy is assigned to the GPO Other" "show gpoassignedpolicy for another GPO" "$F" static show gpoassignedpolicy Other
has "Store +: domain" "show store" sh -c "printf 'set store domain example.test\nshow store\n' | \"$F\" -f -"
has "No Policy objects in the local store" "stores are separate" "$F" static show policy all

# JSON and table formats.
"$F" -j -f - >"$T/all.json" <<'END'
set store location=domain
show all
END
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["policies"][0]["name"]=="Corp"' "$T/all.json"
ok $? "show all -j is one JSON object"
has "Name +Assigned" "table format" sh -c "printf 'set store domain\nshow policy all format=table\n' | \"$F\" -f -"

# dynamic config round trip and positional/prefix forms.
has "Boot Exemptions +: tcp:0:3389:inbound" "set config bootexemptions" sh -c "\"$F\" dynamic set config bootexemptions value=tcp:0:3389:inbound 2>/dev/null && \"$F\" dynamic show config"
has "\"ipsecloginterval\": 120" "set config by property prefix, JSON" sh -c "\"$F\" dynamic set config property=ipseclog value=120 && \"$F\" -j dynamic show config"
has "Filter Counters +: 1" "filtercounters is 1 by default" "$F" dynamic show config
has "\"filtercounters\": 0" "set config filtercounters 0, JSON" sh -c "\"$F\" dynamic set config property=filtercounters value=0 && \"$F\" -j dynamic show config"
has "error: set config: value: bad filtercounters value '2' \\(0..1\\)" "filtercounters is 0 or 1" sh -c "! \"$F\" dynamic set config filtercounters 2"
has "Filter Counters +: 0" "a refused value leaves filtercounters as it was" "$F" dynamic show config
has "Filter Counters +: 1" "set config filtercounters 1 by prefix" sh -c "\"$F\" dynamic set config filterc 1 && \"$F\" dynamic show config"

# Batching turned off inside a script: each command on its own, as -k.
printf 'set batch mode=disable\nadd policy name=Kept\nadd policy name=Kept\nadd policy name=Kept2\n' >"$T/b.netsh"
"$F" -f "$T/b.netsh" 2>"$T/err"
[ $? -ne 0 ] && grep -q "b.netsh:3:17: error: add policy: name: a policy named 'Kept' already exists" "$T/err" &&
	grep -q "b.netsh: 4 commands, 3 applied, 1 refused" "$T/err"
ok $? "a script with batching off goes on past a refused line, and sums up"
has "Name +: Kept2" "and applies the lines after it" "$F" static show policy Kept2
has "Name +: Kept" "and keeps the commands before the error" "$F" static show policy Kept

# The interactive prompt (libedit, on a pseudo-terminal).
python3 - "$F" >"$T/pty" 2>&1 <<'END'
import os, pty, sys, time, select
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], [sys.argv[1]])
out = b""
def read_for(seconds):
    global out
    end = time.time() + seconds
    while time.time() < end:
        r, _, _ = select.select([fd], [], [], 0.1)
        if r:
            try:
                out += os.read(fd, 4096)
            except OSError:
                return
for line in [b"add policy name=Prompted\r", b"dynamic\r", b"show config\r", b"exit\r"]:
    read_for(0.5)
    os.write(fd, line)
read_for(1.5)
os.waitpid(pid, 0)
sys.stdout.write(out.decode(errors="replace"))
END
grep -q "ipsecfw static> " "$T/pty" && grep -q "ipsecfw dynamic> " "$T/pty" && grep -q "IPsec Exempt" "$T/pty"
ok $? "the interactive prompt switches context and runs commands"
has "Name +: Prompted" "a command typed at the prompt is committed" "$F" static show policy Prompted

# Installed as ipsecpol, the program speaks ipsecpol.
ln -s "$(realpath "$F")" "$T/ipsecpol"
has "Name +: ViaName" "ipsecpol by program name" sh -c "\"$T/ipsecpol\" -w REG -p ViaName -r R -f '0+*:25:TCP' -n BLOCK && \"$F\" static show policy ViaName"
has "usage: ipsecpol" "ipsecpol -?" "$T/ipsecpol" -?
has "Name +: R negpol" "ipsecpol re-run replaces the rule" sh -c "\"$T/ipsecpol\" -w REG -p ViaName -r R -f '0+*:587:TCP' -n BLOCK && \"$F\" static show filteraction all"
has "Filter Count +: 1" "with its new filters only" "$F" static show filterlist R
has "no policy named 'ViaName'" "ipsecpol -o deletes the policy" sh -c "\"$T/ipsecpol\" -w REG -p ViaName -o && { \"$F\" static show policy ViaName; true; }"
has "Prompted" "and its lists and actions, not others" sh -c "\"$F\" static show all | grep -E 'Name +: (R|R negpol)\$' && exit 1; \"$F\" static show policy all"

# Every ipsecpol flag lands where netsh would put it.
"$F" pol -w REG -p "Flags:30" -r Secure -f '198.51.*.*=0:53:UDP' '[2001:db8::5]+0::TCP' \
	-n 'ESP[3DES,SHA]100000K/1800SPFS2' INPASS -a PRESHARE:sesame KERBEROS \
	-1s 3DES-SHA-2 DES-MD5-1 -1k 10Q/3600S -1p -lan -t 192.0.2.1 -soft -x 2>"$T/warn"
ok $? "ipsecpol with every static flag"
"$F" static dump >"$T/flags"
for want in 'srcaddr=198.51.0.0 srcmask=255.255.0.0 dstaddr=me protocol=UDP mirrored=no srcport=0 dstport=53' \
	'srcaddr=2001:db8::5 srcmask=128 dstaddr=me protocol=TCP mirrored=yes' \
	'qmpfs=yes inpass=yes soft=yes action=negotiate qmsecmethods=ESP\[3DES,SHA1\]:100000k/1800s' \
	'mmpfs=yes qmpermm=1 mmlifetime=60 activatedefaultrule=yes pollinginterval=30 mmsecmethods="3DES-SHA1-2 DES-MD5-1"' \
	'tunnel=192.0.2.1 conntype=lan activate=yes description="" psk=sesame kerberos=yes' \
	'set policy name=Flags assign=yes'; do
	grep -q -- "$want" "$T/flags"
	ok $? "ipsecpol flags: $want"
done
grep -q "^ipsecpol: warning: add policy: mmpfs=yes forces qmpermm=1" "$T/warn"
ok $? "ipsecpol warns that -1p overrides 10Q"

done_testing
