// SPDX-License-Identifier: GPL-2.0
// DOC: atomic.h - lock-free atomic values over the compiler's __atomic builtins.
//
// The same instructions the kernel's READ_ONCE()/WRITE_ONCE(), xchg(),
// atomic_fetch_add() and atomic_cmpxchg() produce on x86-64. A constexpr
// constructor lets a global be `constinit`: no constructor runs at load.
#pragma once

namespace kcxx {

enum class MemoryOrder : int {
	Relaxed = __ATOMIC_RELAXED,
	Acquire = __ATOMIC_ACQUIRE,
	Release = __ATOMIC_RELEASE,
	SeqCst = __ATOMIC_SEQ_CST,
};

template <typename T> class Atomic {
	static_assert(__atomic_always_lock_free(sizeof(T), 0), "Atomic<T> must never take a lock");

public:
	constexpr Atomic() = default;
	constexpr explicit Atomic(T value) : m_value(value) {}
	Atomic(const Atomic&) = delete;
	Atomic& operator=(const Atomic&) = delete;

	T load(MemoryOrder order = MemoryOrder::SeqCst) const
	{
		return __atomic_load_n(&m_value, static_cast<int>(order));
	}
	void store(T value, MemoryOrder order = MemoryOrder::SeqCst)
	{
		__atomic_store_n(&m_value, value, static_cast<int>(order));
	}
	// Stores value and returns the value it replaced, in one step.
	T exchange(T value, MemoryOrder order = MemoryOrder::SeqCst)
	{
		return __atomic_exchange_n(&m_value, value, static_cast<int>(order));
	}
	// Adds value and returns the value before, in one step.
	T fetch_add(T value, MemoryOrder order = MemoryOrder::SeqCst)
	{
		return __atomic_fetch_add(&m_value, value, static_cast<int>(order));
	}
	// Stores desired if the value is expected; else loads the value into
	// expected. Returns whether it stored.
	bool compare_exchange(T& expected, T desired, MemoryOrder order = MemoryOrder::SeqCst)
	{
		return __atomic_compare_exchange_n(&m_value, &expected, desired, false,
						   static_cast<int>(order), __ATOMIC_RELAXED);
	}

private:
	T m_value{};
};

} // namespace kcxx
