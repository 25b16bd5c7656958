"""``euca-boto demo`` plays every scene against its embedded LocalCloud, as a newcomer runs it."""

from __future__ import annotations

import os
import re
import subprocess
import sys


def test_demo_plays_every_scene_with_real_results(tmp_path) -> None:  # type: ignore[no-untyped-def]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "EUCA_BOTO_"))}
    result = subprocess.run([sys.executable, "-m", "euca_boto.cli", "demo"], capture_output=True,
                            text=True, timeout=240, env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    scenes = [line for line in out.splitlines() if line.startswith("== ")]
    assert len(scenes) == 8, scenes
    assert "describe_properties -> HTTP 200 after 3 attempts" in out
    assert "what the endpoint answered, in order: [503, 503, 200]" in out
    wire_lines = [line for line in out.splitlines() if line.startswith("    > ")]
    assert any("Signature=<redacted>" in line for line in wire_lines)
    assert any("Value=<redacted>" in line for line in wire_lines)
    assert not any("sup3r-s3cret" in line for line in wire_lines)
    assert "CircuitOpenError" in out and "requests sent by that call: 0" in out
    assert "callback: instance" in out and "running -> stopped" in out
    assert "6 calls, all answered (1 moved to another endpoint)" in out
    # What happens while LocalCloud starts is said first; the plugin's log lines belong to their
    # scene instead of interleaving on stderr; every command the demo suggests works as shown.
    assert out.startswith("Starting LocalCloud: ")
    assert result.stderr == ""
    breaker_scene = out.split("== Circuit breakers")[1].split("\n== ")[0]
    # The breaker is named after the cloud's endpoint and the demo's fail_max of 2.
    assert re.search(r"  \[logged on euca_boto\.breaker\] breaker "
                     r"localcloud/euprop@127\.0\.0\.1:\d+\+fail_max=2: closed -> open",
                     breaker_scene)
    endpoint_scene = out.split("== Endpoints")[1]
    assert "  [logged on euca_boto.endpoints] euprop endpoint " in endpoint_scene
    assert "# or: euca-boto breakers reset" not in out
    assert "with euca_state = local (this machine) or euca_breaker_storage = redis://" in \
        breaker_scene
