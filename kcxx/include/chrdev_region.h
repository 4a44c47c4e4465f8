// SPDX-License-Identifier: GPL-2.0
// DOC: chrdev_region.h - a major number and a range of minors.
//
// C header: kcxx/glue.c (alloc_chrdev_region(), unregister_chrdev_region()).
//
// ChrdevRegion::create(name, minors) asks the kernel for a free major with
// minors 0 to minors - 1, listed as `name` in /proc/devices until the
// region is destroyed. It serves no file by itself: a cdev does
// (chrdev.h). Move-only; a moved-from region releases nothing.
#pragma once

#include "glue.h"
#include "owned.h"
#include "result.h"
#include "types.h"

namespace kcxx {

class ChrdevRegion {
public:
	/**
	 * create() - allocate a region of minors under a free major.
	 * name must be a string literal: the kernel keeps pointing at it.
	 *
	 * Return: the region. Fails with the kernel's errno (EBUSY when no
	 * major is free, EINVAL for no minors).
	 */
	static Result<ChrdevRegion> create(const char* name, u32 minors)
	{
		u32 first;
		TRY(to_result(kcxx_alloc_chrdev_region(&first, minors, name)));
		return ChrdevRegion(Region({first, minors}));
	}

	// The device number of minor (0 <= minor < minors()).
	u32 devt(u32 minor = 0) const { return m_region.get().first + minor; }
	u32 minors() const { return m_region.get().minors; }

private:
	struct Range {
		u32 first;
		u32 minors;
		bool operator==(const Range&) const = default;
	};
	static void unregister(Range range)
	{
		kcxx_unregister_chrdev_region(range.first, range.minors);
	}
	using Region = Owned<Range, unregister>;

	explicit ChrdevRegion(Region region) : m_region(move(region)) {}

	Region m_region;
};

} // namespace kcxx
