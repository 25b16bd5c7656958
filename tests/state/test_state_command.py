"""``euca-boto breakers`` on breakers kept in a state file: the profile's, the default one,
or the one ``--storage`` names."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from euca_boto.breakers.storage import STATE_FILE_PREFIX, storage_for
from euca_boto.breakers.window import WindowSpec
from euca_boto.cli import main as cli_main
from euca_boto.core.localstate import default_path


def open_breaker(path: Path, name: str) -> None:
    """A breaker in the file at ``path``, opened as a process would have left it."""
    storage_for(STATE_FILE_PREFIX + str(path), name).transition(None, "open", 1.0e9, 1.0e9 + 30)


def table(out: str) -> list[list[str]]:
    return [re.split(r"\s{2,}", line.strip()) for line in out.splitlines()]


def test_list_reads_the_default_file_when_the_profile_says_nothing(
    env: Callable[..., dict[str, str]], capsys: pytest.CaptureFixture[str]
) -> None:
    env()
    open_breaker(default_path(), "localcloud/euprop")
    assert cli_main(["breakers", "list"]) == 0
    assert table(capsys.readouterr().out) == [
        ["name", "state", "calls", "failure rate", "slow rate", "failures in a row",
         "opened at", "next probe"],
        ["localcloud/euprop", "open", "0", "-", "-", "0", "2001-09-09T01:46:40+00:00",
         "2001-09-09T01:47:10+00:00"],
    ]


def test_list_and_reset_the_file_the_profile_names(
    env: Callable[..., dict[str, str]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "profile-state.sqlite3"
    env(f"euca_state = {path}")
    open_breaker(path, "localcloud/iam")
    assert cli_main(["breakers", "reset", "localcloud/iam"]) == 0
    assert capsys.readouterr().out == "breaker localcloud/iam: reset (closed)\n"
    assert cli_main(["breakers", "list"]) == 0
    assert table(capsys.readouterr().out)[1] == ["localcloud/iam", "closed", "0", "-", "-",
                                                  "0", "-", "-"]


def test_storage_names_a_file_or_local(
    env: Callable[..., dict[str, str]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env("euca_state = memory")
    path = tmp_path / "other.sqlite3"
    open_breaker(path, "elsewhere/euprop")
    assert cli_main(["breakers", "--storage", str(path), "open", "elsewhere/euprop"]) == 0
    assert capsys.readouterr().out == "breaker elsewhere/euprop: forced open\n"
    assert cli_main(["breakers", "--storage", str(path), "list"]) == 0
    assert table(capsys.readouterr().out)[1][:2] == ["elsewhere/euprop", "forced-open"]
    assert cli_main(["breakers", "--storage", "local", "list"]) == 0
    assert table(capsys.readouterr().out)[1:] == []


def test_listing_a_missing_file_shows_none_and_creates_nothing(
    env: Callable[..., dict[str, str]], capsys: pytest.CaptureFixture[str]
) -> None:
    env()
    assert cli_main(["breakers", "list"]) == 0
    assert table(capsys.readouterr().out)[1:] == []
    assert not default_path().exists()
    assert not default_path().parent.exists()


def test_an_unknown_name_is_answered_with_the_known_ones(
    env: Callable[..., dict[str, str]], capsys: pytest.CaptureFixture[str]
) -> None:
    env()
    open_breaker(default_path(), "localcloud/euprop")
    assert cli_main(["breakers", "reset", "localcloud/euprp"]) == 2
    assert capsys.readouterr().err == (
        f"euca-boto: no breaker named 'localcloud/euprp' in state file {default_path()}; "
        f"known: localcloud/euprop\n")


def test_an_unusable_file_is_one_line_and_exit_status_1(
    env: Callable[..., dict[str, str]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "garbage.sqlite3"
    path.write_bytes(b"garbage" * 100)
    env(f"euca_state = {path}")
    assert cli_main(["breakers", "list"]) == 1
    assert capsys.readouterr().err == (
        f"euca-boto: state file {path} cannot be used: file is not a database\n")


def test_a_storage_that_is_neither_file_nor_redis_is_rejected(
    env: Callable[..., dict[str, str]], capsys: pytest.CaptureFixture[str]
) -> None:
    env()
    assert cli_main(["breakers", "--storage", os.path.join("no", "such.sqlite3"), "list"]) == 2
    assert "expected memory, or a Redis URL such as redis://127.0.0.1:6379/0, local, or the " \
        "path of an existing state file" in capsys.readouterr().err


def test_list_shows_the_window_of_each_breaker(
    env: Callable[..., dict[str, str]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "window.sqlite3"
    env(f"euca_state = {path}")
    storage = storage_for(STATE_FILE_PREFIX + str(path), "localcloud/euprop")
    for outcome in "sssfsssfSs":  # two failures, one slow call
        storage.record(outcome, 1.0e9, WindowSpec("count", 100))
    assert cli_main(["breakers", "list"]) == 0
    assert table(capsys.readouterr().out)[1] == [
        "localcloud/euprop", "closed", "10", "20%", "10%", "0", "-", "-"]
