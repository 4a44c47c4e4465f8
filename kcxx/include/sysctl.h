// SPDX-License-Identifier: GPL-2.0
// DOC: sysctl.h - sysctls under /proc/sys/<dir>/, over any storage.
//
// C header: kcxx/glue.c (register_sysctl(), unregister_sysctl_table()).
//
// Sysctl<Storage>{name, storage, mode} names a value that lives in Storage
// and the mode of its file; SysctlTable<list>::create(dir) registers a list
// of them as /proc/sys/<dir>/<name> and the destructor unregisters it. dir
// may be nested ("cxx/sysctl-tests"): the kernel makes the directories it
// lacks and removes each one when its last table goes, so modules can share
// a parent. get<i>() reads the i-th storage back through the registration.
//
// A storage says how it reads and writes itself (SysctlStorage) with two
// functions next to it, found by the type (argument-dependent lookup):
//
//	Result<size_t> sysctl_read(const Storage&, Span<char> buffer, Offset pos);
//	Result<bool> sysctl_write(Storage&, Span<const char> text);
//
// sysctl_read() fills buffer, as long as the reader asked but at most a
// page, with the value's bytes from pos on, and returns how many it wrote
// (0: end of file). sysctl_write() takes a write of less than a page at
// position 0, all of it, and returns whether the value changed. Atomic<bool>
// is one, below; a module's own type is another (examples/random/random.cpp),
// its functions declared beside it. The rules of length and position are the
// handler's, the same for every storage (sysctl_handler()). A list has one
// Storage type; a directory of several kinds is one table per kind, all
// under the same dir.
//
// The ctl_table the kernel calls through lives in a room per list of
// sysctls, sealed when module init returns (glue.h): create() belongs in
// module init, and registers a list once: a second create() of it fails
// with EBUSY.
//
// Since Linux 5.8 the handler gets a kernel buffer: the kernel fetched the
// user's bytes once (a write), or allocated what the reader asked for (a
// read), and the handler works in that buffer, allocating nothing.
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

// The mode has no default: a sysctl left at mode 0 is a file nobody reads.
template <typename Storage> struct Sysctl {
	constexpr Sysctl(const char* name, Storage& storage, Mode mode)
		: name(name), storage(storage), mode(mode)
	{
	}

	const char* name;
	Storage& storage;
	Mode mode;
};

// A sysctl's storage: sysctl_read() and sysctl_write() say how it reads
// and writes (above). (clang-format 14 cannot lay out a requires-expression.)
// clang-format off
template <typename Storage>
concept SysctlStorage = requires(const Storage& value, Storage& target, Span<char> buffer,
				 Offset pos, Span<const char> text) {
	{ sysctl_read(value, buffer, pos) } -> SameAs<Result<size_t>>;
	{ sysctl_write(target, text) } -> SameAs<Result<bool>>;
};
// clang-format on

// Serves text from pos on into buffer, as much as fits; past its end,
// nothing. Returns the count served: a read() of a value with a text.
inline size_t read_text_at(Span<const char> text, Span<char> buffer, Offset pos)
{
	if (pos < 0 || static_cast<u64>(pos) >= text.size())
		return 0;
	const size_t start = static_cast<size_t>(pos);
	const size_t count = min(buffer.size(), text.size() - start);
	__builtin_memcpy(buffer.data(), text.data() + start, count);
	return count;
}

// Atomic<bool>: reads as "0\n" or "1\n", from any position. A write is
// exactly "0" or "1", with any space, tab or newline around it; anything
// else fails with EINVAL, including a write of no bytes. (The kernel's
// proc_dointvec() takes a zero-byte write as a successful no-op; here a
// write that sets nothing is an error its writer hears about.)
// sysctl_write() returns whether the value changed: one atomic exchange
// stores it and tells.
inline Result<size_t> sysctl_read(const Atomic<bool>& storage, Span<char> buffer, Offset pos)
{
	const char text[] = {storage.load(MemoryOrder::Relaxed) ? '1' : '0', '\n'};
	return read_text_at({text, sizeof(text)}, buffer, pos);
}

inline Result<bool> sysctl_write(Atomic<bool>& storage, Span<const char> text)
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

/**
 * sysctl_handler() - the proc_handler of every sysctl of one Storage type.
 * A read hands the storage the kernel's buffer, capped at a page, and the
 * position; it advances by what the storage served. A write at *pos 0 is
 * the storage's, whole, if it is shorter than a page; a write past 0 is
 * ignored and reported as consumed, as the kernel's handlers do under
 * sysctl_writes_strict, so "1\n" written in two pieces sets 1. A write that
 * changes the value calls Notify::changed() after storing it (notify.h).
 *
 * Return: 0 with *len and *pos updated. Fails with EINVAL for a write at 0
 * of a page or more, else with the storage's errno; *len, *pos and the
 * value are then unchanged (a storage that fails changes nothing).
 */
template <SysctlStorage Storage, typename Notify = NoNotify>
int sysctl_handler(void* data, int write, void* buffer, unsigned long* len, long long* pos)
{
	auto& storage = *static_cast<Storage*>(data);
	char* bytes = static_cast<char*>(buffer);

	if (!write) {
		const size_t asked = min(size_t{*len}, size_t{KCXX_PAGE_SIZE});
		auto served = sysctl_read(storage, Span<char>(bytes, asked), *pos);
		if (served.is_error())
			return served.error().to_errno();
		*len = served.release_value();
	} else if (*pos == 0) {
		if (*len >= KCXX_PAGE_SIZE)
			return EINVAL().to_errno();
		auto written = sysctl_write(storage, Span<const char>(bytes, *len));
		if (written.is_error())
			return written.error().to_errno();
		if (written.release_value())
			Notify::changed();
	}
	*pos += *len;
	return 0;
}

// Names the sealed room of one list of sysctls.
template <const auto& sysctls> struct SysctlKey;

template <const auto& sysctls> class SysctlTable {
	using Storage = typename RemoveReference<decltype(sysctls[0].storage)>::Type;
	static_assert(SysctlStorage<Storage>, "no sysctl_read() and sysctl_write() of Storage");
	static constexpr size_t count = array_size(sysctls);

public:
	/**
	 * create() - register sysctls as /proc/sys/<dir>/<name>, each with its mode.
	 * Names must be string literals: the kernel keeps pointing at them
	 * (it copies dir). With on_change<queue> as notify, a write that
	 * changes a value wakes queue's pollers (notify.h).
	 *
	 * Return: the registration; unregistered when destroyed. Fails with
	 * EBUSY if sysctls are registered already, else with the kernel's
	 * errno, or ENOMEM where the kernel reports none.
	 */
	template <typename Notify = NoNotify>
	static Result<SysctlTable> create(const char* dir, Notify = {})
	{
		kcxx_sysctl_entry entries[count];
		for (size_t i = 0; i < count; i++)
			entries[i] = {sysctls[i].name, &sysctls[i].storage, sysctls[i].mode.bits};
		// The ctl_table's room: an entry each and a sentinel.
		using Room = kcxx_sysctl_room[count + 1];
		kcxx_sysctl_room* room = *sealed_room<Room, SysctlKey<sysctls>>();
		auto table = TRY(acquire<Table>(kcxx_register_sysctl, room, dir, entries,
						u32{count}, sysctl_handler<Storage, Notify>));
		return SysctlTable(move(table));
	}

	/**
	 * get() - the storage of sysctls[i], as the registered table points at it.
	 * What the kernel hands the handler for /proc/sys/<dir>/<name>: reading
	 * it reads the value a user reads and writes. Only while registered
	 * (not on a moved-from table).
	 */
	template <size_t i> Storage& get() const
	{
		static_assert(i < count, "get<i>(): the list has no entry i");
		return *static_cast<Storage*>(kcxx_sysctl_data(m_table.get(), u32{i}));
	}

private:
	using Table = Owned<kcxx_sysctl*, kcxx_unregister_sysctl>;
	explicit SysctlTable(Table table) : m_table(move(table)) {}

	Table m_table;
};

} // namespace kcxx
