// SPDX-License-Identifier: GPL-2.0
#include "fake_glue.h"

#include <cstdlib>
#include <cstring>

#include "glue.h"
#include "types.h"

namespace fake {
std::vector<std::string> log;
unsigned fail_step;
int fail_errno;
unsigned long fault_at;
unsigned copies_from_user;
std::vector<const void*> rooms;
const void* queue_name_address;
int random_errno;
std::vector<Task> tasks;
int rcu_depth;
static const kcxx_fs_ops* filesystem;
static unsigned step;
static char handle_memory[8];
// Each registered sysctl table's data, in order; its handle points at its
// index in sysctl_handles.
static std::vector<std::vector<void*>> sysctl_data;
static char sysctl_handles[16];

void reset()
{
	log.clear();
	fail_step = step = 0;
	fail_errno = 0;
	fault_at = 0;
	copies_from_user = 0;
	rooms.clear();
	queue_name_address = nullptr;
	random_errno = 0;
	sysctl_data.clear();
	tasks = {{0, "swapper/0"}, {1, "init"}, {2, "kthreadd"}};
	rcu_depth = 0;
	filesystem = nullptr;
}

static int create(const char* what)
{
	if (fail_step && ++step == fail_step)
		return fail_errno;
	log.push_back(std::string("+") + what);
	return 0;
}

// Glue fills a sealed room once and refuses it after that, as kcxx/glue.c does.
static bool taken(const void* room)
{
	for (const void* r : rooms)
		if (r == room)
			return true;
	return false;
}

static unsigned long copyable(unsigned long addr, unsigned long len)
{
	if (!fault_at || addr + len <= fault_at)
		return len;
	return addr >= fault_at ? 0 : fault_at - addr;
}
} // namespace fake

using namespace fake;

static std::string name(const kcxx_wait_queue* wq)
{
	return wq == queue_name_address ? "queue" : "other";
}

template <typename T> static T* handle(int i) { return reinterpret_cast<T*>(&handle_memory[i]); }

extern "C" {

int kcxx_alloc_chrdev_region(unsigned int* devt, unsigned int, const char*)
{
	int err = create("region");
	if (!err)
		*devt = 42 << 20;
	return err;
}
void kcxx_unregister_chrdev_region(unsigned int, unsigned int) { log.push_back("-region"); }

int kcxx_cdev_add(kcxx_cdev** cdev, unsigned int, kcxx_chrdev_room* room, const kcxx_file_ops*)
{
	if (taken(room))
		return k_EBUSY;
	int err = create("cdev");
	if (!err) {
		*cdev = handle<kcxx_cdev>(1);
		rooms.push_back(room);
	}
	return err;
}
void kcxx_cdev_del(kcxx_cdev*) { log.push_back("-cdev"); }

int kcxx_class_create(kcxx_class** cls, kcxx_chrdev_room* room, const char*)
{
	if (rooms.empty() || room != rooms.back())
		return -1; // Not the room the device's cdev uses.
	int err = create("class");
	if (!err)
		*cls = handle<kcxx_class>(2);
	return err;
}
void kcxx_class_destroy(kcxx_class*) { log.push_back("-class"); }

int kcxx_device_create(kcxx_device** dev, kcxx_class*, unsigned int, const char*,
		       unsigned short mode)
{
	int err = create("device");
	if (!err) {
		*dev = handle<kcxx_device>(3);
		log.back() += " " + std::to_string(mode);
	}
	return err;
}
void kcxx_device_destroy(kcxx_device*) { log.push_back("-device"); }

int kcxx_register_sysctl(kcxx_sysctl** table, kcxx_sysctl_room* room, const char* dir,
			 const kcxx_sysctl_entry* entries, unsigned int count, kcxx_sysctl_handler)
{
	if (taken(room))
		return k_EBUSY;
	if (sysctl_data.size() == sizeof(sysctl_handles))
		return k_ENOSPC; // The fake's limit: more handles than a test needs.
	int err = create("sysctl");
	if (err)
		return err;
	rooms.push_back(room);
	sysctl_data.emplace_back();
	for (unsigned i = 0; i < count; i++) {
		log.back() += std::string(" ") + dir + "/" + entries[i].name + ":" +
			      std::to_string(entries[i].mode);
		sysctl_data.back().push_back(entries[i].data);
	}
	*table = reinterpret_cast<kcxx_sysctl*>(&sysctl_handles[sysctl_data.size() - 1]);
	return 0;
}
void kcxx_unregister_sysctl(kcxx_sysctl*) { log.push_back("-sysctl"); }
void* kcxx_sysctl_data(kcxx_sysctl* table, unsigned int i)
{
	return sysctl_data.at(reinterpret_cast<char*>(table) - sysctl_handles).at(i);
}

// Random bytes: the fake's are 0x5a each, and the log says how many were
// asked for and what was mixed into the pool.
int kcxx_get_random_bytes_wait(void* buf, unsigned long len)
{
	std::memset(buf, 0x5a, len);
	log.push_back("random " + std::to_string(len));
	return random_errno;
}
void kcxx_add_device_randomness(const void* buf, unsigned long len)
{
	log.push_back("entropy " + std::string(static_cast<const char*>(buf), len));
}

// Wait queues: each step logged with the queue's address in log order, so
// tests see what was woken and whether a poller queued before it looked.
void kcxx_init_waitqueue_head(kcxx_wait_queue* wq) { log.push_back("init " + name(wq)); }
void kcxx_poll_wait(kcxx_file*, kcxx_wait_queue* wq, kcxx_poll_table*)
{
	log.push_back("wait " + name(wq));
}
void kcxx_wake_up_poll(kcxx_wait_queue* wq, unsigned int events)
{
	log.push_back("wake " + name(wq) + " " + std::to_string(events));
}

// kmalloc(0) returns a non-null pointer, as the kernel's does.
void* kcxx_kmalloc(unsigned long size) { return std::malloc(size ? size : 1); }
void kcxx_kfree(const void* ptr) { std::free(const_cast<void*>(ptr)); }

unsigned long kcxx_copy_to_user(unsigned long to, const void* from, unsigned long len)
{
	unsigned long n = copyable(to, len);
	std::memcpy(reinterpret_cast<void*>(to), from, n);
	return len - n;
}

unsigned long kcxx_copy_from_user(void* to, unsigned long from, unsigned long len)
{
	copies_from_user++;
	unsigned long n = copyable(from, len);
	std::memcpy(to, reinterpret_cast<const void*>(from), n);
	return len - n;
}

} // extern "C"

// The layer's `new (nothrow)`; on the host it must pair with the global
// delete that FileAdapter::release() calls.
void* operator new(size_t size, const kcxx::NothrowTag&) noexcept
{
	return ::operator new(size, std::nothrow);
}

// RCU and processes: a task handle is its index in tasks, plus one.
extern "C" {

void kcxx_rcu_read_lock()
{
	log.push_back("+rcu");
	rcu_depth++;
}
void kcxx_rcu_read_unlock()
{
	log.push_back("-rcu");
	rcu_depth--;
}

static size_t task_index(kcxx_task* task)
{
	if (rcu_depth <= 0)
		log.push_back("outside rcu");
	return reinterpret_cast<size_t>(task) - 1;
}
kcxx_task* kcxx_init_task() { return reinterpret_cast<kcxx_task*>(1); }
kcxx_task* kcxx_next_task(kcxx_task* task)
{
	return reinterpret_cast<kcxx_task*>((task_index(task) + 1) % tasks.size() + 1);
}
int kcxx_task_tgid(kcxx_task* task) { return tasks[task_index(task)].tgid; }
void kcxx_get_task_comm(kcxx_task_comm* comm, kcxx_task* task)
{
	std::memset(comm->text, 0, sizeof(comm->text));
	std::strncpy(comm->text, tasks[task_index(task)].comm, sizeof(comm->text) - 1);
}

// Filesystems: one per module, as glue's.
int kcxx_register_filesystem(kcxx_filesystem** fs, const char* name, const kcxx_fs_ops* ops)
{
	if (filesystem)
		return k_EBUSY;
	int err = create("filesystem");
	if (err)
		return err;
	log.back() += std::string(" ") + name;
	filesystem = ops;
	*fs = handle<kcxx_filesystem>(5);
	return 0;
}
void kcxx_unregister_filesystem(kcxx_filesystem*) { log.push_back("-filesystem"); }

int kcxx_simple_fill_super(kcxx_super_block* sb, unsigned long magic)
{
	int err = create("root");
	if (!err) {
		reinterpret_cast<SuperBlock*>(sb)->root = true;
		log.back() += " " + std::to_string(magic);
	}
	return err;
}
void kcxx_kill_anon_super(kcxx_super_block* sb)
{
	auto* s = reinterpret_cast<SuperBlock*>(sb);
	log.push_back("kill_anon_super");
	if (s->root)
		filesystem->put_super(&s->info);
}

} // extern "C"
