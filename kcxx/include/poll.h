// SPDX-License-Identifier: GPL-2.0
// DOC: poll.h - poll(), select() and epoll on an open file.
//
// C header: kcxx/glue.c (file_operations.poll, poll_wait()).
//
// A File that provides
//
//	PollEvents poll(PollTable table);
//
// gets .poll in its file_operations (file_operations.h); one that does not
// keeps the table without it. poll() calls table.wait() for every
// WaitQueue whose wake-up can change its answer, then returns the events
// ready now (wait_queue.h). In that order: a change that comes after the
// look at the state wakes the poller, one that came before is in the
// answer, so no change is lost. The kernel calls poll() again after each
// wake-up and for every epoll_wait() on a level-triggered descriptor; it
// must not block, and should be cheap.
#pragma once

#include "glue.h"
#include "wait_queue.h"

namespace kcxx {

class PollTable {
public:
	PollTable(kcxx_file* file, kcxx_poll_table* table) : m_file(file), m_table(table) {}

	// poll_wait(): the poller is woken by queue's wake-ups. Does nothing
	// when the kernel only asks for the events (epoll's re-checks).
	void wait(WaitQueue& queue) { kcxx_poll_wait(m_file, queue.get(), m_table); }

private:
	kcxx_file* m_file;
	kcxx_poll_table* m_table;
};

// Whether File has poll() (decided at compile time, file_operations.h).
// (clang-format 14 cannot lay out a requires-expression.)
// clang-format off
template <typename File>
concept Pollable = requires(File& file, PollTable table) {
	{ file.poll(table) } -> SameAs<PollEvents>;
};
// clang-format on

} // namespace kcxx
