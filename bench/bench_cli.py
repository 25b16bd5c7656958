"""What euca-boto costs the AWS CLI: wall time of whole ``aws`` commands, plain and with the plugin.

Two commands against LocalCloud, each run as a new process as a user runs it:
``aws euprop describe-properties`` (a Eucalyptus admin service) and ``aws sts get-caller-identity``
(an AWS service). Variants, interleaved round by round:

* plain: the AWS CLI with the models on ``AWS_DATA_PATH`` (it needs them to know ``euprop``) and
  botocore's ``endpoint_url`` per service from the profile;
* plugin: the same profile with ``[plugins] euca = euca_boto.awscli_plugin``;
* run: the plain profile under ``euca-boto run -- aws`` (one more process start and exec).

Figures are medians of the wall time and the ratio to plain (target: plugin <= 1.10).
Run: ``.venv/bin/python bench/bench_cli.py [rounds]``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from bench.harness import compare, report
from euca_boto.core.models import models_path
from euca_boto.testing import LocalCloud

BIN = Path(sys.executable).parent


def _command(argv: list[str], env: dict[str, str]) -> Callable[[], None]:
    def run() -> None:
        subprocess.run(argv, env=env, check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, timeout=120)

    return run


def main(rounds: int) -> None:
    with LocalCloud(endpoints=1, partitions=1) as cloud, tempfile.TemporaryDirectory() as tmp:
        config, credentials = cloud.write_aws_files(tmp, profile="bench")
        with_plugin = Path(tmp) / "config-plugin"
        with_plugin.write_text(config.read_text() + "\n[plugins]\neuca = euca_boto.awscli_plugin\n")
        base = {k: v for k, v in os.environ.items()
                if not k.startswith(("AWS_", "EUCA_BOTO_", "BOTOCORE_"))}
        base.update(AWS_SHARED_CREDENTIALS_FILE=str(credentials), AWS_PROFILE="bench",
                    AWS_PAGER="", HOME=tmp)
        plain_env = {**base, "AWS_CONFIG_FILE": str(config), "AWS_DATA_PATH": str(models_path())}
        plugin_env = {**base, "AWS_CONFIG_FILE": str(with_plugin)}
        aws = str(BIN / "aws")
        run = [str(BIN / "euca-boto"), "run", "--", aws]
        for title, args in (
            ("aws euprop describe-properties", ["euprop", "describe-properties"]),
            ("aws sts get-caller-identity", ["sts", "get-caller-identity"]),
        ):
            results = compare([
                ("plain awscli", _command([aws, *args], plain_env)),
                ("awscli + [plugins] euca", _command([aws, *args], plugin_env)),
                ("euca-boto run -- aws", _command([*run, *args], plain_env)),
            ], rounds=rounds, warmup=1, max_seconds=900)
            print(report(f"{title} (wall time per command, {rounds} rounds)", results))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 15)
