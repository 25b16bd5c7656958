"""The retry policy as plain code: decisions from hand-built contexts, no botocore involved."""

from __future__ import annotations

import random
from typing import Any

import pytest

from euca_boto.retry import (
    DEFAULT_STATUS_CODES,
    Outcome,
    RetryContext,
    RetryPolicy,
    may_change_state,
    retry_if,
    retry_if_error_code,
    retry_if_status,
    wait_fixed,
    wait_full_jitter,
)


def ctx(**fields: Any) -> RetryContext:
    values: dict[str, Any] = {
        "service": "ec2", "operation": "DescribeInstances", "attempt": 1,
        "outcome": Outcome.HTTP_ERROR, "status": 503, "error_code": "ServiceUnavailable",
    }
    values.update(fields)
    return RetryContext(**values)


POLICY = RetryPolicy(backoff=wait_fixed(1.0))


@pytest.mark.parametrize("status", sorted(DEFAULT_STATUS_CODES))
def test_every_default_status_is_retried(status: int) -> None:
    # (413 with the delay that makes it a rate limit; see below for a plain one.)
    delay = {"server_delay": 0.0, "server_delay_source": "Retry-After"} if status == 413 else {}
    decision = POLICY.decide(ctx(status=status, **delay))
    assert (decision.action, decision.delay) == ("retry", 1.0)


@pytest.mark.parametrize("status", [400, 403, 404, 409])
def test_unlisted_statuses_stop_without_retry(status: int) -> None:
    decision = POLICY.decide(ctx(status=status, error_code="Nope"))
    assert decision.action == "stop"
    assert decision.reason == f"HTTP {status} Nope is not retried"


def test_success_stops() -> None:
    assert POLICY.decide(ctx(outcome=Outcome.SUCCESS, status=200)).action == "stop"


@pytest.mark.parametrize("outcome", [Outcome.CONNECT_FAILED, Outcome.CONNECTION_LOST,
                                     Outcome.READ_TIMEOUT])
def test_connection_failures_and_read_timeouts_of_reads_are_retried(outcome: Outcome) -> None:
    assert POLICY.decide(ctx(outcome=outcome, status=None)).action == "retry"


def test_other_errors_are_not_retried() -> None:
    assert POLICY.decide(ctx(outcome=Outcome.OTHER_ERROR, status=None)).action == "stop"


@pytest.mark.parametrize("status", [408, 413, 429, 503])
def test_mutating_call_is_retried_when_the_server_says_it_did_nothing(status: int) -> None:
    decision = POLICY.decide(ctx(operation="CreateUser", mutating=True, status=status,
                                 server_delay=0.0, server_delay_source="Retry-After"))
    assert decision.action == "retry"


@pytest.mark.parametrize("mutating", [True, False])
def test_a_plain_413_is_final(mutating: bool) -> None:
    decision = POLICY.decide(ctx(operation="CreateUser", mutating=mutating, status=413,
                                 error_code="RequestEntityTooLarge"))
    assert decision.action == "stop"
    assert decision.reason.startswith("HTTP 413 RequestEntityTooLarge without a retry delay")


def test_mutating_call_is_retried_when_the_connection_was_never_made() -> None:
    decision = POLICY.decide(ctx(operation="CreateUser", mutating=True,
                                 outcome=Outcome.CONNECT_FAILED, status=None))
    assert decision.action == "retry"


@pytest.mark.parametrize("fields", [
    {"status": 500}, {"status": 502}, {"status": 504},
    {"outcome": Outcome.READ_TIMEOUT, "status": None},
    {"outcome": Outcome.CONNECTION_LOST, "status": None},
])
def test_mutating_call_is_not_retried_when_the_request_may_have_taken_effect(
    fields: dict[str, Any],
) -> None:
    decision = POLICY.decide(ctx(operation="CreateUser", mutating=True, **fields))
    assert decision.action == "give_up"
    assert decision.reason.startswith("CreateUser may change state and after ")
    assert "euca_retry_non_idempotent = true" in decision.reason


def test_non_idempotent_retries_can_be_allowed() -> None:
    policy = POLICY.replace(retry_non_idempotent=True)
    decision = policy.decide(ctx(operation="CreateUser", mutating=True, status=500))
    assert decision.action == "retry"


@pytest.mark.parametrize(("name", "tokens", "mutating"), [
    ("DescribeInstances", (), False),
    ("ListUsers", (), False),
    ("GetCallerIdentity", (), False),
    ("CheckDomainAvailability", (), False),
    ("CreateUser", (), True),
    ("Listener", (), True),  # "List" only at a word boundary
    ("DeleteKeyPair", (), True),
    ("RunInstances", ("ClientToken",), False),
])
def test_which_operations_may_change_state(name: str, tokens: tuple[str, ...],
                                           mutating: bool) -> None:
    assert may_change_state(name, tokens) is mutating


def test_the_last_attempt_gives_up_saying_how_many_were_made() -> None:
    policy = POLICY.replace(max_attempts=3)
    assert policy.decide(ctx(attempt=2)).action == "retry"
    decision = policy.decide(ctx(attempt=3))
    assert (decision.action, decision.reason) == ("give_up", "all 3 attempts failed")


def test_a_single_attempt_policy_never_retries() -> None:
    decision = POLICY.replace(max_attempts=1).decide(ctx())
    assert (decision.action, decision.reason) == ("give_up", "retries are off (max_attempts = 1)")


def test_a_longer_server_delay_replaces_the_backoff() -> None:
    decision = POLICY.decide(ctx(server_delay=7.0, server_delay_source="Retry-After"))
    assert (decision.delay, decision.reason) == (7.0, "Retry-After 7 s")


@pytest.mark.parametrize("asked", [0.0, 0.5])
def test_a_shorter_server_delay_leaves_the_backoff(asked: float) -> None:
    decision = POLICY.decide(ctx(server_delay=asked, server_delay_source="Retry-After"))
    assert (decision.delay, decision.reason) == (1.0, f"backoff, above Retry-After {asked:g} s")


def test_server_delay_is_cut_to_retry_after_max() -> None:
    decision = POLICY.decide(ctx(server_delay=3600.0, server_delay_source="Retry-After"))
    assert decision.delay == 60.0
    assert decision.reason == "Retry-After 3600 s, cut to euca_retry_after_max 60 s"


def test_no_retry_starts_that_would_end_after_the_deadline() -> None:
    policy = POLICY.replace(deadline=5.0)
    # 2 s spent, 1 s delay, attempts take 1.5 s: ends at 4.5 s, inside the deadline.
    assert policy.decide(ctx(elapsed=2.0, attempt_duration=1.5)).action == "retry"
    # 3 s spent: would end at 5.5 s.
    decision = policy.decide(ctx(elapsed=3.0, attempt_duration=1.5))
    assert decision.action == "give_up"
    assert "deadline of 5 s" in decision.reason


def test_conditions_compose_with_or_and_and() -> None:
    throttled = retry_if_status({429}) | retry_if_error_code({"Throttling"})
    policy = RetryPolicy(retry_on=throttled, backoff=wait_fixed(0))
    assert policy.decide(ctx(status=429, error_code=None)).action == "retry"
    assert policy.decide(ctx(status=400, error_code="Throttling")).action == "retry"
    assert policy.decide(ctx(status=503)).action == "stop"

    first_only = retry_if_status({503}) & retry_if(lambda c: c.attempt == 1)
    policy = RetryPolicy(retry_on=first_only, backoff=wait_fixed(0))
    assert policy.decide(ctx(attempt=1)).action == "retry"
    assert policy.decide(ctx(attempt=2)).action == "stop"


def test_fixed_backoff_is_always_the_delay() -> None:
    backoff = wait_fixed(10)
    assert [backoff(ctx(attempt=n)) for n in range(1, 6)] == [10.0] * 5


def test_full_jitter_keeps_its_first_name() -> None:
    import euca_boto

    old = euca_boto.wait_exponential_jitter(0.5, 10, uniform=lambda low, high: high)
    assert isinstance(old, euca_boto.wait_full_jitter)
    assert repr(old) == "wait_full_jitter(base=0.5, cap=10)"


def test_exponential_backoff_ceiling_doubles_up_to_the_cap() -> None:
    backoff = wait_full_jitter(0.5, 10, uniform=lambda low, high: high)
    assert [backoff(ctx(attempt=n)) for n in range(1, 8)] == [0.5, 1, 2, 4, 8, 10, 10]


def test_exponential_backoff_draws_from_zero_to_the_ceiling() -> None:
    backoff = wait_full_jitter(0.5, 10, uniform=random.Random(7).uniform)
    draws = [backoff(ctx(attempt=4)) for _ in range(200)]
    assert all(0 <= d <= 4 for d in draws)
    assert max(draws) > 3 and min(draws) < 1  # spread over the whole range


def test_backoffs_add_up() -> None:
    backoff = wait_fixed(1) + wait_full_jitter(0.5, 10, uniform=lambda low, high: high)
    assert backoff(ctx(attempt=3)) == 3.0


def test_policy_from_settings_fixed_mode_waits_the_cap() -> None:
    policy = RetryPolicy.from_settings({"euca_retry_backoff": "fixed", "euca_retry_delay": 4.0,
                                        "euca_retry_max_attempts": 2,
                                        "euca_retry_status_codes": frozenset({418})})
    assert policy.decide(ctx(status=418)).delay == 4.0
    assert policy.decide(ctx(status=503)).action == "stop"
    assert policy.decide(ctx(status=418, attempt=2)).action == "give_up"


def test_policy_rejects_nonsense() -> None:
    with pytest.raises(ValueError, match="max_attempts must be >= 1"):
        RetryPolicy(max_attempts=0)
    with pytest.raises(ValueError, match="deadline must be > 0"):
        RetryPolicy(deadline=0)
