"""Retrieval metrics over ranked document ids (BEIR conventions)."""

from __future__ import annotations

import math


def recall_at(ranked: list[str], relevant: dict[str, int], k: int) -> float:
    """Share of relevant documents found in the top k."""
    positives = {d for d, score in relevant.items() if score > 0}
    return len(positives & set(ranked[:k])) / len(positives) if positives else 0.0


def ndcg_at(ranked: list[str], relevant: dict[str, int], k: int) -> float:
    """Normalised discounted cumulative gain with graded relevance."""
    dcg = sum(relevant.get(doc, 0) / math.log2(i + 2) for i, doc in enumerate(ranked[:k]))
    ideal = sorted((s for s in relevant.values() if s > 0), reverse=True)[:k]
    idcg = sum(score / math.log2(i + 2) for i, score in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def mrr_at(ranked: list[str], relevant: dict[str, int], k: int) -> float:
    """Reciprocal rank of the first relevant document in the top k."""
    for i, doc in enumerate(ranked[:k]):
        if relevant.get(doc, 0) > 0:
            return 1.0 / (i + 1)
    return 0.0


def summarise(runs: dict[str, list[str]], qrels: dict[str, dict[str, int]]) -> dict[str, float]:
    """Mean recall@1/5/10, nDCG@10 and MRR@10 over the queries that have judgements."""
    ids = [q for q in runs if q in qrels]
    n = len(ids) or 1
    return {
        "recall@1": round(sum(recall_at(runs[q], qrels[q], 1) for q in ids) / n, 4),
        "recall@5": round(sum(recall_at(runs[q], qrels[q], 5) for q in ids) / n, 4),
        "recall@10": round(sum(recall_at(runs[q], qrels[q], 10) for q in ids) / n, 4),
        "ndcg@10": round(sum(ndcg_at(runs[q], qrels[q], 10) for q in ids) / n, 4),
        "mrr@10": round(sum(mrr_at(runs[q], qrels[q], 10) for q in ids) / n, 4),
        "n": len(ids),
    }
