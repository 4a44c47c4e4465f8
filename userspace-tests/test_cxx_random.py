"""cxx_random, the twin of the Rust framework's tests/random:
/proc/sys/cxx/random-tests/entropy, mode 0644, over a storage of its own.
A read at position 0 returns as many fresh random bytes as it asks for, up
to a page; past 0, end of file. A write of less than a page goes to the
kernel's entropy pool (add_device_randomness()) and is reported written."""
import errno
import os
import stat

import pytest

import kprobes
from conftest import assert_cycles_leave_nothing, loaded, opened

ENTROPY = "/proc/sys/cxx/random-tests/entropy"
PAGE = 4096


def write(data):
    """One write(2) of data; returns what it returned."""
    with opened(ENTROPY, os.O_WRONLY) as fd:
        return os.write(fd, data)


def test_random_entropy_read(kernel):
    with loaded("random"):
        keys = set()
        for _ in range(1024):
            with opened(ENTROPY) as fd:
                key = os.read(fd, 16)
            assert len(key) == 16
            keys.add(key)
        assert len(keys) == 1024


def test_random_entropy_write(kernel):
    with loaded("random"):
        assert write(b"1234567890") == 10


def test_mode_is_0644(kernel):
    with loaded("random"):
        assert stat.S_IMODE(os.stat(ENTROPY).st_mode) == 0o644


@pytest.mark.parametrize("asked", [1, 16, 100, PAGE - 1, PAGE, PAGE + 1, 65536])
def test_a_read_gets_as_many_bytes_as_asked_up_to_a_page_then_end_of_file(kernel, asked):
    with loaded("random"):
        with opened(ENTROPY) as fd:
            assert len(os.read(fd, asked)) == min(asked, PAGE)
            assert os.read(fd, asked) == b""


def test_a_page_of_bytes_is_random_throughout(kernel):
    """Every byte of a page is the generator's: no part left as the
    kernel's zeroed buffer, no 16 bytes twice, most byte values there."""
    with loaded("random"):
        with opened(ENTROPY) as fd:
            page = os.read(fd, PAGE)
    chunks = {page[i:i + 16] for i in range(0, PAGE, 16)}
    assert len(chunks) == PAGE // 16
    assert len(set(page)) > 200  # 255.98 expected; < 200 has odds below 1e-40


def test_reads_past_zero_are_end_of_file_and_reads_at_zero_are_fresh(kernel):
    with loaded("random"):
        with opened(ENTROPY) as fd:
            assert os.pread(fd, 16, 1) == b""
            assert os.pread(fd, 16, PAGE) == b""
            first, second = os.pread(fd, 32, 0), os.pread(fd, 32, 0)
        assert len(first) == len(second) == 32 and first != second


@pytest.mark.parametrize("size", [PAGE, PAGE + 1, 65536])
def test_a_write_of_a_page_or_more_fails(kernel, size):
    with loaded("random"):
        with pytest.raises(OSError) as e:
            write(b"x" * size)
        assert e.value.errno == errno.EINVAL


def test_writes_under_a_page_are_taken_whole(kernel):
    with loaded("random"):
        assert write(b"") == 0
        assert write(b"x" * (PAGE - 1)) == PAGE - 1
        with opened(ENTROPY, os.O_WRONLY) as fd:
            assert os.write(fd, b"1234567890") == 10
            assert os.write(fd, b"1234567890") == 10  # past 0: consumed


@pytest.mark.skipif(not kprobes.available(), reason="this kernel has no kprobe events")
def test_a_write_feeds_the_entropy_pool(kernel):
    """The kernel's add_device_randomness() gets the written bytes: a kprobe
    reads its length and first 8 bytes (x86-64 and arm64 pass them the same
    way: $argN)."""
    with loaded("random"):
        with kprobes.kprobe("entropy", "add_device_randomness len=$arg2:x64 head=+0($arg1):x64") as hits:
            assert write(b"1234567890") == 10
            found = hits()
    ours = {"len": "0xa", "head": "0x" + b"12345678"[::-1].hex()}
    assert found.count(ours) == 1, found


def test_loads_and_unloads_20_times(kernel):
    def reads_fresh_bytes():
        with opened(ENTROPY) as fd:
            assert len(os.read(fd, 16)) == 16

    assert_cycles_leave_nothing("random", check=reads_fresh_bytes)
