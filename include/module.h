// SPDX-License-Identifier: GPL-2.0
// DOC: module.h - the module is one C++ object.
//
// C header: module/glue.c (module_init(), module_exit()).
//
// KERNEL_MODULE(Type) keeps one Type in static storage: module init builds
// it with Type::create(), a Result<Type>, and returns its errno on failure
// (create() has already unwound what it did); module exit runs ~Type(),
// which undoes the registrations in reverse. The storage is
// constant-initialized, so no global constructor exists to be run.
// MODULE_INFO(tag, "value") adds a modinfo string (license, author, ...).
#pragma once

#include "glue.h"
#include "result.h"
#include "types.h"

template <typename Type> class ModuleSlot {
public:
	int init()
	{
		auto module = Type::create();
		if (module.is_error())
			return module.error().to_errno();
		new (m_storage) Type(module.release_value());
		return 0;
	}

	void exit() { __builtin_launder(reinterpret_cast<Type*>(m_storage))->~Type(); }

private:
	alignas(Type) unsigned char m_storage[sizeof(Type)] = {};
};

// notrace as the kernel's compiler_types.h spells it for this build, chosen
// by the same -D the kernel's flags pass: a patchable entry of no NOPs where
// ftrace patches function entries (arm64), else no -pg/fentry call (x86).
#if defined(CC_USING_HOTPATCH)
#define JSC_NOTRACE gnu::hotpatch(0, 0)
#elif defined(CC_USING_PATCHABLE_FUNCTION_ENTRY)
#define JSC_NOTRACE gnu::patchable_function_entry(0, 0)
#else
#define JSC_NOTRACE gnu::no_instrument_function
#endif

// Like __init and __exit: the code that builds the module is freed after
// init, and all of the C++ that init and exit run is inlined into them.
// __exit is also notrace.
#define KERNEL_MODULE(Type)                                                                      \
	static constinit ModuleSlot<Type> jsc_module_slot;                                       \
	extern "C" [[gnu::section(".init.text"), gnu::cold, gnu::flatten]] int jsc_module_init() \
	{                                                                                        \
		return jsc_module_slot.init();                                                   \
	}                                                                                        \
	extern "C" [[gnu::section(".exit.text"), gnu::cold, gnu::flatten, JSC_NOTRACE]] void     \
	jsc_module_exit()                                                                        \
	{                                                                                        \
		jsc_module_slot.exit();                                                          \
	}

#define JSC_CONCAT_(a, b) a##b
#define JSC_CONCAT(a, b) JSC_CONCAT_(a, b)
#define MODULE_INFO(tag, info)                                                                 \
	[[gnu::used, gnu::section(".modinfo"), gnu::aligned(1)]] static const char JSC_CONCAT( \
		jsc_modinfo_, __COUNTER__)[] = #tag "=" info
