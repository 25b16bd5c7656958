"""Per-service wire logging: every HTTP attempt of a call, redacted, through standard ``logging``.

Each attempt becomes one record on the logger ``euca_boto.wire.<service>`` at INFO: service,
operation, attempt, endpoint, effective caller identity, the request (method, URL, headers, body)
and the response (status, headers, body, elapsed time) or the error that replaced it. Retries and
failovers therefore show as consecutive records. Everything shown is redacted
(:mod:`euca_boto.core.redact`), by the names known to carry secrets and by the operation's
model: every member it marks sensitive (:mod:`euca_boto.core.sensitive`). Which services are
logged comes from the ``euca_wire_log`` setting, overridden at run time by :func:`wire_log`.
When a service is not selected, or its logger would drop the record, the handlers return
before formatting anything: a record's text is made by :mod:`euca_boto.wirerecords`, which
the first record loads.
"""

from __future__ import annotations

import itertools
import logging
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from types import ModuleType, TracebackType
from typing import TYPE_CHECKING, Any

from euca_boto.core import botocore_access, logfork, process
from euca_boto.core.dispatch import event_step
from euca_boto.core.services import block_names
from euca_boto.core.settings import Settings
from euca_boto.errors import ConfigError

if TYPE_CHECKING:
    from euca_boto.core.redact import Redactor

# The redaction (core/redact, core/sensitive) and botocore_logs are imported once a record is
# made or botocore's records are redacted: a command whose wire log is off does not load them.
_BOTOCORE_LOGS = "euca_boto.botocore_logs"
# Held while a client is given its recording handlers (ServiceWireLog._record_on): no network.
_attach_lock = process.lock()

LOGGER_NAME = "euca_boto.wire"
LEVEL = logging.INFO
ALL = "all"

# Rotation of the optional file: ten files of 10 MiB keep a busy day without filling a disk.
FILE_MAX_BYTES = 10 * 1024 * 1024
FILE_BACKUPS = 9

# Keys of the per-call context dict where one attempt's request waits for its response.
_SENT_AT = "euca_boto.wire.sent_at"
_REQUEST = "euca_boto.wire.request"
_IDENTITY = "euca_boto.wire.identity"

# One redactor for the process, so secret properties learned in one session are hidden in all;
# made with the first record.
_redactor: Redactor | None = None
_redactor_lock = process.lock()


def shared_redactor() -> Redactor:
    """The process's redactor (what the wire log of every session redacts with)."""
    global _redactor
    with _redactor_lock:
        if _redactor is None:
            from euca_boto.core.redact import Redactor

            _redactor = Redactor()
        return _redactor


def _caller() -> ModuleType:
    """The caller-context module: who a recorded call acted as. Loaded with the first record,
    so that a process which enters no caller context (the AWS CLI) does not load it."""
    from euca_boto import context

    return context


def logger_for(service: str) -> logging.Logger:
    """The logger of one service's wire records (``euca_boto.wire.<service>``)."""
    return logging.getLogger(f"{LOGGER_NAME}.{service}")


def selects(selection: Iterable[str], service: str) -> bool:
    """Whether a ``euca_wire_log`` selection covers ``service`` (client name or DNS label)."""
    chosen = set(selection)
    return ALL in chosen or any(name in chosen for name in block_names(service))


def configure(settings: Settings) -> None:
    """Apply the profile-wide wire-log settings of an installed session (the file, and the
    redaction of botocore's own log records when asked for outright)."""
    values = settings.for_service(None)
    if values["euca_redact_botocore_logs"] is True:
        from euca_boto import botocore_logs

        botocore_logs.attach()
    path = values["euca_wire_log_file"]
    if path is not None:
        try:
            attach_file(path)
        except OSError as error:  # checked when read, but the file system may still refuse
            raise ConfigError(
                f"euca_wire_log_file = {path!r} ({values.source('euca_wire_log_file')}) "
                f"cannot be opened: {error.strerror or error}"
            ) from None


# Run-time switches ----------------------------------------------------------------------------


class _Switches:
    """Run-time overrides of the settings, newest first. Thread safe.

    ``version`` changes on every change, so handlers re-decide only then.
    """

    def __init__(self) -> None:
        self._lock = process.lock()
        self._entries: dict[int, tuple[frozenset[str], bool]] = {}
        self._ids = itertools.count(1)
        self.version = 0

    def add(self, names: frozenset[str], enabled: bool) -> int:
        with self._lock:
            token = next(self._ids)
            self._entries[token] = (names, enabled)
            self.version += 1
            return token

    def remove(self, token: int) -> None:
        with self._lock:
            if self._entries.pop(token, None) is not None:
                self.version += 1

    def clear(self) -> None:
        """Withdraw every switch (a switch restored later finds itself gone)."""
        with self._lock:
            self._entries.clear()
            self.version += 1

    def decide(self, service: str) -> bool | None:
        """The newest switch's word on ``service``, or None when no switch covers it."""
        with self._lock:
            entries = list(self._entries.values())
        for names, enabled in reversed(entries):
            if selects(names, service):
                return enabled
        return None


_switches = _Switches()
process.register("wire-log switches", "per switch, until its restore()", _switches.clear,
                 in_fork_child=process.keep)


class WireLogSwitch:
    """A run-time wire-log switch; in effect from creation until :meth:`restore` (or the end
    of its ``with`` block), after which the earlier state applies again."""

    def __init__(self, names: frozenset[str], enabled: bool) -> None:
        self.services = names
        self.enabled = enabled
        self._token: int | None = _switches.add(names, enabled)

    def restore(self) -> None:
        """Withdraw this switch."""
        if self._token is not None:
            _switches.remove(self._token)
            self._token = None

    def __enter__(self) -> WireLogSwitch:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.restore()

    def __repr__(self) -> str:
        state = "on" if self.enabled else "off"
        return f"<WireLogSwitch {','.join(sorted(self.services))} {state}>"


def wire_log(*services: str, enabled: bool = True) -> WireLogSwitch:
    """Turn wire logging of ``services`` (all services when none are named) on or off.

    Works at once, in every session, over the ``euca_wire_log`` setting::

        euca_boto.wire_log("ec2")                  # from now on
        with euca_boto.wire_log("euprop", "iam"):  # inside the block only
            ...
        with euca_boto.wire_log(enabled=False):    # silence everything for a while
            ...
    """
    names = frozenset(s.strip().lower() for s in services) or frozenset({ALL})
    for name in names:
        if not isinstance(name, str) or not name:
            raise ValueError(f"wire_log() takes service names such as 'ec2', got {services!r}")
    return WireLogSwitch(names, enabled)


# The optional file ---------------------------------------------------------------------------

_files_lock = process.lock()
_files: dict[Path, logging.Handler] = {}
_level_set_for_files: set[Path] = set()


def attach_file(path: str | Path) -> logging.Handler:
    """Write every wire record to a rotating file at ``path`` too (once per path)."""
    resolved = Path(path).expanduser().resolve()
    with _files_lock:
        handler = _files.get(resolved)
        if handler is None:
            import logging.handlers  # only a profile with a wire-log file pays for it

            handler = logging.handlers.RotatingFileHandler(
                resolved, maxBytes=FILE_MAX_BYTES, backupCount=FILE_BACKUPS, encoding="utf-8"
            )
            handler.setFormatter(
                logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s")
            )
            root = logging.getLogger(LOGGER_NAME)
            root.addHandler(handler)
            # The file was asked for, so its records must pass the level check even when the
            # application left the level at the root's WARNING.
            if root.level == logging.NOTSET:
                root.setLevel(LEVEL)
                _level_set_for_files.add(resolved)
            _files[resolved] = handler
        return handler


def detach_file(path: str | Path) -> None:
    """Stop writing wire records to the file at ``path`` and close it."""
    resolved = Path(path).expanduser().resolve()
    root = logging.getLogger(LOGGER_NAME)
    with _files_lock:
        handler = _files.pop(resolved, None)
        if not _files and _level_set_for_files:
            # Give the level back to the application once no file needs it.
            _level_set_for_files.clear()
            root.setLevel(logging.NOTSET)
    if handler is not None:
        root.removeHandler(handler)
        handler.close()


def _detach_files() -> None:
    with _files_lock:
        paths = list(_files)
    for path in paths:
        detach_file(path)


# A fork child appends to the same files (none of them half written: see below).
process.register("wire-log files", "per file path, until detach_file()", _detach_files,
                 in_fork_child=process.keep)
logfork.register("handlers wire records reach", "theirs, while they are attached",
                 logfork.reached_from(LOGGER_NAME))


class ServiceWireLog:
    """The wire log of one service in one session: decides, then records attempts.

    ``settings`` returns the session's current settings; the service's ``euca_wire_log``
    selection and body cap are looked up again only when they or a run-time switch change.
    """

    def __init__(
        self,
        service: str,
        settings: Callable[[], Settings],
        redactor: Redactor | None = None,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.service = service
        self.logger = logger_for(service)
        self._settings = settings
        self._redactor = redactor  # None: the process's (shared_redactor), made when needed
        self._clock = clock
        self._decided_for: tuple[Settings, int] | None = None
        self._on = False
        self._max_body = 4096
        # The unique id of the before-send handler: whether a client records (see attach).
        self._send_id = f"euca-boto-wirelog-before-send-{service}"

    def active(self) -> bool:
        """Whether a record of this service would be emitted now."""
        settings = self._settings()
        version = _switches.version
        decided = self._decided_for
        # Twice per attempt: decided once per settings and switch version, compared in place.
        if decided is None or decided[0] is not settings or decided[1] != version:
            view = settings.for_service(self.service)
            switched = _switches.decide(self.service)
            if switched is None:
                switched = selects(view["euca_wire_log"], self.service)
            self._on = switched
            self._max_body = view["euca_wire_log_max_body"]
            self._decided_for = (settings, version)
            if switched and view["euca_redact_botocore_logs"] is not False:
                from euca_boto import botocore_logs

                botocore_logs.attach()  # "auto": botocore's records too, while this logs
        return self._on and self.logger.isEnabledFor(LEVEL)

    def request_sent(self, request: Any) -> None:
        """Note an attempt's prepared request (after signing) and when it left."""
        if not self.active():
            return
        context = botocore_access.sent_request_context(request)
        if context is None:
            return
        context[_REQUEST] = request
        context[_IDENTITY] = _caller().describe_current()
        context[_SENT_AT] = self._clock()

    def response_received(
        self,
        operation: str,
        context: dict[str, Any],
        response: Mapping[str, Any] | None,
        error: BaseException | None,
    ) -> None:
        """Emit the record of the attempt whose request :meth:`request_sent` noted."""
        request = context.pop(_REQUEST, None)
        if request is None:
            return
        elapsed = self._clock() - context.pop(_SENT_AT)
        identity = context.pop(_IDENTITY)
        model = botocore_access.operation_model_of(context)
        from euca_boto.core.sensitive import NO_SECRETS, secrets_of
        from euca_boto.wirerecords import make_exchange

        exchange = make_exchange(
            self.service, operation, botocore_access.attempt_of(context), identity, request,
            response, error, elapsed, self._redactor or shared_redactor(), self._max_body,
            NO_SECRETS if model is None else secrets_of(model),
        )
        self.logger.log(
            LEVEL,
            "%s",
            exchange.message(),
            extra={
                "euca_service": self.service,
                "euca_operation": operation,
                "euca_attempt": exchange.attempt,
                "euca_endpoint": exchange.url,
                "euca_identity": identity,
                "euca_status": exchange.status,
                "euca_elapsed": elapsed,
            },
        )

    # botocore event adapters ------------------------------------------------------------------

    @event_step
    def on_before_call(self, event: dict[str, Any]) -> None:
        model = event["model"]
        botocore_access.note_operation_model(event["context"], model)
        # Decided before botocore logs the call's first record.
        if self.active():
            self._record_on(event, model)
        # Not imported here: a process that has not loaded it has not attached it either.
        logs = sys.modules.get(_BOTOCORE_LOGS)
        if logs is not None and logs.attached():
            logs.note_operation(model)

    def attach(self, emitter: botocore_access.Emitter) -> None:
        """Register the handlers that record this service's attempts on ``emitter`` (a plan's
        or a client's; idempotent)."""
        service_id = self.service
        botocore_access.track_sent_request_context(emitter, service_id)
        emitter.register(f"before-send.{service_id}", self.on_before_send,
                         unique_id=self._send_id)
        emitter.register(f"response-received.{service_id}", self.on_response_received,
                         unique_id=f"euca-boto-wirelog-response-received-{service_id}")

    def _record_on(self, event: dict[str, Any], model: Any) -> None:
        """Make sure the client of a call that is to be recorded records it: a client made while
        its service's wire log was off has no recording handlers (they would cost every call),
        and gets them from its first call after a switch or new settings turned it on."""
        emitter = botocore_access.emitter_of_call(event)
        if emitter is None:
            return
        if not botocore_access.holds_unique_id(emitter, self._send_id):
            with _attach_lock:  # two threads' first calls: one registers
                if not botocore_access.holds_unique_id(emitter, self._send_id):
                    self.attach(emitter)
        # A thread that looked this call's events up while they were being registered may
        # have kept what it found without them: forgotten then, and looked up again.
        operation = f"{self.service}.{model.name}"
        botocore_access.forget_stale_lookup(emitter, f"before-send.{operation}",
                                            self.on_before_send)
        botocore_access.forget_stale_lookup(emitter, f"response-received.{operation}",
                                            self.on_response_received)

    def on_before_send(self, request: Any, **kwargs: Any) -> None:
        # Every attempt of every call comes here: while the service's wire log is off (as
        # before-call, which precedes each send, decided it last), nothing more is asked.
        if self._on:
            self.request_sent(request)

    def on_response_received(
        self,
        event_name: str,
        context: dict[str, Any],
        response_dict: Mapping[str, Any] | None = None,
        exception: BaseException | None = None,
        **kwargs: Any,
    ) -> None:
        if _REQUEST not in context:
            return
        self.response_received(event_name.rsplit(".", 1)[-1], context, response_dict, exception)


def register(emitter: botocore_access.Emitter, service_id: str,
             settings: Callable[[], Settings]) -> ServiceWireLog:
    """Register the wire log of one service on a botocore event emitter (idempotent)."""
    log = ServiceWireLog(service_id, settings)
    emitter.register(
        f"before-call.{service_id}", log.on_before_call,
        unique_id=f"euca-boto-wirelog-before-call-{service_id}",
    )
    # The recording handlers only where the log may be on already; elsewhere a client gets
    # them from its first call that is to be recorded (ServiceWireLog._record_on).
    if log.active():
        log.attach(emitter)
    return log
