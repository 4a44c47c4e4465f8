// SPDX-License-Identifier: GPL-2.0
// sysctl.h registers only storages that say how they read and write, and
// only sysctls that say their mode. As it is, this file compiles; each case
// below, defined, must fail with the error its `expect:` line names
// (unit-tests/compile_fail.py).
#include "sysctl.h"

using namespace kcxx;

namespace {

struct Counter {};
Result<size_t> sysctl_read(const Counter&, Span<char>, Offset) { return size_t{0}; }
Result<bool> sysctl_write(Counter&, Span<const char>) { return false; }

Counter g_counter;
constexpr Sysctl<Counter> k_counter[] = {{"counter", g_counter, Mode{0644}}};

// A storage whose write says nothing about a change.
struct NoChange {};
Result<size_t> sysctl_read(const NoChange&, Span<char>, Offset) { return size_t{0}; }
Result<void> sysctl_write(NoChange&, Span<const char>) { return {}; }

NoChange g_no_change;
constexpr Sysctl<NoChange> k_no_change[] = {{"no-change", g_no_change, Mode{0644}}};

// A storage that cannot be written.
struct ReadOnly {};
Result<size_t> sysctl_read(const ReadOnly&, Span<char>, Offset) { return size_t{0}; }

ReadOnly g_read_only;
constexpr Sysctl<ReadOnly> k_read_only[] = {{"read-only", g_read_only, Mode{0444}}};

Atomic<int> g_int;
constexpr Sysctl<Atomic<int>> k_int[] = {{"int", g_int, Mode{0644}}};

Atomic<bool> g_flag;

} // namespace

Result<SysctlTable<k_counter>> a_storage_of_ones_own()
{
	return SysctlTable<k_counter>::create("dir");
}

#if defined(NO_SYSCTL_WRITE)
// expect: no sysctl_read() and sysctl_write() of Storage
Result<SysctlTable<k_read_only>> wrong() { return SysctlTable<k_read_only>::create("dir"); }
#elif defined(WRITE_RETURNS_NO_CHANGE)
// expect: no sysctl_read() and sysctl_write() of Storage
Result<SysctlTable<k_no_change>> wrong() { return SysctlTable<k_no_change>::create("dir"); }
#elif defined(NOT_A_STORAGE)
// expect: no sysctl_read() and sysctl_write() of Storage
Result<SysctlTable<k_int>> wrong() { return SysctlTable<k_int>::create("dir"); }
#elif defined(NO_MODE)
// expect: could not convert
constexpr Sysctl<Atomic<bool>> k_no_mode[] = {{"flag", g_flag}};
#endif
