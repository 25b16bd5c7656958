"""Every ```python block of README.md and of the documentation site (``docs/``) runs as
written, against LocalCloud, twice.

Each block runs in a fresh Python process with ``AWS_CONFIG_FILE`` and
``AWS_SHARED_CREDENTIALS_FILE`` naming a LocalCloud profile called ``euca``, the name the pages
use, and must exit 0 without a traceback. The blocks run in page order against one cloud, so a
block may rely on nothing another block made; each runs a second time, as a reader who pastes
it again would, so a block that makes something must cope with finding it made.

The convention for blocks that need more than a plain install: a first line

    # Needs: pip install 'euca-boto[EXTRA,...]'

runs the block only where those extras are installed (aiobotocore's lives in the second test
environment, where tests/aio/test_second_environment.py runs this file too); any other
``# Needs: ...`` first line (for example ``# Needs: a real cloud with DNS``) names what the
block needs that LocalCloud cannot give, and the block is reported as skipped with that reason.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from euca_boto.core.extras import require
from euca_boto.errors import MissingExtra
from euca_boto.testing import LocalCloud

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
PROFILE = "euca"
NEEDS = re.compile(r"# Needs: (?:pip install 'euca-boto\[(?P<extras>[a-z,]+)\]'|(?P<other>.+))$")


def python_blocks(text: str, page: str = "README") -> list[tuple[str, str]]:
    """``(id, code)`` of every ```python block; the id names its page, section and
    position."""
    blocks: list[tuple[str, str]] = []
    section = "top"
    lines = iter(text.splitlines())
    for line in lines:
        if line.startswith("#"):
            section = re.sub(r"[^a-z0-9]+", "-", line.lstrip("# ").lower()).strip("-")
        elif line.strip() == "```python":
            code = []
            for inner in lines:
                if inner.strip() == "```":
                    break
                code.append(inner)
            blocks.append((f"{page}/{len(blocks) + 1}-{section}", "\n".join(code) + "\n"))
    return blocks


BLOCKS = [block for page in PAGES for block in python_blocks(page.read_text(), page.stem)]


def test_the_pages_have_the_blocks_this_file_expects() -> None:
    assert len(BLOCKS) >= 10, [block_id for block_id, _ in BLOCKS]
    assert {block_id.split("/")[0] for block_id, _ in BLOCKS} >= {
        "README", "getting-started", "retry", "caller-context", "async", "localcloud"}


@pytest.fixture(scope="module")
def cloud_files(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    directory = tmp_path_factory.mktemp("readme-cloud")
    with LocalCloud() as cloud:
        config, credentials = cloud.write_aws_files(directory, profile=PROFILE)
        yield {"AWS_CONFIG_FILE": str(config), "AWS_SHARED_CREDENTIALS_FILE": str(credentials)}


@pytest.mark.parametrize(("block_id", "code"), BLOCKS, ids=[b for b, _ in BLOCKS])
def test_the_readme_block_runs_as_written(
    block_id: str, code: str, cloud_files: dict[str, str], tmp_path: Path
) -> None:
    needs = NEEDS.match(code.splitlines()[0])
    if needs and needs["other"]:
        pytest.skip(f"needs {needs['other']}")
    if needs and needs["extras"]:
        try:
            require("this README block", *needs["extras"].split(","))
        except MissingExtra as missing:
            pytest.skip(str(missing))
    script = tmp_path / f"{block_id.replace('/', '-')}.py"
    script.write_text(code)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "EUCA_BOTO_"))}
    for run in ("first", "second"):
        result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                                timeout=120, cwd=tmp_path, env={**env, **cloud_files})
        assert "Traceback" not in result.stderr, f"{run} run: {result.stderr}"
        assert result.returncode == 0, f"{run} run: {result.stderr}"
