// SPDX-License-Identifier: GPL-2.0
// DOC: types.h - fixed-width integers and the few language helpers the
// kernel's -nostdinc build leaves us: move(), forward(), exchange(), min(),
// is_trivially_destructible, placement new and a nothrow tag. No standard
// library header exists here.
#pragma once

// Outside the namespace, as the language wants them: allocation through
// kmalloc() (runtime.cpp), nothrow only, and placement new.
namespace kcxx {
struct NothrowTag {
	explicit NothrowTag() = default;
};
} // namespace kcxx

void* operator new(__SIZE_TYPE__ size, const kcxx::NothrowTag&) noexcept;
void operator delete(void* ptr) noexcept;
void operator delete(void* ptr, __SIZE_TYPE__ size) noexcept;

#if __has_include(<new>) // A hosted build: the host unit tests.
#include <new>
#else
inline void* operator new(__SIZE_TYPE__, void* where) noexcept
{
	return where;
}
#endif

namespace kcxx {

using u8 = unsigned char;
using u32 = unsigned int;
using u64 = unsigned long long;
using i64 = long long;
using size_t = __SIZE_TYPE__;

// A file position, the kernel's loff_t.
using Offset = long long;

template <typename T> struct RemoveReference {
	using Type = T;
};
template <typename T> struct RemoveReference<T&> {
	using Type = T;
};
template <typename T> struct RemoveReference<T&&> {
	using Type = T;
};

// Whether destroying a T does nothing. GCC 12 knows only
// __has_trivial_destructor, which clang deprecates (warning) for
// __is_trivially_destructible.
template <typename T>
inline constexpr bool is_trivially_destructible =
#if __has_builtin(__is_trivially_destructible)
	__is_trivially_destructible(T);
#else
	__has_trivial_destructor(T);
#endif

template <typename T> constexpr typename RemoveReference<T>::Type&& move(T&& value)
{
	return static_cast<typename RemoveReference<T>::Type&&>(value);
}

template <typename T> constexpr T&& forward(typename RemoveReference<T>::Type& value)
{
	return static_cast<T&&>(value);
}

template <typename T, typename U = T> constexpr T exchange(T& slot, U&& value)
{
	T old = move(slot);
	slot = forward<U>(value);
	return old;
}

// Whether T and U are one type, for a requires-expression's `-> SameAs<T>`.
template <typename T, typename U>
concept SameAs = __is_same(T, U);

template <typename T> constexpr T min(T a, T b)
{
	return b < a ? b : a;
}

template <typename T> constexpr T max(T a, T b)
{
	return a < b ? b : a;
}

// The nothrow tag for `new (nothrow) T`; operator new (runtime.cpp) returns
// null on failure instead of throwing, and every caller checks it.
inline constexpr NothrowTag nothrow{};

// A file mode's permission bits, e.g. Mode{0444}.
struct Mode {
	unsigned short bits;
};

// A borrowed, bounds-known view of contiguous memory.
template <typename T> class Span {
public:
	constexpr Span() = default;
	constexpr Span(T* data, size_t size) : m_data(data), m_size(size) {}
	constexpr T* data() const { return m_data; }
	constexpr size_t size() const { return m_size; }
	constexpr T& operator[](size_t i) const { return m_data[i]; }
	constexpr T* begin() const { return m_data; }
	constexpr T* end() const { return m_data + m_size; }

private:
	T* m_data = nullptr;
	size_t m_size = 0;
};

template <typename T, size_t N> constexpr size_t array_size(const T (&)[N])
{
	return N;
}

} // namespace kcxx
