// SPDX-License-Identifier: GPL-2.0
// DOC: chrdev.h - a character device with its /dev node.
//
// C header: module/glue.c (alloc_chrdev_region(), cdev_add(),
// class_create(), device_create()).
//
// Chrdev::create<File>(name, mode) takes four kernel steps, each held by its
// own Owned: a region of one minor (listed as `name` in /proc/devices), the
// cdev serving File, a class, and the device that makes devtmpfs create
// /dev/<name> with mode. If a step fails, the steps already taken are
// destroyed on the way out; the destructor undoes all four in reverse.
// While a File is open the module cannot be unloaded (the cdev's owner).
//
// The tables the kernel calls through for the device (its file_operations,
// and on 6.4 and later its class) live in a room per File type, sealed when
// module init returns (glue.h), so create() belongs in module init and a
// File type serves one device: a second create<File>() fails with EBUSY.
#pragma once

#include "file_operations.h"
#include "glue.h"
#include "owned.h"
#include "result.h"
#include "sealed.h"
#include "types.h"

class Chrdev {
public:
	/**
	 * create() - register /dev/<name>, a character device serving File.
	 *
	 * Return: the registration. Fails with EBUSY if File serves a device
	 * already, else with the errno of the first kernel step that failed;
	 * nothing stays registered then.
	 */
	template <typename File> static Result<Chrdev> create(const char* name, Mode mode)
	{
		auto region = TRY(acquire<Region>(jsc_alloc_chrdev_region, name));
		jsc_chrdev_room* room = sealed_room<jsc_chrdev_room, File>();
		auto cdev = TRY(
			acquire<Cdev>(jsc_cdev_add, region.get(), room, &file_operations<File>));
		auto device_class = TRY(acquire<Class>(jsc_class_create, room, name));
		auto node = TRY(acquire<Node>(jsc_device_create, device_class.get(), region.get(),
					      name, mode.bits));
		return Chrdev(move(region), move(cdev), move(device_class), move(node));
	}

private:
	using Region = Owned<u32, jsc_unregister_chrdev_region>;
	using Cdev = Owned<jsc_cdev*, jsc_cdev_del>;
	using Class = Owned<jsc_class*, jsc_class_destroy>;
	using Node = Owned<jsc_device*, jsc_device_destroy>;

	Chrdev(Region region, Cdev cdev, Class device_class, Node node)
		: m_region(move(region)), m_cdev(move(cdev)), m_class(move(device_class)),
		  m_node(move(node))
	{
	}

	// Acquisition order; C++ destroys members in reverse.
	Region m_region;
	Cdev m_cdev;
	Class m_class;
	Node m_node;
};
