#!/bin/bash
# Installs the kernel developer's tools `make lint` and `make format-check`
# run, all from Debian: clang-format 14 (format), and for lint also sparse,
# clangd 14 and the kernel source package of kernels.list (linux-source-6.1),
# whose tarball is where Debian ships
# checkpatch.pl (kernel-doc comes with each kernel's headers, linux-kbuild).
#
#   scripts/kernel-tools.sh format   install clang-format-14
#   scripts/kernel-tools.sh lint     install the lint tools; print the directory
#                                    holding checkpatch.pl and its data files
#
# checkpatch.pl, spelling.txt and const_structs.checkpatch are extracted
# once per linux-source version into $KERNEL_TOOLS_CACHE (default
# /var/tmp/jsonsysctl-kernel-tools), never into the repository.
# Idempotent: when everything is present it returns at once without apt.
set -euo pipefail
export PATH=$PATH:/usr/sbin:/sbin
mode=${1:?usage: kernel-tools.sh format|lint}
source_pkg=$("$(dirname "$0")/kernels.sh" source)
source_tar=/usr/src/$source_pkg.tar.xz

missing=()
want() { # $1: a command or file that package $2 provides
	case $1 in
	/*) [ -e "$1" ] ;;
	*) command -v "$1" >/dev/null ;;
	esac || missing+=("$2")
}
want clang-format-14 clang-format-14
if [ "$mode" = lint ]; then
	want sparse sparse
	want clangd-14 clangd-14
	want perl perl
	want python3 python3
	want gcc gcc
	want "$source_tar" "$source_pkg"
fi
if [ ${#missing[@]} -gt 0 ]; then
	echo "kernel-tools: installing ${missing[*]}" >&2
	SUDO=
	[ "$(id -u)" -eq 0 ] || SUDO=sudo
	export DEBIAN_FRONTEND=noninteractive
	$SUDO apt-get update -q >&2
	$SUDO apt-get -o DPkg::Lock::Timeout=900 install -y -q --no-install-recommends \
		"${missing[@]}" >&2
fi
[ "$mode" = lint ] || exit 0

version=$(dpkg-query -W -f='${Version}' "$source_pkg")
root=${KERNEL_TOOLS_CACHE:-/var/tmp/jsonsysctl-kernel-tools}
cache=$root/$source_pkg-$version
if [ ! -e "$cache/scripts/checkpatch.pl" ]; then
	echo "kernel-tools: extracting checkpatch.pl from $source_tar into $cache (once; about 30 s)" >&2
	mkdir -p "$root"
	tmp=$(mktemp -d "$root/.extract.XXXXXX")
	tar -xJf "$source_tar" -C "$tmp" --strip-components=1 --wildcards \
		'*/scripts/checkpatch.pl' '*/scripts/spelling.txt' '*/scripts/const_structs.checkpatch'
	rm -rf "$cache"
	mv "$tmp" "$cache"
fi
echo "$cache"
