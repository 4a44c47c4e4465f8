#!/bin/bash
# Installs everything jsonsysctl needs on a Debian bookworm machine:
# the compiler, GoogleTest, QEMU, Debian's 6.1 kernel (image + headers) and
# bookworm-backports' 6.12, the guest's busybox, and Debian's pytest.
# Idempotent: when everything is present it returns at once without apt.
set -euo pipefail
export PATH=$PATH:/usr/sbin:/sbin

# Kernel packages are found by glob, never by a pinned ABI number.
have_kernel() { # $1: release prefix, e.g. 6.1.
	compgen -G "/boot/vmlinuz-$1*-amd64" >/dev/null &&
		compgen -G "/lib/modules/$1*-amd64/build/Makefile" >/dev/null
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

if have_tools && have_kernel 6.1. && have_kernel 6.12.; then
	exit 0
fi

SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
apt_install() { $SUDO apt-get install -y -q --no-install-recommends "$@"; }

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
$SUDO apt-get update -q

apt_install build-essential make bc cpio xz-utils binutils kmod procps \
	busybox-static python3 python3-pytest qemu-system-x86 coreutils util-linux libgtest-dev

# bookworm's 6.1 by its versioned package names, the ones the newest
# non-backports linux-*-amd64 metapackage depends on: those metapackages
# may already be the backports' ones, and the backports' would not keep 6.1.
bookworm_kernel() { # $1: linux-image|linux-headers
	local ver pkg
	ver=$(apt-cache madison "$1-amd64" |
		awk -F'|' '$3 ~ / (bookworm|oldstable)(-security|-updates)?\/.* Packages/ {
			gsub(/ /, "", $2); print $2 }' |
		sort -V | tail -n 1)
	[ -n "$ver" ] || { echo "setup: no bookworm $1-amd64 in apt's lists" >&2; exit 1; }
	pkg=$(apt-cache show "$1-amd64=$ver" |
		awk '/^Depends:/ {sub(/^Depends: */, ""); sub(/[ ,].*/, ""); print; exit}')
	[ -n "$pkg" ] || { echo "setup: $1-amd64 $ver depends on no kernel package" >&2; exit 1; }
	echo "$pkg"
}
if ! have_kernel 6.1.; then
	image=$(bookworm_kernel linux-image)
	headers=$(bookworm_kernel linux-headers)
	apt_install "$image" "$headers"
fi
if ! have_kernel 6.12.; then
	apt_install -t bookworm-backports linux-image-amd64 linux-headers-amd64
fi
have_tools && have_kernel 6.1. && have_kernel 6.12. || { echo "setup: install incomplete" >&2; exit 1; }
