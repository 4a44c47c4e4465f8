// SPDX-License-Identifier: GPL-2.0
// The C++ runtime the layer needs, and nothing more: allocation over
// kmalloc()/kfree(). Only the nothrow operator new exists, and it returns
// null on failure; callers check it (file_operations.h). A plain `new T`
// has no definition, so using one fails the link.
#include "glue.h"
#include "types.h"

void* operator new(__SIZE_TYPE__ size, const kcxx::NothrowTag&) noexcept
{
	return kcxx_kmalloc(size);
}

void operator delete(void* ptr) noexcept
{
	kcxx_kfree(ptr);
}

void operator delete(void* ptr, __SIZE_TYPE__) noexcept
{
	kcxx_kfree(ptr);
}
