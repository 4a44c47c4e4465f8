#!/bin/bash
# Prints the kernel build directory `make` uses when no KDIR is given: the
# running kernel's if it is installed, else the newest one under
# /lib/modules. Says on stderr which one it chose and why.
set -euo pipefail
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
