"""cxx_chrdev, the twin of the Rust framework's tests/chrdev: a region,
chrdev-tests, of three minors, each served by a File type of its own.
Minor 0 reads the endless cycle 123456789 and has no llseek and no write;
minor 1 seeks to 1234 and has no read; minor 2 counts, per open file, the
bytes written to it and reads back the count's digits. No /dev node: the
tests mknod one with the major from /proc/devices, as the framework's do."""
import contextlib
import ctypes
import errno
import os

import pytest

from conftest import (assert_cycles_leave_nothing, char_devices, device_node, libc, load, loaded,
                      run, variant_ko, unload)

NAME = "chrdev-tests"
READ_FILE_MINOR, SEEK_FILE_MINOR, WRITE_FILE_MINOR = 0, 1, 2
CYCLE = b"123456789"
PAGE = 4096


@contextlib.contextmanager
def opened_minor(tmp_path, minor, flags=os.O_RDONLY):
    """An open file of the minor, through a node made for it."""
    with device_node(tmp_path, char_devices()[NAME], minor) as node:
        fd = os.open(node, flags)
        try:
            yield fd
        finally:
            os.close(fd)


def read_exact(fd, n):
    data = b""
    while len(data) < n:
        chunk = os.read(fd, n - len(data))
        assert chunk, f"EOF after {len(data)} of {n} bytes"
        data += chunk
    return data


def cycle(start, n):
    return (CYCLE * (n // 9 + 2))[start % 9:start % 9 + n]


# The framework's tests, by its names.

def test_mknod(kernel, tmp_path):
    with loaded("chrdev"):
        with device_node(tmp_path, char_devices()[NAME], READ_FILE_MINOR) as node:
            assert os.path.exists(node)


def test_read(kernel, tmp_path):
    with loaded("chrdev"), opened_minor(tmp_path, READ_FILE_MINOR) as fd:
        assert read_exact(fd, 12) == b"123456789123"


def test_read_offset(kernel, tmp_path):
    with loaded("chrdev"), opened_minor(tmp_path, READ_FILE_MINOR) as fd:
        assert read_exact(fd, 5) == b"12345"
        assert read_exact(fd, 5) == b"67891"


def test_read_at(kernel, tmp_path):
    with loaded("chrdev"), opened_minor(tmp_path, READ_FILE_MINOR) as fd:
        assert os.pread(fd, 5, 7) == b"89123"


def test_read_unimplemented(kernel, tmp_path):
    with loaded("chrdev"), opened_minor(tmp_path, SEEK_FILE_MINOR) as fd:
        with pytest.raises(OSError) as e:
            os.read(fd, 12)
        assert e.value.errno == errno.EINVAL


def test_lseek_unimplemented(kernel, tmp_path):
    with loaded("chrdev"), opened_minor(tmp_path, READ_FILE_MINOR) as fd:
        for offset, whence in ((12, os.SEEK_SET), (-12, os.SEEK_END), (12, os.SEEK_CUR)):
            with pytest.raises(OSError) as e:
                os.lseek(fd, offset, whence)
            assert e.value.errno == errno.ESPIPE
        assert os.pread(fd, 3, 1) == b"234"  # pread needs no llseek


def test_lseek(kernel, tmp_path):
    with loaded("chrdev"), opened_minor(tmp_path, SEEK_FILE_MINOR) as fd:
        assert os.lseek(fd, 12, os.SEEK_SET) == 1234
        assert os.lseek(fd, -12, os.SEEK_END) == 1234
        assert os.lseek(fd, 12, os.SEEK_CUR) == 1234
        # The framework's SeekFrom::Start(u64::MAX): -1 as an loff_t.
        with pytest.raises(OSError) as e:
            os.lseek(fd, -1, os.SEEK_SET)
        assert e.value.errno == errno.EINVAL


def test_write_unimplemented(kernel, tmp_path):
    with loaded("chrdev"), opened_minor(tmp_path, READ_FILE_MINOR, os.O_WRONLY) as fd:
        with pytest.raises(OSError) as e:
            os.write(fd, bytes([1, 2, 3]))
        assert e.value.errno == errno.EINVAL


def test_write(kernel, tmp_path):
    with loaded("chrdev"), opened_minor(tmp_path, WRITE_FILE_MINOR, os.O_RDWR) as fd:
        assert os.write(fd, bytes([1, 2, 3])) == 3
        assert read_exact(fd, 1) == b"3"
        assert os.write(fd, bytes([1, 2, 3, 4, 5])) == 5
        assert read_exact(fd, 1) == b"8"


# Beyond the framework's.

def test_a_read_is_at_most_a_page_and_goes_on_from_there(kernel, tmp_path):
    with loaded("chrdev"), opened_minor(tmp_path, READ_FILE_MINOR) as fd:
        assert os.read(fd, 3 * PAGE) == cycle(0, PAGE)
        assert os.read(fd, 10) == cycle(PAGE, 10)
        assert os.pread(fd, 2 * PAGE, 10**9) == cycle(10**9, PAGE)


def test_seek_data_and_hole_fail_with_einval(kernel, tmp_path):
    with loaded("chrdev"), opened_minor(tmp_path, SEEK_FILE_MINOR) as fd:
        for whence in (os.SEEK_DATA, os.SEEK_HOLE):
            with pytest.raises(OSError) as e:
                os.lseek(fd, 0, whence)
            assert e.value.errno == errno.EINVAL


def test_the_seek_file_has_no_write(kernel, tmp_path):
    with loaded("chrdev"), opened_minor(tmp_path, SEEK_FILE_MINOR, os.O_WRONLY) as fd:
        with pytest.raises(OSError) as e:
            os.write(fd, b"x")
        assert e.value.errno == errno.EINVAL


def test_a_write_from_a_bad_buffer_fails_with_efault_and_counts_nothing(kernel, tmp_path):
    with loaded("chrdev"), opened_minor(tmp_path, WRITE_FILE_MINOR, os.O_RDWR) as fd:
        assert os.write(fd, b"ab") == 2
        # A buffer of 100 bytes whose last 50 are unmapped: nothing may count.
        libc.mmap.restype = ctypes.c_void_p
        libc.mmap.argtypes = (ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int,
                              ctypes.c_int, ctypes.c_long)
        page = libc.mmap(None, 2 * PAGE, 3, 0x22, -1, 0)  # PROT_READ|WRITE, MAP_PRIVATE|ANONYMOUS
        assert page not in (None, ctypes.c_void_p(-1).value)
        libc.munmap(ctypes.c_void_p(page + PAGE), PAGE)
        try:
            for buffer in (page + PAGE - 50, 16):
                assert libc.write(fd, ctypes.c_void_p(buffer), 100) == -1
                assert ctypes.get_errno() == errno.EFAULT
        finally:
            libc.munmap(ctypes.c_void_p(page), PAGE)
        assert os.read(fd, 10) == b"2"


def test_a_long_write_is_short(kernel, tmp_path):
    with loaded("chrdev"), opened_minor(tmp_path, WRITE_FILE_MINOR, os.O_RDWR) as fd:
        assert os.write(fd, b"x" * (3 * PAGE)) == PAGE
        assert os.write(fd, b"x" * 12345) == PAGE
        assert os.write(fd, b"y" * 57) == 57
        assert os.read(fd, 100) == str(2 * PAGE + 57).encode()
        assert os.read(fd, 2) == str(2 * PAGE + 57).encode()[:2]


def test_each_open_file_counts_on_its_own(kernel, tmp_path):
    with loaded("chrdev"), opened_minor(tmp_path, WRITE_FILE_MINOR, os.O_RDWR) as one, \
            opened_minor(tmp_path, WRITE_FILE_MINOR, os.O_RDWR) as two:
        assert os.read(one, 5) == b"0"
        assert os.write(one, b"abc") == 3
        assert os.write(two, b"abcdefghijkl") == 12
        assert os.read(one, 5) == b"3"
        assert os.read(two, 5) == b"12"


@pytest.mark.parametrize("minor", (READ_FILE_MINOR, SEEK_FILE_MINOR, WRITE_FILE_MINOR))
def test_rmmod_is_refused_while_any_minor_is_open(kernel, tmp_path, minor):
    with loaded("chrdev"):
        with opened_minor(tmp_path, minor):
            result = run("rmmod", "cxx_chrdev")
            assert result.returncode != 0
            assert "in use" in result.stderr


# The init steps of the test variant (fail_step): the region, then a cdev
# for each of the three minors.
INIT_STEPS = 4


@pytest.mark.parametrize("step", range(1, INIT_STEPS + 2))
def test_a_failed_init_step_unwinds(kernel, tmp_path, step):
    ko = variant_ko("cxx_chrdev")
    assert load(ko=ko) == 0
    major = char_devices()[NAME]
    assert unload("cxx_chrdev") == 0
    err = load(f"fail_step={step}", ko=ko)
    if step > INIT_STEPS:  # past the last step: it loads
        assert err == 0
        assert unload("cxx_chrdev") == 0
        return
    assert err == errno.ECANCELED
    assert NAME not in char_devices()
    for minor in (READ_FILE_MINOR, SEEK_FILE_MINOR, WRITE_FILE_MINOR):
        with device_node(tmp_path, major, minor) as node:
            with pytest.raises(OSError) as e:
                os.close(os.open(node, os.O_RDONLY))
            assert e.value.errno == errno.ENXIO, f"minor {minor} still answers"


def test_loads_and_unloads_20_times(kernel, tmp_path):
    def reads():
        with opened_minor(tmp_path, READ_FILE_MINOR) as fd:
            assert os.read(fd, 9) == CYCLE

    assert_cycles_leave_nothing("chrdev", check=reads)
