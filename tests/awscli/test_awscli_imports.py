"""What the plugin makes the AWS CLI import: every ``aws`` command pays for it.

The CLI never loads boto3, nor asyncio; the plugin loads neither, and of its own features only
those the command uses. The modules are read from inside the real ``aws`` process (a
``sitecustomize`` that writes them down when it exits).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from cli_support import Aws

from euca_boto.testing import LocalCloud

BIN = Path(sys.executable).parent
RECORDER = ("import atexit, json, os, sys\n"
            "atexit.register(lambda: json.dump(sorted(sys.modules), "
            "open(os.environ['MODULES_FILE'], 'w')))\n")


@pytest.fixture
def modules_of(tmp_path: Path, aws: Aws) -> Callable[..., set[str]]:
    """Run ``aws ARGS`` with ``env``; the modules it had loaded when it exited."""
    site = tmp_path / "recorder"
    site.mkdir()
    (site / "sitecustomize.py").write_text(RECORDER)

    def run(env: dict[str, str], *args: str) -> set[str]:
        out = tmp_path / "modules.json"
        result = aws({**env, "PYTHONPATH": str(site), "MODULES_FILE": str(out)}, *args)
        assert result.returncode == 0, result.stderr
        return set(json.loads(out.read_text()))

    return run


def family(modules: set[str], *names: str) -> list[str]:
    return sorted(m for m in modules if m in names or m.startswith(tuple(f"{n}." for n in names)))


def test_a_call_loads_neither_boto3_nor_asyncio(
    cloud: LocalCloud, write_profile: Callable[..., dict[str, str]],
    modules_of: Callable[..., set[str]],
) -> None:
    modules = modules_of(write_profile(), "sts", "get-caller-identity")
    assert "euca_boto.retry.handler" in modules and "euca_boto.breakers.breaker" in modules
    assert family(modules, "boto3", "asyncio", "wrapt", "euca_boto.breakers.protected") == []


def test_a_profile_without_breakers_loads_no_breaker_code(
    cloud: LocalCloud, write_profile: Callable[..., dict[str, str]],
    modules_of: Callable[..., set[str]],
) -> None:
    modules = modules_of(write_profile("euca_breaker = false"), "sts", "get-caller-identity")
    assert "euca_boto.retry.handler" in modules
    assert family(modules, "euca_boto.breakers", "euca_boto.clientplugin") == []


def test_a_command_that_calls_nothing_loads_nothing_of_the_call_path(
    cloud: LocalCloud, write_profile: Callable[..., dict[str, str]],
    modules_of: Callable[..., set[str]],
) -> None:
    modules = modules_of(write_profile(), "configure", "list")
    assert "euca_boto.awscli_plugin" in modules
    assert family(modules, "euca_boto.endpoints", "euca_boto.breakers", "euca_boto.retry",
                  "euca_boto.wirelog", "boto3", "asyncio") == []


# Loaded only when a profile asks for them (a Redis URL, euca_topology = dns or
# describe-services, a wire log or redacted botocore records), never by a default profile. A
# caller context is entered by Python code around its calls: an ``aws`` process runs none.
UNASKED = ("euca_boto.context", "euca_boto.breakers.storage.redis",
           "euca_boto.endpoints.sources.dns", "euca_boto.endpoints.sources.topology",
           "euca_boto.core.redact", "euca_boto.core.sensitive", "euca_boto.botocore_logs",
           "redis", "dns")


@pytest.mark.parametrize("command", [("euprop", "describe-properties"),
                                     ("sts", "get-caller-identity")])
def test_a_default_profile_loads_no_feature_it_does_not_use(
    cloud: LocalCloud, write_profile: Callable[..., dict[str, str]],
    modules_of: Callable[..., set[str]], command: tuple[str, ...],
) -> None:
    modules = modules_of(write_profile(), *command)
    assert "euca_boto.endpoints.selector" in modules
    assert family(modules, *UNASKED, "boto3", "asyncio", "wrapt") == []


# Loaded by a call that fails (what decides a retry, the order of several endpoints and their
# health), by Python code around the calls (run-time switches of the wire log), or by the
# client-plugin door: never by a call of a default profile that succeeds at once.
NOT_ON_SUCCESS = ("euca_boto.retry.policy", "euca_boto.retry.conditions",
                  "euca_boto.retry.context", "euca_boto.retry.backoff", "euca_boto.retry.adapter",
                  "euca_boto.retry.errors", "euca_boto.endpoints.selection",
                  "euca_boto.endpoints.health", "euca_boto.wirelog", "euca_boto.clientplugin")


def test_a_call_that_succeeds_at_once_loads_nothing_of_failures(
    cloud: LocalCloud, write_profile: Callable[..., dict[str, str]],
    modules_of: Callable[..., set[str]],
) -> None:
    modules = modules_of(write_profile(), "euprop", "describe-properties")
    assert {"euca_boto.retry.handler", "euca_boto.breakers.events"} <= modules
    assert family(modules, *NOT_ON_SUCCESS) == []


def test_a_call_under_euca_boto_run_loads_nothing_of_failures(
    cloud: LocalCloud, write_profile: Callable[..., dict[str, str]], tmp_path: Path,
) -> None:
    """``euca-boto run -- aws``: the start-up hook installs euca-boto on the CLI's session as
    well as loading the CLI plugin; neither loads what only failures or a wire log use."""
    recorder = tmp_path / "recorder"
    recorder.mkdir()
    (recorder / "sitecustomize.py").write_text(RECORDER)
    out = tmp_path / "modules.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "EUCA_BOTO_"))}
    env.update(write_profile(), AWS_PAGER="", PYTHONPATH=str(recorder), MODULES_FILE=str(out))
    result = subprocess.run([BIN / "euca-boto", "run", "--", BIN / "aws", "euprop",
                             "describe-properties"], capture_output=True, text=True,
                            timeout=120, env=env)
    assert result.returncode == 0, result.stderr
    modules = set(json.loads(out.read_text()))
    assert {"euca_boto.autoinstall", "euca_boto.breakers.events"} <= modules
    assert family(modules, *NOT_ON_SUCCESS) == []


def test_a_wire_log_loads_the_redaction(
    cloud: LocalCloud, write_profile: Callable[..., dict[str, str]],
    modules_of: Callable[..., set[str]], tmp_path: Path,
) -> None:
    log = tmp_path / "wire.log"
    modules = modules_of(write_profile("euca_wire_log = sts", f"euca_wire_log_file = {log}"),
                         "sts", "get-caller-identity")
    assert {"euca_boto.core.redact", "euca_boto.core.sensitive"} <= modules
    assert "GetCallerIdentity" in log.read_text()
