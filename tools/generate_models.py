"""Generate euca-boto's botocore service models from the data files in ``tools/models/``.

Writes, under ``service-models/``:

* ``euserv``, ``euprop`` and ``euconfig``: the Eucalyptus admin services (Empyrean, Properties,
  Configuration), which speak the "msgs" binding: EC2-style query requests with
  ``Version=eucalyptus`` and ``euca:``-namespaced replies without a result wrapper;
* ``euca-ec2``: the Eucalyptus-shaped instance-type actions whose names collide with AWS EC2;
* ``sdk-extras`` files that botocore's loader merges into its own ``iam``, ``sts`` and ``ec2``
  models (Eucalyptus-only actions and members).

The loader merges extras with ``botocore.utils.deep_merge``: nested dicts are merged key by key,
so an extras file adds a member to an existing shape by naming only that member.  The IAM extras
attach ``DelegateAccount`` to the input shape each action has in the *installed* botocore IAM
model, which is read at generation time; re-run this script when botocore's IAM model renames a
shape.  The output is deterministic: the same botocore gives byte-identical files.

The data files (TOML, one per model; ``msgs.toml`` is the vocabulary the admin services share):

* root keys: ``directory`` (the output folder under ``service-models/``), ``botocore`` (the
  botocore service the file extends: it is written as ``sdk-extras``), ``include`` (data files
  whose tables come first), ``documentation``, ``metadata`` (written sorted by key),
  ``list_item_name`` (the element name of the lists that ``list`` defines), ``result_wrapper``
  (outputs are wrapped in ``<Action>Result``, as in the query protocol);
* ``[operations]``: ``Action = "documentation"``, whose input is the shape ``<Action>Request``
  and whose output ``<Action>Response`` or ``<Action>Result`` if there is one; a table
  ``{doc, input, output}`` names other shapes;
* ``[shapes]``: a table with ``type`` is a botocore shape as it stands; any other is a
  structure.  Its attributes are ``doc``; ``required``; ``with``, groups whose members come
  first; ``wire``, the members are Java fields whose wire names are the keys with a lower-case
  first letter; ``list``, the name of a list of this structure to define after it.  Every other
  key is a member: ``"Shape: documentation"`` or ``"Shape @locationName: documentation"``;
* ``[groups]``: named sets of members for ``with``, written like structures;
* ``[[each]]``: ``columns``, ``rows``, and ``shapes``, ``operations`` and ``waiters`` written
  once per row after the file's own, with every ``{column}`` replaced by the row's value;
* ``[[merge]]`` (extras only): members (written like a structure's) added to each shape in
  ``into``.  An action's name there stands for its input shape in botocore's model; an action
  without one gets an ``<Action>Request`` structure with the entry's ``doc``; an action the
  file defines itself is left alone;
* ``[waiters]`` and ``[paginators]``: botocore's waiter and paginator definitions as they stand.

Documentation is plain text: white space is folded and `name` becomes <code>name</code>.

Run: ``python tools/generate_models.py``.  ``--check`` writes nothing and exits 1 if a file would
change or a model in the folder has no data file; ``--data`` and ``--out`` name other folders.
"""

from __future__ import annotations

import argparse
import html
import json
import re
import sys
from pathlib import Path
from typing import Any

import botocore.session

if sys.version_info >= (3, 11):
    import tomllib
else:  # the same parser, before it joined the standard library (in the test extra)
    try:
        import tomli as tomllib
    except ModuleNotFoundError:
        sys.exit("tools/generate_models.py needs Python 3.11 or later, or tomli "
                 "(pip install tomli)")

ROOT = Path(__file__).resolve().parent.parent
MODELS_DIR = ROOT / "service-models"
DATA_DIR = Path(__file__).resolve().parent / "models"

Json = dict[str, Any]

MEMBER = re.compile(r"(\w+)(?: @(\w+))?: (.+)", re.S)
PLACEHOLDER = re.compile(r"\{(\w+)\}")
HTTP = {"method": "POST", "requestUri": "/"}
# The keys of a structure, group or merge entry that are not members.
ATTRIBUTES = frozenset({"doc", "required", "with", "wire", "list", "into"})


def doc(text: str) -> str:
    """Operator-facing text as botocore documentation HTML; `name` becomes <code>name</code>."""
    escaped = html.escape(" ".join(text.split()), quote=False)
    return "<p>" + re.sub(r"`([^`]+)`", r"<code>\1</code>", escaped) + "</p>"


def load(data_dir: Path, name: str) -> Json:
    """A data file, with the tables of the files it includes before its own."""
    data: Json = tomllib.loads((data_dir / f"{name}.toml").read_text(encoding="utf-8"))
    for included in data.pop("include", []):
        for key, value in load(data_dir, included).items():
            own = data.get(key)
            if isinstance(value, dict):
                clash = set(value) & set(own or {})
                if clash:
                    raise SystemExit(f"{name}: {key} {sorted(clash)} also in {included}")
                data[key] = {**value, **(own or {})}
            elif own is None:
                data[key] = value
    return data


def substitute(value: Any, row: dict[str, str]) -> Any:
    """``value`` with every ``{column}`` in its strings and keys replaced by the row's value."""
    if isinstance(value, str):
        return PLACEHOLDER.sub(lambda m: row.get(m.group(1), m.group(0)), value)
    if isinstance(value, dict):
        return {substitute(k, row): substitute(v, row) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute(v, row) for v in value]
    return value


def expand_templates(data: Json) -> None:
    """Append what each ``[[each]]`` block writes per row to the file's own tables."""
    for block in data.pop("each", []):
        for values in block["rows"]:
            row = dict(zip(block["columns"], values, strict=True))
            for section in ("shapes", "operations", "waiters"):
                for name, spec in substitute(block.get(section, {}), row).items():
                    if name in data.setdefault(section, {}):
                        raise SystemExit(f"{section} {name} defined twice")
                    data[section][name] = spec


class Builder:
    """The shapes and operations of one data file, as botocore JSON."""

    def __init__(self, data: Json) -> None:
        self.data = data
        self.groups: Json = {}
        for name, spec in data.get("groups", {}).items():
            self.groups[name] = self.members(spec)
        self.shapes: Json = {}
        for name, spec in data.get("shapes", {}).items():
            if "type" in spec:
                self.add(name, spec)
                continue
            self.add(name, self.structure(spec))
            if "list" in spec:
                member: Json = {"shape": name}
                if "list_item_name" in data:
                    member["locationName"] = data["list_item_name"]
                self.add(spec["list"], {"type": "list", "member": member})
        self.operations: Json = {
            name: self.operation(name, spec) for name, spec in data.get("operations", {}).items()
        }

    def add(self, name: str, definition: Json) -> None:
        if name in self.shapes:
            raise SystemExit(f"shape {name} defined twice")
        self.shapes[name] = definition

    def members(self, spec: Json) -> Json:
        """The members of a structure or group: its groups' first, then its own."""
        members: Json = {}
        for group in spec.get("with", []):
            members.update(self.groups[group])
        for key, text in spec.items():
            if key in ATTRIBUTES:
                continue
            found = MEMBER.fullmatch(text.strip())
            if found is None:
                raise SystemExit(f"member {key}: {text!r} is not 'Shape [@location]: text'")
            shape, location, documentation = found.groups()
            if location is None and spec.get("wire"):
                location = key[:1].lower() + key[1:]
            members[key] = {"shape": shape, "documentation": doc(documentation)}
            if location:
                members[key]["locationName"] = location
        return members

    def structure(self, spec: Json) -> Json:
        definition: Json = {"type": "structure"}
        if spec.get("required"):
            definition["required"] = spec["required"]
        definition["members"] = self.members(spec)
        definition["documentation"] = doc(spec["doc"])
        return definition

    def operation(self, name: str, spec: str | Json) -> Json:
        if isinstance(spec, str):
            spec = {"doc": spec}
        input_shape = spec.get("input", f"{name}Request")
        output = spec.get("output") or next(
            (s for s in (f"{name}Response", f"{name}Result") if s in self.shapes), None
        )
        for shape in (input_shape, output):
            if shape is not None and shape not in self.shapes:
                raise SystemExit(f"operation {name}: no shape {shape}")
        op: Json = {"name": name, "http": dict(HTTP), "input": {"shape": input_shape}}
        if output:
            op["output"] = {"shape": output}
            if self.data.get("result_wrapper"):
                op["output"]["resultWrapper"] = f"{name}Result"
        op["documentation"] = doc(spec["doc"])
        return op

    def merge_into_botocore(self, service: str) -> None:
        """Apply the ``[[merge]]`` entries against the installed botocore's model of ``service``;
        refuse a new shape or operation whose name botocore's model already uses."""
        aws = load_botocore_model(service)
        own_operations = set(self.operations)
        for name, definition in self.shapes.items():
            if "type" in definition and name in aws["shapes"]:
                raise SystemExit(f"{service}: new shape {name} collides with botocore's model")
        clash = sorted(own_operations & set(aws["operations"]))
        if clash:
            raise SystemExit(f"{service}: new operations {clash} collide with botocore's model")
        for entry in self.data.get("merge", []):
            members = self.members(entry)
            targets = entry["into"].split() if isinstance(entry["into"], str) else entry["into"]
            for target in targets:
                if target in own_operations:
                    continue  # declared here with its members
                action = aws["operations"].get(target)
                if action is None and target not in aws["shapes"]:
                    raise SystemExit(f"{service}: no action or shape {target} in botocore")
                if action is not None and "input" not in action:
                    shape = f"{target}Request"
                    if shape in aws["shapes"]:
                        raise SystemExit(f"{service}: {shape} exists but {target} does not use it")
                    self.operations[target] = {"input": {"shape": shape}}
                    self.shapes[shape] = self.structure(entry)
                    continue
                shape = action["input"]["shape"] if action is not None else target
                self.shapes.setdefault(shape, {"members": {}})["members"].update(members)


def load_botocore_model(service: str) -> Json:
    loader = botocore.session.Session().get_component("data_loader")
    # Only botocore's own data: extras found elsewhere on the path must not feed back in.
    loader.search_paths[:] = [loader.BUILTIN_DATA_PATH]
    return loader.load_service_model(service, "service-2")


def documents(data: Json) -> dict[str, Json]:
    """The JSON documents of one data file, by file name."""
    expand_templates(data)
    built = Builder(data)
    service = data.get("botocore")
    if service:
        built.merge_into_botocore(service)
        found = {"service-2": {"operations": built.operations, "shapes": built.shapes}}
    else:
        found = {
            "service-2": {
                "version": "2.0",
                "metadata": dict(sorted(data["metadata"].items())),
                "documentation": doc(data["documentation"]),
                "operations": built.operations,
                "shapes": built.shapes,
            }
        }
    if "waiters" in data:
        found["waiters-2"] = {"version": 2, "waiters": data["waiters"]}
    if "paginators" in data:
        found["paginators-1"] = {"pagination": data["paginators"]}
    if not service:
        return {f"{name}.json": body for name, body in found.items()}
    return {f"{name}.sdk-extras.json": {"version": 1.0, "merge": body}
            for name, body in found.items()}


def render(data_dir: Path = DATA_DIR) -> dict[Path, str]:
    """Every generated file, by path relative to the models directory."""
    rendered = {}
    for path in sorted(data_dir.glob("*.toml")):
        data = load(data_dir, path.stem)
        if "directory" not in data:
            continue  # a vocabulary other files include
        for name, body in documents(data).items():
            text = json.dumps(body, indent=2, ensure_ascii=False) + "\n"
            rendered[Path(data["directory"]) / name] = text
    return rendered


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if a file would change")
    parser.add_argument("--out", type=Path, default=MODELS_DIR, help="models directory")
    parser.add_argument("--data", type=Path, default=DATA_DIR, help="data files directory")
    args = parser.parse_args(argv)
    stale = []
    rendered = render(args.data)
    for relative, text in rendered.items():
        target = args.out / relative
        if target.exists() and target.read_text(encoding="utf-8") == text:
            continue
        stale.append(str(relative))
        if not args.check:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
    for name in stale:
        print(("stale: " if args.check else "wrote: ") + name)
    # A model whose data file is gone: --check fails on it, a write leaves it for a person to
    # delete (it may be a file of their own).
    orphans = sorted(
        str(path.relative_to(args.out)) for path in args.out.glob("*/*/*.json")
        if path.relative_to(args.out) not in rendered
    )
    for name in orphans:
        print(f"no data file generates: {name}")
    return 1 if args.check and (stale or orphans) else 0


if __name__ == "__main__":
    sys.exit(main())
