"""Regenerate the configuration reference in README.md from the settings table."""

from __future__ import annotations

import re
from pathlib import Path

from euca_boto.core.settings import reference_table

START = "<!-- settings-reference:start -->"
END = "<!-- settings-reference:end -->"


def main() -> None:
    readme = Path(__file__).resolve().parents[1] / "README.md"
    text = readme.read_text()
    pattern = re.compile(re.escape(START) + ".*?" + re.escape(END), re.S)
    if not pattern.search(text):
        raise SystemExit(f"{readme}: markers {START} / {END} not found")
    readme.write_text(pattern.sub(lambda _: f"{START}\n{reference_table()}{END}", text))


if __name__ == "__main__":
    main()
