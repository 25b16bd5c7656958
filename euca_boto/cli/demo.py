"""``euca-boto demo``: a guided tour of the plugin against an embedded LocalCloud.

Every scene (:mod:`euca_boto.cli.scenes`) makes real calls over HTTP to a LocalCloud started in
this process and prints what happened; nothing is simulated.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from euca_boto.cli.scenes.tour import Tour


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
    # The scenes need the extras the command checked for (moto, the tracker's).
    from euca_boto.cli.scenes import SCENES
    from euca_boto.cli.scenes.tour import PROFILE, Tour
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
    from euca_boto.core.extras import require

    require("the demo", "cloud", "tracker")
    return run()


def add_commands(subparsers: Any) -> None:
    """Add the ``demo`` command to the ``euca-boto`` command line."""
    demo = subparsers.add_parser(
        "demo", help="a guided tour against an embedded LocalCloud",
        description="A guided tour of euca-boto against a LocalCloud started for it: admin "
                    "calls, retries, failover, the wire log, breakers and the tracker, each "
                    "scene with what to look at. Needs the cloud and tracker extras.")
    demo.set_defaults(func=_demo)


def _main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="euca-boto demo")
    return _demo(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(_main())
