// SPDX-License-Identifier: GPL-2.0
// cxx_sysctl_get: a boolean sysctl, /proc/sys/cxx/sysctl-get-tests/a
// (0644), whose value is logged at unload twice: read from its global, and
// read back through the registration. The C++ twin of the Rust framework's
// tests/sysctl-get.
#include "module.h"
#include "printk.h"
#include "sysctl.h"

namespace {
using namespace kcxx;

constinit Atomic<bool> g_a;

constexpr Sysctl<Atomic<bool>> k_sysctls[] = {{"a", g_a, Mode{0644}}};

const char* text(const Atomic<bool>& value)
{
	return value.load(MemoryOrder::Relaxed) ? "true" : "false";
}

struct SysctlGetTest {
	SysctlTable<k_sysctls> sysctls; // /proc/sys/cxx/sysctl-get-tests/a

	static Result<SysctlGetTest> create()
	{
		auto sysctls = TRY(SysctlTable<k_sysctls>::create("cxx/sysctl-get-tests"));
		return SysctlGetTest{move(sysctls)};
	}

	// Module exit calls it once, while the sysctl is still registered (module.h).
	void unload() const
	{
		pr_info("A_VAL: %s", text(g_a));
		pr_info("SYSCTL_A: %s", text(sysctls.get<0>()));
	}
};

} // namespace

KERNEL_MODULE(SysctlGetTest);
MODULE_INFO(license, "GPL");
MODULE_INFO(author, "jsonsysctl developers");
MODULE_INFO(description, "A module for testing sysctls");
