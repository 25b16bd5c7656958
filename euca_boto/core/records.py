"""Value objects that cost nothing to define.

A ``@dataclass`` compiles its ``__init__``, ``__repr__``, ``__eq__`` (and, frozen, its
``__setattr__``) from generated source when its module is imported: about a millisecond each,
and the first client of a program imports some thirty of them. A :class:`Record` names its
fields in ``__slots__`` and writes its ``__init__`` by hand; equality, hashing, ``repr`` and
:meth:`Record.replace` come from here, read off the slots, with nothing compiled at import.

Fields are set once, in ``__init__``, and declared ``Final`` there, so the type checker refuses
a later assignment as it does for a frozen dataclass.
"""

from __future__ import annotations

from typing import Any, TypeVar

R = TypeVar("R", bound="Record")


class Record:
    """Base of an immutable value object whose fields are its ``__slots__`` (see the module)."""

    __slots__: tuple[str, ...] = ()

    def _values(self) -> tuple[Any, ...]:
        return tuple([getattr(self, name) for name in self.__slots__])

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash((self.__class__, self._values()))

    def __repr__(self) -> str:
        return slots_repr(self)

    def replace(self: R, **changes: Any) -> R:
        """A copy with ``changes`` made (the fields are the ``__init__``'s keyword arguments)."""
        values = {name: getattr(self, name) for name in self.__slots__}
        values.update(changes)
        return type(self)(**values)

    def __reduce__(self) -> Any:
        # Slots without a __dict__: pickle through __init__ (records cross to worker processes).
        return (_rebuild, (type(self), {name: getattr(self, name) for name in self.__slots__}))


def slots_repr(obj: Any) -> str:
    """``Name(field=value, ...)`` of an object whose fields are its ``__slots__``."""
    shown = ", ".join(f"{name}={getattr(obj, name)!r}" for name in type(obj).__slots__)
    return f"{type(obj).__name__}({shown})"


def _rebuild(cls: type[R], values: dict[str, Any]) -> R:
    return cls(**values)
