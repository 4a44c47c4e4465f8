// SPDX-License-Identifier: GPL-2.0
// task.h walks the processes only inside an RCU read-side section (rcu.h):
// Processes is made from a live RcuReadLock and nothing else, and the lock
// is exactly its scope. As it is, this file compiles; each case below,
// defined, must fail with the error its `expect:` line names
// (unit-tests/compile_fail.py).
#include "printk.h"
#include "rcu.h"
#include "task.h"

using namespace kcxx;

void walk_inside_the_section()
{
	RcuReadLock rcu;
	for (Task task : Processes(rcu))
		pr_info("for-each-process: %8d %s", task.tgid(), task.comm().text);
	for (const Task& task : Processes(rcu))
		pr_info("%d", task.tgid());
	{
		RcuReadLock nested; // Sections nest.
		for (Task task : Processes(nested))
			pr_info("%d", task.tgid());
	}
}

#if defined(NO_LOCK)
// expect: kcxx::Processes::Processes()
void wrong()
{
	for (Task task : Processes())
		pr_info("%d", task.tgid());
}
#elif defined(TEMPORARY_LOCK)
// expect: kcxx::Processes::Processes(const kcxx::RcuReadLock&&)
void wrong()
{
	for (Task task : Processes(RcuReadLock()))
		pr_info("%d", task.tgid());
}
#elif defined(NOT_A_LOCK)
// expect: kcxx::Processes::Processes(int)
void wrong()
{
	for (Task task : Processes(0))
		pr_info("%d", task.tgid());
}
#elif defined(TASK_MADE_BY_HAND)
// expect: is private within this context
void wrong(kcxx_task* t) { pr_info("%d", Task(t).tgid()); }
#elif defined(COPIED_LOCK)
// expect: kcxx::RcuReadLock::RcuReadLock(const kcxx::RcuReadLock&)
void wrong()
{
	RcuReadLock rcu;
	RcuReadLock copy = rcu;
}
#elif defined(MOVED_LOCK)
// expect: kcxx::RcuReadLock::RcuReadLock(const kcxx::RcuReadLock&)
void wrong()
{
	RcuReadLock rcu;
	RcuReadLock moved = static_cast<RcuReadLock&&>(rcu);
}
#elif defined(DISCARDED_LOCK)
// expect: ignoring return value
void wrong() { RcuReadLock(); }
#endif
