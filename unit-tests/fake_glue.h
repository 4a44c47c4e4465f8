// SPDX-License-Identifier: GPL-2.0
// A fake of module/glue.c for the host unit tests: user memory is host
// memory up to a fault address, and each registration step is logged, so
// tests can check what was created and undone, and in which order.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "errnos.h"

// The negative errnos the layer returns, k_EINVAL and every other errnos.h
// lists: the values come from the layer's own list.
#define FAKE_ERRNO(name, value) inline constexpr int k_##name = -(value);
KCXX_ERRNOS(FAKE_ERRNO)
#undef FAKE_ERRNO

namespace fake {

// Steps glue performed, e.g. "+region", "-region"; cleared by reset().
extern std::vector<std::string> log;
// The N-th create step fails with fail_errno (0: none), like fail_step.
extern unsigned fail_step;
extern int fail_errno;
// User memory at or past this address faults (0: nothing faults).
extern unsigned long fault_at;
// How many times copy_from_user() was called.
extern unsigned copies_from_user;
// The sealed rooms glue filled, in order; a step given one of them again
// fails with EBUSY, as glue's do.
extern std::vector<const void*> rooms;
// The wait queue the log calls "queue"; any other is "other".
extern const void* queue_name_address;
// What kcxx_get_random_bytes_wait() returns (0, or -ERESTARTSYS, 512);
// it fills the buffer with 0x5a bytes either way, as the kernel fills it.
extern int random_errno;
// The list of processes, init_task first (kcxx_next_task() wraps around to
// it), and how deep in RCU read-side sections the caller is; a task
// function called outside one logs "outside rcu".
struct Task {
	int tgid;
	const char* comm;
};
extern std::vector<Task> tasks;
extern int rcu_depth;
// A super block: whether simple_fill_super() gave it a root, and its
// s_fs_info. kcxx_kill_anon_super() calls put_super if it has a root.
struct SuperBlock {
	bool root = false;
	void* info = nullptr;
};

void reset();

// The fixture of every host test: each starts from a fresh fake kernel.
class Test : public ::testing::Test {
protected:
	void SetUp() override { reset(); }
};

using Logs = std::vector<std::string>;

} // namespace fake
