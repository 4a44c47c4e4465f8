"""cxx_sysctl, the twin of the Rust framework's tests/sysctl: a boolean at
/proc/sys/cxx/sysctl-tests/a, mode 0644, that reads 0 at load; `1` and
`  1\\t` set it, any other value fails with EINVAL and changes nothing. It
is gone after unload, and cxx/ with it, even when another twin shared cxx/."""
import errno
import os
import stat

import pytest

from conftest import assert_cycles_leave_nothing, example_ko, load, loaded, opened, run, unload

A = "/proc/sys/cxx/sysctl-tests/a"
# cxx_sysctl_get's, a second module under cxx/.
GET_A = "/proc/sys/cxx/sysctl-get-tests/a"


def read(path=A):
    with open(path, "rb") as f:
        return f.read()


def write(data, path=A):
    """One write(2) of data; returns what it returned."""
    with opened(path, os.O_WRONLY) as fd:
        return os.write(fd, data)


def test_read_bool_default(kernel):
    with loaded("sysctl"):
        assert read() == b"0\n"


def test_write_bool(kernel):
    with loaded("sysctl"):
        assert write(b"1") == 1
        assert read() == b"1\n"


def test_write_bool_whitespace(kernel):
    with loaded("sysctl"):
        assert write(b"  1\t") == 4
        assert read() == b"1\n"


def test_file_doesnt_exit_after_module_unloaded(kernel):
    with loaded("sysctl"):
        assert os.path.exists(A)
    assert not os.path.exists(A)
    assert not os.path.exists("/proc/sys/cxx")


def test_mode_is_0644(kernel):
    with loaded("sysctl"):
        assert stat.S_IMODE(os.stat(A).st_mode) == 0o644


def test_sysctl_w_sets_and_sysctl_reads(kernel):
    with loaded("sysctl"):
        assert run("sysctl", "cxx.sysctl-tests.a").stdout == "cxx.sysctl-tests.a = 0\n"
        result = run("sysctl", "-w", "cxx.sysctl-tests.a=1")
        assert result.returncode == 0, result.stderr
        assert read() == b"1\n"
        result = run("sysctl", "-w", "cxx.sysctl-tests.a=2")
        assert result.returncode != 0 and "Invalid argument" in result.stderr
        assert read() == b"1\n"


BAD_VALUES = [b"", b"2", b"-1", b"abc", b"11", b"1 1", b"01", b"+1", b"true", b"\r1", b"1\0", b"\n"]


@pytest.mark.parametrize("before", [b"0", b"1"])
def test_a_bad_value_fails_with_einval_and_changes_nothing(kernel, before):
    with loaded("sysctl"):
        assert write(before) == 1
        for text in BAD_VALUES:
            with pytest.raises(OSError) as e:
                write(text)
            assert e.value.errno == errno.EINVAL, text
            assert read() == before + b"\n", text


@pytest.mark.parametrize("size", [4096, 4097, 65536])
def test_a_write_of_a_page_or_more_fails_and_changes_nothing(kernel, size):
    with loaded("sysctl"):
        with pytest.raises(OSError) as e:
            write(b"1" + b" " * (size - 1))
        assert e.value.errno == errno.EINVAL
        assert read() == b"0\n"


def test_a_write_just_under_a_page_is_taken(kernel):
    with loaded("sysctl"):
        assert write(b"1" + b" " * 4094) == 4095
        assert read() == b"1\n"


def test_a_write_past_position_zero_is_ignored_but_consumed(kernel):
    with loaded("sysctl"):
        with opened(A, os.O_WRONLY) as fd:
            assert os.write(fd, b"1") == 1
            assert os.write(fd, b"0") == 1
        assert read() == b"1\n"
        result = run("sh", "-c", f"printf '0\\n' | dd of={A} bs=1 status=none")
        assert result.returncode == 0, result.stderr
        assert read() == b"0\n"


def test_reads_past_zero_continue_the_value_then_end(kernel):
    with loaded("sysctl"):
        write(b"1")
        with opened(A) as fd:
            assert [os.read(fd, 1) for _ in range(3)] == [b"1", b"\n", b""]
            assert os.pread(fd, 16, 1) == b"\n"
            assert os.pread(fd, 16, 2) == b""
            assert os.pread(fd, 16, 4096) == b""


def test_two_twins_share_cxx_and_each_leaves_alone(kernel):
    """Two modules' directories under one cxx/, unloaded in the order they
    were loaded: each works while loaded, the first to go leaves the other
    and cxx/, the last takes cxx/."""
    assert load(ko=example_ko("sysctl")) == 0
    try:
        assert load(ko=example_ko("sysctl_get")) == 0
        try:
            assert sorted(os.listdir("/proc/sys/cxx")) == ["sysctl-get-tests", "sysctl-tests"]
            write(b"1", A)
            assert (read(A), read(GET_A)) == (b"1\n", b"0\n")
            assert unload("cxx_sysctl") == 0
            assert os.listdir("/proc/sys/cxx") == ["sysctl-get-tests"]
            write(b"1", GET_A)
            assert read(GET_A) == b"1\n"
        finally:
            assert unload("cxx_sysctl_get") == 0
    finally:
        unload("cxx_sysctl")  # ENOENT when it went above
    assert not os.path.exists("/proc/sys/cxx")


def test_loads_and_unloads_20_times(kernel):
    def fresh_and_writable():
        assert read() == b"0\n"
        write(b"1")
        assert read() == b"1\n"

    assert_cycles_leave_nothing("sysctl", check=fresh_and_writable)
