# SPDX-License-Identifier: GPL-2.0
"""The sections, symbols and relocations of a 64-bit little-endian ELF
object (a .o or a .ko), read with the standard library only: what
kcxx/check-kcfi.py and scripts/check-sealed.py take from a built module."""
import struct
import sys

SHT_SYMTAB, SHT_RELA = 2, 4
SHF_WRITE, SHF_ALLOC, SHF_EXECINSTR, SHF_GROUP = 0x1, 0x2, 0x4, 0x200
STT_OBJECT, STT_FUNC, STT_SECTION = 1, 2, 3
EM_X86_64, EM_AARCH64 = 62, 183


class Elf:
    """sections: dicts of index, name, type, flags, off, size, link, info,
    entsize; symbols: dicts of name, type, shndx, value, size, in symbol
    table order; machine: e_machine."""

    def __init__(self, path):
        self.path = path
        with open(path, "rb") as f:
            self.data = f.read()
        if self.data[:6] != b"\x7fELF\x02\x01":
            sys.exit(f"{path}: not a 64-bit little-endian ELF object")
        (self.machine,) = struct.unpack_from("<H", self.data, 0x12)
        (shoff,) = struct.unpack_from("<Q", self.data, 0x28)
        shentsize, shnum, shstrndx = struct.unpack_from("<HHH", self.data, 0x3A)
        self.sections = []
        for i in range(shnum):
            name, typ, flags, _, off, size, link, info, _, entsize = struct.unpack_from(
                "<IIQQQQIIQQ", self.data, shoff + i * shentsize)
            self.sections.append(dict(index=i, name=name, type=typ, flags=flags, off=off,
                                      size=size, link=link, info=info, entsize=entsize))
        for s in self.sections:
            s["name"] = self.string(self.sections[shstrndx], s["name"])
        symtab = next((s for s in self.sections if s["type"] == SHT_SYMTAB), None)
        if symtab is None:
            sys.exit(f"{path}: no symbol table (stripped?): give the module as built")
        strtab = self.sections[symtab["link"]]
        self.symbols = []
        for i in range(symtab["size"] // 24):
            name, info, _, shndx, value, size = struct.unpack_from(
                "<IBBHQQ", self.data, symtab["off"] + i * 24)
            self.symbols.append(dict(name=self.string(strtab, name), type=info & 0xF,
                                     shndx=shndx, value=value, size=size))

    def string(self, table, offset):
        start = table["off"] + offset
        return self.data[start:self.data.index(b"\0", start)].decode()

    def relocations(self, rela):
        """(offset, symbol index, type, addend) of each entry of a SHT_RELA section."""
        for i in range(rela["size"] // 24):
            offset, info, addend = struct.unpack_from("<QQq", self.data, rela["off"] + i * 24)
            yield offset, info >> 32, info & 0xFFFFFFFF, addend

    def bytes_at(self, section, offset, count):
        """count bytes of a section from offset, or b"" past its end."""
        if offset < 0 or offset + count > section["size"]:
            return b""
        return self.data[section["off"] + offset:section["off"] + offset + count]
