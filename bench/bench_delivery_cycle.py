"""What one delivery cycle costs a tracker whose hooks have nothing to send.

Every delivery cycle (every second by default) asks the store which hooks have changes to
send. A hook on one resource keeps the cursor of that resource's last change; when its account
is busy with other resources, the changes after that cursor are many, and none is the hook's.
This benchmark builds such a store: ``--hooks`` hooks on quiet instances, ``--changes`` changes
of other instances of the same account after them, and one hook on every volume (a quiet
resource type). It then times ``Deliverer.deliver()``, which sends nothing, side by side: with
the store's indexes, and without the two that schema version 4 added (dropped for those rounds,
then made again), the rounds interleaved. Figures: min / median / max milliseconds per cycle,
and the ratio of the medians.

Run: .venv/bin/python bench/bench_delivery_cycle.py [--hooks 1000] [--changes 50000]
     [--rounds 7] [--postgresql URL]   (URL: an empty database or schema to build the store in)
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from euca_boto.tracker import Deliverer, open_store
from euca_boto.tracker.model import INSTANCE, VOLUME
from euca_boto.tracker.store.base import SqlStore

ACCOUNT = "123456789012"
INDEXES = {
    "changes_resource": "changes (account, resource_type, resource_id, id)",
    "changes_type": "changes (account, resource_type, id)",
}


def build(store: SqlStore, hooks: int, changes: int) -> None:
    """Quiet instances with a hook each, busy ones changing ``changes`` times in all, and a
    hook on every volume (none changes)."""
    quiet = {f"i-quiet-{n:06d}": "running" for n in range(hooks)}
    busy = [f"i-busy-{n:06d}" for n in range(max(1, min(1000, changes)))]
    store.apply(ACCOUNT, INSTANCE, {**quiet, **{b: "s0" for b in busy}}, 1.0)
    store.apply(ACCOUNT, VOLUME, {"vol-1": "available"}, 1.0)
    for resource in quiet:
        store.put_hook(ACCOUNT, INSTANCE, resource, "http://127.0.0.1:9/hook",
                       "bench-token-0123456789")
    store.put_hook(ACCOUNT, VOLUME, "", "http://127.0.0.1:9/hook", "bench-token-0123456789")
    made, step = 0, 1
    while made < changes:
        count = min(len(busy), changes - made)  # all of them, but in the last step
        states = {b: f"s{step}" if i < count else f"s{step - 1}" for i, b in enumerate(busy)}
        store.apply(ACCOUNT, INSTANCE, {**quiet, **states}, float(step + 1))
        made += count
        step += 1


def set_indexes(url: str, present: bool) -> None:
    """Make the indexes of schema version 4, or drop them, through a connection of our own;
    then gather the tables' statistics, as PostgreSQL's autovacuum does on a live store (its
    planner, knowing nothing of the tables, may pick any index that narrows a search)."""
    statements = [f"CREATE INDEX IF NOT EXISTS {name} ON {columns}" if present
                  else f"DROP INDEX IF EXISTS {name}" for name, columns in INDEXES.items()]
    statements.append("ANALYZE")
    if url.startswith("postgresql://"):
        import psycopg

        with psycopg.connect(url) as postgresql:
            for statement in statements:
                postgresql.execute(statement)
    else:
        sqlite = sqlite3.connect(url)
        with sqlite:  # a transaction
            for statement in statements:
                sqlite.execute(statement)
        sqlite.close()


def cycle_ms(deliverer: Deliverer) -> float:
    start = time.perf_counter()
    sent = deliverer.deliver()
    elapsed = (time.perf_counter() - start) * 1000
    assert sent == 0, f"the cycle sent {sent}: the store was built wrong"
    return elapsed


def run(url: str, label: str, hooks: int, changes: int, rounds: int) -> None:
    store = open_store(url)
    try:
        built = time.perf_counter()
        build(store, hooks, changes)
        print(f"{label}: {hooks + 1} hooks, {store.latest_id()} changes "
              f"(built in {time.perf_counter() - built:.1f} s)")
        deliverer = Deliverer(store)
        times: dict[bool, list[float]] = {True: [], False: []}
        for round_number in range(rounds):
            for present in (True, False) if round_number % 2 else (False, True):
                set_indexes(url, present)
                cycle_ms(deliverer)  # the first after a change of indexes plans anew
                times[present].append(cycle_ms(deliverer))
        set_indexes(url, True)
        print(f"  {'variant':<32} {'min':>9} {'median':>9} {'max':>9}  ms per cycle")
        for present, name in ((True, "with the indexes (schema 4)"),
                              (False, "without them (schema 3)")):
            values = times[present]
            print(f"  {name:<32} {min(values):>9.2f} {statistics.median(values):>9.2f} "
                  f"{max(values):>9.2f}")
        ratio = statistics.median(times[False]) / statistics.median(times[True])
        print(f"  without / with: {ratio:,.0f} times the time\n")
    finally:
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hooks", type=int, default=1000)
    parser.add_argument("--changes", type=int, default=50000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--postgresql", help="also on this PostgreSQL URL (an empty schema)")
    args = parser.parse_args()
    if min(args.hooks, args.changes, args.rounds) < 1:
        parser.error("--hooks, --changes and --rounds must be at least 1")
    with tempfile.TemporaryDirectory() as tmp:
        run(str(Path(tmp) / "feed.db"), "SQLite", args.hooks, args.changes, args.rounds)
    if args.postgresql:
        run(args.postgresql, "PostgreSQL", args.hooks, args.changes, args.rounds)


if __name__ == "__main__":
    main()
