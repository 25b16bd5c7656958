"""``euca-boto demo``: a guided tour of the plugin against an embedded LocalCloud.

Every scene makes real calls over HTTP to a LocalCloud started in this process and prints what
happened; nothing is simulated. Scenes appear here only once the feature they show exists.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

import euca_boto
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


SCENES: list[Callable[[Tour], None]] = [scene_cloud, scene_session, scene_admin]


def run(out: TextIO = sys.stdout) -> int:
    """Start LocalCloud, play every scene against it, stop it."""
    with tempfile.TemporaryDirectory(prefix="euca-boto-demo-") as tmp, LocalCloud() as cloud:
        config, credentials = cloud.write_aws_files(Path(tmp), profile=PROFILE)
        saved = {k: os.environ.get(k) for k in ("AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE")}
        os.environ["AWS_CONFIG_FILE"] = str(config)
        os.environ["AWS_SHARED_CREDENTIALS_FILE"] = str(credentials)
        try:
            tour = Tour(cloud, out)
            for scene in SCENES:
                scene(tour)
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
    tour.say()
    tour.say("That was all real traffic. Next: README.md, `euca-boto cloud`, `euca-boto config`.")
    return 0


def add_commands(subparsers: Any) -> None:
    """Add the ``demo`` command to the ``euca-boto`` command line."""
    demo = subparsers.add_parser("demo", help="a guided tour against an embedded LocalCloud")
    demo.set_defaults(func=lambda args: run())


def _main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="euca-boto demo")
    parser.parse_args(argv)
    return run()


if __name__ == "__main__":
    sys.exit(_main())
