# SPDX-License-Identifier: GPL-2.0
# jsonsysctl, see README.md.
#
#   make [KDIR=/lib/modules/<release>/build]   build jsonsysctl.ko
#   make demo                                  show it working in a QEMU guest
#   make check [KVER=6.1|6.12|<release>]       run the pytest suite in a QEMU guest
#   make check-all                             ... on every supported kernel
#   make check-trixie                          ... on trixie-backports' newest kernel,
#                                              built in a chroot (scripts/trixie.sh)
#   make check-debug                           ... on debug kernels: KASAN, UBSAN, lockdep,
#                                              kmemleak, fault sweeps; then KCSAN
#                                              (built once, scripts/debug-kernel.sh)
#   make unit                                  host unit tests of the C++ layer
#   make bench                                 C++ against C and the syscall floor
#   make tools                                 build/tools/jsonwatch, the watcher
#   make install|uninstall [KDIR=...]          into/out of that kernel's updates/ (root)
#   make deb                                   build/jsonsysctl-dkms_<version>_all.deb
#   make check-package                         prove both, on this machine (root)
#   make clean
#   make ARCH=arm64 [check|demo|bench]         the same for Debian's arm64 6.1 kernel,
#                                              cross-built, in qemu-system-aarch64

KVER ?= 6.1
SUPPORTED_KERNELS := 6.1 6.12
PYTEST := /usr/bin/python3 -m pytest -p no:cacheprovider -v userspace-tests
# The flags for programs that run in the guest (the watcher, readbench);
# GUEST_CC, their compiler, depends on ARCH (below).
GUEST_CFLAGS := -O2 -Wall -Wextra -Werror

# ARCH=arm64 cross-builds with bookworm's aarch64 gcc-12 (the kernel's
# gcc-12; Kbuild takes the g++ beside it) and runs the guest in
# qemu-system-aarch64 with an arm64 root (scripts/arch.sh), bookworm's 6.1
# only. GUEST_CC builds the C programs the guest runs. VM_TIMEOUT is how
# long a VM run may take; raise it on a loaded machine (VM_TIMEOUT=3600).
ifeq ($(ARCH),arm64)
SUPPORTED_KERNELS := 6.1
export CROSS_COMPILE ?= aarch64-linux-gnu-
GUEST_CC ?= $(CROSS_COMPILE)gcc-12
VM_TIMEOUT ?= 1800
else
GUEST_CC ?= gcc
VM_TIMEOUT ?= 600
endif
# KDIR of kernel $(KVER) as the guest boots it.
kver_kdir = kdir=$$(scripts/kdir.sh $(KVER)) && \
	$(MAKE) --no-print-directory KDIR=$$kdir

# An empty KDIR means: let scripts/kdir.sh choose, and say which.
build = kdir="$(KDIR)"; [ -n "$$kdir" ] || kdir=$$(scripts/kdir.sh) || exit 1; \
	[ -e "$$kdir/Makefile" ] || { echo "make: $$kdir is no kernel build directory: install that kernel's linux-headers package or pass another KDIR=" >&2; exit 1; }; \
	$(MAKE) -C "$$kdir" M=$(CURDIR)$(1) modules

all:
	@$(call build,)

# The hand-written C module the benchmark measures against; never installed.
cmodule:
	@$(call build,/bench/cmodule)

setup:
	@scripts/setup.sh

# jsonwatch: prints /dev/json and again on every change (tools/jsonwatch.c).
tools: build/tools/jsonwatch
# Always rebuilt (one small file): GUEST_CC changes with ARCH.
build/tools/jsonwatch: tools/jsonwatch.c FORCE
	@mkdir -p $(@D)
	$(GUEST_CC) $(GUEST_CFLAGS) -o $@ $<

demo: setup tools
	@$(kver_kdir)
	@scripts/vm.sh --kver $(KVER) -- scripts/demo.sh

# The layer's pure parts on the host, against a fake glue, with ASan/UBSan.
UNIT_FLAGS := -std=gnu++20 -O1 -g -Wall -Wextra -Werror -fsanitize=address,undefined \
	-fno-sanitize-recover=all -Iinclude
build/unit/layer_test: unit-tests/*.cpp unit-tests/*.h include/*.h | setup
	@mkdir -p $(@D)
	g++ $(UNIT_FLAGS) unit-tests/*.cpp -lgtest -lgtest_main -pthread -o $@

unit: build/unit/layer_test
	@build/unit/layer_test --gtest_brief=1

# check-sealed.py: no function pointer the kernel calls through is writable
# after init (docs/design.md, "Sealed tables"); on the .ko, before the guest boots.
check: setup unit tools guest-programs
	@$(kver_kdir)
	@scripts/check-sealed.py jsonsysctl.ko
	@scripts/vm.sh --kver $(KVER) --timeout $(VM_TIMEOUT) -- $(PYTEST)

check-all: setup
	@set -e; for k in $(SUPPORTED_KERNELS); do \
		echo "== make check KVER=$$k"; $(MAKE) --no-print-directory check KVER=$$k; done

# Programs the tests run in the guest (userspace-tests/fail_nth.c), built
# with GUEST_CC, the guest's architecture's compiler; rebuilt each time, as
# jsonwatch is.
build/guest/fail_nth: userspace-tests/fail_nth.c FORCE
	@mkdir -p $(@D)
	$(GUEST_CC) $(GUEST_CFLAGS) -o $@ $<

guest-programs: build/guest/fail_nth

# The suite, fault sweeps and kmemleak scans on debug kernels built from
# Debian's linux-source-6.1 (scripts/check-debug.sh). DEBUG_TESTS=FILE...
# runs only those tests; the memory kernel's suite runs in DEBUG_VMS guests
# at once.
DEBUG_FLAVOURS ?= memory race
DEBUG_VMS ?= 4
check-debug: setup unit tools guest-programs
	@DEBUG_TESTS="$(DEBUG_TESTS)" DEBUG_VMS="$(DEBUG_VMS)" scripts/check-debug.sh $(DEBUG_FLAVOURS)

# The newest Debian kernel's headers want trixie's gcc-14: the module is
# built in a trixie chroot and the VM boots that chroot's kernel (KROOT).
TRIXIE_ROOT ?= /var/tmp/jsonsysctl-trixie
check-trixie: setup unit tools
	@TRIXIE_ROOT=$(TRIXIE_ROOT) scripts/trixie.sh build
	@scripts/check-sealed.py jsonsysctl.ko
	@rel=$$(TRIXIE_ROOT=$(TRIXIE_ROOT) scripts/trixie.sh release) && \
	KROOT=$(TRIXIE_ROOT) scripts/vm.sh --kver $$rel -- $(PYTEST)

# One VM run measures both modules round by round; see bench/.
BENCH_OUT := $(CURDIR)/build/bench
bench: setup
	@rel=$$(scripts/kernel-release.sh $(KVER)) && \
	$(kver_kdir) all cmodule && \
	mkdir -p $(BENCH_OUT) && \
	$(GUEST_CC) $(GUEST_CFLAGS) -pthread -o $(BENCH_OUT)/readbench bench/readbench.c && \
	scripts/vm.sh --kver $$rel --timeout $(VM_TIMEOUT) --rw $(BENCH_OUT) -- bench/guest.sh $(BENCH_OUT)/readbench \
		$(CURDIR)/jsonsysctl.ko $(CURDIR)/bench/cmodule/jsonsysctl_c.ko $(BENCH_OUT) && \
	bench/report.py $(BENCH_OUT) jsonsysctl.ko bench/cmodule/jsonsysctl_c.ko

# The kernel's own tooling on this tree (docs/tooling.md); each
# installs what it needs first (scripts/kernel-tools.sh).
#   make compile_commands.json   build, then clangd's database from Kbuild's .cmd files
#   make lint                    sparse, clangd, kernel-doc on every supported kernel; checkpatch
#   make format-check            clang-format 14 --dry-run over the tree's C and C++
#   make format                  ... and rewrite the files
#   make doc                     print every header's DOC: overview and glue.h's kernel-doc
#
# checkpatch.pl types glue.c does not follow, and why:
#   LINUX_VERSION_CODE   an out-of-tree module builds against several kernels;
#                        glue.c is where the version #ifs belong
#                        (docs/design.md, "The C boundary")
#   CONSTANT_COMPARISON  it misreads `LINUX_VERSION_CODE >= KERNEL_VERSION(...)`,
#                        the form every kernel-version test takes
#   CONST_STRUCT         struct jsc_chrdev_tables's file_operations is a
#                        per-device copy in a sealed room, written in module init
#                        before cdev_add() publishes it: it is how f_op leads
#                        back to the device's C++ ops (container_of)
CHECKPATCH_IGNORE := LINUX_VERSION_CODE,CONSTANT_COMPARISON,CONST_STRUCT
FORMAT_FILES = $(shell git ls-files '*.c' '*.cpp' '*.h')

compile_commands.json: FORCE
	@kdir="$(KDIR)"; [ -n "$$kdir" ] || kdir=$$(scripts/kdir.sh) || exit 1; \
	$(MAKE) -C "$$kdir" M=$(CURDIR) modules && \
	scripts/compile-commands.py "$$kdir" $(CURDIR) $@

lint: setup
	@KERNELS="$(SUPPORTED_KERNELS)" CHECKPATCH_IGNORE=$(CHECKPATCH_IGNORE) scripts/lint.sh

format-check:
	@scripts/kernel-tools.sh format
	@clang-format-14 --dry-run -Werror $(FORMAT_FILES) || { \
		echo "format-check: FAILED: run 'make format' (clang-format-14 -i) and review the diff" >&2; exit 1; }
	@echo "format-check: $(words $(FORMAT_FILES)) files formatted as .clang-format says"

format:
	@scripts/kernel-tools.sh format
	clang-format-14 -i $(FORMAT_FILES)

doc:
	@scripts/doc.sh

FORCE:

# Kbuild's own clean where a kernel build dir exists; else the same files by
# name (a build made in the trixie chroot, say, on a host with no headers).
clean:
	@kdir=$$(ls -d /lib/modules/*/build 2>/dev/null | sort -V | tail -n 1); \
	if [ -n "$$kdir" ]; then \
		$(MAKE) -s -C "$$kdir" M=$(CURDIR) clean; \
		$(MAKE) -s -C "$$kdir" M=$(CURDIR)/bench/cmodule clean; \
	else \
		for d in . module bench/cmodule; do \
			rm -f $$d/*.o $$d/.*.o $$d/*.ko $$d/*.mod $$d/*.mod.c $$d/.*.cmd $$d/.*.d \
				$$d/Module.symvers $$d/modules.order; done; \
	fi
	rm -rf build

# Installing it (docs/packaging.md). install and uninstall take the
# kernel as `make` does (KDIR, else scripts/kdir.sh); see scripts/install.sh.
install: all
	@scripts/install.sh install "$(KDIR)"

uninstall:
	@scripts/install.sh uninstall "$(KDIR)"

# The DKMS package, built with dh and dh-dkms from debian/.
deb:
	@scripts/deb.sh

# Installs the package and `make install`s on this machine, checks both on
# each supported kernel in the VM, and restores the machine.
check-package:
	@scripts/check-package.sh

.PHONY: all cmodule setup tools unit demo check check-all check-trixie bench clean \
	lint format-check format doc install uninstall deb check-package \
	guest-programs check-debug FORCE
