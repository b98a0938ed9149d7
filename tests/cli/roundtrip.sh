#!/bin/sh
# SPDX-License-Identifier: MIT
# Export, import into an empty store, export again: identical files, for
# every example, for a store using every kind of field, and for stores with
# the built-in objects untouched (written as `restore defaults`) or changed
# (written like any object).
. "$(dirname "$0")/lib.sh"
E="$SRCDIR/examples"

roundtrip() { # name store
	printf 'set store location=%s\nexportpolicy file=%s\n' "$2" "$T/$1.a" | "$IPSECFW" -f -
	ok $? "$1: first export"
	IPSECFW_DB="$T/$1.second.db" "$IPSECFW" -f - >/dev/null <<-END
		set store location=$2
		delete all
		importpolicy file=$T/$1.a
		exportpolicy file=$T/$1.b
	END
	ok $? "$1: import into an empty store and export again"
	same "$T/$1.a" "$T/$1.b" "$1: the two exports are identical"
}

for f in 001-web-server.netsh 003-packet-filter.netsh; do
	rm -f "$IPSECFW_DB"
	"$IPSECFW" -f "$E/$f" 2>/dev/null
	roundtrip "$f" local
done
rm -f "$IPSECFW_DB"
"$IPSECFW" -f "$E/000-persistent-block80.netsh"
roundtrip block80 persistent

rm -f "$IPSECFW_DB"
"$IPSECFW" -f - <<'END'
add policy name="Every Field" description="all the options" mmpfs=yes mmlifetime=60 activatedefaultrule=no pollinginterval=5 mmsecmethods="3DES-SHA-3 DES-MD5-1"
add filteraction name=Secure description="negotiate" qmpfs=y inpass=y soft=y action=negotiate qmsecmethods="ESP[3DES,SHA1]:50000k/1800s AH[MD5]+ESP[DES,None]"
add filteraction name=Pass action=permit
add filter filterlist=Mixed srcaddr=192.0.2.0 srcmask=255.255.255.0 dstaddr=me protocol=UDP srcport=1000-2000 dstport=53 mirrored=no description="a range"
add filter filterlist=Mixed srcaddr=2001:db8::/48 dstaddr=me protocol=TCP dstport=22
add filter filterlist=Mixed srcaddr=me dstaddr=GATEWAY protocol=ICMP icmptype=8 icmpcode=0
add filter filterlist=Mixed srcaddr=localhost dstaddr=198.51.100.7 protocol=47
add filter filterlist=Mixed srcaddr=203.0.113.0/25 dstaddr=any protocol=RAW
add filterlist name=Empty description="no filters yet"
add rule name=R1 policy="Every Field" filterlist=Mixed filteraction=Secure tunnel=192.0.2.1 conntype=lan activate=no description="tunnel rule" psk="sesame" kerberos=yes rootca="C=US, O=\'Example CA\' certmap:yes excludecaname:no"
add rule name=R2 policy="Every Field" filterlist=Mixed filteraction=Pass kerberos=no psk=k2 conntype=dialup
set defaultrule policy="Every Field" qmpfs=yes activate=no psk=dr
set policy name="Every Field" assign=yes
END
ok $? "a store using every field is built"
roundtrip every-field local
grep -q "srcname=localhost" "$T/every-field.a"
ok $? "a DNS-derived address keeps its name in the export"
grep -q "rootca=\"C=US, O=\\\\'Example CA\\\\' certmap:yes excludecaname:no\"" "$T/every-field.a"
ok $? "rootca quotes are written back as \\'"

grep -qx "restore defaults" "$T/every-field.a"
ok $? "untouched built-in objects are exported as restore defaults"

rm -f "$IPSECFW_DB"
"$IPSECFW" static set policy name="Server (Request Security)" assign=yes
roundtrip assigned-builtin local
grep -qx "restore defaults" "$T/assigned-builtin.a" &&
	grep -qx 'set policy name="Server (Request Security)" assign=yes' "$T/assigned-builtin.a"
ok $? "an assigned, untouched built-in policy: restore defaults, then its assignment"

rm -f "$IPSECFW_DB"
"$IPSECFW" -f - <<'END'
set filteraction name=Permit description="changed here"
add filter filterlist="All IP Traffic" srcaddr=198.51.100.0 srcmask=24 dstaddr=me
add rule name=Extra policy="Client (Respond Only)" filterlist="All IP Traffic" filteraction=Permit
set policy name="Secure Server (Require Security)" assign=yes
END
ok $? "a store with changed built-in objects is built"
roundtrip changed-builtins local
! grep -q "restore defaults" "$T/changed-builtins.a" &&
	grep -q 'add filteraction name=Permit description="changed here"' "$T/changed-builtins.a" &&
	grep -q 'set policy name="Secure Server (Require Security)" assign=yes' "$T/changed-builtins.a"
ok $? "changed built-in objects are exported in full, their assignment too"

done_testing
