"""The error raised when a call fails for good after the retry handler gave up on a connection
error or timeout; it says how many attempts were made and why each failed.

The message stays the original error's, word for word; the attempt history travels beside it
(``attempts``, ``history``, ``stop_reason``, and a note shown under tracebacks). The classes made
to combine :class:`RetryError` with botocore's exception classes are rebuilt by name when
unpickled, so the error crosses process boundaries (``ProcessPoolExecutor``, task queues) intact.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any, Final

from euca_boto.core.records import Record
from euca_boto.errors import EucaBotoError


class AttemptRecord(Record):
    """One failed attempt: what went wrong and what the handler did about it."""

    __slots__ = ("attempt", "reason", "action", "delay", "delay_source")

    def __init__(self, attempt: int, reason: str, action: str, delay: float = 0.0,
                 delay_source: str = "backoff") -> None:
        self.attempt: Final = attempt
        self.reason: Final = reason
        # "retry", "stop" or "give_up"
        self.action: Final = action
        self.delay: Final = delay
        self.delay_source: Final = delay_source

    def describe(self) -> str:
        if self.action != "retry":
            return f"{self.attempt}: {self.reason}"
        text = f"{self.attempt}: {self.reason}, retried after {self.delay:.3g} s"
        return text if self.delay_source == "backoff" else f"{text} ({self.delay_source})"


def history_text(stop_reason: str, history: Sequence[AttemptRecord]) -> str:
    """``euca-boto retry: 3 attempts, stopped: all 3 attempts failed; 1: HTTP 503, retried ...``"""
    attempts = "1 attempt" if len(history) == 1 else f"{len(history)} attempts"
    steps = "; ".join(record.describe() for record in history)
    return f"euca-boto retry: {attempts}, stopped: {stop_reason}; {steps}"


class RetryError(EucaBotoError):
    """A call failed for good after the retry handler gave up.

    The error raised is also an instance of the original botocore exception's class (an
    ``EndpointConnectionError``, a ``ReadTimeoutError``...), so existing ``except`` clauses
    still catch it, and its message is the original's; the original is its ``__cause__``.
    ``history`` lists the attempts and :meth:`report` tells them in one line.
    """

    attempts: int
    history: tuple[AttemptRecord, ...]
    stop_reason: str

    def __init__(self, message: str, attempts: int = 0,
                 history: Sequence[AttemptRecord] = (), stop_reason: str = "") -> None:
        super().__init__(message)
        self.attempts = attempts
        self.history = tuple(history)
        self.stop_reason = stop_reason

    def report(self) -> str:
        """The attempts in one line: ``euca-boto retry: 3 attempts, stopped: ...; 1: ...``."""
        return history_text(self.stop_reason, self.history)

    def __reduce__(self) -> tuple[Any, ...]:
        # The combined classes are made at run time and cannot be found by name: rebuild them
        # from the botocore class they combine with, which can.
        original = getattr(type(self), "_euca_original", None)
        if original is None:
            return (type(self), self.args, self.__dict__)
        return (_rebuild, (original, self.args, self.__dict__))


def _rebuild(original: type[BaseException], args: tuple[Any, ...],
             state: dict[str, Any]) -> RetryError:
    cls = _subclass_for(original)
    error = cls.__new__(cls)
    error.args = args
    error.__dict__.update(state)
    return error


_SUBCLASSES: dict[type[BaseException], type[RetryError]] = {}


def retry_error(
    original: BaseException, stop_reason: str, history: Sequence[AttemptRecord]
) -> RetryError:
    """A :class:`RetryError` that is also of ``original``'s class, with ``original``'s message
    and attributes (``endpoint_url``, ``error``...) kept and the attempt history beside them."""
    message = str(original)
    cls = _subclass_for(type(original))
    if cls is RetryError:
        error = RetryError(message)
    else:
        # Botocore's exceptions format their message from keyword arguments in __init__;
        # build the instance without it and carry the original's state over instead.
        error = cls.__new__(cls)
        error.__dict__.update(original.__dict__)
        error.args = (message,)
    error.attempts = len(history)
    error.history = tuple(history)
    error.stop_reason = stop_reason
    _add_note(error, error.report())
    return error


def _add_note(error: BaseException, note: str) -> None:
    """``error.add_note(note)``; Python 3.10, which has no notes, keeps them in ``__notes__``
    all the same (its tracebacks do not show them)."""
    if sys.version_info >= (3, 11):
        error.add_note(note)
    else:
        error.__notes__ = [*getattr(error, "__notes__", ()), note]  # type: ignore[attr-defined]


def _subclass_for(original: type[BaseException]) -> type[RetryError]:
    cls = _SUBCLASSES.get(original)
    if cls is None:
        try:
            cls = type(original.__name__, (RetryError, original), {
                "__module__": __name__,
                "__doc__": f"{original.__name__} after the retry handler gave up.",
                "__str__": Exception.__str__,
                "_euca_original": original,
            })
        except TypeError:  # a class that cannot be combined (layout conflict, final class)
            cls = RetryError
        _SUBCLASSES[original] = cls
    return cls
