"""One euca-boto handler per botocore event: the steps of the enabled features, in a fixed order.

botocore calls every handler of an event through its emitter, which costs a log call, a keyword
dict and a list entry per handler, and every handler on a session's emitter is copied into each
new client. So the features do not register on the emitter itself: they register on a
:class:`Plan`, which has an emitter's ``register`` methods and keeps what is registered, per
event and per place in the event's handler list (botocore's first, middle and last). A feature
that is off registers nothing, so it is not in the plan.

:meth:`Plan.wire` then registers one handler per event and place on the real emitter: the one
step itself when there is one (under its own unique id, so that botocore's retry handler is
still kept out by the retry step's, and ``configure_retry`` still replaces it), else a
:class:`Dispatcher` that runs the steps in the order they were registered. Between themselves
the steps keep the order botocore would have called them in, and the group keeps its place
among botocore's own handlers: the steps were registered one after another there.

What a step returns means what it meant to botocore: for the events botocore stops at the
first answer (``before-call``), the dispatcher stops there too and
returns it; for the others it runs every step and returns the first answer (botocore takes the
first non-None one). On an emitter that awaits what its handlers return (aiobotocore), a step
may return an awaitable: the dispatcher then returns a coroutine that awaits it and runs the
remaining steps after it, as aiobotocore would have.
"""

from __future__ import annotations

import inspect
import types
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Generic, TypeVar

from euca_boto.core.botocore_access import Emitter, awaits_handlers, put_handlers

Step = Callable[..., Any]

FIRST, MIDDLE, LAST = "first", "middle", "last"

# Events botocore emits with emit_until_response: it calls no handler after the first answer.
_UNTIL_RESPONSE = ("before-call.",)


R = TypeVar("R")


class EventStep(Generic[R]):
    """A step written as ``function(event)`` (``function(self, event)`` for a method), where
    ``event`` is the dict of the keyword arguments botocore gives its handlers: see
    :func:`event_step`."""

    def __init__(self, function: Callable[..., R]) -> None:
        self.function = function
        self.__name__: str = function.__name__
        self.__qualname__: str = function.__qualname__
        self.__doc__ = function.__doc__
        self.__module__ = function.__module__

    def __call__(self, **event: Any) -> R:  # as botocore calls a handler
        return self.function(event)

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        if instance is None:
            return self
        return BoundEventStep(self.function, instance)

    def __repr__(self) -> str:
        return f"<event step {self.__qualname__}>"


class BoundEventStep:
    """An :class:`EventStep` method of one object; equal to another of the same object and
    method, as bound methods are (botocore unregisters a handler by equality)."""

    __slots__ = ("function", "__self__")

    def __init__(self, function: Callable[..., Any], instance: Any) -> None:
        self.function = function
        self.__self__ = instance

    def __call__(self, **event: Any) -> Any:
        return self.function(self.__self__, event)

    def __getattr__(self, name: str) -> Any:
        if name in ("__name__", "__qualname__"):  # the method's, as a bound method's are
            return getattr(self.function, name)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, BoundEventStep) and other.function is self.function
                and other.__self__ is self.__self__)

    def __hash__(self) -> int:
        return hash((self.function, id(self.__self__)))

    def __repr__(self) -> str:
        return f"<event step {self.function.__qualname__} of {self.__self__!r}>"


def event_step(function: Callable[..., R]) -> EventStep[R]:
    """Decorate a step that takes the event's keyword arguments as one dict.

    botocore calls a handler with keyword arguments, which Python packs into a new dict for
    each handler; a dispatcher runs several steps per event, every call of a client, and
    passing the same dict to each such step saves that (most of what a short step costs).
    Called as a handler (alone on an event, or by a test), it takes keyword arguments as
    before. A step must not change the dict itself (the next steps read it).
    """
    return EventStep(function)


def _direct(step: Step) -> tuple[Callable[..., Any], bool]:
    """How a dispatcher calls ``step``: the function that takes the event as one dict, and
    True; or the step itself (keyword arguments), and False."""
    if isinstance(step, BoundEventStep):
        return types.MethodType(step.function, step.__self__), True
    if isinstance(step, EventStep):
        return step.function, True
    return step, False


class Dispatcher:
    """The one handler of an event: runs its steps in order (see the module)."""

    __slots__ = ("event", "steps", "until_response", "_calls")

    def __init__(self, event: str, steps: Sequence[Step]) -> None:
        self.event = event
        self.steps = tuple(steps)
        self.until_response = event.startswith(_UNTIL_RESPONSE)
        self._calls = tuple(_direct(step) for step in self.steps)

    def __call__(self, **kwargs: Any) -> Any:
        response = None
        for index, (call, whole) in enumerate(self._calls):
            result = call(kwargs) if whole else call(**kwargs)
            if result is None:
                continue
            if inspect.isawaitable(result):
                return self._go_on_after(result, index + 1, response, kwargs)
            if self.until_response:
                return result
            if response is None:
                response = result
        return response

    async def _go_on_after(self, pending: Awaitable[Any], start: int, response: Any,
                           kwargs: dict[str, Any]) -> Any:
        result = await pending
        index = start
        while True:
            if result is not None:
                if self.until_response:
                    return result
                if response is None:
                    response = result
            if index == len(self._calls):
                return response
            call, whole = self._calls[index]
            result = call(kwargs) if whole else call(**kwargs)
            index += 1
            if inspect.isawaitable(result):
                result = await result

    def __repr__(self) -> str:
        names = ", ".join(getattr(s, "__qualname__", repr(s)) for s in self.steps)
        return f"{type(self).__name__}({self.event!r}: {names})"


class SyncDispatcher(Dispatcher):
    """The dispatcher of an emitter that awaits nothing (botocore's own): its steps never
    answer with an awaitable, so each answer is taken as it is (every call runs this)."""

    __slots__ = ()

    def __call__(self, **kwargs: Any) -> Any:
        response = None
        for call, whole in self._calls:
            result = call(kwargs) if whole else call(**kwargs)
            if result is not None:
                if self.until_response:
                    return result
                if response is None:
                    response = result
        return response


class Plan:
    """The handlers the features register, grouped for :meth:`wire` (see the module).

    It answers ``emit`` through ``target`` (features ask an emitter whether it awaits its
    handlers) and passes ``unregister`` on to it as well (the retry step takes the place of
    the handler botocore registered on a built client).
    """

    def __init__(self, target: Emitter) -> None:
        self.target = target
        # (event, place) -> [(unique id, step)], in the order of registration
        self.groups: dict[tuple[str, str], list[tuple[str | None, Step]]] = {}
        self._handlers: list[tuple[str, str, str, Step]] | None = None  # see handlers()

    # What the features call: an emitter's methods ------------------------------------------

    def register(self, event_name: str, handler: Step, unique_id: str | None = None,
                 unique_id_uses_count: bool = False) -> None:
        self._add(event_name, MIDDLE, handler, unique_id)

    def register_first(self, event_name: str, handler: Step, unique_id: str | None = None,
                       unique_id_uses_count: bool = False) -> None:
        self._add(event_name, FIRST, handler, unique_id)

    def register_last(self, event_name: str, handler: Step, unique_id: str | None = None,
                      unique_id_uses_count: bool = False) -> None:
        self._add(event_name, LAST, handler, unique_id)

    def unregister(self, event_name: str, handler: Step | None = None,
                   unique_id: str | None = None, unique_id_uses_count: bool = False) -> Any:
        self._handlers = None
        for (event, _), steps in self.groups.items():
            if event == event_name:
                steps[:] = [(uid, step) for uid, step in steps
                            if not ((unique_id is not None and uid == unique_id)
                                    or (handler is not None and step == handler))]
        return self.target.unregister(event_name, handler, unique_id=unique_id)

    def emit(self, event_name: str, **kwargs: Any) -> Any:
        return self.target.emit(event_name, **kwargs)

    def emit_until_response(self, event_name: str, **kwargs: Any) -> Any:
        return self.target.emit_until_response(event_name, **kwargs)

    def _add(self, event: str, place: str, handler: Step, unique_id: str | None) -> None:
        if unique_id is not None and any(
            uid == unique_id for steps in self.groups.values() for uid, _ in steps
        ):
            return  # as botocore does: a unique id registers once
        self._handlers = None
        self.groups.setdefault((event, place), []).append((unique_id, handler))

    # Wiring -------------------------------------------------------------------------------

    def steps(self, event: str, place: str = MIDDLE) -> list[Step]:
        """The steps registered for ``event`` at ``place``, in order."""
        return [step for _, step in self.groups.get((event, place), [])]

    def handlers(self) -> list[tuple[str, str, str, Step]]:
        """(event, place, unique id, handler): what wiring registers, one per event and place.
        Made once per plan: every client wired from it shares the same handlers."""
        made = self._handlers
        if made is None:
            made = []
            dispatcher = Dispatcher if awaits_handlers(self.target) else SyncDispatcher
            for (event, place), steps in self.groups.items():
                if not steps:
                    continue
                if len(steps) == 1 and steps[0][0] is not None:
                    unique_id, handler = steps[0]
                    assert unique_id is not None
                else:
                    unique_id = f"euca-boto-{place}-{event}"
                    handler = dispatcher(event, [step for _, step in steps])
                made.append((event, place, unique_id, handler))
            self._handlers = made
        return made

    def wire(self, emitter: Emitter) -> list[tuple[str, str]]:
        """Register the plan on ``emitter`` (a session's, which its new clients copy, or one
        client's built for it): one handler per event and place. Returns the (event, unique
        id) of each, for :func:`unwire`."""
        wired: list[tuple[str, str]] = []
        for event, place, unique_id, handler in self.handlers():
            register = {FIRST: emitter.register_first, MIDDLE: emitter.register,
                        LAST: emitter.register_last}[place]
            register(event, handler, unique_id=unique_id)
            wired.append((event, unique_id))
        return wired

    def wire_built(self, emitter: Emitter) -> None:
        """Register the plan on the emitter of a client just built, in place of the handlers
        botocore registered there under the same unique ids (its retry handler): what an
        installed session does for each new client, so that its own emitter, which every
        client copies, holds none of the features' handlers."""
        put_handlers(emitter, self.handlers())


def unwire(emitter: Emitter, wired: Sequence[tuple[str, str]]) -> None:
    """Take the handlers :meth:`Plan.wire` registered off ``emitter``."""
    for event, unique_id in wired:
        emitter.unregister(event, unique_id=unique_id)
