"""The breaker's settings: defaults, validation messages, where they come from."""

from __future__ import annotations

import pytest

import euca_boto
from euca_boto.core.settings import BY_KEY


def test_defaults_are_those_documented() -> None:
    assert {key: BY_KEY[key].default for key in BY_KEY if key.startswith("euca_breaker")} == {
        "euca_breaker": True,
        "euca_breaker_scope": "service",
        "euca_breaker_failure_rate": 50.0,
        "euca_breaker_window": "100 calls",
        "euca_breaker_minimum_calls": 20,
        "euca_breaker_slow_call_rate": 100.0,
        "euca_breaker_slow_call_duration": 60.0,
        "euca_breaker_fail_max": None,
        "euca_breaker_reset_timeout": 30.0,
        "euca_breaker_success_threshold": 1,
        "euca_breaker_half_open_max_calls": 1,
        "euca_breaker_storage": "memory",
    }


def test_storage_cannot_be_set_per_service(profile: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import os
    from pathlib import Path

    config = Path(os.environ["AWS_CONFIG_FILE"])
    config.write_text(config.read_text().replace(
        f"services = {profile}\n",
        f"services = {profile}\nproperties =\n    euca_breaker_storage = redis://127.0.0.1/0\n",
    ))
    with pytest.raises(euca_boto.ConfigError, match="euca_breaker_storage applies to the whole"):
        euca_boto.session(profile)


def test_a_redis_url_is_accepted_and_shown_without_its_password(profile: str) -> None:
    from euca_boto.breakers.storage import redacted

    session = euca_boto.session(profile, euca_breaker_storage="redis://:pw@127.0.0.1:6390/2")
    assert session is not None
    assert redacted("redis://:pw@127.0.0.1:6390/2") == "redis://:***@127.0.0.1:6390/2"
    assert redacted("redis://127.0.0.1:6390/2") == "redis://127.0.0.1:6390/2"
