"""The chaos run: threads share one client of a three-endpoint LocalCloud while faults of every
kind are injected at random (5xx bursts, resets, malformed bodies, latency, black holes) and one
endpoint is killed for good, one endpoint always kept healthy.

:func:`chaos_run` runs it as a :class:`ChaosConfig` says (seed, duration, threads, the
session's settings: timeouts, retries, breaker) and returns the :class:`Run`: every call's
outcome and LocalCloud's request log, from which :meth:`Run.summary` reads what the run is
judged by. ``tests/chaos/test_chaos.py`` asserts one property of it per test;
``bench/bench_chaos.py`` sweeps seeds and settings and prints the summaries side by side.
"""

from __future__ import annotations

import gc
import os
import random
import threading
import time
import weakref
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

import euca_boto
from euca_boto.retry import NOT_APPLIED_STATUSES
from euca_boto.testing import LocalCloud

FAULTS = ("none", "5xx", "reset", "malformed", "latency", "timeout", "blackhole")
READ = {"Properties": ["dns.enabled"]}
WRITABLE = "services.loadbalancing.worker.image"

# What a call may raise: euca-boto's documented exceptions and botocore's two families. Keep
# this in step with the README's table of errors.
VOCABULARY: tuple[type[BaseException], ...] = (
    euca_boto.EucaBotoError,
    ClientError,
    BotoCoreError,
)


@dataclass(frozen=True)
class ChaosConfig:
    """One chaos run. ``settings`` are the session's ``euca_*`` settings beyond its endpoints
    (timeouts, retries, breaker: the defaults where absent); ``read_timeout`` sizes the faults
    that are meant to be slower than a read may take."""

    seed: int = 20261130
    seconds: float = 30.0
    phase: tuple[float, float] = (0.3, 0.9)  # how long each set of faults lasts (at random)
    # The share of counted faults (5xx, resets, malformed answers) that last the whole phase,
    # as a sick endpoint's do; the others are bursts of a few requests.
    lasting: float = 0.5
    threads: int = 8
    write_share: float = 0.3
    kill_at: float = 0.4  # the share of the run after which one endpoint is stopped for good
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def read_timeout(self) -> float:
        return float(self.settings.get("euca_read_timeout", 30.0))

    @property
    def deadline(self) -> float:
        return float(self.settings.get("euca_retry_deadline", 90.0))


@dataclass
class Call:
    kind: str  # "read" or "write"
    token: str | None
    elapsed: float
    # The class and text of what the call raised: the exception itself is not kept, since
    # its traceback would keep the call's connections open past the run.
    error: type[BaseException] | None = None
    message: str = ""


@dataclass
class Run:
    config: ChaosConfig
    calls: list[Call] = field(default_factory=list)
    faults: list[str] = field(default_factory=list)  # what was injected, in order
    kinds: set[str] = field(default_factory=set)  # the kinds of fault injected
    killed: int | None = None
    requests: list[Any] = field(default_factory=list)  # LocalCloud's request log
    leaked_threads: list[str] = field(default_factory=list)
    leaked_fds: int = 0
    session_alive: bool = False

    def where(self) -> str:
        return (f"(seed {self.config.seed}; {len(self.calls)} calls; endpoint {self.killed} "
                f"killed; faults: {', '.join(self.faults[:40])}"
                f"{' ...' if len(self.faults) > 40 else ''})")

    def reads(self) -> list[Call]:
        return [c for c in self.calls if c.kind == "read"]

    def failed_reads(self) -> list[Call]:
        return [c for c in self.reads() if c.error is not None]

    def read_success(self) -> float:
        """Percent of the reads that succeeded."""
        reads = self.reads()
        return 100.0 * (len(reads) - len(self.failed_reads())) / len(reads) if reads else 0.0

    def refused(self) -> int:
        """Calls the breaker refused."""
        return sum(1 for c in self.calls if c.error is euca_boto.CircuitOpenError)

    def escaped(self) -> Counter[str]:
        """What the calls raised, by class."""
        return Counter(c.error.__name__ for c in self.calls if c.error is not None)

    def outside_vocabulary(self) -> list[Call]:
        return [c for c in self.calls if c.error is not None and not issubclass(c.error,
                                                                              VOCABULARY)]

    def resent_writes(self) -> dict[str, list[tuple[Any, Any, Any]]]:
        """The writes sent again after an attempt whose outcome was ambiguous (anything but a
        status that says the request was not applied), by token."""
        by_token: dict[str, list[Any]] = {}
        for record in self.requests:
            if record.action == "ModifyPropertyValue":
                by_token.setdefault(str(record.params.get("Value")), []).append(record)
        return {
            token: [(r.endpoint, r.status, r.fault) for r in records]
            for token, records in by_token.items()
            if any(r.status not in NOT_APPLIED_STATUSES
                   for r in sorted(records, key=lambda r: r.time)[:-1])
        }

    def writes_on_the_wire(self) -> int:
        return sum(1 for r in self.requests if r.action == "ModifyPropertyValue")

    def messages(self, calls: list[Call]) -> str:
        return "; ".join(sorted({f"{c.error.__name__ if c.error else ''}: {c.message[:160]}"
                                 for c in calls})[:8])


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


LASTING = 10**6  # requests: more than any phase sees


def inject(endpoint: Any, kind: str, rng: random.Random, config: ChaosConfig) -> str:
    read_timeout = config.read_timeout
    if kind in ("5xx", "reset", "malformed"):
        count = rng.randint(1, 4)
        shown = f"x{count}"
        if rng.random() < config.lasting:
            count, shown = LASTING, " lasting"
        if kind == "5xx":
            status = rng.choice((500, 502, 503, 504))
            endpoint.fail(status, count=count)
            return f"{endpoint.index}:{status}{shown}"
        if kind == "reset":
            endpoint.reset(count)
        else:
            endpoint.malformed(count)
        return f"{endpoint.index}:{kind}{shown}"
    if kind == "latency":  # slower, but within the read timeout
        seconds = round(rng.uniform(0.05, min(read_timeout / 2, config.phase[1])), 2)
        endpoint.latency(seconds)
        return f"{endpoint.index}:latency{seconds}"
    if kind == "timeout":  # slower than the read timeout
        endpoint.latency(read_timeout * 1.5)
        return f"{endpoint.index}:latency{read_timeout * 1.5:g}"
    if kind == "blackhole":
        endpoint.blackhole()
        return f"{endpoint.index}:blackhole"
    return f"{endpoint.index}:none"


def chaos(cloud: LocalCloud, run: Run, stop: threading.Event) -> None:
    """Change the faults every phase: one live endpoint healthy, the others at random."""
    config = run.config
    rng = random.Random(config.seed)
    started = time.monotonic()
    alive = list(range(len(cloud.endpoints)))
    while not stop.is_set():
        cloud.clear()
        healthy = rng.choice(alive)
        if run.killed is None and time.monotonic() - started > config.kill_at * config.seconds:
            run.killed = rng.choice([i for i in alive if i != healthy])
            cloud.endpoint(run.killed).stop()
            alive.remove(run.killed)
            run.faults.append(f"{run.killed}:killed")
            run.kinds.add("killed")
        for i in alive:
            if i != healthy:
                kind = rng.choice(FAULTS)
                run.faults.append(inject(cloud.endpoint(i), kind, rng, config))
                run.kinds.add(kind)
        stop.wait(rng.uniform(*config.phase))
    cloud.clear()


def worker(client: Any, index: int, run: Run, stop: threading.Event,
           lock: threading.Lock) -> None:
    rng = random.Random(run.config.seed + 1 + index)
    number = 0
    while not stop.is_set():
        number += 1
        write = rng.random() < run.config.write_share
        token = f"chaos-{index}-{number}" if write else None
        started = time.monotonic()
        call = Call("write" if write else "read", token, 0.0)
        try:
            if write:
                client.modify_property_value(Name=WRITABLE, Value=token)
            else:
                client.describe_properties(**READ)
        except BaseException as caught:  # noqa: BLE001 - every escape is what is checked
            call.error, call.message = type(caught), str(caught)[:300]
        call.elapsed = time.monotonic() - started
        with lock:
            run.calls.append(call)


def chaos_run(cloud: LocalCloud, config: ChaosConfig) -> Run:
    """One chaos run against ``cloud`` (three endpoints, all running and healthy), in the AWS
    environment the caller set up (no profile is read: the session is made from arguments)."""
    run = Run(config)
    gc.collect()
    threads_before = set(threading.enumerate())
    fds_before = open_fds()

    session = euca_boto.session(
        region_name=cloud.region,
        aws_access_key_id=cloud.access_key,
        aws_secret_access_key=cloud.secret_key,
        euca_endpoint_urls=",".join(e.url for e in cloud.endpoints),
        **config.settings,
    )
    client = session.client("euprop")
    stop, lock = threading.Event(), threading.Lock()
    controller = threading.Thread(target=chaos, args=(cloud, run, stop), name="chaos")
    workers = [threading.Thread(target=worker, args=(client, i, run, stop, lock),
                                name=f"chaos-worker-{i}") for i in range(config.threads)]
    controller.start()
    for thread in workers:
        thread.start()
    time.sleep(config.seconds)
    stop.set()
    for thread in [controller, *workers]:
        thread.join(timeout=config.deadline + config.read_timeout + 10)
    cloud.clear()
    cloud.wait_idle(5)
    run.requests = cloud.requests()

    # Leaks: what the session and its clients opened must be gone once they are.
    alive = weakref.ref(session._session)
    client.close()
    del client, session
    deadline = time.monotonic() + 5
    while True:
        gc.collect()
        run.leaked_threads = sorted(t.name for t in set(threading.enumerate()) - threads_before
                                    if t.is_alive() and not t.name.startswith("localcloud"))
        run.leaked_fds = open_fds() - fds_before
        if (not run.leaked_threads and run.leaked_fds <= 0) or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    run.session_alive = alive() is not None
    return run
