"""Health, readiness, documents, security headers, the demo page, OpenAPI and the audit log."""

from __future__ import annotations

import json
import os
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient

from assistant.audit import AuditLog, list_recent, sha256
from assistant.index import read_manifest
from assistant.server.app import create_app
from tests.conftest import guideqa, make_settings
from tests.server.conftest import (KAWASAKI, QUOKKA_DOC, TINY_FILES, XSS, XSS_DOC, SK_ALPHA, bearer, wait_ready,
                                   with_server)


def test_health_needs_no_key_and_reports_the_index(client, keyed_settings):
    response = client.get("/v1/health")
    assert response.status_code == 200
    body = response.json()
    manifest = read_manifest(keyed_settings.index_dir())
    assert body["status"] == "ok" and body["ready"] is True and body["model_loaded"] is True
    assert body["index"]["loaded"] and body["index"]["version"] == manifest.version
    assert body["index"]["chunks"] == len(manifest.chunk_ids())
    assert body["store"] == {"reachable": True, "kind": "embedded", "error": None}


def test_without_an_index_health_is_degraded_and_ready_is_503(tmp_path):
    settings = with_server(make_settings(tmp_path / "empty"), keys=[{"id": "k", "kind": "server", "sha256": sha256(SK_ALPHA)}])
    with TestClient(create_app(settings)) as client:
        health = client.get("/v1/health")
        assert health.status_code == 200
        body = health.json()
        assert body["status"] == "degraded" and body["index"]["loaded"] is False
        assert "guideqa ingest" in body["index"]["error"] and "Traceback" not in health.text
        ready = client.get("/v1/ready", headers=bearer(SK_ALPHA))
        assert ready.status_code == 503 and ready.json()["error"]["code"] == "not_ready"
        answer = client.post("/v1/ask", json={"question": KAWASAKI}, headers=bearer(SK_ALPHA))
        assert answer.status_code == 503 and answer.json()["error"]["code"] == "index_missing"
        for response in (health, ready, answer):  # the server's paths stay in its log, out of reach of clients
            assert str(tmp_path) not in response.text


def test_ready_once_loaded(client, keyed_settings):
    response = client.get("/v1/ready", headers=bearer(SK_ALPHA))
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "index_version": read_manifest(keyed_settings.index_dir()).version}


def test_documents_lists_the_corpus_with_resolved_references(client):
    response = client.get("/v1/documents", headers=bearer(SK_ALPHA))
    assert response.status_code == 200
    body = response.json()
    docs = {d["id"]: d for d in body["documents"]}
    assert set(docs) == {name.removesuffix(".md") for name in TINY_FILES} | {XSS_DOC, QUOKKA_DOC}
    assert all(d["indexed"] for d in docs.values())
    kawasaki = docs["ig-immunomodulatory-kawasaki"]
    assert kawasaki["year"] and kawasaki["issuer"] and kawasaki["topics"] and kawasaki["population"]
    assert kawasaki["references"] and all(r["citation"] and r["year"] for r in kawasaki["references"])
    assert any("McCrindle" in r["citation"] for r in kawasaki["references"])
    assert XSS in docs[XSS_DOC]["title"]


class ScriptTags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[tuple[dict, str]] = []
        self._open: dict | None = None
        self.inline_handlers: list[str] = []
        self.styles = 0

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.inline_handlers += [name for name in attributes if name.startswith("on")]
        if tag == "script":
            self._open = attributes
            self.scripts.append((attributes, ""))
        if tag == "style" or "style" in attributes:
            self.styles += 1

    def handle_data(self, data):
        if self._open is not None and data.strip():
            self.scripts[-1] = (self.scripts[-1][0], data)

    def handle_endtag(self, tag):
        if tag == "script":
            self._open = None


def test_demo_page_embeds_the_widget_like_a_customer_with_a_strict_csp(client):
    response = client.get("/")
    assert response.headers["content-type"].startswith("text/html")
    parser = ScriptTags()
    parser.feed(response.text)
    assert len(parser.scripts) == 1 and not parser.inline_handlers and not parser.styles
    attrs, body = parser.scripts[0]
    assert attrs["src"].endswith("/widget.js") and "async" in attrs and body == ""
    assert attrs["data-key"].startswith("pk_")  # the first publishable key given in clear
    csp = response.headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["script-src"] == "'self'" and "unsafe" not in csp
    assert directives["frame-ancestors"] == "'self'"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"


def test_widget_files_are_served_with_security_headers(client):
    js = client.get("/widget.js")
    assert js.headers["content-type"].startswith("text/javascript")
    assert js.headers["x-content-type-options"] == "nosniff" and "script-src 'self'" in js.headers["content-security-policy"]
    assert "innerHTML" not in js.text and "insertAdjacentHTML" not in js.text and "eval(" not in js.text
    assert client.get("/widget.css").headers["content-type"].startswith("text/css")


def test_frame_ancestors_follow_the_settings(keyed_settings):
    app = create_app(with_server(keyed_settings, frame_ancestors="https://portal.example"))
    with TestClient(app) as client:
        assert "frame-ancestors https://portal.example" in client.get("/").headers["content-security-policy"]


def test_demo_page_can_be_turned_off(keyed_settings):
    with TestClient(create_app(with_server(keyed_settings, demo_page=False))) as client:
        assert client.get("/").status_code == 404


def test_openapi_schema_is_published_to_key_holders(client):
    assert client.get("/openapi.json").status_code == 401
    schema = client.get("/openapi.json", headers=bearer(SK_ALPHA)).json()
    assert {"/v1/ask", "/v1/ask/stream", "/v1/sessions/{session_id}", "/v1/documents", "/v1/health", "/v1/ready"} <= set(schema["paths"])
    assert "HTTPBearer" in schema["components"]["securitySchemes"]


def test_audit_log_records_hashes_not_text(client, keyed_settings):
    question = "What IVIG dose for Kawasaki disease, audited?"
    answer = client.post("/v1/ask", json={"question": question}, headers=bearer(SK_ALPHA)).json()
    entry = next(e for e in list_recent(50, keyed_settings) if e["question_sha256"] == sha256(question))
    assert entry["key_id"] == "alpha" and entry["endpoint"] == "ask" and entry["status"] == answer["status"]
    assert entry["standalone_sha256"] == sha256(answer["standalone_question"])
    assert entry["chunk_ids"] == [c["chunk_id"] for c in answer["citations"]]
    assert entry["index_version"] == answer["index_version"]
    assert [v["verdict"] for v in entry["dose_verdicts"]] == [f["verdict"] for f in answer["dose_checks"]]
    assert entry["latency_ms"] == answer["latency_ms"]
    assert "question_text" not in entry
    raw = (keyed_settings.data_dir / "audit.sqlite3").read_bytes()
    raw += (keyed_settings.data_dir / "audit.sqlite3-wal").read_bytes() if (keyed_settings.data_dir / "audit.sqlite3-wal").exists() else b""
    assert b"audited" not in raw


def test_audit_log_records_errors_and_text_when_allowed(tmp_path, keyed_settings):
    settings = keyed_settings.model_copy(update={"audit": keyed_settings.audit.model_copy(update={"store_question_text": True}),
                                                 "data_dir": tmp_path / "other-data"})
    # a fresh data dir has no index: the error is audited too
    with TestClient(create_app(settings)) as client:
        client.post("/v1/ask", json={"question": "A question kept in clear"}, headers=bearer(SK_ALPHA))
    entries = AuditLog(tmp_path / "other-data" / "audit.sqlite3").list_recent(5)
    assert entries[0]["question_text"] == "A question kept in clear"
    assert entries[0]["status"] == "error:index_missing"


def test_guideqa_audit_command_lists_recent_entries(client, keyed_settings):
    client.post("/v1/ask", json={"question": KAWASAKI}, headers=bearer(SK_ALPHA))
    env = {"GUIDEQA_DATA_DIR": str(keyed_settings.data_dir), "GUIDEQA_CORPUS_DIR": str(keyed_settings.corpus_dir)}
    result = guideqa("audit", "--limit", "2", "--json", env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    entries = json.loads(result.stdout)["entries"]
    assert len(entries) == 2 and entries[0]["id"] > entries[1]["id"]
    assert entries[0]["question_sha256"] == sha256(KAWASAKI) and entries[0]["key_id"] == "alpha"
    text = guideqa("audit", "-n", "1", env=env, timeout=120)
    assert text.returncode == 0 and sha256(KAWASAKI)[:12] in text.stdout


def test_sessions_older_than_retention_are_purged_on_startup(keyed_settings, tmp_path):
    from assistant.sessions import SessionStore

    settings = keyed_settings.model_copy(update={"data_dir": tmp_path / "retention"})
    store = SessionStore(settings.data_dir / "sessions.sqlite3")
    old, fresh = store.create("alpha"), store.create("alpha")
    store._conn.execute("UPDATE sessions SET updated = updated - ? WHERE id = ?", (40 * 86400, old))
    with TestClient(create_app(with_server(settings, session_retention_days=30))) as client:
        assert client.get(f"/v1/sessions/{old}", headers=bearer(SK_ALPHA)).status_code == 404
        assert client.get(f"/v1/sessions/{fresh}", headers=bearer(SK_ALPHA)).status_code == 200
