"""Resource-change tracker benchmark.

1. One poll cycle over 10,000 instances against LocalCloud (moto behind it): the describe call
   alone through plain boto3, side by side with the tracker's poll (the same describe through an
   euca-boto session, then the diff against the stored states and the store transaction), and
   the diff-and-store step alone on that listing with 10% of the instances changed.
2. Delivery throughput to a webhook receiver on 127.0.0.1 (a process of its own, answering at
   once and, as a receiver doing some work would, after 10 ms): one delivery worker, N workers,
   and three replica processes sharing the store.
3. Reading 100,000 feed entries by pages of 10,000 (SQLite; PostgreSQL too with --postgresql).
4. The HTTP API: authenticated GET /changes requests per second at 50 concurrent clients, the
   tracker in a process of its own and the canned STS in another (its work is not the
   tracker's), and the load in a third: each request with an identity proof of its own (one
   STS call per request), with session tokens (one proof per client, then tokens the tracker
   checks alone), and through TrackerClient (the client library's cost too). --api-baseline
   DIR runs an earlier checkout's server side by side (proofs only, if it has no sessions).
   --api-rounds rounds, the variants interleaved in an order that turns every round; each
   figure is min / median / max over the rounds: requests/s, the server's CPU time per request
   (every thread of its process; steady under load, where wall-clock rates are not), the load
   process's CPU per request, and the STS calls per client (logins included), then the ratios
   to the first variant per round, and the load average before and after.
5. Change watches: how long after the poll that records a change a held watch answers.

moto takes minutes to create and describe 10,000 instances, so part 1 replays moto's own
DescribeInstances rendering of one instance, 10,000 times, from a local HTTP server: the same
bytes on the wire and the same parsing work for botocore.

Run: .venv/bin/python bench/bench_tracker.py [--instances 10000] [--postgresql URL]
     .venv/bin/python bench/bench_tracker.py --only api --api-baseline DIR  (DIR: e.g.
     `git worktree add /tmp/tracker-baseline 1339135`, the tree before sessions)
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
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
from euca_boto.tracker.model import INSTANCE, VOLUME  # noqa: E402

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


class CannedServer(ThreadingHTTPServer):
    identity_calls = 0  # GetCallerIdentity requests answered


def canned_ec2(bodies: list[bytes]) -> tuple[CannedServer, str]:
    """A server answering DescribeInstances with the same bytes on /plain, and alternately
    with each of ``bodies`` on /tracker (so every poll finds changes), plus
    GetCallerIdentity (counted)."""
    turn = [0]
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            return

        def do_POST(self) -> None:
            form = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if b"GetCallerIdentity" in form:
                body = IDENTITY
                with lock:
                    server.identity_calls += 1
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

    server = CannedServer(("127.0.0.1", 0), Handler)
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


_RECEIVER = """
import sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
latency = float(sys.argv[1])
class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *args):
        pass
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if latency:
            time.sleep(latency)
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()
server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
server.request_queue_size = 256
threading.Thread(target=server.serve_forever, daemon=True).start()
print(server.server_address[1], flush=True)
sys.stdin.read()
"""

_REPLICA = """
import sys, time
from euca_boto.retry import RetryPolicy
from euca_boto.tracker import Deliverer, open_store
from euca_boto.tracker.replicas import Replica
store = open_store(sys.argv[1])
replica = Replica(store, lease_seconds=10)
deliverer = Deliverer(store, policy=RetryPolicy(max_attempts=1), workers=int(sys.argv[2]),
                      hook_allow=("127.0.0.1",), replica=replica, batch=100)
replica.live()
print("ready", flush=True)
sys.stdin.readline()
sent = 0
while True:
    sent += deliverer.deliver()
    if not any(store.pending(hook, 1) for hook in store.hooks()):
        break
print(sent, flush=True)
deliverer.close()
"""


def _delivery_store(path: Path, port: int, hooks: int, rounds: int) -> int:
    """A store with ``hooks`` hooks, one per resource, each with ``rounds`` changes pending."""
    store = open_store(str(path))
    resources = [f"i-{n:08d}" for n in range(hooks)]
    store.apply("acct", INSTANCE, {r: "s0" for r in resources}, 0.0)
    for resource in resources:
        store.put_hook("acct", INSTANCE, resource, f"http://127.0.0.1:{port}/h",
                       "bench-token-0123456789")
    for n in range(1, rounds + 1):
        store.apply("acct", INSTANCE, {r: f"s{n}" for r in resources}, float(n))
    total = hooks * rounds
    store.close()
    return total


def bench_delivery(tmp: Path, hooks: int, rounds: int, workers: int, latencies: list[float]
                   ) -> None:
    """Deliveries per second: one worker, ``workers`` workers, three replica processes of
    ``workers`` workers each, to a receiver in a process of its own."""
    import subprocess

    for latency in latencies:
        receiver = subprocess.Popen([sys.executable, "-c", _RECEIVER, str(latency)],
                                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert receiver.stdout is not None and receiver.stdin is not None
        port = int(receiver.stdout.readline())
        rates: list[float] = []
        try:
            for label, count, procs in [("1 worker", 1, 0), (f"{workers} workers", workers, 0),
                                        (f"3 replicas x {workers} workers", workers, 3)]:
                path = tmp / f"deliver-{latency}-{len(rates)}.db"
                total = _delivery_store(path, port, hooks, rounds)
                if procs:
                    seconds, sent = _replicas(path, count, procs)
                else:
                    store = open_store(str(path))
                    deliverer = Deliverer(store, policy=RetryPolicy(max_attempts=1),
                                          workers=count, hook_allow=("127.0.0.1",), batch=100)
                    started = time.perf_counter()
                    sent = 0
                    while sent < total:
                        sent += deliverer.deliver()
                    seconds = time.perf_counter() - started
                    deliverer.close()
                    store.close()
                rates.append(sent / seconds)
                print(f"2. delivery ({hooks} hooks x {rounds} changes, receiver "
                      f"{latency * 1000:g} ms per request), {label}: {sent} in {seconds:.2f} s "
                      f"= {rates[-1]:,.0f} deliveries/s = {rates[-1] / rates[0]:.1f} x 1 worker",
                      flush=True)
        finally:
            receiver.stdin.close()
            receiver.wait(timeout=30)


def _replicas(path: Path, workers: int, count: int) -> tuple[float, int]:
    import subprocess

    procs = [subprocess.Popen([sys.executable, "-c", _REPLICA, str(path), str(workers)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
             for _ in range(count)]
    for proc in procs:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    # Every replica has beaten once, so each takes a third of the hooks from the start.
    started = time.perf_counter()
    for proc in procs:
        assert proc.stdin is not None
        proc.stdin.write("go\n")
        proc.stdin.flush()
    sent = 0
    for proc in procs:
        assert proc.stdout is not None
        sent += int(proc.stdout.readline())
    seconds = time.perf_counter() - started
    for proc in procs:
        proc.wait(timeout=30)
    return seconds, sent


def bench_watch(cloud: Any, tmp: Path, rounds: int) -> None:
    """How long after the poll that records a change a held watch answers with it: the poll in
    the API's own process, and the change recorded by another process sharing the store."""
    import queue

    import requests

    from euca_boto.tracker import TrackerService
    from euca_boto.tracker.identity import IDENTITY_HEADER, make_proof

    template = instance_template(cloud)
    server, url = canned_ec2([describe_body(template, 5, None), describe_body(template, 5, 1)])
    os.environ["AWS_ENDPOINT_URL_EC2"] = url + "/tracker"
    os.environ["AWS_ENDPOINT_URL_STS"] = url + "/sts"
    credentials = {"region_name": "us-east-1", "aws_access_key_id": "AKIABENCH",
                   "aws_secret_access_key": "bench-secret"}
    try:
        tracker = Tracker(str(tmp / "watch.db"), [euca_boto.session(**credentials)],
                          resource_types=[INSTANCE])
        tracker.poll()  # the baseline
        service = TrackerService(tracker, url + "/sts", port=0)
        other = open_store(str(tmp / "watch.db"))  # as another replica would write
        frozen = tracker.poller.accounts[0].session.get_credentials().get_frozen_credentials()
        answered: queue.Queue[float] = queue.Queue()

        def hold(since: int) -> None:
            target = f"/changes?since={since}&wait=30"
            proof = make_proof(frozen, url + "/sts", "us-east-1", "GET", target, b"")
            reply = requests.get(service.url + target, headers={IDENTITY_HEADER: proof},
                                 timeout=60)
            assert reply.json()["changes"], reply.text
            answered.put(time.perf_counter())

        for label, record in [
            ("poll in the API's process", lambda: tracker.poll()),
            ("change recorded by another process", lambda: other.apply(
                "123456789012", VOLUME, {"vol-x": f"s{time.perf_counter()}"}, time.time())),
        ]:
            other.apply("123456789012", VOLUME, {}, 0.0)
            latencies = []
            for _ in range(rounds):
                watcher = threading.Thread(target=hold, args=(tracker.store.latest_id(),))
                watcher.start()
                time.sleep(0.3)  # the watch is held
                record()
                recorded = time.perf_counter()
                latencies.append(answered.get(timeout=30) - recorded)
                watcher.join()
            latencies.sort()
            print(f"5. watch: {label}: the watch answered {statistics.median(latencies) * 1000:.1f}"
                  f" ms (median; p95 {latencies[int(0.95 * (len(latencies) - 1))] * 1000:.1f} ms)"
                  f" after the change was recorded ({rounds} rounds)", flush=True)
        service.close()
        other.close()
        tracker.store.close()
    finally:
        del os.environ["AWS_ENDPOINT_URL_EC2"], os.environ["AWS_ENDPOINT_URL_STS"]
        server.shutdown()
        server.server_close()


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


_STS_SERVER = """
import sys
sys.path[:0] = [{bench!r}]
from bench_tracker import canned_ec2
server, url = canned_ec2([b""])
print(url + "/sts", flush=True)
for line in sys.stdin:  # "count": the GetCallerIdentity calls answered so far
    print(server.identity_calls, flush=True)
"""

_API_SERVER = """
import sys, time
sys.path[:0] = [{code!r}]
from euca_boto.tracker import Tracker, TrackerService, open_store
from euca_boto.tracker.model import INSTANCE
store = open_store({db!r})
store.apply("123456789012", INSTANCE, {{}}, 0.0)
store.apply("123456789012", INSTANCE, {{f"i-{{n:08d}}": "running" for n in range(20)}}, 1.0)
tracker = Tracker(store, [], resource_types=[INSTANCE])
service = TrackerService(tracker, {sts!r}, port=0)
print(service.url, flush=True)
for line in sys.stdin:  # "cpu": this process's CPU seconds so far, every thread's
    print(time.process_time(), flush=True)
service.close()
"""

# One load run in a process of its own: {clients} keep-alive connections on one event loop,
# each with one request outstanding at a time; requests are encoded (proofs made, sessions
# opened) before the clock runs, and answers are read as far as the status and the body's
# length, so the load process costs little beside the server. Mode "TrackerClient" instead
# runs {clients} threads, each with a TrackerClient of its own (the client library's cost too).
_LOAD = """
import asyncio, json, os, sys, threading, time
sys.path[:0] = [{code!r}]
from collections import namedtuple
from euca_boto.tracker.identity import IDENTITY_HEADER, make_proof
url, sts, mode = {url!r}, {sts!r}, {mode!r}
clients, total = {clients}, {total}
host, port = url.split("//")[1].rsplit(":", 1)
port = int(port)
frozen = namedtuple("frozen", "access_key secret_key token")("AKIABENCH", "bench", None)
targets = [f"/changes?since=0&limit={{n % 9999 + 1}}" for n in range(total)]
failures = {{}}


def failed(kind):
    failures[kind] = failures.get(kind, 0) + 1


def encode(target, headers, method="GET"):
    lines = [f"{{method}} {{target}} HTTP/1.1", f"Host: {{host}}:{{port}}"]
    lines += [f"{{k}}: {{v}}" for k, v in headers.items()]
    return ("\\r\\n".join(lines) + "\\r\\n\\r\\n").encode()


class Client(asyncio.Protocol):
    def __init__(self, requests, done):
        self.requests, self.done, self.buffer = iter(requests), done, b""
        self.need = None

    def connection_made(self, transport):
        self.transport = transport
        self.next()

    def next(self):
        request = next(self.requests, None)
        if request is None:
            self.transport.close()
            self.done.set_result(None)
        else:
            self.transport.write(request)

    def data_received(self, data):
        self.buffer += data
        while True:
            if self.need is None:
                end = self.buffer.find(b"\\r\\n\\r\\n")
                if end < 0:
                    return
                head = self.buffer[:end].lower()
                self.status = int(head[9:12])
                at = head.find(b"content-length:")
                length = int(head[at + 15:head.find(b"\\r\\n", at) if
                                  head.find(b"\\r\\n", at) > 0 else None])
                self.need, self.buffer = length, self.buffer[end + 4:]
            if len(self.buffer) < self.need:
                return
            body, self.buffer = self.buffer[:self.need], self.buffer[self.need:]
            self.need = None
            if self.status != 200:
                failed(f"{{self.status}} {{json.loads(body).get('error', {{}}).get('code')}}")
            elif not body.startswith(b'{{"changes":'):
                failed("not a page")
            self.next()

    def connection_lost(self, exc):
        if not self.done.done():
            failed("connection lost")
            self.done.set_result(None)


async def session(connect):
    proof = make_proof(frozen, sts, "us-east-1", "POST", "/session", b"")
    reader, writer = await connect()
    writer.write(encode("/session", {{IDENTITY_HEADER: proof, "Content-Length": "0"}}, "POST"))
    head = await reader.readuntil(b"\\r\\n\\r\\n")
    length = int(head.lower().split(b"content-length:")[1].split(b"\\r\\n")[0])
    body = json.loads(await reader.readexactly(length))
    writer.close()
    return body.get("token")


async def raw():
    per_client = [range(n, total, clients) for n in range(clients)]
    if mode == "proof per request":
        requests = [[encode(targets[n], {{IDENTITY_HEADER: make_proof(
            frozen, sts, "us-east-1", "GET", targets[n], b"")}}) for n in own]
            for own in per_client]
    else:
        tokens = [await session(lambda: asyncio.open_connection(host, port))
                  for _ in range(clients)]
        if None in tokens:
            return None
        requests = [[encode(targets[n], {{"Authorization": f"Bearer {{token}}"}}) for n in own]
                    for own, token in zip(per_client, tokens)]
    loop = asyncio.get_running_loop()
    started, cpu = time.perf_counter(), time.process_time()
    done = [loop.create_future() for _ in range(clients)]
    for own, future in zip(requests, done):
        await loop.create_connection(lambda: Client(own, future), host, port)
    await asyncio.gather(*done)
    return time.perf_counter() - started, time.process_time() - cpu


def library():
    import boto3
    from euca_boto.tracker import TrackerAPIError, TrackerClient
    session = boto3.Session(region_name="us-east-1", aws_access_key_id="AKIABENCH",
                            aws_secret_access_key="bench")
    os.environ["AWS_ENDPOINT_URL_STS"] = sts
    trackers = [TrackerClient(session, url) for _ in range(clients)]
    for tracker in trackers:  # each logs in before the clock runs
        tracker.hooks()
    if not trackers[0].use_sessions:
        return None
    lock = threading.Lock()

    def work(client):
        for n in range(client, total, clients):
            try:
                trackers[client].changes(since=0, limit=n % 9999 + 1)
            except TrackerAPIError as error:
                with lock:
                    failed(f"{{error.status}} {{error.code}}")

    threads = [threading.Thread(target=work, args=(n,)) for n in range(clients)]
    started, cpu = time.perf_counter(), time.process_time()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started, time.process_time() - cpu


try:
    outcome = library() if mode == "TrackerClient" else asyncio.run(raw())
except ConnectionRefusedError as error:
    outcome = None
print(json.dumps(None if outcome is None else
                 {{"seconds": outcome[0], "cpu": outcome[1], "failures": failures}}))
"""


class Process:
    """A helper process of the benchmark that answers one line per line it is sent."""

    def __init__(self, script: str, code: str) -> None:
        import subprocess

        self.proc = subprocess.Popen([sys.executable, "-c", script], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True,
                                     env={**os.environ, "PYTHONPATH": code})
        assert self.proc.stdout is not None and self.proc.stdin is not None
        self.first = self.proc.stdout.readline().strip()
        if not self.first:
            raise RuntimeError(f"a benchmark process did not start ({code})")

    def ask(self, line: str) -> float:
        assert self.proc.stdout is not None and self.proc.stdin is not None
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        return float(self.proc.stdout.readline())

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=60)


BENCH = str(Path(__file__).resolve().parent)
HERE = str(Path(__file__).resolve().parents[1])


def start_sts() -> Process:
    """The canned STS, in a process of its own: its work is not the tracker's."""
    return Process(_STS_SERVER.format(bench=BENCH), HERE)


def start_api(code: str, db: str, sts: str) -> Process:
    """The tracker API of the checkout ``code``, in a process of its own; ``first`` is its
    URL and ``ask("cpu")`` its CPU seconds so far."""
    return Process(_API_SERVER.format(code=code, db=db, sts=sts), code)


@dataclass
class ApiFigures:
    rates: list[float] = field(default_factory=list)  # requests/s
    server_us: list[float] = field(default_factory=list)  # server CPU µs per request
    load_us: list[float] = field(default_factory=list)  # load process CPU µs per request
    sts_per_client: list[float] = field(default_factory=list)
    failures: dict[str, int] = field(default_factory=dict)


def _spread(values: list[float], unit: str = "", digits: int = 0) -> str:
    if not values:
        return "-"
    low, mid, high = min(values), statistics.median(values), max(values)
    return f"{low:,.{digits}f} / {mid:,.{digits}f} / {high:,.{digits}f}{unit}"


def bench_api(tmp: Path, clients: int, requests_total: int, baseline: str | None,
              rounds: int) -> None:
    """Authenticated GET /changes at ``clients`` concurrent clients against the tracker in a
    process of its own (the canned STS in another), ``rounds`` rounds with the variants
    interleaved (the order turns every round): this version with session tokens, with an
    identity proof per request, and through TrackerClient; ``baseline``, an earlier checkout,
    with what it supports. Each round: requests/s, the server's CPU per request, and the STS
    calls per client (logins included)."""
    import subprocess

    sts = start_sts()
    checkouts = [("this version", HERE)]
    if baseline:
        checkouts.insert(0, ("baseline " + Path(baseline).name, baseline))
    servers = {label: start_api(code, str(tmp / f"api-{n}.db"), sts.first)
               for n, (label, code) in enumerate(checkouts)}
    modes = ["proof per request", "session tokens", "TrackerClient"]
    variants = [(label, code, mode) for label, code in checkouts for mode in modes]
    figures: dict[str, ApiFigures] = {}
    supported = set(range(len(variants)))
    load_start = os.getloadavg()
    try:
        for round_number in range(rounds):
            shift = round_number % len(variants)
            for index in [*range(shift, len(variants)), *range(shift)]:
                if index not in supported:
                    continue
                label, code, mode = variants[index]
                server = servers[label]
                calls, cpu = sts.ask("count"), server.ask("cpu")
                script = _LOAD.format(code=HERE, url=server.first, sts=sts.first, mode=mode,
                                      clients=clients, total=requests_total)
                done = subprocess.run([sys.executable, "-c", script], capture_output=True,
                                      text=True, timeout=600, check=True,
                                      env={**os.environ, "PYTHONPATH": HERE})
                outcome = json.loads(done.stdout.splitlines()[-1])
                if outcome is None:
                    supported.discard(index)
                    print(f"4. API ({label}, {mode}): not supported", flush=True)
                    continue
                name = f"{label}, {mode}"
                got = figures.setdefault(name, ApiFigures())
                got.rates.append(requests_total / outcome["seconds"])
                got.server_us.append((server.ask("cpu") - cpu) / requests_total * 1e6)
                got.load_us.append(outcome["cpu"] / requests_total * 1e6)
                got.sts_per_client.append((sts.ask("count") - calls) / clients)
                for kind, count in outcome["failures"].items():
                    got.failures[kind] = got.failures.get(kind, 0) + count
                print(f"   round {round_number + 1}, {name}: {got.rates[-1]:,.0f} requests/s, "
                      f"server {got.server_us[-1]:,.0f} µs CPU per request, "
                      f"{got.sts_per_client[-1]:g} STS calls per client", flush=True)
    finally:
        for server in servers.values():
            server.close()
        sts.close()
    load_end = os.getloadavg()
    print(f"4. API: {requests_total} authenticated GET /changes per round at {clients} "
          f"concurrent clients, {rounds} rounds interleaved; min / median / max "
          f"(load average {load_start[0]:.1f} at the start, {load_end[0]:.1f} at the end, "
          f"{os.cpu_count()} CPUs)", flush=True)
    for name, got in figures.items():
        print(f"   {name}: {_spread(got.rates)} requests/s; server CPU "
              f"{_spread(got.server_us, ' µs')} per request; load process "
              f"{_spread(got.load_us, ' µs')}; STS calls per client "
              f"{_spread(got.sts_per_client, digits=2)} (not 200: {got.failures or 'none'})",
              flush=True)
    if not figures:
        return
    first_name = next(iter(figures))
    first = figures[first_name]
    for name, got in figures.items():
        if got is first:
            continue
        rounds_seen = min(len(got.rates), len(first.rates))
        wall = [got.rates[n] / first.rates[n] for n in range(rounds_seen)]
        less_cpu = [first.server_us[n] / got.server_us[n] for n in range(rounds_seen)]
        print(f"   {name} vs {first_name}: throughput {_spread(wall, ' x', 2)}, "
              f"server CPU per request {_spread(less_cpu, ' x', 2)} less (per round, "
              f"min / median / max)", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--hooks", type=int, default=24)
    parser.add_argument("--rounds-per-hook", type=int, default=25)
    parser.add_argument("--delivery-workers", type=int, default=8)
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--watch-rounds", type=int, default=20)
    parser.add_argument("--api-clients", type=int, default=50)
    parser.add_argument("--api-requests", type=int, default=3_000)
    parser.add_argument("--api-rounds", type=int, default=3)
    parser.add_argument("--api-baseline", help="a checkout of an earlier euca-boto whose API "
                        "server is measured side by side (e.g. a git worktree)")
    parser.add_argument("--only", choices=["poll", "delivery", "read", "watch", "api"],
                        action="append",
                        help="run only these parts (repeatable; default: all)")
    parser.add_argument("--postgresql", help="also read the feed from this PostgreSQL URL "
                        "(use an empty scratch database or schema)")
    args = parser.parse_args()
    parts = set(args.only or ["poll", "delivery", "read", "watch", "api"])
    with tempfile.TemporaryDirectory(prefix="bench-tracker-") as tmp_name, \
            contextlib.ExitStack() as stack:
        tmp = Path(tmp_name)
        if parts & {"poll", "watch"}:
            cloud = stack.enter_context(LocalCloud(endpoints=1, partitions=1))
            config, credentials = cloud.write_aws_files(tmp / "aws", profile=PROFILE)
            os.environ["AWS_CONFIG_FILE"] = str(config)
            os.environ["AWS_SHARED_CREDENTIALS_FILE"] = str(credentials)
        if "poll" in parts:
            bench_poll(cloud, args.instances, tmp, args.rounds)
        if "delivery" in parts:
            bench_delivery(tmp, args.hooks, args.rounds_per_hook, args.delivery_workers,
                           [0.0, 0.01])
        if "read" in parts:
            bench_read(str(tmp / "read.db"), "SQLite", args.entries)
            if args.postgresql:
                bench_read(args.postgresql, "PostgreSQL", args.entries)
        if "watch" in parts:
            bench_watch(cloud, tmp, args.watch_rounds)
        if "api" in parts:
            bench_api(tmp, args.api_clients, args.api_requests, args.api_baseline,
                      args.api_rounds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
