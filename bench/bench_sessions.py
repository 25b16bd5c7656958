"""Sessions after the first: a new session and its first client, in a process that has one.

Programs that follow boto3's advice make a session per thread (sessions are not thread-safe),
and servers often make one per request. botocore parses its endpoints file (over a megabyte of
JSON, into ordered dictionaries) for every new session, at its first client; euca-boto's
sessions share one parse per process and model search path. This times, in a fresh interpreter
per sample, ``--sessions`` new sessions each creating its first ``euprop`` client, after one
warm-up session: plain boto3 (the models on ``AWS_DATA_PATH``, the endpoint given) and with
euca-boto (``euca_boto.session(profile_name=...)``, the endpoint from the profile).

``--heap`` first loads that many more service models into the process (kept), as a program
holding clients of several services does: the garbage collector's full collections, which the
parse of the endpoints file brings about, take longer the more a process holds.

The variants run in alternate subprocesses; the table gives min / median / max of the
per-session wall time over the samples, the median CPU time, and the ratio of the medians.

Run: .venv/bin/python bench/bench_sessions.py [--samples 10] [--sessions 20] [--heap 6]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

# Clients of these services are kept by the sample before it is timed (see --heap).
HEAP_SERVICES = ("ec2", "iam", "s3", "sts", "autoscaling", "elb", "cloudwatch", "cloudformation")

SAMPLE = """
import json, sys, time
variant, sessions, heap = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
import boto3
if variant == "euca-boto":
    import euca_boto
    def client():
        return euca_boto.session(profile_name="bench").client("euprop")
else:
    def client():
        return boto3.Session(profile_name="bench").client(
            "euprop", endpoint_url="http://127.0.0.1:1/services/Properties")
kept = [client()]
warm = boto3.Session(region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b")
kept += [warm.client(name) for name in sys.argv[4].split(",")[:heap]]
start, cpu = time.perf_counter(), time.process_time()
for _ in range(sessions):
    client()
print(json.dumps([(time.perf_counter() - start) / sessions,
                  (time.process_time() - cpu) / sessions]))
"""

PROFILE = """[profile bench]
region = eucalyptus
aws_access_key_id = AKIDEXAMPLE
aws_secret_access_key = secret
euca_endpoint = http://127.0.0.1:1/
"""


def run(variant: str, sessions: int, heap: int, env: dict[str, str]) -> tuple[float, float]:
    out = subprocess.run([sys.executable, "-c", SAMPLE, variant, str(sessions), str(heap),
                          ",".join(HEAP_SERVICES)],
                         capture_output=True, text=True, env=env, check=True).stdout
    wall, cpu = json.loads(out.splitlines()[-1])
    return float(wall), float(cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=10)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--heap", type=int, default=6)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        config = Path(home, "config")
        config.write_text(PROFILE)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "EUCA_BOTO_"))}
        env.update(HOME=home, AWS_CONFIG_FILE=str(config),
                   AWS_SHARED_CREDENTIALS_FILE=str(Path(home, "credentials")))
        from euca_boto.core.models import models_path

        plain_env = dict(env, AWS_DATA_PATH=str(models_path()))
        results: dict[str, list[tuple[float, float]]] = {"boto3": [], "euca-boto": []}
        for _ in range(args.samples):
            for variant in results:
                results[variant].append(run(variant, args.sessions, args.heap,
                                            plain_env if variant == "boto3" else env))
    print(f"a new session and its first euprop client, {args.sessions} per sample after "
          f"{args.heap} clients of other services, {args.samples} samples (ms per session)")
    medians = {}
    for variant, samples in results.items():
        walls = [w * 1000 for w, _ in samples]
        medians[variant] = statistics.median(walls)
        cpu = statistics.median(c * 1000 for _, c in samples)
        print(f"  {variant:10s} wall min/median/max {min(walls):6.1f} / {medians[variant]:6.1f}"
              f" / {max(walls):6.1f}   CPU median {cpu:6.1f}")
    print(f"  ratio euca-boto / boto3 (medians): {medians['euca-boto'] / medians['boto3']:.3f}")


if __name__ == "__main__":
    main()
