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
#   make clean

KVER ?= 6.1
SUPPORTED_KERNELS := 6.1 6.12
PYTEST := /usr/bin/python3 -m pytest -p no:cacheprovider -v userspace-tests

# An empty KDIR means: let scripts/kdir.sh choose, and say which.
build = kdir="$(KDIR)"; [ -n "$$kdir" ] || kdir=$$(scripts/kdir.sh) || exit 1; \
	$(MAKE) -C "$$kdir" M=$(CURDIR)$(1) modules

all:
	@$(call build,)

# The hand-written C module the benchmark measures against; never installed.
cmodule:
	@$(call build,/bench/cmodule)

setup:
	@scripts/setup.sh

demo: setup
	@$(MAKE) --no-print-directory KDIR=/lib/modules/$$(scripts/kernel-release.sh $(KVER))/build
	@scripts/vm.sh --kver $(KVER) -- scripts/demo.sh

# The layer's pure parts on the host, against a fake glue, with ASan/UBSan.
UNIT_FLAGS := -std=gnu++20 -O1 -g -Wall -Wextra -Werror -fsanitize=address,undefined \
	-fno-sanitize-recover=all -Iinclude
build/unit/layer_test: unit-tests/*.cpp unit-tests/*.h include/*.h | setup
	@mkdir -p $(@D)
	g++ $(UNIT_FLAGS) unit-tests/*.cpp -lgtest -lgtest_main -pthread -o $@

unit: build/unit/layer_test
	@build/unit/layer_test --gtest_brief=1

check: setup unit guest-programs
	@$(MAKE) --no-print-directory KDIR=/lib/modules/$$(scripts/kernel-release.sh $(KVER))/build
	@scripts/vm.sh --kver $(KVER) -- $(PYTEST)

check-all: setup
	@set -e; for k in $(SUPPORTED_KERNELS); do \
		echo "== make check KVER=$$k"; $(MAKE) --no-print-directory check KVER=$$k; done

# Programs the tests run in the guest (userspace-tests/fail_nth.c), built
# with GUEST_CC: the guest's architecture's compiler.
GUEST_CC ?= gcc
build/guest/fail_nth: userspace-tests/fail_nth.c
	@mkdir -p $(@D)
	$(GUEST_CC) -O2 -Wall -Wextra -Werror -o $@ $<

guest-programs: build/guest/fail_nth

# The suite, fault sweeps and kmemleak scans on debug kernels built from
# Debian's linux-source-6.1 (scripts/check-debug.sh). DEBUG_TESTS=FILE...
# runs only those tests.
DEBUG_FLAVOURS ?= memory race
check-debug: setup unit guest-programs
	@DEBUG_TESTS="$(DEBUG_TESTS)" scripts/check-debug.sh $(DEBUG_FLAVOURS)

# The newest Debian kernel's headers want trixie's gcc-14: the module is
# built in a trixie chroot and the VM boots that chroot's kernel (KROOT).
TRIXIE_ROOT ?= /var/tmp/jsonsysctl-trixie
check-trixie: setup unit
	@TRIXIE_ROOT=$(TRIXIE_ROOT) scripts/trixie.sh build
	@rel=$$(TRIXIE_ROOT=$(TRIXIE_ROOT) scripts/trixie.sh release) && \
	KROOT=$(TRIXIE_ROOT) scripts/vm.sh --kver $$rel -- $(PYTEST)

# One VM run measures both modules round by round; see bench/.
BENCH_OUT := $(CURDIR)/build/bench
bench: setup
	@rel=$$(scripts/kernel-release.sh $(KVER)) && \
	$(MAKE) --no-print-directory KDIR=/lib/modules/$$rel/build all cmodule && \
	mkdir -p $(BENCH_OUT) && \
	gcc -O2 -Wall -Wextra -pthread -o $(BENCH_OUT)/readbench bench/readbench.c && \
	scripts/vm.sh --kver $$rel --rw $(BENCH_OUT) -- bench/guest.sh $(BENCH_OUT)/readbench \
		$(CURDIR)/jsonsysctl.ko $(CURDIR)/bench/cmodule/jsonsysctl_c.ko $(BENCH_OUT) && \
	bench/report.py $(BENCH_OUT) jsonsysctl.ko bench/cmodule/jsonsysctl_c.ko

# The kernel's own tooling on this tree (README: "Kernel tooling"); each
# installs what it needs first (scripts/kernel-tools.sh).
#   make compile_commands.json   build, then clangd's database from Kbuild's .cmd files
#   make lint                    sparse, clangd, kernel-doc on every supported kernel; checkpatch
#   make format-check            clang-format 14 --dry-run over the tree's C and C++
#   make format                  ... and rewrite the files
#   make doc                     print every header's DOC: overview and glue.h's kernel-doc
#
# checkpatch.pl types glue.c does not follow, and why:
#   LINUX_VERSION_CODE   an out-of-tree module builds against several kernels;
#                        glue.c is where the version #ifs belong (README)
#   CONSTANT_COMPARISON  it misreads `LINUX_VERSION_CODE >= KERNEL_VERSION(...)`,
#                        the form every kernel-version test takes
#   CONST_STRUCT         struct jsc_cdev's file_operations is a per-device copy,
#                        written once before cdev_add() publishes it: it is how
#                        f_op leads back to the device's C++ ops (container_of)
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

.PHONY: all cmodule setup unit demo check check-all check-trixie bench clean \
	lint format-check format doc FORCE guest-programs check-debug
