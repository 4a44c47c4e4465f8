#!/bin/sh
# Runs in the guest (scripts/vm.sh) for scripts/check-package.sh: loads the
# installed module the way a person would, from the kernel's tree, and
# checks what it shows.
# usage: check-package-guest.sh MODULE_FILE SYSCTL_CONF
#   MODULE_FILE  where modprobe must find it, e.g.
#                /lib/modules/<release>/updates/dkms/jsonsysctl.ko.xz
#   SYSCTL_CONF  the example /etc/sysctl.d file to apply
set -eu
want=$1 conf=$2
fail() { echo "check-package-guest: $*" >&2; exit 1; }
show() { echo "\$ $*"; "$@"; }
expect_doc() {
	doc=$(cat /dev/json)
	echo "$doc"
	[ "$doc" = "$1" ] || fail "/dev/json reads '$doc', expected '$1'"
}

found=$(modinfo -n jsonsysctl) || fail "modinfo finds no jsonsysctl for $(uname -r)"
[ "$found" = "$want" ] || fail "modprobe would load $found, expected $want"
show modprobe jsonsysctl
grep -q '^jsonsysctl ' /proc/modules || fail "modprobe jsonsysctl left no jsonsysctl in /proc/modules"
echo "\$ cat /dev/json"
expect_doc '{"a":false,"b":false,"c":false}'
show sysctl -p "$conf"
echo "\$ cat /dev/json"
expect_doc '{"a":true,"b":false,"c":true}'
show modprobe -r jsonsysctl
! grep -q '^jsonsysctl ' /proc/modules || fail "modprobe -r left jsonsysctl loaded"
[ ! -e /dev/json ] || fail "/dev/json is still there after modprobe -r"
echo "check-package-guest: $(uname -r): modprobe, /dev/json, sysctl -p and modprobe -r as expected"
