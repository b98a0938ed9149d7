#!/bin/sh
# SPDX-License-Identifier: MIT
# `meson install` to a scratch root: the programs, the ipsecpol name, the
# systemd units (checked by systemd-analyze verify), the man pages (checked
# by groff) and the bash completion (checked by bash -n).
. "$(dirname "$0")/lib.sh"
BUILD=$(dirname "$IPSECFW")
R="$T/root"

meson install -C "$BUILD" --no-rebuild --quiet --destdir "$R" >"$T/out" 2>&1
ok $? "meson install to a scratch root"
prefix=$(meson introspect "$BUILD" --buildoptions | python3 -c '
import json, sys
print([o["value"] for o in json.load(sys.stdin) if o["name"] == "prefix"][0])')
P="$R$prefix"
for f in bin/ipsecfw bin/ipsecpol sbin/ipsecfwd lib/systemd/system/ipsecfwd.service \
	lib/systemd/system/ipsecfw-boot.service share/man/man8/ipsecfw.8 \
	share/man/man8/ipsecfwd.8 share/man/man5/ipsecfw-netsh.5 \
	share/bash-completion/completions/ipsecfw; do
	[ -e "$P/$f" ]
	ok $? "installs $f"
done
sysconfdir=$(meson introspect "$BUILD" --buildoptions | python3 -c '
import json, sys
print([o["value"] for o in json.load(sys.stdin) if o["name"] == "sysconfdir"][0])')
case $sysconfdir in /*) rot="$R$sysconfdir/logrotate.d/ipsecfw";; *) rot="$P/$sysconfdir/logrotate.d/ipsecfw";; esac
grep -q '^/var/log/ipsecfw/events.log {' "$rot" && grep -q copytruncate "$rot"
ok $? "installs the logrotate configuration of the event log"
version=$(meson introspect "$BUILD" --projectinfo | python3 -c '
import json, sys
print(json.load(sys.stdin)["version"])')
[ "$("$P/bin/ipsecfw" --version)" = "ipsecfw $version" ] &&
	[ "$("$P/sbin/ipsecfwd" --version)" = "ipsecfwd $version" ]
ok $? "--version prints meson's project version ($version), exit 0"
# the Debian package's version and Build-Depends follow meson and scripts/deps
head -1 "$SRCDIR/debian/changelog" | grep -q "^ipsecfw ($version[)+~]"
ok $? "debian/changelog's version is meson's project version ($version)"
python3 - "$SRCDIR/debian/control" "$SRCDIR/scripts/deps" >"$T/out" 2>&1 <<'PY'
import re, sys
control = open(sys.argv[1]).read()
deps = open(sys.argv[2]).read()
field = re.search(r"^Build-Depends:((?:.*\n(?:[ \t].*\n|#.*\n)*))", control, re.M).group(1)
field = "\n".join(l for l in field.splitlines() if not l.startswith("#"))
wanted = {re.split(r"[\s(<\[]", d.strip())[0] for d in field.split(",") if d.strip()}
listed = set(re.search(r'^PACKAGES="(.*?)"', deps, re.M | re.S).group(1).split())
missing = sorted(wanted - listed - {"debhelper-compat"})
print("not in scripts/deps:", " ".join(missing)) if missing else None
sys.exit(1 if missing or len(wanted) < 10 else 0)
PY
rc=$?
sed 's/^/# /' "$T/out"
ok $rc "debian/control's Build-Depends are all in scripts/deps"
"$P/bin/ipsecpol" -w REG -p "Installed" -r "web" -f '*+0:80:TCP' -n PASS >/dev/null 2>&1
ok $? "the installed ipsecpol name reads ipsecpol lines"

for u in ipsecfwd ipsecfw-boot; do
	grep -q "^ExecStart=$prefix/s\{0,1\}bin/ipsecfw" "$P/lib/systemd/system/$u.service"
	ok $? "$u.service runs the installed program"
done
grep -q '^Type=notify' "$P/lib/systemd/system/ipsecfwd.service" &&
	grep -q '^NoNewPrivileges=yes' "$P/lib/systemd/system/ipsecfwd.service" &&
	grep -q '^CapabilityBoundingSet=CAP_NET_ADMIN$' "$P/lib/systemd/system/ipsecfwd.service"
ok $? "ipsecfwd.service: Type=notify, no new privileges, CAP_NET_ADMIN only"
grep -q '^DefaultDependencies=no' "$P/lib/systemd/system/ipsecfw-boot.service" &&
	grep -q '^Before=network-pre.target' "$P/lib/systemd/system/ipsecfw-boot.service"
ok $? "ipsecfw-boot.service: before network-pre.target, no default dependencies"

if command -v systemd-analyze >/dev/null 2>&1; then
	# verify wants the programs where the units say: point them at ours
	mkdir -p "$T/units"
	for u in ipsecfwd ipsecfw-boot; do
		sed "s|$prefix/s\{0,1\}bin/|$P/bin/|; s|$P/bin/ipsecfwd|$P/sbin/ipsecfwd|" \
			"$P/lib/systemd/system/$u.service" >"$T/units/$u.service"
	done
	systemd-analyze verify --man=no "$T/units/ipsecfwd.service" "$T/units/ipsecfw-boot.service" \
		>"$T/out" 2>&1
	rc=$?
	sed 's/^/# /' "$T/out"
	ok $rc "systemd-analyze verify accepts both units"
else
	echo "ok $((tap_n += 1)) # SKIP no systemd-analyze"
fi
for m in man8/ipsecfw.8 man8/ipsecfwd.8 man5/ipsecfw-netsh.5; do
	out=$(groff -man -ww -z "$P/share/man/$m" 2>&1)
	[ -z "$out" ]
	ok $? "groff reads $m without a warning $out"
done
# unload, as the package's removal runs it: in a network namespace of its own
if [ "$(id -u)" -eq 0 ] && unshare --net true 2>/dev/null; then
	unshare --net env -u IPSECFW_KERNEL IPSECFW_RUN_DIR="$T/run" sh -c '
		F=$1
		$F unload | grep -q "nothing to unload" || exit 1
		$F boot >/dev/null && nft list table inet ipsecfw >/dev/null || exit 2
		$F unload | grep -q "deleted" || exit 3
		nft list table inet ipsecfw >/dev/null 2>&1 && exit 4
		ls "$IPSECFW_RUN_DIR" | grep -q program- && exit 5
		nft add table inet ipsecfw && $F unload 2>/dev/null && exit 6
		nft list table inet ipsecfw >/dev/null || exit 7
		nft delete table inet ipsecfw
		$F unload extra 2>/dev/null; [ $? -eq 2 ] || exit 8' sh "$P/bin/ipsecfw" >"$T/out" 2>&1
	rc=$?
	sed 's/^/# /' "$T/out"
	ok $rc "unload deletes ipsecfw's table and its saved program, not a foreign table of that name"
	mkdir -p "$T/agentrun"
	python3 -c 'import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1] + "/agent.sock"); s.listen(1); time.sleep(10)' \
		"$T/agentrun" &
	fake=$!
	for _ in 1 2 3 4 5 6 7 8 9 10; do [ -S "$T/agentrun/agent.sock" ] && break; sleep 0.1; done
	unshare --net env IPSECFW_RUN_DIR="$T/agentrun" "$P/bin/ipsecfw" unload >"$T/out" 2>&1
	rc=$?
	kill "$fake" 2>/dev/null
	wait "$fake" 2>/dev/null
	[ $rc -eq 1 ] && grep -q "agent (ipsecfwd) is running" "$T/out"
	ok $? "unload is refused while an agent answers on its socket"
else
	echo "ok $((tap_n += 1)) # SKIP unload needs root for a network namespace"
	echo "ok $((tap_n += 1)) # SKIP unload needs root for a network namespace"
fi
bash -n "$P/share/bash-completion/completions/ipsecfw"
ok $? "the bash completion parses"
bash -c ". '$P/share/bash-completion/completions/ipsecfw'
	COMP_WORDS=(ipsecfw static ad); COMP_CWORD=2; _ipsecfw; [ \"\${COMPREPLY[*]}\" = add ]"
ok $? "the completion completes 'static ad' to 'add'"

done_testing
