// SPDX-License-Identifier: GPL-2.0
// DOC: char_devices.h - a region of minors, each served by a File type.
//
// C header: kcxx/glue.c (alloc_chrdev_region(), cdev_add()).
//
// CharDevices<Files...>::create(name) allocates a region of one minor per
// File (chrdev_region.h), listed as `name` in /proc/devices, and adds a
// cdev for each: minor i is served by the i-th File (file_operations.h).
// No /dev node is made (chrdev.h makes one for a single File); mknod with
// the major from /proc/devices reaches them. If a step fails, the steps
// already taken are destroyed on the way out; the destructor removes the
// cdevs from the last minor to the first, then the region. While any of
// the files is open the module cannot be unloaded (each cdev's owner).
//
// Each File type's tables live in a room of its own, sealed when module
// init returns (glue.h): create() belongs in module init, and a File type
// serves one minor of one device (a second cdev for it fails with EBUSY).
#pragma once

#include "chrdev_region.h"
#include "file_operations.h"
#include "glue.h"
#include "owned.h"
#include "result.h"
#include "sealed.h"
#include "types.h"

namespace kcxx {

template <typename... Files> class CharDevices {
	static constexpr u32 count = sizeof...(Files);
	static_assert(count > 0, "a region serves at least one File");

public:
	/**
	 * create() - register minors 0 to count - 1 of a new region, name.
	 * name must be a string literal: the kernel keeps pointing at it.
	 *
	 * Return: the registration. Fails with EBUSY if a File serves a minor
	 * already, else with the errno of the first kernel step that failed;
	 * nothing stays registered then.
	 */
	static Result<CharDevices> create(const char* name)
	{
		auto region = TRY(ChrdevRegion::create(name, count));
		CharDevices devices(move(region));
		TRY((devices.template add<0, Files...>()));
		return devices;
	}

	const ChrdevRegion& region() const { return m_region; }

private:
	using Cdev = Owned<kcxx_cdev*, kcxx_cdev_del>;

	explicit CharDevices(ChrdevRegion region) : m_region(move(region)) {}

	// The cdevs of minor and up, one for each File from there.
	template <u32 minor, typename File, typename... Rest> Result<void> add()
	{
		kcxx_chrdev_room* room = sealed_room<kcxx_chrdev_room, File>();
		m_cdevs[minor] = TRY(acquire<Cdev>(kcxx_cdev_add, m_region.devt(minor), room,
						   &file_operations<File>));
		if constexpr (sizeof...(Rest) > 0)
			return add<minor + 1, Rest...>();
		else
			return {};
	}

	// Acquisition order; C++ destroys members (and array elements) in reverse.
	ChrdevRegion m_region;
	Cdev m_cdevs[count];
};

} // namespace kcxx
