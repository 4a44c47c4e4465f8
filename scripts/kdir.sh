#!/bin/bash
# Prints a kernel build directory for `make`.
# usage: kdir.sh [VERSION]
# With VERSION (a kernels.list version such as 6.1, or a full release): that installed kernel's,
# $KROOT/lib/modules/<release>/build (see kernel-release.sh). Without: the
# one `make` uses when no KDIR is given, the running kernel's if it is
# installed, else the newest one under /lib/modules, saying on stderr which
# one it chose and why; with ARCH=arm64, kernels.list's first arm64 kernel
# as ARCH=arm64 scripts/setup.sh unpacked it (no arm64 kernel runs here).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/arch.sh"
if [ $# -gt 0 ] || [ "$debarch" = arm64 ]; then
	rel=$("$here/kernel-release.sh" "${1:-$("$here/kernels.sh" default "$debarch")}")
	kdir=${KROOT:-}/lib/modules/$rel/build
	[ $# -gt 0 ] || echo "make: building against Debian's $debarch kernel: $kdir" >&2
	echo "$kdir"
	exit 0
fi
running=/lib/modules/$(uname -r)/build
if [ -e "$running/Makefile" ]; then
	echo "make: building against the running kernel: $running" >&2
	echo "$running"
	exit 0
fi
newest=$(ls -d /lib/modules/*/build 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$newest" ]; then
	echo "make: no kernel build directory under /lib/modules; run scripts/setup.sh or pass KDIR=" >&2
	exit 1
fi
echo "make: $(uname -r) has no build directory; building against the newest installed: $newest" >&2
echo "$newest"
