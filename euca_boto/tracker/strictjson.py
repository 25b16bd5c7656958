"""JSON from strangers: nesting depth bounded, a key given twice refused.

``json.loads`` recurses once per nesting level, so ``[`` x 100,000 raises ``RecursionError``
deep inside the parser; and it keeps the last of two equal keys, so a reader that looks at the
first and one that looks at the last disagree. Both are refused here before anything reads the
document.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import Any

MAX_DEPTH = 16

# A JSON string (skipped whole: brackets inside it do not nest) or a bracket.
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)


class StrictJsonError(ValueError):
    """The text is not JSON, nests deeper than allowed or repeats a key; ``code`` says which
    (``NotJson``, ``JsonTooDeep``, ``DuplicateKey``)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def loads(data: bytes | str, max_depth: int = MAX_DEPTH) -> Any:
    """The document in ``data`` (UTF-8 when bytes)."""
    try:
        text = data.decode() if isinstance(data, bytes) else data
    except UnicodeDecodeError:
        raise StrictJsonError("NotJson", "the JSON is not UTF-8") from None
    depth = 0
    for match in _TOKEN.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > max_depth:
                raise StrictJsonError(
                    "JsonTooDeep", f"the JSON nests deeper than {max_depth} levels")
        elif token in "]}":
            depth -= 1
            if depth < 0:
                raise StrictJsonError("NotJson", "the text is not JSON")
    try:
        return json.loads(text, object_pairs_hook=_unique)
    except StrictJsonError:
        raise
    except (ValueError, RecursionError):
        raise StrictJsonError("NotJson", "the text is not JSON") from None


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    document = dict(pairs)
    if len(document) != len(pairs):
        repeated = sorted(k for k, n in Counter(k for k, _ in pairs).items() if n > 1)
        raise StrictJsonError(
            "DuplicateKey", f"the JSON gives {', '.join(map(repr, repeated))} more than once")
    return document
