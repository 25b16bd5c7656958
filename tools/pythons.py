"""The Python versions euca-boto claims to support, one per line: its ``Programming Language ::
Python :: 3.N`` classifiers, which must run without a gap from ``requires-python``'s floor.

``.ci/run`` runs the suite on each of them, so what ``pyproject.toml`` promises is what CI tests.
Exits 1 with one line on stderr when the classifiers and ``requires-python`` disagree.

Run: ``python3 tools/pythons.py [--except MAJOR.MINOR]`` (Python 3.11+, or 3.10 with tomli).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

try:
    import tomllib
except ImportError:  # Python 3.10: the test extra installs tomli
    import tomli as tomllib

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"
_CLASSIFIER = re.compile(r"Programming Language :: Python :: (3)\.(\d+)")
_FLOOR = re.compile(r">=\s*(3)\.(\d+)")


def claimed(pyproject: Path = PYPROJECT) -> list[str]:
    """The supported versions (``3.10``, ...), oldest first; ``ValueError`` saying what is
    wrong when they do not run from ``requires-python``'s floor without a gap."""
    project = tomllib.loads(pyproject.read_text())["project"]
    minors = sorted(int(m.group(2)) for c in project.get("classifiers", [])
                    if (m := _CLASSIFIER.fullmatch(c)))
    floor = _FLOOR.fullmatch(project.get("requires-python", "").strip())
    if floor is None:
        raise ValueError(f"{pyproject}: requires-python is not of the form '>=3.N'")
    if not minors:
        raise ValueError(f"{pyproject}: no 'Programming Language :: Python :: 3.N' classifier")
    expected = list(range(int(floor.group(2)), minors[-1] + 1))
    if minors != expected:
        raise ValueError(
            f"{pyproject}: the Python classifiers ({', '.join(f'3.{m}' for m in minors)}) must "
            f"run without a gap from requires-python's 3.{expected[0]} "
            f"to the newest (3.{expected[-1]})")
    return [f"3.{m}" for m in minors]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--except", dest="leave", metavar="MAJOR.MINOR",
                        help="leave this version out (the one the main suite runs on)")
    args = parser.parse_args(argv)
    try:
        versions = claimed()
    except ValueError as error:
        print(f"tools/pythons.py: {error}", file=sys.stderr)
        return 1
    print("\n".join(v for v in versions if v != args.leave))
    return 0


if __name__ == "__main__":
    sys.exit(main())
