// SPDX-License-Identifier: GPL-2.0
// DOC: sealed.h - storage that becomes read-only when module init returns.
//
// C header: kcxx/glue.c (which lays kernel tables out in it); the
// kernel's __ro_after_init.
//
// sealed_room<Room, Key>() is the address of one zeroed Room per Key in
// the section the kernel's __ro_after_init uses, .data..ro_after_init: the
// module loader leaves it writable while module init runs and makes it
// read-only when init returns (6.1 and later with STRICT_MODULE_RWX, on in
// Debian's kernels). Glue lays out the tables the kernel calls through in
// such rooms during init, so none of them can be written afterwards.
//
// Why asm: GCC 12 silently drops a section attribute from whatever a
// template instantiates (GCC bug 70435), so a room per Key cannot be a
// template variable. Instead each instantiation of sealed_room() emits its
// own room. It must stay a single out-of-line function, never inlined or
// cloned, so every caller of a Key reaches one room: GCC's noipa says so;
// clang ignores noipa, and its noinline is enough there (clang clones no
// function without LTO; the kernels we build for have none). (Each
// object file that instantiates it emits a room; the linker keeps one copy
// of the function, so a second object's room is unused, never a second
// live one.) It emits no symbol of
// its own: 6.1's loader seals only the first section of that name, and a
// room lands in the one this object shares with glue.c's. Both are tested
// on the built module (scripts/check-sealed.py): the module has one
// .data..ro_after_init, and only sealed_room() functions, each once, point
// into a room.
#pragma once

#include "types.h"

namespace kcxx {

// The address of the room just emitted, as this architecture takes it.
#if defined(__x86_64__)
#define KCXX_ROOM_ADDRESS "lea 0b(%%rip), %[room]"
#elif defined(__aarch64__)
#define KCXX_ROOM_ADDRESS "adrp %[room], 0b\n\tadd %[room], %[room], :lo12:0b"
#else
#error "sealed.h: say how this architecture takes a label's address"
#endif

#if defined(__clang__)
#define KCXX_ONE_COPY gnu::noinline
#else
#define KCXX_ONE_COPY gnu::noipa
#endif

template <typename Room, typename Key> [[KCXX_ONE_COPY]] Room* sealed_room()
{
	Room* room;
	asm(".pushsection .data..ro_after_init, \"aw\", %%progbits\n\t"
	    ".balign %c[align]\n"
	    "0:\t.zero %c[size]\n\t"
	    ".popsection\n\t" KCXX_ROOM_ADDRESS
	    : [room] "=r"(room)
	    : [size] "i"(sizeof(Room)), [align] "i"(alignof(Room)));
	return room;
}

} // namespace kcxx
