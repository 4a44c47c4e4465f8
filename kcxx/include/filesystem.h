// SPDX-License-Identifier: GPL-2.0
// DOC: filesystem.h - a filesystem you can mount, whose super blocks own
// their data.
//
// C header: kcxx/glue.c (register_filesystem(), the fs_context mount API:
// get_tree_nodev(), simple_fill_super(), kill_anon_super()).
//
// FileSystem::create<Fs>() registers Fs as Fs::name, listed in
// /proc/filesystems until the registration is destroyed. Each
// `mount -t <name> none DIR` makes a new super block, with no device, whose
// root is an empty directory. Fs provides
//
//	static constexpr char name[] = "testfs"; // what mount -t takes
//	static constexpr u32 magic = ...;         // statfs()'s f_type
//	struct Info;                             // a super block's private data
//	static Result<void> fill_super(Info& info);
//
// and may provide `static void put_super(Info& info)`.
//
// Who owns Info: filling a super block makes one (`new (nothrow) Info()`; a
// mount fails with ENOMEM when that fails) and hands it to the super block
// at once (its s_fs_info); then Fs::fill_super() sets it up, then the root
// is made. The kernel ends every super block with kill_sb, also one whose
// filling failed at any of those steps, and that is where Info is
// destroyed: after the kernel has shut the super block down, which calls
// put_super first if the super block got its root. So Info is destroyed
// exactly once, on every path, and whatever it owns goes with it.
//
// The filesystem pins its module while mounted: rmmod fails "in use". The
// kernel writes into the file_system_type after registering it, so it is
// writable static data in glue.c, one per module: a second create() fails
// with EBUSY. What the kernel calls through besides is read-only or sealed
// when init returns (glue.h), so create() belongs in module init.
#pragma once

#include "glue.h"
#include "owned.h"
#include "result.h"
#include "types.h"

namespace kcxx {

// Whether Fs has put_super() (decided at compile time).
// (clang-format 14 cannot lay out a requires-expression.)
// clang-format off
template <typename Fs>
concept HasPutSuper = requires(typename Fs::Info& info) {
	Fs::put_super(info);
};
// clang-format on

template <typename Fs> struct FileSystemAdapter {
	using Info = typename Fs::Info;

	static void destroy(Info* info) { delete info; }

	static int fill_super(kcxx_super_block* sb, void** slot)
	{
		Info* info = new (nothrow) Info();
		if (!info)
			return ENOMEM().to_errno();
		*slot = info; // The super block owns it from here: kill_sb() frees it.
		auto filled = Fs::fill_super(*info);
		if (filled.is_error())
			return filled.error().to_errno();
		return kcxx_simple_fill_super(sb, Fs::magic);
	}

	static void put_super(void** slot)
	{
		if constexpr (HasPutSuper<Fs>)
			Fs::put_super(*static_cast<Info*>(*slot));
	}

	static void kill_sb(kcxx_super_block* sb, void** slot)
	{
		// Destroyed on the way out, after the shutdown, which may call
		// put_super(); null when filling failed before making it.
		Owned<Info*, destroy> info(static_cast<Info*>(*slot));
		kcxx_kill_anon_super(sb);
	}
};

template <typename Fs>
inline constexpr kcxx_fs_ops filesystem_operations = {
	.fill_super = FileSystemAdapter<Fs>::fill_super,
	.put_super = FileSystemAdapter<Fs>::put_super,
	.kill_sb = FileSystemAdapter<Fs>::kill_sb,
};

class FileSystem {
public:
	/**
	 * create() - register Fs, mountable as Fs::name.
	 *
	 * Return: the registration; unregistered when destroyed. Fails with
	 * EBUSY if the module registered a filesystem already or the name is
	 * taken, else with the kernel's errno.
	 */
	template <typename Fs> static Result<FileSystem> create()
	{
		auto type = TRY(acquire<Type>(kcxx_register_filesystem, Fs::name,
					      &filesystem_operations<Fs>));
		return FileSystem(move(type));
	}

private:
	using Type = Owned<kcxx_filesystem*, kcxx_unregister_filesystem>;
	explicit FileSystem(Type type) : m_type(move(type)) {}

	Type m_type;
};

} // namespace kcxx
