#!/bin/bash
# Reads kernels.list, the one list of supported kernels (see its header).
#
# usage: kernels.sh versions ARCH     the kernel versions of ARCH (amd64, arm64), in order
#        kernels.sh default ARCH      the first of them: `make check`'s KVER
#        kernels.sh suite VERSION ARCH       the suite it comes from
#        kernels.sh packages VERSION ARCH    what setup fetches for it
#        kernels.sh fetch VERSION ARCH       the versioned packages setup installs
#                                     for it, from apt's lists (apt-get update first)
#        kernels.sh source            the kernel source package (arch `source`)
#        kernels.sh report            what each user of the list takes from it
# ARCH may also be a kernel ARCH (x86_64, x86, arm64) or empty (amd64).
set -euo pipefail
list=$(cd "$(dirname "$0")/.." && pwd)/kernels.list
usage="usage: kernels.sh versions|default ARCH | suite|packages VERSION ARCH | source"
die() { echo "kernels.sh: $*" >&2; exit 2; }
[ -r "$list" ] || die "no $list"
debarch() {
	case ${1:-} in
	"" | amd64 | x86 | x86_64) echo amd64 ;;
	arm64 | source) echo "$1" ;;
	*) die "unknown arch '$1': amd64 (x86_64), arm64 or source" ;;
	esac
}
# The list's entries without comments: kernel arch suite package...
entries() { sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$list"; }
# One entry's field $3 (suite) or $4.. (packages), or fail.
entry() { # $1: version, $2: arch, $3: what
	local line
	line=$(entries | awk -v k="$1" -v a="$(debarch "$2")" '$1 == k && $2 == a' | head -n 1)
	[ -n "$line" ] || die "no kernel $1 for $(debarch "$2") in kernels.list"
	case $3 in
	suite) awk '{print $3}' <<<"$line" ;;
	packages) awk '{$1 = $2 = $3 = ""; sub(/^ +/, ""); print}' <<<"$line" ;;
	esac
}
# A metapackage's newest version in the suite (-security and -updates count
# as their suite, and oldstable is bookworm), and the versioned package it
# depends on: a metapackage installed here may be another suite's, and
# would not keep that kernel.
versioned() { # $1: a metapackage (linux-image-amd64), $2: a suite, $3: the arch
	local ver pkg meta=$1:$3 suite=$2 alias=${2/#bookworm/oldstable}
	ver=$(apt-cache madison "$meta" |
		awk -F'|' -v s="$suite" -v o="$alias" '{ split($3, w, " "); sub(/\/.*/, "", w[2]) }
			w[2] ~ "^(" s "|" o ")(-security|-updates)?$" && $3 ~ / Packages/ {
			gsub(/ /, "", $2); print $2 }' |
		sort -V | tail -n 1)
	if [ -z "$ver" ] && [ "$3" != amd64 ] && ! dpkg --print-foreign-architectures | grep -qx "$3"; then
		die "apt has no $3 lists yet: make setup ARCH=$3 adds them"
	fi
	[ -n "$ver" ] || die "no $meta in $suite in apt's lists (is $suite in apt's sources? apt-get update)"
	pkg=$(apt-cache show "$meta=$ver" | awk '/^Depends:/ {sub(/^Depends: */, ""); sub(/[ ,].*/, ""); print; exit}')
	[ -n "$pkg" ] || die "$meta $ver depends on no kernel package"
	echo "$pkg"
}

case ${1:-} in
versions | default)
	a=$(debarch "${2:-}")
	v=$(entries | awk -v a="$a" '$2 == a {print $1}')
	[ -n "$v" ] || die "kernels.list has no $a kernel"
	if [ "$1" = default ]; then head -n 1 <<<"$v"; else echo $v; fi
	;;
suite | packages) [ $# -eq 3 ] || die "$usage"; entry "$2" "$3" "$1" ;;
fetch)
	[ $# -eq 3 ] || die "$usage"
	s=$(entry "$2" "$3" suite)
	out=()
	for m in $(entry "$2" "$3" packages); do
		p=$(versioned "$m" "$s" "$(debarch "$3")")
		# linux-image-6.12.95+deb12-amd64 is kernel 6.12: the suite's
		# newest must be the kernel the line names.
		[[ $p =~ ^linux-[a-z]+-$2[.-] ]] ||
			die "$m in $s is $p, not kernel $2: fix or drop kernels.list's line '$2 $3'"
		out+=("$p")
	done
	echo "${out[*]}"
	;;
source) entry "$(entries | awk '$2 == "source" {print $1; exit}')" source packages ;;
report)
	amd64=$("$0" versions amd64) arm64=$("$0" versions arm64)
	echo "make check-all, make lint, make check-package: $amd64 (make check: KVER=${amd64%% *})"
	echo "make check-all ARCH=arm64: $arm64 (make check ARCH=arm64: KVER=${arm64%% *})"
	for a in amd64 arm64; do
		for k in $("$0" versions "$a"); do
			pkgs=$("$0" fetch "$k" "$a" 2>&1) || pkgs="$("$0" packages "$k" "$a") (${pkgs#kernels.sh: })"
			echo "setup ($a): $k from $("$0" suite "$k" "$a"): $pkgs"
		done
	done
	echo "make check-debug's kernels and make lint's checkpatch: $("$0" source)"
	;;
*) die "$usage" ;;
esac
