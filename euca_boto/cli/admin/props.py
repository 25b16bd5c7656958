"""``euca-boto admin props``: the cloud's properties, one at a time (``get``, ``set``, ``reset``,
as ``euctl`` does) and as code (``export`` to a file, ``plan`` what the file would change,
``apply`` it), in the manner of ``euctl --dump/--edit``, ``terraform plan/apply`` and
``kubectl diff/apply``.

``plan`` exits 0 when nothing would change and 2 when something would, so a cron job or CI
step detects drift from the file kept in version control; 1 is a failed call. A file that
cannot be used (unreadable, malformed, an unknown property, a value of the wrong type) is
reported one line per problem with status 2, and nothing is changed.
"""

from __future__ import annotations

import argparse
import difflib
import json
import sys
from collections.abc import Iterable
from typing import Any

from euca_boto.admin import JSON_PROPERTIES, Plan, PlanEntry, PlanError, Properties, decode, encode
from euca_boto.admin.properties import Property, PropertyValueError, unknown_property
from euca_boto.cli.admin import propfile
from euca_boto.cli.admin.connect import add_profile_argument, connect
from euca_boto.msgs import SCRIPT_OPT_IN, SCRIPT_PROPERTY

PROG = "euca-boto"
# Longer JSON values are shown as a diff of their documents, not on one line.
INLINE_JSON = 60


class _Refused(Exception):
    """Bad input, already worded: one line on stderr each, exit status 2."""

    def __init__(self, *lines: str) -> None:
        super().__init__(*lines)
        self.lines = lines


def _properties(args: argparse.Namespace) -> Properties:
    return Properties(connect(args.profile, "euprop").client("euprop"))


def _one(props: Properties, name: str) -> Property:
    """The property ``name``, or :class:`_Refused` naming the nearest one."""
    found = props.describe([name]).get(name)
    if found is None:
        raise _Refused(unknown_property(name, props.describe()))
    return found


def _shown(name: str, text: str) -> str:
    """A value on one line: JSON quoting, so that empty text and spaces show."""
    if name in JSON_PROPERTIES:
        value = decode(name, text)
        if not isinstance(value, str):
            return json.dumps(value)
    return json.dumps(text)


# Single properties ---------------------------------------------------------------------------


def _get(args: argparse.Namespace) -> int:
    props = _properties(args)
    for name in args.names:
        value = decode(name, _one(props, name).value)
        print(value if isinstance(value, str) else json.dumps(value, indent=2))
    return 0


def _set(args: argparse.Namespace) -> int:
    if args.name == SCRIPT_PROPERTY:
        return _run_script(args)
    if args.allow_script_execution:
        raise _Refused(f"--allow-script-execution is for the {SCRIPT_PROPERTY!r} property only")
    props = _properties(args)
    prop = _one(props, args.name)
    try:
        text = encode(args.name, args.value)
    except PropertyValueError as error:
        raise _Refused(str(error)) from None
    if prop.read_only:
        raise _Refused(f"{args.name} is read-only: the cloud does not let it be set")
    old, new = props.set(args.name, text)
    print(f"{args.name}: {_shown(args.name, old)} -> {_shown(args.name, new)}")
    return 0


def _run_script(args: argparse.Namespace) -> int:
    if not args.allow_script_execution:
        raise _Refused(
            f"setting {SCRIPT_PROPERTY!r} runs its value as Groovy code on the cloud "
            "controller, with the cloud's full privileges; pass --allow-script-execution to "
            "do that")
    euprop = connect(args.profile, "euprop").client("euprop")
    reply = euprop.modify_property_value(Name=SCRIPT_PROPERTY, Value=args.value,
                                         **{SCRIPT_OPT_IN: True})
    # The server says how the script went in OldValue and gives its result in Value.
    print(reply.get("OldValue", ""))
    print(reply.get("Value", ""))
    return 0


def _reset(args: argparse.Namespace) -> int:
    props = _properties(args)
    prop = _one(props, args.name)
    now = props.reset(args.name)
    print(f"{args.name}: {_shown(args.name, prop.value)} -> "
          f"{_shown(args.name, now if isinstance(now, str) else json.dumps(now))} (default)")
    return 0


# Properties as code --------------------------------------------------------------------------


def _export(args: argparse.Namespace) -> int:
    props = _properties(args)
    found = props.describe(args.prefixes)
    for prefix in args.prefixes:
        if not any(name.startswith(prefix) for name in found):
            raise _Refused(f"no property name starts with {prefix!r}"
                           + _nearest(prefix, props.describe()))
    hidden = sorted(name for name, prop in found.items() if prop.hidden)
    chosen = {
        name: decode(name, prop.value)
        for name, prop in sorted(found.items())
        if not prop.hidden and (args.all or not (prop.read_only or prop.is_default))
    }
    if hidden:
        what = ("1 hidden property (its value cannot" if len(hidden) == 1
                else f"{len(hidden)} hidden properties (their values cannot")
        print(f"{PROG}: left out {what} be read): {', '.join(hidden)}", file=sys.stderr)
    kind = "every property" if args.all else "the properties that differ from their defaults"
    sys.stdout.write(propfile.dumps(
        chosen, args.format,
        comment=f"Cloud properties: {kind}.\n"
                "Change values, then: euca-boto admin props plan FILE; "
                "euca-boto admin props apply FILE"))
    return 0


def _nearest(prefix: str, known: Iterable[str]) -> str:
    """The existing name or name prefix (up to a dot) nearest to ``prefix``, if one is near."""
    candidates = {name[:i + 1] for name in known for i, c in enumerate(name) if c == "."}
    candidates.update(known)
    near = difflib.get_close_matches(prefix, sorted(candidates), n=1, cutoff=0.6)
    return f" (nearest: {near[0]!r})" if near else ""


def _plan_of(args: argparse.Namespace) -> tuple[Properties, Plan]:
    try:
        wanted = propfile.read(args.file)
    except propfile.PropertyFileError as error:
        raise _Refused(str(error)) from None
    props = _properties(args)
    try:
        return props, props.plan(wanted.values)
    except PlanError as error:
        raise _Refused(*(f"{wanted.where(name)}: {text}" for name, text in error.problems)) \
            from None


def _plan(args: argparse.Namespace) -> int:
    _, plan = _plan_of(args)
    _print_plan(plan)
    return 2 if plan.changes else 0


def _apply(args: argparse.Namespace) -> int:
    props, plan = _plan_of(args)
    _print_plan(plan)
    if not plan.changes:
        return 0
    if not args.yes and not _confirmed(len(plan.changes)):
        return 2
    report = props.apply(plan, progress=lambda entry, outcome: print(f"{entry.name}: {outcome}",
                                                                     flush=True))
    applied = ", ".join(e.name for e in report.applied) or "none"
    print(f"Applied: {applied}.")
    if report.complete:
        return 0
    assert report.refused is not None
    rest = [report.refused.name, *(e.name for e in report.not_attempted)]
    print(f"Not applied: {', '.join(rest)} ({report.refused.name} was refused: "
          f"{report.reason}).")
    return 1


def _confirmed(count: int) -> bool:
    if not sys.stdin.isatty():
        raise _Refused("apply changes the cloud: pass --yes (standard input is not a terminal "
                       "to ask on)")
    answer = input(f"Apply {count} change{'s' if count > 1 else ''}? [y/N] ")
    return answer.strip().lower() in ("y", "yes")


def _print_plan(plan: Plan) -> None:
    for entry in plan.entries:
        for line in _plan_lines(entry):
            print(line)
    changes, unchanged = len(plan.changes), len(plan.of("unchanged"))
    flagged = len(plan.entries) - changes - unchanged
    counts = f"{unchanged} unchanged" + (f", {flagged} not applied" if flagged else "")
    print(f"Plan: {changes} to change, {counts}." if changes
          else f"Plan: nothing to change ({counts}).")


def _plan_lines(entry: PlanEntry) -> list[str]:
    name, current = entry.name, entry.current or ""
    if entry.action == "unchanged":
        return []
    if entry.action == "script":
        return [f"! {name}: a script run as code on the cloud; never applied from a file "
                f"(euca-boto admin props set {name} ... --allow-script-execution runs one)"]
    if entry.action == "hidden":
        return [f"! {name}: hidden; its value cannot be read, so it is neither compared nor "
                f"applied (euca-boto admin props set sets it)"]
    head = "!" if entry.action == "read-only" else "~"
    tail = " (read-only: not applied)" if entry.action == "read-only" else ""
    one, other = _shown(name, current), _shown(name, entry.wanted)
    if name not in JSON_PROPERTIES or len(one) + len(other) <= 2 * INLINE_JSON:
        return [f"{head} {name}: {one} -> {other}{tail}"]
    return [f"{head} {name}:{tail}", *("    " + line for line in _document_diff(name, current,
                                                                              entry.wanted))]


def _document_diff(name: str, current: str, wanted: str) -> list[str]:
    def lines(text: str) -> list[str]:
        value = decode(name, text)
        shown = value if isinstance(value, str) else json.dumps(value, indent=2, sort_keys=True)
        return shown.splitlines()

    return [line.rstrip("\n") for line in difflib.unified_diff(
        lines(current), lines(wanted), "current", "wanted", lineterm="")]


# The command line ----------------------------------------------------------------------------


def _guarded(func: Any) -> Any:
    """Run a command; bad input it refuses is one line on stderr each, exit status 2."""
    def run(args: argparse.Namespace) -> int:
        try:
            return int(func(args))
        except _Refused as refused:
            for line in refused.lines:
                print(f"{PROG}: {line}", file=sys.stderr)
            return 2

    return run


def add_commands(groups: Any) -> None:
    """Add ``euca-boto admin props`` and its actions."""
    props = groups.add_parser(
        "props", help="cloud properties: get, set, reset; export, plan, apply",
        description="The cloud's properties. get, set and reset act on one property; export "
                    "writes properties to a file, plan shows what a file would change and "
                    "apply makes the changes. JSON-valued properties are documents; every "
                    "other property is text.")
    actions = props.add_subparsers(dest="props_command", metavar="ACTION", required=True)

    get = actions.add_parser("get", help="print properties' values",
                             description="Print the value of each named property (JSON-valued "
                                         "ones as indented JSON).")
    get.add_argument("names", nargs="+", metavar="NAME", help="a property's full name")
    get.set_defaults(func=_get)

    set_ = actions.add_parser(
        "set", help="set a property",
        description="Set a property and show its old and new value. The 'euca' property runs "
                    "its value as code on the cloud controller: only with "
                    "--allow-script-execution.")
    set_.add_argument("name", metavar="NAME", help="the property's full name")
    set_.add_argument("value", metavar="VALUE", help="the new value ('' sets it empty)")
    set_.add_argument("--allow-script-execution", action="store_true",
                      help="allow NAME 'euca', whose VALUE is Groovy code run on the cloud")
    set_.set_defaults(func=_set)

    reset = actions.add_parser("reset", help="reset a property to its default",
                               description="Reset a property to its default value.")
    reset.add_argument("name", metavar="NAME", help="the property's full name")
    reset.set_defaults(func=_reset)

    export = actions.add_parser(
        "export", help="write properties to stdout as a file",
        description="Write the properties that differ from their defaults (every property "
                    "with --all) as YAML or JSON, sorted by name. Read-only properties come "
                    "only with --all; hidden ones never (their values cannot be read).")
    export.add_argument("prefixes", nargs="*", metavar="PREFIX",
                        help="only properties whose name starts with one of these")
    export.add_argument("--format", choices=propfile.FORMATS, default="yaml",
                        help="yaml (the default) or json")
    export.add_argument("--all", action="store_true", help="every property, defaults included")
    export.set_defaults(func=_export)

    plan = actions.add_parser(
        "plan", help="show what applying a file would change",
        description="For each property of FILE (YAML or JSON), show its current and wanted "
                    "value; flag read-only, hidden and script entries. Exit status 0: nothing "
                    "would change; 2: something would, or FILE cannot be used (stderr says "
                    "which); 1: a call failed.")
    plan.add_argument("file", metavar="FILE", help="a property file (as export writes)")
    plan.set_defaults(func=_plan)

    apply = actions.add_parser(
        "apply", help="make a file's changes",
        description="Show the plan of FILE, then set each changed property in the file's "
                    "order, reading it back; stop at the first the cloud refuses and say what "
                    "was and was not applied. Properties that hold their value already are "
                    "not sent.")
    apply.add_argument("file", metavar="FILE", help="a property file (as export writes)")
    apply.add_argument("--yes", action="store_true", help="do not ask before applying")
    apply.set_defaults(func=_apply)

    for action in (get, set_, reset, export, plan, apply):
        add_profile_argument(action)
        action.set_defaults(func=_guarded(action.get_default("func")))
