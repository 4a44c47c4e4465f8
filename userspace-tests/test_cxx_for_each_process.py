"""cxx_for_each_process, the twin of the Rust framework's
tests/for-each-process (its rcu branch): when loaded, it logs
`for-each-process: %8d %s`, the pid (tgid) and command name of every
process, walked as for_each_process() does, inside an RCU read-side
section."""
import ctypes
import os
import re

from conftest import assert_cycles_leave_nothing, libc, loaded

PR_SET_NAME, PR_GET_NAME = 15, 16
LINE = re.compile(r"for-each-process: ([ \d]{7}\d) (.*)")


def comm():
    name = ctypes.create_string_buffer(16)
    assert libc.prctl(PR_GET_NAME, name) == 0
    return name.value


def set_comm(name):
    assert libc.prctl(PR_SET_NAME, ctypes.c_char_p(name)) == 0, os.strerror(ctypes.get_errno())


def pids():
    """The processes /proc lists (thread group leaders, kernel threads too)."""
    return {int(p) for p in os.listdir("/proc") if p.isdigit()}


def logged(kernel):
    """(pid, comm) of each line the walk logged, in order."""
    return [(int(m[1]), m[2]) for _, text in kernel.records() if (m := LINE.fullmatch(text))]


def test_for_each_process(kernel):
    old = comm()
    set_comm(b"areyouthere")
    try:
        with loaded("for_each_process"):
            pass
    finally:
        set_comm(old)
    assert (os.getpid(), "areyouthere") in logged(kernel)


def test_every_process_once_from_init(kernel):
    """Each process alive through the load has exactly one line, init's
    first (the walk starts after init_task, the idle task, which it does not
    log: for_each_process() does not)."""
    before = pids()
    with loaded("for_each_process"):
        pass
    alive = before & pids()
    walked = [pid for pid, _ in logged(kernel)]
    assert walked[0] == 1
    assert 0 not in walked
    assert len(walked) == len(set(walked)), "a process was logged twice"
    assert alive <= set(walked), f"not logged: {sorted(alive - set(walked))}"
    with open("/proc/1/comm") as f:
        assert logged(kernel)[0] == (1, f.read().rstrip("\n"))


def test_loads_and_unloads_20_times(kernel):
    assert_cycles_leave_nothing("for_each_process")
    assert [pid for pid, _ in logged(kernel)].count(os.getpid()) == 20
