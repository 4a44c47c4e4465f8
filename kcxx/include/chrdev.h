// SPDX-License-Identifier: GPL-2.0
// DOC: chrdev.h - a character device with its /dev node.
//
// C header: kcxx/glue.c (cdev_add(), class_create(), device_create()).
//
// Chrdev::create<File>(name, mode) takes four kernel steps, each held by its
// own object: a region of one minor (listed as `name` in /proc/devices,
// chrdev_region.h), the
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

#include "chrdev_region.h"
#include "file_operations.h"
#include "glue.h"
#include "owned.h"
#include "result.h"
#include "sealed.h"
#include "types.h"

namespace kcxx {

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
		auto region = TRY(ChrdevRegion::create(name, 1));
		kcxx_chrdev_room* room = sealed_room<kcxx_chrdev_room, File>();
		auto cdev = TRY(
			acquire<Cdev>(kcxx_cdev_add, region.devt(), room, &file_operations<File>));
		auto device_class = TRY(acquire<Class>(kcxx_class_create, room, name));
		auto node = TRY(acquire<Node>(kcxx_device_create, device_class.get(), region.devt(),
					      name, mode.bits));
		return Chrdev(move(region), move(cdev), move(device_class), move(node));
	}

private:
	using Cdev = Owned<kcxx_cdev*, kcxx_cdev_del>;
	using Class = Owned<kcxx_class*, kcxx_class_destroy>;
	using Node = Owned<kcxx_device*, kcxx_device_destroy>;

	Chrdev(ChrdevRegion region, Cdev cdev, Class device_class, Node node)
		: m_region(move(region)), m_cdev(move(cdev)), m_class(move(device_class)),
		  m_node(move(node))
	{
	}

	// Acquisition order; C++ destroys members in reverse.
	ChrdevRegion m_region;
	Cdev m_cdev;
	Class m_class;
	Node m_node;
};

} // namespace kcxx
