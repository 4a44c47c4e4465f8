"""What users other than root may do."""
import os
import subprocess

from conftest import DEVICE, document, read_sysctl, sysctl_path

NOBODY = dict(user=65534, group=65534, extra_groups=[], capture_output=True)


def as_nobody(*cmd):
    return subprocess.run(cmd, **NOBODY)


def test_unprivileged_user_reads_device_and_sysctls(module):
    result = as_nobody("cat", DEVICE)
    assert result.returncode == 0, result.stderr
    assert result.stdout == document()
    assert as_nobody("cat", sysctl_path("a")).stdout == b"0\n"
    assert as_nobody("sysctl", "json-sysctl.b").stdout == b"json-sysctl.b = 0\n"


def test_unprivileged_user_cannot_write_sysctls(module):
    result = as_nobody("sh", "-c", f"echo 1 > {sysctl_path('a')}")
    assert result.returncode != 0
    assert b"Permission denied" in result.stderr
    assert as_nobody("sysctl", "-w", "json-sysctl.a=1").returncode != 0
    assert read_sysctl("a") == b"0\n"


def test_unprivileged_user_cannot_open_device_for_writing(module):
    result = as_nobody("sh", "-c", f"echo 1 > {DEVICE}")
    assert result.returncode != 0
    assert b"Permission denied" in result.stderr
    assert os.stat(DEVICE).st_uid == 0
