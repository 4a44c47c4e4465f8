#!/bin/bash
# make check-debug: for each flavour, builds its debug kernel if this machine
# has not yet (scripts/debug-kernel.sh, cached under /var/tmp), builds the
# module against it, boots it (scripts/vm.sh, KROOT) and runs the whole
# pytest suite there. On the memory flavour (KASAN, UBSAN, lockdep,
# kmemleak, fault injection) that includes the fault sweeps
# (userspace-tests/test_faults.py) and kmemleak's scan after the suite
# (conftest.py); on the race flavour (KCSAN) the suite, concurrency tests
# included, with every data race reported; on the cfi flavour (a clang-built
# kernel with kCFI and IBT, x86-64) the suite with every indirect call
# type-checked, the module built with the kernel's clang and checked by
# kcxx/check-kcfi.py first. Runs every flavour asked for and
# fails if any failed; a sanitizer's report is printed by the test it broke.
#
# The memory flavour's suite spends most of its time asleep in the guest
# (DEBUG_KOBJECT_RELEASE makes every unload wait 1-4 s), so it runs split
# over DEBUG_VMS guests at once (default 4): VM k of K runs every K-th test
# and every K-th point of the load sweep (conftest.py's SHARD), each into
# build/check-debug/memory-k.log; a line every minute shows how far they
# are, and at the end each VM's summary (all of its log if it failed).
#
# usage: check-debug.sh [FLAVOUR]...   (default: memory race cfi)
# DEBUG_TESTS=PATH... runs only those test files or node ids (default: all).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
cd "$top"
[ $# -gt 0 ] || set -- memory race cfi
read -r -a tests <<<"${DEBUG_TESTS:-userspace-tests}"
pytest=(/usr/bin/python3 -m pytest -p no:cacheprovider -v -rs "${tests[@]}")
vms=${DEBUG_VMS:-4}
[[ $vms =~ ^[1-9][0-9]*$ ]] || { echo "check-debug: DEBUG_VMS=$vms: want a number of VMs, e.g. 4" >&2; exit 2; }
failed=() summary=()

# The fault sweeps (userspace-tests/test_faults.py) count only the slab
# caches marked for failslab (slub_debug's A): all but the ones whose use
# depends on history (HISTORY_CACHES there); otherwise vm.sh's slub_debug
# (which lists no caches, so this one replaces it), kmemleak's own cache as
# the default leaves it (no stored stacks).
marks="slub_debug=FZPUA;FZPU,radix_tree_node,vmap_area;FZP,kmemleak_object"
# KASAN's shadow and quarantine and kmemleak's metadata want more than the
# default 1 GB. Called in a subshell, which becomes vm.sh: a signal sent to
# the subshell's pid reaches vm.sh, which stops its QEMU.
guest() { KROOT=$root exec "$here/vm.sh" --kver "$rel" --mem 2G --timeout 5400 --append "$marks" -- "$@"; }

# split FLAVOUR K: the suite over K VMs at once; fails if any VM failed.
split() {
	local flavour=$1 count=$2 k status=0 logs=$top/build/check-debug pids=() start=$SECONDS
	mkdir -p "$logs"
	# Background jobs ignore SIGINT: stop the guests (vm.sh kills QEMU on
	# TERM) when this script is interrupted.
	trap 'kill -TERM "${pids[@]}" 2>/dev/null; wait; exit 130' INT TERM
	for ((k = 0; k < count; k++)); do
		(guest /usr/bin/env "JSONSYSCTL_SHARD=$k/$count" "${pytest[@]}") >"$logs/$flavour-$k.log" 2>&1 &
		pids+=($!)
	done
	echo "check-debug: $flavour: the suite in $count VMs at once, logs in build/check-debug/"
	while sleep 60 & wait $!; do
		local running=0 done=0 swept=()
		for ((k = 0; k < count; k++)); do
			kill -0 "${pids[k]}" 2>/dev/null && running=$((running + 1))
			done=$((done + $(grep -cE '(PASSED|FAILED|ERROR|SKIPPED) +\[ *[0-9]+%\]' "$logs/$flavour-$k.log" || true)))
			swept+=("$(grep -Eo 'load sweep: [0-9]+ fault points so far' "$logs/$flavour-$k.log" | tail -n 1 | grep -Eo '[0-9]+' || echo 0)")
		done
		[ "$running" -gt 0 ] || break
		echo "check-debug: $flavour, $(((SECONDS - start) / 60)) min: $running of $count VMs running, $done tests done, load sweep points per VM: ${swept[*]}"
	done
	local points=0 totals=() shares=()
	for ((k = 0; k < count; k++)); do
		local log=$logs/$flavour-$k.log vm=0 line
		wait "${pids[k]}" || vm=$?
		echo "-- VM $k of $count: exit $vm"
		if [ "$vm" != 0 ]; then
			cat "$log"
			status=1
		fi
		grep -E '^=+ .* in [0-9.]+s|^(load|read|sysctl write|mount) sweep: [0-9]+ fault points( of |;)|^kmemleak: |^KCSAN: |^vm.sh: ' "$log" || true
		if line=$(grep -m 1 -E "^load sweep: [0-9]+ fault points of the load's [0-9]+ .* from [0-9]+\)" "$log"); then
			points=$((points + $(sed -E 's/^load sweep: ([0-9]+).*/\1/' <<<"$line")))
			totals+=("$(sed -E "s/.* of the load's ([0-9]+) .*/\1/" <<<"$line")")
			shares+=("$(sed -E 's/.* from ([0-9]+)\).*/\1/' <<<"$line")")
		fi
	done
	if [ ${#totals[@]} = "$count" ]; then
		# Each guest checked that it failed every point of its share (one
		# in K, from k+1) of its load's points, counted along its sweep;
		# together they failed all of them if every guest counted the same
		# load and took its own share.
		if [ "$(printf '%s\n' "${totals[@]}" | sort -u | wc -l)" = 1 ] &&
			[ "$(printf '%s\n' "${shares[@]}" | sort -n | tr '\n' ' ')" = "$(seq -s ' ' 1 "$count") " ]; then
			echo "load sweep: $points fault points in all, over $count VMs: every one of the load's ${totals[0]}"
		else
			echo "check-debug: FAILED: the load sweep's guests counted ${totals[*]} fault points for the load and took the shares from ${shares[*]}: not every point was failed"
			status=1
		fi
	fi
	trap - INT TERM
	return $status
}
for flavour; do
	echo "== check-debug: the $flavour kernel"
	start=$SECONDS
	if ! root=$("$here/debug-kernel.sh" build "$flavour"); then
		failed+=("$flavour: the kernel did not build")
		continue
	fi
	rel=$("$here/debug-kernel.sh" release "$flavour")
	built=$SECONDS
	if ! make --no-print-directory KDIR="$root/lib/modules/$rel/build" suite-modules; then
		failed+=("$flavour: the module did not build against $rel")
		continue
	fi
	status=0
	if [ "$flavour" = memory ] && [ "$vms" -gt 1 ]; then
		split "$flavour" "$vms" || status=$?
	else
		(guest "${pytest[@]}") || status=$?
	fi
	took=$((SECONDS - built))
	summary+=("$flavour ($rel): exit $status, suite $((took / 60)) min $((took % 60)) s (kernel ready after $((built - start)) s)")
	[ "$status" = 0 ] || failed+=("$flavour: the suite failed (exit $status)")
done
echo "== check-debug:"
printf '   %s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
	printf 'check-debug: FAILED: %s\n' "${failed[@]}" >&2
	exit 1
fi
echo "check-debug: passed"
