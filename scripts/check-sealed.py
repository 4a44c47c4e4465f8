#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Checks a built jsonsysctl.ko: nothing the kernel calls through can be
written after module init. Any module built on the layer (kcxx/).

Every relocation that takes the address of one of the module's functions
(not a call or jump to it) must sit where nothing can write it once init
returns: read-only data, the sealed .data..ro_after_init, init code or
data (freed after init), or the sections the kernel keeps about code and
never calls through (below, each with its reason). A function address
stored anywhere else, a table in .data or code outside init that writes a
function pointer (into the heap, say), fails the check. And the module has
at most one .data..ro_after_init (none when it has no sealed room), in no
section group: 6.1's loader seals only the first section of that name.

Init code may take function addresses: it runs before the seal, and it is
what fills the sealed tables. Where init code stores them is beyond a
static check (it could be the heap); userspace-tests/test_sealed.py asks the
running kernel where the f_op and ctl_table it calls through are. One such
store remains by design: before 6.4, glue's __init kcxx_class_create() sets
devnode in the class that class_create() allocates (docs/design.md, "Sealed
tables").

Two exceptions are named below, each by the symbols involved, and nothing
else passes: the file_system_type glue.c registers is writable data (the
kernel writes into it once registered), holding its init_fs_context and
kill_sb (WRITABLE); and glue's get_tree passes its fill_super to
get_tree_nodev(), which calls it and keeps it nowhere (PASSED).

And a Key's room is one room: only kcxx::sealed_room<Room, Key>() functions
(sealed.h) point into a room (the part of .data..ro_after_init no symbol
of glue.c's covers), each at exactly one. An inlined or cloned copy would
emit a room of its own, and a second create() of the same Key would find
an empty one instead of failing with EBUSY.

    scripts/check-sealed.py MODULE.ko

Prints one line per finding and exits 1, or one summary line and exits 0.
x86-64 and aarch64 ELF (what the module is built for).
"""
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "kcxx"))
from elf import (EM_AARCH64, EM_X86_64, SHF_ALLOC, SHF_EXECINSTR, SHF_GROUP,  # noqa: E402
                 SHF_WRITE, SHT_RELA, STT_FUNC, STT_OBJECT, STT_SECTION, Elf)

SEALED = ".data..ro_after_init"

# Where a function's address may be, and why that is safe.
ALLOWED = [
    (r"\.rodata(\..*)?", "read-only from load on"),
    (re.escape(SEALED), "sealed when init returns"),
    (r"\.init\..*", "init code and data, freed when init returns"),
    (r"\.gnu\.linkonce\.this_module", "the kernel's struct module: its init and exit"),
    (r"\.exit\.data", "___ADDRESSABLE(cleanup_module): keeps the symbol, never called through"),
    (r"__mcount_loc", "ftrace call sites, patched, never called through"),
    (r"__patchable_function_entries", "ftrace call sites, patched, never called through"),
    (r"\.orc_unwind(_ip)?", "unwinder tables"),
    (r"\.return_sites|\.call_sites|\.retpoline_sites", "mitigation patch sites"),
    (r"\.static_call_sites|\.ibt_endbr_seal|\.altinstructions|\.smp_locks", "patch sites"),
    (r"__ex_table|__bug_table|__jump_table", "fixup, BUG() and static-key sites, never called through"),
    (r"__kcfi_traps", "kCFI's trap sites (clang), which the kernel's cfi.c looks up, never called through"),
]
# The mangled name of kcxx::sealed_room<...>() (sealed.h).
SEALED_ROOM = "_ZN4kcxx11sealed_roomI"

# Writable data that holds function addresses by design: the object's name,
# the functions whose addresses it may hold, and why.
WRITABLE = {
    "kcxx_file_system_type": ({"kcxx_init_fs_context", "kcxx_kill_sb"},
                              "the kernel writes into a registered file_system_type"),
}
# Code outside init that takes a function's address only to pass it to the
# kernel: (the function whose code it is, the function passed), and why.
PASSED = {
    ("kcxx_get_tree", "kcxx_fill_super"): "get_tree_nodev() calls it, keeps it nowhere",
}

R_X86_64_PC32, R_X86_64_PLT32 = 2, 4
# b.cond, tbz/tbnz, b and bl: a branch's relocation never takes an address.
R_AARCH64_BRANCHES = (279, 280, 282, 283)  # TSTBR14, CONDBR19, JUMP26, CALL26


def is_code(section):
    return section["flags"] & SHF_EXECINSTR


def is_call_or_jump(elf, section, offset, typ):
    """A call, jump or branch to a function: using it, not storing its address.
    x86-64: a rel32 operand of call, jmp or jcc. aarch64: a branch relocation."""
    if elf.machine == EM_AARCH64:
        return typ in R_AARCH64_BRANCHES
    if typ not in (R_X86_64_PC32, R_X86_64_PLT32) or offset < 1:
        return False
    at = section["off"] + offset
    op = elf.data[at - 1]
    return op in (0xE8, 0xE9) or (offset >= 2 and elf.data[at - 2] == 0x0F and 0x80 <= op <= 0x8F)


def main(path):
    elf = Elf(path)
    if elf.machine not in (EM_X86_64, EM_AARCH64):
        sys.exit(f"{path}: machine {elf.machine}: say how its calls are relocated")
    sections = elf.sections
    symbols = elf.symbols
    functions = [s for s in symbols if s["type"] == STT_FUNC and 0 < s["shndx"] < len(sections)]

    objects = [s for s in symbols if s["type"] == STT_OBJECT and 0 < s["shndx"] < len(sections)]

    def symbol_at(candidates, shndx, offset):
        for f in candidates:
            if f["shndx"] == shndx and f["value"] <= offset < f["value"] + max(f["size"], 1):
                return f["name"]
        return None

    def function_at(shndx, offset):
        return symbol_at(functions, shndx, offset) or f"{sections[shndx]['name']}+{offset:#x}"

    excepted = {}  # What the named exceptions let pass, said in the summary.

    findings = []
    sealed = [s for s in sections if s["name"] == SEALED]
    if len(sealed) > 1:
        findings.append(f"{len(sealed)} {SEALED} sections, not 1: 6.1's loader seals only the first")
    findings += [f"{SEALED} is in a section group: a second one may come with it"
                 for s in sealed if s["flags"] & SHF_GROUP]

    # Where code points into a room: function name -> room addresses.
    rooms = {}
    sealed_index = [i for i, s in enumerate(sections) if s["name"] == SEALED]
    glue_data = [s for s in symbols if s["type"] == STT_OBJECT and s["shndx"] in sealed_index]
    for rela in sections:
        if rela["type"] != SHT_RELA or not is_code(sections[rela["info"]]):
            continue
        where = sections[rela["info"]]
        for offset, sym, typ, addend in elf.relocations(rela):
            s = symbols[sym]
            if s["shndx"] not in sealed_index:
                continue
            x86_rel32 = elf.machine == EM_X86_64 and typ in (R_X86_64_PC32, R_X86_64_PLT32)
            address = s["value"] + addend + (4 if x86_rel32 else 0)
            if any(d["shndx"] == s["shndx"] and d["value"] <= address < d["value"] + d["size"]
                   for d in glue_data):
                continue  # A variable of glue.c's, not a room.
            name = function_at(rela["info"], offset)
            rooms.setdefault(name, set()).add((s["shndx"], address))
    for name, addresses in sorted(rooms.items()):
        if not name.startswith(SEALED_ROOM) or "." in name:
            findings.append(f"{name} points into a sealed room: sealed_room() was inlined or "
                            f"cloned there, and each copy has a room of its own (sealed.h)")
        elif len(addresses) != 1:
            findings.append(f"{name} points into {len(addresses)} sealed rooms, not 1 (sealed.h)")

    taken = {}  # Section name: function addresses it holds.
    for rela in sections:
        if rela["type"] != SHT_RELA:
            continue
        where = sections[rela["info"]]
        if not where["flags"] & SHF_ALLOC:
            continue  # Debug info and the like: never loaded.
        for offset, sym, typ, addend in elf.relocations(rela):
            s = symbols[sym]
            if not 0 < s["shndx"] < len(sections) or not is_code(sections[s["shndx"]]):
                continue
            if s["type"] == STT_FUNC:
                name = s["name"]
            elif s["type"] == STT_SECTION:
                # A PC-relative operand's addend is the target minus 4.
                x86_rel32 = elf.machine == EM_X86_64 and typ in (R_X86_64_PC32, R_X86_64_PLT32)
                bias = 4 if x86_rel32 else 0
                name = function_at(s["shndx"], addend + bias)
            else:
                continue
            if is_code(where):
                if is_call_or_jump(elf, where, offset, typ):
                    continue
                taken[where["name"]] = taken.get(where["name"], 0) + 1
                passer = symbol_at(functions, rela["info"], offset)
                if (passer, name) in PASSED and not where["name"].startswith(".init."):
                    excepted.setdefault(f"{passer} passes", (set(), PASSED[(passer, name)]))[0].add(name)
                elif not where["name"].startswith(".init."):
                    findings.append(f"code in {where['name']}+{offset:#x} takes the address of "
                                    f"{name}: only init code may store a function pointer")
                continue
            taken[where["name"]] = taken.get(where["name"], 0) + 1
            holder = symbol_at(objects, rela["info"], offset)
            if holder in WRITABLE and name in WRITABLE[holder][0]:
                excepted.setdefault(f"{holder} holds", (set(), WRITABLE[holder][1]))[0].add(name)
            elif not any(re.fullmatch(pattern, where["name"]) for pattern, _ in ALLOWED):
                findings.append(f"{where['name']}+{offset:#x} holds the address of {name}, "
                                f"and {where['name']} stays writable after init")
            elif where["name"].startswith(".rodata") and where["flags"] & SHF_WRITE:
                findings.append(f"{where['name']} holds the address of {name} and is "
                                f"writable: the loader goes by flags, not names")
    for line in findings:
        print(f"{path}: {line}")
    if findings:
        return 1
    counts = ", ".join(f"{name} {n}" for name, n in sorted(taken.items(), key=lambda i: -i[1]))
    print(f"{path}: sealed: every function address the module takes is in a read-only, "
          f"sealed, init or kernel metadata section ({counts}); {len(rooms)} sealed room(s), "
          f"one per sealed_room()"
          + "".join(f"; by design, {what} {', '.join(sorted(names))} ({why})"
                    for what, (names, why) in sorted(excepted.items())))
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1]))
