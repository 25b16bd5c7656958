"""The ``cloud`` and ``fault`` commands: run a LocalCloud in the foreground, and drive its faults.

``add_commands(subparsers)`` plugs both into the ``euca-boto`` command; ``python -m
euca_boto.cli.cloud`` runs them on their own.
"""

from __future__ import annotations

import argparse
import email.utils
import json
import signal
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence
from typing import Any

READY_LINE = "# LocalCloud is ready."


def add_commands(subparsers: Any) -> None:
    """Add ``cloud`` and ``fault`` to an argparse subparsers object."""
    cloud = subparsers.add_parser(
        "cloud",
        help="run a local Eucalyptus-compatible cloud until interrupted",
        description="Run LocalCloud in the foreground and print a ready-to-paste AWS profile, "
        "its credentials and the control URL. Stop it with Ctrl-C (or SIGTERM).",
    )
    cloud.add_argument(
        "--endpoints",
        type=_positive,
        default=3,
        metavar="N",
        help="number of endpoints (default 3)",
    )
    cloud.add_argument(
        "--partitions",
        type=_positive,
        default=2,
        metavar="N",
        help="number of partitions PARTI00, PARTI01, ... (default 2)",
    )
    cloud.add_argument(
        "--port",
        type=_port,
        default=0,
        metavar="P",
        help="endpoint i listens on P+i, the control server on P+N (default 0: ephemeral ports)",
    )
    cloud.add_argument(
        "--profile",
        default="localcloud",
        metavar="NAME",
        help="profile name to print (default localcloud)",
    )
    cloud.add_argument("--region", default="eucalyptus", help="region name (default eucalyptus)")
    cloud.add_argument(
        "--no-aws", dest="aws", action="store_false", help="do not serve EC2/IAM/STS/S3 (no moto)"
    )
    cloud.set_defaults(func=run_cloud)

    fault = subparsers.add_parser(
        "fault",
        help="inject a fault into a running LocalCloud endpoint",
        description="Inject a fault through a LocalCloud's control server.",
    )
    fault.add_argument(
        "--control",
        required=True,
        type=_http_url,
        metavar="URL",
        help="the control URL printed by `cloud`",
    )
    fault.add_argument(
        "--endpoint",
        required=True,
        type=_non_negative,
        metavar="I",
        help="endpoint index (0-based)",
    )
    kinds = fault.add_mutually_exclusive_group(required=True)
    kinds.add_argument(
        "--status",
        type=_status,
        metavar="CODE",
        help="answer with this HTTP status (see --count, --retry-after)",
    )
    kinds.add_argument(
        "--latency",
        type=_seconds,
        metavar="S",
        help="delay every answer by S seconds (0 removes the delay)",
    )
    kinds.add_argument(
        "--reset", type=_positive, metavar="N", help="reset the connection of the next N requests"
    )
    kinds.add_argument("--stop", action="store_true", help="stop listening (connections refused)")
    kinds.add_argument("--start", action="store_true", help="listen again after --stop")
    kinds.add_argument("--blackhole", action="store_true", help="accept but never answer")
    kinds.add_argument(
        "--malformed",
        type=_positive,
        metavar="N",
        help="answer the next N requests with a truncated XML body",
    )
    kinds.add_argument("--clear", action="store_true", help="remove every fault")
    fault.add_argument(
        "--count", type=_positive, metavar="N", help="with --status: how many requests (default 1)"
    )
    fault.add_argument(
        "--retry-after",
        type=_retry_after,
        metavar="V",
        help="with --status: Retry-After header value (seconds or HTTP date)",
    )
    fault.set_defaults(func=run_fault, _parser=fault)


def run_cloud(args: argparse.Namespace) -> int:
    """Run a LocalCloud until SIGINT or SIGTERM; print how to use it."""
    from euca_boto.core.extras import require

    if args.aws:
        require("the cloud command", "cloud",
                hint="moto serves its EC2, IAM, STS and S3; --no-aws does without them")
    # Starting moto takes seconds; say so at once (on stderr: stdout is the profile to paste).
    print(
        f"# Starting LocalCloud: {args.endpoints} endpoint{'s' if args.endpoints > 1 else ''}"
        + (", EC2/IAM/STS/S3 through moto" if args.aws else "")
        + " ...",
        file=sys.stderr,
        flush=True,
    )
    # moto is only imported when a cloud is really wanted.
    from euca_boto.testing import LocalCloud

    stop = threading.Event()
    cloud = LocalCloud(
        endpoints=args.endpoints,
        partitions=args.partitions,
        region=args.region,
        aws=args.aws,
        port=args.port or None,
    )
    try:
        cloud.start()
    except OSError as exc:
        print(
            f"euca-boto cloud: cannot listen: {exc} (is --port {args.port} free?)", file=sys.stderr
        )
        return 1
    try:
        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGINT, signal.SIGTERM):
                signal.signal(signum, lambda *_: stop.set())
        print(
            f"# LocalCloud: {len(cloud.endpoints)} endpoints in partitions "
            f"{', '.join(cloud.partitions)}; region {cloud.region}."
        )
        print("# Add to ~/.aws/config:")
        print(cloud.profile_text(args.profile, failover=True))
        print("# Add to ~/.aws/credentials:")
        print(cloud.credentials_text(args.profile))
        print(f"# Control URL (for `euca-boto fault --control ...`): {cloud.control_url}")
        print(READY_LINE + " Press Ctrl-C to stop.", flush=True)
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        cloud.stop()
    return 0


def run_fault(args: argparse.Namespace) -> int:
    """Send one fault to a running LocalCloud's control server."""
    parser: argparse.ArgumentParser = args._parser
    if args.status is None and (args.count is not None or args.retry_after is not None):
        parser.error("--count and --retry-after only go with --status")
    spec: dict[str, Any]
    if args.status is not None:
        spec = {"kind": "status", "status": args.status, "count": args.count or 1}
        if args.retry_after is not None:
            spec["retry_after"] = args.retry_after
    elif args.latency is not None:
        spec = {"kind": "latency", "seconds": args.latency}
    elif args.reset is not None:
        spec = {"kind": "reset", "count": args.reset}
    elif args.malformed is not None:
        spec = {"kind": "malformed", "count": args.malformed}
    else:
        spec = {
            "kind": next(k for k in ("stop", "start", "blackhole", "clear") if getattr(args, k))
        }
    url = f"{args.control.rstrip('/')}/endpoints/{args.endpoint}/faults"
    request = urllib.request.Request(
        url,
        data=json.dumps(spec).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    not_control = (
        f"euca-boto fault: {args.control} did not answer as a LocalCloud control server; "
        "pass the control URL `euca-boto cloud` prints"
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            answer = _control_answer(response.read())
    except urllib.error.HTTPError as exc:
        detail = _control_answer(exc.read()).get("error")
        print(f"euca-boto fault: {detail}" if detail else not_control, file=sys.stderr)
        return 1
    except (urllib.error.URLError, OSError) as exc:
        print(
            f"euca-boto fault: cannot reach the control server at {args.control}: {exc}",
            file=sys.stderr,
        )
        return 1
    if not {"index", "url", "state"} <= answer.keys():
        print(not_control, file=sys.stderr)
        return 1
    print(
        f"endpoint {answer['index']} ({answer['url']}): {spec['kind']} applied; "
        f"state {answer['state']}"
    )
    return 0


def _control_answer(body: bytes) -> dict[str, Any]:
    """The control server's JSON object; an empty one when something else answered."""
    try:
        answer = json.loads(body or b"{}")
    except ValueError:
        return {}
    return answer if isinstance(answer, dict) else {}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="euca-boto", description="LocalCloud commands")
    add_commands(parser.add_subparsers(dest="command", required=True, metavar="COMMAND"))
    args = parser.parse_args(argv)
    return int(args.func(args))


def _integer(text: str, low: int, high: int | None, what: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}") from None
    if value < low or (high is not None and value > high):
        raise argparse.ArgumentTypeError(f"expected {what}, got {value}")
    return value


def _positive(text: str) -> int:
    return _integer(text, 1, None, "an integer >= 1")


def _non_negative(text: str) -> int:
    return _integer(text, 0, None, "an integer >= 0")


def _port(text: str) -> int:
    return _integer(text, 0, 65535, "a port number 0-65535")


def _status(text: str) -> int:
    return _integer(text, 100, 599, "an HTTP status code 100-599")


def _http_url(text: str) -> str:
    parts = urllib.parse.urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise argparse.ArgumentTypeError(
            f"expected an http:// URL such as http://127.0.0.1:8780, got {text!r}"
        )
    return text


def _retry_after(text: str) -> str:
    # What a Retry-After header may hold (RFC 9110): delay seconds or an HTTP date.
    if text.isdigit():
        return text
    try:
        email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        raise argparse.ArgumentTypeError(
            f"expected seconds (such as 3) or an HTTP date (such as "
            f"'Wed, 21 Oct 2026 07:28:00 GMT'), got {text!r}"
        ) from None
    return text


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected seconds, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected seconds >= 0, got {value}")
    return value


if __name__ == "__main__":
    sys.exit(main())
