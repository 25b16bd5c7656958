"""Response conventions of the Eucalyptus "msgs" binding, for botocore.

The admin services (euserv, euprop, euconfig) wrap every string of a list twice, report some
failures in-band with ``_return`` false, and answer some errors with a Java stack trace where a
request id belongs or with plain text. The functions here turn that into what a boto3 user
expects; the ``*_handler`` callables adapt them to botocore events and :func:`register` wires them.
"""

from __future__ import annotations

import functools
import re
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError
from botocore.model import OperationModel, Shape

from euca_boto.core.dispatch import event_step
from euca_boto.errors import CallError

if TYPE_CHECKING:
    from euca_boto.core.botocore_access import Emitter

__all__ = [
    "MSGS_SERVICES",
    "SCRIPT_OPT_IN",
    "SCRIPT_PROPERTY",
    "InBandFailure",
    "ScriptExecutionRefused",
    "after_call_handler",
    "before_parse_handler",
    "check_script_execution",
    "describe_services_params_handler",
    "error_document",
    "flatten_entry_lists",
    "in_band_failure",
    "list_all_for_named_services",
    "provide_client_params_handler",
    "register",
    "register_service",
    "tidy_error",
]

#: Service ids (hyphenized, as in botocore event names) of the services that use the binding.
MSGS_SERVICES: tuple[str, ...] = ("euserv", "euprop", "euconfig")

#: The property whose "value" the server runs as Groovy code.
SCRIPT_PROPERTY = "euca"

#: The extra keyword of ``modify_property_value`` that allows :data:`SCRIPT_PROPERTY`.
SCRIPT_OPT_IN = "AllowScriptExecution"

_ENTRY = "entry"
_STATUS_LINE_CODE = re.compile(r"^\s*(\d{3})\s+(.+?)\s*$")


class InBandFailure(ClientError):
    """The server answered HTTP 200 but reported failure (``_return`` false).

    ``response["Error"]["Message"]`` carries the server's status messages; the rest of the parsed
    reply (for example ``StatusMessages``) stays on ``response``.
    """


class ScriptExecutionRefused(CallError, PermissionError):
    """A ``ModifyPropertyValue`` of the ``euca`` property was asked for without opting in
    (refused before sending, as botocore refuses bad parameters)."""


# ---------------------------------------------------------------------------------------------
# Policy: plain functions on parsed dicts and shapes
# ---------------------------------------------------------------------------------------------


def _is_entry_list(shape: Shape) -> bool:
    member = getattr(shape, "member", None)
    return (
        shape.type_name == "list"
        and member is not None
        and member.type_name == "structure"
        and list(member.members) == [_ENTRY]
    )


@functools.lru_cache(maxsize=4096)
def _holds_entry_list(shape: Shape) -> bool:
    """Whether an entry list can occur anywhere inside ``shape`` (worked out once per shape)."""
    pending, seen = [shape], set()
    while pending:
        current = pending.pop()
        if current.name in seen:
            continue
        seen.add(current.name)
        if _is_entry_list(current):
            return True
        if current.type_name == "list":
            pending.append(current.member)
        elif current.type_name == "structure":
            pending.extend(current.members.values())
    return False


def flatten_entry_lists(value: Any, shape: Shape | None) -> Any:
    """Return ``value`` with every modelled item/entry list turned into a list of strings.

    Structures are changed in place (and returned); only lists whose shape is a list of
    one-member ``entry`` structures are touched, so data that merely has an ``entry`` key is kept.
    """
    # Every response goes through here: subtrees whose shape holds no entry list are skipped.
    if shape is None or value is None or not _holds_entry_list(shape):
        return value
    if _is_entry_list(shape):
        return [item.get(_ENTRY, "") if isinstance(item, dict) else item for item in value]
    if shape.type_name == "list" and isinstance(value, list):
        member = shape.member
        return [flatten_entry_lists(item, member) for item in value]
    if shape.type_name == "structure" and isinstance(value, dict):
        for name, member_shape in shape.members.items():
            if name in value:
                value[name] = flatten_entry_lists(value[name], member_shape)
    return value


@functools.lru_cache(maxsize=4096)
def _key_for(shape: Shape, wire_name: str) -> str | None:
    """The parsed key of the member whose element name is ``wire_name``, if modelled (worked
    out once per shape: every reply of the services asks)."""
    for name, member in shape.members.items():
        if member.serialization.get("name", name) == wire_name:
            return str(name)
    return None


def _status_messages(parsed: dict[str, Any], shape: Shape) -> list[str]:
    messages: list[str] = []
    for wire_name in ("statusMessages", "statusMessage"):
        key = _key_for(shape, wire_name)
        found = parsed.get(key) if key else None
        if isinstance(found, str):
            found = [found]
        messages.extend(str(m) for m in found or () if m)
    return messages


def in_band_failure(
    parsed: dict[str, Any], output_shape: Shape | None, operation_name: str
) -> InBandFailure | None:
    """The error to raise for a reply that says ``_return`` false, or None if it succeeded."""
    if output_shape is None:
        return None
    key = _key_for(output_shape, "_return")
    if key is None or parsed.get(key) is not False:
        return None
    messages = _status_messages(parsed, output_shape)
    message = "; ".join(messages) or "the server reported failure without a status message"
    response = dict(parsed)
    response["Error"] = {"Code": "InBandFailure", "Message": message}
    return InBandFailure(response, operation_name)


def _looks_like_stack_trace(request_id: str) -> bool:
    # A correlation id is one token; the server puts a Java stack trace (lines, tabs, "at ...")
    # into RequestID when the service failed with an exception that has no error code.
    return any(ch.isspace() for ch in request_id.strip())


def _reason(status_code: int) -> str:
    try:
        return HTTPStatus(status_code).phrase
    except ValueError:
        return f"HTTP {status_code}"


def tidy_error(parsed: dict[str, Any], status_code: int) -> None:
    """Make a parsed error reply carry a code and a message, and no stack trace as request id.

    A stack trace found in ``ResponseMetadata.RequestId`` moves to ``Error.StackTrace``. A code
    that is an HTTP status line (``403 Forbidden``) becomes the reason without spaces.
    """
    error = parsed.setdefault("Error", {})
    code = str(error.get("Code") or "").strip()
    message = str(error.get("Message") or "").strip()
    status_line = _STATUS_LINE_CODE.match(code)
    if status_line:
        message = message or code
        code = status_line.group(2).replace(" ", "")
    if not code:
        code = _reason(status_code).replace(" ", "")
    error["Code"] = code
    error["Message"] = message or _reason(status_code)
    metadata = parsed.get("ResponseMetadata", {})
    request_id = metadata.get("RequestId")
    if isinstance(request_id, str) and _looks_like_stack_trace(request_id):
        error["StackTrace"] = request_id
        del metadata["RequestId"]


def error_document(status_code: int, body: bytes) -> bytes | None:
    """An EC2-style XML error document for a non-XML error body, or None if no rewrite is due.

    The server's pipeline and authentication failures answer ``text/plain``: the code is the
    status reason, the message the body text (or the status line if the body is empty).
    """
    if status_code < 300 or body.lstrip().startswith(b"<"):
        return None
    text = body.decode("utf-8", errors="replace").strip()
    reason = _reason(status_code)
    line = _STATUS_LINE_CODE.match(text.splitlines()[0]) if text else None
    if line and line.group(1) == str(status_code):
        reason = line.group(2)
    code = reason.replace(" ", "")
    message = text or f"{status_code} {reason}"
    from xml.sax.saxutils import escape  # only error replies pay for it

    return (
        "<Response><Errors><Error>"
        f"<Code>{escape(code)}</Code><Message>{escape(message)}</Message>"
        "</Error></Errors></Response>"
    ).encode()


def check_script_execution(params: dict[str, Any]) -> dict[str, Any]:
    """Return ModifyPropertyValue parameters without the opt-in, or refuse a script run.

    Raises :class:`ScriptExecutionRefused` when ``Name`` is ``euca`` and the caller did not pass
    ``AllowScriptExecution=True``.
    """
    remaining = dict(params)
    allowed = remaining.pop(SCRIPT_OPT_IN, False) is True
    name = remaining.get("Name")
    if isinstance(name, str) and name.strip() == SCRIPT_PROPERTY and not allowed:
        raise ScriptExecutionRefused(
            f"ModifyPropertyValue with Name={SCRIPT_PROPERTY!r} runs its Value as Groovy code on "
            "the cloud controller, with the cloud's full privileges. euca-boto refuses it "
            f"unless you ask for it: pass {SCRIPT_OPT_IN}=True in the same call "
            "(with the AWS CLI: --allow-script-execution)."
        )
    return remaining


def list_all_for_named_services(params: dict[str, Any]) -> dict[str, Any] | None:
    """DescribeServices parameters that list named services wherever they run, or None when
    the call needs no change.

    The server applies ``ServiceNames`` to the services it lists, and without ``ListAll`` it
    lists only the registrable ones and its own host's public ones: a named service on another
    host, or an admin service, never matched, so the ``service_enabled`` waiter failed on it. A
    caller who names services wants those, so ``ListAll`` is added unless the call sets it.
    """
    if not params.get("ServiceNames") or "ListAll" in params:
        return None
    return {**params, "ListAll": True}


# ---------------------------------------------------------------------------------------------
# Adapters: botocore event kwargs in, policy calls out
# ---------------------------------------------------------------------------------------------


def before_parse_handler(response_dict: dict[str, Any], **kwargs: Any) -> None:
    """``before-parse``: give plain-text error bodies an XML form botocore's parser can read."""
    status_code = int(response_dict["status_code"])
    if status_code < 300:  # every success: no rewrite, and no body to look at
        return
    document = error_document(status_code, response_dict.get("body") or b"")
    if document is not None:
        response_dict["body"] = document


@event_step
def after_call_handler(event: dict[str, Any]) -> None:
    """``after-call``: flatten entry lists, raise in-band failures, tidy error replies."""
    http_response, parsed = event["http_response"], event["parsed"]
    model: OperationModel = event["model"]
    if http_response.status_code >= 300:
        tidy_error(parsed, http_response.status_code)
        return
    output_shape = model.output_shape
    flatten_entry_lists(parsed, output_shape)
    failure = in_band_failure(parsed, output_shape, model.name)
    if failure is not None:
        raise failure


def provide_client_params_handler(params: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """``provide-client-params.euprop.ModifyPropertyValue``: the ``euca`` script guard."""
    return check_script_execution(params)


def describe_services_params_handler(params: dict[str, Any],
                                     **kwargs: Any) -> dict[str, Any] | None:
    """``provide-client-params.euserv.DescribeServices``: named services are listed wherever
    they run."""
    return list_all_for_named_services(params)


def register(emitter: Emitter) -> None:
    """Register the msgs-binding handlers of every msgs service on a session's or a client's
    event emitter.

    Each handler has a unique id, so registering twice changes nothing.
    """
    for service in MSGS_SERVICES:
        register_service(emitter, service)


def register_service(emitter: Emitter, service: str) -> None:
    """Register the msgs-binding handlers of one service (nothing if it is not a msgs service).

    Installed sessions register a service's handlers when its first client is created: every
    handler on a session's emitter is copied into each new client, whatever its service.
    """
    if service not in MSGS_SERVICES:
        return
    emitter.register(
        f"before-parse.{service}",
        before_parse_handler,
        unique_id=f"euca-boto-msgs-before-parse-{service}",
    )
    emitter.register(
        f"after-call.{service}",
        after_call_handler,
        unique_id=f"euca-boto-msgs-after-call-{service}",
    )
    if service == "euprop":
        emitter.register(
            "provide-client-params.euprop.ModifyPropertyValue",
            # botocore uses the first non-None answer as the new params; the stubs type it as
            # None.
            provide_client_params_handler,
            unique_id="euca-boto-msgs-script-guard",
        )
    if service == "euserv":
        emitter.register(
            "provide-client-params.euserv.DescribeServices",
            describe_services_params_handler,
            unique_id="euca-boto-msgs-named-services",
        )
