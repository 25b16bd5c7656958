"""Resource-change tracker benchmark.

1. One poll cycle over 10,000 instances against LocalCloud (moto behind it): the describe call
   alone through plain boto3, side by side with the tracker's poll (the same describe through an
   euca-boto session, then the diff against the stored states and the store transaction), and
   the diff-and-store step alone on that listing with 10% of the instances changed.
2. Delivery throughput: changes per second to a webhook receiver on 127.0.0.1.
3. Reading 100,000 feed entries by pages of 10,000 (SQLite; PostgreSQL too with --postgresql).
4. The HTTP API: GET /changes requests per second at 50 concurrent clients (each request signed
   with its own identity proof, verified against a canned STS on 127.0.0.1).

moto takes minutes to create and describe 10,000 instances, so part 1 replays moto's own
DescribeInstances rendering of one instance, 10,000 times, from a local HTTP server: the same
bytes on the wire and the same parsing work for botocore.

Run: .venv/bin/python bench/bench_tracker.py [--instances 10000] [--postgresql URL]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import boto3  # noqa: E402
from harness import compare, report  # noqa: E402

import euca_boto  # noqa: E402
from euca_boto.retry import RetryPolicy  # noqa: E402
from euca_boto.testing import LocalCloud  # noqa: E402
from euca_boto.tracker import Deliverer, Tracker, open_store  # noqa: E402
from euca_boto.tracker.model import INSTANCE  # noqa: E402

PROFILE = "localcloud"


def _median_seconds(run: Any, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def instance_template(cloud: Any) -> str:
    """One instance as moto renders it in DescribeInstances, with {id} and {state} slots."""
    from urllib.parse import urlsplit

    import requests
    from aws_requests_auth.aws_auth import AWSRequestsAuth

    session = euca_boto.session(profile_name=PROFILE)
    session.client("ec2").run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1)
    url = cloud.service_url("ec2")
    auth = AWSRequestsAuth(cloud.access_key, cloud.secret_key, urlsplit(url).netloc,
                           cloud.region, "ec2")
    body = requests.post(url, data="Action=DescribeInstances&Version=2016-11-15", auth=auth,
                         headers={"Content-Type": "application/x-www-form-urlencoded"},
                         timeout=30).text
    start = body.index("<instancesSet><item>") + len("<instancesSet>")
    end = body.index("</instancesSet>")
    item = body[start:end]
    instance_id = re.search(r"<instanceId>([^<]+)</instanceId>", item).group(1)  # type: ignore[union-attr]
    item = item.replace("{", "{{").replace("}", "}}").replace(instance_id, "{id}")
    return item.replace("<name>running</name>", "<name>{state}</name>")


def describe_body(template: str, count: int, changed_every: int | None) -> bytes:
    """A DescribeInstancesResponse of ``count`` instances in reservations of 100."""
    parts = ['<?xml version="1.0" encoding="UTF-8"?>'
             '<DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">'
             "<requestId>bench</requestId><reservationSet>"]
    for first in range(0, count, 100):
        parts.append(f"<item><reservationId>r-{first:08d}</reservationId>"
                     "<ownerId>123456789012</ownerId><groupSet/><instancesSet>")
        for n in range(first, min(first + 100, count)):
            stopped = changed_every is not None and n % changed_every == 0
            parts.append(template.format(id=f"i-{n:017x}", state="stopped" if stopped
                                         else "running"))
        parts.append("</instancesSet></item>")
    parts.append("</reservationSet></DescribeInstancesResponse>")
    return "".join(parts).encode()


IDENTITY = (b'<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
            b"<GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/bench</Arn>"
            b"<UserId>AIDBENCH</UserId><Account>123456789012</Account>"
            b"</GetCallerIdentityResult><ResponseMetadata><RequestId>bench</RequestId>"
            b"</ResponseMetadata></GetCallerIdentityResponse>")


def canned_ec2(bodies: list[bytes]) -> tuple[ThreadingHTTPServer, str]:
    """A server answering DescribeInstances with the same bytes on /plain, and alternately
    with each of ``bodies`` on /tracker (so every poll finds changes), plus
    GetCallerIdentity."""
    turn = [0]

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            return

        def do_POST(self) -> None:
            form = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if b"GetCallerIdentity" in form:
                body = IDENTITY
            elif self.path.startswith("/tracker"):
                body = bodies[turn[0] % len(bodies)]
                turn[0] += 1
            else:
                body = bodies[0]
            self.send_response(200)
            self.send_header("Content-Type", "text/xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def bench_poll(cloud: Any, instances: int, tmp: Path, rounds: int) -> None:
    template = instance_template(cloud)
    steady = describe_body(template, instances, None)
    changed = describe_body(template, instances, 10)
    server, url = canned_ec2([steady, changed])
    credentials = {"region_name": "us-east-1", "aws_access_key_id": "AKIABENCH",
                   "aws_secret_access_key": "bench-secret"}
    plain = boto3.Session(**credentials).client("ec2", endpoint_url=url + "/plain")
    os.environ["AWS_ENDPOINT_URL_EC2"] = url + "/tracker"
    os.environ["AWS_ENDPOINT_URL_STS"] = url + "/sts"
    try:
        session = euca_boto.session(**credentials)
        tracker = Tracker(str(tmp / "poll.db"), [session], resource_types=[INSTANCE])
        tracker.poll()  # the baseline

        def describe() -> None:
            for page in plain.get_paginator("describe_instances").paginate():
                page.get("Reservations")

        def poll() -> None:
            report = tracker.poll()
            assert report is not None and len(report.changes) == instances // 10

        results = compare([("describe_instances (boto3)", describe),
                           ("tracker poll (+diff+store)", poll)],
                          rounds=rounds, warmup=0)
        print(report(f"1. one poll cycle over {instances} instances ({len(steady):,} bytes of "
                     f"XML; {instances // 10} changed per poll)", results), flush=True)
        [account] = tracker.poller.accounts
        listing = {f"i-{n:017x}": "running" for n in range(instances)}
        flipped = {k: ("running" if v == "stopped" else "stopped") if n % 10 == 0 else v
                   for n, (k, v) in enumerate(sorted(listing.items()))}
        states = [flipped, listing]
        turn = iter(range(10**9))

        def diff_and_store() -> None:
            tracker.store.apply(account.account, INSTANCE, states[next(turn) % 2], time.time())

        seconds = _median_seconds(diff_and_store, 5)
        print(f"  diff+store alone ({instances // 10} of {instances} changed): "
              f"{seconds * 1000:.1f} ms = {seconds / results[0].median:.3f} x the describe call",
              flush=True)
        tracker.store.close()
    finally:
        del os.environ["AWS_ENDPOINT_URL_EC2"], os.environ["AWS_ENDPOINT_URL_STS"]
        server.shutdown()
        server.server_close()


def bench_delivery(tmp: Path, count: int) -> None:
    received = [0]

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            return

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            received[0] += 1
            self.send_response(204)
            self.send_header("Content-Length", "0")
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    store = open_store(str(tmp / "delivery.db"))
    store.apply("acct", INSTANCE, {}, 0.0)
    store.put_hook("acct", INSTANCE, "", f"http://127.0.0.1:{server.server_address[1]}/h",
                   "bench-token-0123456789")
    store.apply("acct", INSTANCE, {f"i-{n:08d}": "running" for n in range(count)}, 1.0)
    deliverer = Deliverer(store, policy=RetryPolicy(max_attempts=1), hook_allow=("127.0.0.1",))
    started = time.perf_counter()
    sent = deliverer.deliver()
    seconds = time.perf_counter() - started
    print(f"2. delivery to a local receiver: {sent} changes in {seconds:.2f} s = "
          f"{sent / seconds:,.0f} changes/s (one POST each, cursor stored after each)")
    server.shutdown()
    server.server_close()
    store.close()


def bench_read(url: str, label: str, entries: int) -> None:
    store = open_store(url)
    store.apply("acct", INSTANCE, {}, 0.0)
    store.apply("acct", INSTANCE, {f"i-{n:08d}": "running" for n in range(entries)}, 1.0)
    started = time.perf_counter()
    since, read = 0, 0
    while True:
        page = store.changes(since, limit=10_000)
        if not page.changes:
            break
        read += len(page.changes)
        since = page.next_cursor
    seconds = time.perf_counter() - started
    print(f"3. reading {read:,} feed entries ({label}): {seconds:.2f} s = "
          f"{read / seconds:,.0f} entries/s")
    store.close()


def bench_api(tmp: Path, clients: int, requests_total: int) -> None:
    from collections import namedtuple
    from concurrent.futures import ThreadPoolExecutor

    import requests

    from euca_boto.tracker import TrackerService
    from euca_boto.tracker.identity import IDENTITY_HEADER, make_proof

    server, url = canned_ec2([b""])
    store = open_store(str(tmp / "api.db"))
    store.apply("123456789012", INSTANCE, {}, 0.0)
    store.apply("123456789012", INSTANCE, {f"i-{n:08d}": "running" for n in range(20)}, 1.0)
    tracker = Tracker(store, [], resource_types=[INSTANCE])
    service = TrackerService(tracker, url + "/sts", port=0)
    frozen = namedtuple("frozen", "access_key secret_key token")("AKIABENCH", "bench", None)
    # Every request carries a proof of its own (distinct targets), made before the clock runs.
    targets = [f"/changes?since=0&limit={n % 9999 + 1}&bench={n}" for n in range(requests_total)]
    proofs = [(t, make_proof(frozen, url + "/sts", "us-east-1", "GET", t, b"")) for t in targets]
    local = threading.local()
    failures: dict[str, int] = {}

    def one(item: tuple[str, str]) -> None:
        http = getattr(local, "http", None)
        if http is None:
            http = local.http = requests.Session()
        reply = http.get(service.url + item[0], headers={IDENTITY_HEADER: item[1]}, timeout=30)
        if reply.status_code != 200:
            kind = f"{reply.status_code} {reply.json().get('error', {}).get('code', '?')}"
            failures[kind] = failures.get(kind, 0) + 1

    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(one, proofs))
    seconds = time.perf_counter() - started
    print(f"4. API: {requests_total} GET /changes at {clients} concurrent clients in "
          f"{seconds:.2f} s = {requests_total / seconds:,.0f} requests/s "
          f"(not 200: {failures or 'none'})", flush=True)
    service.close()
    store.close()
    server.shutdown()
    server.server_close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--deliveries", type=int, default=2_000)
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--api-clients", type=int, default=50)
    parser.add_argument("--api-requests", type=int, default=3_000)
    parser.add_argument("--only", choices=["poll", "delivery", "read", "api"], action="append",
                        help="run only these parts (repeatable; default: all)")
    parser.add_argument("--postgresql", help="also read the feed from this PostgreSQL URL "
                        "(use an empty scratch database or schema)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-tracker-") as tmp_name, \
            LocalCloud(endpoints=1, partitions=1) as cloud:
        tmp = Path(tmp_name)
        config, credentials = cloud.write_aws_files(tmp / "aws", profile=PROFILE)
        os.environ["AWS_CONFIG_FILE"] = str(config)
        os.environ["AWS_SHARED_CREDENTIALS_FILE"] = str(credentials)
        parts = set(args.only or ["poll", "delivery", "read", "api"])
        if "poll" in parts:
            bench_poll(cloud, args.instances, tmp, args.rounds)
        if "delivery" in parts:
            bench_delivery(tmp, args.deliveries)
        if "read" in parts:
            bench_read(str(tmp / "read.db"), "SQLite", args.entries)
            if args.postgresql:
                bench_read(args.postgresql, "PostgreSQL", args.entries)
        if "api" in parts:
            bench_api(tmp, args.api_clients, args.api_requests)
    return 0


if __name__ == "__main__":
    sys.exit(main())
