// SPDX-License-Identifier: GPL-2.0
// DOC: owned.h - a move-only owner of one kernel registration.
//
// Owned<Handle, release> holds a glue handle and calls release(handle) in
// its destructor, like fbl::unique_fd or cleanup.h's __free(). A moved-from
// or default Owned holds Handle{} (null, or dev_t 0, which no region uses)
// and releases nothing. Each registration step is one Owned, so a half-built
// object unwinds by destroying what it already has.
#pragma once

#include "result.h"
#include "types.h"

namespace kcxx {

template <typename H, void (*release)(H)> class [[nodiscard]] Owned {
public:
	using Handle = H;

	constexpr Owned() = default;
	explicit Owned(H handle) : m_handle(handle) {}
	Owned(Owned&& other) : m_handle(exchange(other.m_handle, H{})) {}
	Owned& operator=(Owned&& other)
	{
		if (this != &other) {
			Owned old(move(*this));
			m_handle = exchange(other.m_handle, H{});
		}
		return *this;
	}
	Owned(const Owned&) = delete;
	Owned& operator=(const Owned&) = delete;
	~Owned()
	{
		if (m_handle != H{})
			release(m_handle);
	}

	H get() const { return m_handle; }

private:
	H m_handle{};
};

// Runs one glue create step, `int create(Handle *out, args...)`, and returns
// the handle it made as an O (an Owned), or the step's errno.
template <typename O, typename... Params, typename... Args>
Result<O> acquire(int (*create)(typename O::Handle*, Params...), Args... args)
{
	typename O::Handle handle{};
	TRY(to_result(create(&handle, args...)));
	return O(handle);
}

} // namespace kcxx
