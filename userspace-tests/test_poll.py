"""poll(), select() and epoll on /dev/json: a change to a value is news.

An open /dev/json is always readable (POLLIN | POLLRDNORM). It also reports
POLLPRI (select(): exceptfds) while the values differ from the snapshot it
serves: its last read at offset 0, its first read, or, before any read, the
values when it was opened. A sysctl write that changes a value wakes every
blocked poller; one that stores the value already there wakes nobody.
"""
import errno
import os
import select
import signal
import subprocess
import sys
import threading
import time

import pytest

from conftest import (DEVICE, TOP, assert_nothing_registered, document, load, opened, run,
                      sysctl_path, unload, write_sysctl)

READABLE = select.POLLIN | select.POLLRDNORM
NEWS = READABLE | select.POLLPRI
# poll() and epoll report only the events asked for (and errors).
PRI = select.POLLPRI
WATCHER = TOP / "build" / "tools" / "jsonwatch"
# Long enough never to expire in a passing test under emulation; a test
# that fails waits this long at most. A poll() that times out looks at the
# file once more before it returns, and so reports a change nobody woke it
# for: a poller must have returned well before its timeout to count as woken.
BLOCK_S = 30
WOKEN_S = BLOCK_S - 5
# Starting a Python child is not under test: under KASAN (make check-debug)
# on a busy 2-core host, three took more than BLOCK_S to say they were ready.
START_S = 300


def events(fd, timeout_ms=0, mask=NEWS):
    """What poll() reports for fd (0: nothing), within timeout_ms."""
    poller = select.poll()
    poller.register(fd, mask)
    got = poller.poll(timeout_ms)
    return got[0][1] if got else 0


def task_state(tid, pid=None):
    """The scheduler state and wait channel of a thread (pid's or ours)."""
    base = f"/proc/{pid or os.getpid()}/task/{tid}"
    with open(f"{base}/stat") as f:
        state = f.read().rsplit(")", 1)[1].split()[0]
    with open(f"{base}/wchan") as f:
        return state, f.read()


def wait_until_sleeping(tid, pid=None):
    """Waits until the thread sleeps in poll(), select() or epoll_wait()."""
    end = time.monotonic() + BLOCK_S
    while time.monotonic() < end:
        state, wchan = task_state(tid, pid)
        if state == "S" and any(w in wchan for w in ("poll", "select", "ep_")):
            return
        time.sleep(0.01)
    pytest.fail(f"thread {tid} never slept in a poll: {task_state(tid, pid)}")


def voluntary_switches(tid):
    """How often the thread went to sleep: each wake-up adds one."""
    with open(f"/proc/{os.getpid()}/task/{tid}/status") as f:
        for line in f:
            if line.startswith("voluntary_ctxt_switches:"):
                return int(line.split()[1])
    raise AssertionError("no voluntary_ctxt_switches")


class Blocked(threading.Thread):
    """Runs wait() in a thread that sleeps in it; result() is what it
    returned. As a context manager it waits for the thread on the way out,
    so that a failing test cannot leave a poller holding the module."""

    def __init__(self, wait):
        super().__init__(daemon=True)
        self.wait = wait
        self.tid = None
        self.elapsed = None
        self.value = self.error = None
        self.ready = threading.Event()
        self.start()
        self.ready.wait()
        wait_until_sleeping(self.tid)

    def run(self):
        self.tid = threading.get_native_id()
        self.ready.set()
        start = time.monotonic()
        try:
            self.value = self.wait()
        except OSError as e:
            self.error = e
        self.elapsed = time.monotonic() - start

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.join(BLOCK_S + 5)

    def result(self, woken=True):
        """What wait() returned; with woken, fails unless a wake-up ended
        it rather than its timeout."""
        self.join(BLOCK_S + 5)
        assert not self.is_alive(), "the poller never returned"
        if self.error:
            raise self.error
        if woken:
            assert self.elapsed < WOKEN_S, f"nothing woke the poller in {self.elapsed:.1f} s"
        return self.value


def readline(child, timeout=BLOCK_S):
    """The child's next line of output (an unbuffered pipe: nothing waits
    unseen in a buffer), failing after timeout seconds."""
    if not select.select([child.stdout], [], [], timeout)[0]:
        pytest.fail(f"no output from pid {child.pid} within {timeout} s")
    return child.stdout.readline()


def poll_blocking(fd, mask=select.POLLPRI):
    return lambda: events(fd, BLOCK_S * 1000, mask)


# What each open file reports, without blocking.


def test_an_open_file_is_readable_with_no_news(module):
    with opened(DEVICE) as fd:
        assert events(fd) == READABLE
        assert os.pread(fd, 64, 0) == document()
        assert events(fd) == READABLE


def test_a_change_is_news_until_a_read_at_offset_zero(module):
    with opened(DEVICE) as fd:
        assert os.pread(fd, 64, 0) == document()
        write_sysctl("a", b"1")
        assert events(fd) == NEWS
        assert events(fd) == NEWS  # looking does not clear it
        assert os.pread(fd, 64, 0) == document(a=True)
        assert events(fd) == READABLE


def test_a_change_undone_before_anyone_looks_is_no_news(module):
    with opened(DEVICE) as fd:
        assert os.pread(fd, 64, 0) == document()
        write_sysctl("b", b"1")
        write_sysctl("b", b"0")
        assert events(fd) == READABLE


def test_a_file_never_read_compares_with_the_values_at_open(module):
    with opened(DEVICE) as fd:
        write_sysctl("c", b"1")
        assert events(fd) == NEWS
        write_sysctl("c", b"0")
        assert events(fd) == READABLE
    write_sysctl("c", b"1")
    with opened(DEVICE) as fd:
        assert events(fd) == READABLE  # opened after the change


def test_a_read_past_offset_zero_continues_the_snapshot_and_keeps_the_news(module):
    with opened(DEVICE) as fd:
        assert os.pread(fd, 64, 0) == document()
        write_sysctl("a", b"1")
        assert os.pread(fd, 64, 5) == document()[5:]
        assert events(fd) == NEWS


def test_a_first_read_past_offset_zero_serves_the_current_values_and_clears_the_news(module):
    """The first read at any offset takes the snapshot (test_device.py):
    the file then serves the current values, so it has no news."""
    with opened(DEVICE) as fd:
        write_sysctl("a", b"1")
        assert events(fd) == NEWS
        assert os.pread(fd, 64, 5) == document(a=True)[5:]
        assert events(fd) == READABLE


def test_each_open_file_has_its_own_news(module):
    with opened(DEVICE) as first, opened(DEVICE) as second:
        write_sysctl("a", b"1")
        os.pread(first, 64, 0)
        assert events(first) == READABLE
        assert events(second) == NEWS


def test_many_descriptors_all_see_a_change(module):
    fds = [os.open(DEVICE, os.O_RDONLY) for _ in range(300)]
    try:
        poller = select.poll()
        for fd in fds:
            poller.register(fd, select.POLLPRI)
        assert poller.poll(0) == []
        write_sysctl("b", b"1")
        assert sorted(poller.poll(0)) == sorted((fd, PRI) for fd in fds)
        for fd in fds[::2]:
            assert os.pread(fd, 64, 0) == document(b=True)
        assert sorted(poller.poll(0)) == sorted((fd, PRI) for fd in fds[1::2])
    finally:
        for fd in fds:
            os.close(fd)


def test_select_reports_news_in_exceptfds_only(module):
    with opened(DEVICE) as fd:
        assert select.select([fd], [fd], [fd], 0) == ([fd], [], [])
        write_sysctl("a", b"1")
        assert select.select([fd], [fd], [fd], 0) == ([fd], [], [fd])
        os.pread(fd, 64, 0)
        assert select.select([], [], [fd], 0) == ([], [], [])


def test_epoll_level_triggered_reports_news_until_read(module):
    with opened(DEVICE) as fd, select.epoll() as ep:
        ep.register(fd, select.EPOLLPRI)
        assert ep.poll(0) == []
        write_sysctl("a", b"1")
        assert ep.poll(0) == [(fd, select.EPOLLPRI)]
        assert ep.poll(0) == [(fd, select.EPOLLPRI)]  # level: again
        os.pread(fd, 64, 0)
        assert ep.poll(0) == []


def test_epoll_edge_triggered_reports_each_change_once(module):
    with opened(DEVICE) as fd, select.epoll() as ep:
        ep.register(fd, select.EPOLLPRI | select.EPOLLET)
        assert ep.poll(0) == []
        write_sysctl("a", b"1")
        assert ep.poll(0) == [(fd, select.EPOLLPRI)]
        assert ep.poll(0) == []  # edge: once
        write_sysctl("b", b"1")  # still unread: a second change, a second event
        assert ep.poll(0) == [(fd, select.EPOLLPRI)]
        assert ep.poll(0) == []
        os.pread(fd, 64, 0)
        write_sysctl("a", b"1")  # no change, no event
        assert ep.poll(0) == []


def test_epoll_readability_alone_is_reported_once_and_never_woken_by_a_change(module):
    with opened(DEVICE) as fd, select.epoll() as ep:
        ep.register(fd, select.EPOLLIN | select.EPOLLET)
        assert ep.poll(0) == [(fd, select.EPOLLIN)]
        write_sysctl("a", b"1")
        assert ep.poll(0) == []


# Blocked pollers.


@pytest.mark.parametrize("how", ["poll", "select", "epoll", "epoll-edge"])
def test_a_sysctl_w_wakes_a_blocked_poller(module, how):
    with opened(DEVICE) as fd, select.epoll() as ep:
        ep.register(fd, select.EPOLLPRI | (select.EPOLLET if how == "epoll-edge" else 0))
        wait = {
            "poll": poll_blocking(fd),
            "select": lambda: select.select([], [], [fd], BLOCK_S),
            "epoll": lambda: ep.poll(BLOCK_S),
            "epoll-edge": lambda: ep.poll(BLOCK_S),
        }[how]
        with Blocked(wait) as poller:
            assert run("sysctl", "-w", "json-sysctl.a=1").returncode == 0
            expected = {
                "poll": PRI,
                "select": ([], [], [fd]),
                "epoll": [(fd, select.EPOLLPRI)],
                "epoll-edge": [(fd, select.EPOLLPRI)],
            }[how]
            assert poller.result() == expected
        assert os.pread(fd, 64, 0) == document(a=True)


def test_a_write_that_changes_nothing_wakes_nobody(module):
    """The poller's thread sleeps through writes of the value already there
    (its count of voluntary sleeps stays) and wakes for a change."""
    with opened(DEVICE) as fd:
        os.pread(fd, 64, 0)
        with Blocked(poll_blocking(fd)) as poller:
            before = voluntary_switches(poller.tid)
            for _ in range(20):
                assert write_sysctl("a", b"0") == 1
            for _ in range(3):
                assert run("sysctl", "-w", "json-sysctl.b=0").returncode == 0
            time.sleep(0.2)
            assert voluntary_switches(poller.tid) == before, "an unchanged write woke the poller"
            assert poller.is_alive()
            write_sysctl("a", b"1")
            assert poller.result() == PRI


def test_a_failed_write_wakes_nobody(module):
    with opened(DEVICE) as fd:
        with Blocked(poll_blocking(fd)) as poller:
            before = voluntary_switches(poller.tid)
            for text in (b"2", b"", b"yes", b"1" * 5000):
                with pytest.raises(OSError):
                    write_sysctl("a", text)
            time.sleep(0.2)
            assert voluntary_switches(poller.tid) == before
            write_sysctl("c", b"1")
            assert poller.result() == PRI


# Sleeps in poll(), select() or epoll_wait() on its own /dev/json, with no
# timeout, until the values differ from those it read, argv[2] times; prints
# each document.
CHILD = r"""
import os, select, sys
how, changes = sys.argv[1], int(sys.argv[2])
fd = os.open("/dev/json", os.O_RDONLY)
sys.stdout.buffer.write(os.pread(fd, 64, 0))
sys.stdout.flush()
ep = select.epoll()
ep.register(fd, select.EPOLLPRI | (select.EPOLLET if how == "epoll-edge" else 0))
for _ in range(changes):
    if how == "poll":
        p = select.poll()
        p.register(fd, select.POLLPRI)
        ready = p.poll()
    elif how == "select":
        ready = select.select([], [], [fd])[2]
    else:
        ready = ep.poll()
    if not ready:
        sys.exit("woken with no news")
    sys.stdout.buffer.write(os.pread(fd, 64, 0))
    sys.stdout.flush()
"""


def start_children(count, changes):
    hows = ["poll", "select", "epoll", "epoll-edge"]
    children = []
    for i in range(count):
        child = subprocess.Popen([sys.executable, "-c", CHILD, hows[i % 4], str(changes)],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, bufsize=0)
        children.append(child)
    for child in children:
        assert readline(child, START_S) == document()  # started, read once
    return children


def test_blocked_pollers_in_several_processes_all_wake(module):
    children = start_children(4, 2)
    try:
        for child in children:
            wait_until_sleeping(child.pid, child.pid)
        write_sysctl("a", b"1")
        for child in children:
            assert readline(child) == document(a=True)
        for child in children:
            wait_until_sleeping(child.pid, child.pid)
        assert run("sysctl", "-w", "json-sysctl.c=1").returncode == 0
        for child in children:
            out, err = child.communicate(timeout=BLOCK_S)
            assert child.returncode == 0, err.decode()
            assert out == document(a=True, c=True)
    finally:
        for child in children:
            child.kill()
            child.wait()


# Reads /dev/json, then until 5 s pass without news: sleeps in poll() for
# POLLPRI and reads again. Prints the last document read and how often
# poll() reported news only as it timed out (it looks once more then): a
# poller that missed a wake-up sleeps through a change.
TOGGLE_POLLER = r"""
import os, select, sys, time
fd = os.open("/dev/json", os.O_RDONLY)
last = os.pread(fd, 64, 0)
print("ready", flush=True)
p = select.poll()
p.register(fd, select.POLLPRI)
missed = 0
while True:
    start = time.monotonic()
    if not p.poll(5000):
        break
    missed += time.monotonic() - start >= 5
    last = os.pread(fd, 64, 0)
sys.stdout.buffer.write(last)
print(missed, flush=True)
"""


def test_rapid_toggling_leaves_every_poller_with_the_final_state(module):
    import random
    rng = random.Random(13)
    children = [subprocess.Popen([sys.executable, "-c", TOGGLE_POLLER], stdout=subprocess.PIPE,
                                 bufsize=0) for _ in range(3)]
    try:
        for child in children:
            assert readline(child, START_S) == b"ready\n"
        fds = {name: os.open(sysctl_path(name), os.O_WRONLY) for name in "abc"}
        state = {"a": False, "b": False, "c": False}
        try:
            for _ in range(1000):
                name = rng.choice("abc")
                state[name] = not state[name]
                os.pwrite(fds[name], b"1" if state[name] else b"0", 0)
        finally:
            for fd in fds.values():
                os.close(fd)
        for child in children:
            out, _ = child.communicate(timeout=60)
            last, missed = out.rsplit(b"\n", 2)[:2]
            assert last + b"\n" == document(**state)
            assert int(missed) == 0, "a poller slept through a change until its timeout"
    finally:
        for child in children:
            child.kill()
            child.wait()


# Lifetime: the poller pins the module.


def test_rmmod_is_refused_while_a_poller_sleeps(module):
    with opened(DEVICE) as fd:
        with Blocked(poll_blocking(fd)) as poller:
            assert unload() in (errno.EBUSY, errno.EAGAIN)
            assert poller.is_alive()
            write_sysctl("a", b"1")
            assert poller.result() == PRI
    # The module fixture now unloads it, which must succeed.


def test_closing_the_file_under_a_sleeping_poller(module):
    """close() from another thread: the sleeping poll() still holds the
    file, so the module stays pinned; the next change wakes it and poll()
    finds the descriptor gone (POLLNVAL). The sysctl is opened first: opened
    after the close, it would get the closed descriptor's number, and poll()
    would look at the sysctl file instead."""
    fd = os.open(DEVICE, os.O_RDONLY)
    with opened(sysctl_path("a"), os.O_WRONLY) as sysctl, Blocked(poll_blocking(fd)) as poller:
        os.close(fd)
        assert unload() in (errno.EBUSY, errno.EAGAIN)
        assert os.write(sysctl, b"1") == 1
        assert poller.result() == select.POLLNVAL


def test_closing_the_file_under_a_sleeping_epoll_wait_unhooks_it(kernel):
    """epoll holds no reference to /dev/json: closing it removes it from the
    set and from the wait queue, and rmmod then works while epoll_wait()
    still sleeps on the set, which still works (an eventfd wakes it).
    Under DEBUG_KOBJECT_RELEASE the unload alone takes 1-4 s."""
    assert load() == 0
    fd = os.open(DEVICE, os.O_RDONLY)
    ep = select.epoll()
    efd = os.eventfd(0)
    try:
        ep.register(fd, select.EPOLLPRI)
        with Blocked(lambda: ep.poll(BLOCK_S)) as poller:
            os.close(fd)
            assert unload() == 0
            assert_nothing_registered()
            assert poller.is_alive()
            ep.register(efd, select.EPOLLIN)
            os.eventfd_write(efd, 1)
            assert poller.result() == [(efd, select.EPOLLIN)]
    finally:
        ep.close()
        os.close(efd)


def test_closing_an_epoll_set_that_holds_the_file(module):
    with opened(DEVICE) as fd:
        ep = select.epoll()
        ep.register(fd, select.EPOLLPRI)
        write_sysctl("a", b"1")
        assert ep.poll(0) == [(fd, select.EPOLLPRI)]
        ep.close()
        write_sysctl("a", b"0")  # wakes a queue the set has left
        assert events(fd) == READABLE


@pytest.mark.parametrize("how", ["poll", "select", "epoll"])
def test_killing_a_sleeping_poller(module, how):
    child = subprocess.Popen([sys.executable, "-c", CHILD, how, "1"], stdout=subprocess.PIPE,
                             bufsize=0)
    try:
        assert readline(child, START_S) == document()  # started, read once
        wait_until_sleeping(child.pid, child.pid)
        assert unload() in (errno.EBUSY, errno.EAGAIN)
    finally:
        child.kill()
        child.wait()
    assert child.returncode == -signal.SIGKILL
    write_sysctl("a", b"1")
    # The module fixture unloads it, which must succeed.


# The sysctl files themselves.


def test_proc_sys_files_offer_no_change_notification(module):
    """They report what every /proc/sys file without .poll reports, always
    readable and writable, and no POLLPRI on a change (docs/dev-json.md,
    "The sysctl files offer no poll()")."""
    with opened(sysctl_path("a")) as fd:
        before = events(fd, mask=NEWS | select.POLLOUT)
        assert before & select.POLLPRI == 0
        write_sysctl("a", b"1")
        assert events(fd, mask=NEWS | select.POLLOUT) == before


# The watcher.


def test_jsonwatch_prints_the_document_and_each_change(module):
    watcher = subprocess.Popen([str(WATCHER)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               bufsize=0)
    try:
        assert readline(watcher) == document()
        wait_until_sleeping(watcher.pid, watcher.pid)
        assert run("sysctl", "-w", "json-sysctl.a=1").returncode == 0
        assert readline(watcher) == document(a=True)
        write_sysctl("a", b"1")  # no change: nothing printed
        write_sysctl("b", b"1")
        assert readline(watcher) == document(a=True, b=True)
    finally:
        watcher.kill()
        watcher.wait()


def test_jsonwatch_fails_clearly_without_the_device(kernel):
    result = run(str(WATCHER))
    assert result.returncode != 0
    assert "/dev/json" in result.stderr
