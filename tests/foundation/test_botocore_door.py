"""Only ``euca_boto.core.botocore_access`` reaches botocore's internals.

A botocore release that renames a private attribute must break that one module, not calls
spread over the package. The scan reads the source (``ast``) of every module and flags, outside
``botocore_access`` and the start-up hook (which must stay stdlib-only and imports no botocore):

* an attribute named like one of botocore's known private attributes, read from anything but
  ``self`` or ``cls`` (``session._session``, ``client._endpoint``, ``getattr(c, "_loader")``);
* any other private attribute that euca-boto does not define itself and that is not one of the
  few private-looking names the standard library documents (``sys._getframe``, namedtuple's
  ``_replace``);
* imports of private names or private modules of botocore, boto3, aiobotocore or the AWS CLI.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterator
from pathlib import Path

import euca_boto

PACKAGE = Path(euca_boto.__file__).parent
DOOR = PACKAGE / "core" / "botocore_access.py"
EXEMPT = {DOOR, PACKAGE / "bootstrap" / "sitecustomize.py"}

# botocore's private attributes that euca-boto has needed, or could be tempted to use.
BOTOCORE_PRIVATE = frozenset({
    "_session", "_emitter", "_service_model", "_client_config", "_endpoint", "_loader",
    "_request_signer", "_credentials", "_cache", "_components", "_make_api_call",
    "_internal_components", "_event_emitter", "_config", "_session_instance_vars",
    "_response_parser", "_serializer", "_handlers", "_unique_id_handlers", "_lookup_cache",
    "_retry_config", "_user_agent_creator", "_endpoint_resolver", "_search_paths",
    "_PAGINATORS", "_client",
})
# Private by spelling only: documented API of the standard library.
STDLIB_PUBLIC = frozenset({"_getframe", "_replace", "_asdict", "_fields", "_make"})
THIRD_PARTY = ("botocore", "boto3", "aiobotocore", "awscli", "s3transfer")


@functools.cache
def modules() -> tuple[tuple[Path, ast.Module], ...]:
    return tuple((path, ast.parse(path.read_text(), str(path)))
                 for path in sorted(PACKAGE.rglob("*.py")))


def private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def own_private_names() -> set[str]:
    """Every private name euca-boto defines: functions, classes, attributes it assigns
    (``self._x = ...``, ``_X = ...``), parameters and keyword arguments."""
    names: set[str] = set()
    for _, tree in modules():
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(node.name)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                names.add(node.attr)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
            elif isinstance(node, ast.arg):
                names.add(node.arg)
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                names.add(node.target.id)
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                names.add(node.value)  # __slots__ entries, setattr() names
    return {name for name in names if private(name)}


def reaches(tree: ast.Module, own: set[str]) -> Iterator[tuple[int, str]]:
    """(line, what) of every reach into a third party's private parts in one module."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and private(node.attr):
            receiver = node.value
            if isinstance(receiver, ast.Name) and receiver.id in ("self", "cls"):
                continue
            if node.attr in BOTOCORE_PRIVATE or (
                    node.attr not in own and node.attr not in STDLIB_PUBLIC):
                yield node.lineno, f".{node.attr}"
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
              and node.func.id in ("getattr", "setattr", "hasattr") and len(node.args) >= 2
              and isinstance(node.args[1], ast.Constant)
              and node.args[1].value in BOTOCORE_PRIVATE):
            yield node.lineno, f"{node.func.id}(..., {node.args[1].value!r})"
        elif isinstance(node, ast.ImportFrom) and node.module:
            if node.module.split(".")[0] in THIRD_PARTY:
                parts = node.module.split(".") + [alias.name for alias in node.names]
                if any(private(part) for part in parts):
                    yield node.lineno, f"from {node.module} import ..."
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] in THIRD_PARTY and any(private(part) for part in parts):
                    yield node.lineno, f"import {alias.name}"


def test_only_the_door_reaches_botocore_internals() -> None:
    own = own_private_names() - BOTOCORE_PRIVATE
    found = [
        f"{path.relative_to(PACKAGE.parent)}:{line}: {what}"
        for path, tree in modules() if path not in EXEMPT
        for line, what in reaches(tree, own)
    ]
    assert found == [], "go through euca_boto.core.botocore_access instead:\n" + "\n".join(found)


def test_the_scan_sees_the_reaches_it_is_for() -> None:
    source = (
        "import botocore._helpers\n"
        "from botocore.utils import _private\n"
        "def f(session, client, parts):\n"
        "    session._session.get_component('x')\n"
        "    getattr(client, '_endpoint')\n"
        "    client._some_new_internal\n"
        "    parts._replace(path='')\n"
        "    self_like = client\n"
        "    return self_like\n"
    )
    found = [what for _, what in sorted(reaches(ast.parse(source), own_private_names()))]
    assert found == ["import botocore._helpers", "from botocore.utils import ...",
                     "._session", "getattr(..., '_endpoint')", "._some_new_internal"]
    # ... and botocore_access itself does reach them (the scan is not vacuous).
    assert any(what == "._session" for _, what in reaches(ast.parse(DOOR.read_text()), set()))
