// SPDX-License-Identifier: GPL-2.0
// DOC: wait_queue.h - a kernel wait queue that lives as long as the module.
//
// C header: kcxx/glue.c (wait_queue_head_t, init_waitqueue_head(),
// wake_up_interruptible_poll()).
//
// The kernel points into a wait queue for as long as anyone sleeps on it,
// so the queue must outlive every sleeper. A WaitQueue is made for static
// storage: a `constinit` global holds the kernel's wait_queue_head_t as
// opaque bytes (glue.c checks at compile time that it fits), init() makes
// it a queue at module init, before anything can sleep on it or wake it,
// and its memory goes only with the module's. So whoever sleeps on it must
// pin the module. A poller of a file does: it holds the file open, and an
// open file pins its module (chrdev.h). A poller of a /proc/sys file does
// not, which is why no sysctl offers poll() (docs/dev-json.md, "The sysctl
// files offer no poll()").
//
// PollEvents are poll()'s event bits, EPOLLIN and friends: what a File's
// poll() reports, and what a wake-up is about.
#pragma once

#include "glue.h"
#include "types.h"

namespace kcxx {

struct PollEvents {
	u32 bits;

	// EPOLLIN | EPOLLRDNORM: a read will not block.
	static constexpr PollEvents readable() { return {KCXX_POLLIN | KCXX_POLLRDNORM}; }
	// EPOLLPRI: what sysfs and /proc/sys/kernel/hostname report on a change.
	static constexpr PollEvents priority() { return {KCXX_POLLPRI}; }

	constexpr PollEvents operator|(PollEvents other) const { return {bits | other.bits}; }
	constexpr bool operator==(const PollEvents&) const = default;
};

class WaitQueue {
public:
	constexpr WaitQueue() = default;
	WaitQueue(const WaitQueue&) = delete;
	WaitQueue& operator=(const WaitQueue&) = delete;

	// Makes the bytes an empty queue; once, at module init, before the
	// first sleeper or waker can reach it.
	void init() { kcxx_init_waitqueue_head(get()); }

	// Wakes every poller sleeping on the queue that waits for any of
	// events. Costs a lock and a look at an empty list when nobody sleeps.
	void wake_up_poll(PollEvents events) { kcxx_wake_up_poll(get(), events.bits); }

	kcxx_wait_queue* get() { return reinterpret_cast<kcxx_wait_queue*>(m_head); }

private:
	alignas(KCXX_WAIT_QUEUE_ALIGN) unsigned char m_head[KCXX_WAIT_QUEUE_SIZE] = {};
};

} // namespace kcxx
