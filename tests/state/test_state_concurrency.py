"""Several processes writing one state file at the same moment lose nothing and fail nothing."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from state_support import WORKER

PROCESSES = 6
EACH = 40


def test_concurrent_processes_lose_no_ejection_and_no_failure(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    start = time.time() + 3.0  # every process has started and opened the file by then
    workers = [
        subprocess.Popen([sys.executable, str(WORKER), "hammer", str(path), str(i), str(EACH),
                          repr(start)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for i in range(PROCESSES)
    ]
    outcomes = [worker.communicate(timeout=120) for worker in workers]
    assert [worker.returncode for worker in workers] == [0] * PROCESSES
    assert [err for _, err in outcomes] == [""] * PROCESSES

    with sqlite3.connect(path) as db:
        ejected = db.execute("SELECT url, failures FROM ejections").fetchall()
        failures = db.execute("SELECT failures FROM breakers WHERE name = 'hammer'").fetchone()
    assert sorted(ejected) == sorted(
        (f"http://host-{i}-{j}.test/", 1) for i in range(PROCESSES) for j in range(EACH))
    assert failures == (PROCESSES * EACH,)
