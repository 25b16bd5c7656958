"""The breakers of this process, by name, and the application's view of them.

A breaker is created the first time its name is asked for and lives as long as the process, so
every client and decorated function that names it shares its state. Listeners registered here
hear of the state changes of every breaker.
"""

from __future__ import annotations

import functools
import inspect
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from euca_boto.circuit.breaker import (
    Breaker,
    BreakerConfig,
    BreakerInfo,
    Classifier,
    Listener,
    any_exception,
)
from euca_boto.circuit.guard import guarded_call, guarded_call_async
from euca_boto.circuit.storage import storage_for

F = TypeVar("F", bound=Callable[..., Any])


class Registry:
    """Breakers by name. Creating and looking up take a short lock; calls take none."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._breakers: dict[str, Breaker] = {}
        self._storage_urls: dict[str, str] = {}
        self.listeners: list[Listener] = []

    def get(
        self,
        name: str,
        config: BreakerConfig | None = None,
        storage: str = "memory",
        classifier: Classifier | None = None,
    ) -> Breaker:
        """The breaker ``name``, created on first use; a given ``config`` replaces its own."""
        with self._lock:
            existing = self._breakers.get(name)
            if existing is not None and self._storage_urls[name] == storage:
                if config is not None and existing.config != config:
                    existing.config = config
                if classifier is not None:
                    existing.classifier = classifier
                return existing
        # Built outside the lock: a shared store reads its first state over the network.
        created = Breaker(
            name,
            config=config or BreakerConfig(),
            storage=storage_for(storage, name),
            classifier=classifier or any_exception(),
            listeners=list(existing.listeners) if existing else [],
            shared_listeners=self.listeners,
        )
        with self._lock:
            current = self._breakers.get(name)
            if current is not None and current is not existing:
                return current
            self._breakers[name] = created
            self._storage_urls[name] = storage
            return created

    def find(self, name: str) -> Breaker:
        """The breaker ``name``; ``KeyError`` naming the known ones if there is none."""
        with self._lock:
            found = self._breakers.get(name)
            known = sorted(self._breakers)
        if found is None:
            raise KeyError(
                f"no circuit breaker named {name!r} in this process; known: "
                f"{', '.join(known) or 'none'}"
            )
        return found

    def all(self) -> list[Breaker]:
        with self._lock:
            return [self._breakers[name] for name in sorted(self._breakers)]

    def clear(self) -> None:
        """Forget every breaker (their shared state, if any, stays in its store)."""
        with self._lock:
            self._breakers.clear()
            self._storage_urls.clear()


REGISTRY = Registry()


def breakers() -> list[BreakerInfo]:
    """Name, state, failure count, opened-at and next probe of every breaker of this process."""
    return [b.info() for b in REGISTRY.all()]


def get_breaker(name: str) -> Breaker:
    """The breaker ``name`` of this process, for :meth:`~Breaker.reset`, ``force_open`` ..."""
    return REGISTRY.find(name)


def add_breaker_listener(listener: Listener) -> None:
    """Call ``listener(StateChange)`` on every state change of every breaker."""
    REGISTRY.listeners.append(listener)


def remove_breaker_listener(listener: Listener) -> None:
    REGISTRY.listeners.remove(listener)


def breaker(
    name: str,
    *,
    fail_max: int = 5,
    reset_timeout: float = 30.0,
    success_threshold: int = 1,
    half_open_max_calls: int = 1,
    storage: str = "memory",
    exclude: tuple[type[BaseException], ...] = (),
) -> Callable[[F], F]:
    """Protect any callable (plain or ``async``) with the breaker ``name``.

    Every exception counts as a failure except instances of ``exclude``; ``storage`` is
    ``memory``, ``local`` (the state file of this machine, shared by its processes) or a
    ``redis://host:port/db`` URL shared by a fleet.
    """
    config = BreakerConfig(fail_max, reset_timeout, success_threshold, half_open_max_calls)
    the_breaker = REGISTRY.get(name, config, storage, any_exception(tuple(exclude)))

    def decorate(func: F) -> F:
        operation = func.__qualname__
        if inspect.iscoroutinefunction(func):

            @functools.wraps(func)
            async def guarded_async(*args: Any, **kwargs: Any) -> Any:
                return await guarded_call_async(the_breaker, name, operation, func, args, kwargs)

            return guarded_async  # type: ignore[return-value]

        @functools.wraps(func)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            return guarded_call(the_breaker, name, operation, func, args, kwargs)

        return guarded  # type: ignore[return-value]

    return decorate
