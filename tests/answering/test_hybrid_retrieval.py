"""Hybrid retrieval: fusion arithmetic, query processing, and ranking on the bundled corpus."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.query import expand_query, lexical_terms
from assistant.retrieval import Filters, Fusion, confidence, fuse


def test_confidence_prefers_a_peaked_list():
    peaked = np.array([1.0, 0.2, 0.1, 0.0])
    flat = np.array([1.0, 0.95, 0.9, 0.0])
    assert confidence(peaked) > confidence(flat)


def test_adaptive_fusion_follows_the_confident_retriever():
    dense = np.array([0.50, 0.40, 0.48, 0.47, 0.10])  # flat at the top: dense barely prefers candidate 0
    lexical = np.array([1.0, 9.0, 1.5, 1.0, 0.0])  # peaked on candidate 1
    title = np.zeros(5)
    assert int(np.argmax(fuse(dense, lexical, title, Fusion(dense_weight=0.8, adaptive=False)))) == 0
    assert int(np.argmax(fuse(dense, lexical, title, Fusion(dense_weight=0.8, adaptive=True)))) == 1


def test_title_feature_breaks_ties():
    scores = fuse(np.array([0.5, 0.5]), np.array([2.0, 2.0]), np.array([0.0, 1.0]), Fusion(title_weight=0.1))
    assert scores[1] > scores[0]


def test_query_processing_expands_abbreviations_and_adds_question_type_words_at_low_weight():
    assert "intravenous immunoglobulin" in expand_query("IVIG dose in ITP")
    terms = lexical_terms("What are the symptoms of CVID?")
    assert terms["symptom"] == 1 and terms["sign"] == pytest.approx(0.3) and terms["common"] >= 1
    assert lexical_terms("What are the symptoms of CVID?", type_weight=0).get("sign") is None


@pytest.mark.parametrize("question,document", [
    ("IVIG dose for Kawasaki disease", "ig-immunomodulatory-kawasaki"),
    ("How do I switch from IVIG to Hizentra?", "ig-ivig-to-scig-conversion"),
    ("immunoglobulin after rituximab", "ig-b-cell-depletion"),
    ("premedication before IVIG infusion", "ig-infusion-reactions-premedication"),
    ("IgG trough target", "ig-trough-monitoring"),
])
def test_every_retriever_finds_the_document(assistant, question, document):
    for mode in ("hybrid", "dense", "bm25"):
        hits = assistant.retriever.search(question, k=5, mode=mode)
        assert document in [h.doc_id for h in hits], mode
    assert assistant.retriever.search(question, k=1)[0].doc_id == document


def test_hits_carry_both_scores_and_stats(assistant):
    hits = assistant.retriever.search("What is the IVIG dose for CIDP?", k=8)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert all(h.dense > 0 for h in hits) and any(h.lexical > 0 for h in hits)
    stats = assistant.retriever.stats
    assert 0 < stats["best_dense"] <= 1 and stats["coverage"] == 1.0


def test_filters_restrict_documents_and_populations(assistant):
    hits = assistant.retriever.search("IVIG dose", k=8, filters=Filters(documents=("ig-immunomodulatory-itp",)))
    assert hits and {h.doc_id for h in hits} == {"ig-immunomodulatory-itp"}
    obese = assistant.retriever.search("IVIG dose", k=8, filters=Filters(population=("obesity",)))
    assert obese and {h.doc_id for h in obese} == {"ig-dosing-weight-obesity"}
