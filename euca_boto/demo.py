"""``euca-boto demo``: a guided tour of the plugin against an embedded LocalCloud.

Every scene makes real calls over HTTP to a LocalCloud started in this process and prints what
happened; nothing is simulated. Scenes appear here only once the feature they show exists.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from botocore.exceptions import ClientError

import euca_boto

if TYPE_CHECKING:
    from euca_boto.testing import LocalCloud

PROFILE = "localcloud"


class Tour:
    """The state the scenes share: the cloud, the installed session and the output."""

    def __init__(self, cloud: LocalCloud, out: TextIO) -> None:
        self.cloud = cloud
        self.out = out
        self.session = euca_boto.session(profile_name=PROFILE)

    def say(self, text: str = "") -> None:
        print(text, file=self.out)

    def scene(self, title: str) -> None:
        self.say()
        self.say(f"== {title} ==")

    def client(self, service: str, **kwargs: Any) -> Any:
        return self.session.client(service, **kwargs)


def scene_cloud(tour: Tour) -> None:
    tour.scene("A local Eucalyptus-compatible cloud")
    cloud = tour.cloud
    tour.say(f"LocalCloud is serving {len(cloud.endpoints)} endpoints on 127.0.0.1:")
    for endpoint in cloud.endpoints:
        tour.say(f"  endpoint {endpoint.index}: {endpoint.url}  (partition {endpoint.partition})")
    tour.say("Its profile, as you would paste it into ~/.aws/config:")
    for line in cloud.profile_text(PROFILE).splitlines()[:3]:
        tour.say(f"  {line}")
    tour.say("  ...")


def scene_session(tour: Tour) -> None:
    tour.scene("An ordinary boto3 session, with the plugin installed")
    tour.say(">>> session = euca_boto.session(profile_name='localcloud')")
    services = sorted({"euserv", "euprop", "euconfig"} & set(tour.session.get_available_services()))
    tour.say(f"The session now knows the Eucalyptus admin services: {', '.join(services)}")
    sts = tour.client("sts")
    identity = sts.get_caller_identity()
    tour.say(f">>> session.client('sts').get_caller_identity()['Arn']  ->  {identity['Arn']}")


def scene_admin(tour: Tour) -> None:
    tour.scene("Eucalyptus admin APIs as boto3 clients")
    euserv = tour.client("euserv")
    tour.say(">>> euserv.describe_services(ListAll=True)")
    statuses = euserv.describe_services(ListAll=True)["ServiceStatuses"]
    by_state = Counter(
        (s["ServiceId"]["Type"], s["LocalState"]) for s in statuses
    )
    for (kind, state), count in sorted(by_state.items()):
        tour.say(f"  {count} x {kind:<16} {state}")
    euprop = tour.client("euprop")
    tour.say(">>> euprop.describe_properties(Properties=['dns.'])")
    for prop in euprop.describe_properties(Properties=["dns."])["Properties"]:
        tour.say(f"  {prop['Name']} = {prop['Value']}")
    tour.say(">>> euprop.modify_property_value(Name='dns.enabled', Value='false')")
    changed = euprop.modify_property_value(Name="dns.enabled", Value="false")
    tour.say(f"  {changed['Name']}: {changed['OldValue']} -> {changed['Value']}")


def scene_retry(tour: Tour) -> None:
    tour.scene("Retries: injected 503s retried to success; an unsafe call is not resent")
    session: Any = euca_boto.session(
        profile_name=PROFILE, euca_retry_base_delay=0.05, euca_retry_delay=0.2, euca_breaker=False
    )
    euprop = session.client("euprop")
    endpoint = tour.cloud.endpoint(0)
    endpoint.clear_requests()
    tour.say(">>> cloud.endpoint(0).fail(503, count=2)      # the next two answers are 503")
    endpoint.fail(503, count=2)
    answer = euprop.describe_properties(Properties=["dns.enabled"])
    meta = answer["ResponseMetadata"]["EucaRetry"]
    tour.say(
        f"  describe_properties -> HTTP 200 after {meta['Attempts']} attempts "
        f"and {meta['Slept']:.2f} s of backoff"
    )
    statuses = [r.status for r in endpoint.requests if r.action == "DescribeProperties"]
    tour.say(f"  what the endpoint answered, in order: {statuses}")
    tour.say(">>> cloud.endpoint(0).fail(500); euprop.modify_property_value(...)")
    endpoint.fail(500)
    try:
        euprop.modify_property_value(Name="dns.enabled", Value="false")
    except ClientError as error:
        sent = [r for r in endpoint.requests if r.action == "ModifyPropertyValue"]
        tour.say(f"  -> {error.response['Error']['Code']}, sent {len(sent)} time(s): a change "
                 "that may have happened is not repeated (euca_retry_non_idempotent)")
    endpoint.clear()


SCENES: list[Callable[[Tour], None]] = [scene_cloud, scene_session, scene_admin, scene_retry]


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


SCENES.append(scene_wire_log)


def scene_breaker(tour: Tour) -> None:
    tour.scene("Circuit breakers: fail fast while a service is down")
    session: Any = euca_boto.session(
        PROFILE, euca_breaker_fail_max=2, euca_retry_max_attempts=1
    )
    euprop = session.client("euprop")
    name = euprop.breaker.name  # <profile>/<service>@<host:port>: one service of one cloud

    def listener(change: euca_boto.StateChange) -> None:
        tour.say(f"  [listener] {change.breaker}: {change.old} -> {change.new} ({change.reason})")

    euca_boto.add_breaker_listener(listener)
    try:
        endpoint = tour.cloud.endpoint(0)
        tour.say(">>> cloud.endpoint(0).fail(503, count=2)     # the service goes down")
        endpoint.fail(503, count=2)
        for _ in range(2):
            try:
                euprop.describe_properties()
            except ClientError as error:
                status = error.response["ResponseMetadata"]["HTTPStatusCode"]
                tour.say(f"  describe_properties -> ClientError, HTTP {status}")
        sent = len(endpoint.requests)
        started = time.perf_counter()
        try:
            euprop.describe_properties()
        except euca_boto.CircuitOpenError as error:
            elapsed = (time.perf_counter() - started) * 1000
            tour.say(f"  describe_properties -> CircuitOpenError in {elapsed:.2f} ms: {error}")
        tour.say(f"  requests sent by that call: {len(endpoint.requests) - sent}")
        tour.say(">>> euca_boto.breakers()")
        for info in euca_boto.breakers():
            if info.name == name:
                tour.say(f"  {info.name}: {info.state}, {info.failures} failures")
        tour.say(f">>> euca_boto.get_breaker({name!r}).reset()   # this process's breaker")
        tour.say("  (kept in this process; with euca_state = local (this machine) or "
                 "euca_breaker_storage = redis://... (a fleet) processes share it, and "
                 f"`euca-boto breakers reset {name}` resets it from any shell)")
        euca_boto.get_breaker(name).reset()
        answer = euprop.describe_properties(Properties=["dns.enabled"])
        tour.say(f"  describe_properties -> HTTP {answer['ResponseMetadata']['HTTPStatusCode']}")
    finally:
        euca_boto.remove_breaker_listener(listener)


SCENES.append(scene_breaker)


def scene_tracker(tour: Tour) -> None:
    from euca_boto.tracker.scene import play

    play(tour)


SCENES.append(scene_tracker)


def scene_endpoints(tour: Tour) -> None:
    from euca_boto.endpoints.scene import play

    play(tour)


SCENES.append(scene_endpoints)


class _LogLines(logging.Handler):
    """Shows the plugin's warnings (a breaker opened, an endpoint left out) as lines of the
    scene they belong to, instead of letting them interleave with it on stderr."""

    def __init__(self, tour: Tour) -> None:
        super().__init__(logging.WARNING)
        self.tour = tour

    def emit(self, record: logging.LogRecord) -> None:
        self.tour.say(f"  [logged on {record.name}] {record.getMessage()}")


def run(out: TextIO = sys.stdout) -> int:
    """Start LocalCloud, play every scene against it, stop it."""
    from euca_boto.testing import LocalCloud

    print("Starting LocalCloud: 3 endpoints in 2 partitions, and moto for EC2, IAM, STS and S3 "
          "(a few seconds) ...", file=out, flush=True)
    started = time.perf_counter()
    plugin_log = logging.getLogger("euca_boto")
    with tempfile.TemporaryDirectory(prefix="euca-boto-demo-") as tmp, LocalCloud() as cloud:
        print(f"LocalCloud is up after {time.perf_counter() - started:.1f} s.", file=out)
        config, credentials = cloud.write_aws_files(Path(tmp), profile=PROFILE)
        saved = {k: os.environ.get(k) for k in ("AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE")}
        os.environ["AWS_CONFIG_FILE"] = str(config)
        os.environ["AWS_SHARED_CREDENTIALS_FILE"] = str(credentials)
        tour = Tour(cloud, out)
        shown, propagate = _LogLines(tour), plugin_log.propagate
        plugin_log.addHandler(shown)
        plugin_log.propagate = False
        try:
            for scene in SCENES:
                scene(tour)
        finally:
            plugin_log.removeHandler(shown)
            plugin_log.propagate = propagate
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
    tour.say()
    tour.say("That was all real traffic. Next: README.md, `euca-boto cloud`, `euca-boto config`.")
    return 0


def _demo(args: argparse.Namespace) -> int:
    from euca_boto.extras import require

    require("the demo", "cloud", "tracker")
    return run()


def add_commands(subparsers: Any) -> None:
    """Add the ``demo`` command to the ``euca-boto`` command line."""
    demo = subparsers.add_parser("demo", help="a guided tour against an embedded LocalCloud")
    demo.set_defaults(func=_demo)


def _main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="euca-boto demo")
    return _demo(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(_main())
