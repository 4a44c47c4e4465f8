// SPDX-License-Identifier: GPL-2.0
// DOC: file_operations.h - an open file as a C++ object.
//
// C header: kcxx/glue.c (struct file_operations and its trampolines).
//
// file_operations<File> is the table glue.c calls for a character device:
// constant, and copied by module init next to the device's kernel
// file_operations in a room sealed when init returns (chrdev.h, glue.h).
// open() makes a File, read() forwards a UserSlice and the file position to
// File::read(), release() ends the File. File provides a constructor that
// cannot fail and
//
//	Result<size_t> read(UserSlice buffer, Offset& pos);
//
// A File may also provide
//
//	PollEvents poll(PollTable table);
//
// (poll.h), and only then does the table have poll: whether it does is
// decided at compile time, and a File without it gets exactly the table it
// had before.
//
// Where the File lives: a File that fits in the open file's private pointer
// and has nothing to destroy (a snapshot word, say) is built in that slot,
// so open() allocates nothing and cannot fail, and there is no release().
// A larger File is made with `new (nothrow)` (open() fails with ENOMEM when
// that fails) and deleted by release().
//
// A File is shared by every thread using the open file (pread() takes no
// lock), so File::read() must be safe to run concurrently with itself.
#pragma once

#include "glue.h"
#include "poll.h"
#include "result.h"
#include "types.h"
#include "user_slice.h"

namespace kcxx {

template <typename File>
inline constexpr bool file_in_slot =
	sizeof(File) <= sizeof(void*) &&
	alignof(File) <= alignof(void*) && is_trivially_destructible<File>;

template <typename File> struct FileAdapter {
	static File& get(void** slot)
	{
		if constexpr (file_in_slot<File>)
			return *__builtin_launder(reinterpret_cast<File*>(slot));
		else
			return *static_cast<File*>(*slot);
	}

	static int open(void** slot)
	{
		if constexpr (file_in_slot<File>) {
			new (slot) File();
			return 0;
		} else {
			*slot = new (nothrow) File();
			return *slot ? 0 : ENOMEM().to_errno();
		}
	}

	// Flattened: File::read() and the layer's inline helpers become this one
	// function, the only C++ frame between glue.c's trampoline and the copy.
	[[gnu::flatten]] static long read(void** slot, unsigned long buffer, unsigned long len,
					  long long* pos)
	{
		auto result = get(slot).read(UserSlice(buffer, len), *pos);
		if (result.is_error())
			return result.error().to_errno();
		return static_cast<long>(result.release_value());
	}

	static unsigned int poll(void** slot, kcxx_file* file, kcxx_poll_table* table)
	{
		return get(slot).poll(PollTable(file, table)).bits;
	}

	static void release(void** slot) { delete static_cast<File*>(*slot); }

	static constexpr auto poll_op()
	{
		if constexpr (Pollable<File>)
			return poll;
		else
			return nullptr;
	}
};

template <typename File>
inline constexpr kcxx_file_ops file_operations = {
	.open = FileAdapter<File>::open,
	.read = FileAdapter<File>::read,
	.poll = FileAdapter<File>::poll_op(),
	.release = file_in_slot<File> ? nullptr : FileAdapter<File>::release,
};

} // namespace kcxx
