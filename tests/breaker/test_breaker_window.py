"""The failure rate over a sliding window, in each of the three stores of breaker state: the
process, a state file, a Redis server. The calls are plain functions that fail or not; times are
a clock the test moves."""

from __future__ import annotations

import random
import uuid
from collections import deque
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis

from euca_boto.breakers.breaker import Breaker, BreakerConfig, CircuitOpenError
from euca_boto.breakers.storage import STATE_FILE_PREFIX, storage_for
from euca_boto.breakers.window import FAILURE, SLOW_FAILURE, SLOW_SUCCESS, SUCCESS, WindowSpec

MakeBreaker = Callable[..., Breaker]


class Clock:
    """Wall-clock seconds the test moves (the window of time and the slow calls use it)."""

    def __init__(self) -> None:
        self.now = 1.7e9

    def __call__(self) -> float:
        return self.now


class Failed(Exception):
    pass


@pytest.fixture(params=["memory", "state file", "redis"])
def make(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[MakeBreaker]:
    """Breakers kept in one kind of store; names never repeat."""
    if request.param == "memory":
        url = "memory"
    elif request.param == "state file":
        url = STATE_FILE_PREFIX + str(tmp_path / "state.sqlite3")
    else:
        url = request.getfixturevalue("redis_url")
        request.getfixturevalue("fleet_redis")  # removes the breakers afterwards
    unique = request.getfixturevalue("unique")

    def make_breaker(clock: Clock | None = None, **config: Any) -> Breaker:
        name = f"window-{unique}-{uuid.uuid4().hex[:4]}"
        clock = clock or Clock()
        if "window" in config:
            config["window"] = WindowSpec.parse(config["window"])
        return Breaker(name, BreakerConfig(**config), storage_for(url, name), clock=clock,
                       timer=clock)

    yield make_breaker


def call(breaker: Breaker, fails: bool, clock: Clock | None = None, takes: float = 0.0) -> str:
    """One call through ``breaker``: ``refused``, ``failed`` or ``ok``."""
    try:
        ticket = breaker.admit()
    except CircuitOpenError:
        return "refused"
    if clock is not None:
        clock.now += takes
    breaker.settle(ticket, Failed() if fails else None)
    return "failed" if fails else "ok"


def thirty_percent_with_a_burst(calls: int, seed: int = 3) -> list[bool]:
    """``calls`` outcomes, 30 % failures spread at random, and one burst of six in a row."""
    rng = random.Random(seed)
    failing = set(rng.sample(range(calls), calls * 3 // 10 - 6))
    start = calls // 2
    failing -= set(range(start - 1, start + 7))
    failing |= set(range(start, start + 6))
    failing |= set(rng.sample(sorted(set(range(calls)) - failing), calls * 3 // 10 - len(failing)))
    return [i in failing for i in range(calls)]


def test_the_pattern_is_thirty_percent_with_six_in_a_row() -> None:
    outcomes = thirty_percent_with_a_burst(600)
    assert sum(outcomes) == 180
    assert "TTTTTT" in "".join("T" if failed else "." for failed in outcomes)


def test_a_service_failing_thirty_percent_of_calls_never_opens(make: MakeBreaker) -> None:
    breaker = make()
    outcomes = thirty_percent_with_a_burst(600)
    results = [call(breaker, fails) for fails in outcomes]
    assert results.count("refused") == 0
    assert results.count("failed") == 180
    info = breaker.info()
    assert (info.state, info.calls, info.failure_rate) == ("closed", 100, sum(outcomes[-100:]))


def test_a_service_failing_every_call_opens_once_the_minimum_is_in(make: MakeBreaker) -> None:
    breaker = make()
    results = [call(breaker, True) for _ in range(30)]
    assert results == ["failed"] * 20 + ["refused"] * 10
    assert breaker.info().state == "open"


def test_the_count_window_keeps_only_the_last_calls(make: MakeBreaker) -> None:
    breaker = make(window="10 calls", minimum_calls=10)
    for fails in [True] * 4 + [False] * 10 + [True] * 4:
        assert call(breaker, fails) != "refused"
    # The first four failures have left the window: 4 of the last 10 failed.
    assert (breaker.info().state, breaker.info().failure_rate) == ("closed", 40.0)
    assert call(breaker, True) == "failed"  # 5 of 10: the threshold
    assert call(breaker, False) == "refused"


def test_the_time_window_forgets_calls_older_than_its_seconds(make: MakeBreaker) -> None:
    clock = Clock()
    breaker = make(clock, window="10s", minimum_calls=4)
    for _ in range(3):
        assert call(breaker, True) == "failed"
    clock.now += 11
    # Had the three failures stayed, this fourth call would make 75 %: they are gone.
    assert [call(breaker, fails) for fails in (False, False, False, True)] == [
        "ok", "ok", "ok", "failed"]
    assert (breaker.info().calls, breaker.info().failure_rate) == (4, 25.0)
    clock.now += 5
    assert [call(breaker, True) for _ in range(3)] == ["failed", "failed", "refused"]


def test_slow_calls_open_the_breaker_at_their_own_rate(make: MakeBreaker) -> None:
    clock = Clock()
    breaker = make(clock, slow_call_duration=2.0, slow_call_rate=80, minimum_calls=10)
    changes: list[Any] = []
    breaker.listeners.append(changes.append)
    results = [call(breaker, False, clock, takes=3.0 if i % 10 else 0.5) for i in range(12)]
    # Every call succeeds; 9 of the first 10 are slow (90 %): the breaker opens on the 10th.
    assert results == ["ok"] * 10 + ["refused"] * 2
    assert [change.new for change in changes] == ["open"]
    assert changes[0].reason.startswith("90 % of the last 10 calls took 2 s or more")


def test_a_window_smaller_than_the_minimum_needs_only_to_be_full(make: MakeBreaker) -> None:
    breaker = make(window="5 calls")
    assert [call(breaker, True) for _ in range(6)] == ["failed"] * 5 + ["refused"]


def test_the_window_starts_empty_after_the_breaker_closes_again(make: MakeBreaker) -> None:
    clock = Clock()
    breaker = make(clock, window="10 calls", reset_timeout=30)
    for _ in range(10):
        call(breaker, True)
    clock.now += 31
    assert call(breaker, False) == "ok"  # the probe
    info = breaker.info()
    assert (info.state, info.calls, info.failure_rate) == ("closed", 0, None)
    for _ in range(9):
        call(breaker, True)
    assert breaker.info().state == "closed"  # 9 failures: the window is not full yet


def test_the_consecutive_mode_opens_on_failures_in_a_row(make: MakeBreaker) -> None:
    breaker = make(fail_max=3)
    results = [call(breaker, fails) for fails in [True, True, False, True, True, True, False]]
    assert results == ["failed", "failed", "ok", "failed", "failed", "failed", "refused"]
    info = breaker.info()
    assert (info.failures, info.calls, info.failure_rate) == (3, 0, None)


def test_every_store_keeps_the_same_window(tmp_path: Path, redis_url: str,
                                           fleet_redis: redis.Redis, unique: str) -> None:
    # The Redis script records as the Python code does: the same calls leave the same window.
    urls = ["memory", STATE_FILE_PREFIX + str(tmp_path / "same.sqlite3"), redis_url]
    rng = random.Random(11)
    steps = [(rng.random() < 0.3, rng.random() < 0.2, rng.uniform(0, 4)) for _ in range(150)]
    # Mostly healthy too: long runs of successes fill a ring with nothing else.
    steps += [(rng.random() < 0.03, rng.random() < 0.02, rng.uniform(0, 1)) for _ in range(150)]
    for window in ("7 calls", "30s", "90s"):
        windows = []
        for url in urls:
            clock = Clock()
            name = f"same-{unique}-{uuid.uuid4().hex[:4]}"
            config = BreakerConfig(window=WindowSpec.parse(window), slow_call_duration=1)
            breaker = Breaker(name, config, storage_for(url, name), clock=clock, timer=clock)
            breaker.force_closed()  # every call counted, none refused
            for fails, slow, pause in steps:
                clock.now += pause
                assert call(breaker, fails, clock, takes=2.0 if slow else 0.0) != "refused"
            windows.append(breaker.storage.read().window)
        assert windows[0] is not None and windows[0].tally(clock.now).calls > 0
        assert windows[0] == windows[1] == windows[2], window


@pytest.mark.parametrize("spec", ["7 calls", "100 calls", "10s"])
def test_recording_a_run_of_one_letter_at_once_is_recording_it_letter_by_letter(
        spec: str) -> None:
    rng = random.Random(5)
    window_spec = WindowSpec.parse(spec)
    letters = [SUCCESS, FAILURE, SLOW_SUCCESS, SLOW_FAILURE]
    for _ in range(300):
        now = 1.7e9
        window = window_spec.empty()
        for _ in range(rng.randrange(0, 160)):
            now += rng.random()
            window = window.record(rng.choice(letters), now)
        letter = rng.choice(letters)
        times = [now + rng.random() * 3 for _ in range(rng.randrange(0, 220))]
        one_by_one = window
        for at in times:
            one_by_one = one_by_one.record(letter, at)
        assert window.record_all(letter, times) == one_by_one


@pytest.mark.parametrize("size", [1, 3, 7, 100])
def test_a_count_window_counts_exactly_its_last_calls(size: int) -> None:
    # Through long runs of successes, where a ring of successes only is left as it is.
    rng = random.Random(size)
    window = WindowSpec("count", size).empty()
    last: deque[str] = deque(maxlen=size)
    for _ in range(3000):
        roll = rng.random()
        letter = (FAILURE if roll < 0.02 else SLOW_FAILURE if roll < 0.03
                  else SLOW_SUCCESS if roll < 0.04 else SUCCESS)
        window = window.record(letter, 0.0)
        last.append(letter)
        tally = window.tally(0.0)
        assert (tally.calls, tally.failures, tally.slow) == (
            len(last), last.count(FAILURE) + last.count(SLOW_FAILURE),
            last.count(SLOW_SUCCESS) + last.count(SLOW_FAILURE))
