"""The request log: one record per request an endpoint received, for tests to assert on."""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class RequestRecord:
    """One request as received, and how it was answered.

    ``service`` is the LocalCloud service key (``bootstrap``, ``properties``, ``ec2``, ...),
    ``params`` the decoded query/form parameters (repeated names give a list), ``status`` the
    HTTP status answered (``None`` when the connection was reset or black-holed), ``fault``
    the injected fault that shaped the answer, if any, and ``client_port`` the port of the
    connection it came on (requests on one kept-alive connection share it).
    """

    endpoint: int
    method: str
    path: str
    service: str | None
    action: str | None
    params: dict[str, str | list[str]]
    headers: dict[str, str]
    status: int | None
    time: float
    fault: str | None = None
    access_key: str | None = None
    client_port: int | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class RequestLog:
    """A thread-safe append-only list of records."""

    _records: list[RequestRecord] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def append(self, record: RequestRecord) -> None:
        with self._lock:
            self._records.append(record)

    def snapshot(self) -> list[RequestRecord]:
        with self._lock:
            return list(self._records)

    def clear(self) -> None:
        with self._lock:
            self._records.clear()
