// SPDX-License-Identifier: GPL-2.0
// DOC: rcu.h - an RCU read-side critical section as a scope.
//
// C header: kcxx/glue.c (rcu_read_lock(), rcu_read_unlock()).
//
// An RcuReadLock calls rcu_read_lock() when it is made and
// rcu_read_unlock() when it goes out of scope, as cleanup.h's guard(rcu)()
// does in C. While one exists, what the kernel publishes under RCU (the
// list of processes, task.h) stays in memory, so it can be read. It is
// neither copyable nor movable: the section is exactly its scope. Sections
// nest. Inside one, nothing may sleep: no allocation that may sleep, no
// mutex, no copy to or from user memory.
//
// A function that needs the section takes `const RcuReadLock&` (Processes,
// task.h), so calling it without one does not compile; it also refuses a
// temporary, which would unlock before its result is used.
#pragma once

#include "glue.h"

namespace kcxx {

class RcuReadLock {
public:
	// [[nodiscard]]: `RcuReadLock();` alone would unlock at once.
	[[nodiscard]] RcuReadLock() { kcxx_rcu_read_lock(); }
	~RcuReadLock() { kcxx_rcu_read_unlock(); }
	RcuReadLock(const RcuReadLock&) = delete;
	RcuReadLock& operator=(const RcuReadLock&) = delete;
};

} // namespace kcxx
