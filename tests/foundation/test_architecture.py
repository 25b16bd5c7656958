"""The package's architecture, read from its source: which part may import which.

Every module of ``euca_boto`` is parsed with :mod:`ast` (nothing is imported) and each of its
imports of another ``euca_boto`` module becomes an edge between the parts the two belong to.
A part is:

* ``euca_boto``: the package's ``__init__``, the public API (``import euca_boto`` and
  ``from euca_boto import session`` depend on it; ``from euca_boto import settings`` names a
  module and depends on that module instead);
* a subpackage with everything inside it (``euca_boto.endpoints``, ``euca_boto.cli``, ...);
* a top-level module on its own (``euca_boto.core.settings``, ``euca_boto.install``, ...): each is
  one concern, so two that need each other are a cycle as much as two packages are.

Imports count when they run: at module level and inside functions and methods, since a
function-level import is only a deferred one and makes the same dependency. Imports under
``if TYPE_CHECKING:`` do not count for cycles: they never run, and annotating with a type from
a part that depends on this one is how such a cycle is avoided at run time. They do count for
the command-line rule: no feature refers to ``euca_boto.cli`` even in an annotation. Modules
named by a string at run time (the public API's lazy names, the command table) are not
imports here; the lazy names point from the API down to the features, the direction edges
already go.
"""

from __future__ import annotations

import ast
from collections import deque
from dataclasses import dataclass
from pathlib import Path

import pytest

# Reads the repository's own files: the same on every Python (see the `static` marker).
pytestmark = pytest.mark.static

PACKAGE_DIR = Path(__file__).resolve().parents[2] / "euca_boto"
CLI = "euca_boto.cli"


@dataclass(frozen=True)
class Import:
    """One import of a euca_boto module: who imports, what, where, and whether it runs."""

    importer: str
    imported: str
    where: str
    type_checking: bool


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def imports_of(path: Path, modules: set[str]) -> list[Import]:
    """Every import of a euca_boto module in ``path``, at any depth."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    where = str(path.relative_to(PACKAGE_DIR.parent))
    found: list[Import] = []

    def add(target: str, line: int, type_checking: bool) -> None:
        if target == "euca_boto" or target.startswith("euca_boto."):
            found.append(Import(name, target, f"{where}:{line}", type_checking))

    def visit(node: ast.AST, type_checking: bool) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.body:
                visit(child, True)
            for child in node.orelse:
                visit(child, type_checking)
            return
        if isinstance(node, ast.Import):
            for alias in node.names:
                add(alias.name, node.lineno, type_checking)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                source = ".".join([*base, *([node.module] if node.module else [])])
            else:
                source = node.module or ""
            for alias in node.names:
                # ``from euca_boto import settings`` imports the module settings; ``from
                # euca_boto import session`` takes a name from the package's __init__.
                submodule = f"{source}.{alias.name}"
                add(submodule if submodule in modules else source, node.lineno, type_checking)
        for child in ast.iter_child_nodes(node):
            visit(child, type_checking)

    visit(ast.parse(path.read_text(), str(path)), False)
    return found


def part_of(module: str) -> str:
    """The part a module belongs to: the public API, its subpackage, or itself."""
    parts = module.split(".")
    return ".".join(parts[:2])


def all_imports() -> list[Import]:
    paths = sorted(PACKAGE_DIR.rglob("*.py"))
    modules = {module_name(path) for path in paths}
    return [found for path in paths for found in imports_of(path, modules)]


def part_graph(imports: list[Import]) -> dict[str, dict[str, str]]:
    """part -> {part it imports: where the first such import is}, for imports that run."""
    graph: dict[str, dict[str, str]] = {}
    for found in imports:
        source, target = part_of(found.importer), part_of(found.imported)
        if source != target and not found.type_checking:
            graph.setdefault(source, {}).setdefault(target, found.where)
    return graph


def cycles(graph: dict[str, dict[str, str]]) -> list[list[str]]:
    """One shortest cycle through each part that is on a cycle, without repeats."""
    found: list[list[str]] = []
    seen: set[frozenset[str]] = set()
    for start in sorted(graph):
        # Breadth first from start's successors back to start: the shortest way round.
        came_from: dict[str, str] = {}
        queue = deque([start])
        while queue:
            node = queue.popleft()
            for successor in sorted(graph.get(node, {})):
                if successor == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(came_from[path[-1]])
                    cycle = [*reversed(path), start]
                    if frozenset(cycle) not in seen:
                        seen.add(frozenset(cycle))
                        found.append(cycle)
                    queue.clear()
                    break
                if successor not in came_from:
                    came_from[successor] = node
                    queue.append(successor)
    return found


def describe(cycle: list[str], graph: dict[str, dict[str, str]]) -> str:
    steps = [f"{a} -> {b} ({graph[a][b]})" for a, b in zip(cycle, cycle[1:], strict=False)]
    return "\n  ".join(steps)


def test_the_source_is_read_completely() -> None:
    # The rules below are only as good as the graph: it must see the imports known to exist.
    graph = part_graph(all_imports())
    assert "euca_boto.core" in graph["euca_boto"]  # module level, in the public API
    assert "euca_boto.endpoints" in graph["euca_boto.install"]  # inside a function
    assert {"euca_boto.endpoints", "euca_boto.breakers", "euca_boto.tracker",
            "euca_boto.testing"} <= set(graph[CLI])


def test_no_feature_imports_the_command_line() -> None:
    offending = [f"{found.where}: {found.importer} imports {found.imported}"
                 for found in all_imports()
                 if part_of(found.imported) == CLI and part_of(found.importer) != CLI]
    assert offending == [], "the command line is built on the features, never the reverse:\n" \
        + "\n".join(offending)


def test_the_parts_import_each_other_without_cycles() -> None:
    graph = part_graph(all_imports())
    found = cycles(graph)
    assert found == [], "import cycles between parts of euca_boto (move what both need " \
        "down into a part both can import):\n  " + "\n\n  ".join(
            describe(cycle, graph) for cycle in found)


ARCHITECTURE = PACKAGE_DIR.parent / "docs" / "architecture.md"


def layers() -> dict[str, int]:
    """part -> its layer's rank, read from the table under "## Layers" in the architecture
    page, so the page and the code cannot tell two stories."""
    text = ARCHITECTURE.read_text()
    table = text.split("## Layers", 1)[1].split("```", 2)[1]
    ranks: dict[str, int] = {}
    for rank, line in enumerate(row for row in table.splitlines() if row.strip()):
        _, _, names = line.partition(":")
        for name in names.split():
            ranks["euca_boto" if name == "euca_boto" else f"euca_boto.{name}"] = rank
    return ranks


def test_every_part_has_a_layer() -> None:
    ranks = layers()
    parts = {part_of(found.importer) for found in all_imports()} | {
        part_of(module_name(path)) for path in PACKAGE_DIR.rglob("*.py")}
    assert sorted(parts - set(ranks)) == [], (
        "give each new part a layer in docs/architecture.md")
    assert sorted(set(ranks) - parts) == [], "the layer table names parts that do not exist"


def test_each_part_imports_only_its_own_layer_and_those_below() -> None:
    ranks = layers()
    fixture = max(ranks.values())
    offending = []
    for found in all_imports():
        source, target = part_of(found.importer), part_of(found.imported)
        if source == target or found.type_checking:
            continue
        if ranks[target] == fixture:
            allowed = source == CLI
        else:
            allowed = ranks[target] <= ranks[source]
        if not allowed:
            offending.append(f"{found.where}: {source} imports {target}")
    assert offending == [], "imports against the layers of docs/architecture.md:\n" + "\n".join(
        offending)
