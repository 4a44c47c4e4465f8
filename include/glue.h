/* SPDX-License-Identifier: GPL-2.0 */
/*
 * DOC: glue.h - the C boundary between the C++ layer and the kernel.
 *
 * C header: module/glue.c, the only file that includes kernel headers.
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
#ifndef JSC_GLUE_H
#define JSC_GLUE_H

#ifdef __cplusplus
extern "C" {
#endif

/* glue.c checks these against the kernel's own values at compile time. */
enum { JSC_PAGE_SIZE = 4096, JSC_MAX_ERRNO = 4095 };

struct jsc_cdev;
struct jsc_class;
struct jsc_device;
struct jsc_sysctl;
struct jsc_file;
struct jsc_poll_table;
struct jsc_wait_queue;

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
enum { JSC_CHRDEV_ROOM_WORDS = 64, JSC_SYSCTL_ROOM_WORDS = 8 };

/* One character device's tables. */
struct jsc_chrdev_room {
	void *words[JSC_CHRDEV_ROOM_WORDS];
};

/* One ctl_table entry; a directory of N sysctls takes N + 1 (a sentinel). */
struct jsc_sysctl_room {
	void *words[JSC_SYSCTL_ROOM_WORDS];
};

/*
 * Character devices: what C++ implements for an open file. Each call gets
 * the address of the file's private_data: the open file's state lives in
 * that pointer-sized slot or where it points.
 */
struct jsc_file_ops {
	/* Makes this open file's state in *file. Returns 0 or -errno. */
	int (*open)(void **file);
	/* Reads into user memory at ubuf; returns bytes read or -errno. */
	long (*read)(void **file, unsigned long ubuf, unsigned long len, long long *pos);
	/*
	 * Adds the poller to the wait queues it sleeps on (jsc_poll_wait() with
	 * filp and table) and returns the JSC_POLL* events ready now. Null when
	 * the file has no poll(): glue then gives the kernel a table without
	 * .poll, so the file behaves as before (select() and poll() see it
	 * always ready, epoll_ctl() refuses it with EPERM).
	 */
	unsigned int (*poll)(void **file, struct jsc_file *filp, struct jsc_poll_table *table);
	/* Frees what open() made; null when there is nothing to free. */
	void (*release)(void **file);
};

/* alloc_chrdev_region() of one minor. */
int jsc_alloc_chrdev_region(unsigned int *devt, const char *name);
void jsc_unregister_chrdev_region(unsigned int devt);

/*
 * cdev_alloc() + cdev_add() of a cdev whose file_operations glue lays out
 * in room, with a copy of ops for its trampolines to call. Module init
 * only (__init). A room serves one device: fails with EBUSY if it is
 * taken. The file's owner is this module. The kernel frees the cdev after
 * its last reference; jsc_cdev_del() drops glue's.
 */
int jsc_cdev_add(struct jsc_cdev **cdev, unsigned int devt, struct jsc_chrdev_room *room,
		 const struct jsc_file_ops *ops);
void jsc_cdev_del(struct jsc_cdev *cdev);

/*
 * A class named name whose devnode gives each device its mode. On 6.4 and
 * later glue lays out the class in room (the one its cdev uses) and
 * registers it (class_register()); before 6.4 class_create() allocates it.
 * Module init only (__init).
 */
int jsc_class_create(struct jsc_class **cls, struct jsc_chrdev_room *room, const char *name);
void jsc_class_destroy(struct jsc_class *cls);

/* device_create(): devtmpfs makes /dev/<name> with the given mode. */
int jsc_device_create(struct jsc_device **dev, struct jsc_class *cls, unsigned int devt,
		      const char *name, unsigned short mode);
void jsc_device_destroy(struct jsc_device *dev);

/*
 * Sysctls: a ctl_table laid out in room (count + 1 entries) and registered
 * under one directory. Module init only (__init). A room serves one
 * directory: fails with EBUSY if it is taken. Names must outlive the
 * registration (string literals); data is handed back to the handler.
 * The handler gets a kernel buffer: the kernel copied the user's bytes.
 */
struct jsc_sysctl_entry {
	const char *name;
	void *data;
	unsigned short mode;
};
typedef int (*jsc_sysctl_handler)(void *data, int write, void *buf, unsigned long *len,
				  long long *pos);
int jsc_register_sysctl(struct jsc_sysctl **table, struct jsc_sysctl_room *room, const char *dir,
			const struct jsc_sysctl_entry *entries, unsigned int count,
			jsc_sysctl_handler handler);
void jsc_unregister_sysctl(struct jsc_sysctl *table);

/*
 * Wait queues and poll. A wait queue is a wait_queue_head_t in storage the
 * C++ side provides, JSC_WAIT_QUEUE_SIZE bytes aligned to
 * JSC_WAIT_QUEUE_ALIGN (glue.c checks at compile time that the kernel's
 * fits, lockdep's debug fields included). The kernel points into it while
 * anyone waits, so it must outlive every waiter (wait_queue.h).
 */
enum { JSC_WAIT_QUEUE_SIZE = 128, JSC_WAIT_QUEUE_ALIGN = 8 };
/* The poll events the layer uses; glue.c checks them against the kernel's. */
enum { JSC_POLLIN = 0x1, JSC_POLLPRI = 0x2, JSC_POLLERR = 0x8, JSC_POLLRDNORM = 0x40 };

/* init_waitqueue_head(). */
void jsc_init_waitqueue_head(struct jsc_wait_queue *wq);
/* poll_wait(): the poller of filp sleeps on wq (nothing when table is null). */
void jsc_poll_wait(struct jsc_file *filp, struct jsc_wait_queue *wq, struct jsc_poll_table *table);
/* wake_up_interruptible_poll(): wakes every poller of wq waiting for any of events. */
void jsc_wake_up_poll(struct jsc_wait_queue *wq, unsigned int events);

/* kmalloc(GFP_KERNEL) and kfree(). */
void *jsc_kmalloc(unsigned long size);
void jsc_kfree(const void *ptr);

/* Both return the number of bytes NOT copied, like the kernel's. */
unsigned long jsc_copy_to_user(unsigned long to, const void *from, unsigned long len);
unsigned long jsc_copy_from_user(void *to, unsigned long from, unsigned long len);

/* Implemented in C++ by KERNEL_MODULE() (module.h); glue.c's init and exit call them. */
int jsc_module_init(void);
void jsc_module_exit(void);

#ifdef __cplusplus
}
#endif

#endif /* JSC_GLUE_H */
