"""Many threads through one breaker, one client: every call is counted once, in the breaker's
window, in the metrics and in the retry budget, and the breaker opens at its rate, once.

The interpreter switches threads as often as it can while these run (``sys.setswitchinterval``),
so an update that is not atomic loses counts here rather than once in a while in production.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import euca_boto
from euca_boto.breakers.breaker import Breaker, BreakerConfig, CircuitOpenError, StateChange
from euca_boto.breakers.storage import STATE_FILE_PREFIX, MemoryStorage, storage_for
from euca_boto.breakers.storage.base import Snapshot
from euca_boto.breakers.window import WindowSpec
from euca_boto.metrics import METRICS
from euca_boto.retry import TTL
from euca_boto.testing import CannedServer
from euca_boto.testing.canned import DESCRIBE_PROPERTIES

THREADS = 16


class Failed(Exception):
    pass


class FixedClock:
    """A clock that does not move: every call falls in one window of time."""

    def __init__(self, now: float = 1.7e9) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture(autouse=True)
def frequent_switches() -> Iterator[None]:
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(before)


def in_threads(work: Callable[[int], None], calls: int) -> None:
    """``work(i)`` for i in range(calls) in each of THREADS threads, started together."""
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def run() -> None:
        barrier.wait()
        try:
            for i in range(calls):
                work(i)
        except BaseException as error:  # reported by the test, not lost with the thread
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


def one_call(breaker: Breaker, fails: bool) -> str:
    try:
        ticket = breaker.admit()
    except CircuitOpenError:
        return "refused"
    breaker.settle(ticket, Failed() if fails else None)
    return "failed" if fails else "ok"


@pytest.fixture(params=["memory", "state file"])
def storage_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "memory":
        return "memory"
    return STATE_FILE_PREFIX + str(tmp_path / "state.sqlite3")


@pytest.mark.parametrize("window", ["2000 calls", "60s"])
def test_every_outcome_of_many_threads_is_in_the_window(storage_url: str, window: str) -> None:
    calls = 100 if storage_url == "memory" else 20  # each call is a transaction on a file
    clock = FixedClock()
    breaker = Breaker("threads", BreakerConfig(window=WindowSpec.parse(window)),
                      storage_for(storage_url, "threads"), clock=clock, timer=clock)

    # Each thread fails every fourth call, never before three successes: no moment reaches 50 %.
    in_threads(lambda i: one_call(breaker, fails=i % 4 == 3), calls)

    info = breaker.info()
    assert info.state == "closed"  # 25 % failed: below the 50 % that opens it
    assert info.calls == THREADS * calls
    assert info.failure_rate == 25.0
    assert info.slow_call_rate == 0.0


def test_a_state_file_breakers_view_never_goes_back_to_an_older_row(tmp_path: Path) -> None:
    # Each change is a transaction on the file, and its row is then loaded into the breaker's
    # view in memory: two threads loading their rows in the other order left the view a row
    # behind the file (up to 2 s, until the next re-read), so a breaker the file had opened
    # could still admit calls. Round after round, the view must hold every call of the round.
    url = STATE_FILE_PREFIX + str(tmp_path / "state.sqlite3")
    clock = FixedClock()
    breaker = Breaker("view", BreakerConfig(window=WindowSpec.parse("5000 calls")),
                      storage_for(url, "view"), clock=clock, timer=clock)
    behind = []
    for round_number in range(1, 6):
        in_threads(lambda i: one_call(breaker, fails=False), 10)
        seen = breaker.info().calls
        if seen != THREADS * 10 * round_number:
            behind.append((round_number, seen))
    assert behind == []


def test_slow_successes_of_many_threads_are_counted_as_slow() -> None:
    clock = FixedClock()
    breaker = Breaker("slow", BreakerConfig(window=WindowSpec.parse("2000 calls"),
                                            slow_call_duration=1.0, slow_call_rate=60.0),
                      clock=clock, timer=lambda: clock.now)

    def call(i: int) -> None:
        ticket = breaker.admit()
        started = ticket.started
        # Every other call took two seconds: the ticket is settled as if its timer read so.
        breaker.settle(ticket._replace(started=started - 2.0) if i % 2 else ticket)

    in_threads(call, 100)
    info = breaker.info()
    assert (info.state, info.calls, info.slow_call_rate) == ("closed", THREADS * 100, 50.0)


def test_the_breaker_opens_once_at_its_rate_under_many_threads() -> None:
    changes: list[StateChange] = []
    breaker = Breaker("rate", BreakerConfig(window=WindowSpec.parse("100 calls"),
                                            minimum_calls=100, reset_timeout=3600),
                      listeners=[changes.append])
    outcomes: dict[str, int] = {"ok": 0, "failed": 0, "refused": 0}
    lock = threading.Lock()

    def call(i: int) -> None:
        result = one_call(breaker, fails=i % 5 < 3)  # 60 % fail
        with lock:
            outcomes[result] += 1

    in_threads(call, 50)
    assert [(c.old, c.new) for c in changes] == [("closed", "open")]
    assert "% of the last 100 calls failed (threshold 50 %)" in changes[0].reason
    assert float(changes[0].reason.split(" %")[0]) >= 50.0
    assert outcomes["refused"] > 0
    assert sum(outcomes.values()) == THREADS * 50
    assert breaker.info().state == "open"


def test_sixteen_threads_sharing_one_client_are_each_counted_once() -> None:
    calls = 25
    with CannedServer(DESCRIBE_PROPERTIES) as server:
        client = euca_boto.session(
            aws_access_key_id="AKIDTHREADS", aws_secret_access_key="secret",
            region_name="eucalyptus", euca_endpoint=server.urls[0],
            euca_breaker_window="1000 calls",
        ).client("euprop")
        budget = euca_boto.configure_retry(client, euca_retry_budget_percent=20,
                                           euca_retry_budget_min_rate=1).budget
        budget.clock = FixedClock()

        in_threads(lambda i: client.describe_properties(), calls)

        assert server.requests == THREADS * calls
    total = THREADS * calls
    assert METRICS.get("euprop", "DescribeProperties").calls == total
    info = client.breaker.info()
    assert (info.state, info.calls, info.failure_rate) == ("closed", total, 0.0)
    # The reserve of one token a second, plus a fifth of a token per successful call.
    assert budget.tokens() == pytest.approx(1 * TTL + 0.2 * total)


# A state change is reported once, as what it was ---------------------------------------------


class HeldStorage(MemoryStorage):
    """Memory storage whose ``peek`` (``hold_peek``) or ``transition`` (``hold_transition``)
    waits, once its answer is made, until ``release`` is set: the moment a thread is switched
    out there, made to last."""

    def __init__(self) -> None:
        super().__init__()
        self.hold_peek = self.hold_transition = False
        self.held = threading.Event()
        self.release = threading.Event()

    def _hold(self) -> None:
        self.held.set()
        assert self.release.wait(10)

    def peek(self) -> Snapshot:
        snap = super().peek()
        if self.hold_peek and threading.current_thread() is not threading.main_thread():
            self._hold()
        return snap

    def transition(self, expected: str | None, new: str, now: float,
                   next_probe: float | None = None) -> bool:
        moved = super().transition(expected, new, now, next_probe)
        if self.hold_transition:
            self._hold()
        return moved


def held_breaker() -> tuple[Breaker, HeldStorage, list[StateChange]]:
    changes: list[StateChange] = []
    storage = HeldStorage()
    return Breaker("held", storage=storage, listeners=[changes.append]), storage, changes


def test_a_call_admitted_on_a_snapshot_from_before_an_opening_reports_no_change() -> None:
    # A thread looks the state up (closed), is switched out, and compares it after the breaker
    # opened: the state it holds is older than the one reported, not a change made elsewhere.
    breaker, storage, changes = held_breaker()
    storage.hold_peek = True
    admitted = []
    caller = threading.Thread(target=lambda: admitted.append(breaker.admit()))
    caller.start()
    assert storage.held.wait(10)
    breaker.force_open()
    storage.release.set()
    caller.join(10)
    assert len(admitted) == 1  # it had looked before the breaker opened
    assert [(c.old, c.new, c.reason) for c in changes] == [
        ("closed", "forced-open", "forced open by operator")]
    with pytest.raises(CircuitOpenError):
        breaker.admit()
    assert len(changes) == 1


def test_an_opening_in_progress_is_reported_once_by_the_thread_that_made_it() -> None:
    # The store has moved, the thread that moved it has not said so yet; a call meanwhile
    # sees the new state: it is this process's own change, not one made elsewhere.
    breaker, storage, changes = held_breaker()
    storage.hold_transition = True
    opener = threading.Thread(target=breaker.force_open)
    opener.start()
    assert storage.held.wait(10)
    with pytest.raises(CircuitOpenError):
        breaker.admit()
    storage.release.set()
    opener.join(10)
    assert [(c.old, c.new, c.reason) for c in changes] == [
        ("closed", "forced-open", "forced open by operator")]
