"""The AWS CLI plugin entry point (v1 and v2): ``aws euprop describe-properties`` and friends.

``euca-boto awscli enable`` turns it on (docs/awscli.md); by hand, for the AWS CLI v1 running on
a Python that has euca-boto, it is two lines in ``~/.aws/config``::

    [plugins]
    euca = euca_boto.awscli_plugin

The AWS CLI v2 imports plugins only from the directories named by ``cli_legacy_plugin_path`` in
the same section, and runs on its own Python and its own fork of botocore: ``euca-boto awscli
enable`` prepares such a directory. ``euca-boto run -- aws`` loads this module into either CLI.

The CLI builds its list of services before it knows which ``--profile`` it runs with, so the
models are put on the search path while the command table is built, and the plugin is installed
(settings validated against the right profile) once the session is initialised.

``aws euprop modify-property-value`` gains ``--allow-script-execution``: the CLI's spelling of
``AllowScriptExecution=True``, without which the ``euca`` property (a Groovy script run on the
cloud controller) is refused before anything is sent.

Every command pays for what this module imports, ``aws --version`` and ``aws configure``
included: nothing here imports boto3 (the CLI never loads it), the features are imported when
the session is initialised or a client is created, and the breaker runs as events on each client
(the CLI calls its clients' methods directly), which spares the CLI the protected-client proxy
and the asyncio it would load.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from euca_boto.core.botocore_access import add_models_path, client_emitter
from euca_boto.core.localstate import use_local_by_default
from euca_boto.core.models import models_path
from euca_boto.msgs import SCRIPT_OPT_IN, SCRIPT_PROPERTY

if TYPE_CHECKING:
    from botocore.client import BaseClient

    from euca_boto.install import Plugin


def _own_services() -> list[str]:
    """Services the plugin adds (not the extras it merges into AWS services' models)."""
    return sorted(
        path.parent.parent.name for path in models_path().glob("*/*/service-2.json")
    )


def _on_building_command_table(command_table: Any, session: Any, **kwargs: Any) -> None:
    from awscli.clidriver import ServiceCommand

    add_models_path(session, str(models_path()))
    # The CLI has already listed (and the loader cached) the available services, so the
    # plugin's own services are added to the table by name.
    for service_name in _own_services():
        if service_name not in command_table:
            command_table[service_name] = ServiceCommand(
                cli_name=service_name, session=session, service_name=service_name
            )


def _on_building_modify_property_arguments(argument_table: Any, **kwargs: Any) -> None:
    from awscli.arguments import CustomArgument

    class AllowScriptExecution(CustomArgument):
        def add_to_params(self, parameters: dict[str, Any], value: Any) -> None:
            if value:
                parameters[SCRIPT_OPT_IN] = True

    argument = AllowScriptExecution(
        "allow-script-execution",
        action="store_true",
        help_text=(
            f"<p>Allow <code>--name {SCRIPT_PROPERTY}</code>, whose value the cloud runs as "
            "Groovy code on the cloud controller with the cloud's full privileges. Without "
            "this option euca-boto refuses that call before sending it.</p>"
        ),
    )
    argument_table[argument.name] = argument


def _on_session_initialized(session: Any, **kwargs: Any) -> None:
    from euca_boto.install import install, plugin_of

    install(session)
    # Progress lines once the command creates a client: a command that calls nothing
    # (`aws configure list`) loads nothing of the retry handler.
    session.register("creating-client-class", _show_progress,
                     unique_id="euca-boto-awscli-progress")
    plugin = plugin_of(session)
    if plugin is not None:
        plugin.breaker_hook = _EventBreaker(plugin)
        # Only Python code around its calls enters a caller context or switches the wire log
        # on at run time; an aws process runs none (those steps would run on every call for
        # nothing).
        plugin.callers_code = False


def _show_progress(**kwargs: Any) -> None:
    from euca_boto.retry.progress import show_progress

    show_progress()  # the CLI shows nothing of euca-boto's retries otherwise


class _EventBreaker:
    """The breaker of each client the CLI creates, as a pair of events on the client (the
    client plugin's), in place of the protected-client proxy of installed sessions."""

    def __init__(self, plugin: Plugin) -> None:
        self._plugin = plugin

    def __call__(self, client: BaseClient, settings: Any) -> BaseClient:
        from euca_boto.breakers.events import CallBreaker

        model = client.meta.service_model
        breaker = CallBreaker(self._plugin.settings.profile, model.service_name, settings,
                              client.meta.endpoint_url)
        breaker.register(client_emitter(client), model.service_id.hyphenize())
        return client


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
        "building-argument-table.euprop.modify-property-value",
        _on_building_modify_property_arguments,
        unique_id="euca-boto-awscli-allow-script-execution",
    )
    event_hooks.register(
        "session-initialized", _on_session_initialized, unique_id="euca-boto-awscli-session"
    )
