// SPDX-License-Identifier: GPL-2.0
// Host unit tests of the RCU read-side guard and the walk over processes
// (rcu.h, task.h) against the fake glue, which logs each section and any
// task function called outside one.
//
// The layer's headers come first (see layer_test.cpp).
#include "rcu.h"
#include "task.h"

#include <gtest/gtest.h>

#include <string>

#include "fake_glue.h"

namespace {
using namespace kcxx;

class RcuAndProcesses : public fake::Test {};
using fake::Logs;

TEST_F(RcuAndProcesses, TheLockIsItsScopeAndSectionsNest)
{
	{
		RcuReadLock outer;
		EXPECT_EQ(fake::rcu_depth, 1);
		{
			RcuReadLock inner;
			EXPECT_EQ(fake::rcu_depth, 2);
		}
		EXPECT_EQ(fake::rcu_depth, 1);
	}
	EXPECT_EQ(fake::log, (Logs{"+rcu", "+rcu", "-rcu", "-rcu"}));
}

TEST_F(RcuAndProcesses, ProcessesWalksEveryProcessButInitTaskInsideTheLock)
{
	fake::tasks.push_back({4242, "areyouthere"});
	fake::tasks.push_back({7, "a-name-of-15-ch"});
	using Seen = std::vector<std::pair<int, std::string>>;
	Seen seen;
	{
		RcuReadLock rcu;
		for (Task task : Processes(rcu))
			seen.push_back({task.tgid(), task.comm().text});
	}
	EXPECT_EQ(
		seen,
		(Seen{{1, "init"}, {2, "kthreadd"}, {4242, "areyouthere"}, {7, "a-name-of-15-ch"}}));
	EXPECT_EQ(fake::log, (Logs{"+rcu", "-rcu"})); // Nothing outside the section.
}

TEST_F(RcuAndProcesses, ProcessesWithOnlyInitTaskIsEmpty)
{
	fake::tasks.resize(1);
	RcuReadLock rcu;
	Processes processes(rcu);
	EXPECT_TRUE(processes.begin() == processes.end());
}

} // namespace
