"""The built wheel, installed on its own in a fresh virtual environment, as ``pip install
euca-boto`` (no extras) installs it: every command works or names the extra it needs.

The environment shares nothing with the development one: no system site packages, no
PYTHONPATH, its own pip installing the wheel and only the dependencies the wheel declares. It
is built once per test session.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import inspect
import os
import re
import signal
import subprocess
import sys
import venv
import zipfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import euca_boto
from euca_boto.cli import build_parser
from euca_boto.core.extras import EXTRAS

ROOT = Path(__file__).resolve().parents[2]
# Commands that need an extra, and the line they answer with in a bare install.
NEEDS_EXTRA = {
    "tracker": "euca-boto: the tracker command needs the 'tracker' extra: "
               "pip install 'euca-boto[tracker]'",
    "demo": "euca-boto: the demo needs the 'cloud' and 'tracker' extras: "
            "pip install 'euca-boto[cloud,tracker]'",
    "cloud": "euca-boto: the cloud command needs the 'cloud' extra: pip install "
             "'euca-boto[cloud]' (moto serves its EC2, IAM, STS and S3; --no-aws does without "
             "them)",
}


@pytest.fixture(scope="session")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out),
         str(ROOT)],
        check=True, capture_output=True, timeout=300,
    )
    (built,) = out.glob("euca_boto-*.whl")
    return built


def clean_environ() -> dict[str, str]:
    """This process's environment without what would let the development one leak in."""
    leaks = ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "VIRTUAL_ENV", "AWS_DATA_PATH")
    env = {k: v for k, v in os.environ.items() if k not in leaks}
    env["PYTHONNOUSERSITE"] = "1"
    return env


class BareInstall:
    """A virtual environment holding the wheel and its declared dependencies, nothing else."""

    def __init__(self, root: Path, wheel: Path) -> None:
        self.root = root
        self.bin = root / "bin"
        venv.EnvBuilder(with_pip=True, clear=True, system_site_packages=False).create(root)
        subprocess.run(
            [str(self.bin / "python"), "-m", "pip", "install", "-q", str(wheel)],
            check=True, capture_output=True, timeout=600, env=clean_environ(), cwd=root,
        )

    def run(self, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
        """``euca-boto ARGS`` of this environment, as a user's shell runs it."""
        return subprocess.run([str(self.bin / "euca-boto"), *args], capture_output=True,
                              text=True, timeout=120, env=clean_environ(), cwd=cwd or self.root)

    def python(self, code: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(self.bin / "python"), "-c", code], capture_output=True,
                              text=True, timeout=120, env=clean_environ(), cwd=self.root)


@pytest.fixture(scope="session")
def bare(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> BareInstall:
    return BareInstall(tmp_path_factory.mktemp("bare") / "env", wheel)


def command_paths(parser: argparse.ArgumentParser) -> list[tuple[str, ...]]:
    """Every command and subcommand of the command line (``("admin", "status")``, ...)."""
    paths: list[tuple[str, ...]] = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                paths.append((name,))
                paths += [(name, *rest) for rest in command_paths(sub)]
    return paths


def test_wheel_ships_models_inside_the_package(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert "euca_boto/service-models/euserv/eucalyptus/service-2.json" in names
    assert "euca_boto/service-models/iam/2010-05-08/service-2.sdk-extras.json" in names
    assert "euca_boto/py.typed" in names
    # The command is a script whose first line the installer points at its Python (an entry
    # point's generated wrapper would import re, which every `euca-boto run` would pay for).
    [script] = [n for n in names if n.endswith(".data/scripts/euca-boto")]
    text = zipfile.ZipFile(wheel).read(script).decode()
    assert text.startswith("#!python\n")
    assert "from euca_boto.cli import main" in text and "import re" not in text


def test_the_wheel_names_the_repository_and_carries_the_license(wheel: Path) -> None:
    archive = zipfile.ZipFile(wheel)
    names = archive.namelist()
    metadata = archive.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    assert "Project-URL: Repository, https://github.com/euca-boto/euca-boto" in metadata
    assert "Project-URL: Documentation, https://github.com/euca-boto/euca-boto/tree/main/docs" \
        in metadata
    [license_file] = [n for n in names if n.endswith(".dist-info/licenses/LICENSE")
                      or n.endswith(".dist-info/LICENSE")]
    assert "Apache License" in archive.read(license_file).decode()
    assert f"Version: {euca_boto.__version__}" in metadata


def test_the_bare_environment_has_the_wheel_and_no_extra(bare: BareInstall) -> None:
    optional = sorted({module for modules in EXTRAS.values() for module in modules})
    probe = (
        "import importlib.util, sys, euca_boto; print(euca_boto.__file__);"
        f"print([m for m in {optional!r} if importlib.util.find_spec(m)]);"
        "print(sys.prefix == sys.base_prefix or all("
        "p.startswith((sys.prefix, sys.base_prefix)) for p in sys.path if p))"
    )
    result = bare.python(probe)
    assert result.returncode == 0, result.stderr
    module_file, found, contained = result.stdout.splitlines()
    assert module_file.startswith(str(bare.root))
    assert found == "[]"
    assert contained == "True"


def test_every_command_and_its_help_work_without_extras(bare: BareInstall) -> None:
    main_help = bare.run("--help")
    assert main_help.returncode == 0, main_help.stderr
    paths = command_paths(build_parser())
    assert ("admin", "status") in paths and ("tracker", "serve") in paths
    with ThreadPoolExecutor(4) as pool:
        results = dict(zip(paths, pool.map(lambda p: bare.run(*p, "--help"), paths),
                           strict=True))
    for path, result in results.items():
        assert "Traceback" not in result.stderr, (path, result.stderr)
        if path[0] == "tracker" and len(path) > 1:
            # The tracker's own parser needs the extra; its stand-in says so.
            assert (result.returncode, result.stderr) == (2, NEEDS_EXTRA["tracker"] + "\n"), path
            continue
        assert result.returncode == 0, (path, result.stderr)
        assert result.stdout.startswith(f"usage: euca-boto {' '.join(path)}"), path
        assert path[0] in main_help.stdout
    assert "pip install 'euca-boto[tracker]'" in results[("tracker",)].stdout


def test_config_and_models_path_work_without_extras(bare: BareInstall, tmp_path: Path) -> None:
    config = bare.run("config")
    assert config.returncode == 0, config.stderr
    assert config.stdout.splitlines()[0] == "profile default"
    models = bare.run("models-path")
    assert models.returncode == 0, models.stderr
    assert Path(models.stdout.strip(), "euserv").is_dir()
    assert models.stdout.strip().startswith(str(bare.root))


def test_a_session_and_its_admin_client_work_without_extras(bare: BareInstall) -> None:
    probe = (
        "import euca_boto;"
        "s = euca_boto.session(region_name='eucalyptus');"
        "c = s.client('euprop', endpoint_url='http://127.0.0.1:1/services/Properties',"
        " aws_access_key_id='AKIDEXAMPLE', aws_secret_access_key='x');"
        "print(euca_boto.models_path()); print(c.meta.service_model.operation_names)"
    )
    result = bare.python(probe)
    assert result.returncode == 0, result.stderr
    models, operations = result.stdout.splitlines()
    assert models.startswith(str(bare.root))
    assert "DescribeProperties" in operations


@pytest.mark.parametrize(("args", "expected"), [
    (("demo",), NEEDS_EXTRA["demo"]),
    (("cloud",), NEEDS_EXTRA["cloud"]),
    (("tracker", "serve", "--profile", "p"), NEEDS_EXTRA["tracker"]),
    (("breakers", "--storage", "redis://127.0.0.1:1/0", "list"),
     "euca-boto: redis is not installed: this needs the 'redis' extra: "
     "pip install 'euca-boto[redis]'"),
])
def test_a_command_needing_an_extra_says_which_in_one_line(
    bare: BareInstall, args: tuple[str, ...], expected: str
) -> None:
    result = bare.run(*args)
    assert (result.returncode, result.stdout, result.stderr) == (2, "", expected + "\n")


@pytest.fixture
def bare_cloud(bare: BareInstall, tmp_path: Path) -> Iterator[str]:
    """``euca-boto cloud --no-aws`` of the bare install; yields what it printed until ready."""
    process = subprocess.Popen(
        [str(bare.bin / "euca-boto"), "cloud", "--no-aws", "--endpoints", "1",
         "--partitions", "1", "--profile", "bare"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=clean_environ(),
        cwd=tmp_path,
    )
    assert process.stdout is not None
    printed = []
    try:
        for line in process.stdout:
            printed.append(line)
            if line.startswith("# LocalCloud is ready."):
                break
        yield "".join(printed)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


def test_admin_status_works_without_extras(
    bare: BareInstall, bare_cloud: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = bare_cloud.split("# Add to ~/.aws/config:\n", 1)[1].split("# Add to", 1)[0]
    credentials = bare_cloud.split("# Add to ~/.aws/credentials:\n", 1)[1].split("# Control")[0]
    (tmp_path / "config").write_text(config)
    (tmp_path / "credentials").write_text(credentials)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    result = bare.run("admin", "status", "--profile", "bare")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0].split() == ["TYPE", "PARTITION", "STATE", "COUNT"]
    assert any(line.split() == ["bootstrap", "PARTI00", "ENABLED", "1"]
               for line in result.stdout.splitlines()), result.stdout


def test_the_extras_table_names_the_modules_of_the_packages_extras() -> None:
    declared: dict[str, set[str]] = {}
    for requirement in importlib.metadata.requires("euca-boto") or []:
        marker = re.search(r"""extra == ['"]([a-z]+)['"]""", requirement)
        if marker:
            name = re.match(r"[A-Za-z0-9_.-]+", requirement)
            assert name is not None
            declared.setdefault(marker[1], set()).add(normal(name[0]))
    provided_by = packages_distributions()
    assert set(declared) - {"test", "docs"} == set(EXTRAS)  # the two for development
    for extra, modules in EXTRAS.items():
        # A module not installed here is taken to be named as its distribution; a namespace
        # (opentelemetry) is provided by more distributions than the extra's.
        dists = {m: {normal(d) for d in provided_by.get(m, [m])} for m in modules}
        assert declared[extra] <= set().union(*dists.values()), extra
        assert all(dists[m] & declared[extra] for m in modules), extra


def packages_distributions() -> dict[str, list[str]]:
    """``importlib.metadata.packages_distributions()`` as Python 3.11 answers it: the top-level
    names of a distribution that declares none (no ``top_level.txt``, as wheels built by
    hatchling) are read from its files, which Python 3.10 does not do."""
    found: dict[str, list[str]] = {}
    for dist in importlib.metadata.distributions():
        names = (dist.read_text("top_level.txt") or "").split()
        if not names:
            tops = {file.parts[0] if len(file.parts) > 1 else inspect.getmodulename(file.name)
                    for file in dist.files or ()}
            names = sorted(name for name in tops if name)
        for name in names:
            found.setdefault(name, []).append(dist.metadata["Name"])
    return found


def normal(name: str) -> str:
    """A distribution's name as package indexes compare them."""
    return re.sub(r"[-_.]+", "-", name).lower()
