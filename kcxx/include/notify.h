// SPDX-License-Identifier: GPL-2.0
// DOC: notify.h - what a sysctl write that changes a value wakes.
//
// C header: kcxx/glue.c (wake_up_interruptible_poll()).
//
// SysctlTable::create(dir, sysctls, mode, on_change<queue>) makes every
// write that changes a value wake queue's pollers with EPOLLPRI, the way
// sysfs_notify() wakes a sysfs attribute's. A write that stores the value
// the sysctl already had, or fails, wakes nobody. The write path stores
// (an atomic exchange, which also tells whether the value changed) and
// wakes, nothing else: it takes no lock of its own and touches no open
// file; each File compares what it serves with the values when polled.
//
// Ordering: the store comes before the wake-up's lock of the queue, and a
// poller's poll_wait() takes that lock before it looks at the values. So
// either the poller is on the queue when the waker looks (and is woken),
// or the waker's unlock came first and the poller sees the new value.
//
// A table created without on_change gets NoNotify: the wake-up is compiled
// out, and no queue exists.
#pragma once

#include "wait_queue.h"

namespace kcxx {

struct NoNotify {
	static void changed() {}
};

template <WaitQueue& queue> struct WakeOnChange {
	static void changed() { queue.wake_up_poll(PollEvents::priority()); }
};

// A write that changes a value wakes queue's pollers.
template <WaitQueue& queue> inline constexpr WakeOnChange<queue> on_change{};

} // namespace kcxx
