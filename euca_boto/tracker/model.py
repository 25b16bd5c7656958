"""The tracker's data: observed resources, feed entries (changes) and hooks.

A change is what every consumer sees, in the feed and in webhook bodies alike, so its JSON form
(``Change.to_json``) is defined once here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

# Resource types the tracker polls, as they appear in feed entries and API paths.
INSTANCE = "instance"
VOLUME = "volume"
ZONE = "zone"
SERVICE = "service"
RESOURCE_TYPES = (INSTANCE, VOLUME, ZONE, SERVICE)
# The plural path segment of the HTTP API for each type: PUT /instances/{id}.
COLLECTIONS = {"instances": INSTANCE, "volumes": VOLUME, "zones": ZONE, "services": SERVICE}

# Hook status values.
ACTIVE = "active"
SUSPENDED = "suspended"
# Hook targets that are Python callables registered in-process, not URLs.
CALLABLE_PREFIX = "python:"


@dataclass(frozen=True)
class Change:
    """One feed entry: a resource of an account went from ``old_state`` to ``new_state``.

    ``old_state`` is None when the resource appeared, ``new_state`` None when it disappeared.
    ``observed_at`` is a Unix timestamp (seconds).
    """

    id: int
    account: str
    resource_type: str
    resource_id: str
    old_state: str | None
    new_state: str | None
    observed_at: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "account": self.account,
            "resource_type": self.resource_type,
            "resource_id": self.resource_id,
            "old_state": self.old_state,
            "new_state": self.new_state,
            "observed_at": self.observed_at,
        }

    def to_json(self) -> bytes:
        """The bytes of a feed entry and of a webhook body."""
        return json.dumps(self.to_dict(), separators=(",", ":"), sort_keys=True).encode()

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Change:
        return cls(
            id=int(data["id"]),
            account=str(data["account"]),
            resource_type=str(data["resource_type"]),
            resource_id=str(data["resource_id"]),
            old_state=data.get("old_state"),
            new_state=data.get("new_state"),
            observed_at=float(data["observed_at"]),
        )


@dataclass(frozen=True)
class Hook:
    """A registered callback: where to deliver changes of one resource, or of one type.

    ``resource_id`` is empty for a hook on every resource of ``resource_type``. ``target`` is an
    http(s) URL or ``python:<name>`` for an in-process callable. ``cursor`` is the id of the last
    change delivered; delivery resumes after it.
    """

    id: int
    account: str
    resource_type: str
    resource_id: str
    target: str
    token: str
    cursor: int
    status: str
    failures: int
    last_error: str | None
    next_attempt_at: float

    def public_dict(self) -> dict[str, Any]:
        """What the owner sees in ``GET /hooks``: everything but the signing token."""
        return {
            "id": self.id,
            "resource_type": self.resource_type,
            "resource_id": self.resource_id or None,
            "url": self.target,
            "status": self.status,
            "delivered_through": self.cursor,
            "failures": self.failures,
            "last_error": self.last_error,
        }


@dataclass(frozen=True)
class Page:
    """One page of the feed and the cursor to pass as ``since`` for the next one."""

    changes: list[Change]
    next_cursor: int
