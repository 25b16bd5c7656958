"""Regenerate the configuration reference from the settings table wherever it is embedded.

The reference lives between the markers ``<!-- settings-reference:start -->`` and
``<!-- settings-reference:end -->``: on the documentation site's configuration page
(``docs/configuration.md``), and in any other page of ``docs/`` or the README that has them.

    python tools/update_readme.py           # rewrite the references
    python tools/update_readme.py --check   # exit 1, naming the files, if one is out of date
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from euca_boto.core.settings import reference_table

ROOT = Path(__file__).resolve().parents[1]
START = "<!-- settings-reference:start -->"
END = "<!-- settings-reference:end -->"
PATTERN = re.compile(re.escape(START) + ".*?" + re.escape(END), re.S)


def pages() -> list[Path]:
    """The README and every page of the documentation site."""
    return [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


def updated(text: str) -> str:
    """``text`` with every embedded reference regenerated."""
    return PATTERN.sub(lambda _: f"{START}\n{reference_table()}{END}", text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 if a reference is out of date")
    args = parser.parse_args()
    embedding = [path for path in pages() if PATTERN.search(path.read_text())]
    if not embedding:
        raise SystemExit(f"no page holds the markers {START} / {END}")
    stale = [path for path in embedding if updated(path.read_text()) != path.read_text()]
    if args.check:
        if stale:
            names = ", ".join(str(path.relative_to(ROOT)) for path in stale)
            raise SystemExit(f"the configuration reference is out of date in {names}: "
                             f"run python tools/update_readme.py")
        return
    for path in stale:
        path.write_text(updated(path.read_text()))


if __name__ == "__main__":
    main()
