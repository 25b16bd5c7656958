"""Fixtures of the tracker tests: LocalCloud with three accounts, a webhook receiver, stores.

The PostgreSQL store uses the server on 127.0.0.1:5432 (trust auth, database ``test``) when it
answers; otherwise the fixture initialises and starts its own server from
``/usr/lib/postgresql/*/bin`` in a temporary directory on a free port, and stops it by pid.
Each test run gets its own database and each test its own schema in it, both dropped
afterwards, so concurrent runs never collide.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import psycopg
import pytest
from awsenv import PROFILE
from ports import free_port
from tracker_support import (  # noqa: F401 - re-exported names the fixtures use
    Cloud,
    Delivery,
    Receiver,
    _answers,
)

import euca_boto

# LocalCloud and sessions of two accounts ---------------------------------------------------------


@pytest.fixture(scope="module")
def cloud() -> Iterator[Cloud]:
    from euca_boto.testing import LocalCloud

    saved = {k: os.environ.get(k) for k in ("AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE",
                                             "AWS_PROFILE")}
    with tempfile.TemporaryDirectory(prefix="tracker-aws-") as tmp, \
            LocalCloud(endpoints=2, partitions=2) as local:
        config, credentials = local.write_aws_files(tmp, profile=PROFILE)
        os.environ["AWS_CONFIG_FILE"] = str(config)
        os.environ["AWS_SHARED_CREDENTIALS_FILE"] = str(credentials)
        os.environ.pop("AWS_PROFILE", None)
        try:
            admin = euca_boto.session(profile_name=PROFILE)
            # Two more accounts with keys of their own: GetCallerIdentity names each key's
            # account, and each acts in its own part of the cloud.
            accounts = []
            for name in ("acme", "globex"):
                key, secret = local.add_credentials(account=name)
                session = euca_boto.session(profile_name=PROFILE, aws_access_key_id=key,
                                            aws_secret_access_key=secret)
                account_id = next(a["AccountId"] for a in admin.client("iam").list_accounts()[
                    "Accounts"] if a["AccountName"] == name)
                accounts.append((session, account_id))
            (tenant, tenant_account), (other, other_account) = accounts
            yield Cloud(local, Path(tmp), admin, tenant, tenant_account, other, other_account)
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value


@pytest.fixture(autouse=True)
def _clear_faults(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "cloud" in request.fixturenames:
        request.getfixturevalue("cloud").cloud.clear()


# Stores ----------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """The URL of a database of this test run's own, on a running PostgreSQL (trust auth)."""
    with _postgres_base() as base:
        # The server may be shared with other test runs: this run works in a database of its
        # own, created here and dropped at the end.
        name = f"tracker_run_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        try:
            yield base.rsplit("/", 1)[0] + "/" + name
        finally:
            with psycopg.connect(base, autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@contextlib.contextmanager
def _postgres_base() -> Iterator[str]:
    """A URL of a running PostgreSQL: the one on 127.0.0.1:5432 if it answers, else one started
    here for the run."""
    if _answers("127.0.0.1", 5432):
        try:
            psycopg.connect("postgresql://postgres@127.0.0.1:5432/test", connect_timeout=5).close()
            yield "postgresql://postgres@127.0.0.1:5432/test"
            return
        except psycopg.OperationalError:
            pass
    bins = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
    if not bins:
        pytest.fail("PostgreSQL is not installed: apt-get install postgresql")
    bindir = bins[-1]
    datadir = Path(tempfile.mkdtemp(prefix="tracker-pg-"))
    port = free_port()
    # initdb refuses to run as root; run the server as the postgres system user then.
    as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if as_user:
        shutil.chown(datadir, "postgres")
    subprocess.run([*as_user, f"{bindir}/initdb", "-D", str(datadir / "data"), "-U", "postgres",
                    "-A", "trust"], check=True, capture_output=True)
    server = subprocess.Popen(
        [*as_user, f"{bindir}/postgres", "-D", str(datadir / "data"), "-p", str(port),
         "-h", "127.0.0.1", "-k", str(datadir)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while not _answers("127.0.0.1", port):
            if time.monotonic() > deadline or server.poll() is not None:
                pytest.fail("the PostgreSQL started by the tests did not come up")
            time.sleep(0.1)
        base = f"postgresql://postgres@127.0.0.1:{port}/postgres"
        for _ in range(50):
            try:
                psycopg.connect(base, connect_timeout=5).close()
                break
            except psycopg.OperationalError:
                time.sleep(0.1)
        yield base
    finally:
        server.send_signal(signal.SIGINT)  # PostgreSQL's "fast shutdown"
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        shutil.rmtree(datadir, ignore_errors=True)


@pytest.fixture
def postgres_url(postgres_server: str) -> Iterator[str]:
    """A store URL in a fresh schema of its own, dropped after the test."""
    schema = f"tracker_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_server, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    separator = "&" if "?" in postgres_server else "?"
    yield f"{postgres_server}{separator}options=-csearch_path%3D{schema}"
    with psycopg.connect(postgres_server, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "feed.db")
    url: str = request.getfixturevalue("postgres_url")
    return url


# A webhook receiver ----------------------------------------------------------------------------


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            return

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            if len(body) < length:
                # The sender died mid-request (a SIGKILLed tracker): a real receiver never
                # sees such a request as delivered, and the tracker sends it again.
                self.close_connection = True
                return
            if state.latency:
                time.sleep(state.latency)
            with state.lock:
                state.attempts += 1
                failing = state.failures_left > 0
                if failing:
                    state.failures_left -= 1
                else:
                    state.deliveries.append(Delivery(body, dict(self.headers.items())))
            status = state.status if failing else 204
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    yield state
    server.shutdown()
    server.server_close()
