"""How the admin commands print what they found, as ``aws --output`` does: ``table`` (a boxed
table with a title), ``text`` (a tab-separated line per row, no header, for ``cut`` and
``awk``) or ``json`` (the cloud's answer, every field).

The default is the profile's own ``output`` setting (``AWS_DEFAULT_OUTPUT`` first), as for
``aws``, and ``table`` when it names none of the three.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TextIO

from euca_boto.install import botocore_session_of

FORMATS = ("table", "json", "text")


@dataclass(frozen=True)
class Column:
    """One column: its heading and how to read its cell from an item."""

    heading: str
    cell: Callable[[Any], Any]


def add_output_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--output", choices=FORMATS, default=None,
        help="table, json or text (default: the profile's output setting, else table)")


def chosen_format(args: argparse.Namespace, session: Any) -> str:
    """``--output``, else ``AWS_DEFAULT_OUTPUT``, else the profile's ``output``, else table."""
    if args.output:
        return str(args.output)
    configured = os.environ.get("AWS_DEFAULT_OUTPUT")
    if configured is None:
        configured = botocore_session_of(session).get_scoped_config().get("output")
    return configured if configured in FORMATS else "table"


def _text(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return str(value)


def _json_default(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def render(items: Sequence[Any], columns: Sequence[Column], fmt: str, title: str, *,
           tag: str | None = None, out: TextIO | None = None) -> None:
    """Print ``items`` in ``fmt``: their ``columns`` as a table or as text, or the items
    themselves as JSON. ``tag`` starts each text line, where one command prints rows of
    several kinds."""
    out = out or sys.stdout
    if fmt == "json":
        print(json.dumps(list(items), indent=4, default=_json_default), file=out)
        return
    rows = [[_text(column.cell(item)) for column in columns] for item in items]
    if fmt == "text":
        for row in rows:
            print("\t".join([tag, *row] if tag else row), file=out)
        return
    print(table([c.heading for c in columns], rows, title), file=out)


def table(headings: Sequence[str], rows: Sequence[Sequence[str]], title: str) -> str:
    """A boxed table with a title line above the headings."""
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(headings)]
    rule = "+" + "+".join("-" * (w + 2) for w in widths) + "+"
    inner = len(rule) - 2
    if len(title) > inner:
        widths[-1] += len(title) - inner
        rule = "+" + "+".join("-" * (w + 2) for w in widths) + "+"
        inner = len(title)

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    lines = ["-" * len(rule), "|" + title.center(inner) + "|", rule, line(headings), rule]
    lines += [line(row) for row in rows]
    if rows:
        lines.append(rule)
    return "\n".join(lines)
