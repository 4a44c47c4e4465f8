// SPDX-License-Identifier: GPL-2.0
// cxx_modinfo: does nothing; what modinfo shows of it is the test. The C++
// twin of the Rust framework's tests/modinfo.
#include "module.h"

namespace {
using namespace kcxx;

struct ModinfoTest {
	static Result<ModinfoTest> create() { return ModinfoTest{}; }
};

} // namespace

KERNEL_MODULE(ModinfoTest);
MODULE_INFO(license, "GPL");
MODULE_INFO(author, "jsonsysctl developers");
MODULE_INFO(description, "Empty module for testing modinfo");
