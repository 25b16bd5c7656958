"""What euca-boto costs the AWS CLI: whole ``aws`` commands, v1 and v2, plain and with the plugin.

Two commands against LocalCloud, each run as a new process as a user runs it:
``aws euprop describe-properties`` (a Eucalyptus admin service) and ``aws sts
get-caller-identity`` (an AWS service). For each CLI (v1 next to this interpreter, v2 at
/usr/bin/aws: ``tools/awscli-v2.sh``), three variants:

* plain: the CLI with the models on ``AWS_DATA_PATH`` (it needs them to know ``euprop``) and
  ``--endpoint-url``;
* [plugins]: the plugin enabled as ``euca-boto awscli enable`` does (v2: its plugin directory);
* run: the plain CLI under ``euca-boto run -- aws`` (one more process start and exec).

Every child is timed exactly: started with ``posix_spawn`` and reaped with ``os.wait4``, whose
return is the moment it ended (``subprocess.run(timeout=...)`` polls in sleeps of up to 50 ms),
with the CPU time it used (user + system) beside the wall time. Rounds are interleaved, the
order rotating every round, so the machine's drift affects every variant alike; the report
gives min / median / max and the ratio of the medians to the plain CLI's, then the median of
each round's own ratio (the variant's time over the plain CLI's in the same round, a second
apart) with its 95 % interval: a ratio within a round is not moved by the drift of a host's
speed over the run, as a ratio of the medians of the whole run is. Python modules are
compiled first, as they are in an installation, so that no variant pays for compiling.

The state file (``euca_state = local``, the CLI's default) is first made what a user's is after
their first hundred commands: every breaker window full of successes, so that a command that
succeeds writes nothing there. ``--fresh-state`` starts from a new file instead, where each of
the first hundred commands records its success (a transaction and a few syncs of the disk).

Run: ``.venv/bin/python bench/bench_cli.py [rounds] [--fresh-state]`` (default 12 rounds), or
``--self-check``, which times ``sleep 0.07`` and fails unless it measures about 70 ms.
"""

from __future__ import annotations

import argparse
import compileall
import contextlib
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import paired_ratio  # noqa: E402

BIN = Path(sys.executable).parent
AWS_V2 = Path("/usr/bin/aws")
TIMEOUT = 120.0  # one command, on a very busy machine


@dataclass
class Series:
    """The timings of one variant."""

    name: str
    wall_by_round: dict[int, float] = field(default_factory=dict)  # seconds, by round
    cpu: list[float] = field(default_factory=list)
    failures: int = 0

    @property
    def wall(self) -> list[float]:
        return list(self.wall_by_round.values())


def timed(argv: Sequence[str], env: dict[str, str],
          timeout: float = TIMEOUT) -> tuple[float, float]:
    """Run ``argv`` (output discarded); its wall time and CPU time (seconds). Raises
    ``RuntimeError`` if it fails or outlives ``timeout`` (it is killed then)."""
    actions = [(os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
               (os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
               (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0)]
    start = time.perf_counter()
    pid = os.posix_spawn(argv[0], list(argv), env, file_actions=actions)
    killer = threading.Timer(timeout, os.kill, (pid, signal.SIGKILL))
    killer.start()
    try:
        _, status, usage = os.wait4(pid, 0)
    finally:
        killer.cancel()
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{argv[0]} exited with status {os.waitstatus_to_exitcode(status)}")
    return wall, usage.ru_utime + usage.ru_stime


def interleaved(variants: Sequence[tuple[str, Sequence[str], dict[str, str]]],
                rounds: int, warmup: int = 1) -> list[Series]:
    """Every variant ``rounds`` times, the order rotating every round."""
    for _ in range(warmup):
        for _, argv, env in variants:
            timed(argv, env)
    results = [Series(name) for name, _, _ in variants]
    for round_number in range(rounds):
        shift = round_number % len(variants)
        for index in [*range(shift, len(variants)), *range(shift)]:
            _, argv, env = variants[index]
            try:
                wall, cpu = timed(argv, env)
            except RuntimeError:
                results[index].failures += 1
                continue
            results[index].wall_by_round[round_number] = wall
            results[index].cpu.append(cpu)
    return results


def _spread(values: list[float]) -> str:
    if not values:
        return "-"
    ms = [v * 1000 for v in values]
    return f"{min(ms):6.1f} {statistics.median(ms):6.1f} {max(ms):6.1f}"


def report(title: str, results: list[Series], baselines: dict[str, str]) -> str:
    """A table: wall and CPU min/median/max (ms), and each median over its baseline's (wall,
    and CPU, which a busy machine disturbs less); then, per variant, the median of its
    rounds' own ratios (each wall time over its baseline's in the same round, seconds apart,
    so the machine's drift over the run cancels out) with its 95 % interval."""
    by_name = {s.name: s for s in results}
    lines = [title, f"  {'variant':24} {'wall ms min   med    max':24} "
                    f"{'cpu ms min   med    max':24} {'wall':>6} {'cpu':>6}"]
    paired = []
    for series in results:
        base = by_name.get(baselines.get(series.name, ""))
        ratios = [statistics.median(mine) / statistics.median(theirs)
                  if base and mine and theirs else float("nan")
                  for mine, theirs in ((series.wall, base.wall if base else []),
                                       (series.cpu, base.cpu if base else []))]
        failed = f"  ({series.failures} failed)" if series.failures else ""
        lines.append(f"  {series.name:24} {_spread(series.wall):24} {_spread(series.cpu):24} "
                     f"{ratios[0]:6.3f} {ratios[1]:6.3f}{failed}")
        if base is not None and base is not series:
            own, based = series.wall_by_round, base.wall_by_round
            rounds = sorted(own.keys() & based.keys())
            if rounds:
                _, text = paired_ratio([own[r] for r in rounds], [based[r] for r in rounds])
                paired.append(f"  {series.name:24} paired wall ratio {text}")
    return "\n".join([*lines, *paired])


def self_check(rounds: int = 10) -> int:
    """Time ``sleep 0.07``: the timing itself must add next to nothing."""
    sleep = next(p for p in ("/bin/sleep", "/usr/bin/sleep") if os.path.exists(p))
    (series,) = interleaved([("sleep 0.07", [sleep, "0.07"], dict(os.environ))], rounds)
    low, median = min(series.wall) * 1000, statistics.median(series.wall) * 1000
    print(f"self-check: sleep 0.07 measured min {low:.1f} ms, median {median:.1f} ms "
          f"(expected about 70)")
    return 0 if 69.0 <= low <= 85.0 else 1


# Makes every breaker window of the bench profile full, as the state file of a user is after
# their first hundred commands: successes of each service the commands call.
_FILL = """
import euca_boto
session = euca_boto.session(profile_name="bench", euca_state="local")
euprop, sts = session.client("euprop"), session.client("sts")
for _ in range(101):  # the default window (euca_breaker_window): the last 100 calls
    euprop.describe_properties(Properties=["dns.enabled"])
    sts.get_caller_identity()
"""


def fill_windows(env: dict[str, str]) -> None:
    """The state file as after a user's first hundred commands: every breaker window full.
    (Until then each command records its success there: one transaction and a few syncs of
    the disk; ``--fresh-state`` measures that.)"""
    subprocess.run([sys.executable, "-c", _FILL], env=env, check=True, timeout=TIMEOUT)


@contextlib.contextmanager
def commands(fresh_state: bool = False) -> Iterator[
        list[tuple[str, list[tuple[str, Sequence[str], dict[str, str]]], dict[str, str]]]]:
    """A LocalCloud and, per command, its variants (name, argv, environment) and each
    variant's baseline (the plain CLI of its version): what :func:`main` times."""
    import euca_boto
    from euca_boto.cli.awscli import build_plugin_dir
    from euca_boto.core.models import models_path
    from euca_boto.testing import LocalCloud

    compileall.compile_dir(Path(euca_boto.__file__).parent, quiet=1)
    clis = [("v1", BIN / "aws")]
    if AWS_V2.exists():
        clis.append(("v2", AWS_V2))
    else:
        print(f"{AWS_V2} is missing (tools/awscli-v2.sh installs it): v1 only")
    with LocalCloud(endpoints=1, partitions=1) as cloud, tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        config = home / "config"
        credentials = home / "credentials"
        config.write_text(f"[profile bench]\nregion = {cloud.region}\n"
                          f"euca_endpoint = {cloud.url}\n")
        credentials.write_text(cloud.credentials_text("bench"))
        plugin_dir = home / "awscli-v2"
        build_plugin_dir(plugin_dir)
        subprocess.run(["/usr/bin/python3", "-m", "compileall", "-q", str(plugin_dir)],
                       check=False, capture_output=True)
        plugins = {
            "v1": home / "config-v1",
            "v2": home / "config-v2",
        }
        plugins["v1"].write_text(config.read_text()
                                 + "\n[plugins]\neuca = euca_boto.awscli_plugin\n")
        plugins["v2"].write_text(config.read_text() + f"\n[plugins]\ncli_legacy_plugin_path = "
                                 f"{plugin_dir}\neuca = euca_boto.awscli_plugin\n")
        base = {k: v for k, v in os.environ.items()
                if not k.startswith(("AWS_", "EUCA_BOTO_", "BOTOCORE_", "PYTHON"))}
        base.update(AWS_SHARED_CREDENTIALS_FILE=str(credentials), AWS_PROFILE="bench",
                    AWS_PAGER="", HOME=tmp, XDG_CACHE_HOME=str(home / "cache"))
        plain_env = {**base, "AWS_CONFIG_FILE": str(config), "AWS_DATA_PATH": str(models_path())}
        if not fresh_state:
            fill_windows({**base, "AWS_CONFIG_FILE": str(config)})
        run = [str(BIN / "euca-boto"), "run", "--"]
        found = []
        for title, service, args in (
            ("aws euprop describe-properties", "euprop", ["euprop", "describe-properties"]),
            ("aws sts get-caller-identity", "sts", ["sts", "get-caller-identity"]),
        ):
            url = ["--endpoint-url", cloud.service_url(service)]
            variants: list[tuple[str, Sequence[str], dict[str, str]]] = []
            baselines: dict[str, str] = {}
            for name, aws in clis:
                plain = f"{name} plain"
                variants += [
                    (plain, [str(aws), *url, *args], plain_env),
                    (f"{name} [plugins]", [str(aws), *args],
                     {**base, "AWS_CONFIG_FILE": str(plugins[name])}),
                    (f"{name} euca-boto run", [*run, str(aws), *args],
                     {**base, "AWS_CONFIG_FILE": str(config)}),
                ]
                baselines.update({f"{name} [plugins]": plain, f"{name} euca-boto run": plain,
                                  plain: plain})
            found.append((title, variants, baselines))
        yield found


def main(rounds: int, fresh_state: bool = False) -> None:
    print("state file: " + ("new (each of the first hundred commands writes to it)"
                            if fresh_state else "as after a user's first hundred commands"))
    with commands(fresh_state) as found:
        for title, variants, baselines in found:
            results = interleaved(variants, rounds)
            print(report(f"{title}: {rounds} interleaved rounds, exact child times", results,
                         baselines))


def count(text: str) -> int:
    value = int(text)
    if value < 1:
        raise ValueError(text)
    return value


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("rounds", nargs="?", type=count, default=12,
                        help="interleaved rounds of every variant (default 12)")
    parser.add_argument("--self-check", action="store_true",
                        help="time `sleep 0.07`; fail unless it measures about 70 ms")
    parser.add_argument("--fresh-state", action="store_true",
                        help="start from a new state file, as a user's first commands do")
    args = parser.parse_args()
    if args.self_check:
        sys.exit(self_check())
    main(args.rounds, args.fresh_state)
