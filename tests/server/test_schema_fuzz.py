"""Schemathesis against the app's own OpenAPI schema (GET /openapi.json of create_app), in-process over ASGI.

Every operation of the schema is fuzzed with a server key: positive and negative requests, and every response
must be no 5xx and conform to the schema (status code, content type, documented headers, body; for
/v1/ask/stream every Server-Sent Event against its declared event schema). Then every operation is fuzzed
without a key: each private one must answer 401, never 5xx, and in the documented shape.

Why not `@schema.parametrize()`: the app needs the session's tiny index, so the schema can only be loaded in a
fixture, and `schemathesis.pytest.from_fixture` 4.32.5 fails under pytest 9.2 (it writes `Function._nodeid`,
which pytest 9.2 no longer has). The operations are therefore parametrized here and fuzzed with Hypothesis
through schemathesis's own strategies (`APIOperation.as_strategy`) and checks (`Case.call_and_validate`).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.python import asgi
from schemathesis.specs.openapi.checks import (content_type_conformance, response_headers_conformance,
                                                response_schema_conformance, status_code_conformance)

from assistant.server import answering
from assistant.server.app import create_app
from assistant.settings import Settings
from tests.server.conftest import KAWASAKI, SK_ALPHA, bearer, wait_ready

pytestmark = pytest.mark.slow

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]
OPERATIONS = ["POST /v1/ask", "POST /v1/ask/stream", "GET /v1/sessions/{session_id}", "DELETE /v1/sessions/{session_id}",
              "GET /v1/documents", "GET /v1/health", "GET /v1/ready"]
PUBLIC = {"GET /v1/health"}
# Exclusion: no negative mode for operations without parameters or body: there is no invalid request to generate
# (Hypothesis reports Unsatisfiable); an unknown query parameter is ignored, as HTTP allows.
WITHOUT_INPUT = {"GET /v1/documents", "GET /v1/health", "GET /v1/ready"}
CASES = [(label, mode) for label in OPERATIONS for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
         if not (mode is GenerationMode.NEGATIVE and label in WITHOUT_INPUT)]
FUZZ = settings(
    max_examples=30, deadline=None, derandomize=True, database=None,
    # every example is a real request through the app (an answer takes ~50 ms on the tiny index)
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
)
MALFORMED = [b"{not json", b"\xff\xfe\x00", b'{"question": "unterminated']


def fuzz_config(headers: dict[str, str] | None) -> schemathesis.Config:
    # max-stream-events: read whole answers (the default of 20 events would cut the stream before `done`)
    data: dict[str, Any] = {"seed": 20240601, "max-stream-events": 1000}
    if headers:
        data["headers"] = headers
    return schemathesis.Config.from_dict(data)


@pytest.fixture(scope="module")
def fuzz_app(keyed_settings: Settings) -> Iterator[FastAPI]:
    """The real app with the test keys, started (lifespan) by schemathesis's ASGI client and warmed up."""
    app = create_app(keyed_settings)
    with asgi.get_client(app) as client:
        wait_ready(client, bearer(SK_ALPHA))
    yield app


@pytest.fixture(scope="module")
def keyed_schema(fuzz_app: FastAPI):
    """The schema as the app serves it (a key is needed to read it); every request carries the server key."""
    return schemathesis.openapi.from_asgi("/openapi.json", fuzz_app, config=fuzz_config(bearer(SK_ALPHA)),
                                          headers=bearer(SK_ALPHA))


@pytest.fixture(scope="module")
def keyless_schema(fuzz_app: FastAPI):
    """The same schema, with requests that carry no key (schemathesis may still make up bearer tokens)."""
    return schemathesis.openapi.from_asgi("/openapi.json", fuzz_app, config=fuzz_config(None), headers=bearer(SK_ALPHA))


@pytest.fixture(autouse=True)
def no_server_errors_logged(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """A 2xx can hide a server-side failure (an audit row not written, a stream ended by an exception): none may be logged."""
    caplog.set_level(logging.WARNING, logger="assistant")
    yield
    errors = [f"{r.name}: {r.getMessage()}" for r in caplog.get_records("call") if r.levelno >= logging.ERROR]
    assert not errors, errors


def operation(schema, label: str):
    method, path = label.split(" ", 1)
    return schema[path][method]


def labels(schema) -> set[str]:
    return {f"{method.upper()} {path}" for path, item in schema.raw_schema["paths"].items() for method in item}


def refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            yield node["$ref"]
        for value in node.values():
            yield from refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from refs(value)


def test_the_schema_is_complete_and_declares_the_stream(keyed_schema):
    raw = keyed_schema.raw_schema
    assert labels(keyed_schema) == set(OPERATIONS), "an operation was added or removed: fuzz it here"
    public = {label for label in OPERATIONS if not operation(keyed_schema, label).definition.raw.get("security")}
    assert public == PUBLIC, "only the health probe may be used without a key"
    components = raw["components"]["schemas"]
    missing = {ref for ref in refs(raw) if ref.removeprefix("#/components/schemas/") not in components}
    assert not missing, f"unresolvable references: {missing}"
    assert "HTTPValidationError" not in components, "a 422 is documented in FastAPI's shape, not the ErrorOut the app sends"
    stream_ok = raw["paths"]["/v1/ask/stream"]["post"]["responses"]["200"]["content"]
    assert list(stream_ok) == ["text/event-stream"]
    events = {item["properties"]["event"]["const"] for item in stream_ok["text/event-stream"]["schema"]["oneOf"]}
    assert events == {"status", "statement", "citations", "dose_checks", "done", "error"}


@pytest.mark.parametrize("label,mode", CASES, ids=[f"{label}-{mode.value}" for label, mode in CASES])
def test_every_response_matches_the_schema(keyed_schema, label, mode):
    @given(case=operation(keyed_schema, label).as_strategy(generation_mode=mode))
    @FUZZ
    def fuzz(case):
        case.call_and_validate(checks=CHECKS)

    fuzz()


def test_a_real_session_matches_the_schema(keyed_schema):
    """Generated ids never name a live session, so start one, then read and delete it (200, 204, then 404)."""
    ask = operation(keyed_schema, "POST /v1/ask").Case(body={"question": KAWASAKI, "start_session": True}, headers=bearer(SK_ALPHA),
                                                         media_type="application/json")
    session_id = ask.call_and_validate(checks=CHECKS).json()["session_id"]
    read = operation(keyed_schema, "GET /v1/sessions/{session_id}")
    delete = operation(keyed_schema, "DELETE /v1/sessions/{session_id}")
    case = read.Case(path_parameters={"session_id": session_id}, headers=bearer(SK_ALPHA))
    assert len(case.call_and_validate(checks=CHECKS).json()["turns"]) == 1
    case = delete.Case(path_parameters={"session_id": session_id}, headers=bearer(SK_ALPHA))
    assert case.call_and_validate(checks=CHECKS).status_code == 204
    case = read.Case(path_parameters={"session_id": session_id}, headers=bearer(SK_ALPHA))
    assert case.call_and_validate(checks=CHECKS).status_code == 404


def test_the_stream_check_catches_a_malformed_event(keyed_schema, monkeypatch):
    """The event-stream schema has teeth: an event whose data breaks its declared shape fails the check."""
    real = answering.checked_events

    def malformed(answer):
        for kind, data in real(answer):
            yield kind, ({k: v for k, v in data.items() if k != "section_index"} if kind == "statement" else data)

    monkeypatch.setattr(answering, "checked_events", malformed)
    case = operation(keyed_schema, "POST /v1/ask/stream").Case(body={"question": KAWASAKI}, headers=bearer(SK_ALPHA),
                                                               media_type="application/json")
    with pytest.raises(FailureGroup) as failure:
        case.call_and_validate(checks=CHECKS)
    assert [f.title for f in failure.value.exceptions] == ["SSE event violates schema"]
    assert '"event": "statement"' in failure.value.exceptions[0].message


def assert_refused(case, response, label: str, limit: int) -> None:
    case.validate_response(response, checks=CHECKS)
    if label in PUBLIC:
        return
    sent = response.request.body or b""
    if len(sent.encode() if isinstance(sent, str) else sent) > limit:
        # Exclusion: a body over max_body_bytes is refused (413) before the key is read, on purpose:
        # nobody gets to make the server buffer it.
        assert response.status_code == 413, (label, response.status_code, response.text[:300])
        return
    assert response.status_code in (401, 403), (label, response.status_code, response.text[:300])
    assert response.json()["error"]["code"] in ("unauthorized", "forbidden")


@pytest.mark.parametrize("label,mode", CASES, ids=[f"{label}-{mode.value}" for label, mode in CASES])
def test_without_a_key_every_private_endpoint_refuses(keyless_schema, keyed_settings, label, mode):
    limit = keyed_settings.server.max_body_bytes

    @given(case=operation(keyless_schema, label).as_strategy(generation_mode=mode))
    @settings(FUZZ, max_examples=15)
    def fuzz(case):
        assert_refused(case, case.call(), label, limit)  # as generated: schemathesis makes up bearer tokens
        if case.headers:
            case.headers.pop("Authorization", None)
        response = case.call()
        assert "authorization" not in {name.lower() for name in response.request.headers}
        assert_refused(case, response, label, limit)  # and with no key at all

    fuzz()


@pytest.mark.parametrize("label", [label for label in OPERATIONS if label.startswith("POST")])
@pytest.mark.parametrize("body", MALFORMED, ids=["not-json", "not-utf8", "truncated"])
def test_without_a_key_a_malformed_body_is_refused_not_parsed(keyless_schema, keyed_settings, fuzz_app, label, body):
    """FastAPI decodes JSON before the key dependency runs: the 401 must still come first (generated bodies are always JSON)."""
    case = operation(keyless_schema, label).Case(body={"question": KAWASAKI}, media_type="application/json")
    with asgi.get_client(fuzz_app) as client:
        response = client.post(case.path, data=body, headers={"Content-Type": "application/json"})
        assert_refused(case, response, label, keyed_settings.server.max_body_bytes)
        assert json.loads(response.text)["error"]["code"] == "unauthorized"
        response = client.post(case.path, data=body, headers={"Content-Type": "application/json", **bearer(SK_ALPHA)})
        case.validate_response(response, checks=CHECKS)
        assert response.status_code == 422 and response.json()["error"]["code"] == "invalid_input"
