// SPDX-License-Identifier: GPL-2.0
// DOC: json_writer.h - a fixed-capacity JSON writer without heap or vsnprintf.
//
// JsonWriter<Capacity> renders into its own buffer. A write past Capacity
// is dropped and remembered; finish() then fails with EOVERFLOW instead of
// returning a truncated document. bool_object_size() gives the exact
// capacity an object of bool fields needs, so a writer sized with it cannot
// overflow at all; it also rejects, at compile time, a key that would need
// escaping.
#pragma once

#include "result.h"
#include "types.h"

inline constexpr Error EOVERFLOW()
{
	return Error(-75);
}

// Bytes of the longest {"k1":false,...,"kn":false} over fields' names.
template <typename Field, size_t N> constexpr size_t bool_object_size(const Field (&fields)[N])
{
	size_t size = 2 + (N - 1); // braces and commas
	for (const Field& field : fields) {
		size += 3 + __builtin_strlen(field.name) + 5; // "key":false
		for (const char* c = field.name; *c; c++)
			if (*c == '"' || *c == '\\' || *c < ' ')
				__builtin_trap(); // A key JSON would need to escape.
	}
	return size;
}

template <size_t Capacity> class JsonWriter {
public:
	void begin_object()
	{
		put("{", 1);
		m_first = true;
	}
	void field(const char* key, bool value)
	{
		put(m_first ? "\"" : ",\"", m_first ? 1 : 2);
		m_first = false;
		put(key, __builtin_strlen(key));
		put(value ? "\":true" : "\":false", value ? 6 : 7);
	}
	void end_object() { put("}", 1); }
	void newline() { put("\n", 1); }

	// The document. Fails with EOVERFLOW if it did not fit.
	Result<Span<const char>> finish() const
	{
		if (m_overflow)
			return EOVERFLOW();
		return Span<const char>(m_buffer, m_size);
	}

private:
	// Out of line: the one place that checks capacity and copies.
	[[gnu::noinline]] void put(const char* s, size_t len)
	{
		if (len > Capacity - m_size) {
			m_overflow = true;
			return;
		}
		__builtin_memcpy(m_buffer + m_size, s, len);
		m_size += len;
	}

	char m_buffer[Capacity];
	size_t m_size = 0;
	bool m_first = true;
	bool m_overflow = false;
};
