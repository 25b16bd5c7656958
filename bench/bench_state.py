"""State file benchmark: what remembering state across processes costs a call, and a command.

1. Healthy calls: the median latency of the same call through sessions of one LocalCloud
   (two endpoints, so endpoint selection runs; breaker on), two with ``euca_state = memory``,
   one with a state file; interleaved round by round; the ratio of medians is the per-call cost
   of the state file. The second memory session is a control: its ratio shows how far two
   identical variants drift apart on this machine.
2. The state file's own operations, in microseconds: a breaker's read on a call (served from
   memory) beside the same read of a memory breaker; one write (an ejection; a call counted in
   a breaker's window: one transaction each), the same count in memory; the re-read of what
   other processes wrote, which a process makes at most every few seconds; and opening the
   file, once per process.
3. ``aws euprop describe-properties`` wall time with the CLI plugin, ``euca_state = memory``
   against the default (``local``), interleaved, medians: the cost per command.

Run: .venv/bin/python bench/bench_state.py [--rounds 1500] [--operations 2000] [--commands 5]
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import compare, report  # noqa: E402

import euca_boto  # noqa: E402
from euca_boto.breakers.breaker import Breaker  # noqa: E402
from euca_boto.breakers.storage import STATE_FILE_PREFIX, LocalStorage, storage_for  # noqa: E402
from euca_boto.core.localstate import StateFile  # noqa: E402
from euca_boto.endpoints.health import EjectionPolicy, HealthBoard  # noqa: E402
from euca_boto.testing import LocalCloud  # noqa: E402

ENDPOINTS = 30


def per_operation(operation: Callable[[], Any], count: int) -> float:
    """Median microseconds of ``operation`` over ``count`` runs."""
    times = []
    for _ in range(count):
        start = time.perf_counter()
        operation()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e6


def file_operations(directory: Path, count: int) -> list[tuple[str, float]]:
    path = directory / "operations.sqlite3"
    memory_breaker = Breaker("bench/memory")
    file_breaker = Breaker("bench/file", storage=storage_for(STATE_FILE_PREFIX + str(path),
                                                             "bench/file"))
    board = HealthBoard(time.monotonic)
    file = StateFile(path)
    board.remember_in(file)
    policy = EjectionPolicy()
    urls = iter(range(10**9))
    rows = []
    rows.append(("breaker read, memory (every call)",
                 per_operation(memory_breaker.storage.read, count)))
    rows.append(("breaker read, state file (every call)",
                 per_operation(file_breaker.storage.read, count)))
    rows.append(("ejection written (on a failure)", per_operation(
        lambda: board.failed(f"http://host-{next(urls)}.test/", policy, "bench"), count)))
    window = file_breaker.config.window
    rows.append(("breaker call counted in its window (every call)", per_operation(
        lambda: file_breaker.storage.record("s", time.time(), window), count)))
    rows.append(("the same in memory (every call)", per_operation(
        lambda: memory_breaker.storage.record("s", time.time(), window), count)))
    # The re-read takes in every record of the file: as many as a large cloud has endpoints.
    cloud_board = HealthBoard(time.monotonic)
    cloud_board.remember_in(StateFile(directory / "cloud.sqlite3"))
    for i in range(ENDPOINTS):
        cloud_board.failed(f"http://host-{i}.test/", policy, "bench")
    rows.append((f"re-read of {ENDPOINTS} ejections (every 2 s at most)",
                 per_operation(lambda: cloud_board.refresh(float("inf")), count)))
    # A clock that moves on 10 s per look makes every read a re-read.
    ticks = itertools.count(0.0, 10.0)
    breaker_reread = LocalStorage(file, "bench/file", clock=lambda: next(ticks)).read
    rows.append(("re-read of a breaker (every 2 s at most)",
                 per_operation(breaker_reread, count)))

    def open_file() -> None:
        fresh = StateFile(path)
        fresh.ejections()
        fresh.close()

    rows.append(("opening the file (once per process)", per_operation(open_file, 50)))
    file.close()
    return rows


def cli_commands(cloud: LocalCloud, directory: Path, rounds: int) -> list[tuple[str, float]]:
    aws = str(Path(sys.executable).with_name("aws"))
    config, credentials = cloud.write_aws_files(directory / "cli", profile="bench")
    with open(config, "a") as handle:
        handle.write("\n[plugins]\neuca = euca_boto.awscli_plugin\n")
    base = {**os.environ, "AWS_CONFIG_FILE": str(config), "AWS_PAGER": "",
            "AWS_SHARED_CREDENTIALS_FILE": str(credentials), "AWS_PROFILE": "bench",
            "XDG_CACHE_HOME": str(directory / "cache")}
    variants = [("aws, euca_state = memory", {**base, "EUCA_BOTO_STATE": "memory"}),
                ("aws, default (local)", base)]
    times: dict[str, list[float]] = {name: [] for name, _ in variants}
    for round_number in range(rounds + 1):
        for name, env in variants[round_number % 2:] + variants[:round_number % 2]:
            start = time.perf_counter()
            subprocess.run([aws, "euprop", "describe-properties", "--properties",
                            "dns.enabled"], env=env, check=True, capture_output=True, timeout=120)
            if round_number:  # the first round warms the disk cache
                times[name].append(time.perf_counter() - start)
    return [(name, statistics.median(values)) for name, values in times.items()]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=1500)
    parser.add_argument("--operations", type=int, default=2000)
    parser.add_argument("--commands", type=int, default=5)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp, LocalCloud(endpoints=2, partitions=1) as cloud:
        directory = Path(tmp)
        config, credentials = directory / "config", directory / "credentials"
        profiles = ("bench-memory", "bench-control", "bench-file")
        config.write_text("".join(cloud.profile_text(name) for name in profiles))
        credentials.write_text("".join(cloud.credentials_text(name) for name in profiles))
        os.environ["AWS_CONFIG_FILE"] = str(config)
        os.environ["AWS_SHARED_CREDENTIALS_FILE"] = str(credentials)
        urls = f"{cloud.endpoint(0).url}, {cloud.endpoint(1).url}"
        places = ("memory", "memory", str(directory / "state.sqlite3"))
        clients = [euca_boto.session(name, euca_endpoint_urls=urls, euca_state=place)
                   .client("euprop") for name, place in zip(profiles, places, strict=True)]

        def call(client: Any) -> Callable[[], Any]:
            return lambda: client.describe_properties(Properties=["dns.enabled"])

        names = ("euca_state = memory", "memory again (control)", "euca_state = <state file>")
        results = compare([(name, call(client)) for name, client in zip(names, clients,
                                                                        strict=True)],
                          rounds=args.rounds)
        print(report("1. Healthy calls, fast server (ratio of medians)", results))

        print("\n2. State file operations (median us)")
        for name, micros in file_operations(directory, args.operations):
            print(f"  {name:<46} {micros:>9.1f}")

        if args.commands:
            print(f"\n3. aws euprop describe-properties, {args.commands} rounds (median s)")
            rows = cli_commands(cloud, directory, args.commands)
            for name, seconds in rows:
                print(f"  {name:<28} {seconds:>7.3f} {seconds / rows[0][1]:>7.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
