// SPDX-License-Identifier: GPL-2.0
// Host unit tests of who owns a super block's data (filesystem.h) against
// the fake glue: every path the kernel takes through kill_sb, failures
// included, and the one registration a module has.
//
// The layer's headers come first (see layer_test.cpp).
#include "filesystem.h"

#include <gtest/gtest.h>

#include <string>

#include "fake_glue.h"

namespace {
using namespace kcxx;

class Filesystem : public fake::Test {};
using fake::Logs;

// A filesystem whose Info counts what happens to it.
struct Counts {
	int made, filled, put, destroyed, put_while_alive;
};
Counts g_counts;

template <int fill_errno> struct CountingFs {
	static constexpr char name[] = "countfs";
	static constexpr u32 magic = 0x1234;
	struct Info {
		bool alive = true;
		Info() { g_counts.made++; }
		~Info()
		{
			alive = false;
			g_counts.destroyed++;
		}
	};
	static Result<void> fill_super(Info&)
	{
		g_counts.filled++;
		if (fill_errno)
			return Error(fill_errno);
		return {};
	}
	static void put_super(Info& info)
	{
		g_counts.put++;
		g_counts.put_while_alive += info.alive;
	}
};

using GoodFs = CountingFs<0>;

TEST_F(Filesystem, AFilesystemRegistersOnceAndUnregisters)
{
	{
		auto fs = FileSystem::create<GoodFs>();
		ASSERT_FALSE(fs.is_error());
		auto again = FileSystem::create<CountingFs<k_EIO>>();
		ASSERT_TRUE(again.is_error());
		EXPECT_EQ(again.error().to_errno(), k_EBUSY); // One per module.
		EXPECT_EQ(fake::log, (Logs{"+filesystem countfs"}));
	}
	EXPECT_EQ(fake::log, (Logs{"+filesystem countfs", "-filesystem"}));
}

TEST_F(Filesystem, AFailedRegistrationLeavesNothing)
{
	fake::fail_step = 1;
	fake::fail_errno = k_ENOMEM;
	auto fs = FileSystem::create<GoodFs>();
	ASSERT_TRUE(fs.is_error());
	EXPECT_EQ(fs.error().to_errno(), k_ENOMEM);
	EXPECT_EQ(fake::log, Logs{});
}

// A mount: fill_super as get_tree_nodev() calls it, then kill_sb, which
// the kernel calls for every super block, whether filling succeeded or not.
template <typename Fs> int mount_and_kill(fake::SuperBlock& sb)
{
	g_counts = {};
	const kcxx_fs_ops& ops = filesystem_operations<Fs>;
	auto* handle = reinterpret_cast<kcxx_super_block*>(&sb);
	int err = ops.fill_super(handle, &sb.info);
	EXPECT_NE(sb.info, nullptr); // Owned by the super block, filled or not.
	ops.kill_sb(handle, &sb.info);
	return err;
}

TEST_F(Filesystem, ASuperBlockOwnsItsInfoUntilKillSbAfterPutSuper)
{
	FileSystem fs = FileSystem::create<GoodFs>().release_value();
	fake::SuperBlock sb;
	EXPECT_EQ(mount_and_kill<GoodFs>(sb), 0);
	EXPECT_TRUE(sb.root);
	EXPECT_EQ(g_counts.made, 1);
	EXPECT_EQ(g_counts.filled, 1);
	EXPECT_EQ(g_counts.put, 1);
	EXPECT_EQ(g_counts.put_while_alive, 1); // put_super before the Info goes.
	EXPECT_EQ(g_counts.destroyed, 1);	// ASan: no leak, no double free.
	EXPECT_EQ(fake::log, (Logs{"+filesystem countfs", "+root 4660", "kill_anon_super"}));
}

TEST_F(Filesystem, KillSbDestroysTheInfoWhenMakingTheRootFailed)
{
	FileSystem fs = FileSystem::create<GoodFs>().release_value();
	fake::fail_step = 1;
	fake::fail_errno = k_ENOMEM;
	fake::SuperBlock sb;
	EXPECT_EQ(mount_and_kill<GoodFs>(sb), k_ENOMEM);
	EXPECT_FALSE(sb.root);
	EXPECT_EQ(g_counts.put, 0); // No root, no put_super.
	EXPECT_EQ(g_counts.made, 1);
	EXPECT_EQ(g_counts.destroyed, 1);
}

TEST_F(Filesystem, KillSbDestroysTheInfoWhenFillSuperFailed)
{
	using FailingFs = CountingFs<k_EIO>;
	FileSystem fs = FileSystem::create<FailingFs>().release_value();
	fake::SuperBlock sb;
	EXPECT_EQ(mount_and_kill<FailingFs>(sb), k_EIO);
	EXPECT_FALSE(sb.root); // Not made after a failed fill_super().
	EXPECT_EQ(g_counts.put, 0);
	EXPECT_EQ(g_counts.made, 1);
	EXPECT_EQ(g_counts.destroyed, 1);
}

TEST_F(Filesystem, KillSbOfASuperBlockWithoutInfoFreesNothing)
{
	FileSystem fs = FileSystem::create<GoodFs>().release_value();
	fake::SuperBlock sb; // As when `new (nothrow) Info()` failed.
	g_counts = {};
	filesystem_operations<GoodFs>.kill_sb(reinterpret_cast<kcxx_super_block*>(&sb), &sb.info);
	EXPECT_EQ(g_counts.destroyed, 0);
	EXPECT_EQ(fake::log, (Logs{"+filesystem countfs", "kill_anon_super"}));
}

} // namespace
