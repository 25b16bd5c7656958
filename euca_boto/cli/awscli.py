"""``euca-boto awscli enable`` / ``disable``: the plugin in the AWS CLI the user runs, v1 or v2.

The AWS CLI v1 imports plugins from its own Python: ``[plugins] euca = euca_boto.awscli_plugin``
is enough when that Python has euca-boto. The AWS CLI v2 runs on a Python of its own (the
system's for Debian's package, a bundled one for AWS's installer) and a fork of botocore inside
``awscli``; it imports plugins only from the directories ``cli_legacy_plugin_path`` names. For
v2, ``enable`` therefore copies euca-boto and its pure-Python dependencies into a plugin
directory (no boto3: the CLI never loads it) and names it there.

Which CLI it is, and its Python, are asked of the ``aws`` found on ``PATH`` (or ``--aws``) by
running it, and the result is tried before the config file is changed: the CLI must start with
the plugin enabled (``aws configure list``), or nothing is written. ``disable`` removes exactly
what ``enable`` added. A config file that cannot be parsed, or a CLI that cannot be identified,
is one line and exit status 2, with the file left as it was.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import euca_boto
from euca_boto.cli.configfile import ConfigText, config_path
from euca_boto.cli.run import DEPENDENCIES
from euca_boto.core.models import models_path
from euca_boto.errors import ConfigError

PLUGIN_MODULE = "euca_boto.awscli_plugin"
PLUGIN_KEY = "euca"
PATH_KEY = "cli_legacy_plugin_path"
SECTION = "plugins"
STAMP = ".euca-boto-plugin"
# What the AWS CLI has to import beyond the plugin module itself once a command creates a client.
FEATURES = ("euca_boto.install", "euca_boto.clientplugin", "euca_boto.endpoints.events",
            "euca_boto.retry.handler", "euca_boto.wirelog", "euca_boto.telemetry",
            "euca_boto.context")
# Running the CLI to identify or try it: it starts in about a second; a busy machine is slower.
CLI_TIMEOUT = 120.0

_PROBE = "import os, sys\nopen(os.environ['_EUCA_BOTO_PROBE'], 'w').write(sys.executable)\n"


class CliError(Exception):
    """The AWS CLI cannot take the plugin (the message says why); nothing was changed."""


@dataclass(frozen=True)
class AwsCli:
    """An installed AWS CLI: where, which release, and the Python it runs on (None for a
    bundled one, such as AWS's own installer's)."""

    path: str
    version: str
    python: str | None

    @property
    def major(self) -> int:
        return int(self.version.split(".")[0])

    def describe(self) -> str:
        return f"the AWS CLI {self.version} at {self.path}"


def default_plugin_dir() -> Path:
    """Where ``enable`` puts the AWS CLI v2's plugin directory."""
    data = os.environ.get("XDG_DATA_HOME") or os.path.expanduser("~/.local/share")
    return Path(data) / "euca-boto" / "awscli-v2"


def identify(aws: str) -> AwsCli:
    """Run ``aws --version`` (with an empty config file, so a broken ``[plugins]`` section does
    not get in the way) and learn its release and its Python. Raises :class:`ConfigError` for
    something that is not an AWS CLI this knows."""
    with tempfile.TemporaryDirectory(prefix="euca-boto-probe-") as probe:
        (Path(probe) / "sitecustomize.py").write_text(_PROBE)
        out = Path(probe) / "python"
        env = {**os.environ, "AWS_CONFIG_FILE": os.devnull, "_EUCA_BOTO_PROBE": str(out),
               "PYTHONPATH": os.pathsep.join(filter(None, [probe,
                                                           os.environ.get("PYTHONPATH")]))}
        try:
            result = subprocess.run([aws, "--version"], capture_output=True, text=True,
                                    env=env, timeout=CLI_TIMEOUT)
        except OSError as error:
            raise ConfigError(f"cannot run {aws}: {error.strerror or error}") from None
        except subprocess.TimeoutExpired:
            raise ConfigError(f"{aws} --version did not answer in {CLI_TIMEOUT:.0f} s") from None
        python = out.read_text() if out.exists() else None
    said = (result.stdout + result.stderr).strip()
    match = re.match(r"aws-cli/(\d+\.\d+\.\S+)\s", said + " ")
    if result.returncode != 0 or match is None or match.group(1)[0] not in "12":
        first = said.splitlines()[0] if said else f"nothing, exit status {result.returncode}"
        raise ConfigError(f"cannot identify the AWS CLI at {aws}: `{aws} --version` said "
                          f"{first[:200]!r}")
    return AwsCli(aws, match.group(1), python)


def build_plugin_dir(target: Path) -> None:
    """Copy euca-boto (with its models) and its pure-Python dependencies into ``target``."""
    if target.exists() and not (target / STAMP).exists() and any(target.iterdir()):
        raise CliError(f"{target} exists and was not made by euca-boto; move it away or "
                       f"name another directory with --plugin-dir")
    target.parent.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        source = Path(euca_boto.__file__).parent
        code = shutil.ignore_patterns("__pycache__", "*.pyc", "*.so", "*.pyd", "*.c")
        shutil.copytree(source, building / "euca_boto", ignore=code)
        if not (building / "euca_boto" / "service-models").exists():
            shutil.copytree(models_path(), building / "euca_boto" / "service-models")
        for name in DEPENDENCIES:
            package = Path(str(__import__(name).__file__)).parent
            shutil.copytree(package, building / name, ignore=code)
        (building / STAMP).write_text(f"euca-boto {euca_boto.__version__} for the AWS CLI v2\n")
        building.chmod(0o755)
        old = target.with_name(f".{target.name}.old")
        shutil.rmtree(old, ignore_errors=True)
        if target.exists():
            target.rename(old)
        building.rename(target)
        shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise


def enabled_text(current: ConfigText, cli: AwsCli, plugin_dir: Path) -> ConfigText:
    """``current`` with the plugin enabled for ``cli``."""
    new = ConfigText(current.text())
    paths = [p for p in (new.get(SECTION, PATH_KEY) or "").split(os.pathsep) if p]
    if cli.major == 1:
        if paths:
            raise ConfigError(
                f"the [{SECTION}] section has {PATH_KEY} (for the AWS CLI v2), which the AWS "
                f"CLI v1 cannot read: it would fail every command. Give each CLI its own config "
                f"file (AWS_CONFIG_FILE), or remove {PATH_KEY} (euca-boto awscli disable)")
    else:
        if str(plugin_dir) not in paths:
            new.set(SECTION, PATH_KEY, os.pathsep.join([*paths, str(plugin_dir)]))
    if new.get(SECTION, PLUGIN_KEY) != PLUGIN_MODULE:
        if new.get(SECTION, PLUGIN_KEY) is not None:
            raise ConfigError(f"[{SECTION}] {PLUGIN_KEY} = {new.get(SECTION, PLUGIN_KEY)} is "
                              f"another plugin; euca-boto needs {PLUGIN_KEY} = {PLUGIN_MODULE}")
        new.set(SECTION, PLUGIN_KEY, PLUGIN_MODULE)
    return new


def try_enabled(cli: AwsCli, text: ConfigText, plugin_dir: Path | None,
                profile: str | None) -> None:
    """Start ``cli`` with ``text`` as its config file; raise :class:`CliError` if it fails."""
    with tempfile.TemporaryDirectory(prefix="euca-boto-try-") as directory:
        config = Path(directory) / "config"
        config.write_text(text.text())
        env = {**os.environ, "AWS_CONFIG_FILE": str(config), "AWS_PAGER": ""}
        checks = [[cli.path, "configure", "list", *(["--profile", profile] if profile else [])]]
        if cli.python is not None:
            # Everything a command imports once it creates a client, in the CLI's own Python.
            code = ("import sys, awscli.clidriver; sys.path.extend(sys.argv[1:]); "
                    + "; ".join(f"import {name}" for name in FEATURES))
            checks.append([cli.python, "-c", code, *([str(plugin_dir)] if plugin_dir else [])])
        for command in checks:
            try:
                result = subprocess.run(command, capture_output=True, text=True, env=env,
                                        timeout=CLI_TIMEOUT)
            except subprocess.TimeoutExpired:
                raise CliError(f"{cli.describe()} did not start in {CLI_TIMEOUT:.0f} s with the "
                               f"plugin enabled") from None
            if result.returncode != 0:
                said = (result.stderr.strip() or result.stdout.strip()).splitlines()
                raise CliError(f"{cli.describe()} fails with the plugin enabled: "
                               f"{said[-1] if said else f'exit status {result.returncode}'}")


def enable(aws: str | None, profile: str | None, plugin_dir: Path) -> list[str]:
    """Enable the plugin in the config file for the AWS CLI ``aws`` (default: on PATH)."""
    path = config_path()
    current = ConfigText.read(path)
    cli = identify(_which(aws))
    if cli.major == 2:
        build_plugin_dir(plugin_dir)
    new = enabled_text(current, cli, plugin_dir)
    try_enabled(cli, new, plugin_dir if cli.major == 2 else None, profile)
    changed = new.text() != current.text()
    if changed:
        new.write(path)
    lines = [f"{'enabled' if changed else 'already enabled'}: euca-boto in {cli.describe()} "
             f"([{SECTION}] of {path})"]
    if cli.major == 2:
        lines.append(f"plugin directory: {plugin_dir} (run enable again after upgrading "
                     f"euca-boto)")
    lines.append(f"try: aws euprop describe-properties{f' --profile {profile}' if profile else ''}")
    return lines


def disable(plugin_dir: Path) -> list[str]:
    """Remove what :func:`enable` added to the config file, and the plugin directory."""
    path = config_path()
    current = ConfigText.read(path)
    new = ConfigText(current.text())
    if new.get(SECTION, PLUGIN_KEY) == PLUGIN_MODULE:
        new.remove(SECTION, PLUGIN_KEY)
    paths = [p for p in (new.get(SECTION, PATH_KEY) or "").split(os.pathsep) if p]
    if str(plugin_dir) in paths:
        rest = [p for p in paths if p != str(plugin_dir)]
        if rest:
            new.set(SECTION, PATH_KEY, os.pathsep.join(rest))
        else:
            new.remove(SECTION, PATH_KEY)
    if new.has_section(SECTION) and not new.keys(SECTION):
        new.remove_section(SECTION)
    lines = []
    if new.text() != current.text():
        new.write(path)
        lines.append(f"disabled: euca-boto is no longer in [{SECTION}] of {path}")
    else:
        lines.append(f"not enabled in {path}: nothing to do")
    if (plugin_dir / STAMP).exists():
        shutil.rmtree(plugin_dir)
        lines.append(f"removed the plugin directory {plugin_dir}")
    return lines


def _which(aws: str | None) -> str:
    found = shutil.which(aws or "aws")
    if found is None:
        raise ConfigError(f"{aws} is not an executable file" if aws else
                          "no `aws` on PATH; name the AWS CLI with --aws PATH")
    return found


def _command(args: argparse.Namespace) -> int:
    plugin_dir = Path(args.plugin_dir).expanduser().absolute() if args.plugin_dir \
        else default_plugin_dir()
    try:
        if args.awscli_command == "enable":
            lines = enable(args.aws, args.profile, plugin_dir)
        else:
            lines = disable(plugin_dir)
    except ConfigError as error:
        print(f"euca-boto awscli {args.awscli_command}: {error}", file=sys.stderr)
        return 2
    except (CliError, OSError) as error:
        print(f"euca-boto awscli {args.awscli_command}: {error}; nothing was changed",
              file=sys.stderr)
        return 1
    for line in lines:
        print(line)
    return 0


def add_commands(commands: Any) -> None:
    """Add ``awscli enable`` and ``awscli disable`` to the ``euca-boto`` command line."""
    awscli = commands.add_parser(
        "awscli", help="enable or disable the plugin in the AWS CLI (v1 or v2)",
        description="Enable or disable euca-boto in the AWS CLI found on PATH (v1 or v2), "
                    "through the [plugins] section of the AWS config file.")
    actions = awscli.add_subparsers(dest="awscli_command", metavar="ACTION", required=True)
    enable_parser = actions.add_parser(
        "enable", help="add the plugin to the AWS CLI's config (v2: prepare its directory)",
        description="Add euca-boto to the AWS CLI's config file: for the AWS CLI v1 the "
                    "[plugins] line; for the AWS CLI v2 also a plugin directory its own Python "
                    "can import, named in cli_legacy_plugin_path. The CLI is tried with the "
                    "new configuration before the file is changed.")
    enable_parser.add_argument("--aws", help="the AWS CLI to enable it for (default: aws on PATH)")
    enable_parser.add_argument("--profile",
                               help="a profile to try the CLI with (its settings are checked)")
    disable_parser = actions.add_parser(
        "disable", help="remove the plugin from the AWS CLI's config",
        description="Remove what enable added to the AWS CLI's config file (the plugin's "
                    "[plugins] lines), leaving every other section, key and comment as it was.")
    for parser in (enable_parser, disable_parser):
        parser.add_argument("--plugin-dir", metavar="DIR",
                            help=f"the AWS CLI v2's plugin directory "
                                 f"(default: {default_plugin_dir()})")
        parser.set_defaults(func=_command)
