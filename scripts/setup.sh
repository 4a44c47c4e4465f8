#!/bin/bash
# Installs everything jsonsysctl needs on a Debian bookworm machine:
# the compiler, GoogleTest, QEMU, the amd64 kernels kernels.list names
# (image + headers, from their suites), the guest's busybox, and Debian's
# pytest. With ARCH=arm64 (make ARCH=arm64 ...) also the arm64 cross
# compilers and QEMU, kernels.list's arm64 kernels and headers unpacked in
# $KROOT, and an arm64 root for the guest in $GUEST_ROOT (see scripts/arch.sh).
# Idempotent: when everything is present it returns at once without apt.
set -euo pipefail
export PATH=$PATH:/usr/sbin:/sbin
here=$(cd "$(dirname "$0")" && pwd)
. "$here/arch.sh"

# Kernel packages are found by glob, never by a pinned ABI number.
amd64_kernels=$("$here/kernels.sh" versions amd64)
arm64_kernels=$("$here/kernels.sh" versions arm64)
# Debian's plain flavour only: 6.1.0-57-cloud-amd64 or -rt-amd64 is not it.
have_kernel() { # $1: version, e.g. 6.1
	local rel
	for rel in $(cd /lib/modules 2>/dev/null && compgen -G "$1.*-amd64" | grep -Ev -- '-[a-z][a-z0-9]*-amd64$'); do
		[ -e "/boot/vmlinuz-$rel" ] && [ -e "/lib/modules/$rel/build/Makefile" ] && return 0
	done
	return 1
}
have_kernels() {
	local k
	for k in $amd64_kernels; do have_kernel "$k" || return 1; done
}
have_tools() {
	local c
	for c in g++ make qemu-system-x86_64 cpio xz size modinfo sysctl; do
		command -v "$c" >/dev/null || return 1
	done
	[ -x /bin/busybox ] || return 1
	[ -e /usr/include/gtest/gtest.h ] || return 1
	/usr/bin/python3 -c 'import pytest' 2>/dev/null
}

# arm64: the cross compilers and QEMU; Debian's kernel, unpacked (not
# installed) with its headers in $KROOT; the guest's root in $GUEST_ROOT,
# made without emulation (the suite's python3 and pytest, the commands the
# tests and the demo run, busybox for the initramfs). A root made from
# another package list is made again.
arm64_tools="aarch64-linux-gnu-gcc-12 aarch64-linux-gnu-g++-12 qemu-system-aarch64 mmdebstrap"
arm64_packages="gcc-12-aarch64-linux-gnu g++-12-aarch64-linux-gnu libc6-dev-arm64-cross
	qemu-system-arm mmdebstrap"
guest_packages="base-files base-passwd dash bash coreutils util-linux mount procps kmod sed grep
	busybox-static python3 python3-pytest"
guest_packages=$(echo $guest_packages)
have_arm64() {
	local c
	[ "$debarch" = arm64 ] || return 0
	for c in $arm64_tools; do
		command -v "$c" >/dev/null || return 1
	done
	[ -e /usr/aarch64-linux-gnu/include/stdio.h ] || return 1
	for k in $arm64_kernels; do have_arm64_kernel "$k" || return 1; done
	[ "$(cat "$GUEST_ROOT/.jsonsysctl-packages" 2>/dev/null)" = "$guest_packages" ]
}
have_arm64_kernel() { # $1: version
	compgen -G "$KROOT/boot/vmlinuz-$1.*-arm64" >/dev/null &&
		compgen -G "$KROOT/lib/modules/$1.*-arm64/build/Makefile" >/dev/null
}

if have_tools && have_kernels && have_arm64; then
	exit 0
fi

SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
# Another apt may hold the lock for a while (an unattended upgrade): wait.
apt_install() { $SUDO apt-get -o DPkg::Lock::Timeout=900 install -y -q --no-install-recommends "$@"; }

# bookworm-backports on the same mirror the machine already uses.
sources=/etc/apt/sources.list.d/debian.sources
bp=/etc/apt/sources.list.d/bookworm-backports.sources
if [ ! -e "$bp" ]; then
	if [ -r "$sources" ]; then
		uri=$(awk '/^URIs:/ && $2 !~ /security/ {print $2; exit}' "$sources")
	else
		uri=$(awk '{sub(/\[[^]]*\] */, "")} /^deb / && $3 == "bookworm" {print $2; exit}' /etc/apt/sources.list)
	fi
	[ -n "$uri" ] || { echo "setup: cannot find the Debian mirror URI" >&2; exit 1; }
	printf 'Types: deb\nURIs: %s\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
		"$uri" | $SUDO tee "$bp" >/dev/null
fi
# arm64's kernel and the guest's root come from apt's arm64 lists.
if [ "$debarch" = arm64 ] && ! dpkg --print-foreign-architectures | grep -qx arm64; then
	$SUDO dpkg --add-architecture arm64
fi
$SUDO apt-get update -q

codename=$(. /etc/os-release && echo "$VERSION_CODENAME")
apt_install build-essential make bc cpio xz-utils binutils kmod procps \
	busybox-static python3 python3-pytest qemu-system-x86 coreutils util-linux libgtest-dev

first_dependency() { # $1: a package, as apt-cache show takes it
	apt-cache show "$1" | awk '/^Depends:/ {sub(/^Depends: */, ""); sub(/[ ,].*/, ""); print; exit}'
}
for k in $amd64_kernels; do
	have_kernel "$k" && continue
	suite=$("$here/kernels.sh" suite "$k" amd64)
	pkgs=$("$here/kernels.sh" fetch "$k" amd64)
	echo "setup: installing kernel $k from $suite: $pkgs"
	# -t raises a suite above every other, so only a backports suite gets
	# it: the base suite's kernel depends on its security update's kbuild.
	target=()
	[ "$suite" = "$codename" ] || target=(-t "$suite")
	apt_install "${target[@]}" $pkgs
done

# Debian's arm64 kernel is unpacked, not installed, into $KROOT (boot/,
# lib/modules/, usr/src/), and made usable in place: depmod writes the
# modules.dep its postinst would, its build link and its headers' include of
# their -common half are absolute paths, and its scripts are the host's
# linux-kbuild package (host binaries, the same version).
unpack_arm64_kernel() { # $1: version
	local image headers common kbuild rel dl tmp
	read -r image headers <<<"$("$here/kernels.sh" fetch "$1" arm64)"
	common=$(first_dependency "$headers:arm64")
	rel=${image#linux-image-}
	echo "setup: unpacking $image, $headers and $common into $KROOT"
	dl=$(mktemp -d)
	tmp=$KROOT.new
	trap '$SUDO rm -rf "$dl" "$tmp"' EXIT
	(cd "$dl" && apt-get download -q -o APT::Sandbox::User="$(id -un)" \
		"$image:arm64" "$headers:arm64" "$common")
	$SUDO rm -rf "$tmp"
	$SUDO mkdir -p "$tmp"
	for deb in "$dl"/*.deb; do $SUDO dpkg -x "$deb" "$tmp"; done
	kbuild=$(readlink "$tmp/usr/src/linux-headers-$rel/scripts")
	kbuild=${kbuild%/scripts}
	kbuild=${kbuild##*/}
	[ -d "/usr/lib/$kbuild/scripts" ] || apt_install "$kbuild"
	$SUDO depmod -b "$tmp" "$rel"
	$SUDO ln -sfn "../../../usr/src/linux-headers-$rel" "$tmp/lib/modules/$rel/build"
	$SUDO sed -i "s|^include /usr/src/|include $KROOT/usr/src/|" "$tmp/usr/src/linux-headers-$rel/Makefile"
	$SUDO mkdir -p "$tmp/usr/lib"
	$SUDO ln -sfn "/usr/lib/$kbuild" "$tmp/usr/lib/$kbuild"
	# Each kernel joins the others already there.
	ours "$KROOT"
	if [ -d "$KROOT" ]; then
		$SUDO cp -a "$tmp/." "$KROOT/"
		$SUDO rm -rf "$tmp"
	else
		$SUDO mv "$tmp" "$KROOT"
	fi
	rm -rf "$dl"
	trap - EXIT
}

# Setup replaces only what it made: KROOT and GUEST_ROOT may come from the
# environment, and a directory outside ARM64_DIR is somebody else's.
ours() {
	case $1 in
	"$ARM64_DIR"/*) ;;
	*) echo "setup: $1 is outside $ARM64_DIR: not replacing it (unset KROOT/GUEST_ROOT)" >&2; exit 1 ;;
	esac
}

# The guest's root: mmdebstrap --variant=extract unpacks the packages
# without running anything in them, so no arm64 emulation is needed.
# base-passwd's postinst would write /etc/passwd and /etc/group: copied here.
make_arm64_root() {
	local mirror=/etc/apt/sources.list.d/debian.sources tmp=$GUEST_ROOT.new
	[ -r "$mirror" ] || mirror=/etc/apt/sources.list
	echo "setup: making the guest's arm64 root in $GUEST_ROOT ($guest_packages)"
	$SUDO rm -rf "$tmp"
	trap '$SUDO rm -rf "$tmp"' EXIT
	$SUDO mmdebstrap -q --variant=extract --arch=arm64 --include="${guest_packages// /,}" \
		bookworm "$tmp" "$mirror"
	$SUDO cp "$tmp/usr/share/base-passwd/passwd.master" "$tmp/etc/passwd"
	$SUDO cp "$tmp/usr/share/base-passwd/group.master" "$tmp/etc/group"
	echo "$guest_packages" | $SUDO tee "$tmp/.jsonsysctl-packages" >/dev/null
	ours "$GUEST_ROOT"
	$SUDO rm -rf "$GUEST_ROOT"
	$SUDO mv "$tmp" "$GUEST_ROOT"
	trap - EXIT
}

if ! have_arm64; then
	apt_install $arm64_packages
	for k in $arm64_kernels; do have_arm64_kernel "$k" || unpack_arm64_kernel "$k"; done
	[ "$(cat "$GUEST_ROOT/.jsonsysctl-packages" 2>/dev/null)" = "$guest_packages" ] || make_arm64_root
fi
have_tools && have_kernels && have_arm64 || { echo "setup: install incomplete" >&2; exit 1; }
