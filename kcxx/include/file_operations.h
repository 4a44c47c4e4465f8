// SPDX-License-Identifier: GPL-2.0
// DOC: file_operations.h - an open file as a C++ object.
//
// C header: kcxx/glue.c (struct file_operations and its trampolines).
//
// file_operations<File> is the table glue.c calls for a character device:
// constant, and copied by module init next to the device's kernel
// file_operations in a room sealed when init returns (chrdev.h, glue.h).
// Its members are the operations File declares, found at compile time, and
// the kernel's file_operations get a member for each of them and none for
// the others, as a C driver's table would:
//
//	File(OpenFile context);  // or File(): open(2), for context.minor
//	Result<size_t> read(UserSlice buffer, Offset& pos);
//	Result<size_t> write(Span<const char> data, Offset& pos);
//	Result<Offset> llseek(SeekFrom from, Offset pos);
//	static constexpr bool default_llseek = true; // instead: the kernel's
//	PollEvents poll(PollTable table);             // poll.h
//
// - Without read (write), read(2) (write(2)) fails with EINVAL.
// - write() gets a kernel copy of the user's bytes, at most a page: one
//   copy_from_user() into a KernelBuffer, so a longer write is a short
//   write, and a bad buffer fails with EFAULT before write() runs.
// - llseek() gets SEEK_SET with an offset of 0 or more, SEEK_CUR or
//   SEEK_END, and the file's position; anything else (SEEK_DATA, SEEK_HOLE,
//   a negative SEEK_SET offset) fails with EINVAL first. The file's
//   position becomes what it returns.
// - With neither llseek() nor default_llseek, lseek(2) fails with ESPIPE;
//   pread(2) and pwrite(2) work.
//
// Where the File lives: a File that fits in the open file's private pointer
// and has nothing to destroy (a snapshot word, a counter) is built in that
// slot, so open() allocates nothing and cannot fail, and there is no
// release(). A larger File is made with `new (nothrow)` (open() fails with
// ENOMEM when that fails) and deleted by release().
//
// A File is shared by every thread using the open file (pread() takes no
// lock), so its operations must be safe to run concurrently with each
// other.
#pragma once

#include "glue.h"
#include "kernel_buffer.h"
#include "poll.h"
#include "result.h"
#include "types.h"
#include "user_slice.h"

namespace kcxx {

// What open(2) tells a File about itself.
struct OpenFile {
	u32 minor;
};

// Where an lseek(2) goes: offset from the start (offset >= 0), from the
// file's position, or from its end.
struct SeekFrom {
	enum class Whence { Start = KCXX_SEEK_SET, Current = KCXX_SEEK_CUR, End = KCXX_SEEK_END };
	Whence whence;
	Offset offset;
};

// (clang-format 14 cannot lay out a requires-expression.)
// clang-format off
template <typename File>
concept Readable = requires(File& file, Offset& pos) {
	{ file.read(UserSlice(0, 0), pos) } -> SameAs<Result<size_t>>;
};

template <typename File>
concept Writable = requires(File& file, Span<const char> data, Offset& pos) {
	{ file.write(data, pos) } -> SameAs<Result<size_t>>;
};

template <typename File>
concept Seekable = requires(File& file, SeekFrom from, Offset pos) {
	{ file.llseek(from, pos) } -> SameAs<Result<Offset>>;
};
// clang-format on

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

	static constexpr bool takes_context = requires(OpenFile context) { File(context); };

	static int open(void** slot, unsigned int minor)
	{
		const OpenFile context{minor};
		if constexpr (file_in_slot<File>) {
			if constexpr (takes_context)
				new (slot) File(context);
			else
				new (slot) File();
			return 0;
		} else {
			File* file;
			if constexpr (takes_context)
				file = new (nothrow) File(context);
			else
				file = new (nothrow) File();
			*slot = file;
			return file ? 0 : ENOMEM().to_errno();
		}
	}

	static long to_long(Result<size_t> result)
	{
		if (result.is_error())
			return result.error().to_errno();
		return static_cast<long>(result.release_value());
	}

	// Flattened: File::read() and the layer's inline helpers become this one
	// function, the only C++ frame between glue.c's trampoline and the copy.
	[[gnu::flatten]] static long read(void** slot, unsigned long buffer, unsigned long len,
					  long long* pos)
	{
		return to_long(get(slot).read(UserSlice(buffer, len), *pos));
	}

	// The user's bytes, at most a page, copied once into kernel memory.
	static Result<size_t> copy_and_write(File& file, unsigned long buffer, size_t len,
					     Offset& pos)
	{
		const size_t size = min(len, size_t{KCXX_PAGE_SIZE});
		auto data = TRY(KernelBuffer::create(size));
		TRY(UserSlice(buffer, size).reader().read_raw(data.data(), size));
		return file.write(Span<const char>(data.data(), size), pos);
	}

	static long write(void** slot, unsigned long buffer, unsigned long len, long long* pos)
	{
		return to_long(copy_and_write(get(slot), buffer, len, *pos));
	}

	static long long llseek(void** slot, long long offset, int whence, long long pos)
	{
		if ((whence != KCXX_SEEK_SET && whence != KCXX_SEEK_CUR &&
		     whence != KCXX_SEEK_END) ||
		    (whence == KCXX_SEEK_SET && offset < 0))
			return EINVAL().to_errno();
		auto result =
			get(slot).llseek({static_cast<SeekFrom::Whence>(whence), offset}, pos);
		if (result.is_error())
			return result.error().to_errno();
		long long position = result.release_value();
		// A negative position would read as an errno, or worse.
		if (position < 0)
			return EINVAL().to_errno();
		return position;
	}

	static unsigned int poll(void** slot, kcxx_file* file, kcxx_poll_table* table)
	{
		return get(slot).poll(PollTable(file, table)).bits;
	}

	static void release(void** slot) { delete static_cast<File*>(*slot); }

	// Each operation File has, or null: one File lacks is never instantiated.
	static constexpr auto read_op()
	{
		if constexpr (Readable<File>)
			return read;
		else
			return nullptr;
	}
	static constexpr auto write_op()
	{
		if constexpr (Writable<File>)
			return write;
		else
			return nullptr;
	}
	static constexpr auto llseek_op()
	{
		if constexpr (Seekable<File>)
			return llseek;
		else
			return nullptr;
	}
	static constexpr auto poll_op()
	{
		if constexpr (Pollable<File>)
			return poll;
		else
			return nullptr;
	}
	static constexpr bool default_llseek()
	{
		if constexpr (requires { File::default_llseek; })
			return File::default_llseek;
		else
			return false;
	}
	static_assert(!(Seekable<File> && default_llseek()),
		      "a File has llseek() or default_llseek");
};

template <typename File>
inline constexpr kcxx_file_ops file_operations = {
	.open = FileAdapter<File>::open,
	.read = FileAdapter<File>::read_op(),
	.write = FileAdapter<File>::write_op(),
	.llseek = FileAdapter<File>::llseek_op(),
	.poll = FileAdapter<File>::poll_op(),
	.release = file_in_slot<File> ? nullptr : FileAdapter<File>::release,
	.default_llseek = FileAdapter<File>::default_llseek(),
};

} // namespace kcxx
