"""The Pythons euca-boto claims are the ones CI runs: ``tools/pythons.py`` reads them from
``pyproject.toml``'s classifiers, ``.ci/run`` runs the suite on each, and this suite runs only
on a claimed one."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "tools" / "pythons.py"


def _tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("pythons_tool", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _pyproject(tmp_path: Path, requires: str, minors: list[int]) -> Path:
    classifiers = ", ".join(f'"Programming Language :: Python :: 3.{m}"' for m in minors)
    path = tmp_path / "pyproject.toml"
    path.write_text(f'[project]\nname = "x"\nrequires-python = "{requires}"\n'
                    f'classifiers = ["Programming Language :: Python :: 3", {classifiers}]\n')
    return path


def test_the_suite_runs_on_a_python_the_project_claims() -> None:
    result = subprocess.run([sys.executable, str(SCRIPT)], capture_output=True, text=True,
                            timeout=60, check=True)
    claimed = result.stdout.split()
    assert f"{sys.version_info.major}.{sys.version_info.minor}" in claimed
    assert claimed[0] == "3.10"  # requires-python's floor, which the classifiers start at
    assert claimed == sorted(claimed, key=lambda v: int(v.split(".")[1]))


def test_the_main_pythons_run_is_left_out_on_request() -> None:
    everything = subprocess.run([sys.executable, str(SCRIPT)], capture_output=True, text=True,
                                timeout=60, check=True).stdout.split()
    result = subprocess.run([sys.executable, str(SCRIPT), "--except", everything[0]],
                            capture_output=True, text=True, timeout=60, check=True)
    assert result.stdout.split() == everything[1:]


def test_ci_runs_every_claimed_python() -> None:
    # .ci/run takes its list from the tool, leaving out only python3's own (the README's run).
    ci = (ROOT / ".ci" / "run").read_text()
    assert "claimed=$(python3 tools/pythons.py)" in ci
    assert 'grep -vx "$main_minor" <<<"$claimed"' in ci
    assert "tools/python-venv.sh \"$minor\"" in ci


@pytest.mark.parametrize(("requires", "minors", "says"), [
    (">=3.10", [10, 11, 13], "without a gap from requires-python's 3.10 to the newest (3.13)"),
    (">=3.10", [11, 12], "without a gap from requires-python's 3.10"),
    (">=3.10", [], "no 'Programming Language :: Python :: 3.N' classifier"),
    ("~=3.10", [10], "requires-python is not of the form '>=3.N'"),
])
def test_a_gap_between_the_floor_and_the_claims_is_named(
        tmp_path: Path, requires: str, minors: list[int], says: str) -> None:
    with pytest.raises(ValueError) as raised:
        _tool().claimed(_pyproject(tmp_path, requires, minors))
    assert says in str(raised.value)
    assert str(tmp_path / "pyproject.toml") in str(raised.value)


def test_claims_without_a_gap_are_listed_oldest_first(tmp_path: Path) -> None:
    assert _tool().claimed(_pyproject(tmp_path, ">= 3.9", [11, 9, 10])) == ["3.9", "3.10",
                                                                            "3.11"]
