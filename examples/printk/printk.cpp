// SPDX-License-Identifier: GPL-2.0
// cxx_printk: logs three records when loaded, each format checked against
// its arguments at compile time (printk.h). The C++ twin of the Rust
// framework's tests/printk.
#include "module.h"
#include "printk.h"

namespace {
using namespace kcxx;

struct PrintkTest {
	static Result<PrintkTest> create()
	{
		pr_info("Single element printk");
		pr_info("");
		pr_info("printk with %d parameters%s", 2, "!");
		return PrintkTest{};
	}
};

} // namespace

KERNEL_MODULE(PrintkTest);
MODULE_INFO(license, "GPL");
MODULE_INFO(author, "jsonsysctl developers");
MODULE_INFO(description, "A module for testing printk");
