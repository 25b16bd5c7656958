"""The built wheel, installed in a fresh virtual environment, carries and finds its models."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out),
         str(ROOT)],
        check=True, capture_output=True, timeout=300,
    )
    (built,) = out.glob("euca_boto-*.whl")
    return built


def test_wheel_ships_models_inside_the_package(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert "euca_boto/service-models/euserv/eucalyptus/service-2.json" in names
    assert "euca_boto/service-models/iam/2010-05-08/service-2.sdk-extras.json" in names
    assert "euca_boto/py.typed" in names
    entry_points = zipfile.ZipFile(wheel).read(
        next(n for n in names if n.endswith("entry_points.txt"))).decode()
    assert "euca-boto = euca_boto.cli:main" in entry_points


def test_installed_wheel_finds_models_without_environment(wheel: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "fresh"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    # The fresh environment borrows boto3 and friends from this one, but not euca_boto itself:
    # a plain path entry does not run this environment's .pth files (the editable install).
    fresh_site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True).stdout.strip()
    Path(fresh_site, "borrowed.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
         "--no-index", "-q", str(wheel)],
        check=True, capture_output=True, timeout=300,
    )
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("AWS_DATA_PATH", "PYTHONPATH"))}
    probe = (
        "import euca_boto;"
        "s = euca_boto.session(region_name='eucalyptus');"
        "c = s.client('euprop', endpoint_url='http://127.0.0.1:1/services/Properties',"
        " aws_access_key_id='AKIDEXAMPLE', aws_secret_access_key='x');"
        "print(euca_boto.__file__); print(euca_boto.models_path());"
        "print(c.meta.service_model.operation_names)"
    )
    result = subprocess.run([str(python), "-c", probe], capture_output=True, text=True,
                            cwd=tmp_path, env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    module_file, models, operations = result.stdout.splitlines()
    assert module_file.startswith(fresh_site)
    assert models == str(Path(fresh_site) / "euca_boto" / "service-models")
    assert "DescribeProperties" in operations

    command = subprocess.run([str(env_dir / "bin" / "euca-boto"), "models-path"],
                             capture_output=True, text=True, cwd=tmp_path, env=env, timeout=60)
    assert command.returncode == 0, command.stderr
    assert command.stdout.strip() == models
