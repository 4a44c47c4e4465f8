#!/bin/bash
# `make check-package`: proves the two ways of installing the module on
# this machine, on each amd64 kernel of kernels.list, and leaves the machine as it found
# it, also when a step fails halfway (a trap undoes what the run did).
#  1. The Debian package: `make deb` (lintian: no error), then
#     `apt-get install ./build/jsonsysctl-dkms_<version>_all.deb`, which pulls
#     dkms and what else it needs; DKMS builds and signs the module for each
#     kernel (`dkms install -k <release>` where its own rule skipped one);
#     the version agrees in debian/changelog, the .deb, dkms.conf and
#     modinfo; the module has no parameter (no test hook); a DKMS build
#     without the kernel's g++ says so in make.log;
#     in a VM on each kernel, modprobe loads it from the kernel's tree,
#     /dev/json reads, the example sysctl.d file changes it, modprobe -r
#     unloads it; `apt-get purge` leaves nothing of ours.
#  2. `make install` and `make uninstall`, per kernel, the same VM check,
#     and the kernel's module tree is as before to the file afterwards.
# Needs root; the module is only ever loaded in the guest.
# usage: check-package.sh [deb|install]   (one part only; default both)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=$PATH:/usr/sbin:/sbin DEBIAN_FRONTEND=noninteractive
[ "$(id -u)" -eq 0 ] || { echo "check-package: needs root (it installs a package): sudo make check-package" >&2; exit 1; }

part=${1:-all}
case $part in all | deb | install) ;; *) echo "usage: check-package.sh [deb|install]" >&2; exit 2 ;; esac
read -r -a kernels <<<"$(scripts/kernels.sh versions amd64)"
steps=1
[ "$part" = install ] || steps=$((steps + 6 + ${#kernels[@]}))
[ "$part" = deb ] || steps=$((steps + 2 * ${#kernels[@]}))
step=0 started=$SECONDS
progress() { step=$((step + 1)); echo "== check-package [$step/$steps, $((SECONDS - started)) s] $*"; }
say() { echo "check-package: $*"; }
fail() { echo "check-package: FAIL: $*" >&2; exit 1; }
apt() { apt-get -o DPkg::Lock::Timeout=900 -y -q "$@"; }

progress "setup: scripts/setup-package.sh"
scripts/setup-package.sh
rels=()
for k in "${kernels[@]}"; do rels+=("$(scripts/kernel-release.sh "$k")"); done
version=$(scripts/version.sh)
deb=build/jsonsysctl-dkms_${version}_all.deb
state=$(mktemp -d "${TMPDIR:-/tmp}/check-package.XXXXXX")
log=$state/log

# Anything of ours on the machine, one line each: none before, none after.
ours() {
	local s
	s=$(dpkg-query -W -f '${Status}' jsonsysctl-dkms 2>/dev/null || true)
	case $s in "" | *not-installed) ;; *) echo "package jsonsysctl-dkms: $s" ;; esac
	ls -d /usr/src/jsonsysctl-* /var/lib/dkms/jsonsysctl 2>/dev/null || true
	find /lib/modules -mindepth 2 \( -name build -o -name source \) -prune -o -name 'jsonsysctl.ko*' -print
	grep -l jsonsysctl /lib/modules/*/modules.dep 2>/dev/null || true
}
# A kernel's module tree, to the file: names, and the indexes depmod writes.
tree() { # $1: release
	local m=/lib/modules/$1
	find "$m" -mindepth 1 \( -path "$m/build" -o -path "$m/source" \) -prune -o -print | sort
	md5sum "$m"/modules.*
}
# The .ko suffix that Kbuild's modules_install and DKMS give a kernel's modules.
suffix() { # $1: release
	case $(grep -E '^CONFIG_MODULE_COMPRESS_(GZIP|XZ|ZSTD)=y' "/boot/config-$1" || true) in
	*GZIP*) echo .ko.gz ;; *XZ*) echo .ko.xz ;; *ZSTD*) echo .ko.zst ;; *) echo .ko ;;
	esac
}

now=$(ours)
[ -z "$now" ] || fail "jsonsysctl is already installed here; remove it first (apt-get purge jsonsysctl-dkms; make uninstall KDIR=...):
$now"
for rel in "${rels[@]}"; do tree "$rel" >"$state/tree.$rel"; done
dkms_dir_before=$([ -d /var/lib/dkms ] && ls -A /var/lib/dkms || echo absent)

# Undoes whatever the run did, in reverse, and says whether the machine is
# as it was. Runs on every exit.
restore() {
	local rc=$? problems=""
	set +e
	trap - EXIT
	trap '' INT TERM
	echo "== check-package: restoring the machine"
	case $(dpkg-query -W -f '${Status}' jsonsysctl-dkms 2>/dev/null) in
	"" | *not-installed) ;;
	*) say "apt-get purge jsonsysctl-dkms"; apt purge jsonsysctl-dkms >>"$log" 2>&1 ;;
	esac
	for rel in "${rels[@]}"; do
		[ -z "$(ls /lib/modules/"$rel"/updates/jsonsysctl.ko* 2>/dev/null)" ] ||
			scripts/install.sh uninstall "/lib/modules/$rel/build"
		# What a broken uninstall left, by hand (the check has failed already).
		if [ -n "$(ls /lib/modules/"$rel"/updates/jsonsysctl.ko* 2>/dev/null)" ]; then
			say "make uninstall left $(ls /lib/modules/"$rel"/updates/jsonsysctl.ko* | tr '\n' ' '); removing it"
			rm -f /lib/modules/"$rel"/updates/jsonsysctl.ko*
			rmdir --ignore-fail-on-non-empty /lib/modules/"$rel"/updates
			depmod -a "$rel"
		fi
	done
	if [ -s "$state/new-packages" ]; then
		say "apt-get purge what the package pulled in: $(tr '\n' ' ' <"$state/new-packages")"
		# (sudo refuses to go without this, as the machine may have no root password.)
		SUDO_FORCE_REMOVE=yes apt purge $(cat "$state/new-packages") >>"$log" 2>&1
	fi
	# DKMS's signing key stays with DKMS, as for every dkms package; but a
	# machine that had no DKMS before the check gets none left behind.
	if [ "$dkms_dir_before" = absent ] && [ -d /var/lib/dkms ]; then
		rm -f /var/lib/dkms/mok.key /var/lib/dkms/mok.pub
		rmdir /var/lib/dkms 2>/dev/null || problems+=" /var/lib/dkms is not empty: $(ls -A /var/lib/dkms | tr '\n' ' ')"
	fi
	now=$(ours)
	[ -z "$now" ] || problems+=" left: $(echo "$now" | tr '\n' ' ')"
	for rel in "${rels[@]}"; do
		tree "$rel" | diff -u "$state/tree.$rel" - >"$state/diff" ||
			problems+=" /lib/modules/$rel differs: $(grep '^[-+][^-+]' "$state/diff" | head -n 5 | tr '\n' ' ')"
	done
	if [ -s "$state/new-packages" ]; then
		while read -r p; do
			dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q 'not-installed' ||
				[ -z "$(dpkg-query -W -f '${Status}' "$p" 2>/dev/null)" ] || problems+=" package $p still installed"
		done <"$state/new-packages"
	fi
	if [ -n "$problems" ]; then
		echo "check-package: the machine is NOT as it was:$problems (log: $log)" >&2
		[ "$rc" -ne 0 ] || rc=1
	else
		say "the machine is as it was"
		rm -rf "$state"
	fi
	if [ "$rc" -eq 0 ]; then say "PASS in $((SECONDS - started)) s"; else say "FAILED (status $rc) after $((SECONDS - started)) s"; fi
	exit "$rc"
}
trap restore EXIT
trap 'exit 130' INT TERM HUP

# Boots the kernel and has the guest load the module from where it is
# installed; see check-package-guest.sh.
vm_check() { # $1: release, $2: the module file modprobe must find, $3: sysctl.d file
	nice -n 10 scripts/vm.sh --kver "$1" -- scripts/check-package-guest.sh "$2" "$3" ||
		fail "the guest on $1 did not load and use $2 as expected (output above)"
}

### 1. The Debian package, built by dh with dh-dkms, installed by apt.
check_deb() {
	progress "make deb"
	make --no-print-directory deb

	progress "one version: debian/changelog, the .deb, dkms.conf"
	deb_version=$(dpkg-deb -f "$deb" Version)
	conf_version=$(dpkg-deb --fsys-tarfile "$deb" | tar -xOf - "./usr/src/jsonsysctl-$version/dkms.conf" |
		sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p')
	[ "$deb_version" = "$version" ] && [ "$conf_version" = "$version" ] ||
		fail "versions disagree: debian/changelog $version, the .deb '$deb_version', its dkms.conf '$conf_version'"
	say "version $version in debian/changelog, $deb, and its dkms.conf"

	progress "apt-get install ./$deb"
	dpkg-query -W -f '${binary:Package} ${db:Status-Abbrev}\n' | awk '$2 == "ii" {print $1}' | sort >"$state/packages.before"
	status=0
	apt install "./$deb" >"$state/apt-install.log" 2>&1 || status=$?
	# What apt pulled in besides our package, purged again by restore.
	dpkg-query -W -f '${binary:Package} ${db:Status-Abbrev}\n' | awk '$2 ~ /^.[iUFHWt]/ {print $1}' | sort |
		comm -13 "$state/packages.before" - | grep -v '^jsonsysctl-dkms$' >"$state/new-packages" || true
	cat "$state/apt-install.log" >>"$log"
	grep -E '^(Setting up|Building for|Building initial module|Done\.|Error|Sign|.*is likely)' "$state/apt-install.log" | sed 's/^/  | /' || true
	[ "$status" -eq 0 ] || { tail -n 30 "$state/apt-install.log" >&2; fail "apt-get install ./$deb failed (status $status)"; }
	say "apt pulled in $(wc -l <"$state/new-packages") packages: $(sed 's/:.*//' "$state/new-packages" | tr '\n' ' ')"

	progress "DKMS: built, signed and installed for ${rels[*]}"
	for rel in "${rels[@]}"; do
		if ! dkms status -m jsonsysctl -v "$version" -k "$rel" 2>/dev/null | grep -q ': installed'; then
			say "DKMS's own rule skipped $rel: dkms install -k $rel"
			nice -n 10 dkms install -m jsonsysctl -v "$version" -k "$rel" >>"$log" 2>&1 ||
				fail "dkms install -k $rel failed; see /var/lib/dkms/jsonsysctl/$version/build/make.log"
		fi
		ko=/lib/modules/$rel/updates/dkms/jsonsysctl$(suffix "$rel")
		[ -e "$ko" ] || fail "DKMS installed no $ko: $(ls /lib/modules/"$rel"/updates/dkms/ 2>&1 | tr '\n' ' ')"
		v=$(modinfo -F version "$ko")
		[ "$v" = "$version" ] || fail "modinfo -F version $ko says '$v', debian/changelog $version"
		[ -z "$(modinfo -F parm "$ko")" ] || fail "$ko has module parameters: $(modinfo -F parm "$ko") (test hooks belong to the test variants)"
		signer=$(modinfo -F signer "$ko")
		[ -n "$signer" ] || fail "$ko carries no signature (is openssl installed? dkms signs only with it)"
		say "$ko: version $v, signer: $signer"
	done
	dkms status -m jsonsysctl 2>/dev/null | sed 's/^/  | /'

	# In a DKMS tree of its own (--dkmstree), so the real one stays as it is.
	rel=${rels[0]}
	progress "DKMS without the kernel's g++: make.log says why in one line"
	tmptree=$state/dkms-tree
	mkdir -p "$tmptree"
	dkms add -m jsonsysctl -v "$version" --dkmstree "$tmptree" >>"$log" 2>&1 || fail "dkms add --dkmstree $tmptree failed"
	status=0
	CXX_FOR_KERNEL=g++-jsonsysctl-check nice -n 10 dkms build -m jsonsysctl -v "$version" -k "$rel" --dkmstree "$tmptree" >"$state/dkms-fail.log" 2>&1 || status=$?
	[ "$status" -ne 0 ] || fail "dkms build with a missing g++ succeeded"
	makelog=$tmptree/jsonsysctl/$version/build/make.log
	line=$(grep -m 1 'g++-jsonsysctl-check' "$makelog" || true)
	[ -n "$line" ] || fail "make.log does not say the g++ is missing: $(tail -n 5 "$makelog")"
	say "dkms build failed (status $status); make.log: $line"
	rm -rf "$tmptree"

	for rel in "${rels[@]}"; do
		progress "VM $rel: modprobe the DKMS-built module, /dev/json, sysctl -p the example, modprobe -r"
		vm_check "$rel" "/lib/modules/$rel/updates/dkms/jsonsysctl$(suffix "$rel")" \
			/usr/share/doc/jsonsysctl-dkms/examples/sysctl.d/jsonsysctl.conf
	done


	progress "apt-get purge jsonsysctl-dkms: nothing of ours left"
	apt purge jsonsysctl-dkms >"$state/apt-purge.log" 2>&1 || { cat "$state/apt-purge.log" >&2; fail "apt-get purge jsonsysctl-dkms failed"; }
	cat "$state/apt-purge.log" >>"$log"
	now=$(ours)
	[ -z "$now" ] || fail "apt-get purge jsonsysctl-dkms left:
	$now"
	for rel in "${rels[@]}"; do
		tree "$rel" | diff -u "$state/tree.$rel" - >&2 || fail "/lib/modules/$rel is not as before the package (diff above)"
	done
	say "nothing of ours under /usr/src, /var/lib/dkms, /lib/modules"
}

### 2. make install / make uninstall.
check_install() {
	for rel in "${rels[@]}"; do
		kdir=/lib/modules/$rel/build
		ko=/lib/modules/$rel/updates/jsonsysctl$(suffix "$rel")
		progress "make install KDIR=$kdir, and the VM"
		status=0
		nice -n 10 make --no-print-directory install KDIR="$kdir" >"$state/install.log" 2>&1 || status=$?
		cat "$state/install.log" >>"$log"
		grep -E 'INSTALL|SIGN|XZ|make install|error|Error' "$state/install.log" | sed 's/^/  | /' || true
		[ "$status" -eq 0 ] || { tail -n 20 "$state/install.log" >&2; fail "make install KDIR=$kdir failed"; }
		[ -e "$ko" ] || fail "make install put no $ko there"
		[ "$(modinfo -F version "$ko")" = "$version" ] || fail "modinfo -F version $ko is not $version"
		vm_check "$rel" "$ko" "$PWD/etc/sysctl.d/jsonsysctl.conf"
		progress "make uninstall KDIR=$kdir: the tree as before"
		make --no-print-directory uninstall KDIR="$kdir"
		tree "$rel" | diff -u "$state/tree.$rel" - >&2 || fail "make uninstall did not undo make install in /lib/modules/$rel (diff above)"
		say "/lib/modules/$rel is as before make install"
	done
}

[ "$part" = install ] || check_deb
[ "$part" = deb ] || check_install
