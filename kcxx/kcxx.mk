# SPDX-License-Identifier: GPL-2.0
# kcxx: the C++ kernel layer, for a module's Kbuild (docs/writing-a-module.md).
#
#   obj-m := cxx_printk.o
#   cxx_printk-y := printk.o                 # printk.cpp, this folder's C++
#   include $(src)/../../kcxx/kcxx.mk        # where kcxx/ is from here
#
# Adds to the module its own copy of the C boundary (glue.c) and the C++
# runtime, compiled with this module's THIS_MODULE and KBUILD_MODNAME, and
# the rule that compiles the module's .cpp files with the kernel's flags.
# A folder builds one module on the layer. KCXX_TEST_HOOKS=y builds the
# test hooks in (fail_step: docs/testing.md); the Makefile does so for the
# test variants under build/test/, never for what make, make install and
# DKMS build.

kcxx := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
kcxx-module := $(patsubst %.o,%,$(obj-m))
ifneq ($(words $(kcxx-module)),1)
$(error kcxx: $(src) builds '$(obj-m)': a folder builds one module on the layer)
endif
$(kcxx-module)-y += kcxx-glue.o kcxx-runtime.o
ccflags-y += -I$(kcxx)/include
ccflags-$(KCXX_TEST_HOOKS) += -DKCXX_TEST_HOOKS

# The layer's objects, named as they are listed above, so Kbuild gives them
# the module's KBUILD_MODNAME (it finds the module by the object's stem).
# As Kbuild's own C rule, C=2 runs sparse on glue.c even when it is built.
$(obj)/kcxx-glue.o: $(obj)/%.o: $(kcxx)/glue.c FORCE
	$(call if_changed_rule,cc_o_c)
	$(call cmd,force_checksrc)
$(obj)/kcxx-runtime.o: $(obj)/%.o: $(kcxx)/runtime.cpp FORCE
	$(call if_changed_rule,cxx_o_cpp)
# The module's own C++ objects, each from its .cpp in $(src): a static
# pattern rule over them, because a pattern rule's $(obj)/%.o is %.o when
# obj is . (7.x builds external modules there) and make then looks for
# module/x.o's source as module/ + $(src)/x.cpp.
kcxx-cxx-objs := $(foreach o,$($(kcxx-module)-y),$(if $(wildcard $(src)/$(o:.o=.cpp)),$(obj)/$(o)))
$(kcxx-cxx-objs): $(obj)/%.o: $(src)/%.cpp FORCE
	$(call if_changed_rule,cxx_o_cpp)

# C++ objects get the kernel's own flags for this module's C files, $(c_flags)
# (code generation, mitigations, -MMD dependencies), minus what only C
# accepts and the forced -include of compiler_types.h: a kernel header,
# which for one does `#define auto __auto_type`. Debug info stays off:
# pahole cannot turn C++ DWARF into BTF, and without BTF 6.12 makes no .ko.
cxx-c-only := -std=% -Wstrict-prototypes -Wno-pointer-sign -Wmissing-prototypes \
	-Wold-style-definition -Wdeclaration-after-statement -Werror=implicit-int \
	-Werror=implicit-function-declaration -Werror=strict-prototypes \
	-Werror=incompatible-pointer-types -Werror=designated-init \
	-Wno-override-init -Wmissing-include-dirs -Wpacked-not-aligned \
	-Wno-alloc-size-larger-than -g -gdwarf% -gz%
cxx_flags = $(filter-out $(cxx-c-only), \
		$(subst -include $(srctree)/include/linux/compiler_types.h,,$(c_flags))) \
	-std=gnu++20 -nostdinc++ -fno-exceptions -fno-rtti -fno-threadsafe-statics \
	-fno-use-cxa-atexit -fno-asynchronous-unwind-tables -g0 -Wno-missing-field-initializers \
	$(cxx-flags-y)

# arm64: g++ outlines atomics by default, calling helpers (__aarch64_cas4_relax,
# ...) that the kernel does not have. The kernel's C never uses the
# compiler's atomics, so its flags do not turn outlining off; inline LSE/LL-SC.
cxx-flags-$(CONFIG_ARM64) += -mno-outline-atomics

# No global constructor of ours may exist: nothing would run it. Only the
# ones KASAN's and KCSAN's compiler adds pass (no-ctors.sh).
cmd_no_ctors = $(kcxx)/no-ctors.sh "$(OBJDUMP)" "$(READELF)" $@ || \
	{ rm -f $@; exit 1; }

# Exit code is notrace, like the kernel's __exit: none of ftrace's records
# (__mcount_loc, or __patchable_function_entries where ftrace patches the
# compiler's entry NOPs, as on arm64) points into .exit.text. (x86 6.12 has
# patchable entries too, for call padding, not ftrace.)
ftrace-records := $(if $(CONFIG_FTRACE_MCOUNT_USE_PATCHABLE_FUNCTION_ENTRY), \
	__patchable_function_entries,__mcount_loc)
cmd_exit_notrace = if $(OBJDUMP) -r $@ | awk -v r='[$(strip $(ftrace-records))]:' \
	'/^RELOCATION RECORDS FOR/ { s = $$4 } s == r && $$3 ~ /^\.exit\.text/ { f = 1 } \
	END { exit !f }'; then echo "$@: .exit.text is traced: module.h's notrace is not \
	how this kernel spells it (compiler_types.h)" >&2; rm -f $@; exit 1; fi

# The C++ compiler of the compiler that built the kernel, so the kernel's
# flags, plugins and (clang) kCFI type hashes are that compiler's: gcc's g++
# (gcc-12 -> g++-12, /usr/bin/x86_64-linux-gnu-gcc-12 ->
# /usr/bin/x86_64-linux-gnu-g++-12), or clang's clang++ (clang-16 ->
# clang++-16) for a clang-built kernel, whose CC the Makefile sets with
# LLVM= from its .config. A wrapper such as ccache before it stays; only the
# compiler's file name is rewritten. CXX_FOR_KERNEL=... on the command line
# overrides it.
cc-last := $(lastword $(CC))
ifdef CONFIG_CC_IS_CLANG
ifeq ($(findstring clang,$(notdir $(cc-last))),)
$(error kcxx: this kernel was built with clang $(shell echo $$(($(CONFIG_CLANG_VERSION) / 10000))) \
	and CC is $(cc-last): pass LLVM=-$(shell echo $$(($(CONFIG_CLANG_VERSION) / 10000))) \
	(the Makefile's targets do))
endif
cxx-name := $(subst clang,clang++,$(notdir $(cc-last)))
else
cxx-name := $(subst gcc,g++,$(notdir $(cc-last)))
endif
CXX_FOR_KERNEL ?= $(filter-out $(cc-last),$(CC)) $(patsubst ./%,%,$(dir $(cc-last)))$(cxx-name)
cxx-last = $(lastword $(CXX_FOR_KERNEL))

cmd_have_cxx = command -v $(cxx-last) >/dev/null || { echo "$(kcxx-module): \
	$(cxx-last) (the C++ compiler of this kernel's $(cc-last)) is not installed" >&2; exit 1; }

quiet_cmd_cxx_o_cpp = CXX $(quiet_modtag) $@
      cmd_cxx_o_cpp = $(CXX_FOR_KERNEL) $(cxx_flags) -c -o $@ $< $(cmd_objtool)

define rule_cxx_o_cpp
	$(call cmd,have_cxx)
	$(call cmd_and_fixdep,cxx_o_cpp)
	$(call cmd,no_ctors)
	$(call cmd,exit_notrace)
	$(call cmd,gen_objtooldep)
endef

# kCFI (CONFIG_CFI_CLANG): every indirect call checks its target's type
# hash, and C++ and C must agree hash for hash where glue.c calls C++
# through a pointer. check-kcfi.py pairs each such call with the C++
# functions it can reach, on the linked module, and fails on a mismatch
# with both named, before the .ko exists. It needs python3 and glue.c's
# own compiler command (for glue.h's hashes). KCXX_KCFI_CHECK=n skips it.
# 6.18 renamed CONFIG_CFI_CLANG to CONFIG_CFI, which gcc may provide too;
# the check reads glue.h with clang, so a gcc kCFI kernel is refused.
clean-files += $(kcxx-module).kcfi
ifneq ($(CONFIG_CFI_CLANG)$(CONFIG_CFI),)
ifneq ($(KCXX_KCFI_CHECK),n)
ifndef CONFIG_CC_IS_CLANG
$(error kcxx: this kernel has kCFI and was not built with clang: kcxx/check-kcfi.py \
	cannot check its hashes; KCXX_KCFI_CHECK=n builds without the check)
endif
always-y += $(kcxx-module).kcfi
targets += $(kcxx-module).kcfi
cmd_kcfi = KCXX_CC='$(call escsq,$(CC) $(c_flags))' $(PYTHON3) $(kcxx)/check-kcfi.py \
	$< $(obj)/kcxx-glue.o $(kcxx)/include/glue.h; touch $@
$(obj)/$(kcxx-module).kcfi: $(obj)/$(kcxx-module).o $(obj)/kcxx-glue.o $(kcxx)/check-kcfi.py $(kcxx)/elf.py FORCE
	$(call if_changed,kcfi)
endif
endif
