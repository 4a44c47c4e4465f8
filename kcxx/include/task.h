// SPDX-License-Identifier: GPL-2.0
// DOC: task.h - the processes of the system, walked under RCU.
//
// C header: kcxx/glue.c (init_task, next_task(), task_tgid_nr(),
// get_task_comm()).
//
// Processes(rcu) is the range for_each_process() walks: every thread
// group leader, in the order they were forked, from init (pid 1) on; the
// idle task, init_task itself, is not one. It can only be made from an
// RcuReadLock (rcu.h) that outlives it, so a walk without the read-side
// section does not compile:
//
//	RcuReadLock rcu;
//	for (Task task : Processes(rcu))
//		pr_info("%d %s", task.tgid(), task.comm().text);
//
// Each step is one glue call (next_task()); nothing crosses from C++ into
// C as a function pointer. A Task is valid while the section lasts: keep
// it inside the loop, which C++ cannot check as Rust's lifetimes do.
// Neither the walk nor a Task allocates: comm() copies the name into a
// TaskComm the caller holds.
#pragma once

#include "glue.h"
#include "rcu.h"

namespace kcxx {

// A command name, NUL-terminated, TASK_COMM_LEN bytes.
using TaskComm = kcxx_task_comm;

class Task {
public:
	// The thread group id: what user space calls the process's pid.
	int tgid() const { return kcxx_task_tgid(m_task); }

	// The command name (comm), as get_task_comm() copies it: NUL-padded.
	TaskComm comm() const
	{
		TaskComm comm;
		kcxx_get_task_comm(&comm, m_task);
		return comm;
	}

private:
	friend class ProcessIterator;
	explicit Task(kcxx_task* task) : m_task(task) {}

	kcxx_task* m_task;
};

class ProcessIterator {
public:
	Task operator*() const { return Task(m_task); }
	ProcessIterator& operator++()
	{
		m_task = kcxx_next_task(m_task);
		return *this;
	}
	bool operator==(const ProcessIterator&) const = default;

private:
	friend class Processes;
	explicit ProcessIterator(kcxx_task* task) : m_task(task) {}

	kcxx_task* m_task;
};

class Processes {
public:
	explicit Processes(const RcuReadLock&) : m_init(kcxx_init_task()) {}
	// A temporary lock would unlock before the walk.
	explicit Processes(const RcuReadLock&&) = delete;
	Processes(const Processes&) = delete;
	Processes& operator=(const Processes&) = delete;

	// The list is circular through init_task: the walk ends back there.
	ProcessIterator begin() const { return ProcessIterator(kcxx_next_task(m_init)); }
	ProcessIterator end() const { return ProcessIterator(m_init); }

private:
	kcxx_task* m_init;
};

} // namespace kcxx
