"""Chaos: eight threads share one client of a three-endpoint LocalCloud while faults of every
kind are injected at random (5xx bursts, resets, malformed bodies, latency, black holes) and one
endpoint is killed for good, one endpoint always kept healthy.

The run happens once per module (bounded: about 30 s of calls); each test asserts one property
of it. The fault schedule follows a fixed seed (``EUCA_CHAOS_SEED`` overrides it), printed in
every failure. Select with ``-m chaos``.
"""

from __future__ import annotations

import gc
import os
import random
import threading
import time
import weakref
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from awsenv import clear_aws_env
from botocore.exceptions import BotoCoreError, ClientError

import euca_boto
from euca_boto.retry import NOT_APPLIED_STATUSES
from euca_boto.testing import LocalCloud

pytestmark = pytest.mark.chaos

SEED = int(os.environ.get("EUCA_CHAOS_SEED") or 20261130)
THREADS = 8
RUN_SECONDS = 30.0
PHASE_SECONDS = (0.3, 0.9)
WRITE_SHARE = 0.3
KILL_AT = 0.4  # the share of the run after which one endpoint is stopped for good

# The bounds of one call.
DEADLINE = 5.0
CONNECT_TIMEOUT = 0.5
READ_TIMEOUT = 0.6
# A call may overrun its deadline by the attempt in flight, plus scheduling on a loaded machine.
DEADLINE_SLACK = READ_TIMEOUT + 1.5

# What a call may raise: euca-boto's documented exceptions and botocore's two families. Keep
# this in step with the README's table of errors.
VOCABULARY: tuple[type[BaseException], ...] = (
    euca_boto.EucaBotoError,
    ClientError,
    BotoCoreError,
)

READ = {"Properties": ["dns.enabled"]}
WRITABLE = "services.loadbalancing.worker.image"
FAULTS = ("none", "5xx", "reset", "malformed", "latency", "timeout", "blackhole")


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
    calls: list[Call] = field(default_factory=list)
    faults: list[str] = field(default_factory=list)  # what was injected, in order
    kinds: set[str] = field(default_factory=set)  # the kinds of fault injected
    killed: int | None = None
    requests: list[Any] = field(default_factory=list)  # LocalCloud's request log
    leaked_threads: list[str] = field(default_factory=list)
    leaked_fds: int = 0
    session_alive: bool = False

    def where(self) -> str:
        return (f"(seed {SEED}; {len(self.calls)} calls; endpoint {self.killed} killed; "
                f"faults: {', '.join(self.faults[:40])}{' ...' if len(self.faults) > 40 else ''})")


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def inject(endpoint: Any, kind: str, rng: random.Random) -> str:
    if kind == "5xx":
        status, count = rng.choice((500, 502, 503, 504)), rng.randint(1, 4)
        endpoint.fail(status, count=count)
        return f"{endpoint.index}:{status}x{count}"
    if kind == "reset":
        count = rng.randint(1, 3)
        endpoint.reset(count)
        return f"{endpoint.index}:resetx{count}"
    if kind == "malformed":
        count = rng.randint(1, 2)
        endpoint.malformed(count)
        return f"{endpoint.index}:malformedx{count}"
    if kind == "latency":  # slower, but within the read timeout
        seconds = round(rng.uniform(0.05, READ_TIMEOUT / 2), 2)
        endpoint.latency(seconds)
        return f"{endpoint.index}:latency{seconds}"
    if kind == "timeout":  # slower than the read timeout
        endpoint.latency(READ_TIMEOUT * 1.5)
        return f"{endpoint.index}:latency{READ_TIMEOUT * 1.5:g}"
    if kind == "blackhole":
        endpoint.blackhole()
        return f"{endpoint.index}:blackhole"
    return f"{endpoint.index}:none"


def chaos(cloud: LocalCloud, run: Run, stop: threading.Event) -> None:
    """Change the faults every phase: one live endpoint healthy, the others at random."""
    rng = random.Random(SEED)
    started = time.monotonic()
    alive = list(range(len(cloud.endpoints)))
    while not stop.is_set():
        cloud.clear()
        healthy = rng.choice(alive)
        if run.killed is None and time.monotonic() - started > KILL_AT * RUN_SECONDS:
            run.killed = rng.choice([i for i in alive if i != healthy])
            cloud.endpoint(run.killed).stop()
            alive.remove(run.killed)
            run.faults.append(f"{run.killed}:killed")
            run.kinds.add("killed")
        for i in alive:
            if i != healthy:
                kind = rng.choice(FAULTS)
                run.faults.append(inject(cloud.endpoint(i), kind, rng))
                run.kinds.add(kind)
        stop.wait(rng.uniform(*PHASE_SECONDS))
    cloud.clear()


def worker(client: Any, index: int, run: Run, stop: threading.Event,
           lock: threading.Lock) -> None:
    rng = random.Random(SEED + 1 + index)
    number = 0
    while not stop.is_set():
        number += 1
        write = rng.random() < WRITE_SHARE
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


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    home = tmp_path_factory.mktemp("chaos")
    with pytest.MonkeyPatch.context() as env, LocalCloud(endpoints=3, partitions=1) as cloud:
        clear_aws_env(env)
        (home / "config").write_text("")
        env.setenv("AWS_CONFIG_FILE", str(home / "config"))
        env.setenv("AWS_SHARED_CREDENTIALS_FILE", str(home / "credentials"))
        yield chaos_run(cloud, home)


def chaos_run(cloud: LocalCloud, home: Path) -> Run:
    run = Run()
    gc.collect()
    threads_before = set(threading.enumerate())
    fds_before = open_fds()

    session = euca_boto.session(
        region_name=cloud.region,
        aws_access_key_id=cloud.access_key,
        aws_secret_access_key=cloud.secret_key,
        euca_endpoint_urls=",".join(e.url for e in cloud.endpoints),
        euca_retry_deadline=DEADLINE,
        euca_connect_timeout=CONNECT_TIMEOUT,
        euca_read_timeout=READ_TIMEOUT,
        euca_retry_base_delay=0.02,
        euca_retry_delay=0.2,
        euca_eject_time=0.5,
        euca_eject_max_time=2,
    )
    client = session.client("euprop")
    stop, lock = threading.Event(), threading.Lock()
    controller = threading.Thread(target=chaos, args=(cloud, run, stop), name="chaos")
    workers = [threading.Thread(target=worker, args=(client, i, run, stop, lock),
                                name=f"chaos-worker-{i}") for i in range(THREADS)]
    controller.start()
    for thread in workers:
        thread.start()
    time.sleep(RUN_SECONDS)
    stop.set()
    for thread in [controller, *workers]:
        thread.join(timeout=DEADLINE + DEADLINE_SLACK + 5)
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


# -- the properties of the run ---------------------------------------------------------------

def test_the_run_made_calls_of_both_kinds_under_faults_of_every_kind(run: Run) -> None:
    assert {c.kind for c in run.calls} == {"read", "write"}, run.where()
    assert len(run.calls) >= 100, run.where()
    assert run.kinds >= {*FAULTS, "killed"} - {"none"}, run.where()


def test_every_call_ends_within_its_deadline(run: Run) -> None:
    late = [c for c in run.calls if c.elapsed > DEADLINE + DEADLINE_SLACK]
    assert not late, (f"{len(late)} calls overran {DEADLINE} s (+{DEADLINE_SLACK} s), the "
                      f"longest {max(c.elapsed for c in late):.2f} s {run.where()}")


def test_every_escaping_exception_is_in_the_documented_vocabulary(run: Run) -> None:
    outside = [c for c in run.calls
               if c.error is not None and not issubclass(c.error, VOCABULARY)]
    assert not outside, f"{_messages(outside)} escaped {run.where()}"


def test_every_read_succeeds_while_an_endpoint_is_healthy(run: Run) -> None:
    failed = [c for c in run.calls if c.kind == "read" and c.error is not None]
    assert not failed, f"{len(failed)} reads failed: {_messages(failed)} {run.where()}"


def test_no_mutating_call_is_sent_again_after_an_ambiguous_fault(run: Run) -> None:
    by_token: dict[str, list[Any]] = {}
    for record in run.requests:
        if record.action == "ModifyPropertyValue":
            by_token.setdefault(str(record.params.get("Value")), []).append(record)
    twice = {
        token: [(r.endpoint, r.status, r.fault) for r in records]
        for token, records in by_token.items()
        if any(r.status not in NOT_APPLIED_STATUSES
               for r in sorted(records, key=lambda r: r.time)[:-1])
    }
    assert by_token, run.where()
    assert not twice, f"resent after an ambiguous outcome: {twice} {run.where()}"


def test_no_thread_or_socket_outlives_the_session(run: Run) -> None:
    assert run.leaked_threads == [], run.where()
    assert run.leaked_fds <= 0, f"{run.leaked_fds} file descriptors left open {run.where()}"


def test_the_session_is_released(run: Run) -> None:
    assert not run.session_alive, run.where()


# -- reporting ---------------------------------------------------------------------------------

def _messages(calls: list[Call]) -> str:
    return "; ".join(sorted({f"{c.error.__name__ if c.error else ''}: {c.message[:160]}"
                             for c in calls})[:8])
