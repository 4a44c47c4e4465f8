// SPDX-License-Identifier: GPL-2.0
// cxx_chrdev: a region, chrdev-tests, of three minors, each served by a
// File of its own: minor 0 reads the endless cycle 123456789, minor 1 seeks
// to 1234, minor 2 counts the bytes written to it. The C++ twin of the
// Rust framework's tests/chrdev.
#include "atomic.h"
#include "char_devices.h"
#include "module.h"

namespace {
using namespace kcxx;

// A page of the cycle, and 8 bytes more, so a read may start at any of its 9 places.
constexpr auto k_cycle = [] {
	struct {
		char text[KCXX_PAGE_SIZE + 8];
	} cycle{};
	for (size_t i = 0; i < sizeof(cycle.text); i++)
		cycle.text[i] = static_cast<char>('1' + i % 9);
	return cycle;
}();

// Minor 0: reads on from the position, up to a page a read. No llseek, no write.
struct CycleFile {
	Result<size_t> read(UserSlice buffer, Offset& pos)
	{
		if (pos < 0)
			return EINVAL();
		const size_t len = min(buffer.len(), size_t{KCXX_PAGE_SIZE});
		TRY(move(buffer).writer().write_raw(k_cycle.text + pos % 9, len));
		pos += len;
		return len;
	}
};

// Minor 1: every seek goes to 1234. No read, no write.
struct SeekFile {
	Result<Offset> llseek(SeekFrom, Offset) { return Offset{1234}; }
};

// Minor 2: counts the bytes written to this open file; a read gives the
// count's first digits, whatever the position.
class WriteFile {
public:
	Result<size_t> write(Span<const char> data, Offset& pos)
	{
		m_written.fetch_add(data.size());
		pos += data.size();
		return data.size();
	}

	Result<size_t> read(UserSlice buffer, Offset&)
	{
		char digits[20];
		size_t start = sizeof(digits);
		u64 n = m_written.load();
		do {
			digits[--start] = static_cast<char>('0' + n % 10);
			n /= 10;
		} while (n);
		const size_t len = min(buffer.len(), sizeof(digits) - start);
		TRY(move(buffer).writer().write_raw(digits + start, len));
		return len;
	}

private:
	Atomic<u64> m_written;
};

using Devices = CharDevices<CycleFile, SeekFile, WriteFile>; // minors 0, 1, 2

struct ChrdevTest {
	Devices devices;

	static Result<ChrdevTest> create()
	{
		auto devices = TRY(Devices::create("chrdev-tests"));
		return ChrdevTest{move(devices)};
	}
};

} // namespace

KERNEL_MODULE(ChrdevTest);
MODULE_INFO(license, "GPL");
MODULE_INFO(author, "jsonsysctl developers");
MODULE_INFO(description, "A module for testing character devices");
