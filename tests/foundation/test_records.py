"""The value objects of euca_boto.core.records behave as frozen dataclasses did."""

from __future__ import annotations

import pickle

import pytest

from euca_boto.breakers.breaker import BreakerConfig, Verdict
from euca_boto.breakers.window import WindowSpec
from euca_boto.retry.policy import RetryPolicy


def test_equal_fields_are_equal_and_hash_alike() -> None:
    assert Verdict("timeout", failure=True) == Verdict("timeout", True)
    assert hash(Verdict("timeout", True)) == hash(Verdict("timeout", True))
    assert Verdict("timeout", True) != Verdict("timeout", False)
    assert len({BreakerConfig(), BreakerConfig(), BreakerConfig(fail_max=3)}) == 2
    # A record of another class with the same values is not equal.
    assert WindowSpec("count", 100) != ("count", 100)


def test_repr_names_the_fields() -> None:
    assert repr(WindowSpec("time", 60.0)) == "WindowSpec(kind='time', size=60.0)"


def test_replace_makes_a_checked_copy() -> None:
    policy = RetryPolicy()
    assert policy.replace(max_attempts=2).max_attempts == 2
    assert policy.max_attempts == 6
    with pytest.raises(ValueError, match="max_attempts"):
        policy.replace(max_attempts=0)
    with pytest.raises(TypeError):
        policy.replace(no_such_field=1)


def test_fields_cannot_be_added() -> None:
    verdict = Verdict("ok")
    with pytest.raises(AttributeError):
        verdict.extra = 1  # type: ignore[attr-defined]


def test_records_pickle() -> None:
    config = BreakerConfig(window=WindowSpec.parse("60s"), failure_rate=25.0)
    assert pickle.loads(pickle.dumps(config)) == config
