"""``@euca_boto.breaker(name)`` protects any callable, plain or ``async``."""

from __future__ import annotations

import asyncio

import pytest

import euca_boto


def test_a_decorated_function_trips_and_refuses() -> None:
    attempts = []

    @euca_boto.breaker("db", fail_max=2)
    def query() -> None:
        attempts.append(1)
        raise ConnectionRefusedError("db down")

    for _ in range(2):
        with pytest.raises(ConnectionRefusedError):
            query()
    with pytest.raises(euca_boto.CircuitOpenError, match="circuit breaker 'db' is open"):
        query()
    assert len(attempts) == 2
    assert query.__name__ == "query"


def test_by_default_a_decorated_function_opens_on_its_failure_rate() -> None:
    answers = iter([True, False] * 20 + [False] * 20)

    @euca_boto.breaker("cache", window="20 calls", minimum_calls=10)
    def fetch() -> str:
        if next(answers):
            return "hit"
        raise TimeoutError("cache slow")

    outcomes = []
    for _ in range(60):
        try:
            outcomes.append(fetch())
        except TimeoutError:
            outcomes.append("timeout")
        except euca_boto.CircuitOpenError:
            outcomes.append("refused")
    # Half of the calls failing is the threshold: the tenth call (5 of 10 failed) opens it.
    assert outcomes[:10] == ["hit", "timeout"] * 5 and set(outcomes[10:]) == {"refused"}
    assert euca_boto.get_breaker("cache").info().state == "open"


def test_a_bad_breaker_argument_is_a_config_error_naming_the_range() -> None:
    with pytest.raises(euca_boto.ConfigError, match=(
            r"euca_boto.breaker\('x'\): euca_breaker_failure_rate = 150 is not valid; "
            r"expected a percentage above 0 and at most 100")):
        euca_boto.breaker("x", failure_rate=150)


def test_excluded_exceptions_are_not_failures() -> None:
    @euca_boto.breaker("lookup", fail_max=1, exclude=(KeyError,))
    def lookup() -> None:
        raise KeyError("absent")

    for _ in range(3):
        with pytest.raises(KeyError):
            lookup()
    assert euca_boto.get_breaker("lookup").info().state == "closed"


def test_functions_naming_one_breaker_share_it() -> None:
    @euca_boto.breaker("shared", fail_max=1)
    def first() -> None:
        raise OSError("down")

    @euca_boto.breaker("shared", fail_max=1)
    def second() -> str:
        return "never"

    with pytest.raises(OSError):
        first()
    with pytest.raises(euca_boto.CircuitOpenError):
        second()


def test_async_functions_are_settled_when_awaited() -> None:
    @euca_boto.breaker("remote", fail_max=1)
    async def fetch(fail: bool) -> str:
        await asyncio.sleep(0)
        if fail:
            raise TimeoutError("slow")
        return "data"

    assert asyncio.run(fetch(False)) == "data"
    with pytest.raises(TimeoutError):
        asyncio.run(fetch(True))
    with pytest.raises(euca_boto.CircuitOpenError):
        asyncio.run(fetch(False))


def test_get_breaker_names_the_known_breakers_when_missing() -> None:
    euca_boto.breaker("known")(lambda: None)
    with pytest.raises(KeyError, match="no circuit breaker named 'unknown'.*known: known"):
        euca_boto.get_breaker("unknown")
