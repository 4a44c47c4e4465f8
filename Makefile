# SPDX-License-Identifier: GPL-2.0
# jsonsysctl, see README.md. `make help` lists the targets: each one's `##`
# comment below. Every target works the same from another folder as
# `make -C <tree> <target>`.

# The kernels are kernels.list's (scripts/kernels.sh): KVER defaults to the
# first of ARCH's, check-all and lint take all of them. (Read only where
# used: DKMS's copy of the tree has no kernels.list.)
SUPPORTED_KERNELS = $(shell scripts/kernels.sh versions $(ARCH))
KVER ?= $(firstword $(SUPPORTED_KERNELS))
PYTEST := /usr/bin/python3 -m pytest -p no:cacheprovider -v userspace-tests
# The flags for programs that run in the guest (the watcher, readbench);
# GUEST_CC, their compiler, depends on ARCH (below).
GUEST_CFLAGS := -O2 -Wall -Wextra -Werror

# ARCH=arm64 cross-builds with bookworm's aarch64 gcc-12 (the kernel's
# gcc-12; Kbuild takes the g++ beside it) and runs the guest in
# qemu-system-aarch64 with an arm64 root (scripts/arch.sh), on kernels.list's
# arm64 kernels. GUEST_CC builds the C programs the guest runs. VM_TIMEOUT is how
# long a VM run may take; raise it on a loaded machine (VM_TIMEOUT=3600).
ifeq ($(ARCH),arm64)
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

all: ## build jsonsysctl.ko [KDIR=/lib/modules/<release>/build]
	@$(call build,)

# The hand-written C module the benchmark measures against; never installed.
cmodule: ## build bench/cmodule, the C yardstick make bench measures against
	@$(call build,/bench/cmodule)

setup: ## install what the targets need (scripts/setup.sh; sudo when not root)
	@scripts/setup.sh

# jsonwatch: prints /dev/json and again on every change (tools/jsonwatch.c).
tools: build/tools/jsonwatch ## build build/tools/jsonwatch, the watcher [GUEST_CC=...]
# Always rebuilt (one small file): GUEST_CC changes with ARCH.
build/tools/jsonwatch: tools/jsonwatch.c FORCE
	@mkdir -p $(@D)
	$(GUEST_CC) $(GUEST_CFLAGS) -o $@ $<

demo: setup tools ## show the module working in a QEMU guest [KVER=] [ARCH=arm64]
	@$(kver_kdir)
	@scripts/vm.sh --kver $(KVER) -- scripts/demo.sh

# The layer's pure parts on the host, against a fake glue, with ASan/UBSan.
UNIT_FLAGS := -std=gnu++20 -O1 -g -Wall -Wextra -Werror -fsanitize=address,undefined \
	-fno-sanitize-recover=all -Iinclude
build/unit/layer_test: unit-tests/*.cpp unit-tests/*.h include/*.h | setup
	@mkdir -p $(@D)
	g++ $(UNIT_FLAGS) unit-tests/*.cpp -lgtest -lgtest_main -pthread -o $@

unit: build/unit/layer_test ## host unit tests of the C++ layer (ASan, UBSan)
	@build/unit/layer_test --gtest_brief=1

# check-sealed.py: no function pointer the kernel calls through is writable
# after init (docs/design.md, "Sealed tables"); on the .ko, before the guest boots.
check: setup check-docs unit tools guest-programs ## the pytest suite in a QEMU guest [KVER=6.1|6.12|<release>] [ARCH=arm64]
	@$(kver_kdir)
	@scripts/check-sealed.py jsonsysctl.ko
	@scripts/vm.sh --kver $(KVER) --timeout $(VM_TIMEOUT) -- $(PYTEST)

# README.md's and docs/'s relative links resolve and the make targets they
# show exist (scripts/check-docs.py).
check-docs: ## check the links and make targets of README.md and docs/
	@scripts/check-docs.py

check-all: setup ## make check on every kernel of kernels.list for ARCH
	@set -e; for k in $(SUPPORTED_KERNELS); do \
		echo "== make check KVER=$$k"; $(MAKE) --no-print-directory check KVER=$$k; done

# Programs the tests run in the guest (userspace-tests/fail_nth.c), built
# with GUEST_CC, the guest's architecture's compiler; rebuilt each time, as
# jsonwatch is.
build/guest/fail_nth: userspace-tests/fail_nth.c FORCE
	@mkdir -p $(@D)
	$(GUEST_CC) $(GUEST_CFLAGS) -o $@ $<

guest-programs: build/guest/fail_nth ## build the programs the suite runs in the guest

# The suite, fault sweeps and kmemleak scans on debug kernels built from
# Debian's linux-source-6.1 (scripts/check-debug.sh). DEBUG_TESTS=FILE...
# runs only those tests; the memory kernel's suite runs in DEBUG_VMS guests
# at once.
DEBUG_FLAVOURS ?= memory race
DEBUG_VMS ?= 4
check-debug: setup unit tools guest-programs ## the suite on debug kernels: KASAN, lockdep, kmemleak, fault sweeps; KCSAN
	@DEBUG_TESTS="$(DEBUG_TESTS)" DEBUG_VMS="$(DEBUG_VMS)" scripts/check-debug.sh $(DEBUG_FLAVOURS)

# The newest Debian kernel's headers want trixie's gcc-14: the module is
# built in a trixie chroot and the VM boots that chroot's kernel (KROOT).
TRIXIE_ROOT ?= /var/tmp/jsonsysctl-trixie
check-trixie: setup unit tools ## the suite on trixie-backports' newest kernel, built in a chroot
	@TRIXIE_ROOT=$(TRIXIE_ROOT) scripts/trixie.sh build
	@scripts/check-sealed.py jsonsysctl.ko
	@rel=$$(TRIXIE_ROOT=$(TRIXIE_ROOT) scripts/trixie.sh release) && \
	KROOT=$(TRIXIE_ROOT) scripts/vm.sh --kver $$rel -- $(PYTEST)

# One VM run measures both modules round by round; see bench/.
BENCH_OUT := $(CURDIR)/build/bench
bench: setup ## C++ against the C yardstick and the syscall floor, one VM run [KVER=]
	@rel=$$(scripts/kernel-release.sh $(KVER)) && \
	$(kver_kdir) all cmodule && \
	mkdir -p $(BENCH_OUT) && \
	$(GUEST_CC) $(GUEST_CFLAGS) -pthread -o $(BENCH_OUT)/readbench bench/readbench.c && \
	scripts/vm.sh --kver $$rel --timeout $(VM_TIMEOUT) --rw $(BENCH_OUT) -- bench/guest.sh $(BENCH_OUT)/readbench \
		$(CURDIR)/jsonsysctl.ko $(CURDIR)/bench/cmodule/jsonsysctl_c.ko $(BENCH_OUT) && \
	bench/report.py $(BENCH_OUT) jsonsysctl.ko bench/cmodule/jsonsysctl_c.ko

# The kernel's own tooling on this tree (docs/tooling.md); each installs
# what it needs first (scripts/kernel-tools.sh).
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

compile_commands.json: FORCE ## build, then write clangd's database from Kbuild's .cmd files
	@kdir="$(KDIR)"; [ -n "$$kdir" ] || kdir=$$(scripts/kdir.sh) || exit 1; \
	$(MAKE) -C "$$kdir" M=$(CURDIR) modules && \
	scripts/compile-commands.py "$$kdir" $(CURDIR) $@

lint: setup ## sparse, clangd, kernel-doc on every kernel of kernels.list; checkpatch
	@KERNELS="$(SUPPORTED_KERNELS)" CHECKPATCH_IGNORE=$(CHECKPATCH_IGNORE) scripts/lint.sh

format-check: ## clang-format 14 --dry-run over the tree's C and C++
	@scripts/kernel-tools.sh format
	@clang-format-14 --dry-run -Werror $(FORMAT_FILES) || { \
		echo "format-check: FAILED: run 'make format' (clang-format-14 -i) and review the diff" >&2; exit 1; }
	@echo "format-check: $(words $(FORMAT_FILES)) files formatted as .clang-format says"

format: ## rewrite the tree's C and C++ as .clang-format says
	@scripts/kernel-tools.sh format
	clang-format-14 -i $(FORMAT_FILES)

doc: ## print every header's DOC: overview and the C boundary's kernel-doc
	@scripts/doc.sh

# The targets and what each does: the `##` comments above.
help: ## this list
	@awk -F':[^#]*## ' '/^[a-zA-Z_.-]+:[^=]*## / { printf "  make %-22s %s\n", $$1, $$2 }' $(firstword $(MAKEFILE_LIST))

# The kernels each target uses (kernels.list).
kernels: ## the kernels of kernels.list and what setup, check-all and check-package use
	@scripts/kernels.sh report

FORCE:

# Kbuild's own clean where a kernel build dir exists; else the same files by
# name (a build made in the trixie chroot, say, on a host with no headers).
clean: ## remove what the builds made
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

# Installing it (docs/packaging.md). install and uninstall take the kernel
# as `make` does (KDIR, else scripts/kdir.sh); see scripts/install.sh.
install: all ## install jsonsysctl.ko into that kernel's updates/ (root) [KDIR=]
	@scripts/install.sh install "$(KDIR)"

uninstall: ## remove what make install installed (root) [KDIR=]
	@scripts/install.sh uninstall "$(KDIR)"

# The DKMS package, built with dh and dh-dkms from debian/.
deb: ## build build/jsonsysctl-dkms_<version>_all.deb (lintian: no error)
	@scripts/deb.sh

# Installs the package and `make install`s on this machine, checks both on
# each supported kernel in the VM, and restores the machine.
check-package: ## install the .deb and make install on this machine, check each in the VM, restore (root)
	@scripts/check-package.sh

.PHONY: help kernels check-docs all cmodule setup tools unit demo check check-all check-trixie bench clean \
	lint format-check format doc install uninstall deb check-package \
	guest-programs check-debug FORCE
