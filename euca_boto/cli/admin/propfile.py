"""Property files: a mapping of property names to values, in YAML or JSON.

Text values are strings, JSON properties' values are documents (mappings or lists), as
:mod:`euca_boto.admin.properties` types them. YAML needs PyYAML (the ``admin`` extra); JSON
does not. A file is JSON when its name ends in ``.json`` or its text starts with ``{``.
Reading a file refuses, in one line, what would make its meaning unclear: a file that cannot
be read, malformed text, a name given twice, a name that is not text.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from euca_boto.core.extras import require

FORMATS = ("yaml", "json")


class PropertyFileError(ValueError):
    """A property file that cannot be used; the message is one line saying where and why."""


@dataclass(frozen=True)
class PropertyFile:
    """What a file wants: names and values in the file's order, and each name's line (YAML)."""

    path: str
    values: dict[str, Any]
    lines: dict[str, int] = field(default_factory=dict)

    def where(self, name: str) -> str:
        """The file, and the line of ``name`` when known."""
        line = self.lines.get(name)
        return f"{self.path}, line {line}" if line else self.path


def read(path: str) -> PropertyFile:
    """The property file at ``path``; :class:`PropertyFileError` if it cannot be used."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else error
        raise PropertyFileError(f"{path}: cannot be read: {reason}") from None
    lines: dict[str, int] = {}
    if path.endswith(".json") or text.lstrip().startswith("{"):
        values = _read_json(path, text)
    else:
        values, lines = _read_yaml(path, text)
    return PropertyFile(path, values, lines)


def _checked(path: str, values: Any) -> dict[str, Any]:
    if not isinstance(values, Mapping):
        shown = "nothing" if values is None else f"a {type(values).__name__}"
        raise PropertyFileError(
            f"{path}: expected a mapping of property names to values, found {shown}")
    for name in values:
        if not isinstance(name, str):
            raise PropertyFileError(f"{path}: property names are text, found {name!r}")
    return dict(values)


def _read_json(path: str, text: str) -> dict[str, Any]:
    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for key, value in items:
            if key in found:
                raise PropertyFileError(f"{path}: {key!r} is given twice")
            found[key] = value
        return found

    try:
        values = json.loads(text, object_pairs_hook=pairs)
    except json.JSONDecodeError as error:
        raise PropertyFileError(
            f"{path}: line {error.lineno}, column {error.colno}: {error.msg}") from None
    return _checked(path, values)


def _read_yaml(path: str, text: str) -> tuple[dict[str, Any], dict[str, int]]:
    require("reading YAML", "admin", hint="or write the file in JSON")
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    def mapping(loader: Loader, node: yaml.MappingNode) -> dict[Any, Any]:
        loader.flatten_mapping(node)
        found: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if key in found:
                raise PropertyFileError(
                    f"{path}, line {key_node.start_mark.line + 1}: {key!r} is given twice")
            found[key] = loader.construct_object(value_node, deep=True)
        return found

    Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, mapping)
    loader = Loader(text)
    try:
        node = loader.get_single_node()
        values = None if node is None else loader.construct_document(node)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f", line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise PropertyFileError(f"{path}{where}: {error.problem or error.context}") from None
    except (yaml.YAMLError, TypeError) as error:  # TypeError: an unhashable (complex) key
        raise PropertyFileError(f"{path}: {' '.join(str(error).split())}") from None
    finally:
        loader.dispose()
    lines: dict[str, int] = {}
    if isinstance(node, yaml.MappingNode):
        lines = {str(key.value): key.start_mark.line + 1 for key, _ in node.value}
    return _checked(path, values), lines


def dumps(values: Mapping[str, Any], fmt: str, comment: str = "") -> str:
    """``values`` as the text of a property file in ``fmt``; ``comment`` heads a YAML file."""
    if fmt == "json":
        return json.dumps(values, indent=2) + "\n"
    require("writing YAML", "admin", hint="or --format json")
    import yaml

    class Dumper(yaml.SafeDumper):
        pass

    def text(dumper: Dumper, value: str) -> yaml.ScalarNode:
        # Multi-line text (scripts, certificates) reads best as a literal block.
        style = "|" if "\n" in value.strip("\n") else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    Dumper.add_representer(str, text)
    body = yaml.dump(dict(values), Dumper=Dumper, default_flow_style=False, sort_keys=False,
                     allow_unicode=True, width=100) if values else "{}\n"
    head = "".join(f"# {line}\n" for line in comment.splitlines())
    return head + body
