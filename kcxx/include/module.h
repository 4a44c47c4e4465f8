// SPDX-License-Identifier: GPL-2.0
// DOC: module.h - the module is one C++ object.
//
// C header: kcxx/glue.c (module_init(), module_exit()).
//
// KERNEL_MODULE(Type) keeps one Type in static storage: module init builds
// it with Type::create(), a Result<Type>, and returns its errno on failure
// (create() has already unwound what it did); module exit runs ~Type(),
// which undoes the registrations in reverse. The storage is
// constant-initialized, so no global constructor exists to be run.
// A Type may declare `void unload()`: module exit calls it once, before
// ~Type(), while the registrations still stand (what a Rust module's Drop
// does). A destructor is no place for it: it runs for the moved-from Types
// that create() leaves behind too.
// MODULE_INFO(tag, "value") adds a modinfo string (license, author, ...).
#pragma once

#include "glue.h"
#include "result.h"
#include "types.h"

namespace kcxx {

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

	void exit()
	{
		Type& module = *__builtin_launder(reinterpret_cast<Type*>(m_storage));
		if constexpr (requires { module.unload(); })
			module.unload();
		module.~Type();
	}

private:
	alignas(Type) unsigned char m_storage[sizeof(Type)] = {};
};

// notrace as the kernel's compiler_types.h spells it for this build, chosen
// by the same -D the kernel's flags pass: a patchable entry of no NOPs where
// ftrace patches function entries (arm64), else no -pg/fentry call (x86).
#if defined(CC_USING_HOTPATCH)
#define KCXX_NOTRACE gnu::hotpatch(0, 0)
#elif defined(CC_USING_PATCHABLE_FUNCTION_ENTRY)
#define KCXX_NOTRACE gnu::patchable_function_entry(0, 0)
#else
#define KCXX_NOTRACE gnu::no_instrument_function
#endif

// Like __init and __exit: the code that builds the module is freed after
// init, and all of the C++ that init and exit run is inlined into them.
// __exit is also notrace.
#define KERNEL_MODULE(Type)                                                                       \
	static constinit kcxx::ModuleSlot<Type> kcxx_module_slot;                                 \
	extern "C" [[gnu::section(".init.text"), gnu::cold, gnu::flatten]] int kcxx_module_init() \
	{                                                                                         \
		return kcxx_module_slot.init();                                                   \
	}                                                                                         \
	extern "C" [[gnu::section(".exit.text"), gnu::cold, gnu::flatten, KCXX_NOTRACE]] void     \
	kcxx_module_exit()                                                                        \
	{                                                                                         \
		kcxx_module_slot.exit();                                                          \
	}

#define KCXX_CONCAT_(a, b) a##b
#define KCXX_CONCAT(a, b) KCXX_CONCAT_(a, b)
#define MODULE_INFO(tag, info)                                                                  \
	[[gnu::used, gnu::section(".modinfo"), gnu::aligned(1)]] static const char KCXX_CONCAT( \
		kcxx_modinfo_, __COUNTER__)[] = #tag "=" info

} // namespace kcxx
