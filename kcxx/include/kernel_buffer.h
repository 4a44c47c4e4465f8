// SPDX-License-Identifier: GPL-2.0
// DOC: kernel_buffer.h - bytes from kmalloc(), freed by their destructor.
//
// C header: kcxx/glue.c (kmalloc(), kfree()).
//
// KernelBuffer::create(size) allocates size bytes (GFP_KERNEL: it may
// sleep); the destructor frees them. Move-only; a moved-from buffer frees
// nothing. A write(2) gets its user bytes copied into one
// (file_operations.h), so the File reads kernel memory, fetched once.
#pragma once

#include "glue.h"
#include "owned.h"
#include "result.h"
#include "types.h"

namespace kcxx {

class KernelBuffer {
public:
	/**
	 * create() - allocate size bytes, uninitialized.
	 *
	 * Return: the buffer. Fails with ENOMEM.
	 */
	static Result<KernelBuffer> create(size_t size)
	{
		char* bytes = static_cast<char*>(kcxx_kmalloc(size));
		if (!bytes)
			return ENOMEM();
		return KernelBuffer(Bytes(bytes), size);
	}

	char* data() const { return m_bytes.get(); }
	size_t size() const { return m_size; }

private:
	static void free(char* bytes) { kcxx_kfree(bytes); }
	using Bytes = Owned<char*, free>;

	KernelBuffer(Bytes bytes, size_t size) : m_bytes(move(bytes)), m_size(size) {}

	Bytes m_bytes;
	size_t m_size;
};

} // namespace kcxx
