"""Connection flood benchmark: one client holding 1,000 idle connections to the tracker API.

The tracker runs in a process of its own with its default limits (1,000 connections, 100 per
client, 8 in reserve for /health), callers verified against a canned STS. A flood process
opens 1,000 connections from 127.0.0.2, sends nothing on them and reopens every one the server
closes or refuses, for the whole run. Meanwhile other clients, each from a loopback address of
its own (127.0.1.N), make requests one after the other: GET /health, and an authenticated
GET /changes with a session token (made before the flood; /health alone against a tracker
without sessions). A request counts as answered when it gets its 200 within 5 seconds. The
figure is the share answered, first without the flood, then with it; --baseline DIR runs an
earlier checkout's server the same way.

Run: .venv/bin/python bench/bench_admission.py [--flood 1000] [--clients 10] [--seconds 20]
     [--baseline DIR]
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import resource
import selectors
import socket
import sys
import tempfile
import threading
import time
from collections import namedtuple
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_tracker import start_api, start_sts  # noqa: E402

from euca_boto.tracker.identity import IDENTITY_HEADER, make_proof  # noqa: E402

TIMEOUT = 5.0


def flood(port: int, count: int, seconds: float, ready: multiprocessing.Event,  # type: ignore[valid-type]
          reopened: multiprocessing.Value) -> None:  # type: ignore[valid-type]
    """Hold ``count`` idle connections from 127.0.0.2, reopening the ones the server closes."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    selector = selectors.DefaultSelector()

    def open_one() -> None:
        try:
            sock = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT,
                                            source_address=("127.0.0.2", 0))
        except OSError:
            return
        sock.setblocking(False)
        selector.register(sock, selectors.EVENT_READ)

    for _ in range(count):
        open_one()
    ready.set()  # type: ignore[attr-defined]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for key, _ in selector.select(timeout=0.1):
            sock = key.fileobj
            selector.unregister(sock)
            sock.close()  # type: ignore[union-attr]
            open_one()
            reopened.value += 1  # type: ignore[attr-defined]
        missing = count - len(selector.get_map())
        for _ in range(missing):  # connections refused before they were made
            open_one()


def session_token(url: str, sts: str) -> str | None:
    """A session token for the bench's caller; None when the tracker has no sessions."""
    host, port = url.split("//")[1].split(":")
    frozen = namedtuple("frozen", "access_key secret_key token")("AKIABENCH", "bench", None)
    proof = make_proof(frozen, sts, "us-east-1", "POST", "/session", b"")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    connection.request("POST", "/session", headers={IDENTITY_HEADER: proof})
    reply = connection.getresponse()
    body = reply.read()
    connection.close()
    return str(json.loads(body)["token"]) if reply.status == 200 else None


def honest(url: str, token: str | None, source: str,
           seconds: float) -> tuple[int, int, dict[str, int]]:
    """Requests made and answered by one client from ``source`` for ``seconds`` (GET /health,
    and GET /changes with ``token`` when there is one), and why the others were not."""
    host, port = url.split("//")[1].split(":")
    failures: dict[str, int] = {}
    made = answered = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        made += 1
        connection = http.client.HTTPConnection(host, int(port), timeout=TIMEOUT,
                                                source_address=(source, 0))
        try:
            if token and made % 2:
                connection.request("GET", "/changes?since=0",
                                   headers={"Authorization": f"Bearer {token}"})
            else:
                connection.request("GET", "/health")
            reply = connection.getresponse()
            reply.read()
            if reply.status == 200:
                answered += 1
            else:
                failures[f"HTTP {reply.status}"] = failures.get(f"HTTP {reply.status}", 0) + 1
        except OSError as error:
            kind = type(error).__name__
            failures[kind] = failures.get(kind, 0) + 1
        finally:
            connection.close()
    return made, answered, failures


def measure(url: str, token: str | None, clients: int,
            seconds: float) -> tuple[int, int, dict[str, int]]:
    results: list[tuple[int, int, dict[str, int]]] = []
    lock = threading.Lock()

    def run(n: int) -> None:
        outcome = honest(url, token, f"127.0.1.{n + 1}", seconds)
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    failures: dict[str, int] = {}
    for _, _, failed in results:
        for kind, count in failed.items():
            failures[kind] = failures.get(kind, 0) + count
    return sum(r[0] for r in results), sum(r[1] for r in results), failures


def flood_phase(label: str, url: str, sts: str, args: argparse.Namespace) -> None:
    """Both phases against the server at ``url``: without the flood, then with it."""
    token = session_token(url, sts)
    made, answered, failures = measure(url, token, args.clients, args.seconds / 4)
    print(f"{label}, no flood: {args.clients} clients answered {answered} of "
          f"{made} requests = {100 * answered / max(made, 1):.2f} % "
          f"(not answered: {failures or 'none'})", flush=True)
    ready, reopened = multiprocessing.Event(), multiprocessing.Value("i", 0)
    port = int(url.rsplit(":", 1)[1])
    flooder = multiprocessing.Process(
        target=flood, args=(port, args.flood, args.seconds + 30, ready, reopened))
    flooder.start()
    if not ready.wait(120):
        raise RuntimeError("the flood did not open its connections")
    made, answered, failures = measure(url, token, args.clients, args.seconds)
    flooder.terminate()
    flooder.join(timeout=30)
    print(f"{label}, one client holding {args.flood} idle connections (reopened "
          f"{reopened.value} the server closed): {args.clients} clients answered "
          f"{answered} of {made} requests = {100 * answered / max(made, 1):.2f} % "
          f"(not answered: {failures or 'none'})", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--flood", type=int, default=1000, help="the flood's connections")
    parser.add_argument("--clients", type=int, default=10, help="other clients")
    parser.add_argument("--seconds", type=float, default=20.0, help="each phase's length")
    parser.add_argument("--baseline", help="a checkout of an earlier euca-boto whose server "
                        "is measured the same way")
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    variants = [("this version", str(Path(__file__).resolve().parents[1]))]
    if args.baseline:
        variants.insert(0, ("baseline " + Path(args.baseline).name, args.baseline))
    sts = start_sts()
    try:
        with tempfile.TemporaryDirectory(prefix="bench-admission-") as tmp:
            for label, code in variants:
                server = start_api(code, str(Path(tmp) / f"{len(label)}.db"), sts.first)
                try:
                    flood_phase(label, server.first, sts.first, args)
                finally:
                    server.close()
    finally:
        sts.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
