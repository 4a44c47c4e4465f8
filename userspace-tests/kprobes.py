"""kprobe events through tracefs, on kernels that have them (Debian's; the
debug kernels of make check-debug have none, and tests that need them skip
there).

    with kprobe("open", "jsonsysctl:kcxx_open f_op=+16($arg2):x64") as hits:
        ...            # what the probed function is called during
        hits()         # one dict of the hex fetch args per call: {"f_op": "0x..."}
"""
import contextlib
import os
import pathlib
import re

from conftest import opened

TRACING = pathlib.Path("/sys/kernel/tracing")
GROUP = "jsonsysctl_test"


def available():
    """Whether this kernel has kprobe events (tracefs mounted if need be)."""
    if not TRACING.is_dir():
        return False
    if not (TRACING / "kprobe_events").exists():
        os.system(f"mount -t tracefs nodev {TRACING} 2>/dev/null")
    return (TRACING / "kprobe_events").exists()


def define(line):
    """Adds or removes a kprobe event (one write; kprobe_events cannot seek,
    which rules out Python's append mode)."""
    with opened(TRACING / "kprobe_events", os.O_WRONLY | os.O_APPEND) as fd:
        os.write(fd, line.encode() + b"\n")


@contextlib.contextmanager
def kprobe(event, probe):
    """A kprobe event named event; yields a function returning the values
    of its fetch args, one dict per hit, since it was enabled."""
    assert available(), "this kernel has no kprobe events (CONFIG_KPROBE_EVENTS, tracefs)"
    define(f"p:{GROUP}/{event} {probe}")
    enable = TRACING / "events" / GROUP / event / "enable"
    try:
        (TRACING / "trace").write_text("")
        enable.write_text("1")

        def hits():
            lines = (TRACING / "trace").read_text().splitlines()
            return [dict(re.findall(r"(\w+)=(0x[0-9a-f]+)", line))
                    for line in lines if f" {event}: " in line]

        yield hits
    finally:
        enable.write_text("0")
        define(f"-:{GROUP}/{event}")
