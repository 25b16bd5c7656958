"""The tracker API described as an OpenAPI 3 document, served at ``/openapi.json``.

Written by hand next to the controller it describes, so clients and fuzzers see exactly what
the controller accepts: the routes, the cursor and limit ranges, the hook fields and the error
shape every 4xx/5xx answer has.
"""

from __future__ import annotations

from typing import Any

from euca_boto.tracker.model import COLLECTIONS

_ERROR = {"$ref": "#/components/schemas/Error"}
_CURSOR = {"type": "integer", "minimum": 0, "maximum": 2**63 - 1}
# Either a session token or an identity proof.
_CALLER: list[dict[str, list[str]]] = [{"session": []}, {"identity": []}]


def _errors(*statuses: int) -> dict[str, Any]:
    return {str(status): {"description": "error",
                          "content": {"application/json": {"schema": _ERROR}}}
            for status in statuses}


def _ok(schema: dict[str, Any]) -> dict[str, Any]:
    return {"200": {"description": "ok", "content": {"application/json": {"schema": schema}}}}


def document() -> dict[str, Any]:
    hook_body = {
        "required": False,
        "content": {"application/json": {"schema": {
            "type": "object", "additionalProperties": False,
            "properties": {"track_hook": {"type": "string"},
                           "track_token": {"type": "string", "minLength": 16,
                                           "maxLength": 256}}}}},
    }
    put_hook = {
        "summary": "Register (or with track_hook=none remove) the caller's hook",
        "security": _CALLER,
        "parameters": [
            {"name": "track_hook", "in": "query", "required": False,
             "schema": {"type": "string"}},
            {"name": "track_token", "in": "query", "required": False,
             "schema": {"type": "string"}},
        ],
        "requestBody": hook_body,
        "responses": {**_ok({"type": "object"}),
                      **_errors(400, 401, 403, 404, 405, 431, 503)},
    }
    collection = {"name": "collection", "in": "path", "required": True,
                  "schema": {"type": "string", "enum": sorted(COLLECTIONS)}}
    return {
        "openapi": "3.0.3",
        "info": {"title": "euca-boto resource-change tracker", "version": "1"},
        "components": {
            "securitySchemes": {
                "identity": {
                    "type": "apiKey", "in": "header", "name": "X-Euca-Tracker-Identity",
                    "description": "a GetCallerIdentity request signed with the caller's cloud "
                                   "credentials and bound to this request (TrackerClient "
                                   "makes it); checked with the cloud's STS"},
                "session": {
                    "type": "http", "scheme": "bearer",
                    "description": "a session token from POST /session, checked by the "
                                   "tracker alone (TrackerClient gets and renews it)"}},
            "schemas": {"Error": {
                "type": "object", "required": ["error"],
                "properties": {"error": {
                    "type": "object", "required": ["code", "message"],
                    "properties": {"code": {"type": "string"},
                                   "message": {"type": "string"}}}}}},
        },
        "paths": {
            "/health": {"get": {"summary": "Liveness, the last poll and the server's load",
                                "responses": _ok({"type": "object"})}},
            "/session": {"post": {
                "summary": "A session token for the caller, proven by its identity proof",
                "security": [{"identity": []}],
                "responses": {**_ok({"type": "object", "required": [
                    "token", "expires_at", "expires_in", "account", "arn"]}),
                    **_errors(401, 403, 405, 431, 503)}}},
            "/hooks": {"get": {
                "summary": "The caller's hooks", "security": _CALLER,
                "responses": {**_ok({"type": "object", "required": ["hooks"]}),
                              **_errors(401, 403, 431, 503)}}},
            "/changes": {"get": {
                "summary": "The caller's feed after a cursor",
                "security": _CALLER,
                "parameters": [
                    {"name": "since", "in": "query", "required": False, "schema": _CURSOR},
                    {"name": "limit", "in": "query", "required": False,
                     "schema": {"type": "integer", "minimum": 1, "maximum": 10_000}},
                    {"name": "wait", "in": "query", "required": False,
                     "description": "hold the request up to this many seconds until there "
                                    "are changes to answer (a watch)",
                     "schema": {"type": "integer", "minimum": 0, "maximum": 60}},
                ],
                "responses": {**_ok({"type": "object", "required": ["changes", "next"]}),
                              **_errors(400, 401, 403, 410, 431, 503)}}},
            "/{collection}": {"put": {**put_hook, "parameters": [
                collection, *put_hook["parameters"]]}},
            "/{collection}/{id}": {"put": {**put_hook, "parameters": [
                collection, {"name": "id", "in": "path", "required": True,
                             "schema": {"type": "string"}},
                *put_hook["parameters"]]}},
        },
    }
