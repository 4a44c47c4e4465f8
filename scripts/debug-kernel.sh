#!/bin/bash
# Builds (once per machine) and locates the debug kernels `make check-debug`
# boots: Debian's own kernel source (kernels.list's `source` line, e.g.
# linux-source-6.1), allnoconfig plus debug/common.config
# (what the guest needs, built in) and debug/FLAVOUR.config. Built with
# gcc, or with the compiler a fragment's `# debug-kernel.sh: LLVM=-16` line
# names (clang-16 and its tools, installed here when missing: the cfi
# flavour).
#
# usage: debug-kernel.sh build FLAVOUR   build if needed; print the kernel root
#        debug-kernel.sh prepare FLAVOUR configure and `make modules_prepare`
#                                        if not built; print the build directory
#                                        (enough to build modules against: lint)
#        debug-kernel.sh root FLAVOUR    print the kernel root (built or not)
#        debug-kernel.sh release FLAVOUR print the kernel release of a built one
#   FLAVOUR: memory | race | cfi (debug/*.config)
# The kernel root is what scripts/vm.sh takes as KROOT: ROOT/boot/vmlinuz-REL,
# ROOT/lib/modules/REL/modules.dep, and ROOT/lib/modules/REL/build, the
# build directory to make the module against.
# Output lives under $DEBUG_KERNEL_CACHE (default /var/tmp/jsonsysctl-debug),
# keyed by the linux-source version, gcc's version (and clang's, for a
# flavour built with it) and the config fragments: a change to any of them
# builds anew; an interrupted build resumes.
set -euo pipefail
export PATH=$PATH:/usr/sbin:/sbin
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
usage="usage: debug-kernel.sh build|prepare|root|release memory|race|cfi"
die() { echo "debug-kernel.sh: $*" >&2; exit 1; }
[ $# -eq 2 ] || die "$usage"
action=$1 flavour=$2
case $action in build | prepare | root | release) ;; *) die "$usage" ;; esac
[ -r "$top/debug/$flavour.config" ] || die "no debug/$flavour.config ($usage)"
cache=${DEBUG_KERNEL_CACHE:-/var/tmp/jsonsysctl-debug}
source_pkg=$("$here/kernels.sh" source)
tarball=/usr/src/$source_pkg.tar.xz
# Bumped when the recipe below changes what it builds.
recipe=2

# The flavour's compiler: LLVM=-16 builds with clang-16, ld.lld-16 and the
# llvm-16 tools, as Kbuild's LLVM= says; none, with gcc.
llvm=$(sed -n 's/^# debug-kernel\.sh: LLVM=\(-[0-9][0-9]*\)$/\1/p' "$top/debug/$flavour.config")

# What the build needs: Debian's source and the kernel's build tools.
need=("$source_pkg" flex bison libelf-dev bc)
[ -z "$llvm" ] || need+=("clang$llvm" "lld$llvm" "llvm$llvm")
missing=()
for p in "${need[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	case $action in build | prepare) ;; *) die "not built: ${missing[*]} not installed (run: make check-debug DEBUG_FLAVOURS=$flavour)" ;; esac
	echo "debug-kernel.sh: installing ${missing[*]}" >&2
	SUDO=
	[ "$(id -u)" -eq 0 ] || SUDO=sudo
	inst() {
		DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=900 \
			install -y -q --no-install-recommends "${missing[@]}" >&2
	}
	inst || { $SUDO apt-get -o DPkg::Lock::Timeout=900 update -q >&2 && inst; } ||
		die "cannot install ${missing[*]} (is bookworm's main in apt's sources?)"
fi
srcver=$(dpkg-query -W -f='${Version}' "$source_pkg")
key=$({
	echo "recipe $recipe"
	echo "$source_pkg $srcver"
	gcc --version | head -n 1
	[ -z "$llvm" ] || "clang$llvm" --version | head -n 1
	cat "$top/debug/common.config" "$top/debug/$flavour.config"
} | sha256sum | cut -c1-12)
dir=$cache/$flavour-$key
root=$dir/root

case $action in
root) echo "$root"; exit 0 ;;
release)
	[ -e "$dir/done" ] || die "the $flavour kernel is not built (run: scripts/debug-kernel.sh build $flavour)"
	cat "$dir/release"
	exit 0
	;;
esac

mkdir -p "$cache"
exec 9>"$dir.lock"
if ! flock -n 9; then
	echo "debug-kernel.sh: another build of the $flavour kernel is running; waiting for it" >&2
	flock 9
fi
if [ -e "$dir/done" ]; then
	echo "debug-kernel.sh: $flavour kernel $(cat "$dir/release") is built ($dir)" >&2
	if [ "$action" = prepare ]; then echo "$dir/obj"; else echo "$root"; fi
	exit 0
fi
if [ "$action" = prepare ] && [ -e "$dir/prepared" ]; then
	echo "$dir/obj"
	exit 0
fi

# The source, unpacked once per version and shared by the flavours (each
# builds out of tree, O=).
src=$cache/src-$srcver/$source_pkg
if [ ! -e "$src/Makefile" ]; then
	exec 8>"$cache/src-$srcver.lock"
	flock 8
	if [ ! -e "$src/Makefile" ]; then
		echo "debug-kernel.sh: unpacking $tarball ($srcver)" >&2
		rm -rf "$cache/src-$srcver.tmp"
		mkdir -p "$cache/src-$srcver.tmp"
		tar -xJf "$tarball" -C "$cache/src-$srcver.tmp"
		rm -rf "$cache/src-$srcver"
		mv "$cache/src-$srcver.tmp" "$cache/src-$srcver"
	fi
	exec 8>&-
fi

obj=$dir/obj
mkdir -p "$obj"
log=$dir/build.log
jobs=${DEBUG_KERNEL_JOBS:-$(($(nproc) + 1))}
# The kernel's make, without what an outer make (make -C <tree> check-debug)
# passes down in MAKEFLAGS: its -w would wrap output in "Entering
# directory" lines, and its jobserver is not this build's.
kmake() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL nice -n 10 make -C "$src" O="$obj" ${llvm:+LLVM=$llvm} "$@"; }

# The configuration: merged, completed, then checked option by option, since
# Kconfig silently drops what a dependency forbids (KCSAN under KASAN).
echo "debug-kernel.sh: configuring the $flavour kernel in $dir" >&2
frags=("$top/debug/common.config" "$top/debug/$flavour.config")
{
	kmake allnoconfig
	(cd "$obj" && "$src/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" "${frags[@]}")
	kmake olddefconfig
} >"$log" 2>&1 || { tail -n 20 "$log" >&2; die "configuring failed; the log: $log"; }
bad=()
for f in "$top/debug/common.config" "$top/debug/$flavour.config"; do
	while IFS= read -r line; do
		case $line in
		CONFIG_*=*) grep -qxF -- "$line" "$obj/.config" || bad+=("$line") ;;
		"# CONFIG_"*" is not set")
			opt=${line#\# }
			opt=${opt%% *}
			! grep -q "^$opt=" "$obj/.config" || bad+=("$line") ;;
		esac
	done <"$f"
done
if [ ${#bad[@]} -gt 0 ]; then
	{
		echo "debug-kernel.sh: the $flavour kernel's final .config does not have what debug/*.config asks:"
		for l in "${bad[@]}"; do
			opt=${l#\# }
			opt=${opt%%[= ]*}
			printf '  wanted: %-40s got: %s\n' "$l" "$(grep -E "^$opt=|^# $opt is not set" "$obj/.config" || echo 'not offered (a dependency is off)')"
		done
		echo "debug-kernel.sh: fix the fragment (a dependency or a conflict, e.g. KCSAN needs !KASAN)"
	} >&2
	exit 1
fi
# Enough to build modules against (Module.symvers is missing: modpost
# warns of every kernel symbol a module uses).
if [ "$action" = prepare ]; then
	kmake -j"$jobs" modules_prepare >>"$log" 2>&1 ||
		{ tail -n 20 "$log" >&2; die "make modules_prepare failed; the log: $log"; }
	touch "$dir/prepared"
	echo "debug-kernel.sh: the $flavour kernel's tree is prepared for building modules ($obj)" >&2
	echo "$obj"
	exit 0
fi

# The build, with a progress line every 30 s (the full log is in $log).
echo "debug-kernel.sh: building the $flavour kernel with make -j$jobs${llvm:+ LLVM=$llvm} (a first build takes 10-30 min; log: $log)" >&2
start=$SECONDS
kmake -j"$jobs" all >>"$log" 2>&1 &
pid=$!
trap 'kill -- "$pid" 2>/dev/null || true' EXIT INT TERM
while kill -0 "$pid" 2>/dev/null; do
	for _ in $(seq 30); do kill -0 "$pid" 2>/dev/null && sleep 1; done
	kill -0 "$pid" 2>/dev/null || break
	n=$(grep -c '^  CC ' "$log" || true)
	last=$(grep -E '^  [A-Z]+ ' "$log" | tail -n 1 | sed 's/^ *//')
	printf 'debug-kernel.sh: %s: %d:%02d, %d files compiled, at: %s\n' "$flavour" \
		$(((SECONDS - start) / 60)) $(((SECONDS - start) % 60)) "$n" "$last" >&2
done
status=0
wait "$pid" || status=$?
trap - EXIT INT TERM
if [ "$status" -ne 0 ]; then
	grep -E 'error|Error' "$log" | head -n 20 >&2 || tail -n 20 "$log" >&2
	die "building the $flavour kernel failed; the log: $log"
fi

# The release as the build wrote it, not as a make prints it.
rel=$(cat "$obj/include/config/kernel.release")
case $rel in *-jsc-$flavour) ;; *) die "the kernel release is $rel, not *-jsc-$flavour: is CONFIG_LOCALVERSION in debug/$flavour.config?" ;; esac

# The kernel root: the image, an (all but empty) module tree with its
# modules.dep, and the build directory.
rm -rf "$root"
mkdir -p "$root/boot"
kmake INSTALL_MOD_PATH="$root" modules_install >>"$log" 2>&1 ||
	{ tail -n 20 "$log" >&2; die "modules_install failed; the log: $log"; }
[ -e "$root/lib/modules/$rel/modules.dep" ] || die "modules_install made no $root/lib/modules/$rel/modules.dep"
cp "$obj/arch/x86/boot/bzImage" "$root/boot/vmlinuz-$rel"
cp "$obj/System.map" "$root/boot/System.map-$rel"
ln -sfn "$obj" "$root/lib/modules/$rel/build"
echo "$rel" >"$dir/release"
touch "$dir/done"
echo "debug-kernel.sh: built $rel in $(((SECONDS - start) / 60)) min $(((SECONDS - start) % 60)) s ($dir)" >&2
echo "$root"
