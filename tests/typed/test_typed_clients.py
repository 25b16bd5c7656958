"""The admin clients' types: generated from the models, checked by mypy, true at run time."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from awsenv import AwsEnv

import euca_boto
from euca_boto.testing import LocalCloud
from euca_boto.typed import EucaEc2Client, EuconfigClient, EupropClient, EuservClient
from euca_boto.typed.common import ClientBase

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
CLIENTS = {"euserv": EuservClient, "euprop": EupropClient, "euconfig": EuconfigClient,
           "euca-ec2": EucaEc2Client}

# A program with four mistakes an editor and mypy must catch, and one revealed type.
MISTAKES = textwrap.dedent('''
    import euca_boto

    session = euca_boto.session(profile_name="localcloud")
    euprop = session.client("euprop")
    reveal_type(euprop.describe_properties(Properties=["dns."]))
    euprop.modify_property_value(Value="1")
    euprop.describe_propertys()
    reply = euprop.describe_properties()
    reply["Propertiez"]
    flag: str = reply["Properties"][0]["ReadOnly"]
    ''')


def mypy(*files: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    environment = dict(os.environ, MYPYPATH=f"{ROOT}{os.pathsep}{EXAMPLES}")
    # A cache of its own (these options differ from the project's mypy run): checking botocore's
    # stubs and euca_boto from nothing takes ten seconds of CPU, from the cache well under one;
    # mypy re-checks whatever changed, so the verdict is the same.
    cache = ROOT / ".mypy_cache" / "typed-example"
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--cache-dir", str(cache), "--ignore-missing-imports",
         "--no-error-summary", "--hide-error-context", *map(str, files)],
        capture_output=True, text=True, timeout=300, cwd=cwd, env=environment,
    )


@pytest.mark.static
def test_the_generated_types_match_the_service_models() -> None:
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "generate_types.py"), "--check"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr


@pytest.mark.static
def test_mypy_accepts_the_typed_example_and_reports_each_mistake(tmp_path: Path) -> None:
    mistakes = tmp_path / "mistakes.py"
    mistakes.write_text(MISTAKES)
    result = mypy(EXAMPLES / "typed_admin.py", mistakes, cwd=tmp_path)

    lines = result.stdout.splitlines()
    assert not [line for line in lines if "typed_admin.py" in line], result.stdout
    by_line: dict[int, str] = {}
    for match in filter(None, (re.match(r".*mistakes\.py:(\d+): (.*)", line) for line in lines)):
        by_line[int(match.group(1))] = by_line.get(int(match.group(1)), "") + match.group(2)
    assert "DescribePropertiesResponseTypeDef" in by_line[6]
    assert 'Missing named argument "Name"' in by_line[7]
    assert 'has no attribute "describe_propertys"' in by_line[8]
    assert '"Propertiez"' in by_line[10]
    assert 'expression has type "bool"' in by_line[11]


def test_the_typed_example_runs_against_a_local_cloud() -> None:
    result = subprocess.run([sys.executable, str(EXAMPLES / "typed_admin.py")],
                            capture_output=True, text=True, timeout=180, cwd=EXAMPLES)
    assert result.returncode == 0, result.stderr
    assert "enabled service types: bootstrap, cluster, compute" in result.stdout
    assert "dns.enabled = true" in result.stdout
    # The cloud's own account and the (eucalyptus)* system accounts, sorted.
    assert "accounts: (eucalyptus)aws-exec-read, " in result.stdout
    assert result.stdout.rstrip().endswith(", eucalyptus")


@pytest.fixture(scope="module")
def cloud_shape() -> dict[str, Any]:
    return {"endpoints": 1, "partitions": 1}


@pytest.mark.parametrize("service", sorted(CLIENTS))
def test_every_typed_method_is_a_method_of_the_real_client(
    service: str, cloud: LocalCloud, aws_env: AwsEnv
) -> None:
    aws_env.use(*aws_env.write_profile(cloud))
    client = euca_boto.session(profile_name="localcloud").client(service)
    typed = {name for name in vars(CLIENTS[service]) if not name.startswith("_")}
    assert typed == set(client.meta.method_to_api_mapping)
    shared = {name for name in vars(ClientBase) if not name.startswith("_")}
    shared |= set(ClientBase.__annotations__)
    assert shared == {"meta", "exceptions", "can_paginate", "get_paginator", "get_waiter", "close"}
    assert all(hasattr(client, name) for name in shared)


def test_a_reply_has_only_keys_its_typed_dict_names(
    cloud: LocalCloud, aws_env: AwsEnv
) -> None:
    from euca_boto.typed.euprop import DescribePropertiesResponseTypeDef, PropertyTypeDef

    aws_env.use(*aws_env.write_profile(cloud))
    reply = euca_boto.session(profile_name="localcloud").client("euprop").describe_properties(
        Properties=["dns."])
    assert set(reply) <= set(DescribePropertiesResponseTypeDef.__annotations__)
    assert reply["Properties"]
    for prop in reply["Properties"]:
        assert set(prop) <= set(PropertyTypeDef.__annotations__)
