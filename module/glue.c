// SPDX-License-Identifier: GPL-2.0
/*
 * The C boundary: the only file that includes kernel headers.
 *
 * One-line shims named after what they wrap, each one kernel step; the C++
 * layer composes them and unwinds them with destructors. Kernel-version
 * differences live here and nowhere else.
 */
#include <linux/cdev.h>
#include <linux/device.h>
#include <linux/errno.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/sysctl.h>
#include <linux/uaccess.h>
#include <linux/version.h>
#include <linux/wait.h>

#include "glue.h"

static_assert(JSC_PAGE_SIZE == PAGE_SIZE);
static_assert(JSC_MAX_ERRNO == MAX_ERRNO);
static_assert(sizeof(unsigned long) == sizeof(size_t));
static_assert(sizeof(long long) == sizeof(loff_t));
static_assert(sizeof(unsigned int) == sizeof(dev_t));
static_assert(sizeof(wait_queue_head_t) <= JSC_WAIT_QUEUE_SIZE,
	      "this kernel's wait_queue_head_t is larger: raise JSC_WAIT_QUEUE_SIZE in glue.h");
static_assert(__alignof__(wait_queue_head_t) <= JSC_WAIT_QUEUE_ALIGN);
static_assert(JSC_POLLIN == (__force unsigned int)EPOLLIN);
static_assert(JSC_POLLPRI == (__force unsigned int)EPOLLPRI);
static_assert(JSC_POLLERR == (__force unsigned int)EPOLLERR);
static_assert(JSC_POLLRDNORM == (__force unsigned int)EPOLLRDNORM);

/*
 * Test-only fault injection: fail_step=N makes the N-th glue step of module
 * init fail with ECANCELED, so the suite can prove every step unwinds.
 */
static unsigned int fail_step;
module_param(fail_step, uint, 0444);
MODULE_PARM_DESC(fail_step, "Test only: make the N-th init step fail (0: never)");

static int injected_fault(void)
{
	static unsigned int step;

	return fail_step && ++step == fail_step ? -ECANCELED : 0;
}

/* Character devices. */

/*
 * A device's cdev is the kernel's own (cdev_alloc()): its kobject frees it
 * when the last reference goes, which may be after cdev_del() returns (an
 * open file holds one; CONFIG_DEBUG_KOBJECT_RELEASE delays every release).
 * What C++ supplies is reached through the file's f_op instead, which
 * points into this glue-owned record: a copy of jsc_fops (jsc_poll_fops
 * when the ops have poll()) per device. The record is freed by
 * jsc_cdev_del(); every open file pins this module (fops .owner), so none
 * is left when unload calls it. A failing init is the exception the
 * kernel leaves to every driver: a file opened (through a node made by
 * hand) between cdev_add() and a later step's failure outlives the record,
 * as it outlives the module's code.
 */
struct jsc_cdev {
	struct cdev *cdev;
	struct file_operations fops;
	const struct jsc_file_ops *ops;
};

static const struct jsc_file_ops *file_ops(const struct file *file)
{
	return container_of(file->f_op, struct jsc_cdev, fops)->ops;
}

static int jsc_open(struct inode *inode, struct file *file)
{
	return file_ops(file)->open(&file->private_data);
}

static ssize_t jsc_read(struct file *file, char __user *buf, size_t len, loff_t *pos)
{
	return file_ops(file)->read(&file->private_data, (unsigned long)buf, len, pos);
}

static __poll_t jsc_poll(struct file *file, struct poll_table_struct *table)
{
	return (__force __poll_t)file_ops(file)->poll(&file->private_data, (struct jsc_file *)file,
						     (struct jsc_poll_table *)table);
}

static int jsc_release(struct inode *inode, struct file *file)
{
	const struct jsc_file_ops *ops = file_ops(file);

	if (ops->release)
		ops->release(&file->private_data);
	return 0;
}

/* No .write: write(2) fails with EINVAL in the VFS. Each device copies it. */
static const struct file_operations jsc_fops = {
	.owner = THIS_MODULE,
	.open = jsc_open,
	.read = jsc_read,
	.release = jsc_release,
	.llseek = default_llseek,
};

/*
 * The same with .poll, for ops that have poll(). The kernel treats a file
 * without .poll differently from any .poll it could be given (epoll_ctl()
 * refuses it), so ops without poll() keep jsc_fops and nothing changes.
 */
static const struct file_operations jsc_poll_fops = {
	.owner = THIS_MODULE,
	.open = jsc_open,
	.read = jsc_read,
	.poll = jsc_poll,
	.release = jsc_release,
	.llseek = default_llseek,
};

int jsc_alloc_chrdev_region(unsigned int *devt, const char *name)
{
	return injected_fault() ?: alloc_chrdev_region(devt, 0, 1, name);
}

void jsc_unregister_chrdev_region(unsigned int devt)
{
	unregister_chrdev_region(devt, 1);
}

int jsc_cdev_add(struct jsc_cdev **out, unsigned int devt, const struct jsc_file_ops *ops)
{
	struct jsc_cdev *c = kmalloc(sizeof(*c), GFP_KERNEL);
	int err;

	if (!c)
		return -ENOMEM;
	c->cdev = cdev_alloc();
	if (!c->cdev) {
		kfree(c);
		return -ENOMEM;
	}
	c->fops = ops->poll ? jsc_poll_fops : jsc_fops;
	c->ops = ops;
	c->cdev->ops = &c->fops;
	c->cdev->owner = THIS_MODULE;
	err = injected_fault() ?: cdev_add(c->cdev, devt, 1);
	if (err) {
		kobject_put(&c->cdev->kobj);
		kfree(c);
		return err;
	}
	*out = c;
	return 0;
}

void jsc_cdev_del(struct jsc_cdev *c)
{
	cdev_del(c->cdev);
	kfree(c);
}

/* The device's mode travels as its driver data; devtmpfs asks for it here. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
static char *jsc_devnode(const struct device *dev, umode_t *mode)
#else
static char *jsc_devnode(struct device *dev, umode_t *mode)
#endif
{
	if (mode)
		*mode = (umode_t)(uintptr_t)dev_get_drvdata(dev);
	return NULL;
}

int jsc_class_create(struct jsc_class **out, const char *name)
{
	struct class *cls;
	int err = injected_fault();

	if (err)
		return err;
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 4, 0)
	cls = class_create(name);
#else
	cls = class_create(THIS_MODULE, name);
#endif
	if (IS_ERR(cls))
		return PTR_ERR(cls);
	cls->devnode = jsc_devnode;
	*out = (struct jsc_class *)cls;
	return 0;
}

void jsc_class_destroy(struct jsc_class *cls)
{
	class_destroy((struct class *)cls);
}

int jsc_device_create(struct jsc_device **out, struct jsc_class *cls, unsigned int devt,
		      const char *name, unsigned short mode)
{
	struct device *dev;
	int err = injected_fault();

	if (err)
		return err;
	dev = device_create((struct class *)cls, NULL, devt, (void *)(uintptr_t)mode, "%s", name);
	if (IS_ERR(dev))
		return PTR_ERR(dev);
	*out = (struct jsc_device *)dev;
	return 0;
}

void jsc_device_destroy(struct jsc_device *dev)
{
	device_unregister((struct device *)dev);
}

/* Sysctls. */

struct jsc_sysctl {
	struct ctl_table_header *header;
	jsc_sysctl_handler handler;
	struct ctl_table table[]; /* count entries and a zeroed sentinel */
};

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 11, 0)
static int jsc_proc_handler(const struct ctl_table *t, int write, void *buf, size_t *len,
			    loff_t *pos)
#else
static int jsc_proc_handler(struct ctl_table *t, int write, void *buf, size_t *len,
			    loff_t *pos)
#endif
{
	const struct jsc_sysctl *s = t->extra1;

	return s->handler(t->data, write, buf, len, pos);
}

int jsc_register_sysctl(struct jsc_sysctl **out, const char *dir,
			const struct jsc_sysctl_entry *entries, unsigned int count,
			jsc_sysctl_handler handler)
{
	struct jsc_sysctl *s;
	unsigned int i;
	int err = injected_fault();

	if (err)
		return err;
	s = kzalloc(struct_size(s, table, count + 1), GFP_KERNEL);
	if (!s)
		return -ENOMEM;
	s->handler = handler;
	for (i = 0; i < count; i++) {
		s->table[i].procname = entries[i].name;
		s->table[i].data = entries[i].data;
		s->table[i].mode = entries[i].mode;
		s->table[i].proc_handler = jsc_proc_handler;
		s->table[i].extra1 = s;
	}
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 6, 0)
	s->header = register_sysctl_sz(dir, s->table, count);
#else
	s->header = register_sysctl(dir, s->table);
#endif
	if (!s->header) {
		kfree(s);
		return -ENOMEM; /* register_sysctl() reports no errno. */
	}
	*out = s;
	return 0;
}

void jsc_unregister_sysctl(struct jsc_sysctl *s)
{
	unregister_sysctl_table(s->header);
	kfree(s);
}

/*
 * Wait queues and poll. The storage is the C++ side's (glue.h); a queue
 * that pollers of a file sleep on lives as long as the module, which every
 * such poller pins through its open file.
 */

static wait_queue_head_t *wait_queue_head(struct jsc_wait_queue *wq)
{
	return (wait_queue_head_t *)wq;
}

void jsc_init_waitqueue_head(struct jsc_wait_queue *wq)
{
	init_waitqueue_head(wait_queue_head(wq));
}

void jsc_poll_wait(struct jsc_file *filp, struct jsc_wait_queue *wq, struct jsc_poll_table *table)
{
	poll_wait((struct file *)filp, wait_queue_head(wq), (struct poll_table_struct *)table);
}

void jsc_wake_up_poll(struct jsc_wait_queue *wq, unsigned int events)
{
	wake_up_interruptible_poll(wait_queue_head(wq), (__force __poll_t)events);
}

/* Memory. */

void *jsc_kmalloc(unsigned long size)
{
	return kmalloc(size, GFP_KERNEL);
}

void jsc_kfree(const void *ptr)
{
	kfree(ptr);
}

unsigned long jsc_copy_to_user(unsigned long to, const void *from, unsigned long len)
{
	return copy_to_user((void __user *)to, from, len);
}

unsigned long jsc_copy_from_user(void *to, unsigned long from, unsigned long len)
{
	return copy_from_user(to, (const void __user *)from, len);
}

/* The module object is built and destroyed in C++ (module.h). */

static int __init jsc_init(void)
{
	return jsc_module_init();
}

static void __exit jsc_exit(void)
{
	jsc_module_exit();
}

module_init(jsc_init);
module_exit(jsc_exit);
