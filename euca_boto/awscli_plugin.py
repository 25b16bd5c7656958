"""The AWS CLI (v1) plugin entry point: ``aws euprop describe-properties`` and friends.

Enable it with two lines in ``~/.aws/config``::

    [plugins]
    euca = euca_boto.awscli_plugin

The CLI builds its list of services before it knows which ``--profile`` it runs with, so the
models are put on the search path while the command table is built, and the plugin is installed
(settings validated against the right profile) once the session is initialised.
"""

from __future__ import annotations

from typing import Any

from euca_boto.localstate import use_local_by_default
from euca_boto.models import models_path


def _add_models(session: Any) -> None:
    loader = session.get_component("data_loader")
    path = str(models_path())
    if path not in loader.search_paths:
        loader.search_paths.insert(0, path)


def _own_services() -> list[str]:
    """Services the plugin adds (not the extras it merges into AWS services' models)."""
    return sorted(
        path.parent.parent.name for path in models_path().glob("*/*/service-2.json")
    )


def _on_building_command_table(command_table: Any, session: Any, **kwargs: Any) -> None:
    from awscli.clidriver import ServiceCommand

    _add_models(session)
    # The CLI has already listed (and the loader cached) the available services, so the
    # plugin's own services are added to the table by name.
    for service_name in _own_services():
        if service_name not in command_table:
            command_table[service_name] = ServiceCommand(
                cli_name=service_name, session=session, service_name=service_name
            )


def _on_session_initialized(session: Any, **kwargs: Any) -> None:
    from euca_boto.install import install

    install(session)


def awscli_initialize(event_hooks: Any) -> None:
    """Called by the AWS CLI for each plugin named in the ``[plugins]`` section."""
    # Each command is a new process: without a state file, every one would try a dead endpoint
    # first again and forget an open breaker.
    use_local_by_default("the AWS CLI")
    event_hooks.register(
        "building-command-table.main",
        _on_building_command_table,
        unique_id="euca-boto-awscli-command-table",
    )
    event_hooks.register(
        "session-initialized", _on_session_initialized, unique_id="euca-boto-awscli-session"
    )
