// SPDX-License-Identifier: GPL-2.0
// DOC: json_writer.h - JSON without heap or vsnprintf.
//
// JsonWriter<Capacity> appends into its own fixed buffer. An append past
// Capacity is dropped and remembered; finish() then fails with EOVERFLOW
// instead of returning a truncated document.
//
// BoolObject<fields> writes {"k1":v1,...,"kn":vn} for a declared list of
// bool fields, in list order. Its pieces (brace or comma, quoted key,
// colon, true or false: two per field) are rendered at compile time, so a
// document costs n + 1 appends at run time, and a key that JSON would need
// to escape fails to compile. max_size is its longest document: a writer
// sized with it cannot overflow.
#pragma once

#include "result.h"
#include "types.h"

inline constexpr Error EOVERFLOW()
{
	return Error(-75);
}

template <size_t Capacity> class JsonWriter {
public:
	void append(const char* text, size_t len)
	{
		if (len > Capacity - m_size) {
			m_overflow = true;
			return;
		}
		__builtin_memcpy(m_buffer + m_size, text, len);
		m_size += len;
	}

	// The document. Fails with EOVERFLOW if it did not fit.
	Result<Span<const char>> finish() const
	{
		if (m_overflow)
			return EOVERFLOW();
		return Span<const char>(m_buffer, m_size);
	}

private:
	char m_buffer[Capacity];
	size_t m_size = 0;
	bool m_overflow = false;
};

template <const auto& fields> class BoolObject {
	static constexpr size_t count = array_size(fields);

	static constexpr size_t longest_piece()
	{
		size_t longest = 0;
		for (const auto& field : fields)
			longest = max(longest, __builtin_strlen(field.name));
		return longest + sizeof(",\"\":false") - 1;
	}

	struct Piece {
		char text[longest_piece()];
		size_t len;
	};
	struct Pieces {
		Piece of[count][2]; // [field][value]
	};

	static constexpr Pieces render()
	{
		Pieces pieces{};
		for (size_t i = 0; i < count; i++) {
			for (int value = 0; value < 2; value++) {
				Piece& piece = pieces.of[i][value];
				auto add = [&piece](const char* s) {
					while (*s)
						piece.text[piece.len++] = *s++;
				};
				for (const char* c = fields[i].name; *c; c++)
					if (*c == '"' || *c == '\\' || static_cast<unsigned char>(*c) < ' ')
						__builtin_trap(); // A key JSON would need to escape.
				add(i == 0 ? "{\"" : ",\"");
				add(fields[i].name);
				add(value ? "\":true" : "\":false");
			}
		}
		return pieces;
	}

	static constexpr Pieces pieces = render();

public:
	static constexpr size_t max_size = [] {
		size_t size = sizeof("}") - 1;
		for (const auto& field : pieces.of)
			size += max(field[0].len, field[1].len);
		return size;
	}();

	// Appends the object; values[i] is the value of fields[i].
	template <size_t Capacity, typename Values>
	static void write(JsonWriter<Capacity>& json, const Values& values)
	{
		for (size_t i = 0; i < count; i++) {
			const Piece& piece = pieces.of[i][values[i]];
			json.append(piece.text, piece.len);
		}
		json.append("}", 1);
	}
};
