#!/bin/bash
# Boots one of Debian's installed kernels in QEMU and runs a command in it as
# root, against this machine's own userspace: the host's root is shared
# read-only over 9p (virtme-style), so python3, pytest, sysctl and cat in the
# guest are the real ones and the project tree is at the same path.
#
# usage: vm.sh [--kver RELEASE|6.1|6.12] [--kvm] [--timeout SECONDS] [--rw DIR]... -- COMMAND [ARG]...
#   --kver     the kernel (default: $KVER, else bookworm's 6.1)
#   --kvm      use KVM instead of TCG (guests hang or die with KVM on some hosts)
#   --timeout  kill the guest after this many seconds (default 600)
#   --rw DIR   make host DIR writable in the guest, at the same path
# Console output streams to stdout without carriage returns or the
# firmware's terminal escapes. The exit status is the command's. A guest that panics, dies or hangs fails
# loudly with the last console lines. The guest boots with slub_debug=FZPU.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
kver=${KVER:-6.1} accel=tcg timeout=600 rw=()
die() { echo "vm.sh: $*" >&2; exit 2; }
while [ $# -gt 0 ]; do
	case $1 in
	--kver) kver=${2:?}; shift 2 ;;
	--kvm) accel=kvm; shift ;;
	--timeout) timeout=${2:?}; shift 2 ;;
	--rw) rw+=("$(mkdir -p "${2:?}" && cd "$2" && pwd)"); shift 2 ;;
	--) shift; break ;;
	*) die "unknown option $1 (usage: vm.sh [--kver K] [--kvm] [--timeout S] [--rw DIR]... -- COMMAND...)" ;;
	esac
done
[ $# -gt 0 ] || die "no command given"
rel=$("$here/kernel-release.sh" "$kver")
kernel=/boot/vmlinuz-$rel
[ -r "$kernel" ] || die "no readable $kernel (run scripts/setup.sh)"
initrd=$("$here/mkinitramfs.sh" "$rel")

# The run share: the command for the guest in, its status and dmesg out.
run=$(mktemp -d "${TMPDIR:-/tmp}/vm.XXXXXX")
trap 'rm -rf "$run"' EXIT
{
	echo "export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
	echo "export HOME=/root TERM=dumb LANG=C.UTF-8 PYTHONDONTWRITEBYTECODE=1 COLUMNS=100"
	[ -z "${CI:-}" ] || echo "export CI=$(printf %q "$CI")"
	echo "cd $(printf %q "$PWD")"
	printf 'exec'
	printf ' %q' "$@"
	echo
} >"$run/cmd.sh"
fs=(-virtfs "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap"
	-virtfs "local,path=$run,mount_tag=run,security_model=none")
: >"$run/rw"
for i in "${!rw[@]}"; do
	fs+=(-virtfs "local,path=${rw[i]},mount_tag=rw$i,security_model=none")
	echo "rw$i ${rw[i]}" >>"$run/rw"
done

echo "vm.sh: booting $rel ($accel, 2 cpus)" >&2
status=0
timeout -k 5 "$timeout" qemu-system-x86_64 -nodefaults -no-user-config -nographic \
	-accel "$accel" -cpu max -smp 2 -m 1G -no-reboot \
	-kernel "$kernel" -initrd "$initrd" \
	-append "console=ttyS0 loglevel=4 slub_debug=FZPU panic=-1 edd=off rdinit=/init" \
	-serial stdio -monitor none "${fs[@]}" </dev/null 2>&1 |
	sed -u -e 's/\r//g' -e 's/\x1b\[[0-9;?]*[A-Za-z]//g' -e 's/\x1bc//g' | tee "$run/console" || status=$?
[ "${PIPESTATUS[0]}" != 124 ] || status=124

if [ -s "$run/rc" ]; then
	rc=$(cat "$run/rc")
	if [ "$rc" != 0 ]; then
		grep -E 'WARNING:|BUG[: ]|Oops|Call Trace|Kernel panic' "$run/dmesg" >&2 || true
	fi
	exit "$rc"
fi
if [ "$status" = 124 ]; then
	reason="timed out after $timeout s"
elif grep -q 'Kernel panic' "$run/console"; then
	reason="guest kernel panicked"
else
	reason="guest died without reporting an exit status"
fi
{
	echo "vm.sh: $reason; last console lines:"
	tail -n 40 "$run/console" | sed 's/^/  | /'
	echo "vm.sh: $reason"
} >&2
[ "$status" = 124 ] && exit 124 || exit 125
