"""The breaker's state machine, driven directly with an injected clock (no network)."""

from __future__ import annotations

import logging
import pickle
import threading

import pytest
from botocore.exceptions import BotoCoreError, ClientError

from euca_boto.breakers.breaker import (
    Breaker,
    BreakerConfig,
    CircuitOpenError,
    StateChange,
    any_exception,
)


class Clock:
    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class Boom(Exception):
    pass


def fail() -> None:
    raise Boom("down")


def ok() -> str:
    return "fine"


def make(clock: Clock, **config: int | float) -> tuple[Breaker, list[StateChange]]:
    changes: list[StateChange] = []
    breaker = Breaker(
        "test/svc", config=BreakerConfig(**config), clock=clock,  # type: ignore[arg-type]
        listeners=[changes.append],
    )
    return breaker, changes


def trip(breaker: Breaker, times: int) -> None:
    for _ in range(times):
        with pytest.raises(Boom):
            breaker.call(fail)


def test_opens_after_fail_max_consecutive_failures() -> None:
    breaker, changes = make(Clock(), fail_max=3)
    trip(breaker, 2)
    assert breaker.info().state == "closed"
    assert breaker.info().failures == 2
    trip(breaker, 1)
    assert breaker.info().state == "open"
    assert [(c.old, c.new) for c in changes] == [("closed", "open")]
    assert changes[0].reason == "3 consecutive failures, the last: error:Boom"


def test_a_success_clears_the_consecutive_failures() -> None:
    breaker, _ = make(Clock(), fail_max=3)
    trip(breaker, 2)
    assert breaker.call(ok) == "fine"
    trip(breaker, 2)
    assert breaker.info().state == "closed"
    assert breaker.info().failures == 2


def test_open_breaker_refuses_without_calling_and_says_when_it_probes() -> None:
    clock = Clock()
    breaker, _ = make(clock, fail_max=1, reset_timeout=30)
    trip(breaker, 1)
    calls = []
    clock.now += 10
    with pytest.raises(CircuitOpenError) as refused:
        breaker.call(lambda: calls.append(1))
    assert calls == []
    error = refused.value
    assert error.breaker == "test/svc"
    assert error.opened_at == 1_000_000.0
    assert error.next_probe == 1_000_030.0
    assert "circuit breaker 'test/svc' is open since 1970-01-12T13:46:40+00:00" in str(error)
    assert "next probe at 1970-01-12T13:47:10+00:00" in str(error)
    assert "the call was not sent" in str(error)
    assert isinstance(error, BotoCoreError) and not isinstance(error, ClientError)
    assert error.code == "CircuitOpen"


def test_probe_after_reset_timeout_closes_on_success() -> None:
    clock = Clock()
    breaker, changes = make(clock, fail_max=1, reset_timeout=30)
    trip(breaker, 1)
    clock.now += 30
    assert breaker.call(ok) == "fine"
    assert breaker.info().state == "closed"
    assert [(c.old, c.new, c.reason) for c in changes] == [
        ("closed", "open", "1 consecutive failures, the last: error:Boom"),
        ("open", "half-open", "reset timeout elapsed; probing"),
        ("half-open", "closed", "1 probe succeeded"),
    ]


def test_failed_probe_reopens_for_another_timeout() -> None:
    clock = Clock()
    breaker, changes = make(clock, fail_max=1, reset_timeout=30)
    trip(breaker, 1)
    clock.now += 31
    trip(breaker, 1)
    info = breaker.info()
    assert info.state == "open"
    assert info.opened_at == clock.now
    assert info.next_probe == clock.now + 30
    assert changes[-1].reason == "probe failed: error:Boom"


def test_success_threshold_needs_that_many_probes() -> None:
    clock = Clock()
    breaker, _ = make(clock, fail_max=1, reset_timeout=5, success_threshold=3)
    trip(breaker, 1)
    clock.now += 5
    breaker.call(ok)
    breaker.call(ok)
    assert breaker.info().state == "half-open"
    breaker.call(ok)
    assert breaker.info().state == "closed"


def test_half_open_admits_a_bounded_number_of_probes() -> None:
    clock = Clock()
    breaker, _ = make(clock, fail_max=1, reset_timeout=5, half_open_max_calls=2)
    trip(breaker, 1)
    clock.now += 5
    first = breaker.admit()
    second = breaker.admit()
    with pytest.raises(CircuitOpenError, match="a probe call is in flight"):
        breaker.admit()
    assert first.probe and second.probe
    breaker.settle(first)
    assert breaker.info().state == "closed"


def test_an_interrupted_probe_frees_its_slot_without_deciding() -> None:
    clock = Clock()
    breaker, _ = make(clock, fail_max=1, reset_timeout=5)
    trip(breaker, 1)
    clock.now += 5
    with pytest.raises(KeyboardInterrupt):
        breaker.call(lambda: (_ for _ in ()).throw(KeyboardInterrupt()))
    assert breaker.info().state == "half-open"
    assert breaker.call(ok) == "fine"
    assert breaker.info().state == "closed"


def test_excluded_exceptions_never_trip() -> None:
    breaker = Breaker("test/x", BreakerConfig(fail_max=1), classifier=any_exception((KeyError,)))
    for _ in range(5):
        with pytest.raises(KeyError):
            breaker.call(lambda: {}["missing"])
    assert breaker.info().state == "closed"
    assert breaker.info().failures == 0


def test_force_open_refuses_until_reset_even_after_the_timeout() -> None:
    clock = Clock()
    breaker, changes = make(clock, reset_timeout=1)
    breaker.force_open()
    clock.now += 3600
    with pytest.raises(CircuitOpenError, match="no probe until an operator resets it"):
        breaker.call(ok)
    breaker.reset()
    assert breaker.call(ok) == "fine"
    assert [(c.old, c.new, c.reason) for c in changes] == [
        ("closed", "forced-open", "forced open by operator"),
        ("forced-open", "closed", "reset by operator"),
    ]


def test_force_closed_never_opens_but_counts_failures() -> None:
    breaker, _ = make(Clock(), fail_max=1)
    breaker.force_closed()
    trip(breaker, 4)
    info = breaker.info()
    assert (info.state, info.failures) == ("forced-closed", 4)


def test_reset_closes_an_open_breaker_and_clears_failures() -> None:
    breaker, _ = make(Clock(), fail_max=2)
    trip(breaker, 2)
    breaker.reset()
    info = breaker.info()
    assert (info.state, info.failures, info.opened_at) == ("closed", 0, None)


def test_state_changes_are_logged(caplog: pytest.LogCaptureFixture) -> None:
    clock = Clock()
    breaker, _ = make(clock, fail_max=1, reset_timeout=30)
    with caplog.at_level(logging.INFO, logger="euca_boto.breaker"):
        trip(breaker, 1)
        clock.now += 30
        breaker.call(ok)
    lines = [(r.levelname, r.getMessage()) for r in caplog.records if r.name == "euca_boto.breaker"]
    assert lines == [
        ("WARNING", "breaker test/svc: closed -> open (1 consecutive failures, the last: "
                    "error:Boom); next probe at 1970-01-12T13:47:10+00:00"),
        ("INFO", "breaker test/svc: open -> half-open (reset timeout elapsed; probing)"),
        ("INFO", "breaker test/svc: half-open -> closed (1 probe succeeded)"),
    ]


def test_a_failing_listener_is_logged_and_the_call_goes_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(change: StateChange) -> None:
        raise RuntimeError("listener bug")

    breaker = Breaker("test/l", BreakerConfig(fail_max=1), listeners=[broken])
    with pytest.raises(Boom):
        breaker.call(fail)
    assert breaker.info().state == "open"
    assert any("listener" in r.getMessage() and r.exc_info for r in caplog.records)


def test_calls_through_one_breaker_run_concurrently() -> None:
    breaker = Breaker("test/concurrent")
    # Eight calls must be inside the breaker at once to pass the barrier; a breaker that held a
    # lock across the call would break it by timeout.
    barrier = threading.Barrier(8, timeout=5)
    results: list[int] = []

    def work() -> None:
        results.append(breaker.call(barrier.wait))

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert sorted(results) == list(range(8))
    assert breaker.info().state == "closed"


def test_circuit_open_error_survives_pickling() -> None:
    error = CircuitOpenError("p/s", "open", 10.0, 40.0, "DescribeThings")
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.breaker, copy.next_probe, copy.operation_name) == ("p/s", 40.0, "DescribeThings")
    assert str(copy) == str(error)


@pytest.mark.parametrize(
    "bad", [{"fail_max": 0}, {"reset_timeout": -1}, {"half_open_max_calls": 0}]
)
def test_bad_config_names_the_setting(bad: dict[str, float]) -> None:
    with pytest.raises(ValueError, match=next(iter(bad))):
        BreakerConfig(**bad)  # type: ignore[arg-type]
