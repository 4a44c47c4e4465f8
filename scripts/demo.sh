#!/bin/sh
# Runs inside the guest (make demo): the module as a person uses it, each
# command echoed before its output. jsonwatch (build/tools, `make tools`)
# runs in the background and prints the document whenever it changes.
set -e
PATH=$(pwd)/build/tools:$PATH
run() {
	echo "\$ $*"
	"$@"
}
# Waits until the watcher has printed its Nth document (at most 30 s), so
# that its output shows up under the command that caused it.
watched() {
	i=0
	until [ "$(wc -l <"$log")" -ge "$1" ]; do
		i=$((i + 1))
		[ $i -le 300 ] || { echo "demo: jsonwatch printed no document $1" >&2; exit 1; }
		sleep 0.1
	done
}
log=$(mktemp)
run insmod jsonsysctl.ko
run ls -l /dev/json
run cat /dev/json
run sysctl -w json-sysctl.a=1
run cat /dev/json
run cat /proc/sys/json-sysctl/a
echo "\$ jsonwatch &"
jsonwatch | tee "$log" &
watched 1
run sysctl -w json-sysctl.b=1
watched 2
run sysctl -w json-sysctl.b=1
echo "# b was 1 already: no change, so jsonwatch prints nothing"
run sysctl -w json-sysctl.a=0
watched 3
run kill "$(pidof jsonwatch)"
wait
rm -f "$log"
run rmmod jsonsysctl
