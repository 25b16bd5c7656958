"""Typed, validated euca-boto settings, read the AWS way.

Settings are ``euca_``-prefixed keys in the profile of ``~/.aws/config`` (botocore finds the file
and the profile, so ``AWS_CONFIG_FILE`` and ``AWS_PROFILE`` are respected). A nested block named
after a service (``properties =`` or ``euprop =``) overrides them for that service, as botocore's
own ``s3 =`` blocks do. ``EUCA_BOTO_<KEY>`` environment variables override the file, and keyword
arguments override both. Every value is parsed and checked once, when a session is installed, so
a mistake surfaces as a :class:`~euca_boto.errors.ConfigError` naming where it was made, instead
of as odd behaviour on the hundredth call.
"""

from __future__ import annotations

import configparser
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final, TypeVar

from botocore.exceptions import ConfigParseError, ProfileNotFound

from euca_boto.core import process
from euca_boto.core.records import Record
from euca_boto.core.services import block_names
from euca_boto.core.setting_kinds import (
    Boolean,
    BooleanOrAuto,
    Choice,
    Duration,
    FilePath,
    HostPort,
    Integer,
    Kind,
    Name,
    NetworkList,
    Number,
    Percentage,
    Region,
    RetryBudgetSwitch,
    ServiceSelection,
    StatePlace,
    StateStore,
    StatusCodes,
    Url,
    UrlList,
    Verify,
    Window,
    known_service_names,
)
from euca_boto.core.urls import url_passwords
from euca_boto.errors import ConfigError

T = TypeVar("T")

if TYPE_CHECKING:
    import botocore.session

PREFIX = "euca_"
ENV_PREFIX = "EUCA_BOTO_"


class Setting(Record):
    """One ``euca_`` key: its type, default and the line of documentation users read."""

    __slots__ = ("key", "kind", "default", "doc", "per_service")

    def __init__(self, key: str, kind: Kind, default: Any, doc: str,
                 per_service: bool = True) -> None:
        self.key: Final = key
        self.kind: Final = kind
        self.default: Final = default
        self.doc: Final = doc
        self.per_service: Final = per_service

    @property
    def env_var(self) -> str:
        return ENV_PREFIX + self.key[len(PREFIX):].upper()


# The one table of every key. The configuration reference (docs/configuration.md) is generated
# from it.
SETTINGS: tuple[Setting, ...] = (
    Setting("euca_endpoint", Url(), None,
            "Base URL of the cloud (a user-facing host, e.g. https://ufs.example.com:8773/); "
            "admin commands such as `euca-boto admin status` call it.", per_service=False),
    Setting("euca_endpoint_urls", UrlList(), None,
            "URLs of the service on several hosts, spread and failed over in turn; a URL "
            "without a path gets the service's path, as euca_endpoint does."),
    Setting("euca_topology", Choice("static", "dns", "describe-services"), "static",
            "Where endpoints come from: `static` (endpoint URLs of the profile), `dns` "
            "(`<service>.<euca_dns_domain>`) or `describe-services` (the cloud's topology, "
            "read from euca_endpoint)."),
    Setting("euca_dns_domain", Name("a DNS domain such as cloud.example.com"), None,
            "The cloud's DNS domain (the property system.dns.dnsdomain)."),
    Setting("euca_dns_resolver", HostPort(), None,
            "The DNS server asked for endpoints; `none`: the system's resolvers."),
    Setting("euca_dns_timeout", Duration(minimum=0.001), 2.0,
            "How long a DNS lookup may take (seconds)."),
    Setting("euca_zone", Name("a zone or partition name such as PARTI00"), None,
            "Prefer endpoints in this zone (partition); the others are used when it fails."),
    Setting("euca_topology_refresh", Duration(minimum=0.001), 60.0,
            "How often the topology is re-read (seconds); DNS answers live for their TTL."),
    Setting("euca_eject_time", Duration(minimum=0.001), 5.0,
            "How long a failed endpoint is left out at first (seconds); doubled at each "
            "further failure."),
    Setting("euca_eject_max_time", Duration(minimum=0.001), 300.0,
            "The longest an endpoint is left out (seconds)."),
    Setting("euca_retry_status_codes", StatusCodes(),
            frozenset({408, 413, 429, 500, 502, 503, 504}),
            "HTTP statuses that are retried."),
    Setting("euca_retry_max_attempts", Integer(1, 100), 6,
            "Attempts per call, the first included (6 = 1 call + 5 retries)."),
    Setting("euca_retry_delay", Duration(), 10.0,
            "The cap of the delay between attempts (seconds)."),
    Setting("euca_retry_base_delay", Duration(), 0.5,
            "Ceiling of the first delay in `exponential` mode; it doubles after every failed "
            "attempt up to euca_retry_delay (seconds)."),
    Setting("euca_retry_backoff", Choice("exponential", "fixed"), "exponential",
            "`exponential`: full-jitter growth from the base delay up to the cap; "
            "`fixed`: always the cap."),
    Setting("euca_retry_after_max", Duration(), 60.0,
            "The longest server-requested delay honoured (Retry-After, x-amz-retry-after or "
            "a RetryAfter in the error body); a longer one is cut to it (seconds)."),
    Setting("euca_retry_deadline", Duration(minimum=0.001, allow_none=True), 90.0,
            "Total time budget of one call, retries included; no retry starts that would end "
            "after it (the next attempt is expected to take as long as the earlier ones did on "
            "average), which bounds a call's worst case. Keep it above twice the read timeout, "
            "so that a call can move on after one endpoint timed out. `none`: no deadline."),
    Setting("euca_retry_non_idempotent", Boolean(), False,
            "Retry calls that may change state even when the request may have taken effect "
            "(after a 500, 502, 504, a reset connection or a read timeout)."),
    Setting("euca_retry_budget", RetryBudgetSwitch(), True,
            "Limit the load retries add to a failing service: the retries of a service whose "
            "attempt before reached a server (an answer, or a connection broken after the "
            "request was sent) are at most euca_retry_budget_percent % of its successful calls "
            "plus euca_retry_budget_min_rate a second, over any 10 s; one over the budget is "
            "not made and the error surfaces at once. Failing over after a connection that was "
            "never made costs nothing. `false`: no budget."),
    Setting("euca_retry_budget_percent", Integer(0, 1000), 20,
            "The retries (that reached a server) a service may add, per 100 successful calls."),
    Setting("euca_retry_budget_min_rate", Number(0.0), 1.0,
            "The retries (that reached a server) a service may always make, per second, "
            "however few calls succeed."),
    Setting("euca_progress", Boolean(), True,
            "Under the AWS CLI and `euca-boto run`, each attempt that starts more than 3 s "
            "into its call is announced in one line on stderr: attempt n of m, when, the "
            "endpoint the last attempt failed on and why. `false` keeps them quiet "
            "(`euca-boto run --quiet` sets it for the whole command)."),
    Setting("euca_breaker", Boolean(), True,
            "Protect every client with a circuit breaker (one per profile, service and cloud "
            "endpoint)."),
    Setting("euca_breaker_scope", Choice("service", "operation"), "service",
            "One breaker per profile, service and cloud endpoint, or one per operation too."),
    Setting("euca_breaker_failure_rate", Percentage(), 50.0,
            "The breaker opens when this percentage of the calls in its window failed (after "
            "retries and failover), once the window holds euca_breaker_minimum_calls calls."),
    Setting("euca_breaker_window", Window(), "100 calls",
            "The calls a breaker's failure rate is computed over: the last N calls "
            "(`100 calls`) or the calls of the last N seconds (`60s`)."),
    Setting("euca_breaker_minimum_calls", Integer(1), 20,
            "Calls the window must hold before the breaker may open (a window of fewer calls "
            "needs only to be full)."),
    Setting("euca_breaker_slow_call_rate", Percentage(), 100.0,
            "The breaker also opens when this percentage of the calls in its window took "
            "euca_breaker_slow_call_duration or longer."),
    Setting("euca_breaker_slow_call_duration", Duration(minimum=0.001), 60.0,
            "How long a call may take before it counts as slow (seconds)."),
    Setting("euca_breaker_fail_max", Integer(1, allow_none=True), None,
            "Open on this many consecutive failed calls instead of on the failure rate over a "
            "window (the window settings then do not apply); `none`: the failure rate."),
    Setting("euca_breaker_reset_timeout", Duration(), 30.0,
            "How long an open breaker refuses calls before it lets a probe through (seconds)."),
    Setting("euca_breaker_success_threshold", Integer(1), 1,
            "Successful probes that close a half-open breaker."),
    Setting("euca_breaker_half_open_max_calls", Integer(1), 1,
            "Probe calls a half-open breaker lets through at once; the others fail fast."),
    Setting("euca_breaker_storage", StateStore(), "memory",
            "Where breaker state lives: `memory` (this process) or a Redis URL shared by a fleet "
            "(if Redis is unreachable, calls go on with a local breaker and a warning).",
            per_service=False),
    Setting("euca_state", StatePlace(), "memory",
            "Where endpoint ejections and breaker state are remembered: `memory` (this process "
            "only), `local` (a SQLite file shared by the user's processes on this machine, "
            "$XDG_CACHE_HOME/euca-boto/state.sqlite3) or the path of such a file. The default "
            "is `local` under the AWS CLI and `euca-boto run`. A Redis euca_breaker_storage "
            "keeps breakers in Redis.",
            per_service=False),
    Setting("euca_wire_log", ServiceSelection(), frozenset(),
            "Services whose HTTP traffic is logged (redacted) to the `euca_boto.wire.<service>` "
            "loggers at INFO; `all` for every service. `euca_boto.wire_log()` overrides it at "
            "run time."),
    Setting("euca_wire_log_max_body", Integer(0), 4096,
            "Bytes of each request and response body a wire-log record shows (the original "
            "size is stated); 0 shows none."),
    Setting("euca_wire_log_file", FilePath(), None,
            "Also write wire-log records to this file, rotated at 10 MiB (ten files kept).",
            per_service=False),
    Setting("euca_redact_botocore_logs", BooleanOrAuto(), BooleanOrAuto.AUTO,
            "Put the same redaction on botocore's and urllib3's own DEBUG log records "
            "(request parameters, signed headers, canonical requests, response bodies), by a "
            "filter on their loggers in this process; `auto`: once the wire log is on for any "
            "service.",
            per_service=False),
    Setting("euca_connect_timeout", Duration(minimum=0.001, allow_none=True), 10.0,
            "Seconds to wait for a connection (botocore `connect_timeout`); `none`: botocore's "
            "(60)."),
    Setting("euca_read_timeout", Duration(minimum=0.001, allow_none=True), 30.0,
            "Seconds to wait for each read of an answer (botocore `read_timeout`); an endpoint "
            "that does not answer in time is left out and the call moves on. `none`: "
            "botocore's (60)."),
    Setting("euca_max_pool_connections", Integer(1, 10000), None,
            "Connections kept per client (botocore `max_pool_connections`)."),
    Setting("euca_verify", Verify(), None,
            "TLS verification of the cloud's certificates: true, false, or a CA bundle path "
            "for a private cloud's certificate authority."),
    Setting("euca_region", Region(), None,
            "Region of the clients (per service, e.g. a separate region for IAM); a region "
            "passed to `client()` wins."),
    Setting("euca_tracker_interval", Duration(minimum=0.001), 30.0,
            "Seconds between the resource-change tracker's polls (`tracker serve --interval`).",
            per_service=False),
    Setting("euca_tracker_retention", Duration(minimum=1), 7 * 24 * 3600.0,
            "How long the tracker keeps feed entries (seconds; `tracker serve --retention`).",
            per_service=False),
    Setting("euca_tracker_suspend_after", Integer(1, 1000000), 10,
            "Failed deliveries in a row after which a tracker hook is suspended.",
            per_service=False),
    Setting("euca_tracker_hook_allow", NetworkList(), None,
            "Networks (CIDRs) and host names tracker hooks may target although they are not "
            "global addresses; hooks may target only globally reachable addresses otherwise.",
            per_service=False),
)

BY_KEY: dict[str, Setting] = {s.key: s for s in SETTINGS}


class Value(Record):
    """A resolved setting and where it came from, for ``euca-boto config``."""

    __slots__ = ("value", "source")

    def __init__(self, value: Any, source: str) -> None:
        self.value: Final = value
        self.source: Final = source


# Defaults of this process that differ from the table's, set by the tool that hosts euca-boto.
_HOST_DEFAULTS: dict[str, Value] = {}
process.register("host defaults", "per process, from set_host_default()", _HOST_DEFAULTS.clear,
                 in_fork_child=process.keep)


def set_host_default(key: str, raw: Any, host: str) -> None:
    """Make ``raw`` the default of ``key`` in this process (``host`` names the tool that wants
    it); the profile, the environment and arguments still override it."""
    _HOST_DEFAULTS[key] = Value(BY_KEY[key].kind.parse(raw), f"default under {host}")


class ServiceSettings(Mapping[str, Any]):
    """The effective settings for one service of one profile: key -> typed value."""

    def __init__(self, service: str | None, values: dict[str, Value]) -> None:
        self.service = service
        self._values = values
        # What features make of these settings (they never change), made once per view.
        self._derived: dict[str, Any] = {}

    def derived(self, name: str, make: Callable[[ServiceSettings], T]) -> T:
        """What ``make`` makes of these settings, made on first use and kept with them
        (``name`` tells one feature's from another's); what raises is not kept."""
        try:
            value: T = self._derived[name]
        except KeyError:
            value = self._derived[name] = make(self)
        return value

    def __getitem__(self, key: str) -> Any:
        return self._values[key].value

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def source(self, key: str) -> str:
        """Where the value of ``key`` came from: default, file, environment or argument."""
        return self._values[key].source


class Settings:
    """Every euca-boto setting of one profile, validated, with per-service views."""

    def __init__(
        self,
        profile: str,
        file_values: Mapping[str, Any],
        blocks: Mapping[str, Mapping[str, Any]],
        env_values: Mapping[str, Any],
        arg_values: Mapping[str, Any],
    ) -> None:
        self.profile = profile
        self._file = file_values
        self._blocks = blocks
        self._env = env_values
        self._args = arg_values
        self._cache: dict[tuple[str, ...], ServiceSettings] = {}

    def for_service(self, service: str | None = None) -> ServiceSettings:
        """The settings one service sees: the profile's, overridden by its nested block.

        ``service`` is a boto3 client name (``euprop``) or its Eucalyptus DNS label
        (``properties``); a block under either name applies.
        """
        names = tuple(block_names(service)) if service else ()
        cached = self._cache.get(names)
        if cached is not None:
            return cached
        values: dict[str, Value] = {}
        for setting in SETTINGS:
            key = setting.key
            resolved = _HOST_DEFAULTS.get(key) or Value(setting.default, "default")
            if key in self._file:
                resolved = Value(self._file[key], f"file (profile {self.profile})")
            # The block named first (the client name) wins over the DNS label's block.
            for name in reversed(names):
                block = self._blocks.get(name, {})
                if key in block:
                    resolved = Value(
                        block[key], f"file (profile {self.profile}, service block {name})"
                    )
            if key in self._env:
                resolved = Value(self._env[key], f"environment ({setting.env_var})")
            if key in self._args:
                resolved = Value(self._args[key], "argument")
            values[key] = resolved
        result = ServiceSettings(service, values)
        self._cache[names] = result
        return result

    @property
    def in_profile(self) -> bool:
        """Whether the profile itself sets any euca_ key (directly or in a service block);
        the environment and arguments apply to every profile, so they do not count."""
        return bool(self._file or self._blocks)

    @property
    def service_blocks(self) -> list[str]:
        """Names of the nested blocks in the profile that set euca_ keys."""
        return sorted(self._blocks)


def load(
    botocore_session: botocore.session.Session,
    overrides: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Read and validate the settings of the session's profile.

    Raises :class:`ConfigError` for the first bad or unknown key found, whether it is in the
    file, the environment or ``overrides``.
    """
    profile = botocore_session.profile or "default"
    try:
        scoped = botocore_session.get_scoped_config()
    except ProfileNotFound as error:
        raise ConfigError(
            f"profile {profile!r} was not found in the AWS config files "
            f"({botocore_session.get_config_variable('config_file')}): {error}"
        ) from None
    except ConfigParseError as error:
        path = error.kwargs.get("path") or botocore_session.get_config_variable("config_file")
        raise ConfigError(config_file_problem(str(path))) from None
    environ = os.environ if environ is None else environ
    where = f"profile {profile!r}"

    file_values = _parse_mapping(
        {k: v for k, v in scoped.items() if k.startswith(PREFIX) and not isinstance(v, dict)},
        where,
    )
    blocks: dict[str, dict[str, Any]] = {}
    for name, block in scoped.items():
        if not isinstance(block, dict):
            continue
        euca_keys = {k: v for k, v in block.items() if k.startswith(PREFIX)}
        if euca_keys:
            block_where = f"{where}, service block {name!r}"
            # botocore's own blocks (s3 =) may hold anything; one that carries euca_ keys
            # must name a service, or a misspelt name would quietly apply to nothing.
            if name not in known_service_names():
                raise ConfigError(
                    f"{block_where}: no service is named {name!r}, so its euca_ settings "
                    f"would apply to nothing" + _suggest(name, known_service_names())
                )
            blocks[name] = _parse_mapping(euca_keys, block_where, in_block=True)

    env_raw: dict[str, Any] = {}
    env_names = {s.env_var: s.key for s in SETTINGS}
    for var, raw in environ.items():
        if not var.startswith(ENV_PREFIX):
            continue
        if var not in env_names:
            raise ConfigError(
                f"environment variable {var} ({where}): unknown euca-boto setting"
                + _suggest(var, env_names)
            )
        env_raw[env_names[var]] = raw
    env_values = {
        key: parse_setting(key, raw, f"environment variable {BY_KEY[key].env_var} ({where})")
        for key, raw in env_raw.items()
    }
    arg_values = _parse_mapping(dict(overrides or {}), f"argument ({where})")
    return Settings(profile, file_values, blocks, env_values, arg_values)


def config_file_problem(path: str) -> str:
    """Where and why botocore cannot parse the AWS config file at ``path``, in one line.

    botocore only says that it cannot; the two mistakes people make are a line without ``=``
    inside a nested block (``properties =`` followed by indented ``key = value`` lines) and a
    key set twice in one section.
    """
    shown = os.path.expanduser(path)
    parser = configparser.RawConfigParser()
    try:
        with open(shown, encoding="utf-8") as handle:
            text = handle.read()
        parser.read_string(text, source=shown)
    except configparser.DuplicateOptionError as error:
        return (f"{shown}, line {error.lineno}: {error.option!r} is set twice in "
                f"[{error.section}]; keep one")
    except (configparser.Error, OSError, UnicodeDecodeError) as error:
        return f"{shown} cannot be parsed: {' '.join(str(error).split())}"
    lines = text.splitlines()
    for section in parser.sections():
        for key, value in parser.items(section, raw=True):
            if not value.startswith("\n"):
                continue
            for entry in value.strip().splitlines():
                if "=" not in entry:
                    number = _line_of(lines, entry)
                    where = f", line {number}" if number else ""
                    return (f"{shown}{where}: {entry.strip()!r} in the nested block {key!r} of "
                            f"[{section}] is not a `key = value` line")
    return f"{shown} cannot be parsed by botocore"


def _line_of(lines: Sequence[str], entry: str) -> int | None:
    for number, line in enumerate(lines, 1):
        if line.strip() == entry.strip():
            return number
    return None


def _parse_mapping(raw: Mapping[str, Any], where: str, in_block: bool = False) -> dict[str, Any]:
    parsed = {}
    for key, value in raw.items():
        if key not in BY_KEY:
            raise ConfigError(f"{where}: unknown setting {key!r}" + _suggest(key, BY_KEY))
        if in_block and not BY_KEY[key].per_service:
            raise ConfigError(
                f"{where}: {key} applies to the whole profile and cannot be set per service; "
                f"move it out of the service block"
            )
        parsed[key] = parse_setting(key, value, where)
    return parsed


def parse_setting(key: str, raw: Any, where: str) -> Any:
    """The value of setting ``key`` written as ``raw``, or :class:`ConfigError` naming
    ``where`` it was written (a file, a variable, a function's argument), the value (without a
    password a URL in it may carry) and what was expected. ``key`` must be a known setting:
    which keys a place accepts is its own business."""
    setting = BY_KEY[key]
    try:
        return setting.kind.parse(raw)
    except (ValueError, TypeError):
        raise ConfigError(
            f"{where}: {key} = {url_passwords(repr(raw))} is not valid; expected "
            f"{setting.kind.expected}"
        ) from None


def _suggest(word: str, known: Iterable[str]) -> str:
    import difflib  # only a mistake pays for it

    match = difflib.get_close_matches(word, list(known), n=1, cutoff=0.6)
    return f"; did you mean {match[0]}?" if match else "; see `euca-boto config --reference`"


def reference_table(settings: Sequence[Setting] = SETTINGS) -> str:
    """The configuration reference as a Markdown table (docs/configuration.md embeds it)."""
    lines = [
        "| key | environment variable | default | per service | meaning |",
        "| --- | --- | --- | --- | --- |",
    ]
    for s in settings:
        lines.append(
            f"| `{s.key}` | `{s.env_var}` | {format_value(s.default)} | "
            f"{'yes' if s.per_service else 'no'} | {s.doc} Expected: {s.kind.expected}. |"
        )
    return "\n".join(lines) + "\n"


def format_value(value: Any) -> str:
    """A value as a user would write it in ``~/.aws/config``."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, frozenset):
        return ",".join(str(v) for v in sorted(value)) if value else "none"
    if isinstance(value, tuple):
        return ", ".join(str(v) for v in value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)
