"""/proc/sys/json-sysctl/{a,b,c}: what `sysctl`, `echo` and read(2) see."""
import errno
import os
import stat

import pytest

from conftest import (DEVICE, SYSCTLS, document, opened, read_device, read_sysctl, run,
                      sysctl_path, write_sysctl)


def test_sysctls_start_at_zero_with_mode_0644(module):
    for name in SYSCTLS:
        assert read_sysctl(name) == b"0\n"
        assert stat.S_IMODE(os.stat(sysctl_path(name)).st_mode) == 0o644


def test_sysctl_w_sets_a_value_the_device_shows(module):
    result = run("sysctl", "-w", "json-sysctl.a=1")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "json-sysctl.a = 1\n"
    assert run("sysctl", "json-sysctl.a").stdout == "json-sysctl.a = 1\n"
    assert run("cat", DEVICE).stdout == '{"a":true,"b":false,"c":false}\n'


def test_sysctl_lists_all_three(module):
    result = run("sysctl", "-a", "--pattern", "^json-sysctl")
    assert result.stdout == "json-sysctl.a = 0\njson-sysctl.b = 0\njson-sysctl.c = 0\n"


def test_echo_into_proc_sys_sets_and_clears(module):
    assert run("sh", "-c", f"echo 1 > {sysctl_path('b')}").returncode == 0
    assert read_sysctl("b") == b"1\n"
    assert read_device() == document(b=True)
    assert run("sh", "-c", f"echo 0 > {sysctl_path('b')}").returncode == 0
    assert read_device() == document()


def test_demo_test_passes_byte_for_byte(module):
    """The Rust demo's own test (tests/json-sysctl/tests/tests.rs)."""
    assert read_device() == b'{"a":false,"b":false,"c":false}\n'
    with open("/proc/sys/json-sysctl/a", "wb") as f:
        f.write(b"1")
    assert read_device() == b'{"a":true,"b":false,"c":false}\n'


def test_writing_one_sysctl_leaves_the_others(module):
    write_sysctl("b", b"1")
    assert [read_sysctl(n) for n in SYSCTLS] == [b"0\n", b"1\n", b"0\n"]


@pytest.mark.parametrize("text", [b" 1", b"1\n", b"\t1\t\n", b"\n\n1 \n", b"   1   "])
def test_surrounding_whitespace_is_accepted(module, text):
    assert write_sysctl("a", text) == len(text)
    assert read_sysctl("a") == b"1\n"
    assert write_sysctl("a", text.replace(b"1", b"0")) == len(text)
    assert read_sysctl("a") == b"0\n"


BAD_VALUES = [b"", b"2", b"-1", b"abc", b"0x1", b"11", b"1 1", b"01", b"+1", b"\n", b" ",
              b"\r1", b"1\r", b"1\0", b"true", b"\xff"]


@pytest.mark.parametrize("text", BAD_VALUES, ids=repr)
@pytest.mark.parametrize("before", [b"0", b"1"])
def test_bad_values_fail_with_einval_and_change_nothing(module, text, before):
    write_sysctl("a", before)
    with pytest.raises(OSError) as e:
        write_sysctl("a", text)
    assert e.value.errno == errno.EINVAL
    assert read_sysctl("a") == before + b"\n"


def test_sysctl_w_rejects_two(module):
    result = run("sysctl", "-w", "json-sysctl.a=2")
    assert result.returncode != 0
    assert "Invalid argument" in result.stderr
    assert read_sysctl("a") == b"0\n"


@pytest.mark.parametrize("size", [4096, 4097, 65536])
def test_a_write_of_a_page_or_more_fails(module, size):
    with pytest.raises(OSError) as e:
        write_sysctl("a", b"1" + b" " * (size - 1))
    assert e.value.errno == errno.EINVAL
    assert read_sysctl("a") == b"0\n"


def test_a_write_just_under_a_page_is_accepted(module):
    assert write_sysctl("a", b"1" + b" " * 4094) == 4095
    assert read_sysctl("a") == b"1\n"


def test_a_value_written_in_two_pieces_is_set(module):
    """dd bs=1 writes "1" at position 0, then "\\n" at position 1."""
    result = run("sh", "-c", f"printf '1\\n' | dd of={sysctl_path('a')} bs=1 status=none")
    assert result.returncode == 0, result.stderr
    assert read_sysctl("a") == b"1\n"


def test_a_write_past_position_zero_is_ignored_but_consumed(module):
    with opened(sysctl_path("a"), os.O_WRONLY) as fd:
        assert os.write(fd, b"1") == 1
        assert os.write(fd, b"0") == 1
    assert read_sysctl("a") == b"1\n"


def test_one_byte_reads_of_a_sysctl(module):
    write_sysctl("c", b"1")
    with opened(sysctl_path("c")) as fd:
        assert [os.read(fd, 1) for _ in range(3)] == [b"1", b"\n", b""]
        assert os.pread(fd, 16, 1) == b"\n"
        assert os.pread(fd, 16, 2) == b""
