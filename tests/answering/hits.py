"""Retrieved passages the answering tests build by hand."""

from __future__ import annotations

import json

from assistant.retrieval import Hit


def recommendation_hit(n: int, text: str, strength: str, score: float, doc: str, title: str) -> Hit:
    """A graded recommendation of a guideline, as retrieval returns it."""
    meta = {"doc_id": doc, "title": title, "kind": "recommendation", "strength": strength, "grade": strength,
            "heading_path": json.dumps([title, "Recommendations"])}
    return Hit(f"{doc}:{n:04d}:x", text, meta, score)
