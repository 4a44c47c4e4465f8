"""cxx_filesystem, the twin of the Rust framework's tests/filesystem: testfs
is listed in /proc/filesystems while the module is loaded (its
test_proc_filesystems), and, as its unmerged commit aba6dd3 wanted
(test_fill_super), it mounts: `mount -t testfs none DIR` needs no device
and gives an empty directory. Each mount is a new super block that owns the
data filling it made; the kernel kills every super block, and that frees
the data, checking the value filling set in it (a mismatch is logged). A
mount keeps the module loaded."""
import contextlib
import ctypes
import errno
import os
import tempfile

import pytest

from conftest import assert_cycles_leave_nothing, libc, loaded, run

NAME = "testfs"
MODULE = "cxx_filesystem"
MAGIC = 0x74657374
FILLED = "TestFS fill_super executed."
PUT = "TestFS put_super executed."
FREED = "TestFS fs_info freed."


def filesystems():
    with open("/proc/filesystems") as f:
        return f.read().splitlines()


def mounted_testfs():
    """The lines of /proc/mounts that are testfs's."""
    with open("/proc/mounts") as f:
        return [line for line in f.read().splitlines() if line.split()[2] == NAME]


def refcnt():
    """What pins the module: each super block of testfs holds one reference."""
    with open(f"/sys/module/{MODULE}/refcnt") as f:
        return int(f.read())


def messages(kernel):
    """The module's own records since the test started, in order."""
    return [text for _, text in kernel.records() if text.startswith("TestFS ")]


@pytest.fixture
def directory():
    path = tempfile.mkdtemp()
    yield path
    os.rmdir(path)


@contextlib.contextmanager
def mounted(path, source="none"):
    """`mount -t testfs none path` for the block; unmounted on the way out
    even when the test fails, so that it cannot pin the module."""
    result = run("mount", "-t", NAME, source, path)
    assert result.returncode == 0, result.stderr
    try:
        yield
    finally:
        result = run("umount", path)
        assert result.returncode == 0, result.stderr


def test_proc_filesystems(kernel):
    assert not any(line.endswith(NAME) for line in filesystems())
    with loaded("filesystem"):
        # nodev: it needs no block device.
        assert [line for line in filesystems() if line.endswith(NAME)] == [f"nodev\t{NAME}"]
    assert not any(line.endswith(NAME) for line in filesystems())


def test_fill_super(kernel, directory):
    with loaded("filesystem"):
        with mounted(directory):
            assert messages(kernel) == [FILLED]
        # umount: put_super (the super block has a root), then kill_sb frees
        # what fill_super made, with the value it set.
        assert messages(kernel) == [FILLED, PUT, FREED]


def test_mount_is_an_empty_directory(kernel, directory):
    with loaded("filesystem"):
        with mounted(directory):
            assert mounted_testfs() == [f"none {directory} {NAME} rw,relatime 0 0"]
            assert os.listdir(directory) == []
            assert os.statvfs(directory).f_bsize == os.sysconf("SC_PAGE_SIZE")
            result = run("stat", "-f", "-c", "%t", directory)
            assert result.stdout.strip() == f"{MAGIC:x}"
            # Nothing can be made in it: the root is simple_fill_super()'s.
            with pytest.raises(PermissionError) as e:
                open(os.path.join(directory, "file"), "w")
            assert e.value.errno == errno.EACCES
            with pytest.raises(PermissionError) as e:
                os.mkdir(os.path.join(directory, "dir"))
            assert e.value.errno == errno.EPERM
        assert mounted_testfs() == []


def test_rmmod_fails_while_mounted(kernel, directory):
    with loaded("filesystem"):
        with mounted(directory):
            assert refcnt() == 1
            result = run("rmmod", MODULE)
            assert result.returncode != 0
            assert "in use" in result.stderr, result.stderr
            assert mounted_testfs() != []
            assert os.listdir(directory) == []
        assert refcnt() == 0
    assert not any(line.endswith(NAME) for line in filesystems())


def test_two_mounts_are_two_super_blocks(kernel, directory):
    other = tempfile.mkdtemp()
    try:
        with loaded("filesystem"):
            with mounted(directory), mounted(other):
                assert refcnt() == 2
                assert len(mounted_testfs()) == 2
                assert messages(kernel) == [FILLED, FILLED]
            assert refcnt() == 0
            assert messages(kernel) == [FILLED, FILLED] + [PUT, FREED] * 2
    finally:
        os.rmdir(other)


def test_an_unknown_option_fails_with_einval_and_leaves_nothing(kernel, directory):
    with loaded("filesystem"):
        rc = libc.mount(b"none", directory.encode(), NAME.encode(), ctypes.c_ulong(0), b"bogus")
        assert rc == -1 and ctypes.get_errno() == errno.EINVAL
        assert mounted_testfs() == []
        assert refcnt() == 0
        # Refused while parsing, before any super block was made.
        assert messages(kernel) == []
        assert f"{NAME}: Unknown parameter 'bogus'" in kernel.new_lines()


def test_mounts_and_unmounts_20_times(kernel, directory):
    with loaded("filesystem"):
        for cycle in range(20):
            with mounted(directory):
                assert os.listdir(directory) == []
                assert refcnt() == 1
            assert refcnt() == 0, f"cycle {cycle}: a super block is left"
        assert mounted_testfs() == []
    assert messages(kernel) == [FILLED, PUT, FREED] * 20


def test_loads_and_unloads_20_times(kernel):
    def listed():
        assert f"nodev\t{NAME}" in filesystems()

    assert_cycles_leave_nothing("filesystem", check=listed)
