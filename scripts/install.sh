#!/bin/bash
# `make install` and `make uninstall`. install: Kbuild's modules_install puts
# the built module into the kernel's tree under updates/ (which depmod ranks
# above the kernel's own modules; compressed, .ko.xz, where the kernel's
# config says so), then depmod, so `modprobe jsonsysctl` finds it.
# uninstall: removes that file, under any of the names Kbuild may give it,
# and updates/ if that leaves it empty, then depmod again.
# KDIR chooses the kernel as for `make` (scripts/kdir.sh when empty).
# usage: install.sh install|uninstall [KDIR]
set -euo pipefail
cd "$(dirname "$0")/.."
action=${1:?usage: install.sh install|uninstall [KDIR]}
kdir=${2:-}
[ -n "$kdir" ] || kdir=$(scripts/kdir.sh)
# The release the kernel reports (and the module's vermagic carries);
# Debian's 6.1 headers have the upstream 6.1.N in include/config/kernel.release.
uts=$kdir/include/generated/utsrelease.h
rel=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"$/\1/p' "$uts" 2>/dev/null || true)
[ -n "$rel" ] || { echo "make $action: $kdir is no kernel build directory (no release in $uts): install its linux-headers package or pass another KDIR=" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || { echo "make $action: needs root: sudo make $action" >&2; exit 1; }
export PATH=$PATH:/usr/sbin:/sbin
dir=/lib/modules/$rel/updates
names=(jsonsysctl.ko jsonsysctl.ko.xz jsonsysctl.ko.gz jsonsysctl.ko.zst)

case $action in
install)
	[ -e jsonsysctl.ko ] || { echo "make install: no jsonsysctl.ko; run make first" >&2; exit 1; }
	# The kernel's signing key is not in its headers: no SIGN step, which
	# would only fail (DKMS signs with its own key; docs/packaging.md, "Signing").
	make --no-print-directory -C "$kdir" M="$PWD" INSTALL_MOD_DIR=updates CONFIG_MODULE_SIG_ALL= modules_install
	# (Kbuild skips depmod without a System.map, as it says: ours follows.)
	depmod -a "$rel"
	for n in "${names[@]}"; do [ ! -e "$dir/$n" ] || echo "make install: installed $dir/$n; modprobe jsonsysctl loads it on $rel"; done
	;;
uninstall)
	removed=0
	for n in "${names[@]}"; do
		[ -e "$dir/$n" ] || continue
		rm -f "$dir/$n"
		echo "make uninstall: removed $dir/$n"
		removed=1
	done
	[ "$removed" = 1 ] || { echo "make uninstall: jsonsysctl is not installed under $dir; nothing to do"; exit 0; }
	rmdir --ignore-fail-on-non-empty "$dir"
	depmod -a "$rel"
	;;
*) echo "usage: install.sh install|uninstall [KDIR]" >&2; exit 2 ;;
esac
