"""Import cost: what ``import euca_boto`` adds to a program that has imported boto3.

Every sample is a fresh interpreter (a subprocess), so nothing is cached in ``sys.modules``;
the two imports are timed inside it with ``time.perf_counter``, interpreter start-up excluded.
Samples of the two figures are taken in the same subprocesses, so drift of the machine affects
both alike; the table gives the minimum (the cost without interference) and the median of each,
and the ratio of euca_boto's to boto3's. ``--top`` lists, from ``python -X importtime``, the
modules ``import euca_boto`` brought in that cost the most (self time).

Both packages are measured as installed: from bytecode. boto3 was compiled when pip installed
it; a source checkout is compiled by one warm-up run (with ``PYTHONDONTWRITEBYTECODE`` lifted),
or every sample would measure Python's compiler instead of the import.

Target: euca_boto adds at most 15% of boto3's own import time.

A second figure is a program's first client, in a fresh interpreter: from ``import boto3`` to
the first ``euprop`` client created, plain (the models on ``AWS_DATA_PATH``, the endpoint given)
and with euca-boto (``euca_boto.session(profile_name=...)``, the endpoint from the profile).
The two run in alternate subprocesses; the table gives min / median / max and the ratio of the
medians, and beside it the median CPU time the process used meanwhile (``time.process_time``),
which a machine busy with other work disturbs less. Target: at most 1.10 (wall clock).

Beside it, what the garbage collector adds. Python collects every generation, the oldest one
included, after a count of object allocations; the oldest holds botocore's loaded models and
takes some 20 ms to go through. The table counts those full collections in each variant, and
``--gc-off`` times both variants again with the collector off (``gc.disable()`` first), which
shows the cost without them: where one variant makes a full collection the other does not,
that collection, not the code, is most of the difference. Beside the count, the fewest
allocations any sample could still have made (and kept) before its next full collection: a
first client whose import and setup allocate that many more objects brings that collection
into the window, so this is how much room the figure has.

Run: .venv/bin/python bench/bench_import.py [--samples 10] [--top 15] [--gc-off]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

SAMPLE = """
import json, time
start = time.perf_counter()
import boto3
middle = time.perf_counter()
import euca_boto
end = time.perf_counter()
print(json.dumps([middle - start, end - middle]))
"""

FIRST_CLIENT = {
    "plain": """
import json, time
start, cpu = time.perf_counter(), time.process_time()
import boto3
session = boto3.Session(profile_name="bench")
session.client("euprop", endpoint_url="http://127.0.0.1:1/services/Properties")
print(json.dumps([time.perf_counter() - start, time.process_time() - cpu]))
""",
    "euca-boto": """
import json, time
start, cpu = time.perf_counter(), time.process_time()
import boto3, euca_boto
euca_boto.session(profile_name="bench").client("euprop")
print(json.dumps([time.perf_counter() - start, time.process_time() - cpu]))
""",
}

# Before a variant of FIRST_CLIENT: the collector off (--gc-off), or on; after it, the full
# collections the collector made, and how many more objects the program could allocate (and
# keep) before its next one: how close the window came to holding one (None with it off).
GC_OFF = "import gc; gc.disable()\n"
FULL_COLLECTIONS = """
import gc
full = gc.get_stats()[2]['collections']
fired, kept = [], []
gc.callbacks.append(lambda phase, info: fired.append(1) if info['generation'] == 2 else None)
while gc.isenabled() and not fired and len(kept) < 200_000:
    kept.append([])
print(json.dumps([full, len(kept) if fired else None]))
"""

# Bytecode may be written (see above); everything else is the caller's environment.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def sample() -> tuple[float, float]:
    out = subprocess.run([sys.executable, "-c", SAMPLE], capture_output=True, text=True,
                         check=True, timeout=120, env=ENV).stdout
    boto3_seconds, euca_seconds = json.loads(out)
    return boto3_seconds, euca_seconds


def first_client_envs(home: Path) -> dict[str, dict[str, str]]:
    """The environment of each variant of :data:`FIRST_CLIENT`: a profile in ``home`` naming
    the endpoint (euca-boto), the models on ``AWS_DATA_PATH`` (plain)."""
    from euca_boto.core.models import models_path

    (home / "config").write_text("[profile bench]\nregion = eucalyptus\n"
                                 "euca_endpoint = http://127.0.0.1:1/\n")
    (home / "credentials").write_text("[bench]\naws_access_key_id = AKIDEXAMPLE\n"
                                      "aws_secret_access_key = secret\n")
    base = {k: v for k, v in ENV.items() if not k.startswith(("AWS_", "EUCA_BOTO_"))}
    base.update(HOME=str(home), AWS_CONFIG_FILE=str(home / "config"),
                AWS_SHARED_CREDENTIALS_FILE=str(home / "credentials"))
    return {"plain": {**base, "AWS_DATA_PATH": str(models_path())}, "euca-boto": base}


def first_client(samples: int, gc_off: bool = False) -> tuple[
    dict[str, list[float]], dict[str, list[float]], dict[str, list[int]],
    dict[str, list[int | None]],
]:
    """Seconds from ``import boto3`` to the first client (wall clock, and the process's CPU
    time), the full collections made and the allocations left before the next one, per
    variant, in alternate fresh interpreters (one warm-up each first)."""
    prefix = GC_OFF if gc_off else ""
    with tempfile.TemporaryDirectory() as tmp:
        envs = first_client_envs(Path(tmp))
        wall: dict[str, list[float]] = {name: [] for name in FIRST_CLIENT}
        cpu: dict[str, list[float]] = {name: [] for name in FIRST_CLIENT}
        full: dict[str, list[int]] = {name: [] for name in FIRST_CLIENT}
        left: dict[str, list[int | None]] = {name: [] for name in FIRST_CLIENT}
        for round_number in range(samples + 1):
            order = list(FIRST_CLIENT)
            if round_number % 2:
                order.reverse()
            for name in order:
                code = prefix + FIRST_CLIENT[name] + FULL_COLLECTIONS
                out = subprocess.run([sys.executable, "-c", code],
                                     capture_output=True, text=True, check=True, timeout=120,
                                     env=envs[name]).stdout.splitlines()
                if round_number:  # the first round is the warm-up
                    seconds, cpu_seconds = json.loads(out[-2])
                    wall[name].append(seconds)
                    cpu[name].append(cpu_seconds)
                    collections, allocations_left = json.loads(out[-1])
                    full[name].append(collections)
                    left[name].append(allocations_left)
        return wall, cpu, full, left


def first_client_table(samples: int, gc_off: bool) -> None:
    wall, cpu, full, left = first_client(samples, gc_off)
    plain, plain_cpu = statistics.median(wall["plain"]), statistics.median(cpu["plain"])
    collector = "the collector off" if gc_off else "the collector on"
    print(f"\nfirst client in a fresh interpreter (import boto3 -> first euprop client), "
          f"{samples} each, alternating, {collector}")
    print(f"  {'variant':<12} {'wall ms min   med    max':>24} {'ratio':>6} "
          f"{'cpu ms med':>11} {'ratio':>6} {'full collections':>17} {'allocs left':>12}")
    for name, values in wall.items():
        print(f"  {name:<12} {min(values) * 1000:8.1f} {statistics.median(values) * 1000:6.1f} "
              f"{max(values) * 1000:6.1f} {statistics.median(values) / plain:>8.3f} "
              f"{statistics.median(cpu[name]) * 1000:>11.1f} "
              f"{statistics.median(cpu[name]) / plain_cpu:>6.3f} "
              f"{statistics.median(full[name]):>17g} {_least(left[name]):>12}")
    if not gc_off:
        print("  target: euca-boto / plain <= 1.10 (wall, ratio of the medians)")


def _least(values: list[int | None]) -> str:
    """The fewest allocations any sample had left before its next full collection."""
    known = [value for value in values if value is not None]
    return f"{min(known):,}" if known else "-"


def costliest(top: int) -> list[tuple[int, str]]:
    """(self microseconds, module) of the modules ``import euca_boto`` imported."""
    err = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import boto3; print('--'); import euca_boto"],
        capture_output=True, text=True, check=True, timeout=120, env=ENV,
    ).stderr
    # -X importtime reports to stderr in import order; everything after boto3's last line
    # (its own top-level entry) was brought in by euca_boto.
    lines = err.splitlines()
    boto3_end = max(i for i, line in enumerate(lines) if line.rstrip().endswith("| boto3"))
    rows = []
    for line in lines[boto3_end + 1:]:
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, _, name = line[len("import time:"):].split("|")
        rows.append((int(self_us), name.strip()))
    return sorted(rows, reverse=True)[:top]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--samples", type=int, default=10)
    parser.add_argument("--top", type=int, default=0,
                        help="also list the N costliest modules euca_boto imports")
    parser.add_argument("--gc-off", action="store_true",
                        help="also time the first client with the garbage collector off")
    args = parser.parse_args()
    sample()  # warm-up: writes the bytecode of a source checkout
    samples = [sample() for _ in range(args.samples)]
    boto3_times = [b for b, _ in samples]
    euca_times = [e for _, e in samples]
    best_boto3, best_euca = min(boto3_times), min(euca_times)
    print(f"import cost, {args.samples} fresh interpreters each")
    print(f"  {'import':<28} {'min ms':>9} {'median ms':>10} {'ratio':>7}")
    print(f"  {'boto3':<28} {best_boto3 * 1000:>9.1f} "
          f"{statistics.median(boto3_times) * 1000:>10.1f} {1.0:>7.3f}")
    print(f"  {'euca_boto (after boto3)':<28} {best_euca * 1000:>9.1f} "
          f"{statistics.median(euca_times) * 1000:>10.1f} {best_euca / best_boto3:>7.3f}")
    print(f"  euca_boto adds {best_euca / best_boto3:.1%} of boto3's import time "
          f"(target <= 15%)")
    first_client_table(args.samples, gc_off=False)
    if args.gc_off:
        first_client_table(args.samples, gc_off=True)
    if args.top:
        print("\ncostliest modules imported by euca_boto (self time, -X importtime)")
        for self_us, name in costliest(args.top):
            print(f"  {self_us / 1000:>8.1f} ms  {name}")


if __name__ == "__main__":
    main()
