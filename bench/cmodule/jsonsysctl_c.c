// SPDX-License-Identifier: GPL-2.0
/*
 * jsonsysctl_c: the benchmark's yardstick, NOT the product.
 *
 * The same module as jsonsysctl.ko, written by hand in plain kernel C with
 * the usual idioms (scnprintf, simple_read_from_buffer, a goto ladder), so
 * that `make bench` can compare the C++ module against what a C developer
 * would write. Same user-visible behaviour: /proc/sys/json-sysctl/{a,b,c}
 * (0644) and /dev/json (0444) serving one snapshot per open file.
 * Built by `make cmodule` or `make bench`; never installed.
 */
#include <linux/atomic.h>
#include <linux/cdev.h>
#include <linux/device.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/sysctl.h>
#include <linux/version.h>

static bool values[3];
static const char *const names[3] = { "a", "b", "c" };

#define TAKEN (1u << 3)

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 11, 0)
static int bool_handler(const struct ctl_table *t, int write, void *buf, size_t *len, loff_t *pos)
#else
static int bool_handler(struct ctl_table *t, int write, void *buf, size_t *len, loff_t *pos)
#endif
{
	bool *value = t->data;
	char text[2];
	size_t start, n;
	char *p = buf, *end;

	if (!write) {
		text[0] = READ_ONCE(*value) ? '1' : '0';
		text[1] = '\n';
		start = min_t(size_t, *pos, sizeof(text));
		n = min_t(size_t, *len, sizeof(text) - start);
		memcpy(buf, text + start, n);
		*len = n;
		*pos += n;
		return 0;
	}
	if (*pos == 0) {
		if (*len >= PAGE_SIZE)
			return -EINVAL;
		end = p + *len;
		while (p < end && (*p == ' ' || *p == '\t' || *p == '\n'))
			p++;
		while (end > p && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\n'))
			end--;
		if (end - p != 1 || (*p != '0' && *p != '1'))
			return -EINVAL;
		WRITE_ONCE(*value, *p == '1');
	}
	*pos += *len;
	return 0;
}

static struct ctl_table table[] = {
	{ .procname = "a", .data = &values[0], .mode = 0644, .proc_handler = bool_handler },
	{ .procname = "b", .data = &values[1], .mode = 0644, .proc_handler = bool_handler },
	{ .procname = "c", .data = &values[2], .mode = 0644, .proc_handler = bool_handler },
	{}
};

struct json_file {
	atomic_t snapshot;
};

static unsigned int load_values(void)
{
	unsigned int bits = TAKEN;
	int i;

	for (i = 0; i < ARRAY_SIZE(values); i++)
		bits |= READ_ONCE(values[i]) << i;
	return bits;
}

static int json_open(struct inode *inode, struct file *file)
{
	struct json_file *f = kzalloc(sizeof(*f), GFP_KERNEL);

	if (!f)
		return -ENOMEM;
	file->private_data = f;
	return 0;
}

static int json_release(struct inode *inode, struct file *file)
{
	kfree(file->private_data);
	return 0;
}

static ssize_t json_read(struct file *file, char __user *buf, size_t len, loff_t *pos)
{
	struct json_file *f = file->private_data;
	unsigned int bits;
	char doc[64];
	int n;

	if (*pos == 0) {
		bits = load_values();
		atomic_set(&f->snapshot, bits);
	} else {
		bits = atomic_read(&f->snapshot);
		if (!(bits & TAKEN)) {
			/* First read, not at 0: racing first reads agree on one. */
			unsigned int now = load_values();
			unsigned int old = atomic_cmpxchg(&f->snapshot, bits, now);

			bits = old == bits ? now : old;
		}
	}
	n = scnprintf(doc, sizeof(doc), "{\"%s\":%s,\"%s\":%s,\"%s\":%s}\n", names[0],
		      bits & 1 ? "true" : "false", names[1], bits & 2 ? "true" : "false", names[2],
		      bits & 4 ? "true" : "false");
	return simple_read_from_buffer(buf, len, pos, doc, n);
}

static const struct file_operations json_fops = {
	.owner = THIS_MODULE,
	.open = json_open,
	.read = json_read,
	.release = json_release,
	.llseek = default_llseek,
};

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
static char *json_devnode(const struct device *dev, umode_t *mode)
#else
static char *json_devnode(struct device *dev, umode_t *mode)
#endif
{
	if (mode)
		*mode = 0444;
	return NULL;
}

static struct ctl_table_header *header;
static dev_t devt;
static struct cdev cdev;
static struct class *json_class;
static struct device *device;

static int __init jsonsysctl_c_init(void)
{
	int err;

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 6, 0)
	header = register_sysctl_sz("json-sysctl", table, ARRAY_SIZE(table) - 1);
#else
	header = register_sysctl("json-sysctl", table);
#endif
	if (!header)
		return -ENOMEM;
	err = alloc_chrdev_region(&devt, 0, 1, "json");
	if (err)
		goto out_sysctl;
	cdev_init(&cdev, &json_fops);
	cdev.owner = THIS_MODULE;
	err = cdev_add(&cdev, devt, 1);
	if (err)
		goto out_region;
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 4, 0)
	json_class = class_create("json");
#else
	json_class = class_create(THIS_MODULE, "json");
#endif
	if (IS_ERR(json_class)) {
		err = PTR_ERR(json_class);
		goto out_cdev;
	}
	json_class->devnode = json_devnode;
	device = device_create(json_class, NULL, devt, NULL, "json");
	if (IS_ERR(device)) {
		err = PTR_ERR(device);
		goto out_class;
	}
	return 0;

out_class:
	class_destroy(json_class);
out_cdev:
	cdev_del(&cdev);
out_region:
	unregister_chrdev_region(devt, 1);
out_sysctl:
	unregister_sysctl_table(header);
	return err;
}

static void __exit jsonsysctl_c_exit(void)
{
	device_destroy(json_class, devt);
	class_destroy(json_class);
	cdev_del(&cdev);
	unregister_chrdev_region(devt, 1);
	unregister_sysctl_table(header);
}

module_init(jsonsysctl_c_init);
module_exit(jsonsysctl_c_exit);
MODULE_LICENSE("GPL");
MODULE_AUTHOR("jsonsysctl developers");
MODULE_DESCRIPTION("Benchmark yardstick: jsonsysctl written by hand in C");
MODULE_VERSION("1.0");
