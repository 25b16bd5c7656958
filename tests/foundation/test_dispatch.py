"""One euca-boto handler per event: the features' steps planned per service and settings and
run by one dispatcher, in order; and what client creation keeps between clients."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import botocore.session
import pytest

import euca_boto
from euca_boto.core.botocore_access import client_emitter, handlers_of, session_emitter
from euca_boto.core.dispatch import Dispatcher, Plan, SyncDispatcher, event_step
from euca_boto.testing.canned import DESCRIBE_PROPERTIES, CannedServer

KEYS = {"aws_access_key_id": "AKIDEXAMPLE", "aws_secret_access_key": "secret",
        "region_name": "eucalyptus"}
CALL_EVENTS = ("before-parameter-build", "before-call", "before-send", "response-received",
               "before-parse", "needs-retry", "after-call", "after-call-error")


@pytest.fixture
def server() -> Iterator[CannedServer]:
    with CannedServer(DESCRIBE_PROPERTIES, ports=2) as canned:
        yield canned


def ours(client: Any, event: str) -> list[Any]:
    """The euca-boto handlers a client's emitter calls for one event of DescribeProperties."""
    return [handler for handler in
            handlers_of(client_emitter(client), f"{event}.euprop.DescribeProperties")
            if type(getattr(handler, "__self__", handler)).__module__.startswith("euca_boto")
            or getattr(handler, "__module__", "").startswith("euca_boto")]


def test_a_client_has_one_euca_boto_handler_per_event_and_place(server: CannedServer) -> None:
    client = euca_boto.session(**KEYS, euca_endpoint=server.urls[0]).client("euprop")
    client.describe_properties()

    counts = {event: len(ours(client, event)) for event in CALL_EVENTS}
    # before-call: retry, wire log and caller context in one dispatcher; after-call: retry
    # and msgs in one, then the malformed-answer check, which is placed last. The wire log
    # is off: nothing records the request and the response.
    assert counts == {"before-parameter-build": 1, "before-call": 1, "before-send": 0,
                      "response-received": 0, "before-parse": 1, "needs-retry": 1,
                      "after-call": 2, "after-call-error": 0}
    (dispatcher,) = ours(client, "before-call")
    assert isinstance(dispatcher, Dispatcher)
    assert [step.__qualname__ for step in dispatcher.steps] == [
        "RetryHandler.before_call", "ServiceWireLog.on_before_call",
        "ContextHandlers.on_before_call"]


def test_a_feature_that_is_off_registers_nothing_and_one_that_is_on_its_steps(
    server: CannedServer,
) -> None:
    single = euca_boto.session(**KEYS, euca_endpoint=server.urls[0]).client("euprop")
    # No endpoints to choose from, no tracing: neither endpoint selection nor telemetry.
    assert ours(single, "after-call-error") == []
    assert len(ours(single, "needs-retry")) == 1

    urls = ",".join(f"{url}/services/Properties" for url in server.urls)
    routed = euca_boto.session(**KEYS, euca_endpoint_urls=urls).client("euprop")
    # Endpoint health first, the retry decision, then failover last: one handler per place.
    assert len(ours(routed, "needs-retry")) == 3
    assert len(ours(routed, "after-call-error")) == 1
    (before_call,) = ours(routed, "before-call")
    assert before_call.steps[-1].__qualname__ == "EndpointEvents.before_call"
    assert routed.describe_properties()["Properties"][0]["Name"] == "dns.enabled"


def test_clients_of_a_session_share_its_handlers(server: CannedServer) -> None:
    session = euca_boto.session(**KEYS, euca_endpoint=server.urls[0])
    first, second = session.client("euprop"), session.client("euprop")
    assert ours(first, "before-call") == ours(second, "before-call")
    assert ours(first, "before-call")[0] is ours(second, "before-call")[0]


def test_a_client_holds_the_handlers_of_its_own_service_and_the_session_none(
    server: CannedServer,
) -> None:
    # Every client copies its session's emitter: handlers kept there for the services a
    # program uses would be copied into each new client of every service.
    session = euca_boto.session(**KEYS, euca_endpoint=server.urls[0])
    euprop = session.client("euprop")
    sts = session.client("sts")
    assert ours(euprop, "before-call") and ours(euprop, "after-call")
    assert all(ours(sts, event) == [] for event in CALL_EVENTS)
    session_side = [handler for event in CALL_EVENTS for handler in handlers_of(
        session_emitter(session._session), f"{event}.euprop.DescribeProperties")
        if "euca_boto" in repr(handler)]
    assert session_side == []
    assert euprop.describe_properties()["ResponseMetadata"]["EucaRetry"]["Attempts"] == 1


def test_botocores_retry_handler_is_kept_out_of_every_client(server: CannedServer) -> None:
    session = euca_boto.session(**KEYS, euca_endpoint=server.urls[0])
    for client in (session.client("euprop"), session.client("euprop")):
        handlers = handlers_of(client_emitter(client), "needs-retry.euprop.DescribeProperties")
        assert handlers == ours(client, "needs-retry")
        assert [h.__qualname__ for h in handlers] == ["RetryHandler.needs_retry"]


def test_a_client_built_around_the_sessions_create_client_gets_the_features(
    server: CannedServer,
) -> None:
    # botocore's create_client called on the class skips the installed session's own.
    session = euca_boto.session(**KEYS, euca_endpoint=server.urls[0])
    core = session._session
    client = botocore.session.Session.create_client(
        core, "euprop", endpoint_url=f"{server.urls[0]}/services/Properties")
    assert [h.__qualname__ for h in ours(client, "needs-retry")] == ["RetryHandler.needs_retry"]
    assert client.describe_properties()["ResponseMetadata"]["EucaRetry"]["Attempts"] == 1
    # ... and the session's own clients still get theirs, botocore's retry handler kept out.
    later = session.client("euprop")
    handlers = handlers_of(client_emitter(later), "needs-retry.euprop.DescribeProperties")
    assert [h.__qualname__ for h in handlers] == ["RetryHandler.needs_retry"]
    assert later.describe_properties()["ResponseMetadata"]["EucaRetry"]["Attempts"] == 1


def test_a_new_install_plans_again_and_sends_new_clients_to_the_new_endpoint(
    server: CannedServer,
) -> None:
    one, other = server.urls
    session = euca_boto.session(**KEYS, euca_endpoint=one)
    before = session.client("euprop")
    assert before.meta.endpoint_url == f"{one}/services/Properties"
    euca_boto.install(session, euca_endpoint=other)
    after = session.client("euprop")
    assert after.meta.endpoint_url == f"{other}/services/Properties"
    assert after.describe_properties()["Properties"][0]["Name"] == "dns.enabled"
    assert ours(after, "before-call")[0] is not ours(before, "before-call")[0]
    assert server.connections_at(server.ports[1]) == 1


def test_client_creation_sees_a_configured_endpoint_set_after_the_first_client(
    server: CannedServer, monkeypatch: pytest.MonkeyPatch,
) -> None:
    one, other = server.urls
    session = euca_boto.session(**KEYS, euca_endpoint=one)
    assert session.client("euprop").meta.endpoint_url == f"{one}/services/Properties"
    monkeypatch.setenv("AWS_ENDPOINT_URL_EUPROP", f"{other}/services/Properties")
    assert session.client("euprop").meta.endpoint_url == f"{other}/services/Properties"


def test_the_dispatcher_runs_every_step_in_order_and_answers_as_botocore_would() -> None:
    ran: list[str] = []

    def step(name: str, answer: Any = None) -> Any:
        def run(**kwargs: Any) -> Any:
            ran.append(name)
            return answer
        return run

    # Most events: every step runs, the first answer is the answer (needs-retry's delay).
    assert Dispatcher("needs-retry.euprop", [step("a"), step("b", 0), step("c", 5)])() == 0
    assert ran == ["a", "b", "c"]
    ran.clear()
    # before-call: botocore calls nothing after the first answer, and neither does it.
    assert Dispatcher("before-call.euprop", [step("a"), step("b", "r"), step("c")])() == "r"
    assert ran == ["a", "b"]


def test_the_dispatcher_awaits_a_step_before_the_next_on_an_emitter_that_awaits() -> None:
    ran: list[str] = []

    async def slow(**kwargs: Any) -> None:
        await asyncio.sleep(0)
        ran.append("slow")

    def waits(**kwargs: Any) -> Any:
        return slow()

    def after(**kwargs: Any) -> None:
        ran.append("after")

    pending = Dispatcher("before-call.euprop", [waits, after])()
    assert ran == []
    assert asyncio.run(pending) is None
    assert ran == ["slow", "after"]


def test_a_plan_keeps_botocore_places_and_registers_a_unique_id_once() -> None:
    class Target:
        def emit(self, event_name: str, **kwargs: Any) -> list[Any]:
            return []

        def unregister(self, *args: Any, **kwargs: Any) -> None:
            return None

    def a(**kwargs: Any) -> None: ...
    def b(**kwargs: Any) -> None: ...
    def c(**kwargs: Any) -> None: ...

    plan = Plan(Target())  # type: ignore[arg-type]
    plan.register("after-call.x", a, unique_id="a")
    plan.register_last("after-call.x", c, unique_id="c")
    plan.register("after-call.x", b, unique_id="b")
    plan.register("after-call.x", a, unique_id="a")
    assert plan.steps("after-call.x") == [a, b]
    assert plan.steps("after-call.x", "last") == [c]


def test_event_steps_read_the_event_as_one_dict_and_still_answer_botocore_alone() -> None:
    seen: list[tuple[str, Any]] = []

    class Feature:
        def __init__(self, name: str) -> None:
            self.name = name

        @event_step
        def before_call(self, event: dict[str, Any]) -> None:
            seen.append((self.name, event))

    @event_step
    def module_step(event: dict[str, Any]) -> str:
        seen.append(("module", event))
        return "answer"

    def plain(**kwargs: Any) -> None:
        seen.append(("plain", kwargs))

    one, other = Feature("one"), Feature("other")
    dispatcher = SyncDispatcher("before-call.euprop",
                                [one.before_call, plain, other.before_call, module_step])
    assert dispatcher(context={"k": 1}, event_name="before-call.euprop.X") == "answer"
    assert [name for name, _ in seen] == ["one", "plain", "other", "module"]
    # The event steps share one dict; a plain step gets its keyword arguments as botocore
    # gives them.
    assert seen[0][1] is seen[2][1] is seen[3][1]
    assert seen[1][1] == seen[0][1] and seen[1][1] is not seen[0][1]

    # Alone on an event, botocore calls it with keyword arguments.
    seen.clear()
    one.before_call(context={"k": 2})
    assert seen == [("one", {"context": {"k": 2}})]
    assert module_step(context={}) == "answer"
    # As bound methods are: equal for one object (botocore unregisters by equality).
    assert one.before_call == one.before_call and one.before_call != other.before_call
    assert one.before_call.__qualname__.endswith("Feature.before_call")
    assert one.before_call.__self__ is one
