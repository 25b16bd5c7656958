"""Malformed answers: a body that cannot be parsed becomes an attempt outcome, then a typed error.

botocore parses a response outside the part of a call that can be retried, so an unparsable
answer (a truncated body from a proxy, a garbled 200) escapes at once as
``botocore.parsers.ResponseParserError``, a plain ``Exception`` that ``except (ClientError,
BotoCoreError)`` misses, even for calls that are safe to repeat. The session's parser factory is
wrapped so that such an answer parses to a marker instead: the retry handler sees the marker
(:func:`parse_failure`) and retries read-only calls, the endpoint selector fails over, and when
the call is over a handler registered last on ``after-call`` raises
:class:`~euca_boto.errors.MalformedResponseError` in place of the marked result. An error
status with an unparsable body parses as a generic error of that status (a ``ClientError``).
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from botocore.parsers import ResponseParserError

from euca_boto.errors import MalformedResponseError

if TYPE_CHECKING:
    import botocore.session

    from euca_boto.core.botocore_access import Emitter

# The key of a parsed response that stands for an answer that could not be parsed.
MARKER = "EucaMalformedResponse"
_COMPONENT = "response_parser_factory"


def parse_failure(parsed: Any) -> str | None:
    """Why the answer behind ``parsed`` could not be parsed, or None if it was parsed."""
    return parsed.get(MARKER) if isinstance(parsed, dict) else None


def _stand_in(response: Mapping[str, Any], error: ResponseParserError) -> dict[str, Any]:
    status = response.get("status_code", 0)
    metadata = {"HTTPStatusCode": status, "HTTPHeaders": dict(response.get("headers") or {})}
    if status >= 300:
        return {"Error": {"Code": str(status), "Message": f"unparsable answer: {error}"},
                "ResponseMetadata": metadata}
    return {MARKER: str(error), "ResponseMetadata": metadata}


class _TolerantParser:
    """A botocore parser whose parse failures come back as a marked result."""

    def __init__(self, parser: Any) -> None:
        self._parser = parser

    def parse(self, response: Mapping[str, Any], shape: Any) -> Any:
        try:
            parsed = self._parser.parse(response, shape)
        except ResponseParserError as error:
            return _stand_in(response, error)
        if inspect.isawaitable(parsed):  # aiobotocore's parsers may parse asynchronously
            return self._parse_async(parsed, response)
        return parsed

    @staticmethod
    async def _parse_async(parsed: Any, response: Mapping[str, Any]) -> Any:
        try:
            return await parsed
        except ResponseParserError as error:
            return _stand_in(response, error)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._parser, name)


class _TolerantAsyncParser(_TolerantParser):
    """The tolerant parser of a parser whose ``parse`` is a coroutine function (aiobotocore's):
    one coroutine per response, its own, which awaits the parser's."""

    async def parse(self, response: Mapping[str, Any], shape: Any) -> Any:
        try:
            return await self._parser.parse(response, shape)
        except ResponseParserError as error:
            return _stand_in(response, error)


def _tolerant(parser: Any) -> _TolerantParser:
    if inspect.iscoroutinefunction(getattr(parser, "parse", None)):
        return _TolerantAsyncParser(parser)
    return _TolerantParser(parser)


class TolerantParserFactory:
    """Wraps a botocore response parser factory (botocore's own, or aiobotocore's).

    botocore asks its factory for a new parser for every response. A parser keeps nothing of
    the responses it parses (only the timestamp, blob and event-stream parsers it was made
    with), so one tolerant parser per protocol serves every response of the session's clients,
    in any thread, until the factory's defaults change (the AWS CLI sets its timestamp parser
    that way).
    """

    def __init__(self, factory: Any) -> None:
        self._factory = factory
        self._parsers: dict[str, _TolerantParser] = {}

    def create_parser(self, protocol_name: str) -> Any:
        parser = self._parsers.get(protocol_name)
        if parser is None:
            # Two threads may both make one: either serves.
            parser = self._parsers[protocol_name] = _tolerant(
                self._factory.create_parser(protocol_name))
        return parser

    def set_parser_defaults(self, **kwargs: Any) -> None:
        self._factory.set_parser_defaults(**kwargs)
        self._parsers = {}

    def __getattr__(self, name: str) -> Any:
        return getattr(self._factory, name)


def install_parser(botocore_session: botocore.session.Session) -> None:
    """Make the session's clients parse tolerantly (idempotent)."""
    factory = botocore_session.get_component(_COMPONENT)
    if not isinstance(factory, TolerantParserFactory):
        botocore_session.register_component(_COMPONENT, TolerantParserFactory(factory))


def raise_malformed(parsed: Any, model: Any, **kwargs: Any) -> None:
    """``after-call`` handler, registered last: a call whose final answer could not be parsed
    raises instead of returning the marker."""
    detail = parse_failure(parsed)
    if detail is None:
        return
    metadata = parsed["ResponseMetadata"]
    retry = metadata.get("EucaRetry") or {}  # the retry handler's report, when it ran
    raise MalformedResponseError(
        operation=model.name, status=metadata["HTTPStatusCode"], detail=detail,
        attempts=retry.get("Attempts", 1), stop_reason=retry.get("StopReason", ""),
    )


def register(emitter: Emitter, service_id: str) -> None:
    """Register :func:`raise_malformed` for one service, after every other ``after-call``
    handler (they give back probes and record the call first)."""
    emitter.register_last(f"after-call.{service_id}", raise_malformed,
                          unique_id=f"euca-boto-malformed-{service_id}")
