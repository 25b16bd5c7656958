"""``euca-boto run -- COMMAND [ARGS...]``: any AWS tool, unmodified, with euca-boto.

The command runs in place of ``euca-boto`` (same process id, same stdin/stdout/stderr, its exit
status) with these environment variables changed, which every child process inherits:

* ``PYTHONPATH`` starts with ``euca_boto/bootstrap``, whose ``sitecustomize`` installs euca-boto
  on every botocore and aiobotocore session at its first ``create_client``
  (:mod:`euca_boto.autoinstall`) and loads the AWS CLI plugin into ``aws`` (v1 and v2). It
  imports euca-boto from this installation, never from the working directory;
  ``_EUCA_BOTO_RUN_LIBRARY`` names the directories of this installation's dependencies, for a
  Python of another environment (the AWS CLI v2 runs on its own);
* ``AWS_DATA_PATH`` starts with the plugin's models, so tools that list services before they
  create a client (the AWS CLI's command table) see the Eucalyptus admin services;
* ``AWS_ENDPOINT_URL_<SERVICE>``, for each service the profile points at a cloud (unless set
  already): the URL euca-boto tries first. A process that runs without euca-boto (another
  language's SDK, a Python started with ``-I`` or ``-E``, one that cannot import euca-boto)
  still sends the cloud's calls to the cloud, never to ``amazonaws.com``; one with euca-boto
  has that URL first among the profile's endpoints anyway. ``_EUCA_BOTO_RUN_ENDPOINTS`` names
  the profile and the variables set, so euca-boto does not mistake them for another profile's.

A Python script whose ``#!`` line names the very Python ``euca-boto`` runs on (``aws``,
``ansible-playbook``, ``custodian`` installed beside euca-boto) runs in this process instead, as
a new start of that Python would run it (``sys.argv``, ``__main__``, ``sys.path`` and the hook
as there): the command is spared a second start-up of the interpreter. ``ps`` shows
``euca-boto run -- COMMAND`` for it.

This module is the launcher, and every tool started through it pays for its start-up: it uses
the standard library only (no botocore, no boto3; the profile is read with ``configparser``).
"""

from __future__ import annotations

import os
import sys

from euca_boto.core.services import SERVICES, ServiceName

TYPE_CHECKING = False  # not typing's: see euca_boto/__init__.py
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BOOTSTRAP_DIR = os.path.join(PACKAGE_DIR, "bootstrap")
# The import names of euca-boto's dependencies other than botocore and boto3 (pyproject.toml),
# found for a Python of another environment in the directories _EUCA_BOTO_RUN_LIBRARY names.
DEPENDENCIES = ("dns",)
LIBRARY_VARIABLE = "_EUCA_BOTO_RUN_LIBRARY"
ENDPOINTS_VARIABLE = "_EUCA_BOTO_RUN_ENDPOINTS"
ENDPOINT_PREFIX = "AWS_ENDPOINT_URL_"
# Eucalyptus' user-facing port, where DNS names of the cloud's services are served.
DNS_PORT = 8773
# The DNS labels Eucalyptus answers for the AWS services besides its component names.
# The launcher's code: what it derives from a config file changes with these files.
_CODE = (__file__, sys.modules[ServiceName.__module__].__file__ or "")
_AWS_DNS_LABELS = {"ec2": "ec2", "euca-ec2": "ec2", "iam": "iam", "sts": "sts", "s3": "s3"}


def _say(message: str) -> None:
    print(f"euca-boto run: {message}", file=sys.stderr)


def _prepend(path: str, current: str | None) -> str:
    parts = [p for p in (current or "").split(os.pathsep) if p]
    return os.pathsep.join([path, *[p for p in parts if p != path]])


def models_dir() -> str:
    """The plugin's models (as :func:`euca_boto.core.models.models_path`, without pathlib)."""
    inside = os.path.join(PACKAGE_DIR, "service-models")
    return inside if os.path.isdir(inside) else os.path.join(
        os.path.dirname(PACKAGE_DIR), "service-models")


def _library() -> list[str]:
    """The directories this Python finds euca-boto's dependencies in."""
    from importlib.machinery import PathFinder

    found: list[str] = []
    for name in DEPENDENCIES:
        spec = PathFinder.find_spec(name)
        if spec is not None and spec.submodule_search_locations:
            directory = os.path.dirname(list(spec.submodule_search_locations)[0])
            if directory not in found:
                found.append(directory)
    return found


def endpoint_variable(service: str) -> str:
    """The standard variable naming a service's endpoint (``AWS_ENDPOINT_URL_EUCA_EC2``)."""
    return ENDPOINT_PREFIX + service.replace("-", "_").upper()


def run_environment(environ: Mapping[str, str]) -> dict[str, str]:
    """``environ`` with euca-boto's start-up hook and models first on the search paths, and
    the profile's endpoints in the standard variables."""
    env = dict(environ)
    env["PYTHONPATH"] = _prepend(BOOTSTRAP_DIR, environ.get("PYTHONPATH"))
    env["AWS_DATA_PATH"] = _prepend(models_dir(), environ.get("AWS_DATA_PATH"))
    env[LIBRARY_VARIABLE] = os.pathsep.join(_library())
    profile, urls = profile_endpoints(environ)
    added = [variable for variable in urls if variable not in environ]
    for variable in added:
        env[variable] = urls[variable]
    if added:
        env[ENDPOINTS_VARIABLE] = " ".join([profile, *added])
    return env


# The profile's endpoints ----------------------------------------------------------------------


def profile_endpoints(environ: Mapping[str, str]) -> tuple[str, dict[str, str]]:
    """The profile in effect and, for each service it points at a cloud, the standard variable
    and the URL euca-boto tries first (``euca_endpoint_urls``, per service block too, else
    ``euca_endpoint``, else the service's DNS name under ``euca_topology = dns``).

    A config file that cannot be read gives none, with one line saying so: the tool itself
    reports it, or runs without the file as it would anyway. What a config file gave is
    remembered until it changes (:mod:`euca_boto.cli.runmemo`).
    """
    from euca_boto.cli.runmemo import Memo

    profile = environ.get("AWS_PROFILE") or environ.get("AWS_DEFAULT_PROFILE") or "default"
    path = os.path.expanduser(environ.get("AWS_CONFIG_FILE") or "~/.aws/config")
    memo = Memo.of(path, profile, environ, _CODE)
    remembered = None if memo is None else memo.recall()
    if remembered is not None:
        return profile, remembered
    urls = _read_profile_endpoints(path, profile, environ)
    if urls is None:
        return profile, {}
    if memo is not None:
        memo.remember(urls)
    return profile, urls


def _read_profile_endpoints(path: str, profile: str,
                            environ: Mapping[str, str]) -> dict[str, str] | None:
    """The endpoint variables of ``profile`` in the config file ``path``; None (said in one
    line) if it cannot be read."""
    if not os.path.exists(path):
        return {}
    import configparser

    parser = configparser.RawConfigParser()
    try:
        with open(path, encoding="utf-8") as handle:
            parser.read_file(handle, source=path)
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError, configparser.Error) as error:
        problem = " ".join(str(error).split())
        _say(f"cannot read {path} ({problem}); the profile's endpoints are not exported to "
             f"the command's processes")
        return None
    section = next((name for name in (f"profile {profile}", profile if profile == "default"
                                      else None) if name and parser.has_section(name)), None)
    if section is None:
        return {}
    values = dict(parser.items(section))
    if values.get("endpoint_url"):
        return {}  # every SDK reads it from the file already
    services_section = f"services {values.get('services', '').strip()}"
    configured = dict(parser.items(services_section)) if parser.has_section(
        services_section) else {}
    urls: dict[str, str] = {}
    for client, url in first_urls(values, environ).items():
        if _block(configured.get(client.replace("-", "_"), "")).get("endpoint_url"):
            continue  # the file's [services] section names it for every SDK
        urls[endpoint_variable(client)] = url
    return urls


def first_urls(values: Mapping[str, Any], environ: Mapping[str, str]) -> dict[str, str]:
    """The URL euca-boto tries first for each service ``values`` (a profile's keys, nested
    blocks as text or as botocore's dicts) points at a cloud, by client name."""
    found: dict[str, str] = {}
    for service in SERVICES:
        url = _first_url(service, values, environ)
        if url is not None:
            found[service.client] = url
    return found


def _first_url(service: ServiceName, values: Mapping[str, Any],
               environ: Mapping[str, str]) -> str | None:
    def setting(key: str, per_service: bool = True) -> str:
        value = values.get(key)
        text = value if isinstance(value, str) else ""
        if per_service:
            # The block named first (the client name) wins over a DNS label's block.
            for name in reversed((service.client, *service.labels)):
                text = _block(values.get(name)).get(key, text)
        return environ.get("EUCA_BOTO_" + key[len("euca_"):].upper(), text).strip()

    listed = [url.strip() for url in setting("euca_endpoint_urls").split(",") if url.strip()]
    endpoint = setting("euca_endpoint", per_service=False)
    for raw in (*listed[:1], endpoint):
        if raw:
            return _service_url(raw, service.path)
    domain = setting("euca_dns_domain")
    if setting("euca_topology").lower() == "dns" and domain:
        label = _AWS_DNS_LABELS.get(service.client, service.labels[0])
        return f"http://{label}.{domain.rstrip('.')}:{DNS_PORT}{service.path}"
    return None


def _block(value: Any) -> dict[str, str]:
    """The keys of a nested block (``properties =`` followed by indented lines, or the dict
    botocore makes of it)."""
    if isinstance(value, dict):
        return {str(k).lower(): str(v) for k, v in value.items()}
    if not isinstance(value, str) or not value.startswith("\n"):
        return {}
    pairs = (line.split("=", 1) for line in value.splitlines() if "=" in line)
    return {key.strip().lower(): text.strip() for key, text in pairs}


def _service_url(url: str, path: str) -> str:
    """A base URL (no path) gets the service's path; a URL with a path is the service's."""
    scheme, _, rest = url.partition("://")
    host, slash, tail = rest.partition("/")
    if tail.strip("/") and slash:
        return url.rstrip("/")
    return f"{scheme}://{host}{path}"


# Commands that cannot load euca-boto --------------------------------------------------------


def _ignores_pythonpath(command: list[str]) -> str | None:
    """``-I`` or ``-E`` if ``command`` starts a Python that ignores ``PYTHONPATH``."""
    if not os.path.basename(command[0]).startswith(("python", "pypy")):
        return None
    arguments = iter(command[1:])
    for argument in arguments:
        if argument in ("-", "--") or not argument.startswith("-"):
            return None  # the program (a script, or standard input) comes next
        if argument.startswith("--"):
            continue
        flags = argument[1:]
        for position, flag in enumerate(flags):
            if flag in "IE":
                return f"-{flag}"
            if flag in "cm":
                return None
            if flag in "WX":  # an option with a value: the rest, or the next argument
                if position == len(flags) - 1:
                    next(arguments, None)
                break
    return None


# The command --------------------------------------------------------------------------------


def run(command: list[str]) -> int:
    """Replace this process with ``command`` (``--quiet`` and ``--`` first are taken) in the
    run environment; returns an exit status only when that fails."""
    quiet = command[:1] in (["--quiet"], ["-q"])
    if quiet:
        command = command[1:]
    if command[:1] == ["--"]:
        command = command[1:]
    if not command:
        _say("no command given; usage: euca-boto run [--quiet] -- COMMAND [ARGS...]")
        return 2
    env = run_environment(os.environ)
    if quiet:
        env["EUCA_BOTO_PROGRESS"] = "false"
    flag = _ignores_pythonpath(command)
    if flag is not None:
        _say(f"{command[0]} {flag} ignores PYTHONPATH, so euca-boto cannot load there: its AWS "
             f"calls go to the profile's first endpoints without euca-boto's retries, failover "
             f"or breakers")
    sys.stdout.flush()
    sys.stderr.flush()
    script = _script_of_this_python(command[0], env)
    if script is not None:
        _run_here(*script, command, env)
        return 0
    try:
        os.execvpe(command[0], command, env)
    except FileNotFoundError:
        _say(f"{command[0]}: command not found")
        return 127
    except PermissionError:
        _say(f"{command[0]}: permission denied")
        return 126
    except OSError as error:
        _say(f"{command[0]}: {error.strerror or error}")
        return 126
    return 0  # not reached: exec replaced this process


# A Python script run in this interpreter -------------------------------------------------------


def _script_of_this_python(name: str, env: Mapping[str, str]) -> tuple[str, str, Any] | None:
    """The file ``name`` runs (found on the command's ``PATH`` as ``execvp`` finds it), the
    interpreter its ``#!`` line names and its compiled code, if that interpreter is this very
    Python (its environment's directory, the same file) with no options: a second start-up of
    the same interpreter would run it exactly as this one can. None for anything else (a
    binary, ``/usr/bin/env``, options, another Python, a script that does not compile, which
    the interpreter started as usual reports as it does)."""
    if os.sep in name:
        candidates = [name]
    else:
        candidates = [os.path.join(directory or os.curdir, name)
                      for directory in os.get_exec_path(env)]
    path = next((c for c in candidates if os.path.isfile(c) and os.access(c, os.X_OK)), None)
    if path is None:
        return None
    try:
        # One read of the file: the code run is the code whose first line was checked.
        with open(path, "rb") as handle:
            first = handle.readline(4096)
            words = first[2:].split() if first.startswith(b"#!") else []
            if len(words) != 1 or not _is_this_python(os.fsdecode(words[0])):
                return None
            code = compile(first + handle.read(), path, "exec", dont_inherit=True)
    except (OSError, SyntaxError, ValueError):
        return None
    return path, os.fsdecode(words[0]), code


def _is_this_python(interpreter: str) -> bool:
    try:
        same = os.path.samefile(interpreter, sys.executable)
    except OSError:
        return False
    # The environment (a venv's pyvenv.cfg) is found beside the interpreter's path, not its
    # target: another venv's python links to the same file.
    here = os.path.dirname(os.path.abspath(sys.executable))
    return same and os.path.dirname(os.path.abspath(interpreter)) == here


def _run_here(path: str, interpreter: str, code: Any, command: list[str],
              env: Mapping[str, str]) -> None:
    """Run the script as ``__main__`` in this interpreter, as a new start of it would: the run
    environment in ``os.environ`` (and so in every child), the start-up hook installed, the
    script's directory first on ``sys.path`` (the hook's is not there: the hook takes it off
    once it has run). Its exit (``sys.exit``, an
    uncaught exception) is this process's exit."""
    import builtins
    from importlib.machinery import SourceFileLoader

    os.environ.update(env)  # the run environment adds to this process's, removes nothing
    safe_path = getattr(sys.flags, "safe_path", False)  # -P, PYTHONSAFEPATH (3.11)
    if not safe_path:
        # Start-up put the launcher's directory first; a script's own (symlinks resolved)
        # takes its place.
        sys.path[0] = os.path.dirname(os.path.realpath(path))
    # The hook under a name of its own (its code, from the same cached bytecode, does not run
    # the sitecustomize it shadows: this interpreter's start-up ran that already).
    loader = SourceFileLoader("_euca_boto_run_hook", os.path.join(BOOTSTRAP_DIR,
                                                                  "sitecustomize.py"))
    hook = type(sys)(loader.name)
    hook.__file__, hook.__loader__ = loader.path, loader
    loader.exec_module(hook)
    sys.argv = [path, *command[1:]]
    sys.orig_argv = [interpreter, path, *command[1:]]
    main = type(sys)("__main__")
    vars(main).update(__file__=path, __cached__=None, __builtins__=builtins,
                      __loader__=SourceFileLoader("__main__", path))
    sys.modules["__main__"] = main
    try:
        exec(code, vars(main))
    except (SystemExit, KeyboardInterrupt):
        raise
    except BaseException as error:
        # Reported as Python reports an uncaught exception, from the script's first frame on:
        # the launcher's own frames are not the user's concern.
        trace = error.__traceback__
        while trace is not None and trace.tb_frame.f_code.co_filename != code.co_filename:
            trace = trace.tb_next
        # (Python 3.11's hook prints the error's own __traceback__, whatever it is given.)
        error.__traceback__ = trace or error.__traceback__
        sys.excepthook(type(error), error, error.__traceback__)
        raise SystemExit(1) from None


def _run(args: Any) -> int:
    return run((["--quiet"] if args.quiet else []) + args.command)


def add_commands(commands: Any) -> None:
    """Add ``run`` to the ``euca-boto`` command line."""
    import argparse

    parser = commands.add_parser(
        "run",
        help="run a command with euca-boto on every botocore session of its Python processes",
        description=(
            "Run COMMAND (a script, aws, ansible-playbook, custodian, ...) with euca-boto "
            "installed on every botocore and aiobotocore session created in it and in its "
            "Python child processes, with the settings of the profile each session uses. "
            "Every process of COMMAND, Python or not, finds the profile's endpoints in the "
            "standard AWS_ENDPOINT_URL_<SERVICE> variables."
        ),
    )
    parser.add_argument("-q", "--quiet", action="store_true",
                        help="no progress lines for calls that keep retrying (euca_progress = "
                             "false for every profile)")
    parser.add_argument("command", nargs=argparse.REMAINDER, metavar="-- COMMAND [ARGS...]")
    parser.set_defaults(func=_run)
