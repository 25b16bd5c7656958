"""Progress lines for calls that keep retrying, where nothing else would show them.

The AWS CLI and the tools under ``euca-boto run`` configure no logging for euca-boto, so a call
retrying against a dead endpoint is silent until it gives up, which can take a minute. Those
doors call :func:`show_progress`: from then on, each attempt that starts more than
:data:`PROGRESS_AFTER` seconds into its call is announced on stderr, in one line saying which
attempt comes next (n of m), when, the endpoint the last one failed on, and why. A profile with
``euca_progress = false`` (``euca-boto run --quiet`` sets it for the whole command) stays quiet.

The line is a listener of the retry handler (:func:`~euca_boto.retry.handler.add_retry_listener`):
the handler tells its listeners of every retry it decides on, and the listener decides what to
show, from the decision and the handler's settings.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from euca_boto.retry.handler import add_retry_listener

if TYPE_CHECKING:
    from euca_boto.retry.context import RetryContext
    from euca_boto.retry.handler import RetryHandler
    from euca_boto.retry.policy import RetryDecision

# An attempt that starts later than this into its call (seconds) gets a line.
PROGRESS_AFTER = 3.0


def progress_line(ctx: RetryContext, decision: RetryDecision,
                  max_attempts: int | None) -> str | None:
    """The line announcing the attempt after ``ctx``'s, or None while it starts within
    :data:`PROGRESS_AFTER` seconds of the call's start."""
    starts = ctx.elapsed + decision.delay
    if starts <= PROGRESS_AFTER:
        return None
    of = f" of {max_attempts}" if max_attempts is not None else ""
    return (f"euca-boto: {ctx.service} {ctx.operation}: attempt {ctx.attempt + 1}{of} in "
            f"{decision.delay:.1f} s ({decision.reason}), {starts:.1f} s into the call; "
            f"attempt {ctx.attempt} failed on {ctx.endpoint} with {ctx.reason}")


def _show(ctx: RetryContext, decision: RetryDecision, handler: RetryHandler) -> None:
    if not handler.settings.get("euca_progress", True):
        return
    line = progress_line(ctx, decision, getattr(handler.policy, "max_attempts", None))
    if line is not None:
        print(line, file=sys.stderr, flush=True)


def show_progress() -> None:
    """Announce long retries on stderr in this process (the AWS CLI and ``euca-boto run``
    call it; calling it again changes nothing)."""
    add_retry_listener(_show)
