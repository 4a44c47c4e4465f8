// SPDX-License-Identifier: GPL-2.0
// cxx_chrdev_region_allocation: a character device region of one minor,
// listed in /proc/devices as chrdev-region-allocation-tests while loaded.
// The C++ twin of the Rust framework's tests/chrdev-region-allocation.
#include "chrdev_region.h"
#include "module.h"

namespace {
using namespace kcxx;

struct ChrdevRegionAllocationTest {
	ChrdevRegion region;

	static Result<ChrdevRegionAllocationTest> create()
	{
		auto region = TRY(ChrdevRegion::create("chrdev-region-allocation-tests", 1));
		return ChrdevRegionAllocationTest{move(region)};
	}
};

} // namespace

KERNEL_MODULE(ChrdevRegionAllocationTest);
MODULE_INFO(license, "GPL");
MODULE_INFO(author, "jsonsysctl developers");
MODULE_INFO(description, "A module for testing character device region allocation");
