#!/bin/bash
# Boots one of Debian's installed kernels in QEMU and runs a command in it as
# root, against this machine's own userspace: the host's root is shared
# read-only over 9p (virtme-style), so python3, pytest, sysctl and cat in the
# guest are the real ones and the caller's directory is at the same path.
# Nothing is ever loaded into the host's kernel.
#
# usage: vm.sh [--kver RELEASE|VERSION] [--kvm] [--timeout SECONDS] [--mem SIZE] [--append ARGS] [--rw DIR]... -- COMMAND [ARG]...
#   --kver     the kernel (default: $KVER, else kernels.list's first for ARCH)
#   --kvm      use KVM instead of TCG (guests hang or die with KVM on some hosts)
#   --timeout  kill the guest after this many seconds (default 600; arm64,
#              emulated about 4x slower, 1800)
#   --rw DIR   make host DIR writable in the guest, at the same path
#   --mem SIZE the guest's memory, as QEMU's -m takes it (default 1G; KASAN
#              kernels want more)
#   --append ARGS  more kernel command line, after vm.sh's own (below); of
#              a parameter like slub_debug= given twice, the last one wins
# KROOT=DIR takes the kernel from DIR/boot and DIR/lib/modules instead of
# /boot and /lib/modules (a chroot's kernel: scripts/trixie.sh).
# ARCH=arm64 boots Debian's arm64 kernel in qemu-system-aarch64 (-M virt,
# -cpu max) with an arm64 root instead of the host's (GUEST_ROOT=DIR; both
# unpacked by ARCH=arm64 scripts/setup.sh, see scripts/arch.sh); the
# caller's directory is then shared on its own, at the same path.
# Console output streams to stdout without carriage returns or the firmware's
# banner. The exit status is the command's, except: a command that succeeded
# while the guest's kernel logged a warning or oops, or a guest that panics or
# dies without reporting a status, exits 125; a timeout 124; an interrupted
# run 130; each with the reason on stderr (a failed command keeps its status,
# and the warning is shown).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
usage="usage: vm.sh [--kver K] [--kvm] [--timeout S] [--mem SIZE] [--append ARGS] [--rw DIR]... -- COMMAND [ARG]..."
die() { echo "vm.sh: $*" >&2; exit 2; }
kver=${KVER:-} accel=tcg timeout= mem=1G more= rw=()
while [ $# -gt 0 ]; do
	case $1 in
	--kver | --timeout | --mem | --append | --rw) [ $# -ge 2 ] || die "$1 needs a value ($usage)" ;;&
	--kver) kver=$2; shift 2 ;;
	--kvm) accel=kvm; shift ;;
	--timeout) timeout=$2; shift 2 ;;
	--mem) mem=$2; shift 2 ;;
	--append) more=$2; shift 2 ;;
	--rw) mkdir -p "$2" && rw+=("$(cd "$2" && pwd -P)") || die "cannot create $2"; shift 2 ;;
	--) shift; break ;;
	*) die "unknown option $1 ($usage)" ;;
	esac
done
[ $# -gt 0 ] || die "no command given ($usage)"
. "$here/arch.sh"
[ -n "$kver" ] || kver=$("$here/kernels.sh" default "$debarch")
[ -n "$timeout" ] || case $debarch in arm64) timeout=1800 ;; *) timeout=600 ;; esac
[ "$accel" = tcg ] || [ "$debarch" = amd64 ] || die "--kvm runs only the host's own architecture, not ARCH=$ARCH"
[[ $timeout =~ ^[1-9][0-9]*$ ]] || die "--timeout wants whole seconds, not '$timeout'"
rel=$("$here/kernel-release.sh" "$kver") || exit 2
kroot=${KROOT:-}
kroot=${kroot%/}
kernel=$kroot/boot/vmlinuz-$rel
setup="${ARCH:+ARCH=$ARCH }scripts/setup.sh"
[ -e "$kernel" ] || die "no $kernel for $rel (run $setup)"
[ -r "$kernel" ] || die "$kernel is not readable by $(id -un)"
[ -r "$kroot/lib/modules/$rel/modules.dep" ] || die "no $kroot/lib/modules/$rel/modules.dep (run $setup)"
guest_root=${GUEST_ROOT:-/}
[ -x "$guest_root/bin/sh" ] || die "no $guest_root/bin/sh: the guest's root is missing (run $setup)"
initrd=$("$here/mkinitramfs.sh" "$rel") || exit 2

# The run share, writable by the guest: the command goes in; its exit
# status and the guest's dmesg come back.
run=$(mktemp -d "${TMPDIR:-/tmp}/vm.XXXXXX")
qemu=
cleanup() {
	[ -z "$qemu" ] || kill -TERM "$qemu" 2>/dev/null || true
	rm -rf "$run"
}
trap cleanup EXIT

# cmd.sh is run by the guest root's /bin/sh (dash), so every word is quoted
# the POSIX way ('it'\''s'): bash's printf %q may produce $'...', which dash
# reads differently. /usr/bin/env -i (by path: not every root merges /bin
# into /usr/bin) gives the command exactly the environment below, not
# whatever the kernel handed to init; stdin is /dev/null because the serial
# console never has input.
shq() { local s=${1//\'/\'\\\'\'}; printf "'%s'" "$s"; }
{
	echo "cd $(shq "$PWD") || { echo 'vm.sh: cannot enter '$(shq "$PWD")' in the guest' >&2; exit 125; }"
	echo "umask 022"
	printf 'exec /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
	printf ' HOME=/root TERM=dumb LANG=C.UTF-8 PYTHONDONTWRITEBYTECODE=1 COLUMNS=100'
	[ -z "${CI+set}" ] || printf ' %s' "$(shq "CI=$CI")"
	for a in "$@"; do printf ' %s' "$(shq "$a")"; done
	echo ' </dev/null'
} >"$run/cmd.sh"

# Shares for QEMU (a comma in a path is written twice there), and the list
# of mounts guest-init makes over the read-only root, in order: the caller's
# directory first (it may lie under a guest tmpfs such as /root or /tmp),
# then the writable directories.
q() { printf %s "${1//,/,,}"; }
fs=(-virtfs "local,path=$(q "$guest_root"),mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap"
	-virtfs "local,path=$(q "$run"),mount_tag=run,security_model=none")
if [ "$guest_root" -ef / ]; then
	echo "ro - $PWD" >"$run/mounts"
else
	fs+=(-virtfs "local,path=$(q "$PWD"),mount_tag=tree,security_model=none,readonly=on,multidevs=remap")
	echo "ro tree $PWD" >"$run/mounts"
fi
for i in "${!rw[@]}"; do
	fs+=(-virtfs "local,path=$(q "${rw[i]}"),mount_tag=rw$i,security_model=none")
	echo "rw rw$i ${rw[i]}" >>"$run/mounts"
done

# The machine and the kernel command line:
# - the console is the PC's first serial port, or the arm64 virt board's
#   PL011; arm64's -cpu max signs pointers with QEMU's own cheap hash
#   (pauth-impdef): QEMU's docs say the architected QARMA is slow to emulate;
# - loglevel=4: only errors, oopses and panics reach the console live, so
#   warnings do not cut the command's output lines (they stay in dmesg);
# - panic=-1: a panic reboots at once, and -no-reboot turns that into QEMU
#   exiting, so a panic fails the run instead of hanging it;
# - acpi=noirq (x86): routing PCI interrupts through ACPI's link devices
#   takes 1.5 s per virtio device under TCG; the BIOS table does it at once
#   (the devices use MSI-X anyway);
# - log_buf_len=16M: the whole log is judged at the end, and a fault sweep's
#   expected reports alone can fill a debug kernel's default 128 KB.
append="loglevel=4 slub_debug=FZPU panic=-1 log_buf_len=16M rdinit=/init"
case $debarch in
amd64)
	machine=(qemu-system-x86_64 -cpu max)
	append="console=ttyS0 $append acpi=noirq edd=off"
	;;
arm64)
	machine=(qemu-system-aarch64 -M virt -cpu max,pauth-impdef=on)
	append="console=ttyAMA0 $append"
	;;
esac
append+=${more:+ $more}

echo "vm.sh: booting $rel ($accel, ${machine[0]}, 2 cpus)" >&2
# QEMU writes the console to a fifo that a filter drains to stdout and to the
# log: no CRs or terminal escapes, and none of the boot noise around the
# command (SeaBIOS's banner, the kernel's "reboot: Power down"). Both run in
# the background so that a signal reaches this script's trap at once and
# QEMU is killed, not left running until the timeout.
mkfifo "$run/console.fifo"
sed -u -e 's/\r//g' -e 's/\x1b\[[0-9;?]*[A-Za-z]//g' -e 's/\x1bc//g' \
	-e '/^SeaBIOS (version /d' -e '/^Booting from ROM\.*$/d' \
	-e '/^\[ *[0-9.]*\] reboot: Power down$/d' \
	<"$run/console.fifo" | tee "$run/console" &
shown=$!
timeout -k 5 "$timeout" "${machine[@]}" -nodefaults -no-user-config -nographic \
	-accel "$accel" -smp 2 -m "$mem" -no-reboot \
	-kernel "$kernel" -initrd "$initrd" -append "$append" \
	-serial stdio -monitor none "${fs[@]}" </dev/null >"$run/console.fifo" 2>&1 &
qemu=$!
signal=
trap 'signal=1; kill -TERM "$qemu" 2>/dev/null || true' INT TERM HUP
# (wait's 2>/dev/null drops bash's "Aborted ..." notice when QEMU crashes;
# the reason below says it.)
status=0
wait "$qemu" 2>/dev/null || status=$?
# A signal interrupts wait while QEMU is still going down: wait for its end.
while kill -0 "$qemu" 2>/dev/null; do status=0; wait "$qemu" 2>/dev/null || status=$?; done
qemu=
wait "$shown" || true

if [ -n "$signal" ]; then
	reason="interrupted" code=130
elif [ -s "$run/rc" ]; then
	rc=$(cat "$run/rc")
	# (the sanitizers' reports: KASAN and KCSAN say BUG:, lockdep
	# WARNING:, UBSAN its own word; kmemleak only when it disables itself;
	# kCFI says "CFI failure at", permissive or not)
	trouble='WARNING:|BUG[: ]|Oops|Call Trace|Kernel panic|UBSAN:|kmemleak: .*disabled|CFI failure'
	# Only what the kernel logged from guest-init's marker on counts; if
	# the marker is gone (the log wrapped), all of it does.
	touch "$run/dmesg"
	if grep -q 'guest-init: command starts' "$run/dmesg"; then
		sed -n '/guest-init: command starts/,$p' "$run/dmesg" >"$run/dmesg.cmd"
	else
		echo "vm.sh: guest-init's marker is not in the kernel log; judging all of it" >&2
		cp "$run/dmesg" "$run/dmesg.cmd"
	fi
	# A KCSAN report with no module's frame on either stack is a race of
	# the kernel's own: said, not counted (the suite shows them). What a
	# fault sweep logged between its marks (userspace-tests/test_faults.py)
	# the sweep has judged itself, knowing which failures it injected.
	awk -v own="$run/kernel-races" '
		/jsonsysctl-tests: fault sweep starts/ { swept = 1; next }
		/jsonsysctl-tests: fault sweep ends/ { swept = 0; next }
		swept { next }
		/BUG: KCSAN:/ { inrep = 1; block = $0; mod = 0; next }
		inrep { block = block "\n" $0
			if ($0 ~ /\+0x[0-9a-f]+\/0x[0-9a-f]+ \[[A-Za-z0-9_]+\]$/) mod = 1
			if ($0 ~ /\] =+$/) { inrep = 0; if (mod) print block; else print block >own }
			next }
		{ print }
		END { if (inrep) print block }' "$run/dmesg.cmd" >"$run/dmesg.judged"
	[ ! -s "$run/kernel-races" ] ||
		echo "vm.sh: $(grep -c 'BUG: KCSAN:' "$run/kernel-races") KCSAN report(s) of the kernel's own races, no module on their stacks: not counted" >&2
	mv "$run/dmesg.judged" "$run/dmesg.cmd"
	n=$(grep -cE "$trouble" "$run/dmesg.cmd" || true)
	if [ "${n:-0}" -gt 0 ]; then
		# A kernel that warned or oopsed fails the run even when the
		# command did not notice.
		if [ "$rc" = 0 ]; then what="the command succeeded" rc=125; else what="the command failed ($rc)"; fi
		{
			echo "vm.sh: $what; trouble in the guest's kernel log ($n lines):"
			grep -E "$trouble" "$run/dmesg.cmd" | head -n 40 | sed 's/^/  | /' || true
		} >&2
	fi
	exit "$rc"
elif [ "$status" = 124 ] || { [ "$status" = 137 ] && [ "$SECONDS" -ge "$timeout" ]; }; then
	reason="timed out after $timeout s" code=124
elif panic=$(grep -m 1 -o 'Kernel panic - .*' "$run/console"); then
	reason="guest kernel panicked: $panic" code=125
else
	reason="guest died without reporting an exit status (QEMU status $status)" code=125
fi
{
	echo "vm.sh: $reason; last console lines:"
	tail -n 40 "$run/console" | sed 's/^/  | /'
	echo "vm.sh: $reason"
} >&2
exit "$code"
