"""insmod, rmmod and modinfo: loading, unloading, and failing to load."""
import errno
import os

import pytest

from conftest import (DEVICE, EXAMPLES, KO, PLAIN_KO, SYSCTL_DIR, assert_nothing_registered,
                      char_devices, document, example_ko, insmod, is_loaded, load, open_errno, opened,
                      read_device, read_sysctl, rmmod, run, sysctl_path, unload, write_sysctl)

# The init steps, in order: sysctl table, chrdev region, cdev, class, device.
INIT_STEPS = 5


def test_rmmod_removes_everything(kernel):
    assert insmod().returncode == 0
    assert os.path.exists(DEVICE) and os.path.isdir(SYSCTL_DIR)
    assert rmmod().returncode == 0
    assert_nothing_registered()


def test_after_rmmod_the_device_number_opens_nothing(kernel, tmp_path):
    """A cdev left registered would still answer its number, into freed
    module memory."""
    assert insmod().returncode == 0
    major = char_devices()["json"]
    assert open_errno(major, tmp_path) == 0
    assert rmmod().returncode == 0
    assert open_errno(major, tmp_path) == errno.ENXIO


def test_rmmod_is_refused_while_the_device_is_open(module):
    with opened(DEVICE) as fd:
        result = rmmod()
        assert result.returncode != 0
        assert "in use" in result.stderr
        assert is_loaded()
        assert os.pread(fd, 64, 0) == document()
    # The module fixture now unloads it, which must succeed.


def test_an_open_sysctl_file_does_not_hold_the_module(kernel):
    assert insmod().returncode == 0
    with opened(sysctl_path("a"), os.O_RDWR) as fd:
        assert rmmod().returncode == 0
        with pytest.raises(OSError):
            os.read(fd, 16)
        with pytest.raises(OSError):
            os.write(fd, b"1")
    assert_nothing_registered()


@pytest.mark.parametrize("step", range(1, INIT_STEPS + 1))
def test_a_failed_init_step_unwinds_and_reports_its_errno(kernel, step, tmp_path):
    # The device number a load gets, for probing it after the failed one.
    assert insmod().returncode == 0
    major = char_devices()["json"]
    assert rmmod().returncode == 0

    result = insmod(f"fail_step={step}")
    assert result.returncode != 0
    assert "Operation canceled" in result.stderr  # ECANCELED, the step's errno
    assert_nothing_registered()
    assert open_errno(major, tmp_path) == errno.ENXIO

    assert insmod().returncode == 0
    assert read_device() == document()
    assert char_devices()["json"] == major  # so the probe above was of this number


def test_fail_step_past_the_last_step_loads(kernel):
    """Proves INIT_STEPS is the whole list of steps."""
    assert insmod(f"fail_step={INIT_STEPS + 1}").returncode == 0
    assert read_device() == document()


def test_reload_starts_from_initial_values(kernel):
    assert insmod().returncode == 0
    write_sysctl("a", b"1")
    assert rmmod().returncode == 0
    assert insmod().returncode == 0
    assert read_sysctl("a") == b"0\n"
    assert read_device() == document()


def test_hundred_load_unload_cycles(kernel):
    """What insmod and rmmod do, as syscalls: 100 exec pairs take too long
    under emulation."""
    for cycle in range(100):
        err = load()
        assert err == 0, f"cycle {cycle}: load: {os.strerror(err)}"
        assert read_device() == document(), f"cycle {cycle}"
        err = unload()
        assert err == 0, f"cycle {cycle}: unload: {os.strerror(err)}"
    assert_nothing_registered()


def test_modinfo_describes_the_module():
    info = run("modinfo", str(KO)).stdout
    fields = {}
    for line in info.splitlines():
        key, _, value = line.partition(":")
        fields.setdefault(key, value.strip())
    assert fields["license"] == "GPL"
    assert fields["name"] == "jsonsysctl"
    for key in ("description", "author", "version"):
        assert fields[key], key
    assert fields["parm"].startswith("fail_step:")


@pytest.mark.parametrize("ko", [PLAIN_KO] + [example_ko(name) for name in EXAMPLES],
                         ids=lambda ko: ko.name)
def test_what_make_builds_has_no_module_parameters(ko):
    """The layer's test hooks (fail_step) are in the test variants only
    (build/test/): what make, make install and DKMS build has none."""
    result = run("modinfo", "-F", "parm", str(ko))
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
