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


def test_a_question_naming_a_drug_meets_the_recommendation_about_its_class():
    monotherapy = doc_hit("ptsd", 1, "We suggest against treatment of PTSD with quetiapine, olanzapine, citalopram or topiramate as "
                                     "monotherapy.", "recommendation", 1.0, "Weak against")
    benzos = doc_hit("ptsd", 2, "We recommend against treating PTSD with divalproex, guanfacine or benzodiazepines as monotherapy or "
                            "augmentation therapy.",
                     "recommendation", 0.97, "Strong against")
    draft = compose("clonazepam as monotherapy for PTSD - how strong is the rec against?", [monotherapy, benzos], 6)
    assert draft.direct[0].hit is benzos


def test_a_plural_acronym_meets_its_long_form():
    massage = doc_hit("cmi", 1, "There is insufficient evidence to recommend for or against deep tissue massage in patients with "
                                "CMI and symptoms consistent with fibromyalgia.", "recommendation", 1.0, "Neither for nor against")
    snri = doc_hit("cmi", 2, "We suggest offering a trial of serotonin-norepinephrine reuptake inhibitors for pain in patients "
                             "with CMI and symptoms consistent with fibromyalgia.", "recommendation", 0.9, "Weak for")
    draft = compose("strength of rec for SNRIs in CMI with fibromyalgia symptoms", [massage, snri], 6)
    assert draft.direct[0].hit is snri


def test_meds_are_pharmacotherapy_and_a_drug_class_answers_what_med():
    surgery = doc_hit("obesity", 1, "We suggest offering the option of bariatric surgery with a lifestyle intervention for weight "
                                    "loss in adults with obesity.", "recommendation", 1.0, "Weak for")
    drugs = doc_hit("obesity", 2, "We suggest offering prescribed pharmacotherapy with a lifestyle intervention for weight loss in "
                                  "adults with obesity.", "recommendation", 0.9, "Weak for")
    draft = compose("BMI 33, did 6 months of a lifestyle program with little loss. which weight loss meds are options?",
                    [surgery, drugs], 6)
    assert draft.direct[0].hit is drugs
    aud = doc_hit("sud", 3, "For patients with moderate-severe alcohol use disorder, we suggest offering one of the following "
                            "medications: acamprosate or disulfiram.", "recommendation", 1.0, "Weak for")
    withdrawal = doc_hit("sud", 4, "For the treatment of moderate-severe alcohol withdrawal, we recommend using benzodiazepines "
                                   "with adequate monitoring.", "recommendation", 0.95, "Strong for")
    assert compose("moderate-severe alcohol withdrawal. what med?", [aud, withdrawal], 6).direct[0].hit is withdrawal


def test_asked_what_to_give_a_recommendation_for_something_leads_over_insufficient_evidence():
    unknown = doc_hit("amp", 1, "There is insufficient evidence to recommend for or against non-invasive brain stimulation for "
                                "phantom limb pain.", "recommendation", 1.0, "Neither for nor against")
    mirror = doc_hit("amp", 2, "We suggest the use of mirror therapy for the short-term reduction of phantom limb pain.",
                     "recommendation", 0.85, "Weak for")
    assert compose("phantom limb pain - what should I try first?", [unknown, mirror], 6).direct[0].hit is mirror
    # Asked about that intervention itself, its own recommendation answers, whatever it says.
    assert compose("brain stimulation for phantom limb pain?", [unknown, mirror], 6).direct[0].hit is unknown


def test_a_filtered_search_keeps_each_lists_best():
    import numpy as np

    from assistant.retrieval import _with_each_best

    dense = np.array([0.9, 0.8, 0.7, 0.3], dtype=np.float32)
    lexical = np.array([1.0, 1.2, 0.9, 5.0], dtype=np.float32)
    order, places = _with_each_best([0, 1, 2, 3], 2, dense, lexical)
    assert order[:places] == [0, 1, 3]  # BM25's clear best joins the two fused ones; none of theirs is displaced
    assert _with_each_best([3, 0, 1, 2], 2, dense, lexical) == ([3, 0, 1, 2], 2)


def test_a_discussion_sentence_using_the_aspects_word_does_not_displace_the_recommendation():
    rec = doc_hit("asthma", 1, "We suggest offering a written asthma action plan to improve asthma-related quality of life.",
                  "recommendation", 1.0, "Weak for")
    history = doc_hit("asthma", 2, "The 2009 recommendations included the use of an alternative controller for mild persistent "
                                   "asthma in patients who should start therapy.", score=1.0)
    draft = compose("mild persistent asthma. should I give her a written asthma action plan?", [history, rec], 6,
                    asked=("indication",))
    assert draft.direct[0].hit is rec


def test_a_treatment_described_with_a_dose_word_asks_no_dose():
    from assistant.compose import aspects_of

    assert "dose" not in aspects_of("32F with mild persistent asthma on low-dose ICS. should I give her an action plan?")
    assert "dose" in aspects_of("what ICS dose for mild persistent asthma?")


def test_a_drugs_table_row_naming_another_condition_among_its_adverse_effects_answers_its_dose():
    from dataclasses import replace

    from assistant.followup import Focus

    # "Headache" in the row is an adverse effect of the drug, not a dose stated for another condition.
    row = doc_hit("cmi", 1, "Drugaclotide: dosage in adults: 290 mcg taken orally once daily; notable adverse effects: Diarrhea, "
                            "Headache, Fatigue", "table_row", 1.0)
    talk = doc_hit("cmi", 2, "Trials of drugaclotide in CMI were small and most were short.", score=1.0)
    other = doc_hit("cmi", 3, "Drugazepam: dosage in adults: 5 mg once daily for headache", "table_row", 1.0)
    focus = replace(Focus(), condition=("cmi", "chronic multisymptom illness"), other_conditions=("headache",),
                    drug=("drugaclotide",))
    draft = compose("what dose of drugaclotide in CMI?", [talk, other, row], 6, focus=focus, asked=("dose",))
    assert draft.direct[0].hit is row
    # Another drug's row dosing the other condition still gives way.
    assert all(c.hit is not other for _, cands in draft.sections for c in cands)
