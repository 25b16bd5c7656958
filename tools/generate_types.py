"""Generate the type information of the admin clients from the service models.

For each Eucalyptus admin service (``euserv``, ``euprop``, ``euconfig``, ``euca-ec2``) this writes
``euca_boto/typed/<module>.py``: one ``TypedDict`` per structure the client takes or returns, and a
client class whose methods have the operations' keyword arguments and response types. For the
AWS services euca-boto extends (``iam``, ``sts``, ``ec2``) it writes a class with the operations
the extensions add. Responses are typed as euca-boto returns them (item/entry string lists are
plain lists of strings, see ``euca_boto/msgs.py``).

    python tools/generate_types.py           # write the modules
    python tools/generate_types.py --check   # fail if a written module is out of date
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import textwrap
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import botocore.session
from botocore.model import OperationModel, ServiceModel, Shape, StructureShape

ROOT = Path(__file__).resolve().parent.parent
MODELS = ROOT / "service-models"
OUT = ROOT / "euca_boto" / "typed"

# (boto3 client name, class name, module name); the extension services list only their extras.
OWN_SERVICES = (
    ("euserv", "EuservClient", "euserv"),
    ("euprop", "EupropClient", "euprop"),
    ("euconfig", "EuconfigClient", "euconfig"),
    ("euca-ec2", "EucaEc2Client", "euca_ec2"),
)
EXTENDED_SERVICES = (
    ("iam", "EucaIamExtensions", "iam"),
    ("sts", "EucaStsExtensions", "sts"),
    ("ec2", "EucaEc2Extensions", "ec2"),
)

# Keyword arguments euca-boto adds to an operation beyond its model (euca_boto/msgs.py).
EXTRA_ARGUMENTS = {("euprop", "ModifyPropertyValue"): [("AllowScriptExecution", "bool")]}

_SCALARS = {
    "string": "str",
    "integer": "int",
    "long": "int",
    "boolean": "bool",
    "float": "float",
    "double": "float",
    "blob": "bytes",
}


def snake(name: str) -> str:
    """botocore's method name of an operation: ``DescribeProperties`` -> ``describe_properties``."""
    name = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    return re.sub(r"([a-z\d])([A-Z])", r"\1_\2", name).lower()


def _is_entry_list(shape: Shape) -> bool:
    if shape.type_name != "list":
        return False
    member = shape.member
    return isinstance(member, StructureShape) and list(member.members) == ["entry"]


class Writer:
    """Collects the TypedDicts one module needs, in the order they are first used."""

    def __init__(self) -> None:
        self.typed_dicts: dict[str, str] = {}

    def annotation(self, shape: Shape, output: bool) -> str:
        """The Python type of a value of ``shape``, in a request or (``output``) a response."""
        if output and _is_entry_list(shape):
            return "list[str]"
        kind = shape.type_name
        if kind in _SCALARS:
            return _SCALARS[kind]
        if kind == "timestamp":
            return "datetime" if output else "datetime | str"
        if kind == "list":
            member = self.annotation(shape.member, output)
            return f"list[{member}]" if output else f"Sequence[{member}]"
        if kind == "map":
            key = self.annotation(shape.key, output)
            value = self.annotation(shape.value, output)
            return f"dict[{key}, {value}]" if output else f"Mapping[{key}, {value}]"
        if kind == "structure":
            return self.structure(shape, output)
        return "Any"

    def structure(self, shape: StructureShape, output: bool, metadata: bool = False) -> str:
        name = f"{shape.name[:1].upper()}{shape.name[1:]}{'' if output else 'Input'}TypeDef"
        if name in self.typed_dicts:
            return name
        self.typed_dicts[name] = ""  # reserved: recursive shapes refer to it by name
        required = set(shape.required_members) if not output else set()
        lines = [f"class {name}(TypedDict, total=False):"]
        doc = _first_sentence(shape.documentation)
        if doc:
            lines += [*_docstring(doc, "    "), ""]
        members = [
            (member, self.annotation(member_shape, output))
            for member, member_shape in shape.members.items()
        ]
        if metadata:
            members.append(("ResponseMetadata", "ResponseMetadataTypeDef"))
        if not members:
            lines.append("    pass")
        for member, annotation in members:
            if member in required:
                annotation = f"Required[{annotation}]"
            lines.append(f"    {member}: {annotation}")
        self.typed_dicts[name] = "\n".join(lines)
        return name


def _first_sentence(html: Any) -> str:
    text = re.sub(r"<[^>]+>", "", str(html or "")).strip()
    text = text.split(". ")[0].rstrip(".").replace('"""', "'").replace("\\", "\\\\")
    return f"{text}." if text else ""


def _docstring(text: str, indent: str) -> list[str]:
    """``text`` as a docstring at ``indent``, wrapped to the project's line length."""
    if not text:
        return []
    if len(indent) + len(text) + 6 <= 100:
        return [f'{indent}"""{text}"""']
    wrapped = textwrap.wrap(text, 97 - len(indent))
    return [f'{indent}"""{wrapped[0]}', *(f"{indent}{line}" for line in wrapped[1:]),
            f'{indent}"""']


def _method(writer: Writer, service: str, operation: OperationModel) -> list[str]:
    parameters = ["self", "*"]
    input_shape = operation.input_shape
    if input_shape is not None:
        required = set(input_shape.required_members)
        for member, member_shape in input_shape.members.items():
            annotation = writer.annotation(member_shape, output=False)
            default = "" if member in required else " = ..."
            parameters.append(f"{member}: {annotation}{default}")
    for member, annotation in EXTRA_ARGUMENTS.get((service, operation.name), []):
        parameters.append(f"{member}: {annotation} = ...")
    if parameters == ["self", "*"]:
        parameters = ["self"]
    output_shape = operation.output_shape
    if output_shape is not None:
        returns = writer.structure(output_shape, output=True, metadata=True)
    else:
        returns = "EmptyResponseTypeDef"
    doc = _first_sentence(operation.documentation)
    lines = [f"    def {snake(operation.name)}({', '.join(parameters)}) -> {returns}:"]
    if len(lines[0]) > 100:
        lines = [f"    def {snake(operation.name)}(", *(f"        {p}," for p in parameters),
                 f"    ) -> {returns}:"]
    return lines + [*_docstring(doc, "        "), "        ..."]


def _extension_operations(service: str, model: ServiceModel) -> list[str]:
    extras = next((MODELS / service).glob("*/service-2.sdk-extras.json"))
    merged = json.loads(extras.read_text())["merge"].get("operations", {})
    return [name for name in model.operation_names if name in merged]


def render(service: str, class_name: str, operations: Iterable[str], model: ServiceModel) -> str:
    """The source of one typed module."""
    writer = Writer()
    methods: list[str] = []
    for name in operations:
        methods.extend(_method(writer, service, model.operation_model(name)))
        methods.append("")
    own = service in {s for s, _, _ in OWN_SERVICES}
    what = "client" if own else "operations euca-boto adds to the client"
    if not own:
        # The AWS operations of the client stay usable, untyped, beside the typed additions.
        methods = [
            "    def __getattr__(self, name: str) -> Any:",
            '        """The operations of the AWS service itself (not typed here)."""',
            "        ...",
            "",
            *methods,
        ]
    body = "\n\n\n".join(
        [*writer.typed_dicts.values()]
        + ["\n".join([f"class {class_name}{'(ClientBase)' if own else ''}:",
                      f'    """The {service} {what}."""', "", *methods])]
    ).rstrip()
    module = class_name_module(class_name)
    return "\n".join([
        f'"""Types of the ``{service}`` {what}.',
        "",
        f"    from euca_boto.typed.{module} import {class_name}",
        "",
        f'Annotate a client with it (``client: {class_name} = session.client("{service}")``) so',
        "editors complete its methods and type checkers check arguments and responses.",
        '"""',
        "",
        "# Generated from service-models/; do not edit: run tools/generate_types.py.",
        "# The methods only describe the client botocore builds at run time, so they have no body.",
        '# mypy: disable-error-code="empty-body"',
        "",
        *_imports(body),
        "",
        f'__all__ = ["{class_name}"]',
        "",
        "",
        body,
        "",
    ])


def _imports(body: str) -> list[str]:
    """The import block of a module with ``body``: only what it uses (the linter checks)."""
    abc = [name for name in ("Mapping", "Sequence") if f"{name}[" in body]
    lines = ["from __future__ import annotations", ""]
    if abc:
        lines.append(f"from collections.abc import {', '.join(abc)}")
    if "datetime" in body:
        lines.append("from datetime import datetime")
    typing = [name for name in ("TYPE_CHECKING", "Any", "TypedDict")
              if name == "TYPE_CHECKING" and "Required[" in body or name != "TYPE_CHECKING"
              and re.search(rf"\b{name}\b", body)]
    lines.append(f"from typing import {', '.join(typing)}")
    common = [name for name in ("ClientBase", "EmptyResponseTypeDef", "ResponseMetadataTypeDef")
              if name in body]
    lines += ["", f"from euca_boto.typed.common import {', '.join(common)}"]
    if "Required[" in body:
        # Required is in typing from Python 3.11; annotations are never evaluated at run time.
        lines += ["", "if TYPE_CHECKING:", "    from typing_extensions import Required"]
    return lines


def class_name_module(class_name: str) -> str:
    for _, name, module in OWN_SERVICES + EXTENDED_SERVICES:
        if name == class_name:
            return module
    raise KeyError(class_name)


def modules() -> dict[Path, str]:
    """Every generated module, by path."""
    session = botocore.session.Session()
    session.get_component("data_loader").search_paths.insert(0, str(MODELS))
    out: dict[Path, str] = {}
    for service, class_name, module in OWN_SERVICES:
        model = session.get_service_model(service)
        out[OUT / f"{module}.py"] = render(service, class_name, model.operation_names, model)
    for service, class_name, module in EXTENDED_SERVICES:
        model = session.get_service_model(service)
        operations = _extension_operations(service, model)
        out[OUT / f"{module}.py"] = render(service, class_name, operations, model)
    out[OUT / "__init__.py"] = render_package()
    return out


def render_package() -> str:
    """The package module: the typed session whose ``client()`` knows the admin clients."""
    imports = [f"from euca_boto.typed.{module} import {name}"
               for _, name, module in sorted(OWN_SERVICES + EXTENDED_SERVICES, key=lambda s: s[2])]
    overloads = []
    for service, name, _ in OWN_SERVICES:
        overloads += [
            "        @overload",
            "        def client(",
            f'            self, service_name: Literal["{service}"], *args: Any, **kwargs: Any',
            f"        ) -> {name}: ...",
        ]
    return "\n".join([
        '"""Type information for the Eucalyptus admin clients and the extended AWS operations.',
        "",
        "``euca_boto.session()`` is typed as :class:`EucaSession`, whose ``client()`` returns the",
        "typed client of each admin service, so editors complete ``describe_properties(...)`` and",
        "type checkers check arguments and responses. For the AWS services euca-boto extends,",
        "annotate the client with the class of the extensions (``EucaIamExtensions`` ...): the",
        "added operations are typed and the others stay usable. Importing this package costs",
        "nothing until it is imported; euca-boto itself never imports it at run time.",
        '"""',
        "",
        "# Generated by tools/generate_types.py; do not edit.",
        "",
        "from __future__ import annotations",
        "",
        "from typing import TYPE_CHECKING, Any, Literal, overload",
        "",
        "import boto3.session",
        "",
        *imports,
        "",
        "if TYPE_CHECKING:",
        "",
        "    class EucaSession(boto3.session.Session):",
        '        """A ``boto3.Session`` with euca-boto installed."""',
        "",
        *overloads,
        "        @overload",
        "        def client(self, service_name: str, *args: Any, **kwargs: Any) -> Any: ...",
        "        def client(self, service_name: str, *args: Any, **kwargs: Any) -> Any: ...",
        "",
        "else:",
        "    EucaSession = boto3.session.Session",
        "",
        "__all__ = [",
        '    "EucaSession",',
        *(f'    "{name}",' for _, name, _ in sorted(OWN_SERVICES + EXTENDED_SERVICES,
                                                   key=lambda s: s[1])),
        "]",
        "",
    ])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if a module is out of date")
    args = parser.parse_args(argv)
    stale = []
    for path, text in modules().items():
        if args.check:
            if not path.exists() or path.read_text() != text:
                stale.append(path)
        else:
            path.write_text(text)
    if stale:
        names = ", ".join(str(p.relative_to(ROOT)) for p in stale)
        print(f"out of date: {names}; run python tools/generate_types.py", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
