"""kmemleak, on kernels that have it (make check-debug's memory flavour).

A baseline is taken when the suite starts (what the kernel leaked while
booting is not ours); `new_leaks()` scans and returns the unreferenced
objects found since the last baseline, minus the kernel's own known leak
below, matched exactly. kmemleak reports only objects older than 5 s, so a
check waits that long first: it is made after the suite and after each fault
sweep, not after every step.
"""
import os
import re
import time

DEBUGFS = "/sys/kernel/debug"
KMEMLEAK = f"{DEBUGFS}/kmemleak"
MIN_AGE = 5.5  # kmemleak's MSECS_MIN_AGE is 5000 ms

# The kernel's own bug, not ours (docs/testing.md, "The kernel's own bug"):
# Debian's 6.1 __class_register() (drivers/base/class.c:188-191) frees the
# subsystem when kset_register() fails but not the name kobject_set_name()
# gave it. The load sweep shows it when it fails an allocation inside our
# class_create(). Matched as a whole, as the debug kernel reports it: the
# class's name, "json" (5 bytes from kmalloc-8), allocated by the sweep's
# injector through exactly this call chain from a module's init: ours, by
# name while the module is loaded, or by bare address once the failed load
# has freed it.
KERNEL_CLASS_NAME_LEAK = (
    re.compile(r'unreferenced object 0x[0-9a-f]+ \(size 8\):\n  comm "fail_nth", '),
    re.compile(r"(?m)^ +6a 73 6f 6e 00( [0-9a-f]{2}){3} +json\."),
    [
        "__kmem_cache_alloc_node",
        "__kmalloc_node_track_caller",
        "kstrdup_const",
        "kvasprintf_const",
        "kobject_set_name_vargs",
        "kobject_set_name",
        "__class_register",
        "__class_create",
    ],
    ["do_one_initcall", "do_init_module", "load_module"],
)
# A frame of a module that is gone, as kmemleak prints it: an address
# alone, in x86-64's module area (the debug kernels are x86-64's).
GONE = re.compile(r"0xffffffff(a[0-9a-f]|[b-f][0-9a-f])[0-9a-f]{6}")


def ensure_debugfs():
    """Mounts debugfs if the kernel has it and it is not mounted yet."""
    if os.path.isdir(DEBUGFS) and not os.listdir(DEBUGFS):
        os.system(f"mount -t debugfs debugfs {DEBUGFS} 2>/dev/null")


def available():
    ensure_debugfs()
    return os.path.exists(KMEMLEAK)


def _command(word):
    with open(KMEMLEAK, "w") as f:
        f.write(word)


def baseline():
    """Forgets every object reported so far, and every one a scan would
    report now: what the kernel leaked while booting."""
    time.sleep(MIN_AGE)
    _command("scan")
    _command("clear")


def _frames(record):
    """The backtrace's function names, in order, without offsets (a bare
    address where there is no name)."""
    names = []
    for line in record.split("\n"):
        m = re.match(r"\s*\[<[0-9a-f]+>\] (?:([^+ ]+)\+0x[0-9a-f]+/0x[0-9a-f]+( \[\w+\])?|(0x[0-9a-f]+))$", line)
        if m:
            names.append(m.group(3) or m.group(1) + (m.group(2) or ""))
    return names


def is_kernel_class_name_leak(record):
    head, dump, chain, init = KERNEL_CLASS_NAME_LEAK
    frames = _frames(record)
    if not (head.search(record) and dump.search(record) and frames[:len(chain)] == chain):
        return False
    # Then our module's frames, named or gone, down to the init call.
    callers = frames[len(chain):]
    ours = 0
    while ours < len(callers) and (callers[ours].endswith(" [jsonsysctl]") or GONE.fullmatch(callers[ours])):
        ours += 1
    return ours > 0 and callers[ours:ours + len(init)] == init


def new_leaks():
    """Scans (twice, as kmemleak's documentation advises) and returns
    (ours, kernels): the new unreferenced objects' reports, ours and those
    proven the kernel's own; then takes a new baseline."""
    time.sleep(MIN_AGE)
    _command("scan")
    _command("scan")
    with open(KMEMLEAK) as f:
        text = f.read()
    records = [r for r in re.split(r"(?m)^(?=unreferenced object )", text) if r.strip()]
    kernels = [r for r in records if is_kernel_class_name_leak(r)]
    ours = [r for r in records if not is_kernel_class_name_leak(r)]
    _command("clear")
    return ours, kernels


# Leaks found by a check made for one test (a fault sweep's, at its start)
# that belong to the tests before it: the suite's check reports them.
earlier = ([], [])


def set_aside():
    """Takes a baseline for one test, keeping what it finds for the suite's
    check."""
    ours, kernels = new_leaks()
    earlier[0].extend(ours)
    earlier[1].extend(kernels)
