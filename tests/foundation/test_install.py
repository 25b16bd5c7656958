"""Installing the plugin on sessions: idempotence, the default session, models, validation."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import boto3
import botocore.session
import pytest

import euca_boto
from euca_boto.install import plugin_of


def creating_client_class_handlers(core: botocore.session.Session) -> list[str]:
    """Names of the handlers that run when a client class is built for a service."""
    emitter = core.get_component("event_emitter")
    responses = emitter.emit("creating-client-class.euprop", class_attributes={},
                             base_classes=[])
    return [getattr(handler, "__qualname__", repr(handler)) for handler, _ in responses]


def test_session_returns_an_installed_boto3_session() -> None:
    session = euca_boto.session(region_name="eucalyptus")
    assert isinstance(session, boto3.session.Session)
    assert session.region_name == "eucalyptus"
    assert plugin_of(session) is not None


def test_installing_twice_registers_each_handler_once() -> None:
    session = boto3.session.Session(region_name="eucalyptus")
    euca_boto.install(session)
    first = creating_client_class_handlers(session._session)
    search_paths = list(session._session.get_component("data_loader").search_paths)
    euca_boto.install(session)
    assert creating_client_class_handlers(session._session) == first
    assert "Plugin.on_creating_client_class" in first
    assert session._session.get_component("data_loader").search_paths == search_paths
    assert search_paths[0] == str(euca_boto.models_path())


def test_install_without_argument_installs_on_boto3_default_session() -> None:
    boto3.DEFAULT_SESSION = None
    try:
        returned = euca_boto.install()
        assert returned is boto3.DEFAULT_SESSION
        assert plugin_of(boto3.DEFAULT_SESSION) is not None
        # Plain boto3.client() now goes through the installed default session.
        client = boto3.client("euserv", region_name="eucalyptus",
                              endpoint_url="http://127.0.0.1:1/services/Empyrean",
                              aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="x")
        assert client.meta.service_model.service_name == "euserv"
    finally:
        boto3.DEFAULT_SESSION = None


def test_install_accepts_a_botocore_session() -> None:
    core = botocore.session.Session()
    assert euca_boto.install(core) is core
    client = core.create_client("euprop", region_name="eucalyptus",
                                endpoint_url="http://127.0.0.1:1/services/Properties",
                                aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="x")
    assert "describe_properties" in dir(client)


def test_install_rejects_other_objects_with_a_clear_error() -> None:
    with pytest.raises(TypeError, match="takes a boto3.Session or a botocore.session.Session, "
                       "not dict"):
        euca_boto.install({})


def test_plain_session_does_not_see_the_plugin_models() -> None:
    euca_boto.session()  # installing elsewhere must not leak into other sessions
    plain = boto3.session.Session()
    assert "euserv" not in plain.get_available_services()
    assert "list_accounts" not in dir(plain.client("iam", region_name="us-east-1"))


def test_installed_session_lists_and_extends_services() -> None:
    session = euca_boto.session(region_name="eucalyptus")
    assert {"euserv", "euprop", "euconfig"} <= set(session.get_available_services())
    iam = session.client("iam", aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="x")
    assert "list_accounts" in dir(iam)


def test_bad_settings_are_rejected_when_installing(aws_config: Callable[[str], Path]) -> None:
    aws_config("[default]\neuca_retry_max_attempts = lots\n")
    with pytest.raises(euca_boto.ConfigError, match="euca_retry_max_attempts = 'lots'"):
        euca_boto.session()


def test_session_passes_euca_keywords_as_settings() -> None:
    session = euca_boto.session(euca_retry_max_attempts=2)
    plugin = plugin_of(session)
    assert plugin is not None
    view = plugin.settings.for_service("ec2")
    assert view["euca_retry_max_attempts"] == 2
    assert view.source("euca_retry_max_attempts") == "argument"
