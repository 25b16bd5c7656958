"""The tracker API's operations on behalf of an authenticated caller, scoped to its account.

Handlers take validated arguments and return JSON-ready dicts; they never see HTTP. A caller
only ever reads or changes its own account's hooks and changes.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from euca_boto.tracker.errors import UnknownResource
from euca_boto.tracker.identity import Caller
from euca_boto.tracker.store.base import SqlStore


class Handlers:
    def __init__(self, store: SqlStore, status: Callable[[], dict[str, Any]] | None = None) -> None:
        self.store = store
        self._status = status or (lambda: {})

    def put_hook(
        self, caller: Caller, resource_type: str, resource_id: str, url: str, token: str | None
    ) -> dict[str, Any]:
        """Register the caller's hook on one resource (or on every resource of the type when
        ``resource_id`` is empty); the answer carries the signing token."""
        if resource_id and self.store.state_of(caller.account, resource_type, resource_id) is None:
            raise UnknownResource(
                f"{resource_type} {resource_id!r} is not known to the tracker for account "
                f"{caller.account}; check the id (the tracker knows what it has polled)"
            )
        hook = self.store.put_hook(
            caller.account, resource_type, resource_id, url, token or secrets.token_urlsafe(32)
        )
        return {**hook.public_dict(), "token": hook.token}

    def delete_hook(self, caller: Caller, resource_type: str, resource_id: str) -> dict[str, Any]:
        removed = self.store.delete_hook(caller.account, resource_type, resource_id)
        if not removed:
            what = f"{resource_type} {resource_id!r}" if resource_id else f"every {resource_type}"
            raise UnknownResource(f"account {caller.account} has no hook on {what}")
        return {"removed": True, "resource_type": resource_type,
                "resource_id": resource_id or None}

    def list_hooks(self, caller: Caller) -> dict[str, Any]:
        return {"hooks": [hook.public_dict() for hook in self.store.hooks(caller.account)]}

    def changes(self, caller: Caller, since: int, limit: int) -> dict[str, Any]:
        changes, following = self.store.change_entries(since, limit, account=caller.account)
        return {"changes": changes, "next": following}

    def health(self) -> dict[str, Any]:
        return {
            "status": "ok",
            "store": self.store.describe(),
            "schema_version": self.store.schema_version(),
            "latest_change": self.store.latest_id(),
            **self._status(),
        }
