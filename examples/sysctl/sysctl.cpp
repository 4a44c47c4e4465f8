// SPDX-License-Identifier: GPL-2.0
// cxx_sysctl: a boolean sysctl, /proc/sys/cxx/sysctl-tests/a (0644), that
// reads 0 at load. The C++ twin of the Rust framework's tests/sysctl.
#include "module.h"
#include "sysctl.h"

namespace {
using namespace kcxx;

constinit Atomic<bool> g_a;

constexpr Sysctl<Atomic<bool>> k_sysctls[] = {{"a", g_a, Mode{0644}}};

struct SysctlTest {
	SysctlTable<k_sysctls> sysctls; // /proc/sys/cxx/sysctl-tests/a

	static Result<SysctlTest> create()
	{
		auto sysctls = TRY(SysctlTable<k_sysctls>::create("cxx/sysctl-tests"));
		return SysctlTest{move(sysctls)};
	}
};

} // namespace

KERNEL_MODULE(SysctlTest);
MODULE_INFO(license, "GPL");
MODULE_INFO(author, "jsonsysctl developers");
MODULE_INFO(description, "A module for testing sysctls");
