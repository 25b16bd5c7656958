"""euca-boto on every session of a process that did not ask for it (``euca-boto run``).

The start-up hook of ``euca-boto run`` (``euca_boto/bootstrap/sitecustomize.py``) calls
:func:`install_on` at the first ``create_client`` of each botocore or aiobotocore session, so the
settings are those of the profile the tool chose, however it chose it (``--profile``,
``profile_name=``, ``AWS_PROFILE``). A bad setting is not something a tool knows how to report:
it is said here (:mod:`euca_boto.core.notice`), in one line, and the process exits with status 2, as
the ``euca-boto`` command does, rather than run without the plugin or end in a traceback.
"""

from __future__ import annotations

import functools
import logging
import sys
from typing import Any, NoReturn

from euca_boto.core import process
from euca_boto.core.notice import say_once
from euca_boto.errors import ConfigError

_lock = process.lock()
_shown: list[logging.Handler] = []  # the stderr handler _show_wire_log added, if any


def install_on(session: Any, kind: str) -> bool:
    """Install euca-boto on ``session`` (``kind``: ``botocore`` or ``aio``); True if it is now
    installed. Exits the process with status 2 (after saying why) if its settings are bad."""
    from euca_boto.core.localstate import use_local_by_default
    from euca_boto.core.plainsession import PLAIN_ATTRIBUTE
    from euca_boto.install import plugin_of

    if getattr(session, PLAIN_ATTRIBUTE, False):
        return False
    # A tool run this way is often one of a series of short processes (each `aws` command, each
    # Ansible module): endpoint ejections and open breakers are remembered from one to the next.
    use_local_by_default("euca-boto run")
    from euca_boto.retry.progress import show_progress

    show_progress()  # tools show nothing of euca-boto's retries otherwise
    try:
        if plugin_of(session) is None:
            if kind == "aio":
                from euca_boto import aio

                aio.install(session)
            else:
                from euca_boto.install import install

                install(session)
    except ConfigError as error:
        _stop(error)
    plugin = plugin_of(session)
    if plugin is not None:
        _show_wire_log(plugin.settings)
        _stop_on_config_error(session)
    return plugin is not None


def _stop(error: ConfigError) -> NoReturn:
    # The tool would show a traceback from deep inside botocore, or go on without the
    # plugin: stop it the way the euca-boto command stops on a bad configuration.
    say_once(f"configuration error: {error}")
    raise SystemExit(2) from None


def _stop_on_config_error(session: Any) -> None:
    """A client the installed session refuses to create (an admin client of a profile that
    names no endpoint) stops the process as a bad setting does."""
    create_client = session.create_client

    @functools.wraps(create_client)
    def create(*args: Any, **kwargs: Any) -> Any:
        try:
            return create_client(*args, **kwargs)
        except ConfigError as error:
            _stop(error)

    session.create_client = create


def _show_wire_log(settings: Any) -> None:
    """Wire records go to stderr when the settings ask for some and nothing else receives
    them (a tool configures no logging for euca_boto, and no euca_wire_log_file is set)."""
    views = [settings.for_service(None)]
    views += [settings.for_service(block) for block in settings.service_blocks]
    if views[0]["euca_wire_log_file"] is not None or not any(v["euca_wire_log"] for v in views):
        return
    from euca_boto import wirelog  # only now: every process under euca-boto run gets here

    wire = logging.getLogger(wirelog.LOGGER_NAME)
    with _lock:
        if wire.hasHandlers():
            return
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(name)s %(message)s"))
        wire.addHandler(handler)
        wire.setLevel(wirelog.LEVEL)
        _shown.append(handler)


def _hide_wire_log() -> None:
    from euca_boto.wirelog import LOGGER_NAME

    wire = logging.getLogger(LOGGER_NAME)
    with _lock:
        for handler in _shown:
            wire.removeHandler(handler)
            wire.setLevel(logging.NOTSET)
        _shown.clear()


# A fork child goes on writing wire records to stderr (wirelog holds it still across the fork).
process.register("wire log on stderr", "per process, from the first session euca-boto run "
                 "installs on", _hide_wire_log, in_fork_child=process.keep)
