"""The euca script guard, registration and the entry-list walk of euca_boto.msgs."""

from __future__ import annotations

import botocore.session
import pytest
from botocore.exceptions import BotoCoreError
from model_cases import MSGS_NAMESPACES, msgs_reply
from models_support import MODELS_DIR, CannedServer, ClientFactory

from euca_boto import msgs
from euca_boto.errors import EucaBotoError
from euca_boto.msgs import ScriptExecutionRefused


def test_modify_property_euca_is_refused_without_opt_in_and_sends_nothing(
    server: CannedServer, client: ClientFactory
) -> None:
    with pytest.raises(ScriptExecutionRefused) as caught:
        client("euprop").modify_property_value(Name="euca", Value="'rm -rf /'.execute()")

    assert "Groovy" in str(caught.value)
    assert "AllowScriptExecution=True" in str(caught.value)
    assert isinstance(caught.value, EucaBotoError)
    assert isinstance(caught.value, BotoCoreError)  # caught by boto3's usual except clause
    assert server.requests == []


def test_modify_property_euca_with_opt_in_sends_the_script_without_the_opt_in(
    server: CannedServer, client: ClientFactory
) -> None:
    server.reply(
        msgs_reply(
            "ModifyPropertyValueResponseType",
            "<euca:_return>true</euca:_return><euca:name>euca</euca:name>"
            "<euca:value>4.4.2</euca:value><euca:oldValue>executed successfully.</euca:oldValue>",
            MSGS_NAMESPACES[0],
        )
    )

    parsed = client("euprop").modify_property_value(
        Name="euca", Value="version", AllowScriptExecution=True
    )

    assert (
        server.last_body == "Action=ModifyPropertyValue&Version=eucalyptus&Name=euca&Value=version"
    )
    assert parsed["Value"] == "4.4.2"
    assert parsed["OldValue"] == "executed successfully."


def test_opt_in_must_be_true_itself_not_just_truthy() -> None:
    with pytest.raises(ScriptExecutionRefused):
        msgs.check_script_execution({"Name": "euca", "Value": "1", "AllowScriptExecution": "yes"})


def test_other_properties_pass_the_guard_unchanged() -> None:
    params = {"Name": "euca.version", "Value": "x"}

    assert msgs.check_script_execution(params) == params


def test_registering_twice_registers_each_handler_once() -> None:
    session = botocore.session.Session()
    emitter = session.get_component("event_emitter")

    msgs.register(emitter)
    msgs.register(emitter)

    responses = emitter.emit(
        "provide-client-params.euprop.ModifyPropertyValue",
        params={"Name": "dns.enabled", "AllowScriptExecution": True},
        model=None,
        context={},
    )
    assert [answer for _, answer in responses] == [{"Name": "dns.enabled"}]


def test_response_handlers_are_scoped_to_msgs_services() -> None:
    emitter = botocore.session.Session().get_component("event_emitter")
    msgs.register(emitter)

    def handlers_for(event: str) -> list[object]:
        return [handler for handler, _ in emitter.emit(event, response_dict={"status_code": 200})]

    assert handlers_for("before-parse.euserv.DescribeServices") == [msgs.before_parse_handler]
    assert handlers_for("before-parse.euconfig.RegisterCluster") == [msgs.before_parse_handler]
    assert handlers_for("before-parse.ec2.DescribeRegions") == []
    assert handlers_for("before-parse.iam.ListUsers") == []


def test_only_modelled_entry_lists_are_flattened() -> None:
    session = botocore.session.Session()
    session.get_component("data_loader").search_paths.insert(0, str(MODELS_DIR))
    shape = session.get_service_model("euserv").operation_model("DescribeServices").output_shape
    parsed = {
        "ServiceStatuses": [
            {
                "ServiceId": {"Uris": [{"entry": "http://a"}, {"entry": "http://b"}]},
                "Details": [{"entry": "one"}],
            }
        ],
        "Unmodelled": [{"entry": "kept"}],
    }

    msgs.flatten_entry_lists(parsed, shape)

    assert parsed == {
        "ServiceStatuses": [{"ServiceId": {"Uris": ["http://a", "http://b"]}, "Details": ["one"]}],
        "Unmodelled": [{"entry": "kept"}],
    }
