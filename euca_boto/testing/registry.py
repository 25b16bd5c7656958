"""The services an administrator changed: states set by ModifyService, services registered and
deregistered through Empyrean or Configuration, and the events DescribeServices shows.

The base topology (``topology.services``) follows the endpoints; the registry is laid over it, so
a service's state is what ModifyService last set while its host is healthy, and the host's
state while it is not (reference §3.2-§3.4).
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from .topology import COMPONENTS, ComponentType, ServiceView
from .wire import java_date

# Target states (Component.State) and the transitions that lead to one (reference §3.2).
STATES = (
    "BROKEN",
    "PRIMORDIAL",
    "INITIALIZED",
    "LOADED",
    "STOPPED",
    "NOTREADY",
    "DISABLED",
    "ENABLED",
)
TRANSITIONS: dict[str, str | None] = {
    "START": "DISABLED",  # a started service comes up disabled; ENABLE makes it serve
    "STOP": "STOPPED",
    "INITIALIZE": "INITIALIZED",
    "LOAD": "LOADED",
    "DESTROY": "PRIMORDIAL",
    "ENABLE": "ENABLED",
    "DISABLE": "DISABLED",
    "CHECK": None,  # None: the state stays as it is
    "RESTART": None,
}
POSSIBLE_ARGUMENTS = (*TRANSITIONS, *STATES)


class RegistryError(ValueError):
    """A change the registry refuses; the message is what the server reports."""


@dataclass(frozen=True)
class Event:
    """One ``statusDetails`` entry of DescribeServices ``ShowEvents``."""

    severity: str
    uuid: str
    message: str
    service: ServiceView
    timestamp: str  # Java Date.toString() text, as the server sends it


class ServiceRegistry:
    """State changes, registrations and events over the base topology. Thread safe.

    ``on_change`` runs (outside the lock) after every change, so the cloud bumps its epoch.
    """

    def __init__(
        self, on_change: Callable[[], None], clock: Callable[[], float] = time.time
    ) -> None:
        self._on_change = on_change
        self._clock = clock
        self._lock = threading.Lock()
        self._states: dict[str, str] = {}
        self._added: dict[str, ServiceView] = {}
        self._removed: set[str] = set()
        self._events: dict[str, list[Event]] = {}

    def apply(self, base: Sequence[ServiceView]) -> list[ServiceView]:
        """The topology as DescribeServices reports it."""
        with self._lock:
            rows = [v for v in base if v.name not in self._removed and v.name not in self._added]
            rows += list(self._added.values())
            return [self._state_of(v) for v in rows]

    def _state_of(self, view: ServiceView) -> ServiceView:
        state = self._states.get(view.name)
        # A host that is down or unreachable decides; the administrator's state applies on top
        # of a healthy host.
        if state is None or view.state != "ENABLED":
            return view
        return replace(view, state=state)

    def events(self, name: str) -> list[Event]:
        with self._lock:
            return list(self._events.get(name, ()))

    def modify(self, views: Sequence[ServiceView], name: str, argument: str) -> ServiceView:
        """Apply ModifyService ``State=argument`` to the service ``name`` (name or full name)."""
        view = _find(views, name)
        if view is None:
            raise RegistryError(f"Failed to modify service: no service named {name!r}")
        wanted = argument.strip().upper()
        if wanted not in POSSIBLE_ARGUMENTS:
            raise RegistryError(
                f"Failed to modify service {view.name}: {argument!r} is not a state or a "
                f"transition; possible arguments are: {', '.join(POSSIBLE_ARGUMENTS)}"
            )
        target = TRANSITIONS.get(wanted, wanted) or view.state
        with self._lock:
            if target == view.state:
                return view
            self._states[view.name] = target
            self._event(view, "INFO", f"{view.name}: {view.state} -> {target} ({wanted})")
        self._on_change()
        return replace(view, state=target)

    def register(
        self,
        views: Sequence[ServiceView],
        *,
        type_name: str,
        name: str,
        host: str,
        port: int | None,
        partition: str | None,
        any_type: bool = False,
    ) -> list[ServiceView]:
        """Register a service, or one service per member of a service group; ``any_type``
        accepts every known type, not only the registrable ones."""
        component = COMPONENTS.get(type_name)
        if component is None or not (component.registerable or any_type):
            registerable = ", ".join(c.name for c in COMPONENTS.values() if c.registerable)
            raise RegistryError(
                f"Failed to register {name}: unknown service type {type_name!r}; "
                f"registrable types are: {registerable}"
            )
        members = [COMPONENTS[m] for m in component.members] or [component]
        if component.partitioned and not partition:
            raise RegistryError(
                f"Failed to register {name}: the Partition parameter is required for "
                f"{type_name} services"
            )
        created = [
            _new_view(
                member,
                f"{name}.{member.name}" if component.members else name,
                host,
                port,
                partition,
            )
            for member in members
        ]
        with self._lock:
            # ``views`` is the applied topology: deregistered names are free again.
            taken = {v.name for v in views} | set(self._added)
            for view in created:
                if view.name in taken:
                    raise RegistryError(
                        f"Failed to register {view.name}: a service with that name already exists"
                    )
            for view in created:
                self._added[view.name] = view
                self._removed.discard(view.name)
                self._states.pop(view.name, None)
                self._event(view, "INFO", f"{view.name}: registered on {host}")
        self._on_change()
        return created

    def deregister(
        self, views: Sequence[ServiceView], name: str, type_name: str | None = None
    ) -> ServiceView:
        """Remove the service ``name`` (within ``type_name`` when given)."""
        candidates = [v for v in views if type_name in (None, "", v.component.name)]
        view = _find(candidates, name)
        if view is None:
            within = f" of type {type_name}" if type_name else ""
            raise RegistryError(f"Failed to deregister {name}: no service{within} named {name!r}")
        with self._lock:
            self._added.pop(view.name, None)
            self._removed.add(view.name)
            self._states.pop(view.name, None)
            self._event(view, "INFO", f"{view.name}: deregistered")
        self._on_change()
        return view

    def _event(self, view: ServiceView, severity: str, message: str) -> None:
        stamp = java_date(self._clock())
        self._events.setdefault(view.name, []).append(
            Event(severity, str(uuid.uuid4()), message, view, stamp)
        )


def _find(views: Sequence[ServiceView], name: str) -> ServiceView | None:
    return next((v for v in views if name in (v.name, v.full_name)), None)


def _new_view(
    component: ComponentType, name: str, host: str, port: int | None, partition: str | None
) -> ServiceView:
    return ServiceView(
        component=component,
        name=name,
        # Cloud-wide services are their own partition, as Eucalyptus 4 registers them.
        partition=partition if component.partitioned and partition else name,
        host=host,
        uri=f"http://{host}:{port or component.port}{component.path}",
        state="ENABLED",
        endpoint=None,
    )
