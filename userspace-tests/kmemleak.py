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

# The kernel's own bug, not ours (README, "The kernel's own bug"): Debian's
# 6.1 __class_register() (drivers/base/class.c:188-191) frees the subsystem
# when kset_register() fails but not the name kobject_set_name() gave it.
# A fault sweep through class_create() shows it. Matched as a whole: the
# object is the class's name, "json", allocated by exactly this call chain
# from our class_create.
KERNEL_CLASS_NAME_LEAK = (
    re.compile(r"unreferenced object 0x[0-9a-f]+ \(size 5\):"),
    re.compile(r"6a 73 6f 6e 00 +json\."),
    [
        "kstrdup",
        "kstrdup_const",
        "kvasprintf_const",
        "kobject_set_name_vargs",
        "kobject_set_name",
        "__class_register",
        "__class_create",
        "jsc_class_create [jsonsysctl]",
    ],
)


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
    """The backtrace's function names, in order, without offsets."""
    names = []
    for line in record.split("\n"):
        m = re.match(r"\s*\[<[0-9a-f]+>\] ([^+ ]+)\+0x[0-9a-f]+/0x[0-9a-f]+( \[\w+\])?", line)
        if m:
            names.append(m.group(1) + (m.group(2) or ""))
    return names


def is_kernel_class_name_leak(record):
    head, dump, chain = KERNEL_CLASS_NAME_LEAK
    frames = _frames(record)
    first = frames.index(chain[0]) if chain[0] in frames else -1
    return (bool(head.search(record)) and bool(dump.search(record))
            and first >= 0 and frames[first:first + len(chain)] == chain)


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
