#!/bin/sh
# SPDX-License-Identifier: MIT
# Bad input: every error names the command, the tag and the reason (scripts:
# file:line:column), the exit status is non-zero, and the store is exactly
# as it was before.
. "$(dirname "$0")/lib.sh"

"$IPSECFW" -f "$SRCDIR/examples/003-packet-filter.netsh" || exit 1
snapshot >"$T/before.sql"

# Runs a failing command line and checks the message and the store.
fails() { # expected-message-part description command...
	want=$1
	what=$2
	shift 2
	"$@" >"$T/out" 2>"$T/err"
	rc=$?
	if [ $rc -ne 0 ] && grep -qF -- "$want" "$T/err"; then
		ok 0 "$what"
	else
		echo "# exit $rc; stderr:"
		sed 's/^/#   /' "$T/err" | head -5
		ok 1 "$what"
	fi
	snapshot >"$T/after.sql"
	cmp -s "$T/before.sql" "$T/after.sql"
	ok $? "$what: store unchanged"
}

# Runs a script from stdin.
script_fails() { # expected description (script on stdin)
	cat >"$T/s.netsh"
	fails "$1" "$2" "$IPSECFW" -f "$T/s.netsh"
}

fails "unknown command 'frobnicate'" "unknown command" "$IPSECFW" static frobnicate policy
fails "unknown command 'add widget'" "unknown object" "$IPSECFW" static add widget name=x
fails "add policy: unknown tag 'colour'" "unknown tag" "$IPSECFW" static add policy name=x colour=red
fails "add filter: unknown tag 'z'" "a tag that prefixes no parameter" "$IPSECFW" static add filter filterlist=x z=me dstaddr=any
fails "add policy: pollinginterval: expected an integer 1..35791394, not 'Korea' (the word 'Korea' was read as pollinginterval, by position)" \
	"an untagged word bound by position says so (argv)" "$IPSECFW" static add policy Seoul Office no 1 1 yes Korea
fails "set policy: name: no policy named 'Packet\\u00a0Filter'" "invisible characters are shown escaped" \
	"$IPSECFW" static set policy name="$(printf 'Packet\302\240Filter')" assign=yes
fails "add rule: policy: required" "missing required tag" "$IPSECFW" static add rule name=r filterlist=x filteraction=y
fails "srcaddr" "bad address" "$IPSECFW" static add filter filterlist=x srcaddr=192.0.2.300 dstaddr=me
fails "srcmask" "bad mask" "$IPSECFW" static add filter filterlist=x srcaddr=192.0.2.0 srcmask=255.0.255.0 dstaddr=me
fails "srcmask" "mask out of range" "$IPSECFW" static add filter filterlist=x srcaddr=192.0.2.0 srcmask=33 dstaddr=me
fails "dstport" "bad port" "$IPSECFW" static add filter filterlist=x srcaddr=any dstaddr=me protocol=TCP dstport=65536
fails "TCP or UDP" "port without TCP/UDP" "$IPSECFW" static add filter filterlist=x srcaddr=any dstaddr=me protocol=ICMP dstport=80
fails "protocol" "bad protocol" "$IPSECFW" static add filter filterlist=x srcaddr=any dstaddr=me protocol=SCTPX
fails "protocol" "protocol out of range" "$IPSECFW" static add filter filterlist=x srcaddr=any dstaddr=me protocol=256
fails "must be 'me'" "server type needs me" "$IPSECFW" static add filter filterlist=x srcaddr=DNS dstaddr=any
fails "already exists" "duplicate policy name" "$IPSECFW" static add policy name="Packet Filter"
fails "already exists" "duplicate filter action name" "$IPSECFW" static add filteraction name=permit
fails "add filter: filter list 'Inbound web protocols' already has the filter srcaddr=any dstaddr=me protocol=TCP dstport=80" "duplicate filter, as written" "$IPSECFW" static add filter filterlist="Inbound web protocols" srcaddr=any dstaddr=me protocol=TCP dstport=80
fails "delete filter: srcaddr: no filter in list 'Inbound web protocols' matches srcaddr=any dstaddr=me protocol=TCP dstport=8080" \
	"delete filter names the criteria as written" "$IPSECFW" static delete filter "Inbound web protocols" any me protocol=TCP dstport=8080
fails "add policy: description: unterminated quote" "argv: an unterminated quote names the command and tag" \
	"$IPSECFW" static add policy name=x 'description="half'
fails "used by 1 rule" "deleting a filter list in use" "$IPSECFW" static delete filterlist name="All inbound traffic"
fails "used by 1 rule" "deleting a filter action in use" "$IPSECFW" static delete filteraction name=Block
fails "used by" "delete filterlist all with lists in use" "$IPSECFW" static delete filterlist all
fails "keyword" "'all' is not a name" "$IPSECFW" static add policy name=all
fails "no policy named 'Nope'" "rule for a missing policy" "$IPSECFW" static add rule name=r policy=Nope filterlist=x filteraction=Block
fails "qmpermm" "number out of range" "$IPSECFW" static set policy name="Packet Filter" qmpermm=-1
fails "yes or no" "bad boolean" "$IPSECFW" static set policy name="Packet Filter" assign=maybe
fails "value" "bad config value" "$IPSECFW" dynamic set config ipsecexempt 4
fails "property" "bad config property" "$IPSECFW" dynamic set config colour 1

# Names and descriptions: valid UTF-8, no control or bidi characters, said
# with the command, the tag and where.
fails "add policy: name: bidirectional control character U+202E at character 2 (byte 2)" \
	"a name with RIGHT-TO-LEFT OVERRIDE" "$IPSECFW" static add policy name="$(printf 'a\342\200\256b')"
fails "add filterlist: name: invalid UTF-8 at byte 2" "a name with a bad byte" \
	"$IPSECFW" static add filterlist name="$(printf 'a\377')"
fails "set policy: description: control character U+009B at character 3" "a description with a C1 control" \
	"$IPSECFW" static set policy name="Packet Filter" description="$(printf 'ab\302\233')"
fails "add rule: name: bidirectional control character U+2067" "a rule name with an isolate" \
	"$IPSECFW" static add rule name="$(printf 'r\342\201\247')" policy="Packet Filter" filterlist=x filteraction=Block
fails "-r: add filterlist: name: bidirectional control character U+200F" "ipsecpol: a rule name with a RIGHT-TO-LEFT MARK" \
	"$IPSECFW" pol -w REG -p "Packet Filter" -r "$(printf 'R\342\200\217')" -f '*+0' -n PASS
# Numbers that other resolvers read as addresses: refused, never resolved.
fails "srcaddr: bad address '0x7f.1': an IPv4 address is four decimal numbers" "srcaddr=0x7f.1" \
	"$IPSECFW" static add filter filterlist=x srcaddr=0x7f.1 dstaddr=me
fails "dstaddr: bad address '127.1'" "dstaddr=127.1" "$IPSECFW" static add filter filterlist=x srcaddr=me dstaddr=127.1
fails "would be read as 15.0.0.1" "srcaddr=017.0.0.1 (octal)" \
	"$IPSECFW" static add filter filterlist=x srcaddr=017.0.0.1 dstaddr=me

script_fails "s.netsh:2:29: error: add policy: desc: unterminated quote" "unterminated quote, with line, column, command and tag" <<'END'
add filteraction name=Extra action=permit
add policy name=Second desc="oops
END

script_fails "s.netsh:3:" "a script stops at its first error and applies nothing" <<'END'
add filteraction name=Extra action=permit
add policy name=Second
add filter filterlist=New srcaddr=me dstaddr=nowhere..invalid
END
grep -q "s.netsh: line 3 was refused, so nothing was applied; in force: persistent none, local 'Packet Filter'" "$T/err"
ok $? "the script says nothing was applied and what is in force"

script_fails "s.netsh:1:1: error: static: unknown command" "column points at the command" <<'END'
florp all
END

# A 1 MB line, binary garbage and NUL bytes.
python3 -c 'import sys; sys.stdout.write("add policy name=" + "x" * (1 << 20) + "\n")' >"$T/long.netsh"
fails "at most 255 characters" "a 1 MB line" "$IPSECFW" -f "$T/long.netsh"
head -c 4096 /dev/urandom >"$T/garbage.netsh"
printf '\001\002garbage\n' >>"$T/garbage.netsh"
fails "error:" "binary garbage" "$IPSECFW" -f "$T/garbage.netsh"
printf 'add policy name=a\0b\n' >"$T/nul.netsh"
fails "NUL" "a NUL byte" "$IPSECFW" -f "$T/nul.netsh"

# 100,000 lines whose last one fails: nothing of the 99,999 is applied.
python3 - "$T/big.netsh" <<'END'
import sys
with open(sys.argv[1], "w") as f:
    for i in range(99999):
        f.write(f"add filter filterlist=Big srcaddr=198.51.100.{i % 250 + 1} dstaddr=me protocol=TCP dstport={i // 250 + 1}\n")
    f.write("add filter filterlist=Big srcaddr=bad..name dstaddr=me\n")
END
fails "big.netsh:100000:" "a 100,000-line script failing on its last line" "$IPSECFW" -f "$T/big.netsh"

# ipsecpol errors.
fails "remote machines are not supported" "ipsecpol \\\\machine" "$IPSECFW" pol '\\server' -w REG -p P -x
fails "is neither REG nor DS" "ipsecpol unknown -w" "$IPSECFW" pol -w REGISTRY -p P -x
fails "unknown protocol 'TPC'" "ipsecpol unknown protocol" "$IPSECFW" pol -w REG -p P -r R -f '*+0:80:TPC' -n PASS
fails "-y: no policy named 'Missing'" "ipsecpol -y on a missing policy" "$IPSECFW" pol -w REG -p Missing -y
fails "at most 255" "ipsecpol -p longer than a name" "$IPSECFW" pol -w REG -p "$(printf '%0300d' 0)" -x
fails "bad port" "ipsecpol bad port" "$IPSECFW" pol -w REG -p P -r R -f '*+0:99999:TCP' -n PASS
fails "unknown negotiation policy" "ipsecpol bad -n" "$IPSECFW" pol -w REG -p P -r R -f '*+0' -n ALLOW
fails "-r: a rule name is required" "ipsecpol -f without -r" "$IPSECFW" pol -w REG -p P -f '*+0' -n PASS
fails "TCP or UDP" "ipsecpol port with ICMP fails after earlier changes, nothing kept" "$IPSECFW" pol -w REG -p NewPol -r R -f '*+0:80:ICMP' -n PASS

done_testing
