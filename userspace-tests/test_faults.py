"""Fault-injection sweeps: each allocation and user copy that loading the
module, reading /dev/json, writing a sysctl and mounting testfs (the
cxx_filesystem twin) make, failed in turn.

Runs on kernels with fault injection (make check-debug's memory flavour);
skipped elsewhere. fail-nth (/proc/thread-self/fail-nth) makes the N-th
fault point of one task fail: slab allocations (failslab, GFP_KERNEL ones
included) and copies to or from user memory (fail_usercopy), but not page
allocations, nor the slab caches whose use depends on history (see
injection()). build/guest/fail_nth sets it and makes the calls under
test right after; the sweep first counts the path's fault points (a count
too large to run out), then goes N = 1, 2, ... until the calls complete
with no fault injected, so it covers every fault point of the path, in the
kernel and in the module, as the kernel takes it today; the path must take
as many points at the end as at the start. Each test prints how many points
it covered.

A failure must be clean: an errno, nothing left registered, the value or
the module as it was, nothing leaked (kmemleak, after each sweep) and no
report in the kernel log (KASAN, lockdep, a WARNING or BUG). A fault the
kernel absorbs (a retry, a fallback) must leave the calls working.
"""
import collections
import contextlib
import errno
import os
import pathlib
import shutil
import subprocess
import tempfile

import pytest

import kmemleak
from conftest import (DEVICE, KO, SHARD, TOP, KernelLog, assert_nothing_registered, document, load,
                      loaded, read_device, read_sysctl, run, sysctl_path, unload, write_sysctl)
from test_cxx_filesystem import FILLED, FREED, PUT, NAME as TESTFS, mounted_testfs, refcnt

FAIL_NTH = os.environ.get("JSONSYSCTL_FAIL_NTH", str(TOP / "build/guest/fail_nth"))
FAULTS = f"{kmemleak.DEBUGFS}"
# No path has this many fault points; a sweep that gets there is looping.
LIMIT = 5000
# A step at this point injects nothing and counts the path's points; a sweep
# counts again after every RECOUNT points it failed.
COUNT = 1000000
RECOUNT = 10
# scripts/vm.sh knows it.
SWEEP_MARK = "jsonsysctl-tests: fault sweep"


def missing_fault_injection():
    """Why this kernel cannot run the sweeps, or None."""
    if not os.path.exists("/proc/thread-self/fail-nth"):
        return ("this kernel has no fault injection (CONFIG_FAULT_INJECTION): "
                "make check-debug runs these on its debug kernel")
    kmemleak.ensure_debugfs()
    for attr in ("failslab", "fail_page_alloc", "fail_usercopy"):
        if not os.path.isdir(f"{FAULTS}/{attr}"):
            return f"this kernel has no {FAULTS}/{attr} (CONFIG_FAULT_INJECTION_DEBUG_FS and its option)"
    return None


REASON = missing_fault_injection()
pytestmark = pytest.mark.skipif(REASON is not None, reason=REASON or "")


def set_attr(attr, name, value):
    path = f"{FAULTS}/{attr}/{name}"
    with open(path) as f:
        old = f.read().strip()
    with open(path, "w") as f:
        f.write(value)
    return path, old


# The slab caches whose use depends on history (kmemleak's records follow
# the others' allocations, and double every point); scripts/check-debug.sh
# boots the memory kernel with every other one marked for failslab.
HISTORY_CACHES = ("radix_tree_node", "vmap_area", "kmemleak_object")


@pytest.fixture(scope="module")
def injection():
    """Only fail-nth injects (probabilities stay 0), reaching GFP_KERNEL
    allocations too (ignore-gfp-wait 0); an injected fault prints nothing
    (verbose 0: no stack dump that would read as trouble).

    And a path's fault points are only those it takes at each step, in the
    same order. No page allocation is one (those of order 1 or more were: a
    slab cache taking a new page, KASAN's stack depot saving a stack, now
    and then rather than at each call), and failslab counts only the caches
    marked for it (cache-filter): all but HISTORY_CACHES. idr_preload() tops
    up a per-CPU pool of radix_tree_nodes, and vmalloc() a per-CPU
    vmap_area, so how many they allocate depends on what anyone used on
    that CPU since; kmemleak records each allocation in a kmemleak_object (a
    second point for every one, so as variable as the others, and a failure
    its own pool absorbs). With them a load took 321, 323 or 325 points from
    one step to the next: the N-th point was not the same allocation from
    step to step, and whole sweeps missed a leak planted at cdev_add()'s
    allocation. Now it takes the same number every time, and sweep() checks
    the count along the way. Failing an allocation of these caches only
    fails the kernel function that made it, as its other allocations do;
    kmalloc()s too large for a slab are not swept."""
    assert os.access(FAIL_NTH, os.X_OK), f"no {FAIL_NTH}: build it with make guest-programs"
    wrong = []
    for cache in sorted(os.listdir("/sys/kernel/slab")):
        if os.path.islink(f"/sys/kernel/slab/{cache}"):
            continue
        with open(f"/sys/kernel/slab/{cache}/failslab") as f:
            if (f.read().strip() == "1") == (cache in HISTORY_CACHES):
                wrong.append(cache)
    assert not wrong, (f"failslab marks on {', '.join(wrong[:5])}: boot with slub_debug's A flag on every cache"
                       f" but {', '.join(HISTORY_CACHES)}, as scripts/check-debug.sh does")
    saved = [
        set_attr("failslab", "ignore-gfp-wait", "N"),
        set_attr("failslab", "verbose", "0"),
        set_attr("failslab", "cache-filter", "Y"),
        set_attr("fail_page_alloc", "min-order", "64"),
        set_attr("fail_usercopy", "verbose", "0"),
    ]
    yield
    for path, old in reversed(saved):
        with open(path, "w") as f:
            f.write(old)


@pytest.fixture
def leaks(injection, request):
    """kmemleak after the sweep: nothing new but the kernel's own known
    leak. Leaks found before it belong to earlier tests (the suite's check
    reports them)."""
    if not kmemleak.available():
        yield
        return
    kmemleak.set_aside()
    yield
    ours, kernels = kmemleak.new_leaks()
    if kernels:
        say(request, f"\nkmemleak: {len(kernels)} times the kernel's own leak (docs/testing.md), e.g.:\n{kernels[0]}")
    assert not ours, f"kmemleak: {len(ours)} new unreferenced object(s) after the sweep:\n" + "\n".join(ours[:5])
    say(request, "\nkmemleak: nothing of ours leaked")


def say(request, text):
    """Prints past pytest's capture, so a passing sweep shows it too."""
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    with capture.global_and_fixture_disabled():
        print(text, flush=True)


Injection = collections.namedtuple("Injection", "err call injected data points")


def inject(nth, *args):
    """Runs fail_nth. points: how many fault points the calls passed, when
    none was injected (None when one was)."""
    out = subprocess.run([FAIL_NTH, str(nth), *args], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    fields = dict(word.split("=", 1) for word in out.stdout.split())
    injected = fields["injected"] == "1"
    return Injection(int(fields["errno"]), fields["op"], injected, bytes.fromhex(fields["data"]),
                     None if injected else nth - int(fields["left"]))


def sweep(step, first=1, every=1, progress=None):
    """Counts the path's fault points (step(COUNT, ...)), then calls
    step(n, outcomes) for n = first, first + every, ... until a step injects
    nothing. A step returns None when it injected a fault, else how many
    fault points its calls passed; each step's kernel log must be clean.
    Returns the points covered, the path's points and what the steps
    counted in outcomes; calls progress(text) every 25 points. vmalloc()'s
    report of a failed allocation (with its stack) is expected; any other
    report fails the step.

    The path must take as many points at the start, every RECOUNT points
    and at the end, and the sweep must have injected a fault at each of its
    n up to them: where the number of points changes from one step to the
    next, the N-th point is not the same allocation at each step and a
    whole sweep can miss one. (A change that undoes itself between two
    counts goes unseen.)"""
    outcomes = collections.Counter()
    covered = 0
    with judged_here():
        total = judged(step, COUNT, outcomes)
        assert total is not None, f"a fault was injected at point {COUNT}: the path did not take fewer"
        for nth in range(first, LIMIT, every):
            passed = judged(step, nth, outcomes)
            if passed is not None:
                break
            covered += 1
            if covered % RECOUNT == 0:
                again = judged(step, COUNT, outcomes)
                assert again == total, (f"the path took {total} fault points at the start of the sweep and {again}"
                                        f" after {covered} steps: its numbering depends on history")
            if progress and covered % 25 == 0:
                progress(f"{covered} fault points so far (of {total}), the last {nth}; {dict(outcomes)}")
        else:
            pytest.fail(f"still injecting faults after {LIMIT} points")
    assert passed == total, (f"the path took {total} fault points at the start of the sweep and {passed} at its"
                             " end: its numbering depends on history, so the sweep may have missed some")
    assert covered == len(range(first, total + 1, every)), (
        f"faults were injected at {covered} of points {first}, {first + every}, ... but the path takes {total}")
    return covered, total, outcomes


def judged(step, nth, outcomes):
    """step(nth, outcomes), and the kernel log it left must be clean."""
    log = KernelLog()
    log.injecting = True
    passed = step(nth, outcomes)
    try:
        log.assert_clean()
    except AssertionError as e:
        raise AssertionError(f"fault point {nth}: {e}") from None
    return passed


@contextlib.contextmanager
def judged_here():
    """Marks the sweep in the kernel log: scripts/vm.sh, which fails a run
    whose kernel logged a stack, leaves what lies between the marks to the
    sweep, which has judged every line of it (each step's and the test's
    own KernelLog) and knows which reports it injected."""
    with open("/dev/kmsg", "w") as kmsg:
        kmsg.write(f"{SWEEP_MARK} starts\n")
    try:
        yield
    finally:
        with open("/dev/kmsg", "w") as kmsg:
            kmsg.write(f"{SWEEP_MARK} ends\n")


def errname(err):
    return errno.errorcode.get(err, str(err))


@pytest.mark.every_shard
def test_each_fault_point_of_a_load_fails_cleanly_or_is_absorbed(kernel, leaks, request):
    """finit_module with its N-th fault point failing, for every N: the load
    fails with an errno and leaves nothing, or it loads and works. Most of
    the time is spent asleep, waiting for DEBUG_KOBJECT_RELEASE's delayed
    release at each unload, so make check-debug splits the points among
    several VMs: VM k of K takes N = k+1, k+1+K, ... (conftest.SHARD)."""
    kernel.injecting = True  # the test's own log sees the sweep's reports too
    # A copy on the guest's tmpfs, as a module on a local disk is read from
    # the page cache: read from the 9p tree, finit_module's own read of the
    # file makes allocations in 9p's client, which are not the load's (and a
    # failed one once left the guest's root failing every access, EINVAL).
    ko = pathlib.Path(tempfile.mkdtemp()) / KO.name
    shutil.copyfile(KO, ko)
    request.addfinalizer(lambda: shutil.rmtree(ko.parent))

    def step(nth, outcomes):
        r = inject(nth, "load", str(ko))
        if r.err:
            assert r.injected, f"fault point {nth}: the load failed ({errname(r.err)}) with no fault injected"
            assert_nothing_registered()
            outcomes[f"failed {errname(r.err)}"] += 1
        else:
            assert read_device() == document(), f"fault point {nth}"
            write_sysctl("a", b"1")
            assert read_device() == document(a=True), f"fault point {nth}"
            assert unload() == 0, f"fault point {nth}"
            assert_nothing_registered()
            if r.injected:
                outcomes["absorbed"] += 1
        return r.points

    vm, vms = SHARD
    points, total, outcomes = sweep(step, vm + 1, vms, lambda text: say(request, f"load sweep: {text}"))
    # And it still loads normally.
    assert load() == 0
    assert read_device() == document()
    if vms == 1:
        say(request, f"\nload sweep: {points} fault points; {dict(outcomes)}")
    else:  # scripts/check-debug.sh adds up the VMs' lines
        say(request, f"\nload sweep: {points} fault points of the load's {total}"
            f" (one in {vms} from {vm + 1}); {dict(outcomes)}")
    assert any(k.startswith("failed ") for k in outcomes), "no load failed: the sweep injected nothing"


def test_each_fault_point_of_opening_and_reading_the_device_fails_cleanly(module, leaks, request):
    """open + read(4096) to the end + close of /dev/json with its N-th
    fault point failing: an errno (EFAULT when the copy to user memory
    fails) and the device unchanged, or the whole right document."""
    write_sysctl("b", b"1")
    want = document(b=True)

    def step(nth, outcomes):
        r = inject(nth, "read", DEVICE)
        if r.err:
            assert r.injected, f"fault point {nth}: {r.call} failed ({errname(r.err)}) with no fault injected"
            outcomes[f"{r.call} {errname(r.err)}"] += 1
        else:
            assert r.data == want, f"fault point {nth}"
            if r.injected:
                outcomes["absorbed"] += 1
        assert read_device() == want, f"fault point {nth}"
        return r.points

    points, _, outcomes = sweep(step)
    say(request, f"\nread sweep: {points} fault points; {dict(outcomes)}")
    assert outcomes["read EFAULT"] > 0, "no copy_to_user failed: fail_usercopy did not reach the read"


def test_each_fault_point_of_a_sysctl_write_fails_cleanly(module, leaks, request):
    """open + write("1") + close of /proc/sys/json-sysctl/c with its N-th
    fault point failing, as sysctl -w does: an errno and the value
    unchanged, or the value set."""

    def step(nth, outcomes):
        write_sysctl("c", b"0")
        r = inject(nth, "write", sysctl_path("c"), "1")
        if r.err:
            assert r.injected, f"fault point {nth}: {r.call} failed ({errname(r.err)}) with no fault injected"
            assert read_sysctl("c") == b"0\n", f"fault point {nth}: a failed write changed the value"
            assert read_device() == document(), f"fault point {nth}"
            outcomes[f"{r.call} {errname(r.err)}"] += 1
        else:
            assert read_sysctl("c") == b"1\n", f"fault point {nth}"
            assert read_device() == document(c=True), f"fault point {nth}"
            if r.injected:
                outcomes["absorbed"] += 1
        return r.points

    points, _, outcomes = sweep(step)
    say(request, f"\nsysctl write sweep: {points} fault points; {dict(outcomes)}")
    assert any(k.startswith("write ") for k in outcomes), "no write failed: the sweep missed the handler"


def test_each_fault_point_of_a_mount_fails_cleanly_or_is_absorbed(kernel, leaks, request):
    """mount -t testfs none DIR, then umount DIR, with the N-th fault point
    failing: the mount fails with an errno, or the fault is absorbed and it
    mounts; a umount that fails leaves DIR mounted, and the user's umount
    then works. After each step no testfs super block remains (each holds
    a reference to the module: its count is 0 again), and every
    TestFs::Info that filling made was destroyed, by kill_sb, holding the
    value fill_super set in it (a mismatch is logged otherwise). After the
    sweep rmmod succeeds (loaded()) and kmemleak finds nothing of ours."""
    kernel.injecting = True  # the test's own log sees the sweep's reports too
    directory = tempfile.mkdtemp()
    request.addfinalizer(lambda: os.rmdir(directory))

    def step(nth, outcomes):
        before = len(kernel.new_lines())
        r = inject(nth, "mount", TESTFS, directory)
        if r.err:
            assert r.injected, f"fault point {nth}: {r.call} failed ({errname(r.err)}) with no fault injected"
            outcomes[f"{r.call} {errname(r.err)}"] += 1
            logged = kernel.new_lines()[before:]
            if r.call == "mount" and FILLED in logged and PUT not in logged:
                # Filled, then failed making the root: kill_sb freed an
                # Info of a super block that never had a root.
                outcomes["failed after fill_super"] += 1
            if r.call == "umount":
                assert mounted_testfs() != [], f"fault point {nth}: umount failed, but nothing is mounted"
                result = run("umount", directory)
                assert result.returncode == 0, f"fault point {nth}: {result.stderr}"
        elif r.injected:
            outcomes["absorbed"] += 1
        assert mounted_testfs() == [], f"fault point {nth}"
        assert refcnt() == 0, f"fault point {nth}: a testfs super block remains"
        return r.points

    with loaded("filesystem"):
        points, _, outcomes = sweep(step, progress=lambda text: say(request, f"mount sweep: {text}"))
    logged = kernel.new_lines()
    made, freed = logged.count(FILLED), logged.count(FREED)
    wrong = [line for line in logged if line.startswith("TestFS fs_info freed with")]
    assert not wrong, f"an Info freed without the value fill_super set: {wrong[0]}"
    assert made == freed, f"{made} super blocks filled, {freed} Infos freed"
    say(request, f"\nmount sweep: {points} fault points; {dict(outcomes)}; {made} super blocks filled and freed")
    assert any(k.startswith("mount ") for k in outcomes), "no mount failed: the sweep injected nothing"
    assert outcomes["failed after fill_super"], \
        "no mount failed after fill_super: kill_sb never freed the Info of a super block without a root"
