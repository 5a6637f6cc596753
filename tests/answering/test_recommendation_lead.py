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


def doc_hit(doc: str, n: int, text: str, kind: str = "text", score: float = 1.0, strength: str | None = None) -> Hit:
    meta = {"doc_id": doc, "title": f"Guideline for {doc}", "kind": kind,
            "heading_path": json.dumps([f"Guideline for {doc}", "Recommendations" if kind == "recommendation" else "Tables"])}
    if strength:
        meta["strength"] = meta["grade"] = strength
    return Hit(f"{doc}:{n:04d}:x", text, meta, score)


def test_a_table_row_is_one_statement_with_all_its_notes():
    row = doc_hit("oa", 1, "Drugofenac gel 1%: usual dose 4 g; frequency four times daily; notes: Max dose is 32 g daily. "
                           "Max of 16 g per lower extremity joint daily.", "table_row")
    draft = compose("drugofenac gel max per knee per day?", [row], 6, asked=("dose",))
    assert "16 g per lower extremity joint" in draft.direct[0].text


def test_another_guidelines_recommendation_does_not_lead_over_the_guideline_retrieval_ranked_first():
    from dataclasses import replace

    passage = doc_hit("asthma", 1, "For patients with exercise-induced bronchospasm, a short-acting agent before exercise is used.", score=0.6)
    other = doc_hit("copd", 2, "In patients with COPD, we suggest beta-blockers before exercise only with a cardiac indication.",
                    "recommendation", 0.95, "Weak for")
    own = doc_hit("asthma", 3, "We suggest short-acting beta agonists for prevention of exercise-induced bronchospasm.",
                  "recommendation", 0.9, "Weak for")
    draft = compose("what should he use before exercise?", [passage, other, own], 6)
    assert draft.direct[0].hit.doc_id == "asthma"
    own = replace(own, score=1.2)  # nearly as relevant as the passage, the guideline's own recommendation leads it
    assert compose("what should he use before exercise?", [passage, other, own], 6).direct[0].hit is own


def test_asked_how_strong_the_lead_states_one_recommendations_strength():
    strong = doc_hit("obesity", 1, "We recommend offering an in-person lifestyle intervention for patients with obesity.",
                     "recommendation", 1.0, "Strong for")
    weak = doc_hit("obesity", 2, "We suggest offering a telephone lifestyle intervention for patients with obesity.",
                   "recommendation", 0.98, "Weak for")
    draft = compose("in-person lifestyle intervention for obesity - strength of rec?", [strong, weak], 6)
    assert [c.hit for c in draft.direct] == [strong]


def test_a_combination_products_row_is_one_drugs_row():
    from dataclasses import replace

    from assistant.followup import Focus

    row = doc_hit("sud", 1, "Buprenorphine/Naloxone or Buprenorphine: dosage and administration: Suboxone "
                            "(buprenorphine/naloxone film), Induction dose: 2 – 4 mg first dose", "table_row")
    draft = compose("suboxone induction dose?", [row], 6, focus=replace(Focus(), drug=("buprenorphine/naloxone",)),
                    asked=("dose",))
    assert draft.direct and draft.direct[0].hit is row


def test_a_dose_in_micrograms_answers_a_dose_question():
    row = doc_hit("cmi", 1, "Drugaclotide: dosage in adults: 290 mcg taken orally once daily, adequate trial: 6 weeks", "table_row", 1.0)
    talk = doc_hit("cmi", 2, "Trials found that drugaclotide was more likely than placebo to cause diarrhea in adults with bowel "
                             "symptoms, and the dose of drugaclotide studied varied.", score=1.0)
    draft = compose("what dose of drugaclotide?", [talk, row], 6, asked=("dose",))
    assert draft.direct[0].hit is row
