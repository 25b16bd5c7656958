"""What `import euca_boto` and an installed session load: nothing optional before it is used.

Each check runs in a fresh interpreter, since this test process has imported everything.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest

# Optional extras and the parts of euca-boto a program may never use.
OPTIONAL = (
    "redis", "pybreaker", "dns", "aiobotocore", "aiohttp", "prometheus_client", "moto",
    "psycopg", "requests", "euca_boto.aio", "euca_boto.tracker", "euca_boto.testing",
)

CLIENT = """
import euca_boto
session = euca_boto.session(region_name="eucalyptus", aws_access_key_id="AKIDEXAMPLE",
                            aws_secret_access_key="secret")
client = session.client("euprop", endpoint_url="http://127.0.0.1:1/services/Properties")
assert client.breaker is not None  # a protected client, as installed sessions give
"""

# Records in ``opened`` each endpoints file botocore opens (an audit hook: Python's own).
ENDPOINTS_OPENED = """
opened = []
sys.addaudithook(lambda event, args: opened.append(str(args[0])) if event == "open"
                 and str(args[0]).endswith(("endpoints.json", "endpoints.json.gz")) else None)
"""


def in_fresh_interpreter(code: str, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """What ``code`` (run after ``import boto3, json, sys`` in a fresh interpreter, with a home
    of its own) printed last, as JSON."""
    home = tmp_path_factory.mktemp("home")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "EUCA_BOTO_"))}
    env.update(HOME=str(home), AWS_CONFIG_FILE=str(home / "config"),
               AWS_SHARED_CREDENTIALS_FILE=str(home / "credentials"))
    out = subprocess.run([sys.executable, "-c", f"import boto3, json, sys\n{code}"],
                         capture_output=True, text=True, check=True, timeout=60, env=env).stdout
    return json.loads(out.splitlines()[-1])


def loaded(code: str, tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    """The modules a fresh interpreter has loaded after running ``code`` (after boto3)."""
    return set(in_fresh_interpreter(f"{code}\nprint(json.dumps(sorted(sys.modules)))\n",
                                    tmp_path_factory))


def optional_in(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if m.split(".")[0] in OPTIONAL or m in OPTIONAL
                  or any(m.startswith(f"{name}.") for name in OPTIONAL))


def test_import_loads_nothing_optional(tmp_path_factory: pytest.TempPathFactory) -> None:
    modules = loaded("import euca_boto", tmp_path_factory)
    assert optional_in(modules) == []
    # Nor what only asynchronous programs, retries, endpoints, breakers or the wire log need
    # (euca_boto.breakers itself is light: the public breakers() lives there).
    assert {"asyncio", "wrapt", "euca_boto.retry", "euca_boto.endpoints", "euca_boto.wirelog",
            "euca_boto.breakers.breaker", "euca_boto.breakers.registry",
            "euca_boto.breakers.storage"} & modules == set()


def test_an_installed_session_and_client_load_nothing_optional(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    modules = loaded(CLIENT, tmp_path_factory)
    assert optional_in(modules) == []
    # The protected client's proxy is plain Python: no asyncio, nor a proxy library (wrapt's
    # 2.x releases import asyncio). The wire log is off: nothing that makes its records.
    assert {"asyncio", "wrapt", "euca_boto.wirerecords", "euca_boto.core.redact"} & modules == set()


def test_a_session_that_keeps_its_state_in_memory_loads_no_state_file_and_no_guard(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    # A program's sessions keep endpoint ejections and breaker state in memory unless told
    # otherwise: SQLite's state file is for the AWS CLI and euca_state = local. And creating
    # a client calls nothing: the guard of its calls, and the metrics it records, come with
    # the first call.
    found = in_fresh_interpreter(
        "import euca_boto\n"
        "session = euca_boto.session(region_name='eucalyptus', aws_access_key_id='AKIDEXAMPLE',\n"
        "                            aws_secret_access_key='secret',\n"
        "                            euca_endpoint_urls='http://127.0.0.1:1/,http://127.0.0.2:1/')\n"
        "client = session.client('euprop')\n"
        "created = sorted(sys.modules)\n"
        "try:\n"
        "    client.describe_properties()\n"
        "except Exception:\n"
        "    pass\n"
        "print(json.dumps([created, sorted(sys.modules)]))\n", tmp_path_factory)
    created, called = set(found[0]), set(found[1])
    state_file = {"sqlite3", "euca_boto.core.localstate", "euca_boto.breakers.storage.statefile"}
    guard = {"euca_boto.breakers.guard", "euca_boto.metrics"}
    assert "euca_boto.breakers.registry" in created  # the client's breaker was made
    assert (state_file | guard) & created == set()
    assert guard <= called and state_file & called == set()


def test_the_wire_log_loads_what_makes_its_records_with_its_first_record(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    found = in_fresh_interpreter(
        "import logging\n"
        "import euca_boto\n"
        "logging.basicConfig(level=logging.INFO, stream=sys.stderr)\n"
        "session = euca_boto.session(region_name='eucalyptus', aws_access_key_id='AKIDEXAMPLE',\n"
        "                            aws_secret_access_key='secret', euca_wire_log='euprop',\n"
        "                            euca_endpoint='http://127.0.0.1:1/',\n"
        "                            euca_retry_max_attempts=1, euca_breaker=False)\n"
        "client = session.client('euprop')\n"
        "created = 'euca_boto.wirerecords' in sys.modules\n"
        "try:\n"
        "    client.describe_properties()\n"
        "except Exception:\n"
        "    pass\n"
        "print(json.dumps([created, 'euca_boto.wirerecords' in sys.modules]))\n",
        tmp_path_factory)
    assert found == [False, True]


def test_a_client_with_endpoints_from_the_profile_loads_no_tracing_and_no_refresh(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    # Spans are annotated only where OpenTelemetry traces, and endpoints are re-read in the
    # background only where they come from DNS or the topology: neither module is needed here.
    modules = loaded(
        "import euca_boto\n"
        "session = euca_boto.session(region_name='eucalyptus', aws_access_key_id='AKIDEXAMPLE',\n"
        "                            aws_secret_access_key='secret',\n"
        "                            euca_endpoint_urls='http://127.0.0.1:1/,http://127.0.0.2:1/')\n"
        "session.client('euprop')\n", tmp_path_factory)
    assert "euca_boto.endpoints.selector" in modules  # the endpoints were chosen from
    assert {"euca_boto.telemetry", "euca_boto.endpoints.refresh"} & modules == set()


def test_lazy_names_are_the_public_objects() -> None:
    script = (
        "import euca_boto, euca_boto.install, euca_boto.futures\n"
        "from euca_boto.install import install\n"
        "assert euca_boto.install is install and callable(euca_boto.futures)\n"
        "import euca_boto.breakers.registry\n"
        "assert callable(euca_boto.breakers) and euca_boto.breakers() == []\n"
        "assert euca_boto.aio.install is not None and euca_boto.wire_log.__module__ == "
        "'euca_boto.wirelog'\n"
        "assert set(euca_boto.__all__) <= set(dir(euca_boto))\n"
        "from euca_boto import *  # noqa\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


def test_the_first_client_builds_no_dataclass_of_its_own(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    # A dataclass compiles its methods from source when its module is imported (about a
    # millisecond each); a first client loads some thirty of euca-boto's value objects.
    code = CLIENT + (
        "import dataclasses\n"
        "built = sorted(f'{name}.{attr}' for name, module in list(sys.modules.items())\n"
        "               if name.startswith('euca_boto')\n"
        "               for attr, value in vars(module).items()\n"
        "               if isinstance(value, type) and value.__module__ == name\n"
        "               and dataclasses.is_dataclass(value))\n"
        "print(json.dumps(built))\n"
    )
    assert in_fresh_interpreter(code, tmp_path_factory) == []


@pytest.mark.parametrize(("command", "its_module"), [
    (["models-path"], "euca_boto.cli.config"),
    (["config", "--help"], "euca_boto.cli.config"),
    (["fault", "--help"], "euca_boto.cli.cloud"),
    (["breakers", "--help"], "euca_boto.cli.breakers"),
])
def test_a_command_loads_its_own_module_and_no_other_commands(
    command: list[str], its_module: str, tmp_path_factory: pytest.TempPathFactory,
) -> None:
    # An operator's command starts in a fifth of a second, not half a second: the tracker's
    # server, LocalCloud and the demo are loaded only by the commands that run them.
    code = ("from euca_boto.cli import main\n"
            "try:\n"
            f"    main({command!r})\n"
            "except SystemExit:\n"
            "    pass\n"
            "print(json.dumps(sorted(sys.modules)))\n")
    modules = set(in_fresh_interpreter(code, tmp_path_factory))
    commands = {m for m in modules if m.startswith("euca_boto.cli.")} - {
        "euca_boto.cli.main", "euca_boto.cli.errors", "euca_boto.cli.version"}
    assert commands == {its_module}
    assert {"euca_boto.tracker", "euca_boto.testing", "requests"} & modules == set()


def test_sessions_of_one_process_read_the_endpoints_file_once(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    # botocore parses its megabyte of endpoints for every new session; sessions created one
    # per thread or per request share euca-boto's parse of it.
    code = ENDPOINTS_OPENED + CLIENT + CLIENT + CLIENT + "print(json.dumps(opened))\n"
    opened = in_fresh_interpreter(code, tmp_path_factory)
    assert len(opened) == 1, opened


def test_a_session_with_a_data_path_of_its_own_reads_its_own_endpoints(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    own = tmp_path_factory.mktemp("data")
    code = ENDPOINTS_OPENED + CLIENT + (
        "import os, time, botocore\n"
        "from pathlib import Path\n"
        "data = json.loads((Path(botocore.__file__).parent / 'data/endpoints.json').read_text())\n"
        "aws = next(p for p in data['partitions'] if p['partition'] == 'aws')\n"
        "aws['regions']['xx-test-1'] = {'description': 'a region of its own'}\n"
        "aws['services']['ec2']['endpoints']['xx-test-1'] = {}\n"
        f"Path({str(own)!r}, 'endpoints.json').write_text(json.dumps(data))\n"
        f"os.environ['AWS_DATA_PATH'] = {str(own)!r}\n"
        "opened.clear()\n"
        + CLIENT + "mine = session.get_available_regions('ec2')\n"
        "del os.environ['AWS_DATA_PATH']\n"
        + CLIENT + "theirs = session.get_available_regions('ec2')\n"
        "reads = list(opened)\n"
        # The file changes (a later modification time): the next session reads it again.
        "aws['services']['ec2']['endpoints']['xx-test-2'] = {}\n"
        "aws['regions']['xx-test-2'] = {'description': 'added later'}\n"
        f"Path({str(own)!r}, 'endpoints.json').write_text(json.dumps(data))\n"
        f"os.utime(Path({str(own)!r}, 'endpoints.json'), (1, time.time() + 5))\n"
        f"os.environ['AWS_DATA_PATH'] = {str(own)!r}\n"
        + CLIENT + "again = session.get_available_regions('ec2')\n"
        "print(json.dumps(['xx-test-1' in mine, 'xx-test-1' in theirs, reads,\n"
        "                  'xx-test-2' in again]))\n"
    )
    # The second session read its own file; the third took the first one's.
    assert in_fresh_interpreter(code, tmp_path_factory) == [
        True, False, [str(own / "endpoints.json")], True]
