// SPDX-License-Identifier: GPL-2.0
// jsonsysctl: three atomic boolean sysctls, /proc/sys/json-sysctl/{a,b,c},
// and a character device, /dev/json, whose read returns them as one JSON
// document. C++'s answer to the Rust json-sysctl demo of LSS 2019.
// poll(), select() and epoll on /dev/json report EPOLLPRI while the values
// differ from what that open file serves.
#include "chrdev.h"
#include "json_writer.h"
#include "module.h"
#include "notify.h"
#include "poll.h"
#include "snapshot.h"
#include "sysctl.h"
#include "user_slice.h"
#include "wait_queue.h"

namespace {
using namespace kcxx;
using namespace jsonsysctl;

constinit Atomic<bool> g_a, g_b, g_c;

// Woken by every write that changes a value; /dev/json's pollers sleep on
// it, and each one's open file pins the module, so it outlives them.
constinit WaitQueue g_changed;

// The one declared list: the sysctl table and the document both come from it.
constexpr Sysctl<Atomic<bool>> k_sysctls[] = {{"a", g_a, Mode{0644}},
					      {"b", g_b, Mode{0644}},
					      {"c", g_c, Mode{0644}}};

// What /dev/json serves: {"a":false,"b":false,"c":false} and a newline, and
// the 7 other documents, all rendered at compile time.
using Documents = BoolDocuments<k_sysctls>;

// One open /dev/json. Every read serves a piece of the document of one
// snapshot, copied out with one copy_to_user(). It is always readable, and
// has news (EPOLLPRI) while the values differ from its snapshot.
class JsonFile {
public:
	static constexpr bool default_llseek = true;

	Result<size_t> read(UserSlice buffer, Offset& pos)
	{
		const auto document = Documents::of(m_snapshot.for_read(pos).bits());
		return move(buffer).writer().write_file(document, pos);
	}

	PollEvents poll(PollTable table)
	{
		table.wait(g_changed);
		if (m_snapshot.changed())
			return PollEvents::readable() | PollEvents::priority();
		return PollEvents::readable();
	}

private:
	Snapshot<k_sysctls> m_snapshot; // the values at open until the first read
};
static_assert(file_in_slot<JsonFile>, "an open /dev/json allocates nothing");

struct JsonSysctl {
	SysctlTable<k_sysctls> sysctls; // /proc/sys/json-sysctl/{a,b,c}
	Chrdev json;			// /dev/json; the last member, removed first

	static Result<JsonSysctl> create()
	{
		g_changed.init(); // before a write can wake it or a poller sleep on it
		auto sysctls =
			TRY(SysctlTable<k_sysctls>::create("json-sysctl", on_change<g_changed>));
		auto json = TRY(Chrdev::create<JsonFile>("json", Mode{0444}));
		return JsonSysctl{move(sysctls), move(json)};
	}
};

} // namespace

KERNEL_MODULE(JsonSysctl);
MODULE_INFO(license, "GPL");
MODULE_INFO(author, "jsonsysctl developers");
MODULE_INFO(description, "Three atomic boolean sysctls, read as one JSON document from /dev/json");
MODULE_INFO(version, JSONSYSCTL_VERSION); // debian/changelog's, through Kbuild
