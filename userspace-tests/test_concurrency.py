"""Readers and writers at once: every document read is one whole state."""
import os
import re
import subprocess
import sys
import threading
import time

from conftest import DEVICE, document, opened

VALID = re.compile(rb'\{"a":(true|false),"b":(true|false),"c":(true|false)\}\n')
TAILS = {document(a, b, c)[20:] for a in (0, 1) for b in (0, 1) for c in (0, 1)}

# Sets the named sysctls to random values until killed, for at most 40 s;
# says "ready" once its files are open.
WRITER = r"""
import os, random, sys, time
fds = [os.open("/proc/sys/json-sysctl/" + name, os.O_WRONLY) for name in sys.argv[1:]]
print("ready", flush=True)
end = time.monotonic() + 40
while time.monotonic() < end:
    os.pwrite(random.choice(fds), random.choice((b"0", b"1")), 0)
"""

# Reads whole documents from fresh opens, in pieces of random size, for
# argv[1] seconds; prints how many it read, or fails on a torn one.
READER = r"""
import os, random, re, sys, time
valid = re.compile(rb'\{"a":(true|false),"b":(true|false),"c":(true|false)\}\n')
end = time.monotonic() + float(sys.argv[1])
reads = 0
while time.monotonic() < end:
    fd = os.open("/dev/json", os.O_RDONLY)
    size = random.randint(1, 40)
    doc = b""
    while piece := os.read(fd, size):
        doc += piece
    os.close(fd)
    if not valid.fullmatch(doc):
        sys.exit("torn document: %r" % doc)
    reads += 1
print(reads)
"""


class Processes:
    """Child processes killed on the way out, whatever the test did."""

    def __init__(self):
        self.children = []

    def start(self, source, *args, **kwargs):
        child = subprocess.Popen([sys.executable, "-c", source, *args], **kwargs)
        self.children.append(child)
        return child

    def start_writer(self, *names):
        """A WRITER, once it is writing."""
        writer = self.start(WRITER, *names, stdout=subprocess.PIPE)
        assert writer.stdout.readline() == b"ready\n"
        return writer

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        for child in self.children:
            child.kill()
            child.wait()


def read_bytewise(fd):
    pieces = []
    while piece := os.read(fd, 1):
        pieces.append(piece)
    return b"".join(pieces)


def test_one_byte_reads_racing_a_writer_never_see_a_torn_document(module):
    """The Rust demo re-rendered on every read(); a value changing between
    two 1-byte reads gave a document that is neither state."""
    states = {document(a=False), document(a=True)}
    seen = set()
    with Processes() as children, opened(DEVICE) as fd:
        children.start_writer("a")
        start = time.monotonic()
        # Races for 4 s, longer if need be until both states were read.
        while time.monotonic() < start + 4 or (seen != states and time.monotonic() < start + 30):
            os.lseek(fd, 0, os.SEEK_SET)
            got = read_bytewise(fd)
            assert got in states
            seen.add(got)
    assert seen == states, "the writer never changed a value mid-test"


def test_parallel_readers_and_writers_see_only_whole_documents(module):
    with Processes() as children:
        for _ in range(2):
            children.start_writer("a", "b", "c")
        readers = [children.start(READER, "3", stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                   for _ in range(2)]
        for reader in readers:
            out, err = reader.communicate(timeout=60)
            assert reader.returncode == 0, err.decode()
            assert int(out) > 0


def test_threads_preading_one_open_file_see_whole_snapshots(module):
    """pread() takes no lock: threads sharing one open file, one retaking
    its snapshot at offset 0 while others read at offset 20, each get a
    whole document or the tail of one."""
    failures = []

    def reader(fd, offset):
        end = time.monotonic() + 3
        while time.monotonic() < end:
            got = os.pread(fd, 64, offset)
            if not (VALID.fullmatch(got) if offset == 0 else got in TAILS):
                failures.append(got)

    with Processes() as children, opened(DEVICE) as fd:
        children.start_writer("a", "b", "c")
        threads = [threading.Thread(target=reader, args=(fd, offset)) for offset in (0, 20, 20)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert not failures
