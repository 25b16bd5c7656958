"""Cloud properties as typed values, as a mapping, and as code: plan and apply.

Values are typed as ``euctl`` types them: the structure properties hold JSON documents, every
other property holds text (reference §4.2). :func:`decode` gives a JSON property's value parsed,
:func:`encode` turns a value back into the text the server takes and refuses a value of the
wrong type before anything is sent. :func:`make_plan` compares wanted values with the cloud's,
entry by entry; :meth:`Properties.apply` makes a plan's changes one at a time, reading each
back, and stops at the first the cloud refuses.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping
from dataclasses import dataclass, field
from datetime import date, time
from typing import Any, Literal

from botocore.exceptions import BotoCoreError, ClientError

from euca_boto.errors import EucaBotoError
from euca_boto.msgs import SCRIPT_PROPERTY

# The structure properties, whose values are JSON documents (euctl's PROPERTY_TYPES, §4.2).
JSON_PROPERTIES = frozenset({
    "authentication.ldap_integration_configuration",
    "cloud.network.network_configuration",
    "cloudformation.swf_client_config",
    "cloudformation.swf_workflow_worker_config",
    "region.region_configuration",
})

#: What DescribeProperties shows for a hidden value (its value cannot be read).
HIDDEN_VALUE = "********"

Action = Literal["change", "unchanged", "read-only", "hidden", "script"]


class PropertyValueError(EucaBotoError, ValueError):
    """A value that a property cannot hold (a structure for a text property, text that is not
    JSON for a JSON property, no value at all); the message names the property."""


class PlanError(EucaBotoError, ValueError):
    """Wanted values that cannot be planned: unknown properties and values of the wrong type.

    ``problems`` holds a (property name, one line saying what is wrong) pair for each; nothing
    was sent.
    """

    def __init__(self, problems: Iterable[tuple[str, str]]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(text for _, text in self.problems))


def _kind(value: Any) -> str:
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, (date, time)):
        return "a date or time (quote it to mean text)"
    return f"a {type(value).__name__}"


def _json_document(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        # The server's own default of the LDAP configuration is single-quoted, which euctl
        # and the server's parser read as JSON.
        return json.loads(text.replace("'", '"'))


def decode(name: str, text: str) -> Any:
    """A property's value as its type says: a JSON property's parsed (its text when it is
    empty or not JSON), any other property's text."""
    if name in JSON_PROPERTIES and text.strip():
        try:
            return _json_document(text)
        except ValueError:
            return text
    return text


def encode(name: str, value: Any) -> str:
    """The text the server takes for ``value``; :class:`PropertyValueError` if the property
    cannot hold it. A JSON property takes a mapping or a list (sent as JSON), JSON text or
    empty text; any other property takes text, a number or a boolean (``true``/``false``)."""
    if name in JSON_PROPERTIES:
        if isinstance(value, (Mapping, list)):
            return json.dumps(value)
        if isinstance(value, str):
            if value.strip():
                try:
                    _json_document(value)
                except ValueError:
                    raise PropertyValueError(
                        f"{name} holds a JSON document, and {value!r} is not JSON") from None
            return value
        raise PropertyValueError(
            f"{name} holds a JSON document (a mapping or a list), not {_kind(value)}")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    if value is None:
        raise PropertyValueError(f"{name} has no value; write '' for an empty value")
    raise PropertyValueError(f"{name} holds text, not {_kind(value)}")


def same(name: str, one: str, other: str) -> bool:
    """Whether two texts are the same value of the property (JSON compared as documents)."""
    return one == other or (name in JSON_PROPERTIES and decode(name, one) == decode(name, other))


@dataclass(frozen=True)
class Property:
    """One property as DescribeProperties reports it (values as the server's text)."""

    name: str
    value: str
    default: str = ""
    description: str = ""
    read_only: bool = False

    @classmethod
    def from_reply(cls, item: Mapping[str, Any]) -> Property:
        return cls(item["Name"], item.get("Value", ""), item.get("DefaultValue", ""),
                   item.get("Description", ""), bool(item.get("ReadOnly", False)))

    @property
    def hidden(self) -> bool:
        """Whether the value is hidden (the server shows ``********`` instead)."""
        return self.value == HIDDEN_VALUE

    @property
    def is_default(self) -> bool:
        return same(self.name, self.value, self.default)


@dataclass(frozen=True)
class PlanEntry:
    """What applying one wanted value would do.

    ``change``: ``current`` becomes ``wanted``; ``unchanged``: it already holds it;
    ``read-only``: it differs, and the cloud does not let it be set; ``hidden``: its value
    cannot be read, so it is not compared; ``script``: the ``euca`` property runs its value as
    code on the cloud, which a file never does. Only changes are applied.
    """

    name: str
    action: Action
    wanted: str
    current: str | None = None

    @property
    def flagged(self) -> bool:
        return self.action in ("read-only", "hidden", "script")


@dataclass(frozen=True)
class Plan:
    """The entries of a plan, in the order of the wanted values."""

    entries: tuple[PlanEntry, ...]

    def of(self, *actions: Action) -> list[PlanEntry]:
        return [entry for entry in self.entries if entry.action in actions]

    @property
    def changes(self) -> list[PlanEntry]:
        return self.of("change")


def unknown_property(name: str, known: Iterable[str]) -> str:
    """The line that says ``name`` is not a property, with the nearest existing name."""
    import difflib  # only a mistake pays for it

    near = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return f"unknown property {name!r}" + (f" (nearest: {near[0]!r})" if near else "")


def make_plan(cloud: Mapping[str, Property], wanted: Mapping[str, Any]) -> Plan:
    """Compare ``wanted`` values with the ``cloud``'s properties, in ``wanted``'s order.

    Raises :class:`PlanError` listing every unknown property and every value of the wrong type.
    """
    entries: list[PlanEntry] = []
    problems: list[tuple[str, str]] = []
    for name, value in wanted.items():
        if name == SCRIPT_PROPERTY:
            entries.append(PlanEntry(name, "script", value if isinstance(value, str)
                                     else json.dumps(value)))
            continue
        prop = cloud.get(name)
        if prop is None:
            problems.append((name, unknown_property(name, cloud)))
            continue
        try:
            text = encode(name, value)
        except PropertyValueError as error:
            problems.append((name, str(error)))
            continue
        action: Action
        if prop.hidden:
            action = "hidden"
        elif same(name, prop.value, text):
            action = "unchanged"
        else:
            action = "read-only" if prop.read_only else "change"
        entries.append(PlanEntry(name, action, text, prop.value))
    if problems:
        raise PlanError(problems)
    return Plan(tuple(entries))


@dataclass
class ApplyReport:
    """What an apply did: the entries applied, the one refused (and why), those not tried."""

    applied: list[PlanEntry] = field(default_factory=list)
    refused: PlanEntry | None = None
    reason: str = ""
    not_attempted: list[PlanEntry] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return self.refused is None


def _reason(error: Exception) -> str:
    if isinstance(error, ClientError):
        return str(error.response.get("Error", {}).get("Message") or error)
    return str(error)


class Properties(MutableMapping[str, Any]):
    """Cloud properties as a mapping: read, set (``props[name] = value``), reset; and as code.

    Values are typed (:func:`decode`, :func:`encode`): JSON properties read as documents and
    take a mapping or a list. Deleting a property resets it to its default.
    """

    def __init__(self, euprop: Any) -> None:
        self._euprop = euprop

    def describe(self, prefixes: Iterable[str] = ()) -> dict[str, Property]:
        """Every property whose name starts with one of ``prefixes`` (all without), by name."""
        reply = self._euprop.describe_properties(Properties=list(prefixes))
        return {item["Name"]: Property.from_reply(item) for item in reply["Properties"]}

    def __getitem__(self, name: str) -> Any:
        prop = self.describe([name]).get(name)
        if prop is None:
            raise KeyError(name)
        return decode(name, prop.value)

    def __setitem__(self, name: str, value: Any) -> None:
        self.set(name, value)

    def set(self, name: str, value: Any) -> tuple[str, str]:
        """Set ``name`` to ``value`` (:func:`encode` checks its type); returns the old and the
        new value as the server reports them (text)."""
        answer = self._euprop.modify_property_value(Name=name, Value=encode(name, value))
        return answer.get("OldValue", ""), answer.get("Value", "")

    def __delitem__(self, name: str) -> None:
        self.reset(name)

    def reset(self, name: str) -> Any:
        """Reset ``name`` to its default; returns the value now in force."""
        answer = self._euprop.modify_property_value(Name=name, Reset=True)
        return decode(name, answer.get("Value", ""))

    def __iter__(self) -> Iterator[str]:
        return iter(list(self.describe()))

    def __len__(self) -> int:
        return len(self.describe())

    def with_prefix(self, prefix: str) -> dict[str, Any]:
        """Every property whose name starts with ``prefix`` (one call)."""
        return {name: decode(name, p.value) for name, p in self.describe([prefix]).items()}

    def plan(self, wanted: Mapping[str, Any]) -> Plan:
        """What applying ``wanted`` (name: value) would do (:func:`make_plan`); one call."""
        return make_plan(self.describe(), wanted)

    def apply(self, plan: Plan,
              progress: Callable[[PlanEntry, str], None] | None = None) -> ApplyReport:
        """Make the plan's changes in order, reading each value back; stop at the first the
        cloud refuses (an error, or a value that did not take). Entries that are not changes
        are not sent. ``progress(entry, outcome)`` is told of each entry tried."""
        report = ApplyReport()
        changes = plan.changes
        for index, entry in enumerate(changes):
            reason = self._apply_one(entry)
            if reason:
                report.refused, report.reason = entry, reason
                report.not_attempted = changes[index + 1:]
                if progress is not None:
                    progress(entry, f"refused: {reason}")
                break
            report.applied.append(entry)
            if progress is not None:
                progress(entry, "applied")
        return report

    def _apply_one(self, entry: PlanEntry) -> str:
        """Set one value and read it back: why it did not take, or ``""``."""
        try:
            self._euprop.modify_property_value(Name=entry.name, Value=entry.wanted)
            now = self.describe([entry.name]).get(entry.name)
        except (ClientError, BotoCoreError) as error:
            return _reason(error)
        if now is None:
            return "the cloud no longer reports this property"
        if not same(entry.name, now.value, entry.wanted):
            return f"the cloud kept {now.value!r}"
        return ""
