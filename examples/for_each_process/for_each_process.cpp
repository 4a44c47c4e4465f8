// SPDX-License-Identifier: GPL-2.0
// cxx_for_each_process: when loaded, logs one line per process, its pid
// (tgid) and its command name, walked inside an RCU read-side section.
// The C++ twin of the Rust framework's tests/for-each-process (its rcu
// branch).
#include "module.h"
#include "printk.h"
#include "rcu.h"
#include "task.h"

namespace {
using namespace kcxx;

struct ForEachProcessTest {
	static Result<ForEachProcessTest> create()
	{
		RcuReadLock rcu;
		for (Task task : Processes(rcu))
			pr_info("for-each-process: %8d %s", task.tgid(), task.comm().text);
		return ForEachProcessTest{};
	}
};

} // namespace

KERNEL_MODULE(ForEachProcessTest);
MODULE_INFO(license, "GPL");
MODULE_INFO(author, "jsonsysctl developers");
MODULE_INFO(description, "A module for testing EachProcess");
