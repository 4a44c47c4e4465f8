// SPDX-License-Identifier: GPL-2.0
// DOC: user_slice.h - checked access to user memory.
//
// C header: kcxx/glue.c (copy_to_user(), copy_from_user()).
//
// A UserSlice is a user address and a length, as a syscall hands them in.
// It cannot be read or written itself: reader() or writer() consumes it
// (both are &&-qualified, so the slice is gone afterwards) and yields a
// UserSliceReader or a UserSliceWriter. Only the writer can copy_to_user.
// Both advance through the slice; asking for more than remains fails with
// EFAULT before any copy, so neither can overrun the user's buffer.
//
// Fetch user memory once. Reading the same user bytes twice is a
// time-of-check/time-of-use bug, because another thread can change them in
// between. Wrong, a check of one fetch and a use of another:
//
//	auto len = TRY(UserSlice(addr, 4).reader().read<u32>());
//	if (len > max)
//		return EINVAL();
//	auto used = TRY(UserSlice(addr, 4).reader().read<u32>()); // may be > max
//
// Right: read once into kernel memory, then check and use that copy. A
// reader advances past what it read and a slice yields one reader, so
// fetching the same bytes twice takes a second UserSlice of the same
// address, which stands out in review.
#pragma once

#include "glue.h"
#include "result.h"
#include "types.h"

namespace kcxx {

// Zircon's is_copy_allowed: a value copied to user space must be plain bytes
// without padding, or kernel stack contents leak through the holes.
template <typename T>
concept CopyAllowed = __is_trivially_copyable(T) && __has_unique_object_representations(T);

// Where a reader or a writer stands in its slice; both only move forward.
class UserSliceCursor {
public:
	size_t len() const { return m_len; }

protected:
	UserSliceCursor(unsigned long addr, size_t len) : m_addr(addr), m_len(len) {}
	void advance(size_t len)
	{
		m_addr += len;
		m_len -= len;
	}

	unsigned long m_addr;
	size_t m_len;
};

class UserSliceReader : public UserSliceCursor {
public:
	// Copies len bytes from user memory into to and advances.
	// Fails with EFAULT if fewer than len bytes remain or the copy faults.
	Result<void> read_raw(void* to, size_t len)
	{
		if (len > m_len || kcxx_copy_from_user(to, m_addr, len))
			return EFAULT();
		advance(len);
		return {};
	}

	// Reads one T from user memory. Fails with EFAULT like read_raw().
	template <CopyAllowed T> Result<T> read()
	{
		T value;
		TRY(read_raw(&value, sizeof(value)));
		return value;
	}

private:
	friend class UserSlice;
	using UserSliceCursor::UserSliceCursor;
};

class UserSliceWriter : public UserSliceCursor {
public:
	// Copies len bytes to user memory and advances.
	// Fails with EFAULT if fewer than len bytes remain or the copy faults.
	Result<void> write_raw(const void* from, size_t len)
	{
		if (len > m_len || kcxx_copy_to_user(m_addr, from, len))
			return EFAULT();
		advance(len);
		return {};
	}

	template <CopyAllowed T> Result<void> write(const T& value)
	{
		return write_raw(&value, sizeof(value));
	}

	/**
	 * write_file() - serve a read() of a file whose contents are data.
	 * Copies data[pos:], as much as the slice holds, with one
	 * copy_to_user(), and advances pos by what was copied, as
	 * simple_read_from_buffer() does.
	 *
	 * Return: bytes copied; 0 at or past the end of data. Fails with
	 * EINVAL for a negative pos, EFAULT if nothing could be copied.
	 */
	Result<size_t> write_file(Span<const char> data, Offset& pos)
	{
		if (pos < 0)
			return EINVAL();
		if (static_cast<u64>(pos) >= data.size())
			return 0;
		const size_t len = min(m_len, data.size() - static_cast<size_t>(pos));
		const size_t copied = len - kcxx_copy_to_user(m_addr, data.data() + pos, len);
		if (len && !copied)
			return EFAULT();
		advance(copied);
		pos += copied;
		return copied;
	}

private:
	friend class UserSlice;
	using UserSliceCursor::UserSliceCursor;
};

class UserSlice {
public:
	UserSlice(unsigned long addr, size_t len) : m_addr(addr), m_len(len) {}
	UserSlice(const UserSlice&) = delete;
	UserSlice& operator=(const UserSlice&) = delete;

	size_t len() const { return m_len; }
	UserSliceReader reader() && { return {m_addr, exchange(m_len, size_t{0})}; }
	UserSliceWriter writer() && { return {m_addr, exchange(m_len, size_t{0})}; }

private:
	unsigned long m_addr;
	size_t m_len;
};

} // namespace kcxx
