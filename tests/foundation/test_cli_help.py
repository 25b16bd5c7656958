"""Every ``euca-boto`` command explains itself in ``--help``, and shells complete the commands."""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from euca_boto.cli import build_parser

EUCA_BOTO = str(Path(sys.executable).with_name("euca-boto"))


def subcommands(parser: argparse.ArgumentParser,
                path: tuple[str, ...] = ()) -> Iterator[tuple[str, argparse.ArgumentParser]]:
    """(``"admin status"``, its parser) for every command reachable from ``parser``."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield " ".join((*path, name)), sub
                yield from subcommands(sub, (*path, name))


COMMANDS = dict(subcommands(build_parser()))


def test_the_commands_this_file_expects_are_reachable() -> None:
    assert {"config", "models-path", "demo", "endpoints", "admin status", "breakers list",
            "run", "completion", "models install"} <= set(COMMANDS)


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_has_a_description_in_its_help(command: str) -> None:
    parser = COMMANDS[command]
    assert parser.description, f"euca-boto {command} --help has no description"
    assert len(parser.description.split()) >= 6, parser.description
    assert " ".join(parser.description.split()) in " ".join(parser.format_help().split())


def bash(script: str) -> str:
    result = subprocess.run(["bash", "--norc", "--noprofile", "-c", script], capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    return result.stdout


def completions(shell: str, *words: str) -> list[str]:
    """What ``shell`` offers after ``euca-boto WORDS...`` (the last word being completed),
    with the script ``euca-boto completion SHELL`` prints loaded as a user loads it."""
    line = " ".join(("euca-boto", *words))
    setup = f'eval "$({EUCA_BOTO} completion {shell})"'
    call = (f'COMP_WORDS=(euca-boto {" ".join(repr(w) for w in words)}); '
            f'COMP_CWORD={len(words)}; COMP_LINE={line!r}; COMP_POINT={len(line)}; '
            '_euca_boto; printf "%s\\n" "${COMPREPLY[@]}"')
    if shell == "bash":
        out = bash(f"{setup}\n{call}")
    else:
        result = subprocess.run(["zsh", "-f", "-c", f"{setup}\n{call}"], capture_output=True,
                                text=True, timeout=60)
        assert result.returncode == 0 and result.stderr == "", result.stderr
        out = result.stdout
    return [word for word in out.splitlines() if word]


def test_bash_completes_a_command_from_its_first_letters() -> None:
    assert completions("bash", "br") == ["breakers"]
    assert completions("bash", "end") == ["endpoints"]


def test_bash_completes_actions_and_options_of_a_command() -> None:
    assert set(completions("bash", "breakers", "")) == {
        "list", "reset", "open", "close", "--profile", "--storage", "--help", "-h"}
    assert "--profile" in completions("bash", "admin", "status", "--")
    assert completions("bash", "models", "in") == ["install"]


def test_bash_completes_the_choices_of_an_option() -> None:
    assert completions("bash", "endpoints", "--service", "eu") == [
        "euserv", "euprop", "euconfig", "euca-ec2"]


def test_bash_registers_the_completion_for_the_command() -> None:
    out = bash(f'eval "$({EUCA_BOTO} completion bash)"; complete -p euca-boto')
    assert out.strip() == "complete -F _euca_boto euca-boto"


def test_zsh_completes_a_command_too() -> None:
    assert shutil.which("zsh"), "zsh is not installed (.ci/run installs it)"
    assert completions("zsh", "br") == ["breakers"]
    assert completions("zsh", "endpoints", "--service", "eu") == [
        "euserv", "euprop", "euconfig", "euca-ec2"]


def test_an_unknown_shell_is_one_line_and_exit_2() -> None:
    result = subprocess.run([EUCA_BOTO, "completion", "fish"], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "invalid choice: 'fish'" in result.stderr
