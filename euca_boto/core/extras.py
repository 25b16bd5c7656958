"""The optional extras of the package and the modules each one brings.

A plain ``pip install euca-boto`` has the plugin and every command; commands and classes that
need an extra say which, instead of failing with a bare ``ModuleNotFoundError``.
"""

from __future__ import annotations

import importlib.util

from euca_boto.errors import MissingExtra

# The top-level modules each extra of pyproject.toml installs (a test keeps them in step).
EXTRAS: dict[str, tuple[str, ...]] = {
    "admin": ("yaml",),
    "cloud": ("moto", "flask", "flask_cors"),
    "redis": ("redis",),
    "aio": ("aiobotocore",),
    "prometheus": ("prometheus_client",),
    "otel": ("opentelemetry",),
    "tracker": ("aws_requests_auth", "httptools", "psycopg", "requests"),
}


def extra_providing(module: str | None) -> str | None:
    """The extra that installs ``module`` (a dotted name is looked up by its top level)."""
    top = (module or "").partition(".")[0]
    return next((extra for extra, modules in EXTRAS.items() if top in modules), None)


def require(what: str, *extras: str, hint: str = "") -> None:
    """Raise :class:`MissingExtra` unless every module of ``extras`` can be imported; ``what``
    is what needs them (``"the demo"``)."""
    missing = [e for e in extras if any(importlib.util.find_spec(m) is None for m in EXTRAS[e])]
    if missing:
        raise MissingExtra(what, missing, hint)
