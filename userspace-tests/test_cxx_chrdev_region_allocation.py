"""cxx_chrdev_region_allocation, the twin of the Rust framework's
tests/chrdev-region-allocation: a region of one minor under a free major,
listed in /proc/devices as chrdev-region-allocation-tests while loaded."""
from conftest import assert_cycles_leave_nothing, loaded

REGION = "chrdev-region-allocation-tests"


def device_lines():
    with open("/proc/devices") as f:
        return [line for line in f.read().splitlines() if line.endswith(REGION)]


def test_proc_devices(kernel):
    with loaded("chrdev_region_allocation"):
        lines = device_lines()
        assert len(lines) == 1
        major, name = lines[0].rsplit(" ", 1)
        assert name == REGION
        assert int(major.strip()) > 0
    assert device_lines() == []


def test_loads_and_unloads_20_times(kernel):
    def listed():
        assert len(device_lines()) == 1

    assert_cycles_leave_nothing("chrdev_region_allocation", check=listed)
