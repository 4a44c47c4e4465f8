// SPDX-License-Identifier: GPL-2.0
// DOC: sysctl.h - a table of sysctls under /proc/sys/<dir>/.
//
// C header: kcxx/glue.c (register_sysctl(), unregister_sysctl_table()).
//
// Sysctl<Storage> names a value that lives in Storage; SysctlTable::create()
// registers a list of them and the destructor unregisters it. How a value
// is read and written is SysctlValue<Storage>'s business: Atomic<bool> is
// `0`/`1`, and a bounded atomic integer would be one more specialization.
//
// The ctl_table the kernel calls through lives in a room per list of
// sysctls, sealed when module init returns (glue.h): create() belongs in
// module init, takes the list as a template argument to find its room, and
// registers a list once: a second create() of it fails with EBUSY.
//
// Since Linux 5.8 the handler gets a kernel buffer: the kernel fetched the
// user's bytes once, and the handler parses that copy once.
//
// A write that changes a value can wake pollers (notify.h); /proc/sys files
// themselves offer no poll() (docs/dev-json.md, "The sysctl files offer no
// poll()").
#pragma once

#include "atomic.h"
#include "glue.h"
#include "notify.h"
#include "owned.h"
#include "result.h"
#include "sealed.h"
#include "types.h"

namespace kcxx {

template <typename Storage> struct Sysctl {
	const char* name;
	Storage& storage;
};

template <typename Storage> struct SysctlValue;

// Atomic<bool>: reads as "0\n" or "1\n". A write is exactly "0" or "1", with
// any space, tab or newline around it; anything else fails with EINVAL,
// including a write of no bytes. (The kernel's proc_dointvec() takes a
// zero-byte write as a successful no-op; here a write that sets nothing is
// an error its writer hears about.) write() returns whether the value
// changed: one atomic exchange stores it and tells.
template <> struct SysctlValue<Atomic<bool>> {
	static constexpr size_t max_text = 2;

	static size_t read(const Atomic<bool>& storage, char (&text)[max_text])
	{
		text[0] = storage.load(MemoryOrder::Relaxed) ? '1' : '0';
		text[1] = '\n';
		return 2;
	}

	static Result<bool> write(Atomic<bool>& storage, Span<const char> text)
	{
		auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\n'; };
		const char* first = text.begin();
		const char* last = text.end();
		while (first != last && is_space(*first))
			first++;
		while (last != first && is_space(last[-1]))
			last--;
		if (last - first != 1 || (*first != '0' && *first != '1'))
			return EINVAL();
		const bool value = *first == '1';
		return storage.exchange(value, MemoryOrder::Relaxed) != value;
	}
};

/**
 * sysctl_handler() - the proc_handler of every sysctl of one Storage type.
 * Reads serve the formatted value from *pos, any length. A write at *pos 0
 * is parsed whole; a write past 0 is ignored and reported as consumed, as
 * the kernel's handlers do under sysctl_writes_strict, so "1\n" written in
 * two pieces sets 1. A write that changes the value calls
 * Notify::changed() after storing it (notify.h).
 *
 * Return: 0 with *len and *pos updated. Fails with EINVAL for a write of a
 * page or more, or one SysctlValue rejects; the value is then unchanged.
 */
template <typename Storage, typename Notify = NoNotify>
int sysctl_handler(void* data, int write, void* buffer, unsigned long* len, long long* pos)
{
	using Value = SysctlValue<Storage>;
	auto& storage = *static_cast<Storage*>(data);
	char* buf = static_cast<char*>(buffer);

	if (write) {
		if (*pos == 0) {
			if (*len >= KCXX_PAGE_SIZE)
				return EINVAL().to_errno();
			auto written = Value::write(storage, Span<const char>(buf, *len));
			if (written.is_error())
				return written.error().to_errno();
			if (written.release_value())
				Notify::changed();
		}
	} else {
		char text[Value::max_text];
		const size_t size = Value::read(storage, text);
		const size_t start = min(static_cast<size_t>(*pos), size);
		*len = min(static_cast<size_t>(*len), size - start);
		__builtin_memcpy(buf, text + start, *len);
	}
	*pos += *len;
	return 0;
}

// Names the sealed room of one list of sysctls.
template <const auto& sysctls> struct SysctlKey;

class SysctlTable {
public:
	/**
	 * create() - register sysctls as /proc/sys/<dir>/<name>, all with mode.
	 * Names must be string literals: the kernel keeps pointing at them.
	 * With on_change<queue> as notify, a write that changes a value wakes
	 * queue's pollers (notify.h).
	 *
	 * Return: the registration; unregistered when destroyed. Fails with
	 * EBUSY if sysctls are registered already, else with the kernel's
	 * errno, or ENOMEM where the kernel reports none.
	 */
	template <const auto& sysctls, typename Notify = NoNotify>
	static Result<SysctlTable> create(const char* dir, Mode mode, Notify = {})
	{
		using Storage = typename RemoveReference<decltype(sysctls[0].storage)>::Type;
		constexpr size_t count = array_size(sysctls);
		kcxx_sysctl_entry entries[count];
		for (size_t i = 0; i < count; i++)
			entries[i] = {sysctls[i].name, &sysctls[i].storage, mode.bits};
		// The ctl_table's room: an entry each and a sentinel.
		using Room = kcxx_sysctl_room[count + 1];
		kcxx_sysctl_room* room = *sealed_room<Room, SysctlKey<sysctls>>();
		auto table = TRY(acquire<Table>(kcxx_register_sysctl, room, dir, entries,
						u32{count}, sysctl_handler<Storage, Notify>));
		return SysctlTable(move(table));
	}

private:
	using Table = Owned<kcxx_sysctl*, kcxx_unregister_sysctl>;
	explicit SysctlTable(Table table) : m_table(move(table)) {}

	Table m_table;
};

} // namespace kcxx
