"""A process whose garbage collector finalizes an abandoned probe call on the thread that holds
the state file's lock (the deadlock the breaker's finalizer must not cause).

Plain boto3 with botocore's plugin variable (the client plugin's breaker); the profile opens
its breaker at the first failure and probes at once. Prints one line per step.
Usage: finalizer_worker.py PROFILE STATE_FILE
"""

from __future__ import annotations

import gc
import logging
import sys
from pathlib import Path

import boto3

import euca_boto

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script: find tests/
from forking import written_by_another_process  # noqa: E402
from worker_support import describe_answer  # noqa: E402


class Boom(Exception):
    """What a handler after the breaker's raises: the admitted call is never sent."""


def boom(**kwargs: object) -> None:
    raise Boom


class CollectGarbage(logging.Handler):
    """The garbage collector, run where a thread holds the state file's lock: the lock is held
    while the file's busy time-out is logged."""

    def emit(self, record: logging.LogRecord) -> None:
        if "busy" in record.getMessage():
            gc.collect()


def abandon_a_probe(client: object) -> None:
    try:
        client.describe_properties(Properties=["dns.enabled"])  # type: ignore[attr-defined]
    except Boom as error:
        # The traceback holds this frame and the frame holds the error: only the garbage
        # collector frees them, and with them the call's request context.
        kept = error  # noqa: F841


def main(profile: str, state_file: str) -> None:
    gc.disable()  # collections happen where this script says
    client = boto3.Session(profile_name=profile).client("euprop")
    print(describe_answer(client), flush=True)  # the queued 503: the breaker opens

    client.meta.events.register("before-call.euprop", boom)  # after the breaker's handler
    abandon_a_probe(client)  # admitted as the half-open probe, never sent
    client.meta.events.unregister("before-call.euprop", boom)
    print("abandoned", flush=True)

    state = logging.getLogger("euca_boto.state")
    state.addHandler(CollectGarbage())
    state.setLevel(logging.DEBUG)
    with written_by_another_process(state_file):
        # Refused (the probe slot is taken); taking a slot waits for the other writer, and
        # the collection that then runs inside the file's lock finalizes the abandoned probe.
        print(describe_answer(client), flush=True)
    print(describe_answer(client), flush=True)  # the slot was given back: the probe goes out
    print(euca_boto.breakers()[0].state, flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
