"""cxx_printk, the twin of the Rust framework's tests/printk: three records
at KERN_INFO when loaded, in order, each exactly its text (no prefix)."""
from conftest import assert_cycles_leave_nothing, loaded

KERN_INFO = 6
RECORDS = [(KERN_INFO, "Single element printk"), (KERN_INFO, ""),
           (KERN_INFO, "printk with 2 parameters!")]


def test_printk(kernel):
    with loaded("printk"):
        pass
    logged = kernel.records()
    first = logged.index(RECORDS[0])
    assert logged[first:first + len(RECORDS)] == RECORDS


def test_loads_and_unloads_20_times(kernel):
    assert_cycles_leave_nothing("printk")
    assert kernel.records().count(RECORDS[2]) == 20
