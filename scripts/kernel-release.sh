#!/bin/bash
# Prints the installed Debian kernel release that a name stands for:
# a full release (6.12.95+deb12-amd64) as it is, or a version prefix
# (6.1, 6.12) as the newest installed /lib/modules/<prefix>.*-amd64.
# Kernels are found by glob, never by a pinned ABI number. KROOT=DIR looks
# in DIR/lib/modules instead (see vm.sh); ARCH=arm64 for <prefix>.*-arm64
# in the unpacked arm64 kernel's (scripts/arch.sh).
set -euo pipefail
want=${1:?usage: kernel-release.sh RELEASE|VERSION}
. "$(dirname "$0")/arch.sh"
kroot=${KROOT:-}
kroot=${kroot%/}
if [ -d "$kroot/lib/modules/$want" ]; then
	echo "$want"
	exit 0
fi
# Debian's plain flavour only: 6.1.0-57-cloud-amd64 or -rt-amd64 is not it.
rel=$(cd "$kroot/lib/modules" 2>/dev/null && ls -d "$want".*-"$debarch" 2>/dev/null |
	grep -Ev -- "-[a-z][a-z0-9]*-$debarch\$" | sort -V | tail -n 1 || true)
if [ -z "$rel" ]; then
	hint="scripts/setup.sh${kroot:+ or scripts/trixie.sh setup}"
	[ "$debarch" = amd64 ] || hint="ARCH=$ARCH scripts/setup.sh; $ARCH has kernels.list's $(echo $("$(dirname "$0")/kernels.sh" versions "$debarch")) only"
	echo "kernel-release.sh: no kernel in $kroot/lib/modules matches '$want' (run $hint)" >&2
	exit 1
fi
echo "$rel"
