"""The four ways of making a call that the shared test matrix drives: plain, futures, awaitable
views (``aio.wrap``) and aiobotocore. Each runs the same steps against the same profile and
reports the same observations, so a scenario can assert that all of them behave alike."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import pytest
from botocore.exceptions import ClientError

import euca_boto
from euca_boto import aio

try:
    import aiobotocore  # noqa: F401

    HAVE_AIOBOTOCORE = True
except ImportError:
    HAVE_AIOBOTOCORE = False

needs_aiobotocore = pytest.mark.skipif(
    not HAVE_AIOBOTOCORE,
    reason="aiobotocore is not installed in this environment (it pins its own botocore; "
           "these tests run in the second environment, .venv-aio)",
)


class FakeTime:
    """A clock that only moves when something sleeps (or the test moves it); sleeps recorded.

    ``monotonic`` drives the retry handler; ``wall`` drives breakers (epoch seconds).
    """

    def __init__(self) -> None:
        self.now = 1000.0
        self.wall_base = 1_800_000_000.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def wall(self) -> float:
        return self.wall_base + self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    async def async_sleep(self, seconds: float) -> None:
        self.sleep(seconds)

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass(frozen=True)
class Call:
    """One operation call; ``context`` (``caller_context`` arguments) is entered around it."""

    method: str
    kwargs: dict[str, Any] = field(default_factory=dict)
    context: dict[str, Any] | None = None


Step = Call | Callable[[], None]


@dataclass(frozen=True)
class Outcome:
    """What one call showed its caller."""

    error: str | None  # the exception's class name, None on success
    status: int | None
    code: str | None
    attempts: int | None  # EucaRetry.Attempts
    message: str = ""
    stopped: str | None = None  # EucaRetry.StopReason: why the retry handler gave up


def outcome_of(result: dict[str, Any] | None, error: BaseException | None) -> Outcome:
    if error is None:
        assert result is not None
        metadata = result["ResponseMetadata"]
        return Outcome(None, metadata["HTTPStatusCode"], None,
                       metadata.get("EucaRetry", {}).get("Attempts"))
    if isinstance(error, ClientError):
        metadata = error.response.get("ResponseMetadata", {})
        retry = metadata.get("EucaRetry", {})
        return Outcome(type(error).__name__, metadata.get("HTTPStatusCode"),
                       error.response["Error"]["Code"], retry.get("Attempts"), str(error),
                       retry.get("StopReason"))
    return Outcome(type(error).__name__, None, getattr(error, "code", None), None, str(error))


class Mode:
    name = ""

    def run(self, profile: str, service: str, steps: Sequence[Step], fake: FakeTime,
            **settings: Any) -> list[Outcome]:
        raise NotImplementedError


def _clock_breaker(profile: str, service: str, fake: FakeTime) -> None:
    # Breakers are named <profile>/<service>@<host:port>; the profile reaches one cloud.
    for info in euca_boto.breakers():
        if info.name.rpartition("@")[0] == f"{profile}/{service}":
            euca_boto.get_breaker(info.name).clock = fake.wall


def _run_blocking(client: Any, steps: Sequence[Step], call: Callable[[Any, Call], Any]
                  ) -> list[Outcome]:
    outcomes = []
    for step in steps:
        if not isinstance(step, Call):
            step()
            continue
        try:
            if step.context is not None:
                with euca_boto.caller_context(**step.context):
                    result = call(client, step)
            else:
                result = call(client, step)
            outcomes.append(outcome_of(result, None))
        except Exception as error:
            outcomes.append(outcome_of(None, error))
    return outcomes


class Plain(Mode):
    name = "plain"

    def client(self, profile: str, service: str, fake: FakeTime, **settings: Any) -> Any:
        client = euca_boto.session(profile, **settings).client(service)
        euca_boto.configure_retry(client, sleep=fake.sleep, clock=fake.monotonic)
        _clock_breaker(profile, service, fake)
        return client

    def run(self, profile: str, service: str, steps: Sequence[Step], fake: FakeTime,
            **settings: Any) -> list[Outcome]:
        client = self.client(profile, service, fake, **settings)
        return _run_blocking(client, steps, lambda c, s: getattr(c, s.method)(**s.kwargs))


class Futures(Plain):
    name = "futures"

    def run(self, profile: str, service: str, steps: Sequence[Step], fake: FakeTime,
            **settings: Any) -> list[Outcome]:
        client = self.client(profile, service, fake, **settings)
        with ThreadPoolExecutor(max_workers=2) as executor:
            view = euca_boto.futures(client, executor)
            return _run_blocking(
                view, steps, lambda c, s: getattr(c, s.method)(**s.kwargs).result(timeout=30))


async def _run_async(client: Any, steps: Sequence[Step]) -> list[Outcome]:
    outcomes = []
    for step in steps:
        if not isinstance(step, Call):
            step()
            continue
        try:
            if step.context is not None:
                async with euca_boto.caller_context(**step.context):
                    result = await asyncio.wait_for(
                        getattr(client, step.method)(**step.kwargs), 30)
            else:
                result = await asyncio.wait_for(getattr(client, step.method)(**step.kwargs), 30)
            outcomes.append(outcome_of(result, None))
        except Exception as error:
            outcomes.append(outcome_of(None, error))
    return outcomes


class Wrapped(Plain):
    name = "aio.wrap"

    def run(self, profile: str, service: str, steps: Sequence[Step], fake: FakeTime,
            **settings: Any) -> list[Outcome]:
        client = self.client(profile, service, fake, **settings)

        async def main() -> list[Outcome]:
            async with aio.wrap(client) as view:
                return await _run_async(view, steps)

        return asyncio.run(main())


class AioBotocore(Mode):
    name = "aiobotocore"

    def run(self, profile: str, service: str, steps: Sequence[Step], fake: FakeTime,
            **settings: Any) -> list[Outcome]:
        async def main() -> list[Outcome]:
            session = aio.session(profile, **settings)
            async with session.create_client(service) as client:
                await aio.configure_retry(client, async_sleep=fake.async_sleep,
                                          clock=fake.monotonic)
                _clock_breaker(profile, service, fake)
                return await _run_async(client, steps)

        return asyncio.run(main())


MODES = [
    pytest.param(Plain(), id="plain"),
    pytest.param(Futures(), id="futures"),
    pytest.param(Wrapped(), id="aio.wrap"),
    pytest.param(AioBotocore(), id="aiobotocore", marks=needs_aiobotocore),
]


class InFlight:
    """Counts the requests of a client that are out on the wire, from its own events.

    ``now`` is how many are out, ``peak`` the most that were out at once.
    """

    def __init__(self, client: Any, service: str) -> None:
        self._lock = threading.Lock()
        self.now = 0
        self.peak = 0
        client.meta.events.register(f"before-send.{service}", self._sent)
        client.meta.events.register(f"response-received.{service}", self._answered)

    def _sent(self, **kwargs: Any) -> None:
        with self._lock:
            self.now += 1
            self.peak = max(self.peak, self.now)

    def _answered(self, **kwargs: Any) -> None:
        with self._lock:
            self.now -= 1
