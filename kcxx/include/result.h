// SPDX-License-Identifier: GPL-2.0
// DOC: result.h - errors as values.
//
// An Error holds a negative kernel errno in [-MAX_ERRNO, -1], named by the
// functions errnos.h's list makes (EINVAL(), ENOMEM(), ...); Result<T> is a
// T or an Error. Glue calls return int and become Results in one place,
// to_result(). TRY(expr) propagates an error to the caller like Rust's `?`;
// use it only at the start of a statement (`auto x = TRY(f());`), never
// inside braced initializers or argument lists, where GCC leaves unspecified
// what else already ran when it jumps out.
#pragma once

#include "errnos.h"
#include "glue.h"
#include "types.h"

namespace kcxx {

class Error {
public:
	// Fails to compile in constant evaluation, and traps otherwise, when
	// errno is not a kernel error code: an Error built from 0 is a bug.
	constexpr explicit Error(int code) : m_errno(code)
	{
		if (code >= 0 || code < -KCXX_MAX_ERRNO)
			__builtin_trap();
	}
	constexpr int to_errno() const { return m_errno; }

private:
	int m_errno;
};

// EINVAL() and the others errnos.h lists: the Error of each errno.
#define KCXX_ERROR(name, value)       \
	inline constexpr Error name() \
	{                             \
		return Error(-value); \
	}
KCXX_ERRNOS(KCXX_ERROR)
#undef KCXX_ERROR

template <typename T> class [[nodiscard]] Result {
public:
	Result(T&& value) : m_value(move(value)), m_has_value(true) {}
	Result(const T& value) : m_value(value), m_has_value(true) {}
	Result(Error error) : m_error(error), m_has_value(false) {}
	Result(Result&& other) : m_has_value(other.m_has_value)
	{
		if (m_has_value)
			new (&m_value) T(move(other.m_value));
		else
			new (&m_error) Error(other.m_error);
	}
	Result(const Result&) = delete;
	Result& operator=(const Result&) = delete;
	~Result()
	{
		if (m_has_value)
			m_value.~T();
	}

	bool is_error() const { return !m_has_value; }
	Error error() const { return m_error; }

	// Only after checking is_error(); TRY() does both.
	T release_value() { return move(m_value); }

private:
	union {
		T m_value;
		Error m_error;
	};
	bool m_has_value;
};

template <> class [[nodiscard]] Result<void> {
public:
	Result() = default;
	Result(Error error) : m_error(error), m_has_error(true) {}

	bool is_error() const { return m_has_error; }
	Error error() const { return m_error; }
	void release_value() {}

private:
	Error m_error{-KCXX_MAX_ERRNO};
	bool m_has_error = false;
};

// The one place a glue return code becomes a Result.
inline Result<void> to_result(int rc)
{
	if (rc < 0)
		return Error(rc);
	return {};
}

#define TRY(expression)                             \
	({                                          \
		auto _try_result = (expression);    \
		if (_try_result.is_error())         \
			return _try_result.error(); \
		_try_result.release_value();        \
	})

} // namespace kcxx
