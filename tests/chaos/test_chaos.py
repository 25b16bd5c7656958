"""Chaos: eight threads share one client of a three-endpoint LocalCloud while faults of every
kind are injected at random and one endpoint is killed for good, one endpoint always kept
healthy (the run itself is in :mod:`chaos_run`).

Two runs of about 15 s each, once per module: short timeouts with faults that outlast them, and
euca-boto's defaults (breaker on) under faults that last 1 to 3 s; each test asserts one property
of each run. The fault schedules follow fixed seeds, printed in every failure. A run can be
repeated as another was: ``EUCA_CHAOS_SEED`` sets the seed, ``EUCA_CHAOS_SECONDS`` the length,
and ``EUCA_CHAOS_SETTINGS`` (``euca_read_timeout=2 euca_connect_timeout=1 ...``) the session's
settings, of both runs; ``bench/bench_chaos.py`` sweeps seeds and settings. Select with
``-m chaos``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import replace

import pytest
from awsenv import clear_aws_env
from chaos_run import FAULTS, ChaosConfig, Run, chaos_run

from euca_boto.testing import LocalCloud

pytestmark = pytest.mark.chaos

RUNS = {
    # Short timeouts and delays: many calls, and "timeout" faults that do time out.
    "short timeouts": ChaosConfig(seed=20261130, seconds=15.0, settings={
        "euca_retry_deadline": 5.0,
        "euca_connect_timeout": 0.5,
        "euca_read_timeout": 0.6,
        "euca_retry_base_delay": 0.02,
        "euca_retry_delay": 0.2,
        "euca_eject_time": 0.5,
        "euca_eject_max_time": 2.0,
    }),
    # What a program gets without settings. Before the retry budget was per service and the
    # breaker counted a failure rate, this run's reads failed by the hundred.
    "defaults": ChaosConfig(seed=26, seconds=15.0, phase=(1.0, 3.0)),
}


def from_environment(config: ChaosConfig) -> ChaosConfig:
    changes: dict[str, object] = {}
    if os.environ.get("EUCA_CHAOS_SEED"):
        changes["seed"] = int(os.environ["EUCA_CHAOS_SEED"])
    if os.environ.get("EUCA_CHAOS_SECONDS"):
        changes["seconds"] = float(os.environ["EUCA_CHAOS_SECONDS"])
    if os.environ.get("EUCA_CHAOS_SETTINGS"):
        changes["settings"] = dict(item.split("=", 1) for item in
                                   os.environ["EUCA_CHAOS_SETTINGS"].replace(",", " ").split())
    return replace(config, **changes)  # type: ignore[arg-type]


@pytest.fixture(scope="module", params=list(RUNS))
def run(request: pytest.FixtureRequest,
        tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    home = tmp_path_factory.mktemp("chaos")
    with pytest.MonkeyPatch.context() as env, LocalCloud(endpoints=3, partitions=1) as cloud:
        clear_aws_env(env)
        (home / "config").write_text("")
        env.setenv("AWS_CONFIG_FILE", str(home / "config"))
        env.setenv("AWS_SHARED_CREDENTIALS_FILE", str(home / "credentials"))
        yield chaos_run(cloud, from_environment(RUNS[request.param]))


def slack(run: Run) -> float:
    """How far a call may overrun its deadline: the attempt in flight, plus scheduling on a
    loaded machine."""
    return run.config.read_timeout + 1.5


def test_the_run_made_calls_of_both_kinds_under_faults_of_every_kind(run: Run) -> None:
    assert {c.kind for c in run.calls} == {"read", "write"}, run.where()
    assert len(run.calls) >= 100, run.where()
    assert run.kinds >= {*FAULTS, "killed"} - {"none"}, run.where()


def test_every_call_ends_within_its_deadline(run: Run) -> None:
    deadline = run.config.deadline
    late = [c for c in run.calls if c.elapsed > deadline + slack(run)]
    assert not late, (f"{len(late)} calls overran {deadline} s (+{slack(run)} s), "
                      f"the longest {max(c.elapsed for c in late):.2f} s {run.where()}")


def test_every_escaping_exception_is_in_the_documented_vocabulary(run: Run) -> None:
    outside = run.outside_vocabulary()
    assert not outside, f"{run.messages(outside)} escaped {run.where()}"


def test_every_read_succeeds_while_an_endpoint_is_healthy(run: Run) -> None:
    failed = run.failed_reads()
    assert not failed, f"{len(failed)} reads failed: {run.messages(failed)} {run.where()}"


def test_no_mutating_call_is_sent_again_after_an_ambiguous_fault(run: Run) -> None:
    assert run.writes_on_the_wire(), run.where()
    twice = run.resent_writes()
    assert not twice, f"resent after an ambiguous outcome: {twice} {run.where()}"


def test_no_thread_or_socket_outlives_the_session(run: Run) -> None:
    assert run.leaked_threads == [], run.where()
    assert run.leaked_fds <= 0, f"{run.leaked_fds} file descriptors left open {run.where()}"


def test_the_session_is_released(run: Run) -> None:
    assert not run.session_alive, run.where()
