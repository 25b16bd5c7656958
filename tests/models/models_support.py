"""Test support for the model tests: a canned-response HTTP server and sessions with our models."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import botocore.session
from botocore.config import Config

from euca_boto import msgs

MODELS_DIR = Path(__file__).resolve().parents[2] / "service-models"


@dataclass
class Recorded:
    """One request as the server saw it."""

    method: str
    path: str
    headers: dict[str, str]
    body: str


@dataclass
class Reply:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


class CannedServer:
    """An HTTP server on 127.0.0.1 that records requests and answers with queued replies."""

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self._replies: queue.Queue[Reply] = queue.Queue()
        canned = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802 - the name http.server dispatches to
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode()
                canned.requests.append(
                    Recorded(self.command, self.path, dict(self.headers.items()), body)
                )
                try:
                    reply = canned._replies.get_nowait()
                except queue.Empty:
                    reply = Reply(599, b"no canned reply queued", {"Content-Type": "text/plain"})
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                self.wfile.write(reply.body)

            do_GET = do_POST  # noqa: N815

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/services/Empyrean/"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    def reply(
        self,
        body: str | bytes,
        status: int = 200,
        content_type: str = "text/xml;charset=UTF-8",
    ) -> None:
        data = body.encode() if isinstance(body, str) else body
        self._replies.put(Reply(status, data, {"Content-Type": content_type}))

    def reset(self) -> None:
        """Forget recorded requests and drop replies a previous test left queued."""
        self.requests.clear()
        while not self._replies.empty():
            self._replies.get_nowait()

    @property
    def last_body(self) -> str:
        return self.requests[-1].body

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def models_session() -> botocore.session.Session:
    """A botocore session that loads our models first and has the msgs handlers."""
    session = botocore.session.Session()
    session.get_component("data_loader").search_paths.insert(0, str(MODELS_DIR))
    msgs.register(session.get_component("event_emitter"))
    return session


ClientFactory = Callable[..., Any]


def make_client(session: botocore.session.Session, service: str, url: str) -> Any:
    return session.create_client(
        service,
        region_name="eucalyptus",
        endpoint_url=url,
        aws_access_key_id="AKIAEXAMPLE",
        aws_secret_access_key="secret",
        config=Config(retries={"total_max_attempts": 1}),
    )
