"""``euca-boto breakers``: list the breakers of a fleet and reset, open or close one of them.

Breakers whose state is in Redis (``euca_breaker_storage = redis://...``) are shared by every
process that uses them, so this command, run anywhere with the same profile, acts on all of
them at once. Breakers in a state file (``euca_state``; by default the file the AWS CLI and
``euca-boto run`` use) are shared by the processes of this machine, and this command acts on
them in the file. Breakers kept in memory belong to their process and are controlled from
Python (``euca_boto.get_breaker(name).reset()``).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import botocore.session

from euca_boto.breakers.breaker import window_figures
from euca_boto.breakers.registry import resolve_name
from euca_boto.breakers.storage import (
    STATE_CLOSED,
    STATE_FILE_PREFIX,
    STATE_FORCED_CLOSED,
    STATE_FORCED_OPEN,
    FleetEntry,
    LocalStorage,
    RedisStorage,
    fleet,
    redacted,
    redis_client,
    storage_url,
)
from euca_boto.breakers.storage.statefile import snapshot_of_row
from euca_boto.core.localstate import LOCAL, StateFile, default_path
from euca_boto.core.setting_kinds import StateStore
from euca_boto.core.settings import load
from euca_boto.errors import ConfigError

_ACTIONS = {
    "reset": (STATE_CLOSED, "reset (closed)"),
    "open": (STATE_FORCED_OPEN, "forced open"),
    "close": (STATE_FORCED_CLOSED, "forced closed"),
}


# What each action means for the calls through the breaker, for --help.
_EFFECTS = {
    "reset": "its failures are forgotten and calls go through again.",
    "open": "calls through it fail at once, without network, until it is reset or closed.",
    "close": "calls go through whatever fails, until it is reset or opened.",
}


def _when(moment: float | None) -> str:
    if moment is None:
        return "-"
    return datetime.fromtimestamp(moment, timezone.utc).isoformat(timespec="seconds")


def _storage_url(args: argparse.Namespace) -> str:
    if args.storage:
        text = args.storage.strip()
        if text == LOCAL:
            return STATE_FILE_PREFIX + str(default_path())
        if "://" not in text and os.path.isfile(os.path.expanduser(text)):
            return STATE_FILE_PREFIX + os.path.abspath(os.path.expanduser(text))
        try:
            return StateStore().parse(text)
        except ValueError:
            raise ConfigError(
                f"--storage {redacted(args.storage)!r} is not valid; expected "
                f"{StateStore.expected}, local, or the path of an existing state file"
            ) from None
    settings = load(botocore.session.Session(profile=args.profile)).for_service(None)
    values = dict(settings)
    if settings.source("euca_state") == "default":
        # Where the AWS CLI and `euca-boto run` keep their breakers unless told otherwise.
        values["euca_state"] = LOCAL
    return storage_url(values)


def _breakers(args: argparse.Namespace) -> int:
    url = _storage_url(args)
    if url == "memory":
        print(
            "euca-boto: breakers are kept in each process (euca_state = memory and "
            "euca_breaker_storage = memory); set euca_state = local (this machine) or "
            "euca_breaker_storage = redis://host:port/db (a fleet) to list and control them here",
            file=sys.stderr,
        )
        return 2
    if url.startswith(STATE_FILE_PREFIX):
        return _local_breakers(args, Path(url.removeprefix(STATE_FILE_PREFIX)))
    import redis

    client = redis_client(url)
    try:
        entries = fleet(client)
        if args.action == "list":
            _print_table(entries)
            return 0
        name = _known(args.name, entries, redacted(url))
        if name is None:
            return 2
        state, done = _ACTIONS[args.action]
        RedisStorage(client, name).transition(None, state, time.time())
    except redis.RedisError as error:
        print(
            f"euca-boto: breaker storage {redacted(url)} is unreachable: {error}",
            file=sys.stderr,
        )
        return 1
    print(f"breaker {name}: {done}")
    return 0


def _local_breakers(args: argparse.Namespace, path: Path) -> int:
    file = StateFile(path, report=False)
    try:
        # Listing a file that does not exist yet shows no breakers; it does not create it.
        rows = file.breakers() if path.exists() else []
        if rows is None:
            return _unusable(file)
        entries = [FleetEntry(row.name, snapshot_of_row(row), row.next_probe) for row in rows]
        if args.action == "list":
            _print_table(entries)
            return 0
        name = _known(args.name, entries, f"state file {path}")
        if name is None:
            return 2
        state, done = _ACTIONS[args.action]
        LocalStorage(file, name).transition(None, state, time.time())
        if file.problem is not None:
            return _unusable(file)
    finally:
        file.close()
    print(f"breaker {name}: {done}")
    return 0


def _unusable(file: StateFile) -> int:
    print(f"euca-boto: state file {file.path} cannot be used: {file.problem}", file=sys.stderr)
    return 1


def _known(name: str, entries: list[FleetEntry], where: str) -> str | None:
    """The full name of the breaker ``name`` names (it may leave out ``@<host>...``), or None
    after saying on stderr why there is none."""
    names = [entry.name for entry in entries]
    try:
        return resolve_name(name, names, "breaker")
    except KeyError as error:
        print(f"euca-boto: {error.args[0]} in {where}; known: {', '.join(names) or 'none'}",
              file=sys.stderr)
        return None


def _rate(rate: float | None) -> str:
    return "-" if rate is None else f"{rate:.3g}%"


def _print_table(entries: list[FleetEntry]) -> None:
    rows = [("name", "state", "calls", "failure rate", "slow rate", "failures in a row",
             "opened at", "next probe")]
    now = time.time()
    for entry in entries:
        snap = entry.snapshot
        calls, failure_rate, slow_rate = window_figures(snap, now)
        rows.append(
            (entry.name, snap.state, str(calls), _rate(failure_rate), _rate(slow_rate),
             str(snap.failures), _when(snap.opened_at),
             _when(entry.next_probe if snap.state == "open" else None))
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        cells = (cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        print("  ".join(cells).rstrip())


def add_commands(subparsers: Any) -> None:
    """Add the ``breakers`` command to the ``euca-boto`` command line."""
    command = subparsers.add_parser(
        "breakers", help="list a fleet's circuit breakers; reset, open or close one",
        description="List the circuit breakers kept in Redis (euca_breaker_storage) or in the "
                    "state file the AWS CLI and euca-boto run share (euca_state), or reset, "
                    "open or close one of them by name. Without an ACTION: list.",
    )
    command.add_argument(
        "--profile", help="profile whose euca_breaker_storage or euca_state to use")
    command.add_argument(
        "--storage",
        help="redis://host:port/db, local, or a state file's path (overrides the profile)")
    actions = command.add_subparsers(dest="action", metavar="ACTION")
    actions.add_parser(
        "list", help="name, state, window (calls, failure rate, slow-call rate), failures "
                     "in a row, opened at, next probe",
        description="List every breaker of the storage: its name, state, window (calls, "
                    "failure rate, slow-call rate), failures in a row, when it opened and when "
                    "it next lets a probe through.")
    for action, (_, done) in _ACTIONS.items():
        sub = actions.add_parser(
            action, help=f"the breaker NAME is {done}",
            description=f"The breaker NAME is {done}, for every process that shares its "
                        f"storage; {_EFFECTS[action]}")
        sub.add_argument(
            "name", metavar="NAME",
            help="e.g. myprofile/euprop@cloud.example.com:8773, or myprofile/euprop when one "
                 "cloud has that breaker")
    command.set_defaults(func=_breakers, action="list")
