// SPDX-License-Identifier: GPL-2.0
// DOC: snapshot.h - one open file's consistent view of a list of atomic bools.
//
// A reader that reads a document in small pieces must get every piece from
// the same values, or it sees a torn mix of two states. Snapshot<fields>
// keeps the values one open file serves, packed into one atomic word with
// a "taken" bit: a read at offset 0 retakes it, a read further on continues
// it, and the first read of an open file at any offset takes it. Threads
// reading one open file at once (pread() takes no lock) each see a whole
// snapshot, never half of one, and nobody locks.
//
// A Snapshot is made at open with the values of that moment, not yet
// taken: changed() compares the current values with what the file serves,
// or, before its first read, with the values at open. So a poller learns
// of a change made between its open() and its first read. A first read
// at an offset above 0 serves the values of that read, not those at open
// (one rule for every first read), and changed() then compares with those.
#pragma once

#include "atomic.h"
#include "sysctl.h"
#include "types.h"

namespace jsonsysctl {
using namespace kcxx;

template <const auto& fields> class Snapshot {
	static constexpr size_t count = array_size(fields);
	static_assert(count < 32, "one bit per field and a taken bit in a u32");
	static constexpr u32 taken = 1u << count;

public:
	// The values at open, not yet taken.
	Snapshot() : m_bits(load_fields() & ~taken) {}

	class Values {
	public:
		bool operator[](size_t i) const { return m_bits >> i & 1; }
		// Bit i is the value of fields[i].
		u32 bits() const { return m_bits & (taken - 1); }

	private:
		friend class Snapshot;
		explicit Values(u32 bits) : m_bits(bits) {}
		u32 m_bits;
	};

	// The values a read at pos serves.
	Values for_read(Offset pos)
	{
		u32 bits = m_bits.load(MemoryOrder::Relaxed);
		if (pos != 0 && (bits & taken))
			return Values(bits);
		const u32 now = load_fields();
		if (pos == 0) {
			// Unchanged values leave the word, and its cache line, alone.
			if (now != bits)
				m_bits.store(now, MemoryOrder::Relaxed);
		} else if (!m_bits.compare_exchange(bits, now, MemoryOrder::Relaxed))
			return Values(bits); // Another first read won: serve its snapshot.
		return Values(now);
	}

	// Whether the values now differ from those this file serves (or, before
	// its first read, from those at open). Never stores: polling a file
	// leaves its snapshot as it was.
	bool changed() const
	{
		return (load_fields() ^ m_bits.load(MemoryOrder::Relaxed)) & (taken - 1);
	}

private:
	static u32 load_fields()
	{
		u32 bits = taken;
		for (size_t i = 0; i < count; i++)
			bits |= u32{fields[i].storage.load(MemoryOrder::Relaxed)} << i;
		return bits;
	}

	Atomic<u32> m_bits;
};

} // namespace jsonsysctl
