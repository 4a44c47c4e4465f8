// SPDX-License-Identifier: GPL-2.0
/**
 * DOC: glue.c - the C boundary, the only file that includes kernel headers.
 *
 * One-line shims named after what they wrap, each one kernel step; the C++
 * layer composes them and unwinds them with destructors. Kernel-version
 * differences live here and nowhere else. The functions are documented
 * where the C++ layer calls them: include/glue.h.
 */
#include <linux/cdev.h>
#include <linux/device.h>
#include <linux/errno.h>
#include <linux/fs.h>
#include <linux/fs_context.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/printk.h>
#include <linux/random.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/sysctl.h>
#include <linux/uaccess.h>
#include <linux/version.h>
#include <linux/wait.h>

#include "errnos.h"
#include "glue.h"

static_assert(KCXX_PAGE_SIZE == PAGE_SIZE);
static_assert(KCXX_MAX_ERRNO == MAX_ERRNO);
static_assert(sizeof(unsigned long) == sizeof(size_t));
static_assert(sizeof(long long) == sizeof(loff_t));
static_assert(sizeof(unsigned int) == sizeof(dev_t));
static_assert(sizeof(wait_queue_head_t) <= KCXX_WAIT_QUEUE_SIZE,
	      "this kernel's wait_queue_head_t is larger: raise KCXX_WAIT_QUEUE_SIZE in glue.h");
static_assert(__alignof__(wait_queue_head_t) <= KCXX_WAIT_QUEUE_ALIGN);
static_assert(KCXX_POLLIN == (__force unsigned int)EPOLLIN);
static_assert(KCXX_POLLPRI == (__force unsigned int)EPOLLPRI);
static_assert(KCXX_POLLRDNORM == (__force unsigned int)EPOLLRDNORM);
static_assert(KCXX_SEEK_SET == SEEK_SET && KCXX_SEEK_CUR == SEEK_CUR && KCXX_SEEK_END == SEEK_END);

/* Every errno the C++ side names (errnos.h) is the kernel's. */
#define KCXX_CHECK_ERRNO(name, value) static_assert((name) == (value), #name " is not " #value);
KCXX_ERRNOS(KCXX_CHECK_ERRNO)
#undef KCXX_CHECK_ERRNO

#ifdef KCXX_TEST_HOOKS
/*
 * The test variant's fault injection (kcxx.mk's KCXX_TEST_HOOKS=y, never in
 * what make, make install or DKMS build): fail_step=N makes the N-th glue
 * step of module init fail with ECANCELED, so the suite can prove every
 * step unwinds.
 */
static unsigned int fail_step;
module_param(fail_step, uint, 0444);
MODULE_PARM_DESC(fail_step, "Test only: make the N-th init step fail (0: never)");

static int injected_fault(void)
{
	static unsigned int step;

	return fail_step && ++step == fail_step ? -ECANCELED : 0;
}
#else
static int injected_fault(void)
{
	return 0;
}
#endif

/* Character devices. */

/*
 * A device's tables, laid out in its kcxx_chrdev_room (glue.h): sealed once
 * init returns. The kernel calls through fops (file->f_op points here) and,
 * on 6.4 and later, cls; fops has a member for each operation ops has
 * (kcxx_cdev_add()); the trampolines find ops next to the fops they were
 * called through, so a read costs no lookup.
 *
 * The cdev is the kernel's own (cdev_alloc()): its kobject frees it when the
 * last reference goes, which may be after cdev_del() returns (an open file
 * holds one; CONFIG_DEBUG_KOBJECT_RELEASE delays every release). Every open
 * file pins this module (fops .owner), so none outlives the room. A failing
 * init is the exception the kernel leaves to every driver: a file opened
 * (through a node made by hand) between cdev_add() and a later step's
 * failure outlives the room, as it outlives the module's code.
 */
struct kcxx_chrdev_tables {
	struct file_operations fops;
	struct kcxx_file_ops ops;
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 4, 0)
	struct class cls;
#endif
};

static_assert(sizeof(struct kcxx_chrdev_tables) <= sizeof(struct kcxx_chrdev_room));
static_assert(__alignof__(struct kcxx_chrdev_tables) <= __alignof__(struct kcxx_chrdev_room));

static struct kcxx_chrdev_tables *chrdev_tables(struct kcxx_chrdev_room *room)
{
	return (struct kcxx_chrdev_tables *)room;
}

static const struct kcxx_file_ops *file_ops(const struct file *file)
{
	return &container_of(file->f_op, struct kcxx_chrdev_tables, fops)->ops;
}

static int kcxx_open(struct inode *inode, struct file *file)
{
	return file_ops(file)->open(&file->private_data, iminor(inode));
}

static ssize_t kcxx_read(struct file *file, char __user *buf, size_t len, loff_t *pos)
{
	return file_ops(file)->read(&file->private_data, (unsigned long)buf, len, pos);
}

static ssize_t kcxx_write(struct file *file, const char __user *buf, size_t len, loff_t *pos)
{
	return file_ops(file)->write(&file->private_data, (unsigned long)buf, len, pos);
}

/* An llseek sets the file's position to where it goes, as vfs_setpos() does. */
static loff_t kcxx_llseek(struct file *file, loff_t offset, int whence)
{
	loff_t pos = file_ops(file)->llseek(&file->private_data, offset, whence, file->f_pos);

	return pos < 0 ? pos : vfs_setpos(file, pos, MAX_LFS_FILESIZE);
}

static __poll_t kcxx_poll(struct file *file, struct poll_table_struct *table)
{
	struct kcxx_file *filp = (struct kcxx_file *)file;

	return (__force __poll_t)file_ops(file)->poll(&file->private_data, filp,
						      (struct kcxx_poll_table *)table);
}

static int kcxx_release(struct inode *inode, struct file *file)
{
	const struct kcxx_file_ops *ops = file_ops(file);

	if (ops->release)
		ops->release(&file->private_data);
	return 0;
}

int kcxx_alloc_chrdev_region(unsigned int *devt, unsigned int count, const char *name)
{
	return injected_fault() ?: alloc_chrdev_region(devt, 0, count, name);
}

void kcxx_unregister_chrdev_region(unsigned int devt, unsigned int count)
{
	unregister_chrdev_region(devt, count);
}

int __init kcxx_cdev_add(struct kcxx_cdev **out, unsigned int devt, struct kcxx_chrdev_room *room,
			 const struct kcxx_file_ops *ops)
{
	struct kcxx_chrdev_tables *t = chrdev_tables(room);
	struct cdev *cdev;
	int err;

	if (t->fops.owner)
		return -EBUSY; /* The room serves another device. */
	/*
	 * A member for each operation ops has, none for one it lacks: the
	 * kernel treats a missing one as a C driver's (read(2) and write(2)
	 * fail with EINVAL, lseek(2) with ESPIPE, epoll_ctl() with EPERM).
	 */
	t->fops = (struct file_operations){
		.owner = THIS_MODULE,
		.open = kcxx_open,
		.release = kcxx_release,
		.read = ops->read ? kcxx_read : NULL,
		.write = ops->write ? kcxx_write : NULL,
		.llseek = ops->llseek ? kcxx_llseek : NULL,
		.poll = ops->poll ? kcxx_poll : NULL,
	};
	if (ops->default_llseek)
		t->fops.llseek = default_llseek;
	t->ops = *ops;
	cdev = cdev_alloc();
	if (!cdev)
		return -ENOMEM;
	cdev->ops = &t->fops;
	cdev->owner = THIS_MODULE;
	err = injected_fault() ?: cdev_add(cdev, devt, 1);
	if (err) {
		kobject_put(&cdev->kobj);
		return err;
	}
	*out = (struct kcxx_cdev *)cdev;
	return 0;
}

void kcxx_cdev_del(struct kcxx_cdev *cdev)
{
	cdev_del((struct cdev *)cdev);
}

/* The device's mode travels as its driver data; devtmpfs asks for it here. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
static char *kcxx_devnode(const struct device *dev, umode_t *mode)
#else
static char *kcxx_devnode(struct device *dev, umode_t *mode)
#endif
{
	if (mode)
		*mode = (umode_t)(uintptr_t)dev_get_drvdata(dev);
	return NULL;
}

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 4, 0)
/* class_register() takes a const class: it lives in the sealed room. */
int __init kcxx_class_create(struct kcxx_class **out, struct kcxx_chrdev_room *room,
			     const char *name)
{
	struct class *cls = &chrdev_tables(room)->cls;
	int err;

	*cls = (struct class){.name = name, .devnode = kcxx_devnode};
	err = injected_fault() ?: class_register(cls);
	if (err)
		return err;
	*out = (struct kcxx_class *)cls;
	return 0;
}

void kcxx_class_destroy(struct kcxx_class *cls)
{
	class_unregister((struct class *)cls);
}
#else
/*
 * Before 6.4, class_create() allocates the class and the kernel's class
 * release frees it: its devnode pointer stays in the heap. (A class of our
 * own, class_register()ed, would be released after a delay that can
 * outlast the module under CONFIG_DEBUG_KOBJECT_RELEASE.)
 */
int __init kcxx_class_create(struct kcxx_class **out, struct kcxx_chrdev_room *room,
			     const char *name)
{
	struct class *cls;
	int err = injected_fault();

	if (err)
		return err;
	cls = class_create(THIS_MODULE, name);
	if (IS_ERR(cls))
		return PTR_ERR(cls);
	cls->devnode = kcxx_devnode;
	*out = (struct kcxx_class *)cls;
	return 0;
}

void kcxx_class_destroy(struct kcxx_class *cls)
{
	class_destroy((struct class *)cls);
}
#endif

int kcxx_device_create(struct kcxx_device **out, struct kcxx_class *cls, unsigned int devt,
		       const char *name, unsigned short mode)
{
	struct device *dev;
	int err = injected_fault();

	if (err)
		return err;
	dev = device_create((struct class *)cls, NULL, devt, (void *)(uintptr_t)mode, "%s", name);
	if (IS_ERR(dev))
		return PTR_ERR(dev);
	*out = (struct kcxx_device *)dev;
	return 0;
}

void kcxx_device_destroy(struct kcxx_device *dev)
{
	device_unregister((struct device *)dev);
}

/* Sysctls. */

/*
 * A directory's ctl_table, laid out in its rooms (glue.h): sealed once init
 * returns. Each entry's extra1 is the C++ handler kcxx_proc_handler() calls.
 * Neither 6.1's register_sysctl() nor unregister_sysctl_table() writes to
 * the table after registering it; 6.11 and later take it const.
 */
static_assert(sizeof(struct ctl_table) <= sizeof(struct kcxx_sysctl_room));
static_assert(__alignof__(struct ctl_table) <= __alignof__(struct kcxx_sysctl_room));

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 11, 0)
static int kcxx_proc_handler(const struct ctl_table *t, int write, void *buf, size_t *len,
			     loff_t *pos)
#else
static int kcxx_proc_handler(struct ctl_table *t, int write, void *buf, size_t *len, loff_t *pos)
#endif
{
	return ((kcxx_sysctl_handler)t->extra1)(t->data, write, buf, len, pos);
}

int __init kcxx_register_sysctl(struct kcxx_sysctl **out, struct kcxx_sysctl_room *room,
				const char *dir, const struct kcxx_sysctl_entry *entries,
				unsigned int count, kcxx_sysctl_handler handler)
{
	struct ctl_table *table = (struct ctl_table *)room;
	struct ctl_table_header *header;
	unsigned int i;
	int err = injected_fault();

	if (err)
		return err;
	if (table[0].procname)
		return -EBUSY; /* The room serves another directory. */
	for (i = 0; i < count; i++)
		table[i] = (struct ctl_table){
			.procname = entries[i].name,
			.data = entries[i].data,
			.mode = entries[i].mode,
			.proc_handler = kcxx_proc_handler,
			.extra1 = (void *)handler,
		};
	table[count] = (struct ctl_table){}; /* The sentinel 6.1 looks for. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 6, 0)
	header = register_sysctl_sz(dir, table, count);
#else
	header = register_sysctl(dir, table);
#endif
	if (!header)
		return -ENOMEM; /* register_sysctl() reports no errno. */
	*out = (struct kcxx_sysctl *)header;
	return 0;
}

void kcxx_unregister_sysctl(struct kcxx_sysctl *table)
{
	unregister_sysctl_table((struct ctl_table_header *)table);
}

void *kcxx_sysctl_data(struct kcxx_sysctl *table, unsigned int i)
{
	return ((struct ctl_table_header *)table)->ctl_table[i].data;
}

/*
 * Wait queues and poll. The storage is the C++ side's (glue.h); a queue
 * that pollers of a file sleep on lives as long as the module, which every
 * such poller pins through its open file.
 */

static wait_queue_head_t *wait_queue_head(struct kcxx_wait_queue *wq)
{
	return (wait_queue_head_t *)wq;
}

void kcxx_init_waitqueue_head(struct kcxx_wait_queue *wq)
{
	init_waitqueue_head(wait_queue_head(wq));
}

void kcxx_poll_wait(struct kcxx_file *filp, struct kcxx_wait_queue *wq,
		    struct kcxx_poll_table *table)
{
	poll_wait((struct file *)filp, wait_queue_head(wq), (struct poll_table_struct *)table);
}

void kcxx_wake_up_poll(struct kcxx_wait_queue *wq, unsigned int events)
{
	wake_up_interruptible_poll(wait_queue_head(wq), (__force __poll_t)events);
}

/* The random number generator. */

int kcxx_get_random_bytes_wait(void *buf, unsigned long len)
{
	return get_random_bytes_wait(buf, len);
}

void kcxx_add_device_randomness(const void *buf, unsigned long len)
{
	add_device_randomness(buf, len);
}

/*
 * RCU and processes. The section spans two calls, so each wrapper says to
 * sparse what it does to the RCU context; the task functions run inside it.
 */
static_assert(KCXX_TASK_COMM_LEN == (int)TASK_COMM_LEN);

/* Not on one line: checkpatch would read "(void) __acquires" as a cast. */
/* clang-format off */
void kcxx_rcu_read_lock(void)
	__acquires(RCU)
{
	rcu_read_lock();
}

void kcxx_rcu_read_unlock(void)
	__releases(RCU)
{
	rcu_read_unlock();
}

/* clang-format on */

struct kcxx_task *kcxx_init_task(void)
{
	return (struct kcxx_task *)&init_task;
}

struct kcxx_task *kcxx_next_task(struct kcxx_task *task) __must_hold(RCU)
{
	return (struct kcxx_task *)next_task((struct task_struct *)task);
}

int kcxx_task_tgid(struct kcxx_task *task) __must_hold(RCU)
{
	return task_tgid_nr((struct task_struct *)task);
}

void kcxx_get_task_comm(struct kcxx_task_comm *comm, struct kcxx_task *task) __must_hold(RCU)
{
	get_task_comm(comm->text, (struct task_struct *)task);
}

/*
 * Filesystems. The kernel writes into a file_system_type once it is
 * registered (->next, and ->fs_supers lists its super blocks), so the
 * module's one type is writable static data, with its two function
 * pointers: scripts/check-sealed.py names it as the exception. Everything
 * else the kernel calls through is read-only (the fs_context and super
 * block operations) or sealed when init returns (the C++ operations,
 * kcxx_fs_ops, copied by the __init registration).
 */
static int kcxx_init_fs_context(struct fs_context *fc);
static void kcxx_kill_sb(struct super_block *sb);

static struct file_system_type kcxx_file_system_type = {
	.owner = THIS_MODULE,
	.init_fs_context = kcxx_init_fs_context,
	.kill_sb = kcxx_kill_sb,
};

static struct kcxx_fs_ops kcxx_fs_ops __ro_after_init;

static int kcxx_fill_super(struct super_block *sb, struct fs_context *fc)
{
	return kcxx_fs_ops.fill_super((struct kcxx_super_block *)sb, &sb->s_fs_info);
}

/* Each mount a new super block, with no device. */
static int kcxx_get_tree(struct fs_context *fc)
{
	return get_tree_nodev(fc, kcxx_fill_super);
}

static void kcxx_put_super(struct super_block *sb)
{
	kcxx_fs_ops.put_super(&sb->s_fs_info);
}

static void kcxx_kill_sb(struct super_block *sb)
{
	kcxx_fs_ops.kill_sb((struct kcxx_super_block *)sb, &sb->s_fs_info);
}

/* No .parse_param: a mount option other than the source fails with EINVAL. */
static const struct fs_context_operations kcxx_fs_context_ops = {
	.get_tree = kcxx_get_tree,
};

static const struct super_operations kcxx_super_ops = {
	.statfs = simple_statfs,
	.put_super = kcxx_put_super,
};

static int kcxx_init_fs_context(struct fs_context *fc)
{
	fc->ops = &kcxx_fs_context_ops;
	return 0;
}

int __init kcxx_register_filesystem(struct kcxx_filesystem **out, const char *name,
				    const struct kcxx_fs_ops *ops)
{
	struct file_system_type *type = &kcxx_file_system_type;
	int err;

	if (type->name)
		return -EBUSY; /* The module registered its filesystem already. */
	kcxx_fs_ops = *ops;
	type->name = name;
	err = injected_fault() ?: register_filesystem(type);
	if (err) {
		type->name = NULL;
		return err;
	}
	*out = (struct kcxx_filesystem *)type;
	return 0;
}

void kcxx_unregister_filesystem(struct kcxx_filesystem *fs)
{
	unregister_filesystem((struct file_system_type *)fs);
}

int kcxx_simple_fill_super(struct kcxx_super_block *sb, unsigned long magic)
{
	static const struct tree_descr empty[] = {{""}};
	struct super_block *s = (struct super_block *)sb;
	int err = simple_fill_super(s, magic, empty);

	if (err)
		return err;
	s->s_op = &kcxx_super_ops; /* simple_fill_super() set its own. */
	return 0;
}

void kcxx_kill_anon_super(struct kcxx_super_block *sb)
{
	kill_anon_super((struct super_block *)sb);
}

/* The kernel log. */

static_assert(KCXX_LOGLEVEL_EMERG == LOGLEVEL_EMERG && KCXX_LOGLEVEL_ALERT == LOGLEVEL_ALERT &&
	      KCXX_LOGLEVEL_CRIT == LOGLEVEL_CRIT && KCXX_LOGLEVEL_ERR == LOGLEVEL_ERR &&
	      KCXX_LOGLEVEL_WARNING == LOGLEVEL_WARNING &&
	      KCXX_LOGLEVEL_NOTICE == LOGLEVEL_NOTICE && KCXX_LOGLEVEL_INFO == LOGLEVEL_INFO &&
	      KCXX_LOGLEVEL_DEBUG == LOGLEVEL_DEBUG);

static const char *const printk_levels[] = {
	[LOGLEVEL_EMERG] = KERN_EMERG,	   [LOGLEVEL_ALERT] = KERN_ALERT,
	[LOGLEVEL_CRIT] = KERN_CRIT,	   [LOGLEVEL_ERR] = KERN_ERR,
	[LOGLEVEL_WARNING] = KERN_WARNING, [LOGLEVEL_NOTICE] = KERN_NOTICE,
	[LOGLEVEL_INFO] = KERN_INFO,	   [LOGLEVEL_DEBUG] = KERN_DEBUG,
};

void kcxx_printk(unsigned int level, const char *fmt, ...)
{
	struct va_format vaf = {.fmt = fmt};
	va_list args;

	va_start(args, fmt);
	vaf.va = &args;
	printk("%s%pV\n", level < ARRAY_SIZE(printk_levels) ? printk_levels[level] : KERN_DEFAULT,
	       &vaf);
	va_end(args);
}

/* Memory. */

void *kcxx_kmalloc(unsigned long size)
{
	return kmalloc(size, GFP_KERNEL);
}

void kcxx_kfree(const void *ptr)
{
	kfree(ptr);
}

unsigned long kcxx_copy_to_user(unsigned long to, const void *from, unsigned long len)
{
	return copy_to_user((void __user *)to, from, len);
}

unsigned long kcxx_copy_from_user(void *to, unsigned long from, unsigned long len)
{
	return copy_from_user(to, (const void __user *)from, len);
}

/* The module object is built and destroyed in C++ (module.h). */

static int __init kcxx_init(void)
{
	return kcxx_module_init();
}

static void __exit kcxx_exit(void)
{
	kcxx_module_exit();
}

module_init(kcxx_init);
module_exit(kcxx_exit);
