"""What euca-boto costs in CPU instructions: counts a busy or noisy machine does not change.

Wall-clock ratios on a shared machine move by several percent from one run to the next, more
than the differences the targets are about. valgrind's callgrind counts the instructions a
process executes (``I refs``): the same run counts the same within about 0.1 %, whatever else
the machine is doing. Each figure here is such a count, of a whole process, for plain boto3 (or
the plain AWS CLI) and with euca-boto, and their ratio:

1. the first client in a fresh interpreter (``import boto3`` to the first ``euprop`` client,
   as ``bench_import.py`` times it);
2. one call against a fast local server (a CannedServer in a process of its own, not counted):
   a process making 1,000 calls minus one making none, divided by 1,000;
3. client creation in a session that made a client of ec2, sts and euprop already (as
   ``bench_overhead.py`` part 2): 100 more clients of each of them minus none, divided by 100;
4. the AWS CLI v1 and v2, plain, with ``[plugins]`` and under ``euca-boto run`` (the
   commands ``bench_cli.py`` times; children are followed, and the launcher's own count
   before it execs the command, as the command's);
5. aiobotocore, one call of 50 gathered at a time over its default pool of 10 (as
   ``bench_overhead.py`` part 4 times 200): a process making 500 calls minus one making none,
   divided by 500 (needs aiobotocore, i.e. run with .venv-aio);
6. where the instructions part 4 adds to the AWS CLI v1 with ``[plugins]`` go, step by step:
   the plain command given a ``[plugins]`` entry whose module does nothing (what the CLI's
   plugin loading costs), one that imports every euca-boto module the command imports and
   does nothing else (importing them), the plugin as it is, and the plugin with
   ``euca_state = memory`` (what reading and writing the state file adds).

What a count does not show: time in the kernel (the files an import opens) and how fast the
instructions run. Code run once per process (parts 1 and 4: imports, tables built at import)
runs several times fewer instructions per cycle than the hot code of a call, so there the wall
time of ``bench_import.py`` and ``bench_cli.py`` is the figure, and a ratio of counts says only
which way a change went. Interpreter start-up and exit are in every count (they cancel out in 2
and 3). Needs valgrind (Debian: ``apt-get install valgrind``); a process runs about fifty times
slower under it, so this takes some minutes; two run at a time.

Run: .venv/bin/python bench/bench_instructions.py [--parts 1,2,3,4,6]
     .venv-aio/bin/python bench/bench_instructions.py --parts 5
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_import import FIRST_CLIENT, first_client_envs  # noqa: E402

CALLS = 1000
# valgrind's first header line names the process it started.
_FIRST_PID = re.compile(r"^==(\d+)== Command:", re.MULTILINE)
ASYNC_CALLS = 500
CREATIONS = 100


# Part 2: one client, 20 warm-up calls, then N more; argv: url, N, variant.
_CALLS = """
import sys
import boto3
url, count, variant = sys.argv[1], int(sys.argv[2]), sys.argv[3]
keys = dict(aws_access_key_id="AKIDBENCH", aws_secret_access_key="bench-secret",
            region_name="eucalyptus")
if variant == "plain":
    from euca_boto.core.models import models_path
    session = boto3.session.Session(**keys)
    session._session.get_component("data_loader").search_paths.insert(0, str(models_path()))
    client = session.client("euprop", endpoint_url=url + "/services/Properties")
else:
    import euca_boto
    client = euca_boto.session(**keys, euca_endpoint=url).client("euprop")
for _ in range(20 + count):
    client.describe_properties(Properties=["dns.enabled"])
"""

# Part 3: a session with a client of each service, then N more euprop clients.
_CREATIONS = """
import sys
import boto3
url, count, variant, created = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
keys = dict(aws_access_key_id="AKIDBENCH", aws_secret_access_key="bench-secret",
            region_name="eucalyptus")
paths = {"ec2": "/services/compute", "sts": "/services/Tokens", "euprop": "/services/Properties"}
if variant == "plain":
    from euca_boto.core.models import models_path
    session = boto3.session.Session(**keys)
    session._session.get_component("data_loader").search_paths.insert(0, str(models_path()))
    make = lambda service: session.client(service, endpoint_url=url + paths[service])
else:
    import euca_boto
    session = euca_boto.session(**keys, euca_endpoint=url)
    make = session.client
for service in paths:
    make(service)
for _ in range(count):
    make(created)
"""

# Part 5: one aiobotocore client, 50 warm-up calls, then N more, 50 gathered at a time: under
# valgrind a call runs some fifty times slower, and 200 at once over a pool of 10 would leave
# the last ones waiting past their timeouts (and the breaker counting them slow).
_ASYNC_CALLS = """
import asyncio, sys
url, count, variant = sys.argv[1], int(sys.argv[2]), sys.argv[3]
keys = dict(aws_access_key_id="AKIDBENCH", aws_secret_access_key="bench-secret",
            region_name="eucalyptus")
from botocore.config import Config
config = Config(max_pool_connections=10)
if variant == "plain":
    from aiobotocore.session import AioSession
    from euca_boto.core.models import models_path
    session = AioSession()
    session.get_component("data_loader").search_paths.insert(0, str(models_path()))
    session.set_credentials(keys["aws_access_key_id"], keys["aws_secret_access_key"])
    creating = session.create_client("euprop", endpoint_url=url + "/services/Properties",
                                     config=config, region_name=keys["region_name"])
else:
    from euca_boto import aio
    creating = aio.session(**keys, euca_endpoint=url).create_client("euprop", config=config)
async def main():
    async with creating as client:
        for _ in range(1 + count // 50):
            await asyncio.gather(*(client.describe_properties(Properties=["dns.enabled"])
                                   for _ in range(50)))
asyncio.run(main())
"""


def instructions(argv: Sequence[str], env: dict[str, str] | None = None) -> int:
    """Instructions ``argv`` executed, its children and execs included. String hashing is
    seeded alike in every process: a random seed moves a count by about a million
    instructions from run to run.

    Each process's count is written when it exits (``cg.PID``). An image that calls ``exec``
    never exits: the first process dumps its count before each ``execve`` as well
    (``--dump-before``, ``cg.PID.N``), so that ``euca-boto run -- CMD`` counts the launcher when
    it execs CMD. A forked child's dumps before its exec are left out: they hold the counts it
    inherited from its parent, which the parent counts."""
    env = {**(os.environ if env is None else env), "PYTHONHASHSEED": "0"}
    with tempfile.TemporaryDirectory() as tmp:
        done = subprocess.run(
            ["valgrind", "--tool=callgrind", f"--callgrind-out-file={tmp}/cg.%p",
             "--dump-before=execve", "--trace-children=yes", *argv],
            capture_output=True, text=True, env=env, timeout=1800, check=False)
        first = _FIRST_PID.search(done.stderr)
        counted_files = [path for path in Path(tmp).iterdir()
                         if path.name.count(".") == 1  # cg.PID: at exit
                         or (first is not None and path.name.startswith(f"cg.{first[1]}."))]
        counts = [int(line.split()[1]) for path in counted_files
                  for line in path.read_text(errors="replace").splitlines()
                  if line.startswith("summary:")]
    if done.returncode != 0 or not counts:
        raise RuntimeError(f"{argv[0]} under valgrind exited with {done.returncode}: "
                           f"{done.stderr[-2000:]}")
    return sum(counts)


def counted(jobs: dict[str, tuple[Sequence[str], dict[str, str] | None]]) -> dict[str, int]:
    """The instruction count of each job, two at a time."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {name: pool.submit(instructions, argv, env)
                   for name, (argv, env) in jobs.items()}
        return {name: future.result() for name, future in futures.items()}


def table(title: str, rows: list[tuple[str, float, float]], unit: str) -> None:
    """Print ``rows`` of (name, count, baseline count)."""
    print(title)
    print(f"  {'variant':24} {unit:>16} {'ratio':>7}")
    for name, count, base in rows:
        print(f"  {name:24} {count:>16,.0f} {count / base:>7.3f}")


def first_client() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        envs = first_client_envs(Path(tmp))
        counts = counted({name: ([sys.executable, "-c", code], envs[name])
                          for name, code in FIRST_CLIENT.items()})
    table("1. first client in a fresh interpreter (import boto3 -> first euprop client)",
          [(name, counts[name], counts["plain"]) for name in FIRST_CLIENT], "instructions")


def per_unit(script: str, count: int, title: str, unit: str, *extra: str) -> None:
    from bench_overhead import Server

    server = Server(1)
    try:
        url = server.urls[0]
        jobs = {(variant, n): ([sys.executable, "-c", script, url, str(n), variant, *extra],
                               None)
                for variant in ("plain", "euca-boto") for n in (0, count)}
        counts = counted({f"{v} {n}": job for (v, n), job in jobs.items()})
    finally:
        server.close()
    each = {v: (counts[f"{v} {count}"] - counts[f"{v} 0"]) / count for v in ("plain", "euca-boto")}
    table(title, [(v, each[v], each["plain"]) for v in each], unit)


def commands() -> None:
    import bench_cli

    with bench_cli.commands() as found:
        for title, variants, baselines in found:
            counts = counted({name: (argv, env) for name, argv, env in variants})
            table(f"4. {title}", [(name, counts[name], counts[baselines[name]])
                                  for name, _, _ in variants], "instructions")


def plugin_steps() -> None:
    import bench_cli

    with bench_cli.commands() as found, tempfile.TemporaryDirectory() as tmp:
        for title, variants, _ in found:
            step_dir = Path(tmp) / title.replace(" ", "-")
            step_dir.mkdir()
            steps = plugin_step_variants({name: (argv, env) for name, argv, env in variants},
                                         step_dir)
            counts = counted(steps)
            print(f"6. {title}, AWS CLI v1: the plugin's steps")
            print(f"  {'variant':32} {'instructions':>16} {'ratio':>7} {'added':>14}")
            for name in steps:
                added = counts[name] - counts["plain"]
                print(f"  {name:32} {counts[name]:>16,} {counts[name] / counts['plain']:>7.3f} "
                      f"{added:>+14,}")


def plugin_step_variants(
    named: dict[str, tuple[Sequence[str], dict[str, str]]], step_dir: Path
) -> dict[str, tuple[Sequence[str], dict[str, str] | None]]:
    """Part 6's variants of one command, from part 4's (``bench_cli.commands``); their plugin
    modules and configurations are written to ``step_dir``."""
    plain_argv, plain_env = named["v1 plain"]
    plugin_argv, plugin_env = named["v1 [plugins]"]
    config = Path(plugin_env["AWS_CONFIG_FILE"]).read_text()
    modules = imported_modules(plugin_argv, plugin_env)
    (step_dir / "loads_nothing.py").write_text("def awscli_initialize(event_hooks):\n    pass\n")
    (step_dir / "imports_only.py").write_text(
        "".join(f"import {module}\n" for module in modules)
        + "def awscli_initialize(event_hooks):\n    pass\n")

    def variant(name: str, module: str, profile_line: str = "",
                endpoint_given: bool = True) -> tuple[Sequence[str], dict[str, str]]:
        path = step_dir / f"config-{name}"
        path.write_text(config.replace("euca_boto.awscli_plugin", module)
                        .replace("[profile bench]\n", "[profile bench]\n" + profile_line))
        # Without the plugin, the command needs the endpoint and the models given.
        argv, env = (plain_argv, plain_env) if endpoint_given else (plugin_argv, plugin_env)
        return argv, {**env, "AWS_CONFIG_FILE": str(path), "PYTHONPATH": str(step_dir)}

    return {
        "plain": (plain_argv, {**plain_env, "PYTHONPATH": str(step_dir)}),
        "a plugin that loads nothing": variant("nothing", "loads_nothing"),
        f"importing {len(modules)} modules": variant("imports", "imports_only"),
        "the plugin": variant("plugin", "euca_boto.awscli_plugin", endpoint_given=False),
        "the plugin, state in memory": variant("memory", "euca_boto.awscli_plugin",
                                               "euca_state = memory\n", endpoint_given=False),
    }


def imported_modules(argv: Sequence[str], env: dict[str, str]) -> list[str]:
    """The euca-boto modules the command ``argv`` imports, in the order it imports them."""
    interpreter = Path(argv[0]).read_text().splitlines()[0].removeprefix("#!").strip()
    done = subprocess.run([interpreter, "-X", "importtime", *argv], env=env,
                          capture_output=True, text=True, timeout=120, check=True)
    names = [line.rpartition("|")[2].strip() for line in done.stderr.splitlines()
             if line.startswith("import time:")]
    return [name for name in names if name.split(".")[0] == "euca_boto"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--parts", default="1,2,3,4,5,6", help="which parts, e.g. 1,4")
    parts = set(parser.parse_args().parts.split(","))
    if "1" in parts:
        first_client()
    if "2" in parts:
        per_unit(_CALLS, CALLS, f"2. one call (({CALLS} calls) - (none)) / {CALLS}",
                 "per call")
    if "3" in parts:
        for service in ("ec2", "sts", "euprop"):
            per_unit(_CREATIONS, CREATIONS,
                     f"3. client creation, {service} (({CREATIONS} clients) - (none)) / "
                     f"{CREATIONS}", "per creation", service)
    if "4" in parts:
        commands()
    if "5" in parts:
        try:
            import aiobotocore  # noqa: F401
        except ImportError:
            print("5. aiobotocore is not installed here: skipped (run with .venv-aio)")
        else:
            per_unit(_ASYNC_CALLS, ASYNC_CALLS, f"5. aiobotocore, one of 50 gathered calls, "
                     f"pool of 10 (({ASYNC_CALLS} calls) - (none)) / {ASYNC_CALLS}", "per call")
    if "6" in parts:
        plugin_steps()


if __name__ == "__main__":
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)  # count the code, not its compilation
    main()
