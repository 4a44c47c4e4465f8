#!/bin/bash
# Builds jsonsysctl for the newest Debian kernel, trixie-backports' linux-image
# and linux-headers, in a trixie chroot: that kernel's headers want trixie's
# gcc-14, which bookworm does not have, so they cannot be used on the host.
#
# usage: trixie.sh setup            create (or refresh) the chroot, print its kernel release
#        trixie.sh release          print that release
#        trixie.sh build [TARGET]...  run `make KDIR=/lib/modules/<release>/build [TARGET]...`
#                                   in the chroot on this tree (default target: all;
#                                   `build all cmodule` also builds the C yardstick);
#                                   fails if the build prints a warning
#
# The chroot is $TRIXIE_ROOT (default /var/tmp/jsonsysctl-trixie): debootstrap
# --variant=minbase trixie, with trixie, trixie-updates and trixie-backports
# (and trixie-security) on the mirror this machine's apt already uses. Its
# /boot/vmlinuz-<release> and /lib/modules/<release> are what the VM runner
# boots with KROOT=$TRIXIE_ROOT. Kernels are found by glob, never by a pinned
# ABI number. The chroot makes no initramfs of its own (INITRD=No): the VM
# runner builds its own from the modules.
#
# Every mount (the chroot's /proc and /dev, the tree bound at its own path) is
# made in a private mount namespace that ends with the command: nothing is
# ever left mounted on the host, whatever way the command ends.
set -euo pipefail
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
here=$(cd "$(dirname "$0")" && pwd -P)
tree=$(dirname "$here")
root=${TRIXIE_ROOT:-/var/tmp/jsonsysctl-trixie}
root=${root%/}
usage="usage: trixie.sh setup | release | build [TARGET]..."
die() { echo "trixie.sh: $*" >&2; exit 1; }
[[ $root == /?* ]] || die "TRIXIE_ROOT must be an absolute path, not '$root'"

# The newest release that has both a vmlinuz and headers in the chroot. The
# build link (absolute on some releases, relative on others) is resolved
# inside the chroot, never on the host.
release() {
	local d link
	for d in "$root"/lib/modules/*-amd64; do
		[ -d "$d" ] || continue
		d=${d##*/}
		link=$(readlink "$root/lib/modules/$d/build" 2>/dev/null) || continue
		[[ $link == /* ]] || link=/lib/modules/$d/$link
		[ -e "$root$link/Makefile" ] && [ -e "$root/boot/vmlinuz-$d" ] && echo "$d"
	done | sort -V | tail -n 1 | grep .
}

# True when something is mounted at or below $1 in this mount namespace.
mounted_under() {
	awk -v p="$1" '$5 == p || index($5, p "/") == 1 { found = 1 } END { exit !found }' \
		/proc/self/mountinfo
}

# Runs a command in the chroot, in a private mount namespace with /proc, /dev
# and (with --tree) this tree at its own path; the namespace and its mounts go
# away with the command. The trap unmounts them in order all the same. With
# --tree the command runs as the tree's owner, so what it writes there is not
# left owned by root.
in_chroot() { # [--tree] COMMAND [ARG]...
	local bind='' user=0:0
	if [ "$1" = --tree ]; then
		bind=$tree user=$(stat -c %u:%g "$tree")
		shift
	fi
	# shellcheck disable=SC2016 # expanded by the inner shell
	unshare --mount --propagation private -- /bin/bash -euc '
		root=$1 bind=$2 user=$3; shift 3
		trap "umount -R \"\$root/proc\" \"\$root/dev\" 2>/dev/null; \
			[ -z \"\$bind\" ] || umount \"\$root\$bind\" 2>/dev/null; true" EXIT
		mount -t proc proc "$root/proc"
		mount --rbind /dev "$root/dev"
		if [ -n "$bind" ]; then
			mkdir -p "$root$bind"
			mount --bind "$bind" "$root$bind"
		fi
		home=/root
		[ "$user" = 0:0 ] || home=/tmp
		chroot --userspec="$user" "$root" /usr/bin/env -i \
			PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
			HOME="$home" LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive INITRD=No "$@"
	' in_chroot "$root" "$bind" "$user" "$@"
}

# The mirror this machine's apt uses, from its deb822 sources (else the
# one-line list, its [option=...] part dropped): the Debian archive's URI and
# the security archive's.
mirror() { # $1: main|security
	local sources=/etc/apt/sources.list.d/debian.sources uri
	if [ -r "$sources" ]; then
		if [ "$1" = security ]; then
			uri=$(awk '/^URIs:/ && $2 ~ /security/ {print $2; exit}' "$sources")
		else
			uri=$(awk '/^URIs:/ && $2 !~ /security/ {print $2; exit}' "$sources")
		fi
	else
		uri=$(sed -E 's/\[[^]]*\]//' /etc/apt/sources.list 2>/dev/null |
			awk -v want="$1" '$1 == "deb" && ($2 ~ /security/) == (want == "security") {
				print $2; exit }')
	fi
	echo "${uri%/}"
}

setup() {
	local uri sec new=$root.new stamp=$root/.jsonsysctl-bootstrapped keyring
	uri=$(mirror main)
	[ -n "$uri" ] || die "cannot find the Debian mirror URI in /etc/apt/sources.list.d/debian.sources"
	sec=$(mirror security)
	mkdir -p "$(dirname "$root")"
	exec 9>"$root.lock"
	flock 9

	# debootstrap into $root.new and rename: a half-made chroot is never
	# taken for a whole one, and a failed attempt is thrown away next time.
	if [ ! -e "$stamp" ]; then
		if [ -e "$root" ]; then
			# A trixie system made some other way is adopted, anything
			# else there is left alone.
			if [ ! -x "$root/usr/bin/apt-get" ] ||
				! grep -qx 'VERSION_CODENAME=trixie' "$root/etc/os-release" 2>/dev/null; then
				die "$root exists and is not a trixie chroot; remove it or set TRIXIE_ROOT"
			fi
			touch "$stamp"
		else
			if [ -e "$new" ]; then
				! mounted_under "$new" || die "something is mounted under $new; unmount it first"
				rm -rf --one-file-system "$new"
			fi
			command -v debootstrap >/dev/null ||
				apt-get install -y -q --no-install-recommends debootstrap >&2
			echo "trixie.sh: debootstrap trixie from $uri into $root" >&2
			unshare --mount --propagation private -- \
				debootstrap --variant=minbase trixie "$new" "$uri" >&2 ||
				die "debootstrap failed (its log: $new/debootstrap/debootstrap.log)"
			touch "$new/.jsonsysctl-bootstrapped"
			mv "$new" "$root"
		fi
	fi

	# Sources: the same mirror, trixie and its backports; no daemons start.
	keyring=/usr/share/keyrings/debian-archive-keyring.gpg
	[ -e "$root$keyring" ] || keyring=/usr/share/keyrings/debian-archive-keyring.pgp
	{
		printf 'Types: deb\nURIs: %s\nSuites: trixie trixie-updates trixie-backports\n' "$uri"
		printf 'Components: main\nSigned-By: %s\n' "$keyring"
		[ -z "$sec" ] ||
			printf '\nTypes: deb\nURIs: %s\nSuites: trixie-security\nComponents: main\nSigned-By: %s\n' \
				"$sec" "$keyring"
	} >"$root/etc/apt/sources.list.d/debian.sources"
	rm -f "$root/etc/apt/sources.list"
	printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
	chmod 0755 "$root/usr/sbin/policy-rc.d"
	cp -L /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true

	local install=(apt-get install -y -q --no-install-recommends)
	in_chroot apt-get update -q >&2
	in_chroot "${install[@]}" make g++ xz-utils kmod >&2
	in_chroot "${install[@]}" -t trixie-backports linux-image-amd64 linux-headers-amd64 >&2
	in_chroot apt-get clean >&2
	release || die "no kernel with headers in $root after the install"
}

case ${1:-} in
setup | build) [ "$(id -u)" -eq 0 ] || exec sudo -- env TRIXIE_ROOT="$root" "$0" "$@" ;;&
setup)
	[ $# -eq 1 ] || die "$usage"
	setup
	;;
release)
	[ $# -eq 1 ] || die "$usage"
	release || die "no kernel in $root (run scripts/trixie.sh setup)"
	;;
build)
	shift
	[ $# -gt 0 ] || set -- all
	release >/dev/null || (setup >/dev/null)
	# A concurrent `setup` (which holds the lock exclusively) does not
	# change the chroot under the build, nor the release it builds for.
	exec 9>"$root.lock"
	flock -s 9
	rel=$(release)
	log=$(mktemp)
	trap 'rm -f "$log"' EXIT
	echo "trixie.sh: make KDIR=/lib/modules/$rel/build $* in $root" >&2
	status=0
	in_chroot --tree make -C "$tree" -j"$(nproc)" KDIR="/lib/modules/$rel/build" "$@" 2>&1 |
		tee "$log" || status=$?
	[ "$status" = 0 ] || die "the build failed ($status)"
	if grep -qi warning "$log"; then
		echo "trixie.sh: the build printed warnings:" >&2
		grep -i warning "$log" | sed 's/^/  | /' >&2
		exit 1
	fi
	;;
*)
	die "$usage"
	;;
esac
