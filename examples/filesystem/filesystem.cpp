// SPDX-License-Identifier: GPL-2.0
// cxx_filesystem: testfs, listed in /proc/filesystems while loaded, which
// `mount -t testfs none DIR` mounts without a device as an empty
// directory. Each super block owns a TestFs::Info, made when it is filled
// and destroyed when the kernel kills it, which checks the value filling
// set. The C++ twin of the Rust framework's tests/filesystem, with the
// fill_super and put_super of its unmerged commit aba6dd3.
#include "filesystem.h"
#include "module.h"
#include "printk.h"

namespace {
using namespace kcxx;

constexpr u32 k_filled = 0xbadf00d;

struct TestFs {
	static constexpr char name[] = "testfs";
	static constexpr u32 magic = 0x74657374; // "test"

	// A super block's private data: 42 when made, k_filled once filled.
	struct Info {
		u32 magic = 42;
		~Info()
		{
			if (magic == k_filled)
				pr_info("TestFS fs_info freed.");
			else
				pr_err("TestFS fs_info freed with magic %#x, not %#x.", magic,
				       k_filled);
		}
	};

	static Result<void> fill_super(Info& info)
	{
		info.magic = k_filled;
		pr_info("TestFS fill_super executed.");
		return {};
	}

	static void put_super(Info&) { pr_info("TestFS put_super executed."); }
};

struct FilesystemTest {
	FileSystem testfs;

	static Result<FilesystemTest> create()
	{
		auto testfs = TRY(FileSystem::create<TestFs>());
		return FilesystemTest{move(testfs)};
	}
};

} // namespace

KERNEL_MODULE(FilesystemTest);
MODULE_INFO(license, "GPL");
MODULE_INFO(author, "jsonsysctl developers");
MODULE_INFO(description, "A module for testing filesystem::register");
