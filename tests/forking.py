"""Running a function in a fork child of the test process, bounded in time; and another
process writing a state file (holding its write lock) while a parent thread waits inside it.

The tests of fork safety fork a process that has threads (LocalCloud's, pytest's, the test's
own), on purpose: that is the situation they are about. Python 3.12 and later warn about it;
the warning is silenced here, where it is expected. The child is a client of the test's
servers, never one of them: it closes its copies of their listening sockets first, or a server
the test stops would go on accepting connections (into a backlog nobody serves) in the child.
"""

from __future__ import annotations

import json
import os
import select
import signal
import socket
import stat
import subprocess
import sys
import time
import traceback
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

SHARE_VARIABLE = "EUCA_TEST_FORK_SHARE"


def rounds(full: int) -> int:
    """How many fork children a loop written for ``full`` makes in this run: all of them, or
    the share ``EUCA_TEST_FORK_SHARE`` names (a number above 0 and at most 1).

    A loop forks many times over because the moment it is after (a thread half way through a
    write, a lock being handed over) comes up at random; a share of the loop still reaches it
    most of the time. CI's runs on the other Pythons take a third, the README's run all.
    """
    text = os.environ.get(SHARE_VARIABLE, "1")
    try:
        share = float(text)
    except ValueError:
        share = -1.0
    if not 0 < share <= 1:
        raise ValueError(f"{SHARE_VARIABLE}={text!r}: give a number above 0 and at most 1")
    return max(1, round(full * share))


# Holds a state file's write lock until it reads a line (not end of file: a fork child may hold
# the other end of its stdin open).
_WRITER = """
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
sys.stdin.readline()
db.execute("ROLLBACK")
"""


@contextmanager
def written_by_another_process(path: str | Path) -> Iterator[None]:
    """Another process holds the write lock of the state file at ``path`` (as an ``aws``
    command writing it does, for a moment) for the whole block."""
    writer = subprocess.Popen([sys.executable, "-c", _WRITER, str(path)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout is not None and writer.stdout.readline() == "locked\n"
        yield
    finally:
        writer.communicate("done\n", timeout=30)


def in_fork_child(work: Callable[[], Any], timeout: float = 30.0,
                  meanwhile: Callable[[], None] | None = None) -> Any:
    """Fork, run ``work`` in the child and return what it returned (through JSON).

    ``meanwhile`` runs in the parent once the child exists. What the child raised fails the
    test with the child's traceback; a child still running after ``timeout`` seconds is
    killed and fails the test as hung.
    """
    read, write = os.pipe()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # "...is multi-threaded..."
        pid = os.fork()
    if pid == 0:  # the child: report, then leave without running the parent's exit handlers
        os.close(read)
        try:
            close_listening_sockets()
            report = {"returned": work()}
        except BaseException:
            report = {"raised": traceback.format_exc()}
        try:
            data = json.dumps(report, default=repr).encode()
            while data:
                data = data[os.write(write, data):]
        finally:
            os._exit(0)
    os.close(write)
    try:
        if meanwhile is not None:
            meanwhile()
        output = _read_until_exit(read, pid, time.monotonic() + timeout)
    finally:
        os.close(read)
    if output is None:
        raise AssertionError(f"the fork child (pid {pid}) was still running after {timeout:g} s: "
                             f"it hangs; killed")
    report = json.loads(output)
    if "raised" in report:
        raise AssertionError(f"in the fork child:\n{report['raised']}")
    return report["returned"]


def _read_until_exit(read: int, pid: int, deadline: float) -> bytes | None:
    """The child's report; None (the child killed) if it has not exited by ``deadline``."""
    chunks: list[bytes] = []
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return None
        ready, _, _ = select.select([read], [], [], min(left, 0.5))
        if ready:
            chunk = os.read(read, 65536)
            if chunk:
                chunks.append(chunk)
                continue
            os.waitpid(pid, 0)  # end of the report: the child is exiting
            return b"".join(chunks)


def close_listening_sockets() -> None:
    """Close this process's copies of listening sockets (a fork child's, of its parent's
    servers)."""
    for name in os.listdir("/proc/self/fd"):
        fd = int(name)
        try:
            if not stat.S_ISSOCK(os.fstat(fd).st_mode):
                continue
            sock = socket.socket(fileno=fd)
        except OSError:
            continue  # the directory's own descriptor, closed by now
        if sock.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN):
            sock.close()
        else:
            sock.detach()
