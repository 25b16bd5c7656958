"""Chaos sweep: the chaos run of ``tests/chaos`` over many seeds, at euca-boto's defaults and at
1 s connect / 2 s read timeouts, breaker on.

Each run: 8 threads share one client of a fresh three-endpoint LocalCloud for ``--seconds``;
every 1 to 3 s (longer than a 2 s read timeout) new faults at random on all endpoints but one:
5xx, resets and malformed answers (half of them for the whole phase, as a sick endpoint gives
them), latency, responses slower than the read timeout, black holes; one endpoint killed for good
40 % into the run (see ``tests/chaos/chaos_run.py``). Both profiles meet the same faults.

One line per run: the calls made, the share of reads that succeeded (the goal: at least 99.9 %
while an endpoint is healthy, which one always is), the calls the breaker refused, the writes
sent again after an ambiguous fault (the goal: none), the exceptions that escaped by class, and
how many of them fall outside the documented vocabulary (the goal: none).

Run: .venv/bin/python bench/bench_chaos.py [--seeds 10] [--seconds 30] [--profiles defaults,1s/2s]
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "chaos"))

from chaos_run import ChaosConfig, Run, chaos_run  # noqa: E402
from harness import isolated_environment  # noqa: E402

from euca_boto.testing import LocalCloud  # noqa: E402

PROFILES = {
    "defaults": {},
    "1s/2s": {"euca_connect_timeout": 1, "euca_read_timeout": 2},
}
PHASE = (1.0, 3.0)
GOAL = 99.9


def line(profile: str, run: Run) -> str:
    escaped = ", ".join(f"{name} {count}" for name, count in run.escaped().most_common())
    return (f"  {profile:<9} {run.config.seed:>5} {len(run.calls):>6} "
            f"{run.read_success():>8.2f} {run.refused():>8} {len(run.resent_writes()):>7} "
            f"{len(run.outside_vocabulary()):>8}  {escaped or '-'}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--first-seed", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--profiles", default=",".join(PROFILES))
    args = parser.parse_args()
    chosen = args.profiles.split(",")
    unknown = sorted(set(chosen) - set(PROFILES))
    if unknown:
        parser.error(f"unknown profile {unknown[0]!r}; known: {', '.join(PROFILES)}")

    # Every fault is logged as a warning; the table says what matters.
    logging.getLogger("euca_boto").setLevel(logging.ERROR)
    print(f"Chaos sweep: {args.seeds} seeds x {', '.join(chosen)}, {args.seconds:g} s each, "
          f"8 threads, breaker on")
    print(f"  {'profile':<9} {'seed':>5} {'calls':>6} {'reads ok':>8} {'refused':>8} "
          f"{'resent':>7} {'outside':>8}  escaped")
    worst: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as home:
        isolated_environment(home)
        for profile in chosen:
            for seed in range(args.first_seed, args.first_seed + args.seeds):
                config = ChaosConfig(seed=seed, seconds=args.seconds, phase=PHASE,
                                     settings=dict(PROFILES[profile]))
                with LocalCloud(endpoints=3, partitions=1) as cloud:
                    run = chaos_run(cloud, config)
                print(line(profile, run), flush=True)
                worst[profile] = min(worst.get(profile, 100.0), run.read_success())
    for profile, rate in worst.items():
        verdict = "meets" if rate >= GOAL else "misses"
        print(f"{profile}: the worst run's reads succeeded {rate:.2f} % ({verdict} {GOAL} %)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
