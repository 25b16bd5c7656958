"""``euca-boto tracker serve``: bad arguments and stores are one clear line and exit status 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from euca_boto.cli import main


@pytest.mark.parametrize("argv, message", [
    (["--listen", "8780"], "'8780' is not HOST:PORT"),
    (["--interval", "soon"], "'soon' is not a duration"),
    (["--workers", "-2"], "'-2' is not a whole number >= 1"),
    (["--max-connections-per-client", "0"], "'0' is not a whole number >= 1"),
    (["--session-ttl", "500ms"], "'500ms' is not a duration of at least 1 s"),
])
def test_bad_arguments_are_refused_with_the_reason(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["tracker", "serve", *argv])
    assert exited.value.code == 2
    assert message in capsys.readouterr().err


def test_an_unusable_store_is_one_line_and_status_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    (tmp_path / "config").write_text("[default]\nregion = eucalyptus\n")
    status = main(["tracker", "serve", "--store", "mysql://db/feed", "--listen", "127.0.0.1:0"])
    assert status == 2
    assert capsys.readouterr().err.strip() == (
        "euca-boto tracker: store URL 'mysql://db/feed': unsupported scheme; use a file path, "
        "sqlite:///file.db or postgresql://user@host/db")


def test_a_bad_tracker_setting_in_the_profile_names_the_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    (tmp_path / "config").write_text("[default]\neuca_tracker_interval = often\n")
    status = main(["tracker", "serve", "--store", str(tmp_path / "f.db")])
    assert status == 2
    err = capsys.readouterr().err
    assert "euca_tracker_interval = 'often' is not valid" in err
