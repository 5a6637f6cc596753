"""Keys, CORS, rate limits, size limits and the one error shape."""

from __future__ import annotations

import pytest
import yaml
from fastapi.testclient import TestClient

from assistant.errors import ConfigError
from assistant.server.app import create_app
from assistant.server.auth import hash_key, new_key
from tests.server.conftest import KAWASAKI, PK_SITE, SITE, SK_ALPHA, SK_GONE, SK_TIGHT, bearer, with_server

PROTECTED = [("GET", "/v1/documents"), ("GET", "/v1/ready"), ("GET", "/v1/sessions/x"), ("DELETE", "/v1/sessions/x"),
             ("POST", "/v1/ask"), ("POST", "/v1/ask/stream"), ("GET", "/openapi.json")]


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}
    assert body["error"]["code"] == code and body["error"]["message"]
    assert "Traceback" not in response.text
    return body["error"]


@pytest.mark.parametrize("method,path", PROTECTED)
@pytest.mark.parametrize("headers", [
    {},
    bearer("sk_wrong_" + "x" * 30),
    bearer(SK_GONE),
    bearer(PK_SITE),                              # publishable key without an Origin
    bearer(PK_SITE, "https://evil.example"),      # publishable key from a foreign origin
    {"Authorization": f"Basic {SK_ALPHA}"},
], ids=["missing", "wrong", "revoked", "no-origin", "cross-origin", "not-bearer"])
def test_every_protected_endpoint_refuses_bad_keys(client, method, path, headers):
    response = client.request(method, path, headers=headers, json={"question": KAWASAKI} if method == "POST" else None)
    assert_error(response, 401, "unauthorized")
    assert response.headers["www-authenticate"] == "Bearer"


def test_refusals_say_why(client):
    assert "required" in client.get("/v1/documents").json()["error"]["message"]
    assert "revoked" in client.get("/v1/documents", headers=bearer(SK_GONE)).json()["error"]["message"]
    assert "origin" in client.get("/v1/documents", headers=bearer(PK_SITE, "https://evil.example")).json()["error"]["message"]


def test_open_endpoints_need_no_key(client):
    assert client.get("/v1/health").status_code == 200
    assert client.get("/widget.js").status_code == 200
    assert client.get("/widget.css").status_code == 200
    assert client.get("/").status_code == 200


def test_cors_preflight_for_a_publishable_origin(client):
    response = client.options("/v1/ask/stream", headers={
        "Origin": SITE, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization, content-type"})
    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == SITE
    assert "POST" in response.headers["access-control-allow-methods"]
    assert "authorization" in response.headers["access-control-allow-headers"].lower()
    assert "origin" in response.headers["vary"].lower()


@pytest.mark.parametrize("origin,method,headers", [
    ("https://evil.example", "POST", "authorization"),
    ("https://clinic.example.evil.example", "POST", "authorization"),
    (SITE, "PUT", "authorization"),
    (SITE, "POST", "x-custom-header"),
])
def test_cors_preflight_refused(client, origin, method, headers):
    response = client.options("/v1/ask", headers={
        "Origin": origin, "Access-Control-Request-Method": method, "Access-Control-Request-Headers": headers})
    assert_error(response, 403, "cors_refused")
    assert "access-control-allow-origin" not in response.headers


def test_cors_headers_only_for_allowed_origins(client):
    allowed = client.get("/v1/health", headers={"Origin": SITE})
    assert allowed.headers["access-control-allow-origin"] == SITE
    assert "retry-after" in allowed.headers["access-control-expose-headers"].lower()
    foreign = client.get("/v1/health", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in foreign.headers


def test_rate_limit_429_with_retry_after(client):
    codes = [client.get("/v1/documents", headers=bearer(SK_TIGHT)).status_code for _ in range(3)]
    assert codes == [200, 200, 200]
    response = client.get("/v1/documents", headers=bearer(SK_TIGHT))
    assert_error(response, 429, "rate_limited")
    assert 1 <= int(response.headers["retry-after"]) <= 20
    assert client.get("/v1/documents", headers=bearer(SK_ALPHA)).status_code == 200  # per key


def test_body_over_the_limit_is_413(client, keyed_settings):
    big = {"question": "x" * (keyed_settings.server.max_body_bytes + 10)}
    assert_error(client.post("/v1/ask", json=big, headers=bearer(SK_ALPHA)), 413, "payload_too_large")

    def chunks():  # no Content-Length: the limit applies to the streamed body too
        for _ in range(80):
            yield b"x" * 1000

    response = client.post("/v1/ask", content=chunks(), headers={**bearer(SK_ALPHA), "Content-Type": "application/json"})
    assert_error(response, 413, "payload_too_large")


def test_question_limits_are_422_with_a_clear_message(client, keyed_settings):
    limit = keyed_settings.answer.max_question_chars
    error = assert_error(client.post("/v1/ask", json={"question": "x " * limit}, headers=bearer(SK_ALPHA)), 422, "invalid_input")
    assert str(limit) in error["message"]
    assert "empty" in assert_error(client.post("/v1/ask", json={"question": " \u200f\t "}, headers=bearer(SK_ALPHA)),
                                   422, "invalid_input")["message"]


@pytest.mark.parametrize("body", [
    b"{not json", b"\xff\xfe\x00", b'{"question": 42}', b'{"question": "ok", "weight_kg": -3}',
    b'{"question": "ok", "filters": {"documents": "x"}}', b'{"question": "ok", "surprise": 1}', b"[]",
])
def test_malformed_bodies_are_422_in_the_error_shape(client, body):
    response = client.post("/v1/ask", content=body, headers={**bearer(SK_ALPHA), "Content-Type": "application/json"})
    assert_error(response, 422, "invalid_input")


def test_404_and_405_use_the_error_shape(client):
    assert_error(client.get("/v1/nothing-here", headers=bearer(SK_ALPHA)), 404, "not_found")
    response = client.put("/v1/ask", headers=bearer(SK_ALPHA))
    assert_error(response, 405, "method_not_allowed")
    assert "POST" in response.headers["allow"]


def test_unexpected_errors_are_500_without_details(keyed_settings, monkeypatch):
    app = create_app(keyed_settings)

    def explode(*args, **kwargs):
        raise RuntimeError("secret internals /etc/passwd")

    monkeypatch.setattr(app.state.guideqa.assistant, "events", explode)
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.post("/v1/ask", json={"question": KAWASAKI}, headers=bearer(SK_ALPHA))
    error = assert_error(response, 500, "internal_error")
    assert "secret" not in response.text and "RuntimeError" not in response.text
    assert "internal" in error["message"].lower()


def test_keys_file_with_hashed_server_keys(keyed_settings, tmp_path):
    token = new_key("server")
    revoked = new_key("server")
    path = tmp_path / "keys.yaml"
    path.write_text(yaml.safe_dump({"keys": [
        {"id": "ops", "kind": "server", "sha256": hash_key(token)},
        {"id": "old", "kind": "server", "sha256": hash_key(revoked), "revoked": True},
    ]}))
    assert token not in path.read_text()
    app = create_app(with_server(keyed_settings, keys=[], keys_file=path))
    with TestClient(app) as client:
        assert client.get("/v1/documents", headers=bearer(token)).status_code == 200
        assert client.get("/v1/documents", headers=bearer(revoked)).status_code == 401
        assert client.get("/v1/documents", headers=bearer(SK_ALPHA)).status_code == 401


@pytest.mark.parametrize("bad", [
    [{"id": "plain", "kind": "server", "key": "pk_test_in_clear_refused_for_server_keys"}],
    [{"id": "nohash", "kind": "server"}],
    [{"id": "site", "kind": "publishable", "key": "pk_" + "z" * 20}],  # no origins
    [{"id": "a", "kind": "server", "sha256": "0" * 64}, {"id": "a", "kind": "server", "sha256": "1" * 64}],
])
def test_bad_key_configuration_is_a_config_error(keyed_settings, bad):
    with pytest.raises(ConfigError):
        create_app(with_server(keyed_settings, keys=bad))


def test_demo_key_when_no_keys_are_configured(tiny_index, caplog):
    settings = with_server(tiny_index, keys=[], port=8765)
    with caplog.at_level("WARNING"):
        app = create_app(settings)
    key = app.state.guideqa.keyring.demo_key
    assert key and key.startswith("pk_")
    assert any("demo publishable key" in r.getMessage() for r in caplog.records)
    with TestClient(app) as client:
        page = client.get("/").text
        assert f'data-key="{key}"' in page
        assert client.get("/v1/documents", headers=bearer(key, "http://127.0.0.1:8765")).status_code == 200
        assert client.get("/v1/documents", headers=bearer(key, "http://localhost:8765")).status_code == 200
        assert client.get("/v1/documents", headers=bearer(key, "http://127.0.0.1:9999")).status_code == 401
        assert client.get("/v1/documents", headers=bearer(key, "http://evil.example:8765")).status_code == 401
        assert client.get("/v1/documents", headers=bearer(key)).status_code == 401
    # `guideqa serve --port` may differ from settings.server.port: the demo key follows the port really served
    with TestClient(app, base_url="http://127.0.0.1:9999") as client:
        assert client.get("/v1/documents", headers=bearer(key, "http://127.0.0.1:9999")).status_code == 200
        assert client.get("/v1/documents", headers=bearer(key, "http://evil.example:9999")).status_code == 401
