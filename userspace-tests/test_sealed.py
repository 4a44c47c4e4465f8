"""What the kernel calls through lies in the module's sealed image.

The module's file_operations and ctl_table (with the pointers their
trampolines follow) must be where nothing can write them once init has
returned: in .data..ro_after_init, which the loader makes read-only then,
or in read-only data, and never in the heap. The kernel itself says where
they are: a kprobe on the module's open and proc_handler trampolines reads
the open file's f_op and the ctl_table entry the kernel called through, and
/sys/module/jsonsysctl/sections/ gives the address of each of the module's
sections (root only; their sizes come from the .ko). The offset of f_op in
struct file comes from the running kernel's BTF.

scripts/check-sealed.py checks the same on the built .ko, for every
function pointer, before the suite runs (make check).
"""
import os
import pathlib
import re
import struct

import pytest

from conftest import DEVICE, KO, NAME, opened, read_sysctl
from kprobes import TRACING, kprobe

BTF = pathlib.Path("/sys/kernel/btf/vmlinux")

# Debian's kernels have both; the debug kernels (make check-debug) neither,
# and there scripts/check-sealed.py alone checks the built module.
pytestmark = pytest.mark.skipif(
    not BTF.exists() or not TRACING.is_dir(),
    reason="this kernel has no BTF (CONFIG_DEBUG_INFO_BTF) or no tracefs for kprobe events")
# Sections nothing can write after init: sealed, or read-only from the start.
SEALED = re.compile(r"\.data\.\.ro_after_init|\.rodata(\..*)?")


def btf_member_offset(struct_name, member):
    """Byte offset of member in struct_name, from the running kernel's BTF."""
    data = BTF.read_bytes()
    magic, _, _, hdr_len, type_off, type_len, str_off, _ = struct.unpack_from("<HBBIIIII", data)
    assert magic == 0xEB9F, "/sys/kernel/btf/vmlinux is not BTF"
    strings = hdr_len + str_off

    def name(offset):
        return data[strings + offset:data.index(b"\0", strings + offset)].decode()

    # Bytes each kind carries after its 12-byte header, given vlen.
    extra = {1: lambda n: 4, 3: lambda n: 12, 4: lambda n: 12 * n, 5: lambda n: 12 * n,
             6: lambda n: 8 * n, 13: lambda n: 8 * n, 14: lambda n: 4, 15: lambda n: 12 * n,
             17: lambda n: 4, 19: lambda n: 12 * n}
    at, end = hdr_len + type_off, hdr_len + type_off + type_len
    while at < end:
        name_off, info, _ = struct.unpack_from("<III", data, at)
        kind, vlen, kind_flag = info >> 24 & 0x1F, info & 0xFFFF, info >> 31
        if kind == 4 and name(name_off) == struct_name:
            for i in range(vlen):
                m_name, _, m_offset = struct.unpack_from("<III", data, at + 12 + 12 * i)
                if name(m_name) == member:
                    bits = m_offset & 0xFFFFFF if kind_flag else m_offset
                    return bits // 8
        at += 12 + extra.get(kind, lambda n: 0)(vlen)
    pytest.fail(f"struct {struct_name} has no member {member} in the kernel's BTF")


def section_sizes():
    """Each allocated section of the .ko and its size."""
    data = KO.read_bytes()
    (shoff,) = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
    headers = [struct.unpack_from("<IIQQQQ", data, shoff + i * shentsize) for i in range(shnum)]
    names = headers[shstrndx][4]
    sizes = {}
    for name_off, _, flags, _, _, size in headers:
        if flags & 0x2:  # SHF_ALLOC
            sizes[data[names + name_off:data.index(b"\0", names + name_off)].decode()] = size
    return sizes


def section_of(address):
    """The module section holding address, or None (the heap, say)."""
    sizes = section_sizes()
    for entry in pathlib.Path(f"/sys/module/{NAME}/sections").iterdir():
        start = int(entry.read_text(), 16)
        assert start, "section addresses read as 0: run the suite as root"
        if entry.name in sizes and start <= address < start + sizes[entry.name]:
            return entry.name
    return None


def test_an_open_files_f_op_is_in_the_sealed_image_not_the_heap(module):
    f_op = btf_member_offset("file", "f_op")
    with kprobe("open", f"{NAME}:kcxx_open f_op=+{f_op}($arg2):x64") as hits:
        with opened(DEVICE) as fd:
            assert os.read(fd, 1) == b"{"
        found = hits()
    assert len(found) == 1, found
    address = int(found[0]["f_op"], 16)
    where = section_of(address)
    assert where and SEALED.fullmatch(where), \
        f"the open /dev/json's f_op {address:#x} is in {where or 'none of the module sections (heap?)'}"


def test_the_ctl_table_the_kernel_calls_through_is_in_the_sealed_image(module):
    with kprobe("sysctl", f"{NAME}:kcxx_proc_handler table=$arg1:x64") as hits:
        assert read_sysctl("a") == b"0\n"
        found = hits()
    assert found, "the sysctl's proc_handler was not called"
    address = int(found[0]["table"], 16)
    where = section_of(address)
    assert where and SEALED.fullmatch(where), \
        f"the ctl_table entry {address:#x} is in {where or 'none of the module sections (heap?)'}"
