"""cxx_modinfo, the twin of the Rust framework's tests/modinfo: a module that
does nothing, whose modinfo is the test."""
from conftest import assert_cycles_leave_nothing, example_ko, loaded, run


def test_modinfo():
    for key, value in (("author", "jsonsysctl developers"),
                       ("description", "Empty module for testing modinfo"),
                       ("license", "GPL")):
        result = run("modinfo", "-F", key, str(example_ko("modinfo")))
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == value, key


def test_no_proprietary_taint(kernel):
    with loaded("modinfo"):
        with open("/sys/module/cxx_modinfo/taint") as f:
            assert "P" not in f.read()


def test_loads_and_unloads_20_times(kernel):
    assert_cycles_leave_nothing("modinfo")
