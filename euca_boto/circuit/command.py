"""``euca-boto breakers``: list the breakers of a fleet and reset, open or close one of them.

Breakers whose state is in Redis (``euca_breaker_storage = redis://...``) are shared by every
process that uses them, so this command, run anywhere with the same profile, acts on all of
them at once. Breakers kept in memory belong to their process and are controlled from Python
(``euca_boto.get_breaker(name).reset()``).
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import datetime, timezone
from typing import Any

import botocore.session

from euca_boto.circuit.storage import (
    STATE_CLOSED,
    STATE_FORCED_CLOSED,
    STATE_FORCED_OPEN,
    RedisStorage,
    fleet,
    redacted,
    redis_client,
)
from euca_boto.errors import ConfigError
from euca_boto.settings import StateStore, load

_ACTIONS = {
    "reset": (STATE_CLOSED, "reset (closed)"),
    "open": (STATE_FORCED_OPEN, "forced open"),
    "close": (STATE_FORCED_CLOSED, "forced closed"),
}


def _when(moment: float | None) -> str:
    if moment is None:
        return "-"
    return datetime.fromtimestamp(moment, timezone.utc).isoformat(timespec="seconds")


def _storage_url(args: argparse.Namespace) -> str:
    if args.storage:
        try:
            return StateStore().parse(args.storage)
        except ValueError:
            raise ConfigError(
                f"--storage {redacted(args.storage)!r} is not valid; "
                f"expected {StateStore.expected}"
            ) from None
    settings = load(botocore.session.Session(profile=args.profile))
    return str(settings.for_service(None)["euca_breaker_storage"])


def _breakers(args: argparse.Namespace) -> int:
    url = _storage_url(args)
    if url == "memory":
        print(
            "euca-boto: breakers are kept in each process (euca_breaker_storage = memory); set "
            "euca_breaker_storage = redis://host:port/db to list and control them here",
            file=sys.stderr,
        )
        return 2
    import redis

    client = redis_client(url)
    try:
        entries = fleet(client)
        if args.action == "list":
            _print_table(entries)
            return 0
        names = [entry.name for entry in entries]
        if args.name not in names:
            print(
                f"euca-boto: no breaker named {args.name!r} in {redacted(url)}; "
                f"known: {', '.join(names) or 'none'}",
                file=sys.stderr,
            )
            return 2
        state, done = _ACTIONS[args.action]
        RedisStorage(client, args.name).transition(None, state, time.time())
    except redis.RedisError as error:
        print(
            f"euca-boto: breaker storage {redacted(url)} is unreachable: {error}",
            file=sys.stderr,
        )
        return 1
    print(f"breaker {args.name}: {done}")
    return 0


def _print_table(entries: list[Any]) -> None:
    rows = [("name", "state", "failures", "opened at", "next probe")]
    for entry in entries:
        snap = entry.snapshot
        rows.append(
            (entry.name, snap.state, str(snap.failures), _when(snap.opened_at),
             _when(entry.next_probe if snap.state == "open" else None))
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        cells = (cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        print("  ".join(cells).rstrip())


def add_commands(subparsers: Any) -> None:
    """Add the ``breakers`` command to the ``euca-boto`` command line."""
    command = subparsers.add_parser(
        "breakers", help="list a fleet's circuit breakers; reset, open or close one"
    )
    command.add_argument("--profile", help="profile whose euca_breaker_storage to use")
    command.add_argument("--storage", help="redis://host:port/db (overrides the profile)")
    actions = command.add_subparsers(dest="action", metavar="ACTION")
    actions.add_parser("list", help="name, state, failures, opened at, next probe")
    for action, (_, done) in _ACTIONS.items():
        sub = actions.add_parser(action, help=f"the breaker NAME is {done}")
        sub.add_argument("name", metavar="NAME", help="e.g. myprofile/euprop")
    command.set_defaults(func=_breakers, action="list")
