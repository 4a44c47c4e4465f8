// SPDX-License-Identifier: GPL-2.0
// DOC: json_writer.h - JSON without heap or vsnprintf.
//
// JsonWriter<Capacity> appends into its own fixed buffer. An append past
// Capacity is dropped and remembered; finish() then fails with EOVERFLOW
// instead of returning a truncated document. It works at compile time too.
//
// BoolObject<fields> writes {"k1":v1,...,"kn":vn} for a declared list of
// bool fields, in list order; a key that JSON would need to escape fails to
// compile. max_size is its longest document: a writer sized with it cannot
// overflow.
//
// BoolDocuments<fields> is every document a file of one BoolObject and a
// newline can hold, 2^n of them, rendered by a JsonWriter at compile time
// into read-only data. Serving the values is then a table lookup: no
// rendering, no buffer on the stack, nothing that can overflow at run time.
#pragma once

#include "result.h"
#include "types.h"

namespace jsonsysctl {
using namespace kcxx;

template <size_t Capacity> class JsonWriter {
public:
	constexpr void append(const char* text, size_t len)
	{
		if (len > Capacity - m_size) {
			m_overflow = true;
			return;
		}
		for (size_t i = 0; i < len; i++)
			m_buffer[m_size + i] = text[i];
		m_size += len;
	}
	constexpr void append(const char* text) { append(text, __builtin_strlen(text)); }

	constexpr bool overflowed() const { return m_overflow; }
	constexpr Span<const char> text() const { return {m_buffer, m_size}; }

	// The document. Fails with EOVERFLOW if it did not fit.
	Result<Span<const char>> finish() const
	{
		if (m_overflow)
			return EOVERFLOW();
		return text();
	}

private:
	char m_buffer[Capacity]{};
	size_t m_size = 0;
	bool m_overflow = false;
};

template <const auto& fields> class BoolObject {
	static constexpr size_t count = array_size(fields);

	static constexpr bool keys_need_no_escape()
	{
		for (const auto& field : fields)
			for (const char* c = field.name; *c; c++)
				if (*c == '"' || *c == '\\' || static_cast<unsigned char>(*c) < ' ')
					return false;
		return true;
	}
	static_assert(keys_need_no_escape(), "a key JSON would need to escape");

public:
	static constexpr size_t max_size = [] {
		size_t size = sizeof("}") - 1;
		for (const auto& field : fields)
			size += __builtin_strlen(field.name) + sizeof(",\"\":false") - 1;
		return size;
	}();

	// Appends the object; bit i of values is the value of fields[i].
	template <size_t Capacity>
	static constexpr void write(JsonWriter<Capacity>& json, u32 values)
	{
		for (size_t i = 0; i < count; i++) {
			json.append(i == 0 ? "{\"" : ",\"");
			json.append(fields[i].name);
			json.append(values >> i & 1 ? "\":true" : "\":false");
		}
		json.append("}");
	}
};

template <const auto& fields> class BoolDocuments {
	static constexpr size_t count = array_size(fields);
	static_assert(count <= 8, "2^n documents are rendered: keep n small");
	static constexpr u32 documents = 1u << count;
	static constexpr size_t capacity = BoolObject<fields>::max_size + 1;
	static_assert(capacity <= 255, "a document's length is kept in a u8");

	struct Table {
		char text[documents][capacity];
		u8 len[documents];
	};

	static constexpr Table render()
	{
		Table table{};
		for (u32 values = 0; values < documents; values++) {
			JsonWriter<capacity> json;
			BoolObject<fields>::write(json, values);
			json.append("\n");
			if (json.overflowed())
				__builtin_trap(); // Cannot happen: capacity is the longest.
			const auto text = json.text();
			for (size_t i = 0; i < text.size(); i++)
				table.text[values][i] = text.data()[i];
			table.len[values] = static_cast<u8>(text.size());
		}
		return table;
	}

	static constexpr Table table = render();

public:
	static constexpr size_t max_size = capacity;

	// The document for these values: bit i is the value of fields[i];
	// higher bits are ignored.
	static constexpr Span<const char> of(u32 values)
	{
		values &= documents - 1;
		return {table.text[values], table.len[values]};
	}
};

} // namespace jsonsysctl
