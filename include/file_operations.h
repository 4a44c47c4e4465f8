// SPDX-License-Identifier: GPL-2.0
// DOC: file_operations.h - an open file as a C++ object.
//
// C header: module/glue.c (struct file_operations and its trampolines).
//
// file_operations<File> is the table glue.c calls for a character device:
// open() makes a File with `new (nothrow)`, read() forwards a UserSlice and
// the file position to File::read(), release() deletes the File. File
// provides a constructor that cannot fail and
//
//	Result<size_t> read(UserSlice buffer, Offset& pos);
//
// A File is shared by every thread using the open file (pread() takes no
// lock), so File::read() must be safe to run concurrently with itself.
#pragma once

#include "glue.h"
#include "result.h"
#include "types.h"
#include "user_slice.h"

template <typename File> struct FileAdapter {
	static int open(void** file)
	{
		*file = new (nothrow) File();
		return *file ? 0 : ENOMEM().to_errno();
	}

	// Flattened: File::read() and the layer's inline helpers become this one
	// function, the only C++ frame between glue.c's trampoline and the copy.
	[[gnu::flatten]] static long read(void* file, unsigned long buffer, unsigned long len,
					  long long* pos)
	{
		auto result = static_cast<File*>(file)->read(UserSlice(buffer, len), *pos);
		if (result.is_error())
			return result.error().to_errno();
		return static_cast<long>(result.release_value());
	}

	static void release(void* file) { delete static_cast<File*>(file); }
};

template <typename File>
inline constexpr jsc_file_ops file_operations = {
	.open = FileAdapter<File>::open,
	.read = FileAdapter<File>::read,
	.release = FileAdapter<File>::release,
};
