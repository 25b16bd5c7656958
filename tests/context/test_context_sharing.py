"""One caller-context object shared by several threads or asyncio tasks at once: each enters
and leaves it on its own, and every call made inside carries it."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest

import euca_boto
from euca_boto.context import CallerContextError, current
from euca_boto.testing import LocalCloud


def _delegated(cloud: LocalCloud, action: str) -> list[Any]:
    return [r.params.get("DelegateAccount") for r in cloud.endpoint(0).requests
            if r.action == action]


def test_two_threads_inside_one_context_object_at_once(session: Any, cloud: LocalCloud) -> None:
    iam = session().client("iam")
    acme = euca_boto.caller_context(delegate_account="acme")
    both_inside = threading.Barrier(2, timeout=30)
    errors: list[BaseException] = []
    after: list[object] = []

    def work() -> None:
        try:
            with acme:
                both_inside.wait()
                iam.list_users()
                both_inside.wait()  # neither leaves before the other has made its call
            after.append(current())
        except BaseException as error:  # reported below, with the thread's own error
            errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert after == [None, None]
    assert _delegated(cloud, "ListUsers")[-2:] == ["acme", "acme"]


def test_two_tasks_inside_one_context_object_at_once(session: Any, cloud: LocalCloud) -> None:
    iam = session().client("iam")
    acme = euca_boto.caller_context(delegate_account="acme")

    async def work(inside: asyncio.Event, other_inside: asyncio.Event) -> object:
        async with acme:
            inside.set()
            await other_inside.wait()
            await asyncio.to_thread(iam.list_groups)
        return current()

    async def main() -> list[object]:
        first, second = asyncio.Event(), asyncio.Event()
        return list(await asyncio.gather(work(first, second), work(second, first)))

    assert asyncio.run(main()) == [None, None]
    assert _delegated(cloud, "ListGroups")[-2:] == ["acme", "acme"]


def test_one_context_object_nested_in_itself(session: Any, cloud: LocalCloud) -> None:
    acme = euca_boto.caller_context(delegate_account="acme")
    globex = euca_boto.caller_context(delegate_account="globex")
    with acme:
        with globex:
            with acme:
                assert current() is acme
            assert current() is globex
        assert current() is acme
    assert current() is None


def test_leaving_a_context_that_is_not_the_innermost_says_so() -> None:
    acme = euca_boto.caller_context(delegate_account="acme")
    globex = euca_boto.caller_context(delegate_account="globex")
    acme.__enter__()
    globex.__enter__()
    with pytest.raises(CallerContextError, match="not the innermost caller context here"):
        acme.__exit__(None, None, None)
    globex.__exit__(None, None, None)
    acme.__exit__(None, None, None)
    assert current() is None
