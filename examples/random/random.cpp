// SPDX-License-Identifier: GPL-2.0
// cxx_random: /proc/sys/cxx/random-tests/entropy (0644). A read at position
// 0 gets as many fresh random bytes as it asks for, up to a page; a write
// stirs its bytes into the kernel's entropy pool. The C++ twin of the Rust
// framework's tests/random.
#include "module.h"
#include "random.h"
#include "sysctl.h"

namespace {
using namespace kcxx;

// A storage with no value of its own: the kernel's generator is its value.
struct EntropySource {};

// Each read from position 0 is new bytes, so there is nothing to continue
// past it: end of file.
Result<size_t> sysctl_read(const EntropySource&, Span<char> buffer, Offset pos)
{
	if (pos != 0)
		return size_t{0};
	TRY(get_random_bytes_wait(buffer));
	return buffer.size();
}

// Taken whole; it changes no value a poller could watch.
Result<bool> sysctl_write(EntropySource&, Span<const char> bytes)
{
	add_device_randomness(bytes);
	return false;
}

constinit EntropySource g_entropy;

constexpr Sysctl<EntropySource> k_sysctls[] = {{"entropy", g_entropy, Mode{0644}}};

struct RandomTest {
	SysctlTable<k_sysctls> sysctls; // /proc/sys/cxx/random-tests/entropy

	static Result<RandomTest> create()
	{
		auto sysctls = TRY(SysctlTable<k_sysctls>::create("cxx/random-tests"));
		return RandomTest{move(sysctls)};
	}
};

} // namespace

KERNEL_MODULE(RandomTest);
MODULE_INFO(license, "GPL");
MODULE_INFO(author, "jsonsysctl developers");
MODULE_INFO(description, "A module for testing the CSPRNG");
