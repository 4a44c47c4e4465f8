"""cxx_sysctl_get, the twin of the Rust framework's tests/sysctl-get: a
boolean at /proc/sys/cxx/sysctl-get-tests/a, as cxx_sysctl's; at unload
the module logs its value twice, as true or false: `A_VAL:` read from its
global, `SYSCTL_A:` read back through the registration, the storage the
kernel's table points at."""
import errno
import os
import stat

import pytest

from conftest import assert_cycles_leave_nothing, loaded, opened

A = "/proc/sys/cxx/sysctl-get-tests/a"
KERN_INFO = 6


def read():
    with open(A, "rb") as f:
        return f.read()


def write(data):
    with opened(A, os.O_WRONLY) as fd:
        return os.write(fd, data)


def logged_values(kernel):
    """The A_VAL and SYSCTL_A records logged since the test started."""
    return [(level, text) for level, text in kernel.records()
            if text.startswith(("A_VAL:", "SYSCTL_A:"))]


def test_get(kernel):
    with loaded("sysctl_get"):
        write(b"1")
    assert logged_values(kernel) == [(KERN_INFO, "A_VAL: true"), (KERN_INFO, "SYSCTL_A: true")]


def test_get_untouched_logs_false_once_at_unload(kernel):
    with loaded("sysctl_get"):
        assert logged_values(kernel) == []  # nothing at load
    assert logged_values(kernel) == [(KERN_INFO, "A_VAL: false"), (KERN_INFO, "SYSCTL_A: false")]


def test_get_logs_the_last_value_written(kernel):
    with loaded("sysctl_get"):
        write(b"1")
        write(b" 0\n")
    assert logged_values(kernel) == [(KERN_INFO, "A_VAL: false"), (KERN_INFO, "SYSCTL_A: false")]


def test_the_same_bool_as_cxx_sysctl(kernel):
    with loaded("sysctl_get"):
        assert stat.S_IMODE(os.stat(A).st_mode) == 0o644
        assert read() == b"0\n"
        with pytest.raises(OSError) as e:
            write(b"2")
        assert e.value.errno == errno.EINVAL
        assert read() == b"0\n"
        assert write(b"  1\t") == 4
        assert read() == b"1\n"
    assert not os.path.exists(A)
    assert not os.path.exists("/proc/sys/cxx")


def test_loads_and_unloads_20_times(kernel):
    def fresh():
        assert read() == b"0\n"

    assert_cycles_leave_nothing("sysctl_get", check=fresh)
    assert logged_values(kernel) == [(KERN_INFO, "A_VAL: false"), (KERN_INFO, "SYSCTL_A: false")] * 20
