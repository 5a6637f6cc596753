"""POST /v1/ask and the sessions it creates, against the real app and the real pipeline."""

from __future__ import annotations

import logging

from assistant.index import read_manifest
from assistant.models import Answer
from tests.server.conftest import (FOLLOW_UP, KAWASAKI, OFF_TOPIC, PK_SITE, SITE, SK_ALPHA, SK_BETA, XSS, XSS_DOC,
                                   ZEBRAFINCH, bearer)


def ask(client, question, key=SK_ALPHA, origin=None, **body):
    return client.post("/v1/ask", json={"question": question, **body}, headers=bearer(key, origin))


def test_ask_returns_the_answer_json_with_resolving_citations(client, keyed_settings):
    response = ask(client, KAWASAKI, start_session=True)
    assert response.status_code == 200, response.text
    answer = Answer.model_validate(response.json())
    assert answer.status == "answered"
    assert answer.question == KAWASAKI and answer.session_id
    assert answer.sections and answer.citations and answer.summary
    numbers = {c.n for c in answer.citations}
    cited = {n for s in answer.sections for st in s.statements for n in st.citations}
    assert cited and cited <= numbers
    committed = set(read_manifest(keyed_settings.index_dir()).chunk_ids())
    assert {c.chunk_id for c in answer.citations} <= committed
    assert any(c.document_id == "ig-immunomodulatory-kawasaki" for c in answer.citations)
    assert answer.index_version == read_manifest(keyed_settings.index_dir()).version
    assert any(f.verdict == "verified" and f.value == 2.0 for f in answer.dose_checks)


def test_off_topic_question_abstains(client):
    answer = Answer.model_validate(ask(client, OFF_TOPIC).json())
    assert answer.status == "abstained" and not answer.citations


def test_filters_restrict_the_documents_cited(client):
    response = ask(client, KAWASAKI, filters={"documents": ["ig-dosing-overview"]})
    assert response.status_code == 200
    docs = {c["document_id"] for c in response.json()["citations"]}
    assert docs == {"ig-dosing-overview"}


def test_follow_up_keeps_the_session_and_uses_history(client):
    first = ask(client, KAWASAKI, start_session=True).json()
    second = ask(client, FOLLOW_UP, session_id=first["session_id"]).json()
    assert second["session_id"] == first["session_id"]
    assert "kawasaki" in second["standalone_question"].lower()
    session = client.get(f"/v1/sessions/{first['session_id']}", headers=bearer(SK_ALPHA))
    assert session.status_code == 200
    turns = session.json()["turns"]
    assert [t["question"] for t in turns] == [KAWASAKI, FOLLOW_UP]
    assert turns[1]["answer"]["session_id"] == first["session_id"]


def test_a_key_never_sees_another_keys_session(client):
    session_id = ask(client, KAWASAKI, start_session=True).json()["session_id"]
    unknown = client.get("/v1/sessions/no-such-session", headers=bearer(SK_BETA))
    for response in (
        client.get(f"/v1/sessions/{session_id}", headers=bearer(SK_BETA)),
        client.delete(f"/v1/sessions/{session_id}", headers=bearer(SK_BETA)),
        ask(client, FOLLOW_UP, key=SK_BETA, session_id=session_id),
        client.get(f"/v1/sessions/{session_id}", headers=bearer(PK_SITE, SITE)),
    ):
        assert response.status_code == 404
        assert response.json() == unknown.json()  # indistinguishable from an unknown id
    assert client.get(f"/v1/sessions/{session_id}", headers=bearer(SK_ALPHA)).status_code == 200


def test_delete_session(client):
    session_id = ask(client, KAWASAKI, start_session=True).json()["session_id"]
    assert client.delete(f"/v1/sessions/{session_id}", headers=bearer(SK_ALPHA)).status_code == 204
    assert client.get(f"/v1/sessions/{session_id}", headers=bearer(SK_ALPHA)).status_code == 404
    assert ask(client, FOLLOW_UP, session_id=session_id).status_code == 404


def test_session_ids_are_unguessable(client):
    ids = {ask(client, OFF_TOPIC, start_session=True).json()["session_id"] for _ in range(3)}
    assert len(ids) == 3 and all(len(i) >= 22 for i in ids)


def test_publishable_key_from_its_origin_can_ask(client):
    response = ask(client, KAWASAKI, key=PK_SITE, origin=SITE)
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == SITE


def test_html_in_a_passage_comes_back_as_plain_text(client):
    answer = ask(client, ZEBRAFINCH).json()
    assert answer["status"] == "answered"
    assert any(c["document_id"] == XSS_DOC and XSS in c["quote"] for c in answer["citations"])
    assert XSS in answer["summary"]  # data, unchanged: escaping is the renderer's job (the widget uses text nodes)


def test_question_text_is_not_logged_at_info(client, caplog):
    secret = "What IVIG dose for Kawasaki disease in patient Zanzibar Quetzalcoatl?"
    with caplog.at_level(logging.INFO):
        assert ask(client, secret).status_code == 200
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "Quetzalcoatl" not in text
    assert any("q=" in r.getMessage() for r in caplog.records if r.name.startswith("assistant.server"))
