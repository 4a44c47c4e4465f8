#!/bin/bash
# make check-debug: for each flavour, builds its debug kernel if this machine
# has not yet (scripts/debug-kernel.sh, cached under /var/tmp), builds the
# module against it, boots it (scripts/vm.sh, KROOT) and runs the whole
# pytest suite there. On the memory flavour (KASAN, UBSAN, lockdep,
# kmemleak, fault injection) that includes the fault sweeps
# (userspace-tests/test_faults.py) and kmemleak's scan after the suite
# (conftest.py); on the race flavour (KCSAN) the suite, concurrency tests
# included, with every data race reported. Runs every flavour asked for and
# fails if any failed; a sanitizer's report is printed by the test it broke.
#
# usage: check-debug.sh [FLAVOUR]...   (default: memory race)
# DEBUG_TESTS=PATH... runs only those test files or node ids (default: all).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
cd "$top"
[ $# -gt 0 ] || set -- memory race
read -r -a tests <<<"${DEBUG_TESTS:-userspace-tests}"
pytest=(/usr/bin/python3 -m pytest -p no:cacheprovider -v -rs "${tests[@]}")
failed=() summary=()
for flavour; do
	echo "== check-debug: the $flavour kernel"
	start=$SECONDS
	if ! root=$("$here/debug-kernel.sh" build "$flavour"); then
		failed+=("$flavour: the kernel did not build")
		continue
	fi
	rel=$("$here/debug-kernel.sh" release "$flavour")
	built=$SECONDS
	if ! make --no-print-directory KDIR="$root/lib/modules/$rel/build"; then
		failed+=("$flavour: the module did not build against $rel")
		continue
	fi
	# KASAN's shadow and quarantine and kmemleak's metadata want more than
	# the default 1 GB; DEBUG_KOBJECT_RELEASE makes every unload wait 1-4 s.
	status=0
	KROOT=$root "$here/vm.sh" --kver "$rel" --mem 2G --timeout 5400 -- "${pytest[@]}" || status=$?
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
