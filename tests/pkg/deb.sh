#!/bin/sh
# SPDX-License-Identifier: MIT
# The Debian package end to end: built from a copy of the source tree
# (DEB_BUILD_OPTIONS=nocheck: the package build runs no test suite),
# checked by lintian, then installed, upgraded to a rebuilt version (the
# changelog of the copy bumped), removed and purged in a throwaway root.
#
# That root is an overlay over this machine's / whose writes go to a tmpfs,
# in mount, PID and network namespaces of the test's own: the maintainer
# scripts run under the real dpkg, deb-systemd-helper and libraries, but
# what they write vanishes with the namespace, and their nftables commands
# act in a fresh network namespace, never the host's. No systemd runs
# there: a stand-in systemctl answers deb-systemd-invoke (which calls it
# once /run/systemd/system exists) and records what it was asked.
# Usage: deb.sh SRCDIR
set -u

if [ "${1:-}" = --inner ]; then
	inner=1
	shift
else
	inner=0
fi

# --- inside the namespaces: install, upgrade, remove, purge --------------

# Results go to a file the outer part turns into TAP: "0|1 description".
res() { # status description...
	status=$1
	shift
	echo "$status $*" >>"$W/results"
}
note() { sed 's/^/# /' "$@" >>"$W/results"; }
in_root() { # command...: in the throwaway root, with a clean environment
	env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		DEBIAN_FRONTEND=noninteractive LC_ALL=C chroot "$M" "$@"
}
dpkg_step() { # description dpkg-arguments...
	what=$1
	shift
	in_root dpkg "$@" >"$W/dpkg.out" 2>&1
	rc=$?
	[ $rc -eq 0 ] || note "$W/dpkg.out"
	res $rc "$what"
}
mode_of() { stat -c '%a %U:%G' "$M$1" 2>/dev/null; }
table() { nft list table inet ipsecfw >/dev/null 2>&1; }
asked() { grep -qE "$1" "$M/run/systemctl.log"; }
elapsed() { echo "# $1: $(($(date +%s) - t0)) s" >>"$W/results"; }

run_inner() {
	W=$1 V1=$2 V2=$3 ARCH=$4
	M=$W/root
	t0=$(date +%s)
	mount -t tmpfs -o mode=0700 ipsecfw-pkgtest "$W/ov" &&
		mkdir "$W/ov/upper" "$W/ov/work" &&
		mount -t overlay overlay -o "lowerdir=/,upperdir=$W/ov/upper,workdir=$W/ov/work" "$M" &&
		mount -t proc proc "$M/proc" && mount --bind /dev "$M/dev" &&
		mount -t tmpfs tmpfs "$M/tmp" && mount -t tmpfs -o mode=0755 tmpfs "$M/run"
	rc=$?
	res $rc "a throwaway root: an overlay over / in namespaces of the test's own"
	[ $rc -eq 0 ] || return 1
	ip link set lo up
	mkdir -p "$M/run/systemd/system" "$M/run/lock"
	cp "$W/ipsecfw_${V1}_$ARCH.deb" "$W/ipsecfw_${V2}_$ARCH.deb" "$M/tmp/"
	# From here on every write is in the overlay: make sure it is one.
	mountpoint -q "${M:?}" || return 1
	# the stand-in systemctl: what acts on the running system (start, stop,
	# restart, daemon-reload, is-active...) is recorded and succeeds; what
	# reads or writes unit files (preset, enable, is-enabled...) is left to
	# the real systemctl, which works offline in a chroot
	mv "$M/usr/bin/systemctl" "$M/usr/bin/systemctl.real"
	cat >"$M/usr/bin/systemctl" <<'EOF'
#!/bin/sh
echo "$*" >>/run/systemctl.log
verb=""
for a; do case $a in -*) ;; *) [ -n "$verb" ] || verb=$a;; esac; done
case $verb in
"" | preset | preset-all | enable | disable | reenable | is-enabled | mask | unmask | \
list-unit-files | cat | get-default)
	exec /usr/bin/systemctl.real "$@";;
esac
exit 0
EOF
	chmod 0755 "$M/usr/bin/systemctl"
	: >"$M/run/systemctl.log"
	# a policy-rc.d of this machine's (containers have one that says 101)
	# would keep deb-systemd-invoke from asking anything
	rm -f "$M/usr/sbin/policy-rc.d"
	# man-db's trigger would rebuild its index at each step (seconds)
	rm -f "$M/var/lib/man-db/auto-update"
	# as on a machine that never had ipsecfw: a package of that name would
	# make the install an upgrade, a store left by hand would look kept
	in_root dpkg --purge ipsecfw >/dev/null 2>&1
	rm -rf "${M:?}/var/lib/ipsecfw" "${M:?}/var/log/ipsecfw" "${M:?}/run/ipsecfw"

	# install
	dpkg_step "dpkg -i ipsecfw_$V1 in the throwaway root" -i "/tmp/ipsecfw_${V1}_$ARCH.deb"
	missing=""
	for f in /usr/bin/ipsecfw /usr/sbin/ipsecfwd /lib/systemd/system/ipsecfwd.service \
		/lib/systemd/system/ipsecfw-boot.service /usr/share/man/man8/ipsecfw.8.gz \
		/usr/share/man/man8/ipsecfwd.8.gz /usr/share/man/man8/ipsecpol.8.gz \
		/usr/share/man/man5/ipsecfw-netsh.5.gz /usr/share/bash-completion/completions/ipsecfw \
		/etc/logrotate.d/ipsecfw /usr/share/doc/ipsecfw/copyright; do
		[ -e "$M$f" ] || missing="$missing $f"
	done
	[ -z "$missing" ] && [ "$(readlink "$M/usr/bin/ipsecpol")" = ipsecfw ]
	res $? "installs the programs, the ipsecpol name, units, man pages, completion, logrotate$missing"
	version=$(in_root /usr/bin/ipsecfw --version)
	[ "$version" = "ipsecfw ${V1%%+*}" ]
	res $? "the installed ipsecfw --version: $version"
	in_root dpkg-query -W -f='${Conffiles}\n' ipsecfw | grep -q '^ /etc/logrotate.d/ipsecfw '
	res $? "/etc/logrotate.d/ipsecfw is a conffile"
	[ "$(mode_of /var/lib/ipsecfw)" = "700 root:root" ] &&
		[ "$(mode_of /var/log/ipsecfw)" = "700 root:root" ]
	res $? "the postinst made /var/lib/ipsecfw and /var/log/ipsecfw 0700 root:root" \
		"($(mode_of /var/lib/ipsecfw), $(mode_of /var/log/ipsecfw))"
	[ -z "$(ls -A "$M/var/lib/ipsecfw")" ]
	res $? "the package made no store (ipsecfw creates it)"
	[ "$(readlink "$M/etc/systemd/system/sysinit.target.wants/ipsecfw-boot.service")" = \
		/lib/systemd/system/ipsecfw-boot.service ] &&
		[ "$(readlink "$M/etc/systemd/system/multi-user.target.wants/ipsecfwd.service")" = \
			/lib/systemd/system/ipsecfwd.service ]
	res $? "deb-systemd-helper enabled both units (sysinit.target, multi-user.target)"
	asked '(^| )start ipsecfwd.service' && ! asked '(start|stop|restart) ipsecfw-boot'
	res $? "installing starts the agent, and leaves the boot unit to the next boot"
	grep -v -e is-enabled -e preset "$M/run/systemctl.log" | note
	elapsed "install"

	# a policy in force, as the agent would keep it
	in_root /usr/bin/ipsecfw -f - >"$W/out" 2>&1 <<'EOF'
add policy name="Pkg Test" assign=no
add filteraction name=Block action=block
add filter filterlist=Telnet srcaddr=any dstaddr=me protocol=TCP dstport=23
add rule name=NoTelnet policy="Pkg Test" filterlist=Telnet filteraction=Block
set policy name="Pkg Test" assign=yes
EOF
	rc=$?
	in_root /usr/bin/ipsecfw show mode >"$W/mode1" 2>&1
	[ $rc -eq 0 ] && grep -q '^mode: secure' "$W/mode1" && table
	rc=$?
	[ $rc -eq 0 ] || note "$W/out" "$W/mode1"
	res $rc "a policy assigned in the root's store is in force in the namespace"
	[ "$(mode_of /var/lib/ipsecfw)" = "700 root:root" ] &&
		[ -z "$(find "$M/var/lib/ipsecfw" -perm /0022)" ]
	res $? "the store folder stays 0700 (others reach nothing in it) and nothing there is" \
		"writable by others"

	# upgrade, with the table watched all along
	: >"$M/run/systemctl.log"
	(
		i=0
		while [ ! -e "$W/upgraded" ] && [ $i -lt 20000 ]; do
			if table; then echo y; else echo n; fi
			i=$((i + 1))
		done >"$W/samples"
	) &
	watcher=$!
	dpkg_step "dpkg -i ipsecfw_$V2: an upgrade" -i "/tmp/ipsecfw_${V2}_$ARCH.deb"
	touch "$W/upgraded"
	wait $watcher
	in_root dpkg-query -W -f='${Version}' ipsecfw >"$W/out"
	[ "$(cat "$W/out")" = "$V2" ]
	res $? "the upgrade installed $V2"
	samples=$(wc -l <"$W/samples")
	[ "$samples" -gt 0 ] && ! grep -q n "$W/samples"
	res $? "the table stayed in the kernel throughout the upgrade ($samples samples," \
		"$(grep -c n "$W/samples") without it)"
	in_root /usr/bin/ipsecfw show mode >"$W/mode2" 2>&1
	cmp -s "$W/mode1" "$W/mode2"
	res $? "the same program, same generation, after the upgrade: $(head -1 "$W/mode2")"
	asked '(^| )restart ipsecfwd.service' && ! asked '(^| )stop ' &&
		! asked '(start|restart) ipsecfw-boot'
	res $? "the upgrade restarts the agent (never stops it) and leaves the boot unit alone"
	grep -v -e is-enabled -e preset "$M/run/systemctl.log" | note
	[ -e "$M/var/lib/ipsecfw/ipsecfw.db" ]
	res $? "the upgrade keeps the store"
	elapsed "upgrade"

	# purge: the table and the state go
	: >"$M/run/systemctl.log"
	dpkg_step "dpkg --purge ipsecfw" --purge ipsecfw
	! table
	res $? "purge deleted the table (ipsecfw unload in the prerm)"
	asked '(^| )stop ipsecfwd.service'
	res $? "removal stops the agent first"
	left=""
	for f in /var/lib/ipsecfw /var/log/ipsecfw /etc/logrotate.d/ipsecfw /usr/bin/ipsecfw \
		/etc/systemd/system/sysinit.target.wants/ipsecfw-boot.service \
		/etc/systemd/system/multi-user.target.wants/ipsecfwd.service \
		/var/lib/systemd/deb-systemd-helper-enabled/ipsecfwd.service.dsh-also; do
		[ -e "$M$f" ] || [ -L "$M$f" ] && left="$left $f"
	done
	[ -z "$left" ]
	res $? "purge removed the state, the log, the conffile and the units' links$left"
	elapsed "purge"

	# remove, then purge: the table goes with the programs, the state stays
	dpkg_step "dpkg -i ipsecfw_$V2 again" -i "/tmp/ipsecfw_${V2}_$ARCH.deb"
	in_root /usr/bin/ipsecfw boot >"$W/out" 2>&1 && table
	res $? "ipsecfw boot loads the startup table"
	dpkg_step "dpkg --remove ipsecfw" --remove ipsecfw
	! table && [ -d "$M/var/lib/ipsecfw" ] && [ -e "$M/etc/logrotate.d/ipsecfw" ]
	res $? "remove deleted the table and kept the store and the conffile"
	dpkg_step "dpkg --purge ipsecfw after remove" --purge ipsecfw
	[ ! -e "$M/var/lib/ipsecfw" ] && [ ! -e "$M/etc/logrotate.d/ipsecfw" ]
	res $? "then purge removed the state and the conffile"
	elapsed "remove and purge"
}

if [ $inner -eq 1 ]; then
	run_inner "$@"
	exit 0
fi

# --- outside: build, lintian, then the namespaces --------------------------

SRC=$1
if [ "$(id -u)" -ne 0 ]; then
	echo "1..0 # SKIP needs root (namespaces, an overlay mount, dpkg in a throwaway root)"
	exit 0
fi
# TAP's ok and done_testing, and a scratch folder $T removed at exit
set -- "" "$SRC"
. "$(dirname "$0")/../cli/lib.sh"
W=$T
t_start=$(date +%s)

# A copy of the working tree (what git tracks or would, edits included),
# so the package build never touches the real build folders.
mkdir "$W/src" "$W/ov" "$W/root"
if git -C "$SRC" rev-parse --git-dir >/dev/null 2>&1; then
	git -C "$SRC" ls-files -z -co --exclude-standard |
		(cd "$SRC" && tar --null --ignore-failed-read -cf - -T - 2>/dev/null) |
		tar -xf - -C "$W/src"
else
	tar -C "$SRC" --exclude='./build*' -cf - . | tar -xf - -C "$W/src"
fi
[ -x "$W/src/debian/rules" ]
ok $? "a copy of the source tree with debian/"

ARCH=$(dpkg --print-architecture)
V1=$(dpkg-parsechangelog -l "$W/src/debian/changelog" -S Version)
V2="$V1+pkgtest1"
export DEB_BUILD_OPTIONS="nocheck parallel=2"
t=$(date +%s)
(cd "$W/src" && dpkg-buildpackage -b -us -uc) >"$W/build.log" 2>&1
rc=$?
[ $rc -eq 0 ] && [ -f "$W/ipsecfw_${V1}_$ARCH.deb" ]
rc=$?
[ $rc -eq 0 ] || tail -40 "$W/build.log" | sed 's/^/# /'
ok $rc "dpkg-buildpackage -b -us -uc builds ipsecfw_${V1}_$ARCH.deb ($(($(date +%s) - t)) s)"

t=$(date +%s)
lintian --fail-on error,warning,info -I "$W/ipsecfw_${V1}_$ARCH.changes" >"$W/lintian" 2>&1
rc=$?
grep -v 'running with root privileges' "$W/lintian" | sed 's/^/# /'
ok $rc "lintian finds nothing, not even at info level ($(($(date +%s) - t)) s)"

# the upgrade: the same tree with one more changelog entry, the build kept
t=$(date +%s)
maint=$(dpkg-parsechangelog -l "$W/src/debian/changelog" -S Maintainer)
{
	printf 'ipsecfw (%s) unstable; urgency=medium\n\n  * An upgrade to test.\n\n' "$V2"
	printf ' -- %s  %s\n\n' "$maint" "$(date -R)"
	cat "$W/src/debian/changelog"
} >"$W/changelog" && mv "$W/changelog" "$W/src/debian/changelog"
(cd "$W/src" && dpkg-buildpackage -b -us -uc -nc) >"$W/build2.log" 2>&1 &&
	[ -f "$W/ipsecfw_${V2}_$ARCH.deb" ]
rc=$?
[ $rc -eq 0 ] || tail -40 "$W/build2.log" | sed 's/^/# /'
ok $rc "the package rebuilt as $V2 ($(($(date +%s) - t)) s)"

if [ -f "$W/ipsecfw_${V1}_$ARCH.deb" ] && [ -f "$W/ipsecfw_${V2}_$ARCH.deb" ]; then
	: >"$W/results"
	unshare --mount --net --pid --fork --mount-proc sh "$0" --inner "$W" "$V1" "$V2" "$ARCH" \
		>"$W/inner.out" 2>&1
	sed 's/^/# /' "$W/inner.out"
	while read -r status what; do
		case $status in
		0 | [1-9]*) ok "$status" "$what" ;;
		*) echo "$status $what" ;;
		esac
	done <"$W/results"
	grep -q 'then purge removed' "$W/results"
	ok $? "the install, upgrade and purge steps all ran"
fi
echo "# the package test took $(($(date +%s) - t_start)) s"
done_testing
