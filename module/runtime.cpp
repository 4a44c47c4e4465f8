// SPDX-License-Identifier: GPL-2.0
// The C++ runtime the layer needs, and nothing more: allocation over
// kmalloc()/kfree(). Only the nothrow operator new exists, and it returns
// null on failure; callers check it (file_operations.h). A plain `new T`
// has no definition, so using one fails the link.
#include "glue.h"
#include "types.h"

void* operator new(size_t size, const NothrowTag&) noexcept
{
	return jsc_kmalloc(size);
}

void operator delete(void* ptr) noexcept
{
	jsc_kfree(ptr);
}

void operator delete(void* ptr, size_t) noexcept
{
	jsc_kfree(ptr);
}
