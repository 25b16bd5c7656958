"""The tracker API on HTTP: a threaded server on a host and port that hands every request to
the controller and writes its JSON answer."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from euca_boto.tracker.api.controller import Controller, error

MAX_BODY = 1 << 20


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], controller: Controller) -> None:
        self.controller = controller
        super().__init__(address, _Handler)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "euca-boto-tracker"
    sys_version = ""
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        return  # request lines carry hook tokens in query strings; they stay out of logs

    def _serve(self) -> None:
        length = self.headers.get("Content-Length") or "0"
        if not length.isdigit() or int(length) > MAX_BODY:
            answer = error(413, "BodyTooLarge", f"request bodies are limited to {MAX_BODY} bytes")
            self.close_connection = True
        else:
            body = self.rfile.read(int(length)) if int(length) else b""
            answer = self.server.controller.handle(
                self.command, self.path, dict(self.headers.items()), body
            )
        payload = answer.encode()
        self.send_response(answer.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def do_GET(self) -> None:
        self._serve()

    do_PUT = do_POST = do_DELETE = do_PATCH = do_GET


class ApiServer:
    """A running API server; ``close()`` stops it."""

    def __init__(self, controller: Controller, host: str = "127.0.0.1", port: int = 8780) -> None:
        self._server = _Server((host, port), controller)
        address = self._server.server_address
        self.host, self.port = str(address[0]), int(address[1])
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.1},
            name="tracker-api", daemon=True,
        )
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
