// SPDX-License-Identifier: GPL-2.0
// Host unit tests of the C++ kernel layer's pure parts, against a fake glue:
// the branches a guest cannot reach (overflow, copies that fault midway,
// each create step failing) and exhaustive inputs the VM suite samples.
//
// The layer's headers come first: <cerrno>, pulled in by gtest, defines
// EFAULT and friends as macros, which would clash with the layer's names.
#include "chrdev.h"
#include "json_writer.h"
#include "module.h"
#include "notify.h"
#include "owned.h"
#include "poll.h"
#include "random.h"
#include "result.h"
#include "snapshot.h"
#include "sysctl.h"
#include "user_slice.h"
#include "wait_queue.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "fake_glue.h"

namespace {
using namespace kcxx;
using namespace jsonsysctl;

class Layer : public fake::Test {};
using fake::Logs;

// Result and TRY.

Result<int> half(int n)
{
	if (n % 2)
		return Error(k_EINVAL);
	return n / 2;
}

Result<int> quarter(int n)
{
	auto h = TRY(half(n));
	auto q = TRY(half(h));
	return q;
}

TEST_F(Layer, TryPropagatesTheFirstError)
{
	auto ok = quarter(8);
	ASSERT_FALSE(ok.is_error());
	EXPECT_EQ(ok.release_value(), 2);
	auto bad = quarter(6);
	ASSERT_TRUE(bad.is_error());
	EXPECT_EQ(bad.error().to_errno(), k_EINVAL);
}

TEST_F(Layer, ToResultKeepsTheKernelErrno)
{
	EXPECT_FALSE(to_result(0).is_error());
	EXPECT_EQ(to_result(-4095).error().to_errno(), -4095);
}

TEST_F(Layer, AnErrorOutsideTheErrnoRangeIsABug)
{
	static_assert(Error(-1).to_errno() == -1);
	EXPECT_DEATH(Error{0}, "");
	EXPECT_DEATH(Error{-4096}, "");
}

// Owned and acquire().

void release_counted(int* p) { ++*p; }

TEST_F(Layer, OwnedReleasesOnceAndMovedFromReleasesNothing)
{
	int a = 0, b = 0;
	{
		Owned<int*, release_counted> first(&a);
		Owned<int*, release_counted> second(move(first));
		EXPECT_EQ(first.get(), nullptr);
		Owned<int*, release_counted> third(&b);
		third = move(second); // releases b, takes a
		EXPECT_EQ(b, 1);
		EXPECT_EQ(a, 0);
	}
	EXPECT_EQ(a, 1);
	EXPECT_EQ(b, 1);
}

// Chrdev: four steps, undone in reverse, whichever fails.

struct NullFile {
	Result<size_t> read(UserSlice, Offset&) { return size_t{0}; }
};

TEST_F(Layer, ChrdevUndoesItsStepsInReverse)
{
	{
		auto chrdev = Chrdev::create<NullFile>("json", Mode{0444});
		ASSERT_FALSE(chrdev.is_error());
		EXPECT_EQ(fake::log, (Logs{"+region", "+cdev", "+class", "+device 292"}));
		fake::log.clear();
	}
	EXPECT_EQ(fake::log, (Logs{"-device", "-class", "-cdev", "-region"}));
}

TEST_F(Layer, AFailedChrdevStepUnwindsTheOnesBeforeIt)
{
	const Logs undo[] = {{},
			     {"+region", "-region"},
			     {"+region", "+cdev", "-cdev", "-region"},
			     {"+region", "+cdev", "+class", "-class", "-cdev", "-region"}};
	for (unsigned step = 1; step <= 4; step++) {
		fake::reset();
		fake::fail_step = step;
		fake::fail_errno = -100 - int(step);
		{
			auto chrdev = Chrdev::create<NullFile>("json", Mode{0444});
			ASSERT_TRUE(chrdev.is_error());
			EXPECT_EQ(chrdev.error().to_errno(), -100 - int(step));
		}
		EXPECT_EQ(fake::log, undo[step - 1]) << "step " << step;
	}
}

// A device's tables are laid out in its File type's own sealed room, which
// its cdev and its class share (the fake refuses another room) and which
// serves one device: a second one fails and unwinds.
TEST_F(Layer, EachFileTypeHasItsOwnSealedRoomForOneDevice)
{
	struct OtherFile : NullFile {};
	auto json = Chrdev::create<NullFile>("json", Mode{0444});
	auto other = Chrdev::create<OtherFile>("other", Mode{0444});
	ASSERT_FALSE(json.is_error() || other.is_error());
	ASSERT_EQ(fake::rooms.size(), 2u);
	EXPECT_EQ(fake::rooms[0], (sealed_room<kcxx_chrdev_room, NullFile>()));
	EXPECT_EQ(fake::rooms[1], (sealed_room<kcxx_chrdev_room, OtherFile>()));
	EXPECT_NE(fake::rooms[0], fake::rooms[1]);

	fake::log.clear();
	auto again = Chrdev::create<NullFile>("json2", Mode{0444});
	ASSERT_TRUE(again.is_error());
	EXPECT_EQ(again.error().to_errno(), -16); // EBUSY
	EXPECT_EQ(fake::log, (Logs{"+region", "-region"}));
}

template <size_t padding> struct CountingFile {
	int reads = 0;
	char pad[padding] = {};
	Result<size_t> read(UserSlice buffer, Offset& pos)
	{
		reads++;
		pos += buffer.len();
		return buffer.len();
	}
};

TEST_F(Layer, AFileThatFitsLivesInThePrivateSlotWithoutRelease)
{
	using Small = CountingFile<1>;
	static_assert(file_in_slot<Small>);
	const kcxx_file_ops& ops = file_operations<Small>;
	EXPECT_EQ(ops.release, nullptr);
	void* slot = reinterpret_cast<void*>(~0ul);
	ASSERT_EQ(ops.open(&slot, 0), 0);
	EXPECT_EQ(FileAdapter<Small>::get(&slot).reads, 0); // built in place, over the ~0
	long long pos = 0;
	EXPECT_EQ(ops.read(&slot, 0x1000, 7, &pos), 7);
	EXPECT_EQ(ops.read(&slot, 0x1000, 3, &pos), 3);
	EXPECT_EQ(pos, 10);
	EXPECT_EQ(FileAdapter<Small>::get(&slot).reads, 2);
}

TEST_F(Layer, ALargerFileIsAllocatedAndReleased)
{
	using Large = CountingFile<64>;
	static_assert(!file_in_slot<Large>);
	const kcxx_file_ops& ops = file_operations<Large>;
	void* slot = nullptr;
	ASSERT_EQ(ops.open(&slot, 0), 0);
	ASSERT_NE(slot, nullptr);
	long long pos = 0;
	EXPECT_EQ(ops.read(&slot, 0x1000, 7, &pos), 7);
	EXPECT_EQ(pos, 7);
	EXPECT_EQ(FileAdapter<Large>::get(&slot).reads, 1);
	ASSERT_NE(ops.release, nullptr);
	ops.release(&slot); // ASan reports a leak or a mismatched delete
}

// File operations: a member for each operation a File declares.

struct SeekFile {
	static inline SeekFrom last{};
	static inline Offset last_pos = -1;
	Result<Offset> llseek(SeekFrom from, Offset pos)
	{
		last = from;
		last_pos = pos;
		return Offset{1234};
	}
};

struct NegativeSeekFile {
	static inline Offset result = 0;
	Result<Offset> llseek(SeekFrom, Offset) { return Offset{result}; }
};

struct DefaultSeekFile {
	static constexpr bool default_llseek = true;
};

struct CountingWriter {
	Atomic<u64> written;
	static inline std::string seen;
	Result<size_t> write(Span<const char> data, Offset& pos)
	{
		seen.assign(data.data(), data.size());
		written.fetch_add(data.size());
		pos += data.size();
		return data.size();
	}
};

struct MinorFile {
	u32 minor;
	explicit MinorFile(OpenFile context) : minor(context.minor) {}
};

TEST_F(Layer, FileOperationsHaveAMemberForEachOperationTheFileDeclares)
{
	const kcxx_file_ops& null = file_operations<NullFile>;
	EXPECT_NE(null.read, nullptr);
	EXPECT_EQ(null.write, nullptr);
	EXPECT_EQ(null.llseek, nullptr);
	EXPECT_EQ(null.poll, nullptr);
	EXPECT_EQ(null.default_llseek, 0);
	const kcxx_file_ops& seek = file_operations<SeekFile>;
	EXPECT_EQ(seek.read, nullptr);
	EXPECT_EQ(seek.write, nullptr);
	EXPECT_NE(seek.llseek, nullptr);
	EXPECT_EQ(seek.default_llseek, 0);
	EXPECT_EQ(file_operations<DefaultSeekFile>.llseek, nullptr);
	EXPECT_EQ(file_operations<DefaultSeekFile>.default_llseek, 1);
	const kcxx_file_ops& writer = file_operations<CountingWriter>;
	EXPECT_EQ(writer.read, nullptr);
	EXPECT_NE(writer.write, nullptr);
	EXPECT_EQ(writer.release, nullptr); // a counter lives in the slot
}

TEST_F(Layer, AFileGetsItsMinorWhenOpened)
{
	void* slot = nullptr;
	ASSERT_EQ(file_operations<MinorFile>.open(&slot, 2), 0);
	EXPECT_EQ(FileAdapter<MinorFile>::get(&slot).minor, 2u);
}

TEST_F(Layer, LlseekGetsSetCurOrEndAndANonNegativeStartOnly)
{
	const kcxx_file_ops& ops = file_operations<SeekFile>;
	void* slot = nullptr;
	ASSERT_EQ(ops.open(&slot, 1), 0);
	EXPECT_EQ(ops.llseek(&slot, 12, KCXX_SEEK_SET, 5), 1234);
	EXPECT_EQ(SeekFile::last.whence, SeekFrom::Whence::Start);
	EXPECT_EQ(SeekFile::last.offset, 12);
	EXPECT_EQ(SeekFile::last_pos, 5);
	EXPECT_EQ(ops.llseek(&slot, -12, KCXX_SEEK_END, 0), 1234);
	EXPECT_EQ(SeekFile::last.whence, SeekFrom::Whence::End);
	EXPECT_EQ(ops.llseek(&slot, -12, KCXX_SEEK_CUR, 0), 1234);
	EXPECT_EQ(SeekFile::last.whence, SeekFrom::Whence::Current);
	SeekFile::last_pos = -1;
	EXPECT_EQ(ops.llseek(&slot, -1, KCXX_SEEK_SET, 0), k_EINVAL);
	EXPECT_EQ(ops.llseek(&slot, 0, 3, 0), k_EINVAL); // SEEK_DATA
	EXPECT_EQ(ops.llseek(&slot, 0, 4, 0), k_EINVAL); // SEEK_HOLE
	EXPECT_EQ(SeekFile::last_pos, -1);		 // none of them reached the File
}

TEST_F(Layer, ANegativePositionFromLlseekIsEinvalNotAnErrno)
{
	const kcxx_file_ops& ops = file_operations<NegativeSeekFile>;
	void* slot = nullptr;
	ASSERT_EQ(ops.open(&slot, 0), 0);
	for (Offset bad : {Offset{-1}, Offset{-4095}, Offset{-5000}}) {
		NegativeSeekFile::result = bad;
		EXPECT_EQ(ops.llseek(&slot, 0, KCXX_SEEK_CUR, 0), k_EINVAL) << bad;
	}
	NegativeSeekFile::result = 0;
	EXPECT_EQ(ops.llseek(&slot, 0, KCXX_SEEK_CUR, 7), 0);
}

TEST_F(Layer, AWriteHandsTheFileOneKernelCopyOfAtMostAPage)
{
	const kcxx_file_ops& ops = file_operations<CountingWriter>;
	void* slot = nullptr;
	ASSERT_EQ(ops.open(&slot, 2), 0);
	std::string user(5000, 'x');
	for (size_t i = 0; i < user.size(); i++)
		user[i] = static_cast<char>('a' + i % 26);
	const auto base = reinterpret_cast<unsigned long>(user.data());
	long long pos = 0;
	EXPECT_EQ(ops.write(&slot, base, 3, &pos), 3);
	EXPECT_EQ(CountingWriter::seen, "abc");
	EXPECT_EQ(fake::copies_from_user, 1u);
	EXPECT_EQ(ops.write(&slot, base, user.size(), &pos), 4096); // a short write
	EXPECT_EQ(CountingWriter::seen, user.substr(0, 4096));
	EXPECT_EQ(fake::copies_from_user, 2u);
	EXPECT_EQ(pos, 4099);
	EXPECT_EQ(FileAdapter<CountingWriter>::get(&slot).written.load(), 4099u);
	fake::fault_at = base + 10; // a bad buffer: EFAULT, and the File sees nothing
	CountingWriter::seen.clear();
	EXPECT_EQ(ops.write(&slot, base, 20, &pos), k_EFAULT);
	EXPECT_EQ(CountingWriter::seen, "");
	EXPECT_EQ(pos, 4099);
	EXPECT_EQ(FileAdapter<CountingWriter>::get(&slot).written.load(), 4099u);
}

// Sysctls.

Atomic<bool> g_x, g_y;
constexpr Sysctl<Atomic<bool>> k_sysctls[] = {{"x", g_x, Mode{0644}}, {"y", g_y, Mode{0600}}};

TEST_F(Layer, SysctlTableRegistersEveryEntryWithItsModeAndUnregisters)
{
	{
		auto table = SysctlTable<k_sysctls>::create("dir/sub");
		ASSERT_FALSE(table.is_error());
	}
	EXPECT_EQ(fake::log, (Logs{"+sysctl dir/sub/x:420 dir/sub/y:384", "-sysctl"}));
}

TEST_F(Layer, SysctlTableReadsEachStorageBackThroughTheRegistration)
{
	auto table = SysctlTable<k_sysctls>::create("dir");
	ASSERT_FALSE(table.is_error());
	const auto registered = table.release_value();
	EXPECT_EQ(&registered.get<0>(), &g_x);
	EXPECT_EQ(&registered.get<1>(), &g_y);
}

// The ctl_table the kernel calls through is laid out in its list's own
// sealed room, which serves one registration.
constexpr Sysctl<Atomic<bool>> k_other_sysctls[] = {{"x", g_x, Mode{0644}}};

TEST_F(Layer, EachListOfSysctlsHasItsOwnSealedRoom)
{
	auto first = SysctlTable<k_sysctls>::create("dir");
	auto other = SysctlTable<k_other_sysctls>::create("other");
	ASSERT_FALSE(first.is_error() || other.is_error());
	ASSERT_EQ(fake::rooms.size(), 2u);
	EXPECT_EQ(fake::rooms[0], (*sealed_room<kcxx_sysctl_room[3], SysctlKey<k_sysctls>>()));
	EXPECT_EQ(fake::rooms[1],
		  (*sealed_room<kcxx_sysctl_room[2], SysctlKey<k_other_sysctls>>()));
	EXPECT_NE(fake::rooms[0], fake::rooms[1]);

	auto again = SysctlTable<k_sysctls>::create("again");
	ASSERT_TRUE(again.is_error());
	EXPECT_EQ(again.error().to_errno(), k_EBUSY);
}

int write_bool(Atomic<bool>& value, std::string text, long long pos = 0)
{
	const long long start = pos;
	unsigned long len = text.size();
	int err = sysctl_handler<Atomic<bool>>(&value, 1, text.data(), &len, &pos);
	if (!err) { // The whole write is consumed.
		EXPECT_EQ(len, text.size());
		EXPECT_EQ(pos, start + static_cast<long long>(text.size()));
	}
	return err;
}

TEST_F(Layer, SysctlAcceptsExactlyZeroOrOneWithSpaceTabNewline)
{
	// Every text of up to three characters from an alphabet that covers
	// both digits, the allowed spaces and their near misses.
	const std::string alphabet = "01 \t\n\r\v2x";
	std::vector<std::string> texts = {""};
	for (int round = 0; round < 3; round++)
		for (size_t i = texts.size(); i-- > 0;)
			for (char c : alphabet)
				texts.push_back(texts[i] + c);
	for (const std::string& text : texts) {
		const std::string trimmed = [&] {
			size_t a = text.find_first_not_of(" \t\n"),
			       b = text.find_last_not_of(" \t\n");
			return a == std::string::npos ? std::string() : text.substr(a, b - a + 1);
		}();
		const bool valid = trimmed == "0" || trimmed == "1";
		for (bool before : {false, true}) {
			Atomic<bool> value(before);
			EXPECT_EQ(write_bool(value, text), valid ? 0 : k_EINVAL)
				<< '"' << text << '"';
			EXPECT_EQ(value.load(), valid ? trimmed == "1" : before)
				<< '"' << text << '"';
		}
	}
}

TEST_F(Layer, SysctlRejectsAPageOrMore)
{
	Atomic<bool> value;
	EXPECT_EQ(write_bool(value, "1" + std::string(4094, ' ')), 0);
	EXPECT_TRUE(value.load());
	EXPECT_EQ(write_bool(value, "0" + std::string(4095, ' ')), k_EINVAL);
	EXPECT_TRUE(value.load());
}

TEST_F(Layer, SysctlIgnoresAWritePastPositionZero)
{
	Atomic<bool> value;
	EXPECT_EQ(write_bool(value, "1", 1), 0);
	EXPECT_FALSE(value.load());
	EXPECT_EQ(write_bool(value, "garbage", 5), 0); // consumed, not parsed
}

TEST_F(Layer, SysctlReadsServeAnyOffsetAndLength)
{
	Atomic<bool> value(true);
	for (long long start = 0; start <= 3; start++)
		for (unsigned long want = 0; want <= 3; want++) {
			char buf[4] = {};
			unsigned long len = want;
			long long pos = start;
			ASSERT_EQ(sysctl_handler<Atomic<bool>>(&value, 0, buf, &len, &pos), 0);
			const std::string expect =
				std::string("1\n").substr(std::min(start, 2LL), want);
			EXPECT_EQ(std::string(buf, len), expect);
			EXPECT_EQ(pos, start + static_cast<long long>(len));
		}
}

// UserSlice: bounds and faults.

// A storage that records what the handler hands it: a read fills the
// buffer with 'r' (or fails with errno), a write records its text (or fails).
struct Tape {
	mutable std::vector<std::pair<size_t, Offset>> reads; // buffer size, pos
	std::vector<std::string> writes;
	int errno_ = 0;
	bool changes = true;
};

Result<size_t> sysctl_read(const Tape& tape, Span<char> buffer, Offset pos)
{
	tape.reads.emplace_back(buffer.size(), pos);
	if (tape.errno_)
		return Error(tape.errno_);
	std::fill(buffer.begin(), buffer.end(), 'r');
	return buffer.size();
}

Result<bool> sysctl_write(Tape& tape, Span<const char> text)
{
	if (tape.errno_)
		return Error(tape.errno_);
	tape.writes.emplace_back(text.begin(), text.end());
	return tape.changes;
}

static_assert(SysctlStorage<Atomic<bool>> && SysctlStorage<Tape>);
static_assert(!SysctlStorage<Atomic<int>> && !SysctlStorage<int>);

// One call of the handler; a read's buffer is as long as it asks, as the
// kernel's is, with a guard byte after it.
int handle(Tape& tape, int write, std::string& buffer, unsigned long& len, long long& pos)
{
	buffer.resize(len + 1, '#');
	return sysctl_handler<Tape>(&tape, write, buffer.data(), &len, &pos);
}

TEST_F(Layer, SysctlReadsAsMuchAsAskedUpToAPage)
{
	for (unsigned long asked : {0ul, 1ul, 100ul, 4095ul, 4096ul, 4097ul, 8192ul, 65536ul}) {
		Tape tape;
		std::string buffer;
		unsigned long len = asked;
		long long pos = 0;
		ASSERT_EQ(handle(tape, 0, buffer, len, pos), 0);
		const size_t served = std::min(asked, 4096ul);
		EXPECT_EQ(tape.reads, (std::vector<std::pair<size_t, Offset>>{{served, 0}}));
		EXPECT_EQ(len, served);
		EXPECT_EQ(pos, static_cast<long long>(served));
		EXPECT_EQ(buffer.substr(0, served), std::string(served, 'r'));
		EXPECT_EQ(buffer.substr(served), std::string(asked - served + 1, '#')) << asked;
	}
}

TEST_F(Layer, SysctlReadsHandTheStorageThePositionAndAdvanceByWhatItServed)
{
	Tape tape;
	std::string buffer;
	unsigned long len = 16;
	long long pos = 5;
	ASSERT_EQ(handle(tape, 0, buffer, len, pos), 0);
	EXPECT_EQ(tape.reads, (std::vector<std::pair<size_t, Offset>>{{16, 5}}));
	EXPECT_EQ(pos, 21);

	// A storage that serves nothing there: end of file, where it was.
	Atomic<bool> value;
	char byte = '#';
	len = 1;
	pos = 2;
	ASSERT_EQ(sysctl_handler<Atomic<bool>>(&value, 0, &byte, &len, &pos), 0);
	EXPECT_EQ(len, 0u);
	EXPECT_EQ(pos, 2);
	EXPECT_EQ(byte, '#');
}

TEST_F(Layer, ASysctlStorageThatFailsLeavesLengthAndPosition)
{
	Tape tape;
	tape.errno_ = k_EINTR;
	std::string buffer;
	for (int write : {0, 1}) {
		unsigned long len = 8;
		long long pos = 0;
		EXPECT_EQ(handle(tape, write, buffer, len, pos), k_EINTR);
		EXPECT_EQ(len, 8u);
		EXPECT_EQ(pos, 0);
	}
	EXPECT_TRUE(tape.writes.empty());
}

TEST_F(Layer, ASysctlWriteOfAPageOrMoreNeverReachesTheStorage)
{
	Tape tape;
	for (unsigned long size : {4096ul, 4097ul, 65536ul}) {
		std::string buffer(size, 'w');
		unsigned long len = size;
		long long pos = 0;
		EXPECT_EQ(handle(tape, 1, buffer, len, pos), k_EINVAL);
		EXPECT_EQ(pos, 0);
	}
	EXPECT_TRUE(tape.writes.empty());

	std::string buffer(4095, 'w');
	unsigned long len = 4095;
	long long pos = 0;
	EXPECT_EQ(handle(tape, 1, buffer, len, pos), 0);
	EXPECT_EQ(tape.writes, std::vector<std::string>{std::string(4095, 'w')});
	EXPECT_EQ(len, 4095u);
	EXPECT_EQ(pos, 4095);
}

TEST_F(Layer, ASysctlWritePastZeroNeverReachesTheStorageAndIsConsumed)
{
	Tape tape;
	for (long long start : {1LL, 2LL, 4096LL}) {
		std::string buffer = "1\n";
		unsigned long len = 2;
		long long pos = start;
		EXPECT_EQ(handle(tape, 1, buffer, len, pos), 0);
		EXPECT_EQ(len, 2u);
		EXPECT_EQ(pos, start + 2);
	}
	EXPECT_TRUE(tape.writes.empty());
}

TEST_F(Layer, WriterRefusesMoreThanTheSliceHolds)
{
	char user[4] = {};
	auto writer = UserSlice(reinterpret_cast<unsigned long>(user), 4).writer();
	EXPECT_EQ(writer.write_raw("12345", 5).error().to_errno(), k_EFAULT);
	EXPECT_EQ(std::string(user, 4), std::string(4, '\0')); // nothing copied
	EXPECT_FALSE(writer.write_raw("12", 2).is_error());
	EXPECT_EQ(writer.len(), 2u);
}

TEST_F(Layer, ReaderRefusesMoreThanTheSliceHoldsAndReadsTyped)
{
	const u32 word = 0x01020304;
	auto reader = UserSlice(reinterpret_cast<unsigned long>(&word), 4).reader();
	auto value = reader.read<u32>();
	ASSERT_FALSE(value.is_error());
	EXPECT_EQ(value.release_value(), word);
	EXPECT_EQ(reader.read<u8>().error().to_errno(), k_EFAULT);
}

struct Padded {
	u8 a;
	u32 b;
};
static_assert(!CopyAllowed<Padded>, "padding would leak kernel memory");
static_assert(CopyAllowed<u32> && CopyAllowed<bool>);

const char k_doc[] = "0123456789";
const Span<const char> k_span(k_doc, 10);

TEST_F(Layer, WriteFileServesTheRestFromPos)
{
	for (long long pos = 0; pos <= 12; pos++) {
		char user[16] = {};
		long long at = pos;
		auto writer = UserSlice(reinterpret_cast<unsigned long>(user), 4).writer();
		auto n = writer.write_file(k_span, at);
		ASSERT_FALSE(n.is_error());
		const std::string expect = std::string(k_doc).substr(std::min(pos, 10LL), 4);
		EXPECT_EQ(n.release_value(), expect.size());
		EXPECT_EQ(std::string(user, expect.size()), expect);
		EXPECT_EQ(at, pos + static_cast<long long>(expect.size()));
	}
}

TEST_F(Layer, WriteFileLikeSimpleReadFromBuffer)
{
	char user[16] = {};
	const auto base = reinterpret_cast<unsigned long>(user);
	long long pos = 0;
	fake::fault_at = base + 3; // a fault after three bytes: those count
	auto partial = UserSlice(base, 8).writer().write_file(k_span, pos);
	ASSERT_FALSE(partial.is_error());
	EXPECT_EQ(partial.release_value(), 3u);
	EXPECT_EQ(pos, 3);
	fake::fault_at = base; // nothing copied: EFAULT, pos unchanged
	EXPECT_EQ(UserSlice(base, 8).writer().write_file(k_span, pos).error().to_errno(), k_EFAULT);
	EXPECT_EQ(pos, 3);
	pos = -1;
	EXPECT_EQ(UserSlice(base, 8).writer().write_file(k_span, pos).error().to_errno(), k_EINVAL);
}

// JSON.

Atomic<bool> g_a, g_b, g_c;
constexpr Sysctl<Atomic<bool>> k_abc[] = {{"a", g_a, Mode{0644}},
					  {"b", g_b, Mode{0644}},
					  {"c", g_c, Mode{0644}}};
using Object = BoolObject<k_abc>;
using Documents = BoolDocuments<k_abc>;

std::string expected_document(unsigned bits)
{
	const char* word[] = {"false", "true"};
	return std::string("{\"a\":") + word[bits & 1] + ",\"b\":" + word[bits >> 1 & 1] +
	       ",\"c\":" + word[bits >> 2 & 1] + "}\n";
}

TEST_F(Layer, BoolDocumentsHoldEveryCombinationExactly)
{
	static_assert(Object::max_size == sizeof(R"({"a":false,"b":false,"c":false})") - 1);
	for (unsigned bits = 0; bits < 8; bits++) {
		const Span<const char> doc = Documents::of(bits);
		EXPECT_EQ(std::string(doc.data(), doc.size()), expected_document(bits));
		const Span<const char> high = Documents::of(bits | 8); // not a field's bit
		EXPECT_EQ(std::string(high.data(), high.size()), expected_document(bits));
	}
}

TEST_F(Layer, BoolObjectFillsAWriterOfMaxSizeExactly)
{
	JsonWriter<Object::max_size> json;
	Object::write(json, 0); // all false: the longest
	auto doc = json.finish();
	ASSERT_FALSE(doc.is_error());
	const Span<const char> span = doc.release_value();
	EXPECT_EQ(std::string(span.data(), span.size()) + "\n", expected_document(0));
}

TEST_F(Layer, JsonWriterReportsOverflowInsteadOfTruncating)
{
	JsonWriter<Object::max_size - 1> json;
	Object::write(json, 0);
	EXPECT_EQ(json.finish().error().to_errno(), k_EOVERFLOW);
}

// Snapshot: what each read serves.

TEST_F(Layer, SnapshotIsRetakenAtZeroAndContinuedAfter)
{
	Snapshot<k_abc> snapshot;
	g_a.store(false);
	EXPECT_FALSE(snapshot.for_read(5)[0]); // the first read takes it
	g_a.store(true);
	EXPECT_FALSE(snapshot.for_read(9)[0]); // later reads continue it
	EXPECT_TRUE(snapshot.for_read(0)[0]);  // offset 0 retakes it
	g_a.store(false);
	EXPECT_TRUE(snapshot.for_read(1)[0]);
}

TEST_F(Layer, SnapshotBeforeItsFirstReadComparesWithTheValuesAtOpen)
{
	g_a.store(true), g_b.store(false), g_c.store(false);
	Snapshot<k_abc> snapshot; // open, with a set
	EXPECT_FALSE(snapshot.changed());
	g_b.store(true);
	EXPECT_TRUE(snapshot.changed());
	EXPECT_TRUE(snapshot.changed()); // looking does not clear it
	g_b.store(false);
	EXPECT_FALSE(snapshot.changed()); // changed back: no news
	g_c.store(true);
	EXPECT_TRUE(snapshot.changed());
	EXPECT_TRUE(snapshot.for_read(0)[2]);
	EXPECT_FALSE(snapshot.changed()); // a read at 0 takes the news
	g_a.store(false), g_c.store(false);
}

TEST_F(Layer, SnapshotNewsStaysThroughReadsPastZero)
{
	g_a.store(false), g_b.store(false), g_c.store(false);
	Snapshot<k_abc> snapshot;
	EXPECT_FALSE(snapshot.for_read(0)[0]);
	g_a.store(true);
	EXPECT_TRUE(snapshot.changed());
	EXPECT_FALSE(snapshot.for_read(7)[0]); // serves the snapshot it has
	EXPECT_TRUE(snapshot.changed());
	EXPECT_TRUE(snapshot.for_read(0)[0]);
	EXPECT_FALSE(snapshot.changed());
}

TEST_F(Layer, SnapshotFirstReadPastZeroServesTheCurrentValuesAndClearsTheNews)
{
	g_a.store(false), g_b.store(false), g_c.store(false);
	Snapshot<k_abc> snapshot;
	g_a.store(true);
	EXPECT_TRUE(snapshot.changed());
	EXPECT_TRUE(snapshot.for_read(3)[0]);
	EXPECT_FALSE(snapshot.changed());
	g_a.store(false);
	EXPECT_TRUE(snapshot.changed());
	g_a.store(true);
}

// Wait queues, poll and notification.

constinit WaitQueue g_queue, g_other;
static_assert(sizeof(WaitQueue) == KCXX_WAIT_QUEUE_SIZE);
static_assert(alignof(WaitQueue) == KCXX_WAIT_QUEUE_ALIGN);
static_assert(PollEvents::readable().bits == 0x41 && PollEvents::priority().bits == 0x2);

// A file that serves the three values and tells when they change, as
// module/jsonsysctl.cpp's does.
struct WatchFile {
	Result<size_t> read(UserSlice buffer, Offset& pos)
	{
		return move(buffer).writer().write_file(
			Documents::of(snapshot.for_read(pos).bits()), pos);
	}
	PollEvents poll(PollTable table)
	{
		table.wait(g_queue);
		fake::log.push_back("look");
		return snapshot.changed() ? PollEvents::readable() | PollEvents::priority() :
					    PollEvents::readable();
	}
	Snapshot<k_abc> snapshot;
};

static_assert(Pollable<WatchFile> && !Pollable<NullFile>);
static_assert(file_in_slot<WatchFile>);

struct WrongPoll { // poll() that returns something else is not poll()
	Result<size_t> read(UserSlice, Offset&) { return size_t{0}; }
	int poll(PollTable) { return 1; }
};
static_assert(!Pollable<WrongPoll>);

TEST_F(Layer, AFileWithoutPollGetsNoPollOperation)
{
	EXPECT_EQ(file_operations<NullFile>.poll, nullptr);
	EXPECT_EQ(file_operations<WrongPoll>.poll, nullptr);
	EXPECT_NE(file_operations<WatchFile>.poll, nullptr);
}

TEST_F(Layer, PollQueuesThePollerBeforeItLooksAndReportsNews)
{
	fake::queue_name_address = &g_queue;
	g_a.store(false), g_b.store(false), g_c.store(false);
	const kcxx_file_ops& ops = file_operations<WatchFile>;
	void* slot = nullptr;
	ASSERT_EQ(ops.open(&slot, 0), 0);
	EXPECT_EQ(ops.poll(&slot, nullptr, nullptr), 0x41u);
	EXPECT_EQ(fake::log, (Logs{"wait queue", "look"}));
	g_a.store(true);
	EXPECT_EQ(ops.poll(&slot, nullptr, nullptr), 0x43u);
	char user[64];
	long long pos = 0;
	EXPECT_EQ(ops.read(&slot, reinterpret_cast<unsigned long>(user), 64, &pos), 31);
	EXPECT_EQ(std::string(user, 31), expected_document(1));
	EXPECT_EQ(ops.poll(&slot, nullptr, nullptr), 0x41u);
	g_a.store(false);
}

TEST_F(Layer, WaitQueueInitsAndWakesItsOwnQueue)
{
	fake::queue_name_address = &g_queue;
	g_queue.init();
	g_other.wake_up_poll(PollEvents::priority());
	EXPECT_EQ(fake::log, (Logs{"init queue", "wake other 2"}));
}

int write_notifying(Atomic<bool>& value, std::string text, long long pos = 0)
{
	unsigned long len = text.size();
	return sysctl_handler<Atomic<bool>, WakeOnChange<g_queue>>(&value, 1, text.data(), &len,
								   &pos);
}

TEST_F(Layer, ASysctlWriteWakesOnlyWhenItChangesTheValue)
{
	fake::queue_name_address = &g_queue;
	Atomic<bool> value;
	EXPECT_EQ(write_notifying(value, "0\n"), 0); // already 0
	EXPECT_EQ(fake::log, Logs{});
	EXPECT_EQ(write_notifying(value, " 1"), 0);
	EXPECT_EQ(fake::log, (Logs{"wake queue 2"}));
	EXPECT_EQ(write_notifying(value, "1"), 0); // already 1
	EXPECT_EQ(write_notifying(value, "2"), k_EINVAL);
	EXPECT_EQ(write_notifying(value, "0", 1), 0); // past 0: ignored
	EXPECT_EQ(fake::log, (Logs{"wake queue 2"}));
	EXPECT_TRUE(value.load());
	EXPECT_EQ(write_notifying(value, "0"), 0);
	EXPECT_EQ(fake::log, (Logs{"wake queue 2", "wake queue 2"}));
	EXPECT_FALSE(value.load());
}

TEST_F(Layer, ASysctlTableWithoutOnChangeWakesNobody)
{
	Atomic<bool> value;
	EXPECT_EQ(write_bool(value, "1"), 0);
	EXPECT_EQ(write_bool(value, "0"), 0);
	EXPECT_EQ(fake::log, Logs{});
	static_assert(__is_same(decltype(on_change<g_queue>), const WakeOnChange<g_queue>));
}

// random.h.

TEST_F(Layer, GetRandomBytesWaitFillsTheBufferAndReportsAnInterruptedWait)
{
	char bytes[16] = {};
	EXPECT_FALSE(get_random_bytes_wait({bytes, sizeof(bytes)}).is_error());
	EXPECT_EQ(std::string(bytes, sizeof(bytes)), std::string(16, 0x5a));
	fake::random_errno = -512; // ERESTARTSYS
	auto interrupted = get_random_bytes_wait({bytes, 4});
	ASSERT_TRUE(interrupted.is_error());
	EXPECT_EQ(interrupted.error().to_errno(), -512);
	EXPECT_EQ(fake::log, (Logs{"random 16", "random 4"}));
}

TEST_F(Layer, AddDeviceRandomnessHandsOverExactlyTheBytes)
{
	const char bytes[] = "1234567890";
	add_device_randomness({bytes, 10});
	EXPECT_EQ(fake::log, Logs{"entropy 1234567890"});
}

// module.h: unload() runs once, on the live module, before its destructor.

struct Unloading {
	bool live = true;
	Unloading() = default;
	Unloading(Unloading&& other) : live(exchange(other.live, false)) {}
	~Unloading() { fake::log.push_back(live ? "~live" : "~moved-from"); }
	static Result<Unloading> create() { return Unloading{}; }
	void unload() const { fake::log.push_back(live ? "unload live" : "unload moved-from"); }
};

TEST_F(Layer, ModuleExitCallsUnloadOnceOnTheLiveModuleBeforeItsDestructor)
{
	static ModuleSlot<Unloading> slot;
	ASSERT_EQ(slot.init(), 0);
	fake::log.erase(std::remove(fake::log.begin(), fake::log.end(), "~moved-from"),
			fake::log.end());
	EXPECT_EQ(fake::log, Logs{});
	slot.exit();
	EXPECT_EQ(fake::log, (Logs{"unload live", "~live"}));
}

} // namespace
