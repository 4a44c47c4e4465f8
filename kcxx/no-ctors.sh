#!/bin/bash
# Kbuild's check on each C++ object: no global constructor of ours, since
# nothing runs one in a module built without sanitizers and the design
# forbids them. The one exception is exactly what a sanitizer's compiler
# adds to every instrumented object (KASAN: registering the object's
# globals, __asan_register_globals; KCSAN: __tsan_init), which the module
# loader runs on kernels with CONFIG_CONSTRUCTORS (KASAN selects it):
# a function gcc names _sub_I_<priority>_<n> that calls nothing but those.
# Anything else in .init_array or .ctors is refused, with what it calls.
#
# usage: no-ctors.sh OBJDUMP READELF OBJECT   (exit 1 and a message if refused)
set -euo pipefail
objdump=$1 readelf=$2 o=$3
allowed='__asan_register_globals|__tsan_init|__fentry__|__x86_return_thunk|__sanitizer_cov_trace_pc'
refuse() { echo "$o: has a global constructor: $*" >&2; exit 1; }

secs=$("$objdump" -h "$o" | awk '$2 ~ /^\.(init_array|ctors)(\.|$)/ {print $2}')
[ -n "$secs" ] || exit 0
syms=$("$objdump" -t "$o")
for s in $secs; do
	# Each entry is a relocation: a function symbol, or a section symbol
	# plus the function's offset in it.
	while read -r sym addend; do
		[ -n "$sym" ] || continue
		fn=$(awk -v s="$sym" -v a="$addend" '
			function norm(h) { sub(/^0+/, "", h); return h == "" ? "0" : h }
			$3 == "F" && $NF == s { print $NF; exit }
			$3 == "F" && $4 == s && norm($1) == norm(a) { print $NF; exit }' <<<"$syms")
		[ -n "$fn" ] || refuse "$s points at $sym+$addend, which is no function"
		[[ $fn =~ ^_sub_I_[0-9]+_[0-9]+$ ]] || refuse "$fn (in $s)"
		calls=$("$objdump" -dr --disassemble="$fn" "$o" |
			awk '$2 ~ /^R_[A-Z0-9_]+$/ { sub(/[-+]0x[0-9a-f]+$/, "", $3); print $3 }' |
			grep -vxE "$allowed|\.data|\.bss|\.rodata.*|\.data\..*|\.bss\..*" || true)
		[ -z "$calls" ] || refuse "$fn (in $s) refers to $(echo $calls), not only a sanitizer's registration"
	done < <("$readelf" -rW "$o" | awk -v s=".rela$s" '
		/^Relocation section/ { on = ($3 == "'"'"'" s "'"'"'") ; next }
		on && NF >= 5 && $1 ~ /^[0-9a-f]+$/ { print $5, (NF >= 7 ? $7 : 0) }')
done
