"""A site guideline's own recommendation leads its answer, with its grade, before the discussion of its evidence."""

from __future__ import annotations

import json

from assistant.compose import compose
from assistant.retrieval import Hit


def hit(n: int, text: str, kind: str = "text", score: float = 1.0, strength: str | None = None) -> Hit:
    meta = {"doc_id": "lbp", "title": "Guideline for low back pain", "kind": kind,
            "heading_path": json.dumps(["Guideline for low back pain", "Recommendations" if kind == "recommendation" else "Discussion"])}
    if strength:
        meta["strength"] = strength
    return Hit(f"lbp:{n:04d}:x", text, meta, score)


DISCUSSION = hit(1, "In the studies of cognitive behavioral therapy for chronic low back pain the number of visits usually ranged from four to twelve.", score=1.0)
EVIDENCE = hit(2, "The body of evidence on cognitive behavioral therapy for chronic low back pain had limitations including unclear randomization.", score=0.95)
RECOMMENDATION = hit(3, "For patients with chronic low back pain, we suggest cognitive behavioral therapy.", "recommendation", 0.2, "Weak for")


def test_the_recommendation_leads_before_its_discussion():
    draft = compose("cognitive behavioral therapy for chronic low back pain?", [DISCUSSION, EVIDENCE, RECOMMENDATION], 6)
    assert draft.direct[0].hit is RECOMMENDATION


def test_a_recommendation_far_below_the_discussion_does_not_lead_unless_asked_for():
    weak = hit(3, "For patients with low back pain, we suggest a structured exercise program.", "recommendation", 0.05)
    draft = compose("visits of cognitive behavioral therapy for chronic low back pain?", [DISCUSSION, EVIDENCE, weak], 6)
    assert draft.direct[0].hit is not weak


def test_a_table_row_of_several_drugs_never_answers_one_drugs_dose():
    from dataclasses import replace

    from assistant.followup import Focus

    mixed = hit(4, "Antidepressants Fluoxetine Paroxetine Sertraline Venlafaxine: initial dose 10-20 mg 10-20 mg 25-60 mg 37.5 mg",
                "table_row", 1.0)
    own = hit(5, "Venlafaxine XR: initial dose 37.5-75 mg once daily; maximum dose 225 mg per day.", "table_row", 0.6)
    draft = compose("venlafaxine dose?", [mixed, own], 6, focus=replace(Focus(), drug=("venlafaxine",)), asked=("dose",))
    assert draft.direct[0].hit is own
    assert all(c.hit is not mixed for _, cands in draft.sections for c in cands)
