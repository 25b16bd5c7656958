"""The processes sharing a breaker fill one window: in a state file as in Redis, a breaker opens
on the failure rate of everybody's calls, not of one process's."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from euca_boto.breakers.storage import STATE_FILE_PREFIX, storage_for

WORKER = Path(__file__).with_name("window_worker.py")


@pytest.fixture(params=["state file", "redis"])
def shared(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "state file":
        yield STATE_FILE_PREFIX + str(tmp_path / "state.sqlite3")
    else:
        request.getfixturevalue("fleet_redis")  # removes the breaker afterwards
        yield request.getfixturevalue("redis_url")


def run(url: str, name: str, outcomes: str) -> list[str]:
    done = subprocess.run([sys.executable, str(WORKER), url, name, outcomes],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def test_processes_fill_one_window(shared: str, unique: str) -> None:
    name = f"window-{unique}"
    assert run(shared, name, "s" * 20) == ["ok"] * 20
    assert run(shared, name, "s" * 20) == ["ok"] * 20
    # Alone, 25 failures would open a breaker (20 calls, all failed); after the others' 40
    # successes they are 25 of 65 calls: 38 %.
    assert run(shared, name, "f" * 25) == ["failed"] * 25
    snap = storage_for(shared, name).read()
    assert snap.state == "closed" and snap.window is not None
    tally = snap.window.tally(0.0)
    assert (tally.calls, tally.failures) == (65, 25)
    # Ten more failures make 35 of 75 (47 %), the eleventh 36 of 76 (47 %)... the fifteenth
    # 40 of 80: 50 %, and the breaker opens for every process.
    assert run(shared, name, "f" * 16) == ["failed"] * 15 + ["refused"]
    assert run(shared, name, "s") == ["refused"]
