"""Problems euca-boto must say itself, because the tool it runs in would not, and warnings
that repeating would only bury.

Under ``euca-boto run`` and botocore's plugin variable, euca-boto works inside tools that know
nothing of it, and botocore hides what its client plugins raise. A bad setting found there is
said here: an error on the ``euca_boto`` logger and one line on stderr, once per process.
"""

from __future__ import annotations

import logging
import sys

from euca_boto.core import process

logger = logging.getLogger("euca_boto")

_said: set[str] = set()
_lock = process.lock()


def _forget() -> None:
    with _lock:
        _said.clear()


# A fork child writes to the parent's stderr, which has seen them.
process.register("problems said", "per process", _forget, in_fork_child=process.keep)


def say_once(message: str) -> None:
    """Report ``message`` once per process. The logger's error reaches stderr through
    logging's last-resort handler when the tool configured no logging; when the tool's
    logging sends it elsewhere, one line is also written to stderr."""
    line = f"euca-boto: {message}"
    with _lock:
        if line in _said:
            return
        _said.add(line)
    logger.error("%s", line)
    if logger.hasHandlers() and not _reaches_stderr(logger):
        print(line, file=sys.stderr, flush=True)


def warn_once(log: logging.Logger, message: str) -> None:
    """Log ``message`` as a warning on ``log``, once per process: for code that uses euca-boto
    on purpose, whose logging shows it (or logging's last resort, on stderr)."""
    with _lock:
        if message in _said:
            return
        _said.add(message)
    log.warning("%s", message)


def _reaches_stderr(log: logging.Logger) -> bool:
    current: logging.Logger | None = log
    while current is not None:
        for handler in current.handlers:
            if getattr(handler, "stream", None) is sys.stderr and handler.level <= logging.ERROR:
                return True
        current = current.parent if current.propagate else None
    return False
