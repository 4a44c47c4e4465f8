#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Checks a module built on the layer (kcxx/) for a clang kernel with kCFI
(CONFIG_CFI_CLANG): every indirect call between the C boundary and C++
checks the hash its target carries, so none traps at run time.

Under kCFI, clang gives every function whose address is taken the hash of
its type (the Itanium mangling of it, in C as in C++), just before its
first instruction, and makes every indirect call compare the hash of the
pointer's type with the target's first: a mismatch is a "CFI failure" oops.
The types only have to differ where nothing compiles them together:
glue.c calls C++ through pointers whose C type glue.h declares, and C++
fills them with functions of its own type. They agree unless a cast hides
the difference (`long *` for `long long *` compiles, and traps), or the two
languages spell a type apart (glue.h's structs declared in a namespace on
the C++ side mangle as kcxx::...).

What is checked, all on the module's linked object (what becomes the .ko):

  The contract. The slots through which glue calls C++ are the
  function-pointer members of the structs glue.h declares (nested structs
  too) and its function-pointer parameters. Clang parses glue.h (its JSON
  AST) to list them; a probe compiled with glue.c's own compiler and flags
  gives each slot's hash as glue.c calls it, and each struct's size and
  member offsets.

  The sites. Each kCFI check is listed in the object's __kcfi_traps (the
  kernel finds its reports there): a trap, after `mov $-hash, %r10d;
  add -4(%reg), %r10d; je`. A site is glue's when its function is one
  glue.o defines; the rest are C++'s.

  The targets. Every relocation that takes a function's address (not a
  call or jump to it, not the kernel's bookkeeping of code: ftrace,
  unwinder, patch sites) outside glue's own code and data, whose address
  glue hands to the kernel with the kernel's types. Each is paired with
  its slot where the object shows which one:
  - in a data object laid out as one of glue.h's structs (the C++ side's
    ops records, e.g. file_operations<File>, a kcxx_file_ops): the member
    at that offset;
  - in C++ code that puts the address in an argument register (lea, mov)
    for the next call, to a glue function: that parameter (the sysctl
    handler given to kcxx_register_sysctl()).
  A target in a slot must carry the slot's hash, and glue must have a site
  that checks that hash, one site for each slot of that hash (else glue
  calls a slot through another type: a cast in glue.c). Both failures name the target, the slot and glue's
  sites for it. A function whose address is taken where no slot shows
  (stored by C++ code into memory, a C++ table glue.h does not declare, a
  glue function whose address C++ takes and calls through a pointer the
  inliner left) must carry a hash some site in the module checks, else the
  failure names it and the sites there are.

A site of glue's whose hash is no slot's calls a kernel pointer (e.g.
poll_wait()'s queueing function): not the boundary, counted only.

    KCXX_CC='<glue.c's compiler and flags>' check-kcfi.py MODULE.o GLUE.o GLUE_H

kcxx.mk runs it on every module it builds for a kernel with
CONFIG_CFI_CLANG (KCXX_KCFI_CHECK=n skips it). Prints one summary line and
exits 0, or one line per mismatch and exits 1. x86-64 only: the site
sequence and the hash's place are clang's x86-64 ones.
"""
import json
import os
import re
import shlex
import struct
import subprocess
import sys
import tempfile

from elf import SHF_ALLOC, SHF_EXECINSTR, SHT_RELA, STT_FUNC, STT_OBJECT, STT_SECTION, EM_X86_64, Elf

SHN_ABS = 0xFFF1
R_X86_64_PC32, R_X86_64_PLT32, R_X86_64_32, R_X86_64_32S = 2, 4, 10, 11
ARG_REGS = {7: 0, 6: 1, 2: 2, 1: 3, 8: 4, 9: 5}  # rdi rsi rdx rcx r8 r9: argument 0-5
# Where the kernel's bookkeeping of code keeps function addresses it never
# calls through (scripts/check-sealed.py says why for each).
METADATA = re.compile(r"(__|\.)kcfi_traps|__mcount_loc|__patchable_function_entries|\.orc_unwind(_ip)?"
                      r"|\.return_sites|\.call_sites|\.retpoline_sites|\.static_call_sites"
                      r"|\.ibt_endbr_seal|\.altinstructions|\.smp_locks|__ex_table|__bug_table"
                      r"|__jump_table|\.gnu\.linkonce\.this_module|\.exit\.data")


def fail_usage(message):
    sys.exit(f"check-kcfi: {message}")


def allocated_relocations(elf):
    """(section relocated, offset, symbol, type, addend) of every allocated section."""
    for rela in elf.sections:
        if rela["type"] != SHT_RELA or not elf.sections[rela["info"]]["flags"] & SHF_ALLOC:
            continue
        where = elf.sections[rela["info"]]
        for offset, sym, typ, addend in elf.relocations(rela):
            yield where, offset, elf.symbols[sym], typ, addend


class Module:
    """The functions of the linked module, their hashes, kCFI sites and address takers."""

    def __init__(self, elf, glue_names):
        self.elf = elf
        self.glue_names = glue_names
        self.relas = list(allocated_relocations(elf))
        self.functions = [s for s in elf.symbols if s["type"] == STT_FUNC and
                          0 < s["shndx"] < SHN_ABS and not s["name"].startswith("__cfi_")]
        self.by_start = {(f["shndx"], f["value"]): f for f in self.functions}
        # kCFI's preamble, __cfi_<name>, is nops and `movl $hash, %eax` (b8
        # imm32) in the bytes before the function: the hash is that imm32.
        # With -fsanitize-kcfi-arity (clang 21) the register says how many
        # arguments the function takes: b8 to bf.
        self.hash = {}
        for p in elf.symbols:
            f = self.by_start.get((p["shndx"], p["value"] + p["size"]))
            if p["type"] != STT_FUNC or not f or p["name"] != "__cfi_" + f["name"]:
                continue
            code = elf.bytes_at(elf.sections[p["shndx"]], p["value"], p["size"]).lstrip(b"\x90")
            if len(code) >= 5 and 0xB8 <= code[0] <= 0xBF:
                self.hash[f["name"]] = struct.unpack_from("<I", code, 1)[0]

    def is_glue(self, function):
        return function is not None and function["name"] in self.glue_names

    def function_at(self, shndx, offset):
        """The function whose code holds this offset, or None."""
        for f in self.functions:
            if f["shndx"] == shndx and f["value"] <= offset < f["value"] + max(f["size"], 1):
                return f
        return None

    def object_at(self, shndx, offset):
        for s in self.elf.symbols:
            if s["type"] == STT_OBJECT and s["shndx"] == shndx and \
                    s["value"] <= offset < s["value"] + s["size"]:
                return s
        return None

    def sites(self):
        """Every kCFI check: (function, hash), from __kcfi_traps."""
        sites = []
        for where, offset, sym, typ, addend in self.relas:
            # .kcfi_traps in an object, __kcfi_traps in the .ko (module.lds).
            if where["name"] not in (".kcfi_traps", "__kcfi_traps"):
                continue
            shndx = sym["shndx"]
            trap = sym["value"] + addend  # PC-relative: the entry points at S + A.
            code = self.elf.sections[shndx]
            # mov $-hash, %r10d (41 ba imm32); add -4(%reg), %r10d (4 or 5
            # bytes); je +2 (74 02); ud2 (0f 0b): the trap.
            for back in (12, 13):
                seq = self.elf.bytes_at(code, trap - back, back + 2)
                if seq[:2] == b"\x41\xba" and seq[-4:] == b"\x74\x02\x0f\x0b":
                    expected = (-struct.unpack_from("<I", seq, 2)[0]) & 0xFFFFFFFF
                    break
            else:
                fail_usage(f"{self.elf.path}: cannot read the kCFI check before the trap at "
                           f"{code['name']}+{trap:#x}: not clang's x86-64 sequence")
            sites.append((self.function_at(shndx, trap), expected))
        return sites

    def taken(self):
        """Every function address taken: (where, offset, function, taker) where taker
        is the function or data object holding the relocation."""
        for where, offset, sym, typ, addend in self.relas:
            if METADATA.fullmatch(where["name"]) or not 0 < sym["shndx"] < SHN_ABS:
                continue
            target_section = self.elf.sections[sym["shndx"]]
            if not target_section["flags"] & SHF_EXECINSTR:
                continue
            code = where["flags"] & SHF_EXECINSTR
            if code and typ in (R_X86_64_PC32, R_X86_64_PLT32) and self.is_call_or_jump(where, offset):
                continue
            # A PC-relative operand's addend is the target minus 4.
            bias = 4 if typ in (R_X86_64_PC32, R_X86_64_PLT32) else 0
            address = sym["value"] + addend + bias if sym["type"] == STT_SECTION else sym["value"]
            function = self.by_start.get((sym["shndx"], address))
            if function is None:
                continue  # Not a function's start: a label inside code.
            shndx = where["index"]
            taker = self.function_at(shndx, offset) if code else self.object_at(shndx, offset)
            yield where, offset, typ, function, taker

    def is_call_or_jump(self, where, offset):
        op = self.elf.bytes_at(where, offset - 2, 2)
        return len(op) == 2 and (op[1] in (0xE8, 0xE9) or (op[0] == 0x0F and 0x80 <= op[1] <= 0x8F))

    def argument(self, where, offset, typ):
        """For an address put in an argument register and passed to the next call:
        (the function called, the argument's index), else None."""
        b = self.elf.bytes_at(where, offset - 3, 3)
        if len(b) != 3:
            return None
        reg = None
        if typ == R_X86_64_PC32 and b[1] == 0x8D and b[2] & 0xC7 == 0x05 and b[0] & 0xF8 == 0x48:
            reg = (b[2] >> 3 & 7) + (8 if b[0] & 4 else 0)  # lea sym(%rip), %reg
        elif typ == R_X86_64_32S and b[1] == 0xC7 and b[2] & 0xF8 == 0xC0 and b[0] & 0xFE == 0x48:
            reg = (b[2] & 7) + (8 if b[0] & 1 else 0)  # mov $sym, %reg (64-bit)
        elif typ == R_X86_64_32 and 0xB8 <= b[2] <= 0xBF:
            reg = (b[2] - 0xB8) + (8 if b[1] == 0x41 else 0)  # mov $sym, %reg32
        if reg not in ARG_REGS:
            return None
        taker = self.function_at(where["index"], offset)
        end = taker["value"] + taker["size"] if taker else where["size"]
        calls = []
        for w, o, sym, t, addend in self.relas:
            if w is where and offset < o < end and t in (R_X86_64_PC32, R_X86_64_PLT32) \
                    and self.elf.bytes_at(w, o - 1, 1) == b"\xe8":
                address = sym["value"] + addend + 4 if sym["type"] == STT_SECTION else sym["value"]
                calls.append((o, self.by_start.get((sym["shndx"], address)), sym["name"]))
        if not calls:
            return None
        _, called, name = min(calls)
        return (called["name"] if called else name), ARG_REGS[reg]


def is_function_pointer(typ):
    return "(*)(" in typ.get("desugaredQualType", typ["qualType"])


def contract(cc, glue_h):
    """The slots glue.h declares: their names, hashes as glue.c's compiler
    makes them, and where struct members lie."""
    with tempfile.TemporaryDirectory(prefix="kcxx-kcfi-") as tmp:
        probe = os.path.join(tmp, "probe.c")
        with open(probe, "w") as f:
            f.write(f'#include "{os.path.abspath(glue_h)}"\n')
        compiler = shlex.split(cc)
        # The compiler itself, without a wrapper such as ccache before it.
        clang = next((w for w in compiler if "clang" in os.path.basename(w)), compiler[0])
        ast = subprocess.run([clang, "-x", "c", "-fsyntax-only", "-Xclang", "-ast-dump=json",
                              probe], capture_output=True, text=True)
        if ast.returncode:
            fail_usage(f"{clang} cannot parse {glue_h}:\n{ast.stderr}")
        decls = [d for d in json.loads(ast.stdout).get("inner", []) if not d.get("isImplicit")]
        structs = {d["name"]: [c for c in d.get("inner", []) if c["kind"] == "FieldDecl"]
                   for d in decls if d["kind"] == "RecordDecl" and d.get("completeDefinition")
                   and d.get("name") and d.get("tagUsed") == "struct"}

        def members(name, prefix=""):
            for field in structs[name]:
                path = prefix + field["name"]
                nested = re.fullmatch(r"(?:const )?struct (\w+)", field["type"]["qualType"])
                if nested and nested.group(1) in structs:
                    yield from members(nested.group(1), path + ".")
                elif is_function_pointer(field["type"]):
                    yield path

        slots = []  # (kind, owner, member or parameter, the type to probe)
        for name in structs:
            for path in members(name):
                slots.append(("member", name, path, f"*((struct {name} *)0)->{path}"))
        for d in decls:
            if d["kind"] != "FunctionDecl":
                continue
            params = [c for c in d.get("inner", []) if c["kind"] == "ParmVarDecl"]
            for i, p in enumerate(params):
                if is_function_pointer(p["type"]):
                    slots.append(("param", d["name"], (i, p.get("name")), f"*({p['type']['qualType']})0"))
        lines = [f'#include "{os.path.abspath(glue_h)}"']
        for i, slot in enumerate(slots):
            lines.append(f"__typeof__({slot[3]}) kcxx_kcfi_slot_{i};")
        lines.append("void *kcxx_kcfi_slots[] = {0, " +
                     "".join(f"(void *)kcxx_kcfi_slot_{i}, " for i in range(len(slots))) + "};")
        layout = ["0"]
        for kind, owner, path, _ in slots:
            if kind == "member":
                layout += [f"sizeof(struct {owner})", f"__builtin_offsetof(struct {owner}, {path})"]
        lines.append("const unsigned long kcxx_kcfi_layout[] = {" + ", ".join(layout) + "};")
        with open(probe, "w") as f:
            f.write("\n".join(lines) + "\n")
        obj = os.path.join(tmp, "probe.o")
        # glue.c's command, minus its dependency file.
        command = [a for a in compiler if not a.startswith("-Wp,-M")]
        built = subprocess.run(command + ["-c", "-o", obj, probe],
                               capture_output=True, text=True)
        if built.returncode:
            fail_usage(f"the probe of {glue_h}'s slots does not compile:\n{built.stderr}")
        elf = Elf(obj)
    typeids = {s["name"]: s["value"] for s in elf.symbols if s["shndx"] == SHN_ABS}
    table = next(s for s in elf.symbols if s["name"] == "kcxx_kcfi_layout")
    values = struct.unpack_from(f"<{table['size'] // 8}Q", elf.data,
                                elf.sections[table["shndx"]]["off"] + table["value"])[1:]
    result = []
    for i, (kind, owner, what, _) in enumerate(slots):
        h = typeids.get(f"__kcfi_typeid_kcxx_kcfi_slot_{i}")
        if h is None:
            fail_usage(f"{cc.split()[0]} gave no kCFI type id to the probe: is -fsanitize=kcfi in KCXX_CC?")
        slot = dict(kind=kind, owner=owner, hash=h)
        if kind == "member":
            slot.update(name=f"struct {owner}'s .{what}", size=values[0], offset=values[1])
            values = values[2:]
        else:
            slot.update(name=f"{owner}()'s {what[1] or 'argument'} (argument {what[0] + 1})",
                        index=what[0])
        result.append(slot)
    return result


def demangle(names):
    """Readable names: c++filt's when it is there."""
    try:
        out = subprocess.run(["c++filt"], input="\n".join(names), capture_output=True,
                             text=True, check=True).stdout.splitlines()
        return dict(zip(names, out)) if len(out) == len(names) else {n: n for n in names}
    except (OSError, subprocess.CalledProcessError):
        return {n: n for n in names}


def main(module_path, glue_path, glue_h):
    cc = os.environ.get("KCXX_CC")
    if not cc:
        fail_usage("KCXX_CC: give glue.c's compiler and flags (kcxx.mk does)")
    elf = Elf(module_path)
    if elf.machine != EM_X86_64:
        fail_usage(f"{module_path}: the kCFI check reads x86-64 code only; build with "
                   f"KCXX_KCFI_CHECK=n to go without it")
    # What glue.o defines: its functions and its data (its file_operations).
    glue_names = {s["name"] for s in Elf(glue_path).symbols
                  if s["type"] in (STT_FUNC, STT_OBJECT) and s["shndx"] != 0}
    module = Module(elf, glue_names)
    slots = contract(cc, glue_h)
    sites = module.sites()
    glue_sites = [(f, h) for f, h in sites if module.is_glue(f)]
    names = demangle(sorted({f["name"] for f in module.functions}))

    def named(function):
        return names.get(function["name"], function["name"]) if function else "?"

    def hash_of(function):
        h = module.hash.get(function["name"])
        return "no kCFI hash" if h is None else f"hash {h:#010x}"

    def sites_for(h, among=glue_sites):
        return ", ".join(sorted({named(f) for f, s in among if s == h})) or "none"

    findings = []
    paired = []  # (slot, target)
    unplaced = []
    for where, offset, typ, function, taker in module.taken():
        if module.is_glue(taker):
            continue  # Glue's own functions, handed to the kernel with its types.
        slot = None
        if where["flags"] & SHF_EXECINSTR:
            passed = module.argument(where, offset, typ)
            if passed and passed[0] in glue_names:
                slot = next((s for s in slots if s["kind"] == "param" and s["owner"] == passed[0]
                             and s["index"] == passed[1]), None)
        elif taker is not None:
            at = offset - taker["value"]
            candidates = [s for s in slots if s["kind"] == "member" and taker["size"] % s["size"] == 0
                          and s["offset"] == at % s["size"]]
            if len({s["hash"] for s in candidates}) > 1:
                findings.append(f"{names.get(taker['name'], taker['name'])}+{at:#x} holds "
                                f"{named(function)}, and its size fits several of glue.h's structs "
                                f"with different types there: "
                                + ", ".join(s["name"] for s in candidates))
                continue
            slot = candidates[0] if candidates else None
        if slot is None:
            unplaced.append((function, taker))
            continue
        paired.append((slot, function))
        if module.hash.get(function["name"]) != slot["hash"]:
            findings.append(f"{named(function)} ({hash_of(function)}) is called through "
                            f"{slot['name']} by {sites_for(slot['hash'])}, whose kCFI check "
                            f"expects hash {slot['hash']:#010x}: a CFI failure when called")
        elif not any(h == slot["hash"] for _, h in glue_sites):
            findings.append(f"{named(function)} fills {slot['name']}, and no call site in the C "
                            f"boundary checks its hash {slot['hash']:#010x}: glue calls it "
                            f"through another type (its sites check: "
                            + ", ".join(f"{named(f)} {h:#010x}" for f, h in glue_sites) + ")")
    # Slots of one type (read and write, release and put_super) share a
    # hash, so a cast in glue.c calling one through the other's type would
    # still find a site checking it: each filled slot needs a site of its own.
    filled = {}
    for slot, _ in paired:
        filled.setdefault(slot["hash"], set()).add(slot["name"])
    for h, slot_names in sorted(filled.items()):
        checking = [f for f, s in glue_sites if s == h]
        if len(checking) < len(slot_names):
            findings.append(f"{len(slot_names)} slots of hash {h:#010x} are filled "
                            f"({', '.join(sorted(slot_names))}), but only {len(checking)} call "
                            f"site(s) in the C boundary check it ({sites_for(h)}): glue calls "
                            f"one of them through another type")
    checked = {h for _, h in sites}
    for function, taker in unplaced:
        if module.hash.get(function["name"]) not in checked:
            side = "the C boundary's" if module.is_glue(function) else "the C++"
            findings.append(f"{names.get(taker['name'], taker['name']) if taker else 'code'} takes the "
                            f"address of {side} {named(function)} ({hash_of(function)}), and no "
                            f"indirect call in the module checks that hash; its sites check: "
                            + (", ".join(f"{named(f)} {h:#010x}" for f, h in sites) or "none"))
    for line in findings:
        print(f"{module_path}: kCFI: {line}")
    if findings:
        return 1
    kernel = sum(1 for _, h in glue_sites if not any(s["hash"] == h for s in slots))
    print(f"  KCFI    {module_path}: {len(paired)} C++ function(s) in glue.h's slots, each with "
          f"the hash glue's call site checks; {len(unplaced)} other address(es) taken, each "
          f"with a hash some site checks ({len(sites) - len(glue_sites)} C++ site(s); "
          f"{kernel} glue site(s) calling the kernel)")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    sys.exit(main(*sys.argv[1:]))
