"""``euca-boto tracker serve``: run the resource-change tracker as a daemon."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from typing import Any

from euca_boto.core.setting_kinds import Duration
from euca_boto.errors import ConfigError

# Imported with this module, not when serving: without the tracker extra the import fails while
# the parser is built, and `euca-boto tracker` stands in saying which extra to install.
from euca_boto.tracker.api.server import Limits
from euca_boto.tracker.delivery import Deliverer
from euca_boto.tracker.engine import Tracker
from euca_boto.tracker.errors import TrackerError
from euca_boto.tracker.service import TrackerService
from euca_boto.tracker.sessions import SESSION_TTL
from euca_boto.tracker.store import open_store


def _duration(text: str, minimum: float = 0.001) -> float:
    try:
        value = Duration(minimum=minimum).parse(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a duration of at least {minimum:g} s; write 30, 2.5, 500ms, 2m "
            f"or 24h") from None
    assert value is not None
    return value


def _session_ttl(text: str) -> float:
    return _duration(text, minimum=1.0)


def _count(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number >= 1")
    return int(text)


def _listen(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    if not host or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not HOST:PORT (e.g. 127.0.0.1:8780)")
    return host, int(port)


def _serve(args: argparse.Namespace) -> int:
    import euca_boto
    from euca_boto.install import plugin_of
    from euca_boto.retry import RetryPolicy

    if bool(args.tls_cert) != bool(args.tls_key):
        print("euca-boto tracker: --tls-cert and --tls-key go together", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("euca_boto.tracker").setLevel(logging.INFO)
    try:
        sessions = [euca_boto.session(profile_name=p) for p in (args.profile or [None])]
        plugin = plugin_of(sessions[0])
        assert plugin is not None
        # Hook deliveries follow the first profile's retry settings (euca_retry_*).
        settings = plugin.settings.for_service(None)
        policy = RetryPolicy.from_settings(settings)

        def pick(flag: Any, key: str) -> Any:
            # A flag wins over the profile's euca_tracker_* setting.
            return settings[key] if flag is None else flag

        store = open_store(args.store)
        deliverer = Deliverer(
            store, policy=policy,
            suspend_after=pick(args.suspend_after, "euca_tracker_suspend_after"),
            lease_seconds=args.delivery_lease,
            workers=args.delivery_workers,
            hook_allow=settings["euca_tracker_hook_allow"] or (),
        )
        tracker = Tracker(
            store, sessions, deliverer=deliverer,
            interval=pick(args.interval, "euca_tracker_interval"),
            retention=pick(args.retention, "euca_tracker_retention"),
            poll_lease=args.poll_lease,
        )
        sts_url = args.sts_url or sessions[0].client("sts").meta.endpoint_url
        host, port = args.listen
        limits = Limits(max_connections=args.max_connections,
                        max_connections_per_client=args.max_connections_per_client,
                        health_reserve=args.health_reserve)
        service = TrackerService(tracker, sts_url, host, port, workers=args.workers,
                                 hook_allow=settings["euca_tracker_hook_allow"] or (),
                                 limits=limits, tls_cert=args.tls_cert, tls_key=args.tls_key,
                                 session_ttl=args.session_ttl, audience=args.audience)
    except (TrackerError, ConfigError) as error:
        print(f"euca-boto tracker: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"euca-boto tracker: cannot listen on {host}:{port}: {error}", file=sys.stderr)
        return 2

    def stop(signum: int, frame: Any) -> None:
        service.stop()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(f"tracker listening on {service.url} (store {store.describe()})", flush=True)
    try:
        service.run_loop(args.deliver_every)
    finally:
        service.close()
        store.close()
    return 0


def add_commands(subparsers: Any) -> None:
    """Add the ``tracker`` command to the ``euca-boto`` command line."""
    tracker = subparsers.add_parser(
        "tracker", help="the resource-change tracker",
        description="The resource-change tracker: polls the cloud's resources, records every "
                    "change in a durable feed and delivers it to hooks. Needs the tracker "
                    "extra.")
    commands = tracker.add_subparsers(dest="tracker_command", metavar="COMMAND", required=True)
    serve = commands.add_parser(
        "serve", help="poll, record and deliver changes; serve the API",
        description="Poll the profiles' instances, volumes, zones and services, record each "
                    "change once in the feed (SQLite or PostgreSQL), deliver changes to the "
                    "hooks and serve the HTTP API until interrupted.")
    serve.add_argument("--listen", type=_listen, default=("127.0.0.1", 8780),
                       help="HOST:PORT of the HTTP API (default 127.0.0.1:8780)")
    serve.add_argument("--store", default="euca-tracker.db",
                       help="a SQLite file (default euca-tracker.db) or postgresql://user@host/db")
    serve.add_argument("--profile", action="append",
                       help="profile to poll (repeat for several accounts; default: the default)")
    serve.add_argument("--interval", type=_duration,
                       help="seconds between polls (default: euca_tracker_interval, 30)")
    serve.add_argument("--retention", type=_duration,
                       help="how long feed entries are kept (default: euca_tracker_retention, "
                            "168h)")
    serve.add_argument("--workers", type=_count, default=0,
                       help="run API handlers on N worker threads (default: inline)")
    serve.add_argument("--suspend-after", type=_count,
                       help="failed deliveries in a row before a hook is suspended "
                            "(default: euca_tracker_suspend_after, 10)")
    serve.add_argument("--deliver-every", type=_duration, default=1.0,
                       help="seconds between delivery cycles (default 1)")
    serve.add_argument("--delivery-lease", type=_duration, default=30.0,
                       help="how long a process owns a hook's delivery before another tracker "
                            "sharing the store may take over (default 30; renewed while "
                            "delivering)")
    serve.add_argument("--delivery-workers", type=_count, default=4,
                       help="deliver to up to N hooks at once (default 4; each hook's changes "
                            "stay in order)")
    serve.add_argument("--poll-lease", type=_duration,
                       help="how long a tracker owns polling an account's resource type before "
                            "another tracker sharing the store may take over (default: three "
                            "intervals; renewed at every poll)")
    serve.add_argument("--max-connections", type=_count, default=Limits.max_connections,
                       help="connections the API holds at once (default 1000); idle ones are "
                            "closed first to make room")
    serve.add_argument("--max-connections-per-client", type=_count,
                       default=Limits.max_connections_per_client,
                       help="connections one client (an IPv4 address or an IPv6 /64) may hold "
                            "(default 100)")
    serve.add_argument("--health-reserve", type=_count, default=Limits.health_reserve,
                       help="connections beyond --max-connections kept for GET /health "
                            "(default 8)")
    serve.add_argument("--session-ttl", type=_session_ttl, default=SESSION_TTL,
                       help="lifetime of API session tokens (default 15m); a token is checked "
                            "without asking STS")
    serve.add_argument("--audience", metavar="HOST[:PORT]",
                       help="the tracker's name as its clients reach it (as in their URL); "
                            "identity proofs signed for another tracker are then refused")
    serve.add_argument("--tls-cert", help="serve HTTPS with this PEM certificate (chain) file")
    serve.add_argument("--tls-key", help="the PEM private key of --tls-cert")
    serve.add_argument("--sts-url",
                       help="STS endpoint that verifies callers (default: the profile's)")
    serve.set_defaults(func=_serve)
