"""The demo's wire-log scene: one service's requests logged, attempt by attempt, redacted."""

from __future__ import annotations

import logging

import euca_boto
from euca_boto.cli.scenes.tour import Tour


def scene_wire_log(tour: Tour) -> None:
    tour.scene("Wire logging, per service, redacted")
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    wire = logging.getLogger("euca_boto.wire")
    keep, level = Keep(), wire.level
    wire.addHandler(keep)
    wire.setLevel(logging.INFO)
    euprop = tour.client("euprop")
    tour.cloud.endpoint(0).fail(503)
    tour.say(">>> with euca_boto.wire_log('properties'):   # endpoint 0 fails once (503)")
    tour.say("...     euprop.modify_property_value(Name='objectstorage.s3provider.s3secretkey',"
             " Value='sup3r-s3cret')")
    try:
        with euca_boto.wire_log("properties"):
            euprop.modify_property_value(
                Name="objectstorage.s3provider.s3secretkey", Value="sup3r-s3cret"
            )
    finally:
        wire.removeHandler(keep)
        wire.setLevel(level)
        tour.cloud.endpoint(0).clear()
    for record in records:
        lines = record.getMessage().splitlines()
        shown = [lines[0], lines[1]]
        shown += [line for line in lines if line.startswith(("> Authorization", "> Action"))]
        shown += [line for line in lines if line.startswith("< ") and " in " in line][:1]
        tour.say(f"  [{record.name}]")
        for line in shown:
            if line.startswith("> Authorization"):
                # The signed-header list is long and says nothing here; keep both ends.
                line = line.split(", SignedHeaders")[0] + ", ..., " + line.rsplit(", ", 1)[-1]
            tour.say(f"    {line}")
    tour.say("One record per attempt; the signature and the secret value never reach the log.")
