"""Issue 16, second hardening round: each attack an outside test found, replayed against the real app
(TestClient), a real uvicorn server (raw sockets) and a real `guideqa serve` process."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import yaml
from fastapi.testclient import TestClient

from assistant.citations import OWN_MARKERS
from assistant.models import http_url
from assistant.server.app import create_app
from assistant.server.auth import hash_key, new_key
from tests.conftest import PROJECT_ROOT, free_port, guideqa, make_settings
from tests.server.conftest import (KAWASAKI, KEYS, PK_SITE, QUOKKA, QUOKKA_DOC, SITE, SK_ALPHA, bearer, wait_ready,
                                   with_server)
from tests.server.test_api_auth import PROTECTED, assert_error


def ask(client, question, key=SK_ALPHA, origin=None, **body):
    return client.post("/v1/ask", json={"question": question, **body}, headers=bearer(key, origin))


def rows(db: Path, sql: str, args: tuple = ()) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, args).fetchall()


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# ---- 1. questions are stored only in a session the caller asked for; owner-only files; no empty sessions ----

def test_an_ask_without_a_session_stores_nothing(client, keyed_settings):
    secret = "What IVIG dose for Kawasaki disease in patient Wombat Ngarrindjeri?"
    for path in ("/v1/ask", "/v1/ask/stream"):
        response = client.post(path, json={"question": secret}, headers=bearer(SK_ALPHA))
        assert response.status_code == 200
    assert ask(client, secret).json()["session_id"] is None
    db = keyed_settings.data_dir / "sessions.sqlite3"
    assert rows(db, "SELECT COUNT(*) FROM turns WHERE question LIKE ?", ("%Ngarrindjeri%",)) == [(0,)]


def test_start_session_stores_the_turns_for_follow_ups(client):
    first = ask(client, KAWASAKI, start_session=True).json()
    assert first["session_id"]
    turns = client.get(f"/v1/sessions/{first['session_id']}", headers=bearer(SK_ALPHA)).json()["turns"]
    assert [t["question"] for t in turns] == [KAWASAKI]


def test_a_failed_request_leaves_no_session(tmp_path):
    settings = with_server(make_settings(tmp_path / "data"), keys=KEYS, auth_failure_limit=0)  # no index: ask is 503
    with TestClient(create_app(settings)) as client:
        for path in ("/v1/ask", "/v1/ask/stream"):
            response = client.post(path, json={"question": KAWASAKI, "start_session": True}, headers=bearer(SK_ALPHA))
            assert response.status_code in (200, 503)
    assert rows(settings.data_dir / "sessions.sqlite3", "SELECT COUNT(*) FROM sessions") == [(0,)]


def test_sessions_can_be_turned_off_entirely(tiny_index, tmp_path):
    settings = with_server(tiny_index.model_copy(update={"data_dir": tmp_path / "data"}), keys=KEYS, store_sessions=False)
    (tmp_path / "data").mkdir()
    os.symlink(tiny_index.data_dir / "index", tmp_path / "data" / "index")  # the same index, a data dir of its own
    with TestClient(create_app(settings)) as client:
        wait_ready(client, bearer(SK_ALPHA))
        answer = ask(client, KAWASAKI, start_session=True)
        assert answer.status_code == 200 and answer.json()["session_id"] is None
        assert_error(ask(client, KAWASAKI, session_id="anything"), 404, "not_found")
        assert_error(client.get("/v1/sessions/anything", headers=bearer(SK_ALPHA)), 404, "not_found")
    assert not (tmp_path / "data" / "sessions.sqlite3").exists()


def test_data_dir_and_databases_are_owner_only(tmp_path):
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    os.chmod(data, 0o755)
    stale = data / "sessions.sqlite3"
    sqlite3.connect(stale).close()  # as an older version left it
    os.chmod(stale, 0o644)
    settings = with_server(make_settings(data), keys=KEYS)
    with TestClient(create_app(settings)) as client:
        client.get("/v1/health")
        assert mode(data) == 0o700
        for name in ("sessions.sqlite3", "audit.sqlite3"):
            for suffix in ("", "-wal", "-shm"):
                path = data / f"{name}{suffix}"
                if suffix == "" or path.exists():
                    assert mode(path) == 0o600, (path, oct(mode(path)))
        assert (data / "audit.sqlite3-wal").exists()


# ---- 2. retention on every read, and a periodic sweep ----

def age(db: Path, session_id: str, days: float) -> None:
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE sessions SET updated = updated - ? WHERE id = ?", (days * 86400, session_id))


def test_an_expired_session_is_refused_without_a_restart(client, keyed_settings):
    session_id = ask(client, KAWASAKI, start_session=True).json()["session_id"]
    assert client.get(f"/v1/sessions/{session_id}", headers=bearer(SK_ALPHA)).status_code == 200
    age(keyed_settings.data_dir / "sessions.sqlite3", session_id, keyed_settings.server.session_retention_days + 1)
    assert_error(client.get(f"/v1/sessions/{session_id}", headers=bearer(SK_ALPHA)), 404, "not_found")
    assert_error(ask(client, "and in children?", session_id=session_id), 404, "not_found")


def test_the_periodic_sweep_deletes_expired_sessions(keyed_settings):
    app = create_app(with_server(keyed_settings, session_sweep_interval_s=0.2))
    db = keyed_settings.data_dir / "sessions.sqlite3"
    with TestClient(app) as client:
        wait_ready(client, bearer(SK_ALPHA))
        old = ask(client, KAWASAKI, start_session=True).json()["session_id"]
        fresh = ask(client, KAWASAKI, start_session=True).json()["session_id"]
        age(db, old, keyed_settings.server.session_retention_days + 1)
        deadline = time.time() + 10
        while rows(db, "SELECT COUNT(*) FROM sessions WHERE id = ?", (old,)) != [(0,)] and time.time() < deadline:
            time.sleep(0.1)
        assert rows(db, "SELECT COUNT(*) FROM sessions WHERE id = ?", (old,)) == [(0,)]
        assert rows(db, "SELECT COUNT(*) FROM turns WHERE session_id = ?", (old,)) == [(0,)]
        assert rows(db, "SELECT COUNT(*) FROM sessions WHERE id = ?", (fresh,)) == [(1,)]


# ---- 3. a revoked key stops working within seconds, no restart ----

def write_keys(path: Path, entries: list[dict]) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(yaml.safe_dump({"keys": entries}))
    tmp.replace(path)


def test_keys_file_changes_take_effect_without_a_restart(keyed_settings, tmp_path):
    token, later = new_key("server"), new_key("server")
    path = tmp_path / "keys.yaml"
    write_keys(path, [{"id": "ops", "kind": "server", "sha256": hash_key(token)}])
    app = create_app(with_server(keyed_settings, keys=[], keys_file=path, keys_reload_interval_s=0.2))
    with TestClient(app) as client:
        assert client.get("/v1/documents", headers=bearer(token)).status_code == 200
        write_keys(path, [{"id": "ops", "kind": "server", "sha256": hash_key(token), "revoked": True},
                          {"id": "new", "kind": "server", "sha256": hash_key(later)}])
        time.sleep(0.5)
        assert "revoked" in assert_error(client.get("/v1/documents", headers=bearer(token)), 401, "unauthorized")["message"]
        assert client.get("/v1/documents", headers=bearer(later)).status_code == 200
        path.write_text("keys: [unclosed")  # a broken edit keeps the keys in force rather than locking everyone out
        time.sleep(0.5)
        assert client.get("/v1/documents", headers=bearer(later)).status_code == 200
        assert client.get("/v1/documents", headers=bearer(token)).status_code == 401


@pytest.mark.slow
def test_sighup_reloads_the_keys_of_guideqa_serve(keyed_settings, tmp_path):
    token = new_key("server")
    path = tmp_path / "keys.yaml"
    write_keys(path, [{"id": "ops", "kind": "server", "sha256": hash_key(token)}])
    port = free_port()
    env = {**os.environ, "GUIDEQA_DATA_DIR": str(keyed_settings.data_dir), "GUIDEQA_CORPUS_DIR": str(keyed_settings.corpus_dir),
           "GUIDEQA_SERVER__KEYS_FILE": str(path), "GUIDEQA_SERVER__KEYS_RELOAD_INTERVAL_S": "3600",
           "GUIDEQA_EMBEDDING__THREADS": "1", "HF_HUB_OFFLINE": "1"}
    exe = str(Path(sys.executable).with_name("guideqa"))
    proc = subprocess.Popen([exe, "serve", "--host", "127.0.0.1", "--port", str(port)], env=env, cwd=PROJECT_ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 120
        while True:
            assert proc.poll() is None, proc.stderr.read()[-2000:]
            try:
                if httpx.get(f"{url}/v1/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.time() < deadline, "guideqa serve did not start"
            time.sleep(0.3)
        assert httpx.get(f"{url}/v1/documents", headers=bearer(token)).status_code == 200
        write_keys(path, [{"id": "ops", "kind": "server", "sha256": hash_key(token), "revoked": True}])
        assert httpx.get(f"{url}/v1/documents", headers=bearer(token)).status_code == 200  # the interval is an hour...
        proc.send_signal(signal.SIGHUP)  # ...but SIGHUP reloads now
        deadline = time.time() + 10
        while httpx.get(f"{url}/v1/documents", headers=bearer(token)).status_code != 401:
            assert time.time() < deadline, "SIGHUP did not reload the keys"
            time.sleep(0.2)
        assert proc.poll() is None  # SIGHUP did not stop the server
    finally:
        proc.terminate()
        proc.wait(timeout=30)


# ---- 4. a secret key is refused from a browser ----

@pytest.mark.parametrize("method,path", PROTECTED)
@pytest.mark.parametrize("browser", [{"Origin": SITE}, {"Origin": "https://evil.example"}, {"Origin": "null"},
                                     {"Sec-Fetch-Site": "same-origin"}], ids=["allowed-origin", "foreign-origin", "null", "sec-fetch"])
def test_server_keys_are_refused_from_a_browser(client, method, path, browser):
    response = client.request(method, path, headers={**bearer(SK_ALPHA), **browser},
                              json={"question": KAWASAKI} if method == "POST" else None)
    error = assert_error(response, 401, "unauthorized")
    assert "browser" in error["message"]
    assert client.get("/v1/documents", headers=bearer(PK_SITE, SITE)).status_code == 200  # the publishable key still works


# ---- 5. readiness reflects the store: see test_api_store_down.py::test_store_outage_is_503_and_recovers ----

# ---- 6. body weight ----

@pytest.mark.parametrize("weight", [5e-324, 1e-300, True, False, "70", 0.29, 700.01, 1e308, -1, 0])
@pytest.mark.parametrize("path", ["/v1/ask", "/v1/ask/stream"])
def test_implausible_or_non_numeric_weights_are_422(client, weight, path):
    response = client.post(path, json={"question": KAWASAKI, "weight_kg": weight}, headers=bearer(SK_ALPHA))
    assert "weight_kg" in assert_error(response, 422, "invalid_input")["message"]


@pytest.mark.parametrize("raw", [b'{"question": "What IVIG dose for Kawasaki disease?", "weight_kg": 1e400}',
                                 b'{"question": "What IVIG dose for Kawasaki disease?", "weight_kg": NaN}'])
def test_infinite_and_nan_weights_are_422(client, raw):
    response = client.post("/v1/ask", content=raw, headers={**bearer(SK_ALPHA), "Content-Type": "application/json"})
    assert_error(response, 422, "invalid_input")


@pytest.mark.parametrize("weight", [0.3, 3.5, 700])
def test_weights_at_the_bounds_are_answered(client, weight):
    response = ask(client, KAWASAKI, weight_kg=weight)
    assert response.status_code == 200 and response.json()["status"] in ("answered", "blocked")


def test_the_cli_refuses_the_same_weights():
    for weight in ("5e-324", "nan", "inf", "701"):
        result = guideqa("check-doses", "--json", "--weight-kg", weight, stdin="Give IVIG 2 g/kg once.")
        assert result.returncode == 1, result.stderr
        assert json.loads(result.stdout)["error"]["code"] == "invalid_input"


def test_dose_formatting_never_overflows():
    from assistant.doses.numbers import fmt

    assert fmt(float("inf")) == "inf" and fmt(5e-324)


# ---- 7. a source's own bracketed numbers never become citation markers ----

def test_source_brackets_are_neutralised_in_the_answer(client):
    answer = ask(client, QUOKKA).json()
    assert answer["status"] == "answered"
    assert any(c["document_id"] == QUOKKA_DOC for c in answer["citations"])
    numbers = {c["n"] for c in answer["citations"]}
    texts = [st["text"] for sec in answer["sections"] for st in sec["statements"]] + [c["quote"] for c in answer["citations"]]
    assert any("(9,10)" in t for t in texts) and any("(2)" in t for t in texts)
    assert not any(re.search(r"\[\d", t) for t in texts)
    own = [int(n) for m in OWN_MARKERS.finditer(answer["summary"]) for n in re.findall(r"\d+", m.group(0))]
    assert own and set(own) <= numbers
    assert not re.search(r"\[\d", OWN_MARKERS.sub("", answer["summary"]))  # no bracketed number but guideqa's own


# ---- 8. only http(s) URLs leave the server ----

@pytest.mark.parametrize("url,safe", [
    ("https://www.example.org/guideline", True), ("http://example.org", True),
    ("javascript:alert(1)", False), (" JavaScript:alert(1)", False), ("java\tscript:alert(1)", False),
    ("data:text/html,<script>alert(1)</script>", False), ("vbscript:msgbox", False), ("file:///etc/passwd", False),
    ("//evil.example/x", False), ("https:evil", False), ("/relative", False), ("", False), (None, False), (42, False),
])
def test_only_http_urls_pass(url, safe):
    assert (http_url(url) is not None) is safe


def test_javascript_urls_from_front_matter_never_reach_the_api(client):
    docs = {d["id"]: d for d in client.get("/v1/documents", headers=bearer(SK_ALPHA)).json()["documents"]}
    assert docs[QUOKKA_DOC]["url"] is None
    answer = ask(client, QUOKKA).json()
    assert all(c["url"] is None or c["url"].startswith(("http://", "https://")) for c in answer["citations"])
    assert "javascript" not in json.dumps(answer).lower()


def test_ingest_drops_non_http_urls(tmp_path):
    from ingest.load import load_file as load_path

    md = tmp_path / "g.md"
    md.write_text((PROJECT_ROOT / "tests/server/data" / f"{QUOKKA_DOC}.md").read_text())
    beir = tmp_path / "corpus.jsonl"
    beir.write_text(json.dumps({"_id": "d1", "title": "t", "text": "x", "metadata": {"url": "javascript:alert(1)"}}) + "\n"
                    + json.dumps({"_id": "d2", "title": "t", "text": "x", "metadata": {"url": "https://ok.example/a"}}) + "\n")
    assert [d.meta["url"] for d in load_path(md)] == [None]
    assert [d.meta["url"] for d in load_path(beir)] == [None, "https://ok.example/a"]


# ---- 9. malformed HTTP in the JSON error shape; HEAD wherever GET ----

def raw_request(server, data: bytes) -> tuple[int, dict[str, str], bytes]:
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(data)
        out = b""
        while chunk := sock.recv(65536):
            out += chunk
    head, _, body = out.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.lower().split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), headers, body


@pytest.mark.parametrize("data", [
    b"POST /v1/ask HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n{}",
    b"POST /v1/ask HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    b"GET /v1/health?" + b"a" * 70_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
    b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n",
], ids=["bad-content-length", "content-length-and-chunked", "70kb-url", "tls-on-http"])
def test_malformed_http_is_400_in_the_json_shape(live_server, data):
    status, headers, body = raw_request(live_server, data)
    assert status == 400 and headers["content-type"] == "application/json" and headers["connection"] == "close"
    error = json.loads(body)["error"]
    assert set(error) == {"code", "message"} and error["code"] == "bad_request"
    assert httpx.get(f"{live_server.url}/v1/health").status_code == 200  # the server is fine afterwards


@pytest.mark.parametrize("path,key", [("/v1/health", None), ("/", None), ("/widget.js", None), ("/widget.css", None),
                                      ("/v1/documents", SK_ALPHA), ("/v1/ready", SK_ALPHA), ("/openapi.json", SK_ALPHA)])
def test_head_is_served_wherever_get_is(live_server, path, key):
    headers = bearer(key) if key else {}
    with httpx.Client(base_url=live_server.url) as http:
        get = http.get(path, headers=headers)
        head = http.head(path, headers=headers)
    assert get.status_code == 200 and head.status_code == 200
    assert head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"]
    if key:
        assert httpx.head(f"{live_server.url}{path}").status_code == 401  # HEAD needs the key GET needs


# ---- 10. back-off after repeated failed authentication ----

def test_repeated_auth_failures_from_one_address_are_throttled(keyed_settings):
    app = create_app(with_server(keyed_settings, auth_failure_limit=5, auth_failure_window_s=1.5))
    wrong = bearer("sk_wrong_" + "x" * 30)
    with TestClient(app, client=("203.0.113.7", 40000)) as attacker, TestClient(app, client=("198.51.100.9", 40000)) as other:
        codes = [attacker.get("/v1/documents", headers=wrong).status_code for _ in range(5)]
        assert codes == [401] * 5
        for _ in range(20):
            response = attacker.get("/v1/documents", headers=wrong)
            assert_error(response, 429, "auth_throttled")
            assert 1 <= int(response.headers["retry-after"]) <= 2
        assert_error(attacker.get("/v1/documents", headers=bearer(SK_ALPHA)), 429, "auth_throttled")  # no guessing meanwhile
        assert other.get("/v1/documents", headers=bearer(SK_ALPHA)).status_code == 200  # per client address
        assert other.get("/v1/health").status_code == 200 and attacker.get("/v1/health").status_code == 200  # public stays open
        time.sleep(1.6)
        assert attacker.get("/v1/documents", headers=bearer(SK_ALPHA)).status_code == 200  # the window passed
