"""POST /v1/ask/stream against a real uvicorn server: event order, payloads, errors, disconnects."""

from __future__ import annotations

import json
import time

import httpx

from assistant.errors import StoreUnavailable
from assistant.models import Answer, Citation, DoseFinding
from tests.server.conftest import KAWASAKI, PK_SITE, SITE, SK_ALPHA, SK_BETA, ZEBRAFINCH, XSS, bearer


def read_events(response: httpx.Response) -> list[tuple[str, object]]:
    """Parse an SSE body (event/data lines, blank-line separated; ':' lines are pings)."""
    events, name, data = [], None, []
    for line in response.iter_lines():
        if line.startswith(":"):
            continue
        if not line:
            if data:
                events.append((name or "message", json.loads("\n".join(data))))
            name, data = None, []
        elif line.startswith("event:"):
            name = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].lstrip(" "))
    if data:
        events.append((name or "message", json.loads("\n".join(data))))
    return events


def stream(server, body, headers=None, timeout=60):
    with httpx.Client(base_url=server.url, timeout=timeout) as http:
        with http.stream("POST", "/v1/ask/stream", json=body, headers=bearer(SK_ALPHA) if headers is None else headers) as response:
            return response, read_events(response) if response.status_code == 200 else response.read()


def test_events_arrive_in_order_and_add_up_to_the_answer(live_server):
    response, events = stream(live_server, {"question": KAWASAKI, "start_session": True})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/event-stream")
    kinds = [k for k, _ in events]
    assert kinds[0] == "status" and kinds[-3:] == ["citations", "dose_checks", "done"]
    stages = [d["stage"] for k, d in events if k == "status"]
    assert stages == ["retrieving", "composing", "checking doses"]
    first_statement = kinds.index("statement")
    assert all(k == "status" for k in kinds[:first_statement])
    assert set(kinds[first_statement:-3]) == {"statement"}
    answer = Answer.model_validate(events[-1][1])
    assert answer.status == "answered" and answer.session_id
    streamed = [d["statement"]["text"] for k, d in events if k == "statement"]
    assert streamed == [st.text for s in answer.sections for st in s.statements]
    headings = [d["section"] for k, d in events if k == "statement"]
    assert headings == [s.heading for s in answer.sections for _ in s.statements]
    citations = [Citation.model_validate(c) for c in dict(events)["citations"]]
    assert citations == answer.citations
    assert [DoseFinding.model_validate(f) for f in dict(events)["dose_checks"]] == answer.dose_checks


def test_stream_follow_up_in_the_same_session(live_server):
    _, first = stream(live_server, {"question": KAWASAKI, "start_session": True})
    session_id = first[-1][1]["session_id"]
    _, second = stream(live_server, {"question": "and for IVIG-resistant disease?", "session_id": session_id})
    assert second[-1][0] == "done" and second[-1][1]["session_id"] == session_id
    with httpx.Client(base_url=live_server.url) as http:
        assert len(http.get(f"/v1/sessions/{session_id}", headers=bearer(SK_ALPHA)).json()["turns"]) == 2


def test_errors_before_the_stream_are_plain_json(live_server):
    response, body = stream(live_server, {"question": KAWASAKI, "session_id": "not-mine"})
    assert response.status_code == 404 and json.loads(body)["error"]["code"] == "not_found"
    response, body = stream(live_server, {"question": KAWASAKI}, headers={})
    assert response.status_code == 401 and json.loads(body)["error"]["code"] == "unauthorized"


def test_a_failure_mid_stream_is_an_error_event(live_server, monkeypatch):
    assistant = live_server.app.state.guideqa.assistant
    real_events = assistant.events

    def failing(*args, **kwargs):
        yield "status", "retrieving"
        raise StoreUnavailable("The Chroma server at 127.0.0.1:1 failed: connection refused")

    monkeypatch.setattr(assistant, "events", failing)
    response, events = stream(live_server, {"question": KAWASAKI})
    monkeypatch.setattr(assistant, "events", real_events)
    assert [k for k, _ in events] == ["status", "error"]
    # clients learn what failed, not where: hosts and paths stay in the server log
    assert events[-1][1] == {"error": {"code": "store_unavailable", "message": StoreUnavailable.public}}
    assert "127.0.0.1" not in json.dumps(events)


def test_publishable_key_streams_across_origins_with_cors(live_server):
    response, events = stream(live_server, {"question": ZEBRAFINCH}, headers=bearer(PK_SITE, SITE))
    assert response.status_code == 200 and response.headers["access-control-allow-origin"] == SITE
    done = events[-1][1]
    assert done["status"] == "answered" and XSS in done["summary"]


def test_the_turn_is_kept_when_the_client_disconnects(live_server):
    with httpx.Client(base_url=live_server.url, timeout=60) as http:
        with http.stream("POST", "/v1/ask/stream", json={"question": KAWASAKI}, headers=bearer(SK_BETA)) as response:
            assert response.status_code == 200
            next(response.iter_lines())  # read the first line, then hang up
        audit = live_server.app.state.guideqa.audit
        deadline = time.time() + 30
        while time.time() < deadline:
            latest = audit.list_recent(1)[0]
            if latest["key_id"] == "beta" and latest["endpoint"] == "stream":
                break
            time.sleep(0.1)
        assert latest["key_id"] == "beta" and latest["status"] == "answered"
