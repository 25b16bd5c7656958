"""The documentation site builds without a warning, and what it embeds and links to is current."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from euca_boto.core.settings import reference_table

# Reads the repository's own files: the same on every Python (see the `static` marker).
pytestmark = pytest.mark.static

ROOT = Path(__file__).resolve().parents[2]
# Pages read on GitHub rather than on the site: their links must lead to files of the checkout.
GITHUB_PAGES = ("README.md", "CONTRIBUTING.md", "examples/README.md")


def test_the_site_builds_strictly(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path)],
        capture_output=True, text=True, timeout=300, cwd=ROOT,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stderr, result.stderr
    for page in ("index", "getting-started", "configuration", "troubleshooting", "errors",
                 "architecture", "tracker", "awscli", "tools"):
        built = tmp_path / ("index.html" if page == "index" else f"{page}/index.html")
        assert built.is_file(), page


def test_the_configuration_page_holds_the_current_settings_reference() -> None:
    page = (ROOT / "docs" / "configuration.md").read_text()
    assert reference_table() in page, (
        "docs/configuration.md's settings reference is out of date: run "
        "python tools/update_readme.py")
    check = subprocess.run([sys.executable, "tools/update_readme.py", "--check"],
                           capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert check.returncode == 0, check.stderr


@pytest.mark.parametrize("page", GITHUB_PAGES)
def test_the_links_of_a_page_read_on_github_lead_somewhere(page: str) -> None:
    path = ROOT / page
    text = path.read_text()
    anchors = {_anchor(heading) for heading in re.findall(r"^#+ (.+)$", text, re.M)}
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"[a-z]+://", target):
            continue
        file, _, anchor = target.partition("#")
        if file:
            assert (path.parent / file).exists(), f"{page}: {target} does not exist"
        elif anchor:
            assert anchor in anchors, f"{page}: no heading for #{anchor}"


def _anchor(heading: str) -> str:
    """GitHub's anchor of a heading."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def test_every_example_says_how_to_run_it() -> None:
    guide = (ROOT / "examples" / "README.md").read_text()
    for example in sorted((ROOT / "examples").glob("[!_]*.py")):
        assert f"python examples/{example.name}" in guide, f"{example.name} has no run line"
