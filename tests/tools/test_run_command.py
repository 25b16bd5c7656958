"""``euca-boto run`` itself: what it costs a process that never uses botocore, the start-up hook
it shares with an existing ``sitecustomize``, Pythons of other environments and those that
cannot load euca-boto, the standard endpoint variables every process gets, bad use."""

from __future__ import annotations

import json
import subprocess
import sys
import sysconfig
from collections.abc import Callable
from pathlib import Path

import pytest
from toolrun import BIN, Tool

PYTHON = BIN / "python"


def test_a_python_that_never_imports_botocore_imports_nothing_of_euca_boto(
    tool: Callable[..., Tool],
) -> None:
    t = tool()
    result = t.euca_run(PYTHON, "-c", "import sys; print(sorted(m for m in sys.modules "
                        "if m.split('.')[0] in ('euca_boto', 'botocore', 'boto3')))")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
    assert result.stderr == ""


def test_a_python_that_never_imports_botocore_loads_no_more_of_the_standard_library(
    tool: Callable[..., Tool],
) -> None:
    """The start-up hook runs in every Python process of the command: it may add itself and
    nothing a plain start-up does not load (importlib.abc, functools, threading, pathlib...)."""
    t = tool()
    listing = "import sys; print(' '.join(sorted(sys.modules)))"
    plain = subprocess.run([str(PYTHON), "-c", listing], capture_output=True, text=True,
                           check=True, env=t.env)
    hooked = t.euca_run(PYTHON, "-c", listing)
    assert hooked.returncode == 0, hooked.stderr
    added = set(hooked.stdout.split()) - set(plain.stdout.split())
    assert added == {"sitecustomize"}, sorted(added)


def test_an_existing_sitecustomize_still_runs(tool: Callable[..., Tool], tmp_path: Path) -> None:
    t = tool()
    own = tmp_path / "own-site"
    own.mkdir()
    (own / "sitecustomize.py").write_text("import os\nos.environ['OWN_SITE'] = 'ran'\n")
    result = t.euca_run(PYTHON, "-c", "import os, boto3; print(os.environ.get('OWN_SITE')); "
                        "print(type(boto3.client('sts')).__name__)",
                        extra_env={"PYTHONPATH": str(own)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["ran", "ProtectedClient"]


def test_wire_records_go_to_stderr_when_the_tool_configures_no_logging(
    tool: Callable[..., Tool],
) -> None:
    t = tool(wire=None, extra="euca_wire_log = properties\n")
    result = t.euca_run(PYTHON, "-c", "import boto3; boto3.client('euprop')"
                        ".describe_properties(Properties=['dns.enabled'])")
    assert result.returncode == 0, result.stderr
    assert "euca_boto.wire.euprop euprop DescribeProperties attempt 1" in result.stderr
    assert t.cloud.secret_key not in result.stderr


def test_the_hooks_directory_is_off_the_path_once_the_hook_has_run(
    tool: Callable[..., Tool],
) -> None:
    """Left on the path, the hook's directory is searched first for every top-level module the
    process imports (some six million instructions in ``aws``). Child processes still get the
    hook, from PYTHONPATH."""
    t = tool(wire=None)
    program = ("import os, subprocess, sys, boto3\n"
               "hook = os.environ['PYTHONPATH'].split(os.pathsep)[0]\n"
               "print(hook.endswith('bootstrap'), hook in sys.path,"
               " type(boto3.client('euprop')).__name__)\n"
               "sys.stdout.flush()\n"
               "if len(sys.argv) == 1: subprocess.run([sys.executable, '-c', __code__, 'child'])\n")
    code = f"__code__ = {program!r}\n{program}"
    result = t.euca_run(PYTHON, "-c", code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["True False ProtectedClient"] * 2


def test_a_python_of_another_environment_gets_this_installations_euca_boto(
    tool: Callable[..., Tool],
) -> None:
    """Another interpreter that finds botocore (here: the test environment's packages on
    PYTHONPATH, whose .pth files it does not read, so euca-boto is not among them)."""
    t = tool(wire=None)
    other = str(Path(sys.base_prefix) / "bin" / "python3")
    packages = sysconfig.get_paths()["purelib"]
    result = t.euca_run(other, "-c", "import boto3; print(type(boto3.client('euprop'))"
                        ".__name__)", extra_env={"PYTHONPATH": packages})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ProtectedClient"
    assert result.stderr == ""


def test_a_python_that_cannot_import_euca_boto_says_so_in_one_line(
    tool: Callable[..., Tool], tmp_path: Path,
) -> None:
    """A botocore euca-boto cannot work with (here: a stand-in with a session and nothing
    else): the tool runs as it would without euca-boto, and says so once."""
    t = tool(wire=None)
    stand_in = tmp_path / "stand-in" / "botocore"
    stand_in.mkdir(parents=True)
    (stand_in / "__init__.py").write_text("")
    (stand_in / "session.py").write_text(
        "class Session:\n    def create_client(self, name):\n        return 'bare ' + name\n")
    other = str(Path(sys.base_prefix) / "bin" / "python3")
    result = t.euca_run(other, "-c", "import botocore.session as s; print(s.Session()"
                        ".create_client('sts'), s.Session().create_client('ec2'))",
                        extra_env={"PYTHONPATH": str(stand_in.parent)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["bare", "sts", "bare", "ec2"]
    assert result.stderr.splitlines() == [
        f"euca-boto run: {other} cannot import euca_boto (No module named "
        f"'botocore.exceptions'), so AWS calls from this process run without it (to the "
        f"profile's first endpoints, from the AWS_ENDPOINT_URL_* variables)"]


IDENTITY = ("import boto3; print(boto3.client('sts').get_caller_identity()['Account'])")


@pytest.mark.parametrize("flag", ["-I", "-E"])
def test_a_python_that_ignores_pythonpath_is_told_and_still_reaches_the_cloud(
    tool: Callable[..., Tool], flag: str,
) -> None:
    t = tool(wire=None)
    result = t.euca_run(PYTHON, flag, "-c", IDENTITY)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "123456789012"
    assert result.stderr.splitlines() == [
        f"euca-boto run: {PYTHON} {flag} ignores PYTHONPATH, so euca-boto cannot load there: "
        f"its AWS calls go to the profile's first endpoints without euca-boto's retries, "
        f"failover or breakers"]
    assert [(r.endpoint, r.action) for r in t.cloud.requests()] == [(0, "GetCallerIdentity")]


def test_every_process_finds_the_profiles_endpoints_in_the_standard_variables(
    tool: Callable[..., Tool],
) -> None:
    t = tool(wire=None)
    own = "http://127.0.0.1:9/mine"  # set by the user: kept
    result = t.euca_run(PYTHON, "-I", "-c", "import os, json; print(json.dumps({k: v for k, v "
                        "in os.environ.items() if k.startswith('AWS_ENDPOINT_URL_')}))",
                        extra_env={"AWS_ENDPOINT_URL_S3": own})
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "AWS_ENDPOINT_URL_EUSERV": t.cloud.service_url("euserv"),
        "AWS_ENDPOINT_URL_EUPROP": t.cloud.service_url("euprop"),
        "AWS_ENDPOINT_URL_EUCONFIG": t.cloud.service_url("euconfig"),
        "AWS_ENDPOINT_URL_EC2": t.cloud.service_url("ec2"),
        "AWS_ENDPOINT_URL_EUCA_EC2": t.cloud.service_url("ec2"),
        "AWS_ENDPOINT_URL_IAM": t.cloud.service_url("iam"),
        "AWS_ENDPOINT_URL_STS": t.cloud.service_url("sts"),
        "AWS_ENDPOINT_URL_S3": own,
    }


def test_a_session_of_another_profile_keeps_its_own_endpoints(tool: Callable[..., Tool]) -> None:
    """The variables hold the run's profile's endpoints; a session that a tool opens with
    another profile goes where that profile says."""
    t = tool(wire=None)
    with open(t.env["AWS_CONFIG_FILE"], "a") as config:
        config.write(f"\n[profile other]\nregion = {t.cloud.region}\n"
                     f"euca_endpoint_urls = {t.cloud.endpoint(1).url}\n")
    with open(t.env["AWS_SHARED_CREDENTIALS_FILE"], "a") as credentials:
        credentials.write("\n" + t.cloud.credentials_text("other"))
    result = t.euca_run(PYTHON, "-c", "import boto3; boto3.Session(profile_name='other')"
                        ".client('euprop').describe_properties(Properties=['dns.enabled'])")
    assert result.returncode == 0, result.stderr
    assert t.hits() == [0, 1]


# Prints what a script sees of how it was started.
_STARTED_AS = """import json, os, sys
with open("/proc/self/cmdline", "rb") as handle:
    process = [a.decode() for a in handle.read().split(b"\\0") if a]
print(json.dumps({"argv": sys.argv, "orig_argv": sys.orig_argv, "name": __name__,
                  "file": __file__, "path0": sys.path[0], "process": process,
                  "loader": type(__loader__).__name__, "spec": __spec__,
                  "hook_first": os.environ["PYTHONPATH"].split(os.pathsep)[0],
                  "on_path": os.environ["PYTHONPATH"].split(os.pathsep)[0] in sys.path}))
sys.exit(int(sys.argv[1]))
"""


def _script(directory: Path, text: str, interpreter: str | Path = PYTHON) -> Path:
    script = directory / "tool-script"
    script.write_text(f"#!{interpreter}\n{text}")
    script.chmod(0o755)
    return script


def test_a_script_of_the_same_python_runs_without_a_second_start_of_it(
    tool: Callable[..., Tool], tmp_path: Path,
) -> None:
    """``aws``, ``ansible-playbook``, ``custodian``: scripts whose ``#!`` line names the Python
    ``euca-boto`` runs on. The script runs in the launcher's process (the kernel still has the
    launcher's command line) and sees what a start of its own would give it."""
    t = tool()
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = _script(bin_dir, _STARTED_AS)
    result = t.euca_run("tool-script", "3", extra_env={"PATH": f"{bin_dir}:{t.env['PATH']}"})
    assert result.returncode == 3, result.stderr
    seen = json.loads(result.stdout)
    assert seen["process"][-4:] == ["run", "--", "tool-script", "3"]
    assert seen["argv"] == [str(script), "3"]
    assert seen["orig_argv"] == [str(PYTHON), str(script), "3"]
    assert (seen["name"], seen["file"], seen["path0"]) == ("__main__", str(script), str(bin_dir))
    assert (seen["loader"], seen["spec"]) == ("SourceFileLoader", None)
    # The hook's directory leads PYTHONPATH, for every child, and is off the path once the
    # hook has run (each top-level import would search it first), as in a start of its own.
    assert seen["hook_first"].endswith("bootstrap") and not seen["on_path"]


def test_a_script_run_in_the_launchers_process_gets_euca_boto_and_its_failures_as_usual(
    tool: Callable[..., Tool], tmp_path: Path,
) -> None:
    t = tool(wire=None)
    works = _script(tmp_path, "import boto3\nprint(type(boto3.client('euprop')).__name__)\n")
    result = t.euca_run(works)
    assert (result.returncode, result.stdout.strip(), result.stderr) == (0, "ProtectedClient", "")
    fails = _script(tmp_path, "def go():\n    raise LookupError('no such thing')\ngo()\n")
    result = t.euca_run(fails)
    assert result.returncode == 1
    shown = [line for line in result.stderr.strip().splitlines()
             if line.strip().strip("~^")]  # Python 3.13 marks the failing expression
    assert shown == [
        "Traceback (most recent call last):",
        f'  File "{fails}", line 4, in <module>',
        "    go()",
        f'  File "{fails}", line 3, in go',
        "    raise LookupError('no such thing')",
        "LookupError: no such thing",
    ]


def test_a_script_that_does_not_compile_is_reported_by_python_as_usual(
    tool: Callable[..., Tool], tmp_path: Path,
) -> None:
    t = tool(wire=None)
    result = t.euca_run(_script(tmp_path, "print('unclosed'\n"))
    assert result.returncode == 1
    assert "SyntaxError" in result.stderr
    assert "euca_boto" not in result.stderr


def test_a_script_of_another_python_or_with_options_starts_that_python(
    tool: Callable[..., Tool], tmp_path: Path,
) -> None:
    t = tool(wire=None)
    show = "import sys\nprint(sys.orig_argv[0], sys.flags.isolated)\n"
    other = Path(sys.base_prefix) / "bin" / "python3"
    result = t.euca_run(_script(tmp_path, show, interpreter=other))
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [str(other), "0"]
    result = t.euca_run(_script(tmp_path, show, interpreter=f"{PYTHON} -I"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [str(PYTHON), "1"]


def test_an_existing_sitecustomize_runs_once_for_a_script_run_in_the_launchers_process(
    tool: Callable[..., Tool], tmp_path: Path,
) -> None:
    t = tool(wire=None)
    own = tmp_path / "own-site"
    own.mkdir()
    (own / "sitecustomize.py").write_text(
        "import os\nos.environ['OWN_SITE'] = os.environ.get('OWN_SITE', '') + 'ran'\n")
    script = _script(tmp_path, "import os, boto3\nprint(os.environ['OWN_SITE'], "
                     "type(boto3.client('sts')).__name__)\n")
    result = t.euca_run(script, extra_env={"PYTHONPATH": str(own)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["ran", "ProtectedClient"]


def test_a_script_run_in_the_launchers_process_can_spawn_python_workers(
    tool: Callable[..., Tool], tmp_path: Path,
) -> None:
    """multiprocessing's spawn method starts workers that import the main script by its path."""
    t = tool(wire=None)
    script = _script(tmp_path, (
        "import multiprocessing\n"
        "def kind(_):\n"
        "    import boto3\n"
        "    return type(boto3.client('euprop')).__name__\n"
        "if __name__ == '__main__':\n"
        "    with multiprocessing.get_context('spawn').Pool(2) as pool:\n"
        "        print(' '.join(pool.map(kind, range(2))))\n"))
    result = t.euca_run(script, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["ProtectedClient", "ProtectedClient"]


def test_a_session_installed_before_its_first_client_finishes_each_client_once(
    tool: Callable[..., Tool],
) -> None:
    """A program (or the AWS CLI's plugin) installs euca-boto on its session itself: under
    ``euca-boto run`` the start-up hook finds it installed at the first ``create_client``,
    which must not build the client through the installed session a second time."""
    t = tool(wire=None)
    result = t.euca_run(PYTHON, "-c", (
        "import euca_boto\n"
        "from euca_boto.install import plugin_of\n"
        "session = euca_boto.session()\n"
        "finished = []\n"
        "plugin_of(session).client_hooks.append(lambda c, view: finished.append(c) or c)\n"
        "euprop = session.client('euprop')\n"
        "euprop.describe_properties(Properties=['dns.enabled'])\n"
        "print(len(finished), type(euprop).__name__)\n"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["1", "ProtectedClient"]
    assert sum(t.hits()) == 1


def test_the_launcher_imports_neither_botocore_nor_boto3() -> None:
    """Every tool started through run pays for its start-up (a child's imports are not shown:
    -X importtime is not inherited)."""
    result = subprocess.run([PYTHON, "-X", "importtime", BIN / "euca-boto", "run", "--",
                             PYTHON, "-c", "pass"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    imported = [line.rsplit("|", 1)[1].strip() for line in result.stderr.splitlines()
                if line.startswith("import time:") and "|" in line]
    assert "euca_boto.cli.run" in imported
    assert [m for m in imported if m.split(".")[0] in ("botocore", "boto3")] == []


def test_run_without_a_command_is_a_usage_error() -> None:
    result = subprocess.run([BIN / "euca-boto", "run"], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "euca-boto run: no command given; usage: euca-boto run [--quiet] -- COMMAND [ARGS...]")


def test_run_of_a_missing_command_says_so() -> None:
    result = subprocess.run([BIN / "euca-boto", "run", "--", "no-such-tool-here"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 127
    assert result.stderr.strip() == "euca-boto run: no-such-tool-here: command not found"


# Forks children while two threads call: each child calls once (its wire records go to the
# inherited stderr too) and must exit within 10 s; prints the children that hung, then the
# children made.
_FORKS_WHILE_CALLING = """
import os, threading, time
import boto3
euprop = boto3.client("euprop")
euprop.describe_properties(Properties=["dns.enabled"])
stop = threading.Event()
def keep_calling():
    for _ in range(100000):
        if stop.is_set():
            return
        euprop.describe_properties(Properties=["dns.enabled"])
threads = [threading.Thread(target=keep_calling) for _ in range(2)]
for thread in threads:
    thread.start()
hung = made = 0
deadline = time.monotonic() + 60
while made < 100 and time.monotonic() < deadline:
    pid = os.fork()
    if pid == 0:
        euprop.describe_properties(Properties=["dns.enabled"])
        os._exit(0)
    made += 1
    give_up = time.monotonic() + 10
    while os.waitpid(pid, os.WNOHANG) == (0, 0):
        if time.monotonic() > give_up:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
            hung += 1
            break
        time.sleep(0.005)
stop.set()
for thread in threads:
    thread.join()
print(hung, made)
"""


@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
def test_a_fork_child_writes_its_wire_records_to_stderr_while_the_parents_threads_do(
    tool: Callable[..., Tool],
) -> None:
    """A thread of the parent half way through a wire record on stderr at the moment of a fork
    must not leave the child's stderr taken."""
    t = tool(wire=None, extra="euca_wire_log = properties\n")
    result = t.euca_run(PYTHON, "-W", "ignore::DeprecationWarning", "-c", _FORKS_WHILE_CALLING,
                        timeout=180)
    assert result.returncode == 0, result.stderr[-2000:]
    hung, made = map(int, result.stdout.split())
    assert hung == 0, f"{hung} of {made} children hung"
    assert made >= 30
    assert "euca_boto.wire.euprop euprop DescribeProperties attempt 1" in result.stderr
