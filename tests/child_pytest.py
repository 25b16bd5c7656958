"""A pytest run started from a test of the main run, with progress lines on the terminal.

The real-tool group and the second environment run whole suites in a child pytest, for minutes
on a busy machine. The main run captures what its tests print (and under xdist a worker's
output never reaches the terminal), so the child would be silent until it ends.
:func:`run_child_pytest` reads the child's report as it comes and writes a line to the terminal
when the child starts, at each tenth of its tests, and when it ends, past pytest's capture, so
``pytest -q`` shows them.
"""

from __future__ import annotations

import re
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path

import pytest

# A test's line in a verbose report: "tests/x.py::test_y PASSED    [ 40%]".
_REPORT_LINE = re.compile(r" (PASSED|FAILED|ERROR|SKIPPED|XFAIL|XPASS)\b.*\[\s*(\d+)%\]\s*$")


def say(config: pytest.Config, line: str) -> None:
    """Write ``line`` on the terminal, whatever pytest captures (stderr: an xdist worker's
    stdout is its channel to the main process, its stderr the terminal's)."""
    capture = config.pluginmanager.getplugin("capturemanager")
    with capture.global_and_fixture_disabled():
        sys.stderr.write(f"\n{line}\n")
        sys.stderr.flush()


def run_child_pytest(config: pytest.Config, label: str, python: str | Path,
                     arguments: Sequence[str], *, cwd: Path,
                     timeout: float) -> subprocess.CompletedProcess[str]:
    """Run ``python -m pytest -v ARGUMENTS`` in ``cwd``, saying its progress as ``label``;
    the finished process, as ``subprocess.run`` gives it (killed after ``timeout`` s)."""
    command = [str(python), "-m", "pytest", "-v", *arguments]
    started = time.monotonic()
    say(config, f"[{label}] started: {' '.join(command[1:])}")
    child = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)
    timer = threading.Timer(timeout, child.kill)
    timer.start()
    errors: list[str] = []
    drain = threading.Thread(target=lambda: errors.append(child.stderr.read() if child.stderr
                                                          else ""))
    drain.start()
    lines: list[str] = []
    shown, failed = 0, 0
    try:
        assert child.stdout is not None
        for line in child.stdout:
            lines.append(line)
            report = _REPORT_LINE.search(line)
            if report is None:
                continue
            failed += report.group(1) in ("FAILED", "ERROR")
            tenth = int(report.group(2)) // 10
            if tenth > shown:
                shown = tenth
                say(config, f"[{label}] {report.group(2)}% of its tests done"
                            + (f", {failed} failed" if failed else "")
                            + f", {time.monotonic() - started:.0f} s")
        child.wait()
    finally:
        timer.cancel()
        drain.join()
    out = "".join(lines)
    summary = out.strip().splitlines()[-1] if out.strip() else "no report"
    killed = " (killed: too slow)" if child.returncode < 0 else ""
    say(config, f"[{label}] ended{killed}, {time.monotonic() - started:.0f} s: "
                f"{summary.strip('= ')}")
    return subprocess.CompletedProcess(command, child.returncode, out, "".join(errors))
