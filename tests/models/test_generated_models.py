"""The committed service models are exactly what ``tools/generate_models.py`` makes of the data
files in ``tools/models/``, and its ``--check`` fails whenever the two disagree.

The disagreements are made in temporary copies (``--data`` and ``--out`` point the generator at
them), never in the checkout.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from models_support import MODELS_DIR

# Reads the repository's own files: the same on every Python (see the `static` marker).
pytestmark = pytest.mark.static

ROOT = MODELS_DIR.parent
GENERATOR = ROOT / "tools" / "generate_models.py"
DATA_DIR = ROOT / "tools" / "models"
MSGS_SERVICES = ["euconfig/eucalyptus/service-2.json", "euprop/eucalyptus/service-2.json",
                 "euserv/eucalyptus/service-2.json"]


def generate(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(GENERATOR), *map(str, args)],
                          capture_output=True, text=True, timeout=120, check=False)


def stale(result: subprocess.CompletedProcess[str]) -> list[str]:
    return sorted(line.removeprefix("stale: ") for line in result.stdout.splitlines()
                  if line.startswith("stale: "))


def copy_of(source: Path, tmp_path: Path) -> Path:
    target = tmp_path / source.name
    shutil.copytree(source, target)
    return target


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def committed() -> dict[str, bytes]:
    return {str(p.relative_to(MODELS_DIR)): p.read_bytes() for p in MODELS_DIR.rglob("*.json")}


def test_the_committed_models_are_what_the_data_files_generate() -> None:
    result = generate("--check")

    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""


def test_check_fails_when_a_data_file_says_something_the_model_does_not(tmp_path: Path) -> None:
    data = copy_of(DATA_DIR, tmp_path)
    edit(data / "euprop.toml", "Describes cloud properties:", "Lists cloud properties:")
    before = committed()

    result = generate("--check", "--data", data)

    assert result.returncode == 1, result.stdout + result.stderr
    assert stale(result) == ["euprop/eucalyptus/service-2.json"]
    assert committed() == before  # --check writes nothing


def test_a_change_to_the_shared_vocabulary_reaches_every_admin_service(tmp_path: Path) -> None:
    data = copy_of(DATA_DIR, tmp_path)
    edit(data / "msgs.toml", "The server's correlation id", "The correlation id")

    result = generate("--check", "--data", data)

    assert result.returncode == 1, result.stdout + result.stderr
    assert stale(result) == MSGS_SERVICES


def test_check_fails_when_a_committed_model_was_edited_by_hand(tmp_path: Path) -> None:
    models = copy_of(MODELS_DIR, tmp_path)
    edit(models / "iam" / "2010-05-08" / "service-2.sdk-extras.json",
         '"DelegateAccount"', '"DelegatedAccount"')

    result = generate("--check", "--out", models)

    assert result.returncode == 1, result.stdout + result.stderr
    assert stale(result) == ["iam/2010-05-08/service-2.sdk-extras.json"]


def test_check_fails_on_a_model_that_no_data_file_generates(tmp_path: Path) -> None:
    models = copy_of(MODELS_DIR, tmp_path)
    (models / "euold" / "eucalyptus").mkdir(parents=True)
    (models / "euold" / "eucalyptus" / "service-2.json").write_text("{}")

    result = generate("--check", "--out", models)

    assert result.returncode == 1, result.stdout + result.stderr
    assert "no data file generates: euold/eucalyptus/service-2.json" in result.stdout
    assert stale(result) == []


def test_generating_writes_the_data_files_changes_and_restores_the_rest(tmp_path: Path) -> None:
    data = copy_of(DATA_DIR, tmp_path)
    edit(data / "euserv.toml", '"Wait until every named service is {state};',
         '"Wait until each named service is {state};')
    models = copy_of(MODELS_DIR, tmp_path)
    (models / "sts" / "2011-06-15" / "service-2.sdk-extras.json").unlink()
    edit(models / "euca-ec2" / "2015-10-01" / "service-2.json", "Virtual CPUs", "vCPUs")

    result = generate("--data", data, "--out", models)

    assert result.returncode == 0, result.stdout + result.stderr
    written = sorted(line.removeprefix("wrote: ") for line in result.stdout.splitlines())
    assert written == ["euca-ec2/2015-10-01/service-2.json", "euserv/eucalyptus/waiters-2.json",
                       "sts/2011-06-15/service-2.sdk-extras.json"]
    waiters = json.loads((models / "euserv" / "eucalyptus" / "waiters-2.json").read_text())
    assert [w["description"].split(";")[0] for w in waiters["waiters"].values()] == [
        "Wait until each named service is ENABLED", "Wait until each named service is STOPPED"]
    after = {str(p.relative_to(models)): p.read_bytes() for p in models.rglob("*.json")}
    assert {k: v for k, v in after.items() if k != "euserv/eucalyptus/waiters-2.json"} == {
        k: v for k, v in committed().items() if k != "euserv/eucalyptus/waiters-2.json"}
