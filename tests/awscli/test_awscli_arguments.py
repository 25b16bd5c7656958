"""What the plugin adds to the CLI's own arguments, and bad settings as the CLI reports them."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from cli_support import Aws

from euca_boto.testing import LocalCloud

SCRIPT = "'touch /tmp/owned'.execute()"


@pytest.fixture(autouse=True)
def no_requests(cloud: LocalCloud) -> None:
    cloud.clear_requests()


def modify_requests(cloud: LocalCloud) -> list[dict[str, str | list[str]]]:
    return [r.params for r in cloud.requests() if r.action == "ModifyPropertyValue"]


def test_the_euca_property_is_refused_without_the_option_and_nothing_is_sent(
    cloud: LocalCloud, write_profile: Callable[..., dict[str, str]], aws: Aws
) -> None:
    result = aws(write_profile(), "euprop", "modify-property-value",
                 "--name", "euca", "--value", SCRIPT)
    assert result.returncode == 255
    assert "runs its Value as Groovy code" in result.stderr
    assert "--allow-script-execution" in result.stderr
    assert modify_requests(cloud) == []


def test_allow_script_execution_sends_the_call_without_the_opt_in(
    cloud: LocalCloud, write_profile: Callable[..., dict[str, str]], aws: Aws
) -> None:
    result = aws(write_profile(), "euprop", "modify-property-value",
                 "--name", "euca", "--value", SCRIPT, "--allow-script-execution")
    # LocalCloud never runs scripts; it answers as a cloud refusing one would.
    assert result.returncode == 255
    assert "LocalCloud does not execute code through the 'euca' property" in result.stderr
    [params] = modify_requests(cloud)
    assert params["Name"] == "euca" and params["Value"] == SCRIPT
    assert not any("Allow" in key for key in params)


def test_other_properties_need_no_option(
    cloud: LocalCloud, write_profile: Callable[..., dict[str, str]], aws: Aws
) -> None:
    result = aws(write_profile(), "euprop", "modify-property-value",
                 "--name", "dns.enabled", "--value", "true")
    assert result.returncode == 0, result.stderr
    assert [p["Name"] for p in modify_requests(cloud)] == ["dns.enabled"]


def test_help_documents_the_option(write_profile: Callable[..., dict[str, str]],
                                   aws: Aws) -> None:
    result = aws(write_profile(), "euprop", "modify-property-value", "help")
    assert result.returncode == 0, result.stderr
    text = " ".join(result.stdout.replace("\b", "").split())
    assert "--allow-script-execution" in text
    assert "runs as Groovy code" in text or "Groovy code on the cloud controller" in text


def test_a_misspelt_service_block_is_one_clear_line(
    cloud: LocalCloud, write_profile: Callable[..., dict[str, str]], aws: Aws
) -> None:
    env = write_profile("propertie =", "    euca_retry_max_attempts = 3")
    result = aws(env, "euprop", "describe-properties")
    assert result.returncode == 255
    assert result.stderr.strip().splitlines() == [
        "profile 'localcloud', service block 'propertie': no service is named 'propertie', "
        "so its euca_ settings would apply to nothing; did you mean properties?"
    ]
    assert cloud.requests() == []
