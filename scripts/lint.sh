#!/bin/bash
# `make lint`: the kernel's own tools over this tree, for each kernel in
# $KERNELS (the Makefile passes SUPPORTED_KERNELS):
#   sparse       glue.c through Kbuild (C=2), every warning an error; the
#                C++ objects' rule in Kbuild never calls sparse
#   clangd       compile_commands.json from Kbuild's .cmd files (under
#                build/lint/<release>/), `clangd --check` on the sources and
#                every header: no diagnostic at all
#   kernel-doc   kcxx/include/glue.h and kcxx/glue.c (each kernel's own
#                scripts/kernel-doc): no warning, and one rendered entry per
#                function glue.h declares, as gcc lists them
# then once, against the cfi debug kernel's tree (clang-built, kCFI;
# scripts/debug-kernel.sh prepare cfi: configured and prepared, a few
# minutes the first time, or the built kernel's):
#   kcfi         every module the suite loads, built with the kernel's
#                clang++: no compiler warning, kcxx.mk's kCFI check
#                (kcxx/check-kcfi.py) passes, and scripts/check-sealed.py
#                passes on each .ko (one room per key under clang)
# and checkpatch.pl --strict on glue.c and glue.h, ignoring only
# $CHECKPATCH_IGNORE (the Makefile says why for each type).
set -euo pipefail
cd "$(dirname "$0")/.."
tree=$PWD
# Every C and C++ file and header of the layer, jsonsysctl and the examples.
sources=$(ls kcxx/*.c kcxx/*.cpp kcxx/include/*.h module/*.cpp module/*.h examples/*/*.cpp)
kernels=${KERNELS:?KERNELS=\"6.1 6.12\" scripts/lint.sh}
tools=$(scripts/kernel-tools.sh lint)
failed=()
fail() { # $1: the check, $2: what to do
	echo "lint: FAILED: $1: $2" >&2
	failed+=("$1")
}
step() { echo "== lint: $*"; }

sparse_check() { # $1: kernel build dir
	local out
	# -Wsparse-error: sparse exits non-zero on any warning, so Kbuild stops.
	if ! out=$(nice -n 10 make -C "$1" M="$tree" C=2 CHECK="sparse -Wsparse-error" modules 2>&1); then
		echo "$out" | grep -v '^make\[[0-9]*\]: \(Entering\|Leaving\)' >&2
		fail "sparse ($rel)" "fix what make C=2 printed above: sparse errors in kcxx/glue.c, or the build itself"
		return
	fi
	echo "$out" | grep -E '^  (CHECK|CXX)' || true
	if ! echo "$out" | grep -q "CHECK   $tree/kcxx/glue.c"; then
		fail "sparse ($rel)" "Kbuild did not run sparse on kcxx/glue.c"
	elif echo "$out" | grep -E "CHECK .*\.cpp"; then
		fail "sparse ($rel)" "sparse ran on a C++ file: it parses only C"
	fi
}

clangd_check() { # $1: kernel build dir
	local db=build/lint/$rel f out diags n=0 e
	# The examples' commands too: each is a module of its own.
	for e in examples/*/Kbuild; do
		nice -n 10 make -s -C "$1" M="$tree/${e%/Kbuild}" modules >/dev/null 2>&1 ||
			{ fail "clangd ($rel)" "${e%/Kbuild} does not build: make examples KDIR=$1"; return; }
	done
	scripts/compile-commands.py "$1" "$tree" "$db/compile_commands.json"
	for f in $sources; do
		# --check-lines=1: diagnostics cover the whole file; the per-token
		# feature tests (tweaks, hover) would only add minutes and noise.
		out=$(clangd-14 --compile-commands-dir="$db" --check="$f" --check-lines=1 2>&1) || true
		# clangd logs every diagnostic, of any severity, as `E[time] [name] Line N: ...`.
		diags=$(echo "$out" | grep -E '^E\[[^]]*\] \[' || true)
		if [ -n "$diags" ]; then
			echo "$f:"
			echo "$diags"
			n=$((n + 1))
		fi
	done
	if [ "$n" -gt 0 ]; then
		fail "clangd ($rel)" "$n file(s) with diagnostics above; .clangd removes the GCC-only flags clang rejects"
	else
		echo "  clangd: $(echo $sources | wc -w) files, 0 diagnostics"
	fi
}

kerneldoc_check() { # $1: kernel build dir
	local kd=$1/scripts/kernel-doc opts=() warnings declared documented
	"$kd" -h 2>&1 | grep -q -- '-Wall' && opts=(-Wall)
	warnings=$("$kd" "${opts[@]}" -none kcxx/include/glue.h kcxx/glue.c 2>&1)
	if [ -n "$warnings" ]; then
		echo "$warnings"
		fail "kernel-doc ($rel)" "fix the kernel-doc comments the warnings above name"
	fi
	# What the C boundary is: every function glue.h declares, as gcc sees it.
	declared=$(gcc -fsyntax-only -aux-info /dev/stdout -x c kcxx/include/glue.h |
		sed -n 's|^/\* kcxx/include/glue\.h:.*\b\(kcxx_[a-z0-9_]*\) (.*|\1|p' | sort)
	# What kernel-doc renders: one `.. c:function::` per documented function.
	documented=$("$kd" -rst kcxx/include/glue.h kcxx/glue.c 2>/dev/null |
		sed -n 's/^\.\. c:function:: .*\b\(kcxx_[a-z0-9_]*\) *(.*/\1/p' | sort)
	local missing extra
	missing=$(comm -23 <(echo "$declared") <(echo "$documented") | xargs)
	extra=$(comm -13 <(echo "$declared") <(echo "$documented") | xargs)
	echo "  kernel-doc: glue.h declares $(echo "$declared" | grep -c .) functions, $(echo "$documented" | grep -c .) rendered"
	[ -z "$missing" ] || fail "kernel-doc ($rel)" "no kernel-doc comment for: $missing (add /** ... */ above its declaration in kcxx/include/glue.h)"
	[ -z "$extra" ] || fail "kernel-doc ($rel)" "documented but not declared in kcxx/include/glue.h: $extra"
	[ "$(echo "$documented" | uniq -d)" = "" ] || fail "kernel-doc ($rel)" "documented twice: $(echo "$documented" | uniq -d | xargs)"
}

kcfi_check() {
	local kdir out ko
	if ! kdir=$(scripts/debug-kernel.sh prepare cfi); then
		fail kcfi "the cfi kernel's tree did not prepare (above); scripts/debug-kernel.sh prepare cfi retries"
		return
	fi
	# A prepared tree has no Module.symvers: modpost warns of every kernel
	# symbol, which says nothing about the module.
	if ! out=$(nice -n 10 make --no-print-directory KDIR="$kdir" suite-modules 2>&1); then
		echo "$out" | grep -v 'modpost\|Module.symvers\|Modules may\|You may get\|^make\[' >&2
		fail kcfi "fix what the build printed above: clang++ errors, or a kCFI mismatch (kcxx/check-kcfi.py)"
		return
	fi
	echo "$out" | grep -E '^  KCFI' || true
	if echo "$out" | grep -E 'warning:'; then
		fail kcfi "clang++ warned (above): the C++ builds warning-free with both compilers"
	fi
	for ko in jsonsysctl.ko build/test/*/*.ko examples/*/cxx_*.ko; do
		out=$(scripts/check-sealed.py "$ko") || { echo "$out"; fail kcfi "scripts/check-sealed.py $ko failed (above)"; }
	done
}

for k in $kernels; do
	rel=$(scripts/kernel-release.sh "$k")
	kdir=/lib/modules/$rel/build
	step "$rel: sparse on kcxx/glue.c (make C=2)"
	sparse_check "$kdir"
	step "$rel: clangd --check with Kbuild's compile commands"
	clangd_check "$kdir"
	step "$rel: kernel-doc on kcxx/include/glue.h kcxx/glue.c"
	kerneldoc_check "$kdir"
done

step "kCFI: every module built with clang++ against the cfi debug kernel's tree, checked"
kcfi_check

step "checkpatch.pl --strict on kcxx/glue.c kcxx/include/glue.h (from linux-source-6.1)"
if perl "$tools/scripts/checkpatch.pl" --no-tree --strict --show-types -q \
	--ignore "${CHECKPATCH_IGNORE:-}" -f kcxx/glue.c kcxx/include/glue.h; then
	echo "  checkpatch: no errors, warnings or checks (ignoring ${CHECKPATCH_IGNORE:-nothing})"
else
	fail checkpatch "fix what checkpatch.pl printed above, or argue for ignoring its type in the Makefile"
fi

if [ ${#failed[@]} -gt 0 ]; then
	echo "lint: ${#failed[@]} check(s) failed: ${failed[*]}" >&2
	exit 1
fi
echo "lint: all clean on $kernels and the cfi kernel"
