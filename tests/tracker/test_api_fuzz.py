"""Property-based fuzzing of the tracker API against its own OpenAPI document: whatever a
client sends on a described route (any method, parameters in and out of their schemas, any
body, valid, garbled or no identity proof), it gets an HTTP answer below 500, and every error is
JSON with a code. Bounded: a fixed number of derandomized examples."""

from __future__ import annotations

import json
import string
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tracker_support import LOCAL, Cloud

from euca_boto.tracker import Tracker, TrackerService
from euca_boto.tracker.identity import IDENTITY_HEADER, make_proof
from euca_boto.tracker.model import INSTANCE

EXAMPLES = 150


@pytest.fixture(scope="module")
def fuzzed(cloud: Cloud, tmp_path_factory: pytest.TempPathFactory) -> Iterator[
        tuple[TrackerService, dict[str, Any]]]:
    path = tmp_path_factory.mktemp("fuzz") / "feed.db"
    tracker = Tracker(str(path), [cloud.admin], resource_types=[INSTANCE], hook_allow=LOCAL)
    service = TrackerService(tracker, cloud.cloud.service_url("sts"), port=0, hook_allow=LOCAL)
    spec = requests.get(service.url + "/openapi.json", timeout=10).json()
    yield service, spec
    service.close()
    tracker.store.close()


_text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=40)


def _value(schema: dict[str, Any]) -> st.SearchStrategy[str]:
    """A parameter value: one the schema allows, or near and far misses."""
    if schema.get("type") == "integer":
        low, high = schema.get("minimum", 0), schema.get("maximum", 2**63)
        return st.one_of(
            st.integers(low, high).map(str),
            st.integers(-2**70, 2**70).filter(lambda n: not low <= n <= 60).map(str),
            st.sampled_from(["²", "١٢", "+1", " 1", "1e3", "0x10", "", "9" * 40]),
            _text)
    if "enum" in schema:
        return st.one_of(st.sampled_from(schema["enum"]), _text)
    return st.one_of(st.sampled_from(["http://127.0.0.1:9/h", "none", "t" * 20,
                                      "http://169.254.169.254/"]), _text)


@st.composite
def _request(draw: st.DrawFn, spec: dict[str, Any]) -> tuple[str, str, bytes, str]:
    route = draw(st.sampled_from(sorted(spec["paths"])))
    method = draw(st.sampled_from([*sorted(spec["paths"][route]), "get", "put", "delete",
                                   "post", "patch", "options", "brew"]))
    operation = spec["paths"][route].get(method, {})
    path, query = route, []
    for parameter in operation.get("parameters", []):
        if parameter["in"] == "path":
            path = path.replace("{" + parameter["name"] + "}",
                                quote(draw(_value(parameter["schema"])) or "x", safe=""))
        elif draw(st.booleans()):
            schema = parameter["schema"]
            if parameter["name"] == "wait":
                # Valid waits hold the request: at most a second here, to stay bounded.
                schema = {**schema, "maximum": 1}
            query.append(f"{parameter['name']}={quote(draw(_value(schema)))}")
    if draw(st.booleans()):
        query.append(draw(st.text(string.ascii_letters + "=&%", max_size=10)))
    target = path + ("?" + "&".join(query) if query else "")
    body = draw(st.one_of(
        st.just(b""),
        st.dictionaries(st.sampled_from(["track_hook", "track_token", "x"]),
                        st.one_of(_text, st.integers(), st.none())).map(
            lambda d: json.dumps(d).encode()),
        st.binary(max_size=64)))
    identity = draw(st.sampled_from(["valid", "garbage", "none"]))
    return method.upper(), target, body, identity


def test_no_request_on_a_described_route_gets_a_5xx_or_a_dropped_connection(
    cloud: Cloud, fuzzed: tuple[TrackerService, dict[str, Any]]
) -> None:
    service, spec = fuzzed
    credentials = cloud.admin.get_credentials().get_frozen_credentials()
    sts = cloud.cloud.service_url("sts")

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(_request(spec))
    def check(request: tuple[str, str, bytes, str]) -> None:
        method, target, body, identity = request
        headers = {}
        if identity == "valid":
            headers[IDENTITY_HEADER] = make_proof(credentials, sts, "eucalyptus", method,
                                                  target, body)
        elif identity == "garbage":
            headers[IDENTITY_HEADER] = "eyJob3N0IjogMX0"
        # A dropped connection raises here and fails the property.
        reply = requests.request(method, service.url + target, data=body or None,
                                 headers=headers, timeout=30)
        assert reply.status_code < 500, (target, reply.text)
        if reply.status_code >= 400:
            assert reply.headers["Content-Type"].startswith("application/json"), reply.text
            assert reply.json()["error"]["code"], reply.text

    check()
