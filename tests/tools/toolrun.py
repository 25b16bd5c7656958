"""What the real-tool tests share: where things are, the settings of every matrix profile, and
:class:`Tool`, a profile for LocalCloud with the environment that runs a tool with it."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from euca_boto.testing import LocalCloud

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
# Building the tools environment downloads and installs a few hundred MB: bounded.
TOOLS_BUILD_TIMEOUT = 900
# Installing the AWS CLI v2 (apt) or the JavaScript SDK (npm): bounded.
INSTALL_TIMEOUT = 600
# The settings every matrix profile has: 3 attempts per call, quick delays, a breaker that opens
# at the first call that fails after its retries.
ATTEMPTS = 3


@dataclass
class Tool:
    """A profile for the cloud and the environment that runs a tool with it."""

    cloud: LocalCloud
    directory: Path
    profile: str
    env: dict[str, str] = field(default_factory=dict)

    @property
    def wire_log(self) -> Path:
        return self.directory / "wire.log"

    def wire_records(self) -> str:
        return self.wire_log.read_text() if self.wire_log.exists() else ""

    def run(self, *command: str | Path, timeout: float = 240,
            extra_env: dict[str, str] | None = None,
            cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(c) for c in command], capture_output=True, text=True,
                              timeout=timeout, env={**self.env, **(extra_env or {})},
                              cwd=cwd or self.directory)

    def euca_run(self, *command: str | Path, launcher: Path = BIN / "euca-boto",
                 **kwargs: object) -> subprocess.CompletedProcess[str]:
        """``euca-boto run -- COMMAND`` (``launcher``: the ``euca-boto`` of another
        environment)."""
        return self.run(launcher, "run", "--", *command, **kwargs)  # type: ignore[arg-type]

    def hits(self) -> list[int]:
        """Requests each endpoint received."""
        return [len(e.requests) for e in self.cloud.endpoints]
