#!/bin/bash
# Builds (or reuses) the guest's initramfs for one kernel release and prints
# its path: busybox, the virtio/9p modules that kernel needs to mount the
# host's root over 9p, in modules.dep order, and scripts/guest-init as /init.
# Which modules are built in differs per kernel, so the list comes from
# modules.dep; 6.12 ships .ko.xz, decompressed here because busybox's
# insmod cannot be trusted with compressed modules.
# KROOT=DIR takes the modules from DIR/lib/modules (see vm.sh); busybox
# comes from the guest's root, GUEST_ROOT (default /; ARCH=arm64: the arm64
# root, scripts/arch.sh), so it runs on the guest's architecture.
set -euo pipefail
rel=${1:?usage: mkinitramfs.sh RELEASE}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/arch.sh"
kroot=${KROOT:-}
busybox=${GUEST_ROOT:-}/bin/busybox
out=$(dirname "$here")/build/vm/initramfs-$rel.cpio
moddir=${kroot%/}/lib/modules/$rel
[ -x "$busybox" ] || { echo "mkinitramfs.sh: no $busybox (run ${ARCH:+ARCH=$ARCH }scripts/setup.sh)" >&2; exit 1; }

# Rebuilt when this script, the guest's init, busybox or the kernel's
# modules (depmod rewrites modules.dep) are newer than the cached one.
if [ -s "$out" ] && [ "$out" -nt "$0" ] && [ "$out" -nt "$here/guest-init" ] &&
	[ "$out" -nt "$busybox" ] && [ "$out" -nt "$moddir/modules.dep" ]; then
	echo "$out"
	exit 0
fi

# The modules to load: each wanted one after its dependencies. A module
# missing from modules.dep is built in.
order=()
add() { # $1: a modules.dep path
	local m
	for m in "${order[@]}"; do [ "$m" = "$1" ] && return 0; done
	order+=("$1")
}
for want in virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci 9pnet 9pnet_virtio 9p; do
	line=$(grep -E "(^|/)$want\.ko(\.xz|\.zst|\.gz)?:" "$moddir/modules.dep" || true)
	[ -n "$line" ] || continue
	deps=(${line#*:})
	for ((i = ${#deps[@]} - 1; i >= 0; i--)); do add "${deps[i]}"; done
	add "${line%%:*}"
done

# Other runs may read or build the cached file at the same time: build a
# private copy and rename it into place.
mkdir -p "$(dirname "$out")"
root=$(mktemp -d) tmp=$(mktemp "$out.XXXXXX")
trap 'rm -rf "$root" "$tmp"' EXIT
mkdir -p "$root"/{bin,dev,proc,sys,newroot,modules}
cp "$busybox" "$root/bin/busybox"
cp "$here/guest-init" "$root/init"
: >"$root/modules/order"
for m in "${order[@]}"; do
	name=$(basename "${m%.ko*}").ko
	case $m in
	*.xz) xz -dc "$moddir/$m" ;;
	*.zst) zstd -qdc "$moddir/$m" ;;
	*.gz) gzip -dc "$moddir/$m" ;;
	*) cat "$moddir/$m" ;;
	esac >"$root/modules/$name"
	echo "$name" >>"$root/modules/order"
done
(cd "$root" && find . | cpio -o -H newc --quiet) >"$tmp"
chmod 0644 "$tmp"
mv "$tmp" "$out"
echo "$out"
