"""The answers/conversation eval suite on a few real cases (single, history, conversation, out of scope)."""

from __future__ import annotations

import json

import pytest

from assistant.errors import InputError
from assistant.index import Index
from evals.answers import load_cases, run_answer_eval

CASES = [
    {"id": "kd", "question": "What IVIG dose is used for Kawasaki disease?", "expected_documents": ["ig-immunomodulatory-kawasaki"],
     "expected_status": "answered", "must_mention": ["2 g/kg"]},
    {"id": "hist", "history": ["What is the IVIG dose for ITP in children?"], "question": "and in adults?",
     "expected_documents": ["ig-immunomodulatory-itp"], "must_mention": ["1 g/kg"]},
    {"id": "oos", "question": "How do I bake sourdough bread?", "expected_status": "abstained"},
    {"id": "conv", "turns": [
        {"question": "When should immunoglobulin replacement start in CLL?", "expected_documents": ["ig-secondary-immunodeficiency"]},
        {"question": "what if she had rituximab?", "expected_documents": ["ig-b-cell-depletion"]},
        {"question": "what about Kawasaki?", "expected_documents": ["ig-immunomodulatory-kawasaki"], "must_mention": ["never said"]},
    ]},
]


def test_suite_scores_answers_conversations_and_abstentions(corpus_index, tmp_path):
    path = tmp_path / "cases.jsonl"
    path.write_text("\n".join(json.dumps(row) for row in CASES) + "\n", encoding="utf-8")
    result = run_answer_eval(path, corpus_index, index=Index(corpus_index))
    assert result["cases"] == 4 and result["answers"] == 6 and result["turns"] == 3
    assert result["citation_validity"] == 1.0 and result["citation_recall"] == 1.0
    assert result["abstention_precision"] == 1.0 and result["abstention_recall"] == 1.0
    assert result["expected_document_recall"] == 1.0 and result["turn_recall_retrieved"] == 1.0
    assert result["must_mention_found"] == pytest.approx(2 / 3, abs=1e-3)
    assert [f["reason"] for f in result["failures"]] == ["must-mention fact missing"]


def test_malformed_rows_name_their_line(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"id": "a", "question": "ok?"}\n{"id": "b", "turns": []}\n', encoding="utf-8")
    with pytest.raises(InputError, match=":2:"):
        load_cases(path)
