"""``euca-boto endpoints``: each service's endpoints, where they came from, their health and
the order the next call would try them. Health includes the ejections kept in the state file
(``euca_state``; unless the profile says otherwise, the file the AWS CLI and ``euca-boto run``
keep them in).

``euca-boto endpoints export`` writes the profile's endpoints into the shared config file in the
form every AWS SDK reads (``services =`` and a ``[services ...]`` section with each service's
``endpoint_url``, plus ``retry_mode`` and ``max_attempts``), so that SDKs without euca-boto
(JavaScript, Go, Java, the AWS CLI v2, Terraform) reach the cloud. With euca-boto present the
exported URL is simply the first of the profile's endpoints, which it keeps choosing among and
failing over.
"""

from __future__ import annotations

import argparse
import math
from typing import Any

import euca_boto
from euca_boto.cli.configfile import ConfigText, config_path
from euca_boto.cli.run import first_urls
from euca_boto.core.localstate import LOCAL
from euca_boto.core.redact import url_passwords
from euca_boto.endpoints.model import EndpointError, known_services
from euca_boto.endpoints.selector import EndpointRow, selector_of
from euca_boto.endpoints.sources.static import require_endpoint
from euca_boto.errors import ConfigError
from euca_boto.install import botocore_session_of, plugin_of


def show(profile: str | None, services: list[str]) -> tuple[list[str], int]:
    """The lines the command prints for ``services`` of ``profile``, and how many services
    failed (an endpoint lookup that failed, or no endpoint at all).

    Raises :class:`ConfigError` when the profile names no endpoint for any of them.
    """
    session: Any = euca_boto.session(profile_name=profile)
    plugin = plugin_of(session)
    assert plugin is not None  # euca_boto.session() installs it
    if plugin.settings.for_service(None).source("euca_state") == "default":
        session = euca_boto.session(profile_name=profile, euca_state=LOCAL)
        plugin = plugin_of(session)
        assert plugin is not None
    selector = selector_of(session)
    lines = [f"profile {plugin.settings.profile}"]
    unset: list[ConfigError] = []  # services nothing points at a cloud
    failed = 0
    for service in services:
        settings = plugin.settings.for_service(service)
        try:
            require_endpoint(botocore_session_of(session), service, settings)
        except ConfigError as error:
            unset.append(error)
            lines.append(f"{service}: {error}")
            continue
        try:
            client = session.client(service)
        except EndpointError as error:
            failed += 1
            lines.append(f"{service}: {error}")
            continue
        route = selector.routes.get(service)
        if route is None:
            lines.append(f"{service}: {client.meta.endpoint_url} (single endpoint, "
                         f"topology {settings['euca_topology']})")
            continue
        zone = settings.get("euca_zone")
        lines.append(f"{service}: {route.describe_source}"
                     + (f", zone {zone} first" if zone else ""))
        try:
            rows = selector.rows(service)
        except EndpointError as error:
            failed += 1
            lines.append(f"  error: {error}")
            continue
        lines += _table(rows)
    if unset and len(unset) == len(services):
        raise unset[0]  # the profile is not set up for a cloud at all
    return lines, failed + len(unset)


def _table(rows: list[EndpointRow]) -> list[str]:
    cells = [("order", "url", "source", "partition", "health")]
    for row in rows:
        cells.append((str(row.order), row.endpoint.url, row.endpoint.source,
                      row.endpoint.partition or "-", _health(row)))
    widths = [max(len(c[i]) for c in cells) for i in range(4)]
    return ["  " + "  ".join(c[i].ljust(widths[i]) for i in range(4)) + "  " + c[4]
            for c in cells]


def _health(row: EndpointRow) -> str:
    health = row.health
    text = health.state.value
    if health.failures:
        text += f" ({health.failures} failure{'s' if health.failures > 1 else ''}"
        if health.ejected_for > 0 and math.isfinite(health.ejected_for):
            text += f", back in {health.ejected_for:.0f} s"
        text += f"; last: {health.last_error})"
    return text


def _endpoints(args: argparse.Namespace) -> int:
    services = [args.service] if args.service else known_services()
    lines, failed = show(args.profile, services)
    for line in lines:
        # Endpoint URLs (and errors quoting them) may carry a password: it is never shown.
        print(url_passwords(line))
    return 1 if failed else 0


def export(profile: str | None) -> list[str]:
    """Write the endpoints of ``profile`` into the config file for every SDK (see the module);
    the lines the command prints. Raises :class:`ConfigError` when the file cannot be parsed,
    the profile is not in it or names no endpoint, or it names a services section of its own."""
    path = config_path()
    text = ConfigText.read(path)
    before = text.text()
    session: Any = euca_boto.session(profile_name=profile)  # validates the settings
    plugin = plugin_of(session)
    assert plugin is not None  # euca_boto.session() installs it
    name = plugin.settings.profile
    section = next((s for s in (f"profile {name}", name if name == "default" else "")
                    if s and text.has_section(s)), None)
    if section is None:
        raise ConfigError(f"profile {name!r} is not in {path}")
    ours = f"euca-boto-{name}"
    named = text.get(section, "services")
    if named not in (None, ours):
        raise ConfigError(
            f"profile {name!r} uses its own [services {named}] section ({path}); the exported "
            f"endpoints go to a section of their own: remove `services = {named}` from the "
            f"profile first, or keep yours")
    scoped = botocore_session_of(session).get_scoped_config()
    if scoped.get("endpoint_url"):
        raise ConfigError(f"profile {name!r} sets endpoint_url, which every SDK uses for every "
                          f"service already; nothing to export")
    urls = first_urls(scoped, {})
    if not urls:
        raise ConfigError(f"profile {name!r} names no endpoint (euca_endpoint, "
                          f"euca_endpoint_urls, or euca_dns_domain with euca_topology = dns): "
                          f"nothing to export")
    attempts = plugin.settings.for_service(None)["euca_retry_max_attempts"]
    text.set(section, "services", ours)
    text.set(section, "retry_mode", "standard")
    text.set(section, "max_attempts", str(attempts))
    services = f"services {ours}"
    keys = {client.replace("-", "_"): url for client, url in urls.items()}
    for key in text.keys(services):
        if key not in keys:
            text.remove(services, key)
    for key, url in keys.items():
        text.set(services, key, "", nested={"endpoint_url": url})
    if text.text() != before:
        text.write(path)
    return [f"{'exported' if text.text() != before else 'up to date'}: the endpoints of "
            f"profile {name!r} in {path} ([{services}]: {', '.join(urls)}; retry_mode = "
            f"standard, max_attempts = {attempts})"]


def _export(args: argparse.Namespace) -> int:
    for line in export(args.profile):
        print(url_passwords(line))
    return 0


def add_commands(subparsers: Any) -> None:
    """Add the ``endpoints`` command to the ``euca-boto`` command line."""
    command = subparsers.add_parser(
        "endpoints",
        help="show each service's endpoints, their source, partition, health and call order",
        description="Show, for each service (or one), the endpoints the profile leads to: where "
                    "they came from (static, DNS, the cloud's topology), their partition, their "
                    "health (ejections the AWS CLI and euca-boto run remember included) and the "
                    "order the next call would try them in.",
    )
    command.add_argument("--profile", help="profile name (default: AWS_PROFILE or 'default')")
    command.add_argument("--service", choices=known_services(), metavar="SERVICE",
                         help=f"one service: {', '.join(known_services())}")
    command.set_defaults(func=_endpoints)
    actions = command.add_subparsers(dest="endpoints_command", metavar="ACTION")
    exported = actions.add_parser(
        "export", help="write the profile's endpoints into the config file for every AWS SDK",
        description="Write the profile's endpoints into the AWS config file in the form every "
                    "AWS SDK reads: services = euca-boto-PROFILE, a [services euca-boto-PROFILE] "
                    "section with each service's endpoint_url, retry_mode and max_attempts. "
                    "Other keys are left as they are; running it again changes nothing.")
    exported.add_argument("--profile", default=argparse.SUPPRESS,
                          help="profile name (default: AWS_PROFILE or 'default')")
    exported.set_defaults(func=_export)
