"""What the plugin costs per call, side by side with plain boto3, against a minimal fast server.

The server is a CannedServer (euca_boto.testing.canned) in a process of its own, answering a
DescribeProperties response at once, so a call's time is almost all the client's and the
plugin's share of it shows in full. The servers run on the last processor and this process on
the others (``--no-pin`` leaves them free), so that neither variant's figures depend on where
the scheduler happened to put the two. Five comparisons, each as the ratio plugin / plain:

1. one call (median latency; target <= 1.02);
2. client creation (median time of ``session.client(...)`` for ec2, sts and euprop, in
   sessions that made a client of each already; target <= 1.03 each);
3. 16 threads sharing one client, with a pool of 16 connections (median ratio of the
   rounds' throughputs and its 95 % interval; target >= 0.99);
4. aiobotocore, 200 calls gathered with its default pool of 10, and with a pool of 200 (median
   batch time over 150 batches of each: how 200 tasks interleave with the server's answers
   varies from batch to batch by more than the difference, and 30 batches gave medians
   0.03 apart from one run to the next; beside it, the median of the rounds' ratios and its
   95 % interval; target <= 1.02; needs aiobotocore, i.e. run with .venv-aio);
5. endpoints: one installed client over 50 endpoints and over 1 (median latency; target
   <= 1.05), and the TCP connections the server accepted during 200 calls after warm-up
   (target 0).

Where objects land in memory differs from one process to the next (address randomisation, the
order of allocations), and with it how well a variant's data shares the processor's caches: the
same comparison run in fresh processes gives ratios about 1 % apart, more than one run's rounds
show. ``--processes N`` runs the comparisons in N fresh processes, one after another, and gives
each figure's minimum, median and maximum over them: the median is the figure to quote.

``--profile`` prints instead where an installed session's call and client creation spend their
time (cProfile, top functions by own time).

Run: .venv/bin/python bench/bench_overhead.py [--rounds 3000] [--processes 6]
     .venv-aio/bin/python bench/bench_overhead.py      (adds part 4)
     .venv/bin/python bench/bench_overhead.py --profile
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import functools
import io
import json
import pstats
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import compare, paired_ratio, pin_apart, report  # noqa: E402
from harness import throughput as threaded_throughput  # noqa: E402

import euca_boto  # noqa: E402
from euca_boto.core.models import models_path  # noqa: E402

KEYS = {"aws_access_key_id": "AKIDBENCH", "aws_secret_access_key": "bench-secret",
        "region_name": "eucalyptus"}
PROPERTIES = {"Properties": ["dns.enabled"]}
PATH = "/services/Properties"
THREADS = 16

# The server process: prints its base URLs, then answers "connections" lines with its count of
# accepted connections until its stdin closes.
_SERVER = """
import json, sys
from euca_boto.testing.canned import DESCRIBE_PROPERTIES, CannedServer
with CannedServer(DESCRIBE_PROPERTIES, ports=int(sys.argv[1])) as server:
    print(json.dumps(server.urls), flush=True)
    for line in sys.stdin:
        print(server.connections, flush=True)
"""


class Server:
    """A CannedServer in a subprocess (in this one its thread would compete for the GIL)."""

    def __init__(self, ports: int) -> None:
        self.process = subprocess.Popen([sys.executable, "-c", _SERVER, str(ports)],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        text=True)
        assert self.process.stdout is not None
        self.urls: list[str] = json.loads(self.process.stdout.readline())

    def connections(self) -> int:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write("connections\n")
        self.process.stdin.flush()
        return int(self.process.stdout.readline())

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=30)


def plain_session() -> Any:
    session = boto3.session.Session(**KEYS)
    session._session.get_component("data_loader").search_paths.insert(0, str(models_path()))
    return session


def installed_session(**settings: Any) -> Any:
    return euca_boto.session(**KEYS, **settings)


def per_call(url: str, rounds: int) -> tuple[str, float]:
    plain = plain_session().client("euprop", endpoint_url=url + PATH)
    ours = installed_session(euca_endpoint=url).client("euprop")
    results = compare([("plain boto3", lambda: plain.describe_properties(**PROPERTIES)),
                       ("euca-boto", lambda: ours.describe_properties(**PROPERTIES))],
                      rounds=rounds, warmup=200)
    return (report("1. one call: latency", results),
            results[1].median / results[0].median)


# The services whose client creation part 2 measures, and their paths on the cloud.
CREATED = (("ec2", "/services/compute"), ("sts", "/services/Tokens"), ("euprop", PATH))


def creation_sessions(url: str) -> tuple[Any, Any]:
    """A plain and an installed session, each with a client of every service of part 2
    made already: as in a program that uses several, an installed session's clients copy the
    handlers of all of them.

    The two share one loader, so that their clients' models are one copy of each model file,
    as in a program with one session. With a loader each, whichever session made its client
    first would win: botocore caches the methods' names process-wide (``xform_name``), by
    the strings of the first model it saw, and every lookup from the other copy's equal but
    distinct strings compares them in full (2.6 % of an ec2 client's creation, for either
    side)."""
    ours = installed_session(euca_endpoint=url)
    plain = boto3.session.Session(**KEYS)
    plain._session.register_component("data_loader",
                                       ours._session.get_component("data_loader"))
    for service, path in CREATED:
        plain.client(service, endpoint_url=url + path)
        ours.client(service)
    return plain, ours


def client_creation(url: str, rounds: int) -> list[tuple[str, str, float]]:
    plain, ours = creation_sessions(url)
    measured = []
    for service, path in CREATED:
        results = compare(
            [("plain boto3", functools.partial(plain.client, service, endpoint_url=url + path)),
             ("euca-boto", functools.partial(ours.client, service))],
            rounds=rounds, warmup=20)
        measured.append((service,
                         report(f"2. client creation: time of session.client({service!r})",
                                results),
                         results[1].median / results[0].median))
    return measured


def threads(url: str, rounds: int, calls: int) -> tuple[str, float]:
    # A pool for every thread, as botocore advises for a client shared by that many: with the
    # default of 10, every run opens (and the pool throws away) six connections, at moments
    # that differ from run to run, which widens the spread of both variants.
    pool = Config(max_pool_connections=THREADS)
    plain = plain_session().client("euprop", endpoint_url=url + PATH, config=pool)
    ours = installed_session(euca_endpoint=url).client("euprop", config=pool)

    def throughput(client: Any) -> tuple[float, float]:
        """Calls per second, and this process's CPU seconds per call meanwhile."""
        cpu = time.process_time()
        rate = threaded_throughput(lambda: client.describe_properties(**PROPERTIES),
                                   THREADS, calls)
        return rate, (time.process_time() - cpu) / (THREADS * calls)

    throughput(plain), throughput(ours)  # warm-up
    figures: dict[str, list[float]] = {"plain boto3": [], "euca-boto": []}
    cpu: dict[str, list[float]] = {"plain boto3": [], "euca-boto": []}
    for round_number in range(rounds):
        pair = [("plain boto3", plain), ("euca-boto", ours)]
        for name, client in pair[::-1] if round_number % 2 else pair:
            rate, seconds = throughput(client)
            figures[name].append(rate)
            cpu[name].append(seconds)
    # A run's throughput moves by 5-15 % from one run to the next (how the threads queue for
    # the interpreter lock), more than the difference measured: the interval says how far the
    # figure itself would move in another run of this benchmark.
    ratio, described = paired_ratio(figures["euca-boto"], figures["plain boto3"])
    # The threads share one core's worth of the interpreter lock: throughput is about the
    # inverse of the CPU time each call takes, so the CPU ratio tells what to expect.
    _, cpu_described = paired_ratio(cpu["euca-boto"], cpu["plain boto3"])
    lines = [f"3. {THREADS} threads sharing one client (pool of {THREADS}), {calls} calls each, "
             f"{rounds} rounds: throughput",
             f"  {'variant':<28} {'median calls/s':>15} {'CPU us/call':>12}"]
    for name, values in figures.items():
        lines.append(f"  {name:<28} {statistics.median(values):>15.0f} "
                     f"{statistics.median(cpu[name]) * 1e6:>12.1f}")
    lines.append(f"  median ratio of the rounds (euca-boto / plain): {described}")
    lines.append(f"  CPU per call, median ratio of the rounds: {cpu_described}")
    return "\n".join(lines), ratio


def aiobotocore_part(url: str, rounds: int, calls: int, pool: int = 10) -> tuple[str, float]:
    from aiobotocore.session import AioSession

    from euca_boto import aio

    config = Config(max_pool_connections=pool)
    loop = asyncio.new_event_loop()
    contexts: list[Any] = []

    async def open_clients() -> tuple[Any, Any]:
        plain = AioSession()
        plain.get_component("data_loader").search_paths.insert(0, str(models_path()))
        plain.set_credentials(KEYS["aws_access_key_id"], KEYS["aws_secret_access_key"])
        contexts.append(plain.create_client("euprop", endpoint_url=url + PATH, config=config,
                                            region_name=KEYS["region_name"]))
        contexts.append(aio.session(**KEYS, euca_endpoint=url).create_client(
            "euprop", config=config))
        return await contexts[0].__aenter__(), await contexts[1].__aenter__()

    plain_client, ours = loop.run_until_complete(open_clients())

    def batch(client: Any) -> Callable[[], None]:
        async def gather() -> None:
            await asyncio.gather(*(client.describe_properties(**PROPERTIES)
                                   for _ in range(calls)))

        return lambda: loop.run_until_complete(gather())

    try:
        results = compare([("aiobotocore", batch(plain_client)),
                           ("aiobotocore + euca-boto", batch(ours))],
                          rounds=rounds, warmup=3)
    finally:
        async def close() -> None:
            for context in contexts:
                await context.__aexit__(None, None, None)

        loop.run_until_complete(close())
        loop.close()
    text = report(f"4. aiobotocore: {calls} calls gathered, pool of {pool}: batch time", results)
    if not any(result.failures for result in results):
        # A batch's time moves by several percent from one batch to the next: how far the
        # figure itself would move in another run of this benchmark.
        text += ("\n  median ratio of the rounds: "
                 f"{paired_ratio(results[1].latencies, results[0].latencies)[1]}")
    return text, results[1].median / results[0].median


def endpoints(one: str, many: Server, rounds: int) -> tuple[str, float, int]:
    single = installed_session(euca_endpoint=one).client("euprop")
    spread = installed_session(
        euca_endpoint_urls=",".join(u + PATH for u in many.urls)).client("euprop")
    results = compare([("1 endpoint", lambda: single.describe_properties(**PROPERTIES)),
                       (f"{len(many.urls)} endpoints",
                        lambda: spread.describe_properties(**PROPERTIES))],
                      rounds=rounds, warmup=200)
    before = many.connections()
    for _ in range(200):
        spread.describe_properties(**PROPERTIES)
    opened = many.connections() - before
    text = report("5. endpoints: latency of an installed client", results)
    text += f"\n  new connections during 200 calls over {len(many.urls)} endpoints: {opened}"
    return text, results[1].median / results[0].median, opened


def function_calls(work: Callable[[], object], times: int) -> float:
    """Python function calls per run of ``work``: a measure of CPU work that the load of a
    shared machine does not blur."""
    profiler = cProfile.Profile()
    profiler.runcall(lambda: [work() for _ in range(times)])
    return float(pstats.Stats(profiler).total_calls) / times  # type: ignore[attr-defined]


def profile(url: str, calls: int) -> None:
    plain_sess, session = creation_sessions(url)
    plain = plain_sess.client("euprop", endpoint_url=url + PATH)
    client = session.client("euprop")
    for _ in range(200):
        client.describe_properties(**PROPERTIES)
        plain.describe_properties(**PROPERTIES)
    print("Python function calls (plain boto3 -> euca-boto):")
    comparisons: list[tuple[str, Callable[[], object], Callable[[], object]]] = [
        ("  per call", lambda: plain.describe_properties(**PROPERTIES),
         lambda: client.describe_properties(**PROPERTIES))]
    for service, path in CREATED:
        comparisons.append((
            f"  per client creation, {service}",
            functools.partial(plain_sess.client, service, endpoint_url=url + path),
            functools.partial(session.client, service)))
    for title, plain_work, ours_work in comparisons:
        before, after = function_calls(plain_work, 300), function_calls(ours_work, 300)
        print(f"{title}: {before:.0f} -> {after:.0f} ({after / before:.3f})")
    print()
    for title, work in (
        (f"{calls} calls", lambda: [client.describe_properties(**PROPERTIES)
                                    for _ in range(calls)]),
        (f"{calls // 10} client creations", lambda: [session.client("euprop")
                                                     for _ in range(calls // 10)]),
    ):
        profiler = cProfile.Profile()
        profiler.runcall(work)
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out).sort_stats("tottime")
        stats.print_stats(10)
        stats.print_stats("euca_boto", 15)
        print(f"== profile: {title} through an installed session: the top 10 by own time, "
              f"then euca_boto's top 15")
        print("\n".join(line for line in out.getvalue().splitlines()
                        if "(" in line or "ncalls" in line))
        print()


def across_processes(args: argparse.Namespace) -> None:
    """Run the comparisons in ``args.processes`` fresh processes, one after another, and print
    each figure's minimum, median and maximum over them."""
    argv = [sys.executable, __file__, "--rounds", str(args.rounds), "--parts", args.parts,
            *(["--no-pin"] if args.no_pin else [])]
    figures: dict[str, list[float]] = {}
    targets: dict[str, str] = {}
    for number in range(1, args.processes + 1):
        out = subprocess.run([*argv, "--figures"], capture_output=True, text=True, check=True,
                             timeout=1800).stdout
        found = json.loads(out.splitlines()[-1])
        print(f"process {number}: " + ", ".join(f"{name} {value:.3f}"
                                                 for name, value, _ in found), flush=True)
        for name, value, target in found:
            figures.setdefault(name, []).append(value)
            targets[name] = target
    print(f"\nsummary over {args.processes} processes (plugin / plain boto3 unless named)")
    print(f"  {'':<30} {'min':>7} {'median':>7} {'max':>7}")
    for name, values in figures.items():
        print(f"  {name:<30} {min(values):>7.3f} {statistics.median(values):>7.3f} "
              f"{max(values):>7.3f}   target {targets[name]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3000, help="rounds of single calls")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--parts", default="1,2,3,4,5", help="which comparisons, e.g. 1,3")
    parser.add_argument("--no-pin", action="store_true",
                        help="let the servers and this process run on any processor")
    parser.add_argument("--processes", type=int, default=1,
                        help="run the comparisons in this many fresh processes (see above)")
    parser.add_argument("--figures", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.processes < 1:
        parser.error(f"--processes must be at least 1, not {args.processes}")
    if args.processes > 1 and not args.profile:
        across_processes(args)
        return
    parts = {int(p) for p in args.parts.split(",")}
    one, many = Server(1), Server(50)
    try:
        if not args.no_pin:
            print(pin_apart(one.process.pid, many.process.pid), end="\n\n")
        url = one.urls[0]
        if args.profile:
            profile(url, 3000)
            return
        figures: list[tuple[str, float, str]] = []
        if 1 in parts:
            text, ratio = per_call(url, args.rounds)
            print(text, end="\n\n")
            figures.append(("one call", ratio, "<= 1.02"))
        if 2 in parts:
            for service, text, ratio in client_creation(url, max(50, args.rounds // 10)):
                print(text, end="\n\n")
                figures.append((f"client creation, {service}", ratio, "<= 1.03"))
        if 3 in parts:
            text, ratio = threads(url, 41, max(20, args.rounds // 50))
            print(text, end="\n\n")
            figures.append((f"{THREADS} threads, throughput", ratio, ">= 0.99"))
        if 4 in parts:
            try:
                import aiobotocore  # noqa: F401
            except ImportError:
                print("4. aiobotocore is not installed here: skipped (run with .venv-aio)\n")
            else:
                for pool in (10, 200):
                    text, ratio = aiobotocore_part(url, max(15, args.rounds // 20), 200, pool)
                    print(text, end="\n\n")
                    figures.append((f"aiobotocore, pool {pool}", ratio, "<= 1.02"))
        if 5 in parts:
            text, ratio, opened = endpoints(url, many, args.rounds // 2)
            print(text, end="\n\n")
            figures.append(("50 endpoints / 1", ratio, "<= 1.05"))
            figures.append(("new connections / 200 calls", float(opened), "0"))
        print("summary (plugin / plain boto3 unless named)")
        for name, value, target in figures:
            print(f"  {name:<30} {value:>7.3f}   target {target}")
        if args.figures:  # for across_processes: the figures, as the last line
            print(json.dumps(figures))
    finally:
        one.close()
        many.close()


if __name__ == "__main__":
    main()
