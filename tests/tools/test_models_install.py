"""``euca-boto models install`` / ``uninstall``: the admin models for unmodified tools, in
botocore's per-user model directory of a temporary HOME."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

from toolrun import BIN, Tool

from euca_boto.core.models import models_path

DESCRIBE = ("euprop", "describe-properties", "--properties", "dns.enabled")


def plain_aws(t: Tool, cloud_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    """The AWS CLI with neither the plugin nor euca-boto run: only the models can help it."""
    return t.run(BIN / "aws", "--endpoint-url", cloud_url, *args)


def test_install_makes_the_services_known_and_uninstall_forgets_them(
    tool: Callable[..., Tool],
) -> None:
    t = tool(wire=None)
    url = t.cloud.service_url("euprop", 0)
    before = plain_aws(t, url, *DESCRIBE)
    assert before.returncode == 2 and "Invalid choice" in before.stderr

    installed = t.run(BIN / "euca-boto", "models", "install")
    assert installed.returncode == 0, installed.stderr
    models = Path(t.env["HOME"]) / ".aws" / "models"
    assert installed.stdout.startswith(f"installed 9 model files (ec2, euca-ec2, euconfig, "
                                       f"euprop, euserv, iam, sts) into {models}")
    # The refusal of the `euca` property lives in the plugin, not in the models.
    assert installed.stdout.splitlines()[1] == (
        "note: the models do not carry euca-boto's guard: a tool running without euca-boto "
        "sends ModifyPropertyValue with Name='euca' (Groovy code the cloud controller runs) "
        "without asking for AllowScriptExecution")
    assert (models / "euprop" / "eucalyptus" / "service-2.json").read_bytes() == (
        models_path() / "euprop" / "eucalyptus" / "service-2.json").read_bytes()
    answer = plain_aws(t, url, *DESCRIBE)
    assert answer.returncode == 0, answer.stderr
    assert json.loads(answer.stdout)["Properties"][0]["Name"] == "dns.enabled"
    again = t.run(BIN / "euca-boto", "models", "install")
    assert again.returncode == 0, again.stderr  # reinstalling replaces its own files

    mine = models / "s3" / "2006-03-01" / "paginators-1.sdk-extras.json"
    mine.parent.mkdir(parents=True)
    mine.write_text("{}")
    removed = t.run(BIN / "euca-boto", "models", "uninstall")
    assert removed.returncode == 0, removed.stderr
    assert removed.stdout.startswith("removed 9 model files")
    assert sorted(p.relative_to(models).as_posix() for p in models.rglob("*") if p.is_file()) == [
        "s3/2006-03-01/paginators-1.sdk-extras.json"]  # the user's own file stays
    after = plain_aws(t, url, *DESCRIBE)
    assert after.returncode == 2 and "Invalid choice" in after.stderr


def test_install_never_overwrites_a_file_it_did_not_write(tool: Callable[..., Tool]) -> None:
    t = tool(wire=None)
    foreign = Path(t.env["HOME"]) / ".aws" / "models" / "euprop" / "eucalyptus" / "service-2.json"
    foreign.parent.mkdir(parents=True)
    foreign.write_text('{"mine": true}')
    result = t.run(BIN / "euca-boto", "models", "install")
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"euca-boto models install: {foreign} exists and was not installed by euca-boto; "
        f"move it away, then run `euca-boto models install` again")
    assert foreign.read_text() == '{"mine": true}'
