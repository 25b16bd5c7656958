"""The basic workload: plain boto3 and an installed euca-boto session, side by side.

Both clients call the same LocalCloud endpoint on 127.0.0.1, interleaved round by round, and the
table gives the median per-call latency of each and the ratio to plain boto3. The plain client
gets the plugin's models through its loader's search path (as ``AWS_DATA_PATH`` would), so the
two differ only by what installing the plugin adds to a call.

Run: .venv/bin/python bench/bench_foundation.py [--rounds 2000]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

import boto3

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import compare, report  # noqa: E402

import euca_boto  # noqa: E402
from euca_boto.testing import LocalCloud  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=2000)
    args = parser.parse_args()
    with LocalCloud(endpoints=1, partitions=1) as cloud, tempfile.TemporaryDirectory() as tmp:
        config, credentials = cloud.write_aws_files(tmp, profile="bench")
        os.environ["AWS_CONFIG_FILE"] = str(config)
        os.environ["AWS_SHARED_CREDENTIALS_FILE"] = str(credentials)

        plain_session = boto3.session.Session(profile_name="bench")
        plain_session._session.get_component("data_loader").search_paths.insert(
            0, str(euca_boto.models_path()))
        installed = euca_boto.session(profile_name="bench")

        for service, call in (
            ("euprop", lambda c: c.describe_properties(Properties=["dns.enabled"])),
            ("sts", lambda c: c.get_caller_identity()),
        ):
            plain, plugin = plain_session.client(service), installed.client(service)
            results = compare(
                [(f"plain boto3 {service}", lambda c=plain, f=call: f(c)),
                 (f"euca-boto {service}", lambda c=plugin, f=call: f(c))],
                rounds=args.rounds, warmup=50, max_seconds=120.0,
            )
            print(report(f"{service}: {args.rounds} interleaved rounds against LocalCloud "
                         "(ratio = median / plain boto3)", results))
            print()


if __name__ == "__main__":
    main()
