"""gunicorn ``--preload``: the master builds the session, the client and the topology updater, and
forks its workers while its threads are inside the state file and the topology. Every worker
answers at once, on connections of its own, and keeps its topology fresh."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from forking import written_by_another_process
from ports import free_port

from euca_boto.testing import LocalCloud

APP = Path(__file__).with_name("preloaded_app.py")
CONFIG = Path(__file__).with_name("preloaded_conf.py")
WORKERS = 2


@pytest.fixture
def gunicorn(deployment: dict[str, str]) -> Iterator[str]:
    """gunicorn serving the application with ``--preload``, started while another process
    writes the state file; its URL once a worker has answered."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    command = [sys.executable, "-m", "gunicorn", "--preload", "--workers", str(WORKERS),
               "--bind", f"127.0.0.1:{port}", "--chdir", str(APP.parent), "--timeout", "60",
               "--graceful-timeout", "5", "--config", str(CONFIG), f"{APP.stem}:app"]
    server = subprocess.Popen(command, env={**os.environ, **deployment},
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        with written_by_another_process(deployment["STATE_FILE"]):
            first = get(url, timeout=20)  # raises if no worker answers
        assert first["names"] == ["dns.enabled"]
        yield url
    finally:
        server.terminate()
        try:
            _, errors = server.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            _, errors = server.communicate()
        print(errors[-4000:])


def get(url: str, timeout: float) -> dict[str, Any]:
    """One request, retried while the server is not listening yet, until ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=max(0.1, deadline - time.monotonic())) as r:
                answer: dict[str, Any] = json.loads(r.read())
                return answer
        except urllib.error.URLError as error:
            if time.monotonic() > deadline or not isinstance(error.reason,
                                                             ConnectionRefusedError):
                raise
            time.sleep(0.05)


def test_preloaded_gunicorn_workers_call_at_once_and_keep_their_topology_fresh(
    gunicorn: str, fresh_cloud: LocalCloud
) -> None:
    with ThreadPoolExecutor(4) as clients:
        answers = list(clients.map(lambda _: get(gunicorn, timeout=20), range(40)))
    assert [a["names"] for a in answers] == [["dns.enabled"]] * 40
    workers = {a["pid"] for a in answers}

    fresh_cloud.endpoint(1).stop()
    wanted = sorted(fresh_cloud.service_url("euprop", i) for i in (0, 2))
    latest: dict[int, list[str]] = {}
    deadline = time.monotonic() + 20
    with ThreadPoolExecutor(4) as clients:
        while time.monotonic() < deadline:
            for answer in clients.map(lambda _: get(gunicorn, timeout=20), range(8)):
                latest[answer["pid"]] = answer["endpoints"]
                answers.append(answer)
            if set(latest) >= workers and all(e == wanted for e in latest.values()):
                break
            time.sleep(0.05)
    assert {pid: latest.get(pid) for pid in workers} == {pid: wanted for pid in workers}
    assert not any(a["updater running"] for a in answers)  # the master's is not theirs
