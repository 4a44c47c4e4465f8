"""/dev/json: what `cat`, `dd` and read(2) see."""
import ctypes
import errno
import mmap
import os
import resource
import stat

import pytest

from conftest import DEVICE, char_devices, document, libc, opened, read_device, run, write_sysctl

DOC = document()


def test_cat_prints_initial_document(module):
    result = run("cat", DEVICE)
    assert result.returncode == 0
    assert result.stdout == '{"a":false,"b":false,"c":false}\n'


def test_device_node_appears_by_itself_read_only(module):
    st = os.stat(DEVICE)
    assert stat.S_ISCHR(st.st_mode)
    assert stat.S_IMODE(st.st_mode) == 0o444
    assert os.major(st.st_rdev) == char_devices()["json"]
    assert os.path.isdir("/sys/class/json/json")


def test_chrdev_is_listed_as_json_not_misc(module):
    devices = char_devices()
    assert "json" in devices
    with open("/sys/class/json/json/dev") as f:
        major, _minor = f.read().split(":")
    assert int(major) == devices["json"]
    assert not os.path.exists("/sys/class/misc/json")


@pytest.mark.parametrize("a", [False, True])
@pytest.mark.parametrize("b", [False, True])
@pytest.mark.parametrize("c", [False, True])
def test_document_shows_every_combination(module, a, b, c):
    for name, value in zip("abc", (a, b, c)):
        write_sysctl(name, b"1" if value else b"0")
    assert read_device() == document(a, b, c)


def test_reads_with_every_buffer_size_reassemble_the_document(module):
    for size in range(1, 65):
        pieces = []
        with opened(DEVICE) as fd:
            while piece := os.read(fd, size):
                assert len(piece) <= size
                pieces.append(piece)
        assert b"".join(pieces) == DOC, f"buffer size {size}"


def test_dd_with_one_byte_blocks_copies_the_document(module):
    result = run("dd", f"if={DEVICE}", "bs=1", "status=none", text=False)
    assert result.returncode == 0
    assert result.stdout == DOC


def test_pread_at_every_offset_returns_the_rest(module):
    with opened(DEVICE) as fd:
        for offset in range(len(DOC) + 1):
            assert os.pread(fd, 64, offset) == DOC[offset:]
            assert os.pread(fd, 3, offset) == DOC[offset:offset + 3]


@pytest.mark.parametrize("offset", [len(DOC), len(DOC) + 1, 4096, 2**40])
def test_pread_past_the_end_returns_nothing(module, offset):
    with opened(DEVICE) as fd:
        assert os.pread(fd, 64, offset) == b""


def test_small_reads_continue_one_snapshot(module):
    with open(DEVICE, "rb", buffering=0) as f:
        head = f.read(5)
        write_sysctl("a", b"1")
        rest = f.read()
    assert head + rest == document(a=False)


def test_read_at_offset_zero_takes_a_new_snapshot(module):
    with opened(DEVICE) as fd:
        assert os.pread(fd, 64, 0) == document()
        write_sysctl("a", b"1")
        assert os.pread(fd, 64, 5) == document()[5:]
        assert os.pread(fd, 64, 0) == document(a=True)
        assert os.pread(fd, 64, 5) == document(a=True)[5:]


def test_first_read_at_an_offset_takes_the_snapshot(module):
    with opened(DEVICE) as fd:
        write_sysctl("a", b"1")
        assert os.pread(fd, 64, 5) == document(a=True)[5:]
        write_sysctl("a", b"0")
        assert os.pread(fd, 64, 10) == document(a=True)[10:]


def test_seek_to_start_shows_current_values(module):
    with open(DEVICE, "rb", buffering=0) as f:
        assert f.read() == document()
        write_sysctl("c", b"1")
        f.seek(0)
        assert f.read() == document(c=True)


def test_writing_the_device_fails_and_changes_nothing(module):
    with opened(DEVICE, os.O_WRONLY) as fd, pytest.raises(OSError) as e:
        os.write(fd, b'{"a":true,"b":true,"c":true}\n')
    assert e.value.errno in (errno.EINVAL, errno.EPERM)
    assert run("sh", "-c", f"echo 1 > {DEVICE}").returncode != 0
    assert read_device() == DOC


def test_many_open_descriptors_each_read_the_document(module):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 4096)), hard))
    fds = []
    try:
        for _ in range(1000):
            fds.append(os.open(DEVICE, os.O_RDONLY))
        write_sysctl("b", b"1")
        for fd in fds:
            assert os.read(fd, 64) == document(b=True)
    finally:
        for fd in fds:
            os.close(fd)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


libc.read.argtypes = (ctypes.c_int, ctypes.c_void_p, ctypes.c_size_t)
libc.read.restype = ctypes.c_ssize_t


def test_read_into_an_unmapped_buffer_fails_with_efault(module):
    with opened(DEVICE) as fd:
        assert libc.read(fd, 16, 64) == -1
        assert ctypes.get_errno() == errno.EFAULT
        assert os.read(fd, 64) == DOC  # nothing was consumed


def test_read_that_runs_into_a_protected_page_returns_what_fit(module):
    """Like simple_read_from_buffer(): the bytes before the fault count."""
    page = mmap.PAGESIZE
    area = mmap.mmap(-1, 2 * page)
    base = ctypes.addressof(ctypes.c_char.from_buffer(area))
    libc.mprotect.argtypes = (ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int)
    assert libc.mprotect(base + page, page, 0) == 0  # PROT_NONE
    try:
        with opened(DEVICE) as fd:
            got = libc.read(fd, base + page - 10, 64)
            assert 0 < got <= 10
            assert area[page - 10:page - 10 + got] == DOC[:got]
            assert os.read(fd, 64) == DOC[got:]  # the position moved by what was copied
    finally:
        libc.mprotect(base + page, page, mmap.PROT_READ | mmap.PROT_WRITE)
