# Sourced by the scripts: what ARCH (the kernel's name for it, as in
# `make ARCH=arm64`) means for the guest. Unset, x86 or x86_64: the host's
# own Debian amd64 kernels and root. arm64: Debian's arm64 kernel and an
# arm64 root that ARCH=arm64 scripts/setup.sh unpacks under $ARM64_DIR (default
# /var/tmp/jsonsysctl-arm64), kernel/ (KROOT) and root/ (GUEST_ROOT).
# Sets debarch (Debian's name: amd64, arm64) and, for arm64, defaults KROOT
# and GUEST_ROOT.
case ${ARCH:-} in
"" | x86 | x86_64) debarch=amd64 ;;
arm64)
	debarch=arm64
	ARM64_DIR=${ARM64_DIR:-/var/tmp/jsonsysctl-arm64}
	ARM64_DIR=${ARM64_DIR%/}
	KROOT=${KROOT:-$ARM64_DIR/kernel}
	GUEST_ROOT=${GUEST_ROOT:-$ARM64_DIR/root}
	;;
*)
	echo "${0##*/}: ARCH=$ARCH is not supported: use x86_64 (the default) or arm64" >&2
	exit 2
	;;
esac
