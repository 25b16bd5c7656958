"""``euca-boto models install`` / ``uninstall`` write and remove only inside the models
directory, through no planted link, and never remove what the user changed.

Each attack is prepared in the models directory before the command runs, as someone with a
way to plant files there (an unpacked archive, a shared home) would: a link at a model path,
a manifest listing files elsewhere, a model file edited since it was installed.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

MODEL = Path("euprop") / "eucalyptus" / "service-2.json"


def models(action: str, directory: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "euca_boto.cli", "models", action,
                           "--dir", str(directory)],
                          capture_output=True, text=True, timeout=60)


def files_under(directory: Path) -> list[str]:
    return sorted(p.relative_to(directory).as_posix() for p in directory.rglob("*"))


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A home with the models directory in ``.aws/models`` and a ``.bashrc``."""
    (tmp_path / ".aws" / "models").mkdir(parents=True)
    (tmp_path / ".bashrc").write_text("export PATH=$HOME/bin:$PATH\n")
    return tmp_path


@pytest.mark.parametrize("link", ["model file", "service directory"])
def test_install_writes_nothing_through_a_planted_link(link: str, home: Path) -> None:
    directory = home / ".aws" / "models"
    outside = home / "outside"
    outside.mkdir()
    if link == "model file":
        (directory / MODEL).parent.mkdir(parents=True)
        (directory / MODEL).symlink_to(outside / "created-by-install.json")  # dangling
    else:
        (directory / MODEL.parts[0]).symlink_to(outside, target_is_directory=True)

    result = models("install", directory)

    assert result.returncode == 2
    [line] = result.stderr.splitlines()
    assert line.startswith("euca-boto models install: ")
    assert "symbolic link" in line
    assert files_under(outside) == []


@pytest.mark.parametrize("action", ["uninstall", "install"])
def test_a_manifest_entry_outside_the_models_directory_is_not_removed(
    action: str, home: Path
) -> None:
    directory = home / ".aws" / "models"
    victim = home / "victim.txt"
    victim.write_text("keep me\n")
    listed = {
        "../../.bashrc": hashlib.sha256((home / ".bashrc").read_bytes()).hexdigest(),
        str(victim): hashlib.sha256(victim.read_bytes()).hexdigest(),
    }
    (directory / ".euca-boto-models.json").write_text(json.dumps({"files": listed}))

    result = models(action, directory)

    assert result.returncode == 2
    [line] = result.stderr.splitlines()
    assert line.startswith(f"euca-boto models {action}: ")
    assert "outside" in line
    assert (home / ".bashrc").read_text() == "export PATH=$HOME/bin:$PATH\n"
    assert victim.read_text() == "keep me\n"


def test_uninstall_leaves_an_edited_model_file_in_place_and_says_so(home: Path) -> None:
    directory = home / ".aws" / "models"
    assert models("install", directory).returncode == 0
    edited = directory / MODEL
    edited.write_text(edited.read_text().replace("Eucalyptus", "Our cloud"))
    mine = edited.read_text()

    result = models("uninstall", directory)

    assert result.returncode == 1
    [line] = result.stderr.splitlines()
    assert line == (f"euca-boto models uninstall: kept {edited}: it was changed since it was "
                    f"installed; remove it yourself if it is no longer wanted")
    assert edited.read_text() == mine
    assert [f for f in files_under(directory) if f.endswith(".json")] == [MODEL.as_posix()]
    # It is the user's file now: a later uninstall leaves it alone without a word.
    again = models("uninstall", directory)
    assert (again.returncode, again.stderr) == (0, "")
    assert edited.read_text() == mine
