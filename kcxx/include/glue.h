/* SPDX-License-Identifier: GPL-2.0 */
/**
 * DOC: glue.h - the C boundary between the C++ layer and the kernel.
 *
 * C header: kcxx/glue.c, the only file that includes kernel headers.
 *
 * Each function wraps one kernel step and comes in a create/destroy pair.
 * A create either succeeds or leaves nothing behind (freeing what it
 * allocated for its own step, as the kernel's register functions do); none
 * chains steps or undoes an earlier one: composition and rollback are the
 * C++ objects' job. Kernel objects cross as opaque handles, user addresses
 * as plain integers (only glue.c turns them back into __user pointers), and
 * failures as negative errnos. The header is valid C and C++ and needs no
 * kernel header.
 */
#ifndef KCXX_GLUE_H
#define KCXX_GLUE_H

#ifdef __cplusplus
extern "C" {
#endif

/* glue.c checks these against the kernel's own values at compile time. */
enum { KCXX_PAGE_SIZE = 4096, KCXX_MAX_ERRNO = 4095 };

struct kcxx_cdev;
struct kcxx_class;
struct kcxx_device;
struct kcxx_sysctl;
struct kcxx_file;
struct kcxx_poll_table;
struct kcxx_wait_queue;

/*
 * Sealed rooms. The tables the kernel calls through (a device's
 * file_operations and, on 6.4 and later, its class; a sysctl directory's
 * ctl_table) and the C++ entry points their trampolines call are laid out
 * by glue.c in rooms the C++ layer reserves in .data..ro_after_init
 * (sealed.h): the module loader makes that section read-only when module
 * init returns, as it does the kernel's __ro_after_init. The glue steps
 * that fill a room are __init, so only module init can write one, and
 * nothing the module allocates holds a function pointer the kernel calls.
 * glue.c checks at compile time that each kernel table fits its room.
 */
enum { KCXX_CHRDEV_ROOM_WORDS = 64, KCXX_SYSCTL_ROOM_WORDS = 8 };

/* One character device's tables. */
struct kcxx_chrdev_room {
	void *words[KCXX_CHRDEV_ROOM_WORDS];
};

/* One ctl_table entry; a directory of N sysctls takes N + 1 (a sentinel). */
struct kcxx_sysctl_room {
	void *words[KCXX_SYSCTL_ROOM_WORDS];
};

/*
 * Character devices: what C++ implements for an open file. Each call gets
 * the address of the file's private_data: the open file's state lives in
 * that pointer-sized slot or where it points. glue.c gives the kernel's
 * file_operations a member for each operation set here and none for one
 * left null, as a C driver's table would have.
 */
struct kcxx_file_ops {
	/* Makes this open file's state in *file, for the device's minor. Returns 0 or -errno. */
	int (*open)(void **file, unsigned int minor);
	/*
	 * Reads into user memory at ubuf; returns bytes read or -errno. Null:
	 * read(2) fails with EINVAL.
	 */
	long (*read)(void **file, unsigned long ubuf, unsigned long len, long long *pos);
	/*
	 * Writes from user memory at ubuf; returns bytes written or -errno.
	 * Null: write(2) fails with EINVAL.
	 */
	long (*write)(void **file, unsigned long ubuf, unsigned long len, long long *pos);
	/*
	 * Returns the position a seek to offset from whence (KCXX_SEEK_*) goes
	 * to, from the file's position pos, or -errno; glue sets the file's
	 * position to it. Null: see default_llseek.
	 */
	long long (*llseek)(void **file, long long offset, int whence, long long pos);
	/*
	 * Adds the poller to the wait queues it sleeps on (kcxx_poll_wait() with
	 * filp and table) and returns the KCXX_POLL* events ready now. Null:
	 * the kernel's table has no .poll (select() and poll() see the file
	 * always ready, epoll_ctl() refuses it with EPERM).
	 */
	unsigned int (*poll)(void **file, struct kcxx_file *filp, struct kcxx_poll_table *table);
	/* Frees what open() made; null when there is nothing to free. */
	void (*release)(void **file);
	/*
	 * With no llseek: 1 gives the file the kernel's default_llseek, 0 none
	 * (lseek(2) fails with ESPIPE; pread(2) and pwrite(2) still work).
	 */
	unsigned char default_llseek;
};

/* lseek(2)'s whence values the layer serves; glue.c checks them. */
enum { KCXX_SEEK_SET = 0, KCXX_SEEK_CUR = 1, KCXX_SEEK_END = 2 };

/**
 * kcxx_alloc_chrdev_region() - alloc_chrdev_region(): a major and its first minors.
 * @devt: where to store the region's first device number (minor 0).
 * @count: how many minors, from 0.
 * @name: the name /proc/devices lists it under; must outlive the region.
 *
 * Return: 0, or a negative errno; @devt is written only on success.
 */
int kcxx_alloc_chrdev_region(unsigned int *devt, unsigned int count, const char *name);

/**
 * kcxx_unregister_chrdev_region() - unregister_chrdev_region().
 * @devt: a device number kcxx_alloc_chrdev_region() returned.
 * @count: the count it was given.
 */
void kcxx_unregister_chrdev_region(unsigned int devt, unsigned int count);

/**
 * kcxx_cdev_add() - cdev_alloc() and cdev_add() of one minor, its tables sealed.
 * @cdev: where to store the handle.
 * @devt: the device number it serves.
 * @room: the sealed room (sealed.h) glue lays the device's file_operations
 *        out in, with a copy of @ops for its trampolines to call.
 * @ops: what C++ implements for an open file; the file_operations get a
 *       member for each operation it has, and none for one it lacks.
 *
 * Module init only (__init): the room is read-only once init returns. The
 * kernel frees the cdev after its last reference. The file's owner is this
 * module, so an open file keeps it loaded.
 *
 * Return: 0, or a negative errno (-EBUSY when @room serves another device);
 * @cdev is written only on success.
 */
int kcxx_cdev_add(struct kcxx_cdev **cdev, unsigned int devt, struct kcxx_chrdev_room *room,
		  const struct kcxx_file_ops *ops);

/**
 * kcxx_cdev_del() - cdev_del(): the kernel frees the cdev after its last reference.
 * @cdev: a handle kcxx_cdev_add() returned.
 */
void kcxx_cdev_del(struct kcxx_cdev *cdev);

/**
 * kcxx_class_create() - a class whose devices get their mode from their driver data.
 * @cls: where to store the handle.
 * @room: the device's sealed room, the one its cdev uses. On 6.4 and later
 *        glue lays the class out there and class_register()s it; before
 *        6.4 class_create() allocates it, devnode pointer included.
 * @name: the class's name under /sys/class; must outlive the class.
 *
 * Module init only (__init).
 *
 * Return: 0, or a negative errno; @cls is written only on success.
 */
int kcxx_class_create(struct kcxx_class **cls, struct kcxx_chrdev_room *room, const char *name);

/**
 * kcxx_class_destroy() - class_unregister() or class_destroy(), as created.
 * @cls: a handle kcxx_class_create() returned.
 */
void kcxx_class_destroy(struct kcxx_class *cls);

/**
 * kcxx_device_create() - device_create(): devtmpfs makes /dev/<name>.
 * @dev: where to store the handle.
 * @cls: the class, from kcxx_class_create().
 * @devt: the device number, from kcxx_alloc_chrdev_region().
 * @name: the device's name, and its node's under /dev.
 * @mode: the node's permission bits, e.g. 0444.
 *
 * Return: 0, or a negative errno; @dev is written only on success.
 */
int kcxx_device_create(struct kcxx_device **dev, struct kcxx_class *cls, unsigned int devt,
		       const char *name, unsigned short mode);

/**
 * kcxx_device_destroy() - device_unregister(): devtmpfs removes the node.
 * @dev: a handle kcxx_device_create() returned.
 */
void kcxx_device_destroy(struct kcxx_device *dev);

/*
 * Sysctls: a ctl_table laid out in room (count + 1 entries) and registered
 * under one directory. Module init only (__init). A room serves one
 * directory: fails with EBUSY if it is taken. Names must outlive the
 * registration (string literals); data is handed back to the handler.
 * The handler gets a kernel buffer: the kernel copied the user's bytes.
 */
struct kcxx_sysctl_entry {
	const char *name;
	void *data;
	unsigned short mode;
};

typedef int (*kcxx_sysctl_handler)(void *data, int write, void *buf, unsigned long *len,
				   long long *pos);

/**
 * kcxx_register_sysctl() - register_sysctl() of a sealed table under one directory.
 * @table: where to store the handle.
 * @room: the sealed rooms (sealed.h), @count + 1 of them, glue lays the
 *        ctl_table out in, a sentinel last.
 * @dir: the directory under /proc/sys, e.g. "json-sysctl".
 * @entries: the sysctls; glue copies them, their names must outlive the table.
 * @count: the number of @entries.
 * @handler: called for every read and write of each of them.
 *
 * Module init only (__init): the rooms are read-only once init returns.
 *
 * Return: 0, or a negative errno (-EBUSY when @room serves another
 * directory, -ENOMEM where the kernel reports none); @table is written
 * only on success.
 */
int kcxx_register_sysctl(struct kcxx_sysctl **table, struct kcxx_sysctl_room *room, const char *dir,
			 const struct kcxx_sysctl_entry *entries, unsigned int count,
			 kcxx_sysctl_handler handler);

/**
 * kcxx_unregister_sysctl() - unregister_sysctl_table().
 * @table: a handle kcxx_register_sysctl() returned.
 */
void kcxx_unregister_sysctl(struct kcxx_sysctl *table);

/**
 * kcxx_sysctl_data() - the data of a registered sysctl, as the kernel holds it.
 * @table: a handle kcxx_register_sysctl() returned.
 * @i: the entry, below the count it was given.
 *
 * Return: the @data of entry @i of the ctl_table the kernel calls the
 * handler with.
 */
void *kcxx_sysctl_data(struct kcxx_sysctl *table, unsigned int i);

/*
 * Wait queues and poll. A wait queue is a wait_queue_head_t in storage the
 * C++ side provides, KCXX_WAIT_QUEUE_SIZE bytes aligned to
 * KCXX_WAIT_QUEUE_ALIGN (glue.c checks at compile time that the kernel's
 * fits, lockdep's debug fields included). The kernel points into it while
 * anyone waits, so it must outlive every waiter (wait_queue.h).
 */
enum { KCXX_WAIT_QUEUE_SIZE = 128, KCXX_WAIT_QUEUE_ALIGN = 8 };
/* The poll events the layer uses; glue.c checks them against the kernel's. */
enum { KCXX_POLLIN = 0x1, KCXX_POLLPRI = 0x2, KCXX_POLLRDNORM = 0x40 };

/**
 * kcxx_init_waitqueue_head() - init_waitqueue_head().
 * @wq: the queue's storage; no waiter may use it before this.
 */
void kcxx_init_waitqueue_head(struct kcxx_wait_queue *wq);

/**
 * kcxx_poll_wait() - poll_wait(): the poller of @filp sleeps on @wq.
 * @filp: the file being polled, as the poll trampoline passed it.
 * @wq: the queue a change will be announced on.
 * @table: the poller's table, as passed; nothing happens when it is null.
 */
void kcxx_poll_wait(struct kcxx_file *filp, struct kcxx_wait_queue *wq,
		    struct kcxx_poll_table *table);

/**
 * kcxx_wake_up_poll() - wake_up_interruptible_poll().
 * @wq: the queue.
 * @events: the KCXX_POLL* events that became ready; wakes every poller of
 *          @wq waiting for any of them.
 */
void kcxx_wake_up_poll(struct kcxx_wait_queue *wq, unsigned int events);

/**
 * kcxx_get_random_bytes_wait() - get_random_bytes_wait(): bytes from the kernel's CSPRNG.
 * @buf: kernel memory to fill.
 * @len: bytes to fill.
 *
 * Waits, interruptibly, until the generator is seeded (as getrandom(2)
 * does), then fills @buf.
 *
 * Return: 0, or -ERESTARTSYS when a signal ended the wait (@buf is filled
 * all the same, perhaps before the generator was seeded).
 */
int kcxx_get_random_bytes_wait(void *buf, unsigned long len);

/**
 * kcxx_add_device_randomness() - add_device_randomness(): mix bytes into the input pool.
 * @buf: the bytes.
 * @len: how many.
 *
 * Credits no entropy: the bytes only stir the pool.
 */
void kcxx_add_device_randomness(const void *buf, unsigned long len);

/* The kernel log's levels; glue.c checks them against the kernel's. */
enum {
	KCXX_LOGLEVEL_EMERG = 0,
	KCXX_LOGLEVEL_ALERT = 1,
	KCXX_LOGLEVEL_CRIT = 2,
	KCXX_LOGLEVEL_ERR = 3,
	KCXX_LOGLEVEL_WARNING = 4,
	KCXX_LOGLEVEL_NOTICE = 5,
	KCXX_LOGLEVEL_INFO = 6,
	KCXX_LOGLEVEL_DEBUG = 7,
};

/**
 * kcxx_printk() - printk() of one record at a level, its newline added.
 * @level: the record's level, 0 (KERN_EMERG) to 7 (KERN_DEBUG).
 * @fmt: a printk() format; the C++ side checks it against the arguments
 *       at compile time (printk.h).
 */
void kcxx_printk(unsigned int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/**
 * kcxx_kmalloc() - kmalloc(GFP_KERNEL): may sleep.
 * @size: bytes to allocate.
 *
 * Return: the memory, or NULL when none is left.
 */
void *kcxx_kmalloc(unsigned long size);

/**
 * kcxx_kfree() - kfree().
 * @ptr: memory from kcxx_kmalloc(), or NULL.
 */
void kcxx_kfree(const void *ptr);

/**
 * kcxx_copy_to_user() - copy_to_user().
 * @to: the user address to write, as an integer.
 * @from: kernel memory to copy.
 * @len: bytes to copy.
 *
 * Return: the number of bytes NOT copied, like the kernel's: 0 on success.
 */
unsigned long kcxx_copy_to_user(unsigned long to, const void *from, unsigned long len);

/**
 * kcxx_copy_from_user() - copy_from_user().
 * @to: kernel memory to fill.
 * @from: the user address to read, as an integer.
 * @len: bytes to copy.
 *
 * Return: the number of bytes NOT copied, like the kernel's: 0 on success.
 * The kernel zeroes the part of @to it could not fill.
 */
unsigned long kcxx_copy_from_user(void *to, unsigned long from, unsigned long len);

/*
 * RCU and processes. The read-side section is taken and left by two calls
 * (the C++ guard, rcu.h, pairs them); the task functions walk the list of
 * processes one step at a time and read one process, all inside it.
 */
struct kcxx_task;

/* A command name as get_task_comm() copies it; glue.c checks the length. */
enum { KCXX_TASK_COMM_LEN = 16 };
struct kcxx_task_comm {
	char text[KCXX_TASK_COMM_LEN];
};

/**
 * kcxx_rcu_read_lock() - rcu_read_lock(): enter an RCU read-side section.
 *
 * Pair it with kcxx_rcu_read_unlock(); nothing in between may sleep.
 */
void kcxx_rcu_read_lock(void);

/**
 * kcxx_rcu_read_unlock() - rcu_read_unlock(): leave the section.
 */
void kcxx_rcu_read_unlock(void);

/**
 * kcxx_init_task() - &init_task, the idle task the list of processes starts from.
 *
 * Return: init_task, which is no process itself (for_each_process() skips it).
 */
struct kcxx_task *kcxx_init_task(void);

/**
 * kcxx_next_task() - next_task(): the process forked after @task.
 * @task: a process, or kcxx_init_task(); inside an RCU read-side section.
 *
 * Return: the next thread group leader; init_task after the last one.
 */
struct kcxx_task *kcxx_next_task(struct kcxx_task *task);

/**
 * kcxx_task_tgid() - task_tgid_nr(): the process's pid as user space sees it.
 * @task: a process from kcxx_next_task(), in the same RCU read-side section.
 *
 * Return: its thread group id.
 */
int kcxx_task_tgid(struct kcxx_task *task);

/**
 * kcxx_get_task_comm() - get_task_comm(): copy the process's command name.
 * @comm: where to copy it; allocates nothing.
 * @task: a process from kcxx_next_task(), in the same RCU read-side section.
 */
void kcxx_get_task_comm(struct kcxx_task_comm *comm, struct kcxx_task *task);

/*
 * Filesystems: a file_system_type mounted with the fs_context API, each
 * mount a new super block (get_tree_nodev()). What C++ implements for a
 * super block; each call gets the address of its s_fs_info, where the
 * super block's private data lives.
 */
struct kcxx_filesystem;
struct kcxx_super_block;

struct kcxx_fs_ops {
	/*
	 * Fills a new super block: makes its private data in *info (from then
	 * on kill_sb frees it, also when filling fails), then calls
	 * kcxx_simple_fill_super(). Returns 0 or -errno.
	 */
	int (*fill_super)(struct kcxx_super_block *sb, void **info);
	/* The super block with a root is shutting down (put_super). */
	void (*put_super)(void **info);
	/*
	 * Ends any super block (kill_sb): calls kcxx_kill_anon_super(), then
	 * frees *info, which is null when fill_super made none.
	 */
	void (*kill_sb)(struct kcxx_super_block *sb, void **info);
};

/**
 * kcxx_register_filesystem() - register_filesystem() of the module's filesystem.
 * @fs: where to store the handle.
 * @name: what mount -t and /proc/filesystems call it; must outlive the
 *        registration (a string literal).
 * @ops: what C++ implements for a super block; glue copies it where it is
 *       sealed when init returns.
 *
 * Module init only (__init). The file_system_type is glue's, one per
 * module, writable (the kernel links it into its list and its super blocks
 * into it); its owner is this module, so a mount keeps the module loaded.
 *
 * Return: 0, or a negative errno (-EBUSY when the module registered its
 * filesystem already, -EBUSY from the kernel when the name is taken); @fs
 * is written only on success.
 */
int kcxx_register_filesystem(struct kcxx_filesystem **fs, const char *name,
			     const struct kcxx_fs_ops *ops);

/**
 * kcxx_unregister_filesystem() - unregister_filesystem().
 * @fs: a handle kcxx_register_filesystem() returned.
 */
void kcxx_unregister_filesystem(struct kcxx_filesystem *fs);

/**
 * kcxx_simple_fill_super() - simple_fill_super() with an empty root directory.
 * @sb: the super block fill_super was given.
 * @magic: its magic number, what statfs() reports as f_type.
 *
 * On success the super block's operations become the module's sealed
 * super_operations (statfs, and put_super calling the C++ one).
 *
 * Return: 0, or a negative errno (-ENOMEM); the super block has no root then.
 */
int kcxx_simple_fill_super(struct kcxx_super_block *sb, unsigned long magic);

/**
 * kcxx_kill_anon_super() - kill_anon_super(): shut the super block down.
 * @sb: the super block kill_sb was given.
 *
 * Calls put_super first when the super block has a root.
 */
void kcxx_kill_anon_super(struct kcxx_super_block *sb);

/**
 * kcxx_module_init() - build the module object; glue.c's module_init calls it.
 *
 * Implemented in C++ by KERNEL_MODULE() (module.h).
 *
 * Return: 0, or the negative errno that made loading fail.
 */
int kcxx_module_init(void);

/**
 * kcxx_module_exit() - destroy the module object; glue.c's module_exit calls it.
 *
 * Implemented in C++ by KERNEL_MODULE() (module.h).
 */
void kcxx_module_exit(void);

#ifdef __cplusplus
}
#endif

#endif /* KCXX_GLUE_H */
