"""The kinds of value a euca-boto setting takes, and how each one's text becomes a typed value.

A kind parses what a profile, an environment variable or an argument says (``500ms``, ``60s``,
``true``, a URL, a list of services) into the value the features use, or raises ``ValueError``;
:mod:`euca_boto.core.settings` names the kind of every key and turns that error into a
:class:`~euca_boto.errors.ConfigError` saying where the value was written. Each kind also says,
in ``expected``, what it accepts, for that error and for the configuration reference.
"""

from __future__ import annotations

import functools
import math
import os
import re
from collections.abc import Iterable
from typing import Any, Protocol
from urllib.parse import urlsplit

import botocore.loaders

from euca_boto.core.botocore_access import hyphenized_service_ids
from euca_boto.core.services import SERVICES


class Kind(Protocol):
    """How one setting's text (or Python value) becomes a typed value."""

    expected: str

    def parse(self, raw: Any) -> Any:
        """Return the typed value, or raise ``ValueError`` if ``raw`` is not acceptable."""
        ...


# The words a true/false setting takes (Boolean, and Verify besides a path).
_BOOLEAN_WORDS = {"true": True, "yes": True, "on": True, "1": True,
                  "false": False, "no": False, "off": False, "0": False}


class Boolean:
    expected = "true or false"

    def parse(self, raw: Any) -> bool:
        if isinstance(raw, bool):
            return raw
        switch = _BOOLEAN_WORDS.get(str(raw).strip().lower())
        if switch is None:
            raise ValueError(raw)
        return switch


class BooleanOrAuto:
    """true, false, or ``auto``: the plugin decides (the setting's documentation says how)."""

    AUTO = "auto"
    expected = "true, false or auto"

    def parse(self, raw: Any) -> bool | str:
        if isinstance(raw, str) and raw.strip().lower() == self.AUTO:
            return self.AUTO
        return Boolean().parse(raw)


class RetryBudgetSwitch(Boolean):
    """On or off; the number of tokens per endpoint it once was is refused, with what replaced
    it."""

    expected = ("true or false (a number of tokens per endpoint no longer sets the budget: "
                "euca_retry_budget_percent and euca_retry_budget_min_rate do)")


class Number:
    """A finite number of at least ``minimum``."""

    def __init__(self, minimum: float = 0.0, example: str = "1 or 0.5") -> None:
        self.minimum = minimum
        self.expected = f"a number >= {minimum:g} such as {example}"

    def parse(self, raw: Any) -> float:
        if isinstance(raw, bool):
            raise ValueError(raw)
        value = float(raw)  # ValueError for text that is not a number
        if not math.isfinite(value) or value < self.minimum:
            raise ValueError(raw)
        return value


class Integer:
    def __init__(self, minimum: int | None = None, maximum: int | None = None,
                 allow_none: bool = False) -> None:
        self.minimum, self.maximum, self.allow_none = minimum, maximum, allow_none
        if minimum is not None and maximum is not None:
            self.expected = f"an integer from {minimum} to {maximum}"
        elif minimum is not None:
            self.expected = f"an integer >= {minimum}"
        else:
            self.expected = "an integer"
        if allow_none:
            self.expected += ", or none"

    def parse(self, raw: Any) -> int | None:
        if self.allow_none and (raw is None or str(raw).strip().lower() == "none"):
            return None
        if isinstance(raw, bool):
            raise ValueError(raw)
        if isinstance(raw, int):
            value = raw
        elif isinstance(raw, str) and re.fullmatch(r"\s*[-+]?\d+\s*", raw):
            value = int(raw)
        else:
            raise ValueError(raw)
        if (self.minimum is not None and value < self.minimum) or (
            self.maximum is not None and value > self.maximum
        ):
            raise ValueError(raw)
        return value


class Percentage:
    expected = "a percentage above 0 and at most 100, such as 50"

    def parse(self, raw: Any) -> float:
        if isinstance(raw, bool):
            raise ValueError(raw)
        value = float(str(raw).strip().removesuffix("%"))
        if not 0 < value <= 100:  # NaN fails too
            raise ValueError(raw)
        return value


class Window:
    """A breaker's sliding window, as its text: ``100 calls`` or ``60s``."""

    expected = ("a number of calls such as 100 calls, or a duration with its unit such as 60s "
                "or 2m (1 to 10000 calls, 1 s to 1 day)")

    def parse(self, raw: Any) -> str:
        kind, size = window_parts(str(raw))
        return f"{size:g} calls" if kind == "count" else f"{size:g}s"


def window_parts(text: str) -> tuple[str, float]:
    """``("count", calls)`` for ``100 calls`` (or ``1 call``), ``("time", seconds)`` for a
    duration with its unit (``60s``, ``2m``, ``1h``); ValueError for anything else, a bare
    number included (it would not say which), or a size out of range."""
    found = re.fullmatch(r"\s*(\d+)\s*calls?\s*", text.lower())
    if found and 1 <= int(found.group(1)) <= 10000:
        return "count", int(found.group(1))
    found = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(s|m|h)\s*", text.lower())
    if found:
        seconds = float(found.group(1)) * {"s": 1, "m": 60, "h": 3600}[found.group(2)]
        if 1 <= seconds <= 86400:
            return "time", seconds
    raise ValueError(text)


class Duration:
    """Seconds, written as a number or with a unit: ``10``, ``2.5``, ``500ms``, ``2m``, ``1h``."""

    _UNITS = {"": 1.0, "s": 1.0, "ms": 0.001, "m": 60.0, "h": 3600.0}

    def __init__(self, minimum: float = 0.0, allow_none: bool = False) -> None:
        self.minimum, self.allow_none = minimum, allow_none
        self.expected = "a duration such as 10, 2.5, 500ms, 2m or 1h"
        if minimum > 0:
            self.expected += f", at least {minimum:g} s"
        if allow_none:
            self.expected += ", or none"

    def parse(self, raw: Any) -> float | None:
        if self.allow_none and (raw is None or str(raw).strip().lower() in ("none", "")):
            return None
        if isinstance(raw, bool):
            raise ValueError(raw)
        if isinstance(raw, (int, float)):
            value = float(raw)
        else:
            match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|)\s*", str(raw).lower())
            if not match:
                raise ValueError(raw)
            value = float(match.group(1)) * self._UNITS[match.group(2)]
        if not math.isfinite(value) or value < self.minimum:
            raise ValueError(raw)
        return value


class StatusCodes:
    expected = "a comma-separated list of HTTP status codes (100-599), such as 500,503"

    def parse(self, raw: Any) -> frozenset[int]:
        items: Iterable[Any] = raw.split(",") if isinstance(raw, str) else raw
        codes = set()
        for item in items:
            text = str(item).strip()
            if not text.isdigit() or not 100 <= int(text) <= 599:
                raise ValueError(raw)
            codes.add(int(text))
        return frozenset(codes)


def _url(raw: Any, schemes: tuple[str, ...], *, path_will_do: bool) -> str:
    """``raw`` as a URL of one of ``schemes`` with a host (or, where ``path_will_do``, a path,
    as a unix socket's), and a well-formed port; ValueError otherwise."""
    text = str(raw).strip()
    parts = urlsplit(text)
    if parts.scheme not in schemes or not (parts.hostname or (path_will_do and parts.path)):
        raise ValueError(raw)
    try:
        parts.port  # noqa: B018 - a malformed port raises here, which is the check
    except ValueError:
        raise ValueError(raw) from None
    return text


class Url:
    expected = "an http:// or https:// URL such as https://cloud.example.com:8773/"

    def parse(self, raw: Any) -> str:
        return _url(raw, ("http", "https"), path_will_do=False)


class Choice:
    def __init__(self, *choices: str) -> None:
        self.choices = choices
        self.expected = "one of " + ", ".join(choices)

    def parse(self, raw: Any) -> str:
        text = str(raw).strip().lower()
        if text not in self.choices:
            raise ValueError(raw)
        return text


class UrlList:
    expected = "comma-separated http:// or https:// URLs"

    def parse(self, raw: Any) -> tuple[str, ...]:
        items: Iterable[Any] = raw.split(",") if isinstance(raw, str) else raw
        urls = tuple(Url().parse(item) for item in items if str(item).strip())
        if not urls:
            raise ValueError(raw)
        return urls


class NetworkList:
    expected = ("comma-separated networks or host names, such as 10.1.0.0/16, 127.0.0.1, "
                "hooks.internal")

    def parse(self, raw: Any) -> tuple[str, ...]:
        from euca_boto.core.allowlist import parse_allow

        items: Iterable[Any] = raw.split(",") if isinstance(raw, str) else raw
        entries = tuple(str(item).strip() for item in items if str(item).strip())
        parse_allow(entries)  # raises ValueError on a bad entry
        return entries


class HostPort:
    expected = "host:port such as 127.0.0.1:53 or [::1]:5353 (the port defaults to 53)"

    def parse(self, raw: Any) -> str:
        text = str(raw).strip()
        match = re.fullmatch(r"\[([0-9A-Fa-f:.]+)\](?::(\d{1,5}))?|([A-Za-z0-9.-]+)(?::(\d{1,5}))?",
                             text)
        if not match:
            raise ValueError(raw)
        host = match.group(1) or match.group(3)
        port = int(match.group(2) or match.group(4) or 53)
        if not 1 <= port <= 65535:
            raise ValueError(raw)
        return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


class Name:
    """A DNS domain or a zone (partition) name: dot-separated labels of letters, digits, ``-``
    and ``_``."""

    def __init__(self, expected: str) -> None:
        self.expected = expected

    def parse(self, raw: Any) -> str:
        text = str(raw).strip().rstrip(".")
        if not re.fullmatch(r"[A-Za-z0-9_-]{1,63}(\.[A-Za-z0-9_-]{1,63})*", text):
            raise ValueError(raw)
        return text


class StateStore:
    expected = "memory, or a Redis URL such as redis://127.0.0.1:6379/0"

    def parse(self, raw: Any) -> str:
        text = str(raw).strip()
        if text.lower() == "memory":
            return "memory"
        return _url(raw, ("redis", "rediss", "unix"), path_will_do=True)


# The places of euca_state that are not a file's path: this process, and the machine's file.
MEMORY = "memory"
LOCAL = "local"


class StatePlace:
    """Where state shared by the processes of one machine is kept."""

    expected = "memory, local, or the path of a state file such as ~/euca-state.sqlite3"

    def parse(self, raw: Any) -> str:
        text = str(raw).strip()
        if text.lower() in (MEMORY, LOCAL):
            return text.lower()
        # A URL here is a mix-up with euca_breaker_storage; a directory cannot be the file.
        if not text or "\0" in text or "://" in text or os.path.isdir(os.path.expanduser(text)):
            raise ValueError(raw)
        # Absolute, so that every process with the same setting shares one file.
        return os.path.abspath(os.path.expanduser(text))


@functools.lru_cache(maxsize=1)
def known_service_names() -> frozenset[str]:
    """Every service a name may refer to: botocore's, the plugin's, and their DNS labels."""
    names = set(botocore.loaders.create_loader().list_available_services("service-2"))
    names.update(hyphenized_service_ids())
    for service in SERVICES:
        names.add(service.client)
        names.update(service.labels)
    return frozenset(names)


class ServiceSelection:
    """Services named by client name or DNS label, ``all``, or ``none``."""

    expected = (
        "all, none, or a comma-separated list of known services (boto3 client names or "
        "Eucalyptus DNS labels) such as properties, ec2"
    )
    _ALL = {"all", "true", "yes", "on", "*"}
    _NONE = {"none", "false", "no", "off", ""}

    def parse(self, raw: Any) -> frozenset[str]:
        if isinstance(raw, bool):
            return frozenset({"all"}) if raw else frozenset()
        items: Iterable[Any] = raw.split(",") if isinstance(raw, str) else raw
        names = {str(item).strip().lower() for item in items}
        if names <= self._NONE:
            return frozenset()
        if names & self._ALL:
            if len(names) > 1:
                raise ValueError(raw)
            return frozenset({"all"})
        # A misspelt name would silently select nothing, so only known services are accepted.
        if not names <= known_service_names():
            raise ValueError(raw)
        return frozenset(names)


class FilePath:
    """A file to write, in a directory that exists and may be written, with a name the file
    system accepts (checked here, so that a bad name is a ConfigError when the settings are
    read, not an OSError when the file is first opened)."""

    expected = ("a file path in an existing, writable directory, with a name the file system "
                "accepts, such as ~/euca-wire.log")

    def parse(self, raw: Any) -> str:
        text = os.path.expanduser(str(raw).strip())
        absolute = os.path.abspath(text)
        directory = os.path.dirname(absolute)
        if not text or os.path.isdir(text) or not os.path.isdir(directory):
            raise ValueError(raw)
        if len(os.fsencode(os.path.basename(absolute))) > _limit(directory, "PC_NAME_MAX", 255):
            raise ValueError(raw)
        if len(os.fsencode(absolute)) >= _limit(directory, "PC_PATH_MAX", 4096):
            raise ValueError(raw)
        target = absolute if os.path.exists(absolute) else directory
        if not os.access(target, os.W_OK):
            raise ValueError(raw)
        return text


def _limit(directory: str, name: str, fallback: int) -> int:
    """A file-system limit of ``directory`` (``os.pathconf``), or ``fallback`` if unknown."""
    try:
        value = os.pathconf(directory, name)
    except (OSError, ValueError, AttributeError):
        return fallback
    return value if value > 0 else fallback


class Verify:
    """TLS verification: true (the system's CAs), false, or the path of a CA bundle."""

    expected = "true, false, or the path of an existing CA bundle file"

    def parse(self, raw: Any) -> bool | str:
        if isinstance(raw, bool):
            return raw
        word = str(raw).strip()
        switch = _BOOLEAN_WORDS.get(word.lower())
        if switch is not None:
            return switch
        path = os.path.expanduser(word)
        if not os.path.isfile(path):
            raise ValueError(raw)
        return path


class Region:
    expected = "a region name such as eucalyptus or us-east-1"

    def parse(self, raw: Any) -> str:
        text = str(raw).strip()
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9-]{0,62}", text):
            raise ValueError(raw)
        return text
