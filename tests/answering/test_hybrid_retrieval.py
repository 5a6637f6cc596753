"""Hybrid retrieval: fusion arithmetic, query processing, and ranking on the bundled corpus."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.query import expand_query, lexical_terms
from assistant.retrieval import Filters, Fusion, fuse, peak


def test_peak_measures_how_far_the_best_stands_out():
    assert peak(np.array([1.0, 0.2, 0.1, 0.1, 0.0, 0.0])) > peak(np.array([1.0, 0.95, 0.9, 0.9, 0.85, 0.0]))


def test_adaptive_fusion_follows_the_more_peaked_retriever():
    zeros = np.zeros(6)
    dense = np.array([0.50, 0.40, 0.49, 0.49, 0.48, 0.10])  # flat at the top: dense barely prefers candidate 0
    lexical = np.array([1.0, 9.0, 1.5, 1.0, 1.0, 0.0])  # peaked on candidate 1
    assert int(np.argmax(fuse(dense, lexical, zeros, zeros, Fusion(adaptive=False, dense_weight=0.8)))) == 0
    assert int(np.argmax(fuse(dense, lexical, zeros, zeros, Fusion()))) == 1
    sharp_dense = np.array([0.9, 0.3, 0.3, 0.3, 0.3, 0.1])
    assert int(np.argmax(fuse(sharp_dense, lexical, zeros, zeros, Fusion()))) == 0


def test_type_and_title_features_break_ties():
    same = np.array([0.5, 0.5])
    scores = fuse(same, np.array([2.0, 2.0]), np.array([0.0, 1.0]), np.zeros(2), Fusion())
    assert scores[1] > scores[0]
    scores = fuse(same, np.array([2.0, 2.0]), np.zeros(2), np.array([0.0, 1.0]), Fusion())
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


def test_a_small_filter_is_scored_exactly_over_all_its_chunks(assistant):
    """Every chunk a filter allows is a candidate (not just those in the unfiltered top lists), ranked like unfiltered."""
    docs = ("ig-immunomodulatory-itp", "ig-dosing-overview")
    allowed = assistant.index.chunks_of(docs)
    assert allowed and all(cid.rsplit(":", 2)[0] in docs for cid in allowed)
    assert allowed == assistant.index.filtered_ids(Filters(documents=docs).where())  # the store agrees with the ids
    hits = assistant.retriever.search("platelet count threshold", k=len(allowed), filters=Filters(documents=docs))
    assert {h.chunk_id for h in hits} == allowed
    topic = assistant.index.filtered_ids(Filters(topics=("adverse effects",)).where())
    assert topic and {assistant.index.get([c])[c][1]["doc_id"] for c in topic} == {"ig-adverse-effects"}


def test_only_answerable_chunks_compete_and_a_recommendation_takes_one_place():
    from assistant.retrieval import _answerable

    metas = [{"kind": "bibliography"}, {"kind": "recommendation", "doc_id": "d", "rec_number": "7"},
             {"kind": "superseded", "doc_id": "d", "rec_number": "3"}, {"kind": "text"},
             {"kind": "recommendation", "doc_id": "d", "rec_number": "7"}, {}, {"kind": "table_row", "doc_id": "d"},
             {"kind": "search_strategy"}, {"kind": "recommendation", "doc_id": "e", "rec_number": "7"}]
    assert _answerable(list(range(len(metas))), metas) == [1, 3, 5, 6, 8]
