"""No value of a member that botocore's models mark sensitive reaches the wire log.

For every operation of every botocore service that has a sensitive member, a request with a
marker in each sensitive member (serialized by botocore) and a response with markers in each
sensitive member of the output (read back by botocore's parser) go through the wire log's
redaction; no form of any marker may be in the record. Bodies are logged whole, and cut short
as long ones are.
"""

from __future__ import annotations

import pytest
from sensitive_support import (
    Markers,
    operations,
    parameters,
    parsed,
    prepared_request,
    response,
    services,
)

from euca_boto.core.redact import Redactor
from euca_boto.core.sensitive import secrets_of
from euca_boto.wirerecords import make_exchange

SHARDS = 4
WHOLE, CUT = 1 << 20, 48  # euca_wire_log_max_body: everything, or the head of each body


def raw_text(request: object) -> str:
    body = request.body  # type: ignore[attr-defined]
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body or "")
    return f"{request.url} {dict(request.headers)} {text}"  # type: ignore[attr-defined]


@pytest.mark.parametrize("shard", range(SHARDS))
def test_no_sensitive_value_of_any_model_reaches_the_wire_log(shard: int) -> None:
    leaks: list[str] = []
    unplaced: list[str] = []
    checked = 0
    for service, op, holders in operations(services()[shard::SHARDS]):
        markers = Markers()
        request = prepared_request(op, parameters(op, holders, markers))
        sent = set(markers.found_in(raw_text(request)))
        if op.service_model.resolved_protocol != "smithy-rpc-v2-cbor":
            unplaced += [f"{service}.{op.name} request: {m}"
                         for m in markers.forms if m not in sent]
        request_markers = len(markers.forms)
        wire = response(op, holders, markers)
        if wire is not None:
            answer = repr(parsed(op, wire))
            unplaced += [f"{service}.{op.name} response: {m}"
                         for m in list(markers.forms)[request_markers:]
                         if not any(form in answer for form in markers.forms[m])]
        for max_body in (WHOLE, CUT):
            text = make_exchange(service, op.name, 1, "tester", request, wire, None, 0.0,
                                 Redactor(), max_body, secrets_of(op)).message()
            leaks += [f"{service}.{op.name} (max body {max_body}): {m}"
                      for m in markers.found_in(text)]
        checked += 1
    assert unplaced == []  # every marker made it onto the wire: the check below means something
    assert leaks == []
    assert checked > 500  # of about 3,000 operations with sensitive members in all
