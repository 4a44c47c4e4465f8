"""Fixtures for testing jsonsysctl.ko and the examples' twins as a user
would, inside a QEMU guest.

`make check` boots Debian's kernel (scripts/vm.sh) and runs this suite as
root. Each test gets a freshly loaded module and fails if unloading fails,
if anything is left behind, or if the kernel logged a warning, BUG or oops
meanwhile (the guest boots with slub_debug=FZPU, which reports overruns and
use-after-free in the kernel log).

jsonsysctl is loaded from its test variant, build/test/jsonsysctl/, which
has the layer's test hooks (fail_step); the twins as make examples builds
them, examples/<name>/cxx_<name>.ko.

The fixtures load and unload with finit_module() and delete_module(), the
two syscalls insmod and rmmod make: spawning the commands costs about 0.3 s
a test under TCG. test_lifecycle.py runs the real insmod and rmmod.
"""
import contextlib
import ctypes
import itertools
import os
import pathlib
import re
import stat
import subprocess

import pytest

import kmemleak

TOP = pathlib.Path(__file__).resolve().parent.parent
KO = pathlib.Path(os.environ.get("JSONSYSCTL_KO", TOP / "build/test/jsonsysctl/jsonsysctl.ko"))
# What make, make install and DKMS build: no test hooks.
PLAIN_KO = TOP / "jsonsysctl.ko"
NAME = "jsonsysctl"
# The twins of the Rust framework's test modules: examples/<name>/cxx_<name>.ko.
EXAMPLES = sorted(p.parent.name for p in (TOP / "examples").glob("*/Kbuild"))
DEVICE = "/dev/json"
SYSCTL_DIR = "/proc/sys/json-sysctl"
SYSCTLS = ("a", "b", "c")

# What the kernel prints when something went wrong, SLUB's debug reports
# included.
KERNEL_TROUBLE = re.compile(
    r"WARNING:|BUG[: ]|Oops|Call Trace|general protection|Kernel panic"
    r"|Poison overwritten|Redzone|Object padding|Freepointer corrupt|slab_out_of_bounds"
    r"|UBSAN:|sysctl table check failed"
    # The debug kernels' (make check-debug): KASAN, KCSAN and lockdep say
    # BUG: or WARNING:; kmemleak that it gave up; kCFI "CFI failure at".
    r"|kmemleak: .*disabled|CFI failure"
)

# A frame in a module's code, as a stack in a report prints it.
MODULE_FRAME = re.compile(r"\+0x[0-9a-f]+/0x[0-9a-f]+ \[\w+\]$")
# The race kernel's (KCSAN) reports of races between the kernel's own
# accesses, ours nowhere on either stack: not failures, but shown at the
# end (docs/testing.md, "How a report fails a run").
kernel_races = []


def kernels_own_races(lines):
    """The indices of the lines of KCSAN reports that name no module frame."""
    own, i = set(), 0
    while i < len(lines):
        if "BUG: KCSAN:" in lines[i]:
            end = i + 1
            while end < len(lines) and not lines[end].startswith("====="):
                end += 1
            if not any(MODULE_FRAME.search(line) for line in lines[i:end]):
                own.update(range(i, end))
                kernel_races.append("\n".join(lines[i:end]))
            i = end
        i += 1
    return own


def injected_allocation_failures(lines):
    """The indices of the lines of the kernel's reports of an allocation
    failed on purpose: vmalloc()'s (warn_alloc(); no page allocation is a
    fault point of the sweeps), header to the end of its stack, and 6.1's __register_sysctl_table(),
    which dumps its stack whenever registering fails (after "sysctl could not
    get directory: /json-sysctl -12" when that allocation failed). A fault
    sweep injects them; anything else in the log (a WARNING, BUG, KASAN or
    lockdep report, a sysctl failure for another reason) still counts."""
    expected, i = set(), 0
    while i < len(lines):
        start = None
        stack = stack_of(lines, i) if lines[i].startswith("CPU: ") and " Comm: fail_nth " in lines[i] else []
        if re.search(r"vmalloc error: ", lines[i]):
            start = i
        elif stack[:3] == SYSCTL_FAILED and "kcxx_register_sysctl" in stack:
            before = lines[i - 1] if i > 0 else ""
            if re.fullmatch(r"sysctl could not get directory: .* -12", before):
                start = i - 1
            elif not before.startswith("sysctl "):
                start = i
        if start is not None:
            end = i + 1
            while end < len(lines) and "</TASK>" not in lines[end] and not KERNEL_REPORT.search(lines[end]):
                end += 1
            if end < len(lines) and "</TASK>" in lines[end]:
                end += 1  # the stack's last line; a report that cut it short is not
            expected.update(range(start, end))
            i = end - 1
        i += 1
    return expected


# The first frames of the stack 6.1's __register_sysctl_table() dumps.
SYSCTL_FAILED = ["dump_stack_lvl", "dump_stack", "__register_sysctl_table"]


def stack_of(lines, i):
    """The function names of the stack dumped from line i (its CPU: line)
    on, without the unreliable ("? ") frames."""
    names = []
    for line in lines[i + 1:]:
        if "</TASK>" in line or KERNEL_REPORT.search(line):
            break
        m = re.fullmatch(r"\s*([\w.]+)\+0x[0-9a-f]+/0x[0-9a-f]+( \[\w+\])?", line)
        if m:
            names.append(m.group(1))
    return names


# What starts a report no injected failure explains.
KERNEL_REPORT = re.compile(r"WARNING:|BUG[: ]|Oops|general protection|Kernel panic|UBSAN:|CFI failure")


def document(a=False, b=False, c=False):
    """The exact bytes /dev/json serves for these values."""
    js = {True: "true", False: "false"}
    return f'{{"a":{js[a]},"b":{js[b]},"c":{js[c]}}}\n'.encode()


def run(*cmd, **kwargs):
    """Runs a command as a person would; returns the CompletedProcess."""
    kwargs.setdefault("text", True)
    return subprocess.run(cmd, capture_output=True, **kwargs)


@contextlib.contextmanager
def opened(path, flags=os.O_RDONLY):
    """An fd closed on the way out even when the test fails, so that a
    failing test cannot leave the module pinned for the next one."""
    fd = os.open(path, flags)
    try:
        yield fd
    finally:
        os.close(fd)


def sysctl_path(name):
    return f"{SYSCTL_DIR}/{name}"


def read_sysctl(name):
    with open(sysctl_path(name), "rb") as f:
        return f.read()


def write_sysctl(name, data):
    """One write(2) of data to the sysctl; returns what write returned."""
    with opened(sysctl_path(name), os.O_WRONLY) as fd:
        return os.write(fd, data)


def read_device():
    with open(DEVICE, "rb") as f:
        return f.read()


def is_loaded(name=NAME):
    with open("/proc/modules") as f:
        return any(line.split()[0] == name for line in f)


def insmod(*params):
    return run("insmod", str(KO), *params)


def rmmod():
    return run("rmmod", NAME)


libc = ctypes.CDLL(None, use_errno=True)
# (finit_module, delete_module) per machine: x86-64's own table, and
# asm-generic/unistd.h's, which arm64 uses.
SYSCALLS = {"x86_64": (313, 176), "aarch64": (273, 106)}
SYS_FINIT_MODULE, SYS_DELETE_MODULE = SYSCALLS.get(os.uname().machine, (None, None))


def load(params="", ko=KO):
    """insmod's syscall: 0, or the errno it failed with."""
    with opened(str(ko)) as fd:
        if libc.syscall(SYS_FINIT_MODULE, fd, params.encode(), 0) == 0:
            return 0
        return ctypes.get_errno()


def unload(name=NAME):
    """rmmod's syscall (refused, not waited for, while in use): 0 or the errno."""
    if libc.syscall(SYS_DELETE_MODULE, name.encode(), os.O_NONBLOCK) == 0:
        return 0
    return ctypes.get_errno()


def example_ko(name):
    """The twin examples/<name>/cxx_<name>.ko."""
    return TOP / "examples" / name / f"cxx_{name}.ko"


def variant_ko(module):
    """A module's test variant, with the layer's test hooks (fail_step):
    build/test/<module>/<module>.ko (the Makefile's TEST_VARIANTS)."""
    return TOP / "build/test" / module / f"{module}.ko"


NODES = itertools.count()


@contextlib.contextmanager
def device_node(directory, major, minor, mode=0o600):
    """A character device node for (major, minor) in directory, as the
    Rust framework's tests mknod one; removed on the way out."""
    node = pathlib.Path(directory) / f"node-{major}-{minor}-{next(NODES)}"
    os.mknod(node, stat.S_IFCHR | mode, os.makedev(major, minor))
    try:
        yield node
    finally:
        node.unlink()


@contextlib.contextmanager
def loaded(name):
    """The twin cxx_<name> loaded for the block, as the Rust framework's
    with_kernel_module(); unloading it afterwards must succeed."""
    err = load(ko=example_ko(name))
    assert err == 0, f"load cxx_{name}: {os.strerror(err)}"
    try:
        yield
    finally:
        err = unload(f"cxx_{name}")
        assert err == 0, f"unload cxx_{name}: {os.strerror(err)}"


def system_state():
    """What a module could leave behind, as a user would look for it: the
    loaded modules, /proc/devices, /proc/filesystems, the names under
    /proc/sys, /sys/class and /dev."""
    def names(top):
        return sorted(os.path.join(d, n) for d, dirs, files in os.walk(top) for n in dirs + files)
    state = {}
    for f in ("/proc/devices", "/proc/filesystems"):
        with open(f) as text:
            state[f] = text.read()
    with open("/proc/modules") as f:
        state["/proc/modules"] = sorted(line.split()[0] for line in f)
    for top in ("/proc/sys", "/sys/class", "/dev"):
        state[top] = names(top)
    return state


def assert_cycles_leave_nothing(name, cycles=20, check=None):
    """Loads and unloads the twin cxx_<name> cycles times, running check()
    while it is loaded; afterwards the system is as it was before."""
    before = system_state()
    for cycle in range(cycles):
        with loaded(name):
            if check:
                check()
    after = system_state()
    for what in before:
        assert after[what] == before[what], f"{what} differs after {cycles} load/unload cycles of cxx_{name}"


def char_devices():
    """Names in the 'Character devices' part of /proc/devices."""
    with open("/proc/devices") as f:
        text = f.read().split("\n\n")[0]
    return {line.split()[1]: int(line.split()[0]) for line in text.splitlines()[1:]}


def assert_nothing_registered():
    """What a user sees after rmmod or a failed insmod: no trace left."""
    assert not is_loaded()
    assert not os.path.exists(DEVICE)
    assert not os.path.exists(SYSCTL_DIR)
    assert not os.path.exists("/sys/class/json")
    assert "json" not in char_devices()


def open_errno(major, directory):
    """What open(2) of a node for device (major, 0) made in directory
    fails with, 0 if it opens: ENXIO when no cdev answers the number."""
    node = pathlib.Path(directory) / "probe"
    os.mknod(node, stat.S_IFCHR | 0o400, os.makedev(major, 0))
    try:
        os.close(os.open(node, os.O_RDONLY))
        return 0
    except OSError as e:
        return e.errno
    finally:
        node.unlink()


class KernelLog:
    """Reads the kernel log from /dev/kmsg from now on; fails on trouble."""

    def __init__(self):
        self.fd = os.open("/dev/kmsg", os.O_RDONLY | os.O_NONBLOCK)
        os.lseek(self.fd, 0, os.SEEK_END)
        self.logged = []
        # Set by a fault sweep: its injected allocation failures are no trouble.
        self.injecting = False

    def new_lines(self):
        """The text of every record logged since this log was made."""
        return [text for _, text in self.records()]

    def records(self):
        """(level, text) of every record logged since this log was made."""
        while True:
            try:
                record = os.read(self.fd, 8192).decode(errors="replace")
            except BlockingIOError:
                return self.logged
            except BrokenPipeError:  # overwritten before we read it
                continue
            prefix, _, text = record.partition(";")
            # /dev/kmsg's first field is the syslog priority: facility * 8 + level.
            self.logged.append((int(prefix.split(",")[0]) & 7, text.rstrip("\n")))

    def assert_clean(self):
        lines = self.new_lines()
        os.close(self.fd)
        own = kernels_own_races(lines)
        if self.injecting:
            own |= injected_allocation_failures(lines)
        trouble = [i for i, line in enumerate(lines) if KERNEL_TROUBLE.search(line) and i not in own]
        # From just before the first report: a sanitizer's says what broke
        # in its first lines.
        first = max(0, trouble[0] - 5) if trouble else 0
        assert not trouble, "kernel log:\n" + "\n".join(lines[first:first + 60])


def shard():
    """This VM's part of the suite when make check-debug runs it in several
    VMs at once: JSONSYSCTL_SHARD=k/K (0 <= k < K), as (k, K); (0, 1) is all
    of it."""
    value = os.environ.get("JSONSYSCTL_SHARD", "0/1")
    match = re.fullmatch(r"(\d+)/(\d+)", value)
    if not match or not int(match[1]) < int(match[2]):
        raise pytest.UsageError(f"JSONSYSCTL_SHARD={value}: want k/K with 0 <= k < K, e.g. 0/4")
    return int(match[1]), int(match[2])


SHARD = shard()


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "every_shard: runs in every VM of a split run and splits its own work (SHARD)")


def pytest_collection_modifyitems(config, items):
    """In VM k of K: the k-th test and every K-th after it, and every test
    marked every_shard (the load sweep, which splits its fault points
    among the VMs instead)."""
    k, count = SHARD
    if count == 1:
        return
    others = [item for item in items if not item.get_closest_marker("every_shard")]
    mine = {id(item) for item in others[k::count]}
    kept = [item for item in items if id(item) in mine or item.get_closest_marker("every_shard")]
    kept_ids = {id(item) for item in kept}
    config.hook.pytest_deselected(items=[item for item in items if id(item) not in kept_ids])
    items[:] = kept


def pytest_sessionstart(session):
    """Refuses to run where the module was not built for the running kernel,
    which also keeps the suite from loading anything into a host kernel."""
    if SYS_FINIT_MODULE is None:
        pytest.exit(
            f"conftest.py has no syscall numbers for {os.uname().machine}: add its "
            f"finit_module and delete_module to SYSCALLS ({', '.join(SYSCALLS)} have them)",
            returncode=2,
        )
    release = os.uname().release
    variants = sorted((TOP / "build/test").glob("*/*.ko"))
    for ko in [KO, PLAIN_KO] + [example_ko(name) for name in EXAMPLES] + variants:
        if not ko.exists():
            pytest.exit(f"{ko} does not exist: build it first (make check does)", returncode=2)
        vermagic = run("modinfo", "-F", "vermagic", str(ko)).stdout.strip()
        if not vermagic.startswith(release + " "):
            pytest.exit(
                f"{ko.relative_to(TOP)} is built for '{vermagic.split(' ')[0]}' but this kernel is "
                f"'{release}': run the suite with make check KVER=..., which builds it for the kernel it boots",
                returncode=2,
            )
    for name in [NAME] + [f"cxx_{name}" for name in EXAMPLES]:
        if is_loaded(name):
            assert unload(name) == 0, f"a leftover {name} could not be unloaded"
    if kmemleak.available():
        kmemleak.baseline()


def pytest_sessionfinish(session, exitstatus):
    """On a kernel with kmemleak: any object the suite leaked fails the run,
    with kmemleak's report. On one with KCSAN: the kernel's own races seen.
    A guest of a split run that got no test (fewer tests than guests) has
    nothing to fail."""
    if SHARD[1] > 1 and exitstatus == pytest.ExitCode.NO_TESTS_COLLECTED:
        session.exitstatus = pytest.ExitCode.OK
    out = session.config.pluginmanager.get_plugin("terminalreporter")
    say = out.write_line if out else print
    for report in kernel_races:
        say("KCSAN: a race of the kernel's own, no module on either stack:\n" + report)
    if not kmemleak.available():
        return
    ours, kernels = kmemleak.new_leaks()
    ours, kernels = kmemleak.earlier[0] + ours, kmemleak.earlier[1] + kernels
    for record in kernels:
        say("kmemleak: the kernel's own leak (docs/testing.md, \"The kernel's own bug\"):\n" + record)
    if ours:
        say(f"kmemleak: {len(ours)} new unreferenced object(s) after the suite:")
        for record in ours[:10]:
            say(record)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    else:
        say("kmemleak: no new unreferenced objects after the suite")


@pytest.fixture
def kernel():
    """Fails the test if the kernel logs trouble while it runs; unloads a
    module the test left loaded."""
    log = KernelLog()
    yield log
    try:
        if is_loaded():
            err = unload()
            assert err == 0, f"unload: {os.strerror(err)}"
    finally:
        log.assert_clean()


@pytest.fixture
def module(kernel):
    """A freshly loaded jsonsysctl: all values 0. Unloading must succeed
    and leave nothing behind."""
    err = load()
    assert err == 0, f"load: {os.strerror(err)}"
    yield
    err = unload()
    assert err == 0, f"unload: {os.strerror(err)}"
    assert_nothing_registered()
