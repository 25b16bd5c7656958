"""The control server: a small JSON API to inject faults and read request logs from outside.

It lets a shell (``euca-boto fault ...``) or another process drive a running LocalCloud. Its
own requests are never faulted.

  GET    /                          the cloud: region, endpoints, states, epoch
  GET    /endpoints                 every endpoint
  POST   /endpoints/{i}/faults      {"kind": "status", "status": 503, "count": 2, "retry_after": 3}
                                    kinds: status, latency (seconds), reset (count),
                                    malformed (count), blackhole, stop, start, clear
  DELETE /endpoints/{i}/faults      clear every fault
  GET    /endpoints/{i}/requests    the request log; DELETE empties it
  GET    /requests                  every endpoint's log
"""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

from .server import Endpoint

if TYPE_CHECKING:
    from .cloud import LocalCloud

FAULT_KINDS = ("status", "latency", "reset", "malformed", "blackhole", "stop", "start", "clear")


class ControlError(ValueError):
    """A control request that cannot be carried out; the message says why."""


def apply_fault(endpoint: Endpoint, spec: dict[str, Any]) -> None:
    """Apply one fault description (the JSON body of ``POST /endpoints/{i}/faults``)."""
    kind = spec.get("kind")
    try:
        if kind == "status":
            if "status" not in spec:
                raise ControlError('a "status" fault needs "status" (an HTTP status code)')
            endpoint.fail(
                int(spec["status"]),
                int(spec.get("count", 1)),
                spec.get("retry_after"),
                spec.get("body"),
            )
        elif kind == "latency":
            endpoint.latency(float(spec.get("seconds", 0)))
        elif kind == "reset":
            endpoint.reset(int(spec.get("count", 1)))
        elif kind == "malformed":
            endpoint.malformed(int(spec.get("count", 1)))
        elif kind in ("blackhole", "stop", "start", "clear"):
            getattr(endpoint, kind)()
        else:
            raise ControlError(
                f"unknown fault kind {kind!r}; expected one of {', '.join(FAULT_KINDS)}"
            )
    except (TypeError, ValueError) as exc:
        if isinstance(exc, ControlError):
            raise
        raise ControlError(f"bad {kind} fault {spec}: {exc}") from exc


def endpoint_json(endpoint: Endpoint) -> dict[str, Any]:
    return {
        "index": endpoint.index,
        "url": endpoint.url,
        "port": endpoint.port,
        "host": endpoint.host,
        "partition": endpoint.partition,
        "state": endpoint.state,
    }


class _ControlHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "LocalCloud-control"

    def version_string(self) -> str:
        return self.server_version

    server: _ControlServer

    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_GET(self) -> None:
        self._dispatch()

    do_POST = do_DELETE = do_GET

    def _dispatch(self) -> None:
        cloud = self.server.cloud
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        path = self.path.split("?", 1)[0].rstrip("/") or "/"
        try:
            match = re.fullmatch(r"/endpoints/(\d+)(/faults|/requests)?", path)
            endpoint = None
            if match:
                index = int(match.group(1))
                if index >= len(cloud.endpoints):
                    raise LookupError(
                        f"no endpoint {index}; this cloud has "
                        f"{len(cloud.endpoints)} (0-{len(cloud.endpoints) - 1})"
                    )
                endpoint = cloud.endpoints[index]
            # An endpoint's own resources are told apart from the cloud's by the endpoint.
            route = (self.command, match.group(2) if match else path)
            if endpoint is None and route == ("GET", "/"):
                self._reply(200, cloud.describe())
            elif endpoint is None and route == ("GET", "/endpoints"):
                self._reply(200, [endpoint_json(e) for e in cloud.endpoints])
            elif endpoint is None and route == ("GET", "/requests"):
                self._reply(200, [r.to_json() for r in cloud.requests()])
            elif endpoint is not None and route == ("GET", None):
                self._reply(200, endpoint_json(endpoint))
            elif endpoint is not None and route == ("POST", "/faults"):
                spec = json.loads(raw or b"{}")
                if not isinstance(spec, dict):
                    raise ControlError(
                        'the body must be a JSON object such as {"kind": "status", "status": 503}'
                    )
                apply_fault(endpoint, spec)
                self._reply(200, endpoint_json(endpoint))
            elif endpoint is not None and route == ("DELETE", "/faults"):
                endpoint.clear()
                self._reply(200, endpoint_json(endpoint))
            elif endpoint is not None and route == ("GET", "/requests"):
                self._reply(200, [r.to_json() for r in endpoint.requests])
            elif endpoint is not None and route == ("DELETE", "/requests"):
                endpoint.clear_requests()
                self._reply(200, [])
            else:
                self._reply(404, {"error": f"no such control resource: {self.command} {path}"})
        except LookupError as exc:
            self._reply(404, {"error": str(exc)})
        except (ControlError, json.JSONDecodeError) as exc:
            self._reply(400, {"error": str(exc)})

    def _reply(self, status: int, payload: Any) -> None:
        body = json.dumps(payload, indent=1).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class _ControlServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], cloud: LocalCloud) -> None:
        self.cloud = cloud
        super().__init__(address, _ControlHandler)


class ControlServer:
    """Runs the control API for one cloud on 127.0.0.1."""

    def __init__(self, cloud: LocalCloud, port: int = 0) -> None:
        self._server = _ControlServer(("127.0.0.1", port), cloud)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="localcloud-control",
            daemon=True,
        )
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=1)
