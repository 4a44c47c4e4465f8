#!/bin/sh
# Runs inside the guest (make demo): the module as a person uses it, each
# command echoed before its output.
set -e
run() {
	echo "\$ $*"
	"$@"
}
run insmod jsonsysctl.ko
run ls -l /dev/json
run cat /dev/json
run sysctl -w json-sysctl.a=1
run cat /dev/json
run cat /proc/sys/json-sysctl/a
run rmmod jsonsysctl
