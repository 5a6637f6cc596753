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


def test_the_patients_age_selects_the_recommendation_for_their_age_group():
    from assistant.followup import Focus

    # A 47-year-old: the recommendation for those "older than 45" fits her; the "18 or older" scope statement fits
    # everyone; the one for "under 40" is not hers.
    scope = doc_hit("preg", 1, "This guideline covers adults 18 years of age and older who receive prenatal care in any setting.",
                    score=1.0)
    young = doc_hit("preg", 2, "For women younger than 40 years of age, we suggest induction of labour at 41 weeks.",
                    "recommendation", 0.95, "Weak for")
    older = doc_hit("preg", 3, "For women older than 45 years of age, we suggest planned induction of labour at 39 weeks.",
                    "recommendation", 0.9, "Weak for")
    draft = compose("47 year old pregnant, when should labour be induced?", [scope, young, older], 6,
                    focus=Focus(age_years=47.0))
    assert draft.direct[0].hit is older
    # Without the patient's age, nothing is moved.
    assert compose("when should labour be induced?", [scope, young, older], 6).direct[0].hit is young


def test_age_bounds_are_read_in_their_usual_wordings():
    from assistant.vocabulary import age_bounds

    assert age_bounds("women greater than 44 years of age") == [(44.0, None)]
    assert age_bounds("adults aged 65 and older") == [(65.0, None)]
    assert age_bounds("patients ≥75 years old") == [(75.0, None)]
    assert age_bounds("those under the age of 18") == [(None, 18.0)]
    assert age_bounds("patients over age 65") == [(65.0, None)]
    assert age_bounds("Veterans 18-44 years") == [(18.0, 44.0)]
    assert age_bounds("a dose of 45 mg in patients with weight over 60 kg") == []  # no age


def test_asked_which_med_is_preferred_the_statement_that_ranks_the_drugs_leads():
    rehab = doc_hit("tbi", 1, "We suggest offering a trial of balance therapy for patients with persistent nausea after head "
                              "injury.", "recommendation", 0.9, "Weak for")
    talk = doc_hit("tbi", 2, "Sedating agents for nausea after head injury may delay recovery and are generally avoided. "
                             "Ondansetron is the preferred agent, followed by metoclopramide.", score=1.0)
    draft = compose("nausea after a head injury, if I prescribe a med which one is preferred?", [talk, rehab], 6)
    assert draft.direct[0].text.startswith("Ondansetron is the preferred agent")
    # Not asked which drug ranks first, the guideline's recommendation leads as before.
    assert compose("nausea after a head injury, what helps?", [talk, rehab], 6).direct[0].hit is rehab
    assert compose("nausea after a head injury, which non-drug option is preferred?", [talk, rehab], 6).direct[0].hit is rehab


def test_asked_which_is_favoured_most_the_strongest_recommendation_leads():
    weak = doc_hit("ha", 1, "We suggest offering drugolol or drugamine for the prevention of episodic migraine.",
                   "recommendation", 1.0, "Weak for")
    strong = doc_hit("ha", 2, "We recommend drugesartan for the prevention of episodic migraine.", "recommendation", 0.9,
                     "Strong for")
    draft = compose("episodic migraine - which preventive does the guideline favour most?", [weak, strong], 6)
    assert draft.direct[0].hit is strong
    # Not asked to rank, the closer recommendation leads as before.
    assert compose("drugolol for the prevention of episodic migraine?", [weak, strong], 6).direct[0].hit is weak


def test_a_drug_the_patient_already_takes_is_not_the_answer_to_what_to_add():
    first = doc_hit("ckd", 1, "We suggest offering lisinopril as first-line therapy for hypertension in patients with kidney "
                              "disease to slow progression of kidney disease.", "recommendation", 1.0, "Weak for")
    addon = doc_hit("ckd", 2, "We recommend offering amlodipine as add-on therapy for hypertension in patients with kidney "
                              "disease.", "recommendation", 0.8, "Strong for")
    question = "hypertension and kidney disease, already taking lisinopril. what add-on to slow progression?"
    assert compose(question, [first, addon], 6).direct[0].hit is addon
    # Asked about that drug itself, its own recommendation still answers.
    assert compose("is lisinopril first-line in kidney disease?", [first, addon], 6).direct[0].hit is first


def test_asked_about_a_device_a_surgery_recommendation_does_not_lead():
    surgery = doc_hit("sleep", 1, "For patients with sleep apnea who cannot tolerate other therapies, we suggest evaluation for "
                                  "jaw advancement surgery.", "recommendation", 1.0, "Weak for")
    device = doc_hit("sleep", 2, "In patients with mild sleep apnea, we suggest offering oral devices as an alternative to "
                                 "positive airway pressure.", "recommendation", 0.85, "Weak for")
    from assistant.followup import focus_of
    from pathlib import Path

    from assistant.vocabulary import load_vocabulary

    corpus = Path(__file__).resolve().parents[2] / "corpus"
    question = "cannot tolerate CPAP for sleep apnea - would an oral appliance help?"
    focus = focus_of(question, load_vocabulary(corpus / "rules", corpus / "lexicon.yaml"))
    assert compose(question, [surgery, device], 6, focus=focus).direct[0].hit is device
    question = "would jaw surgery help my sleep apnea?"  # asked about the operation, its recommendation answers
    focus = focus_of(question, load_vocabulary(corpus / "rules", corpus / "lexicon.yaml"))
    assert compose(question, [surgery, device], 6, focus=focus).direct[0].hit is surgery


def test_asked_a_named_drugs_dose_its_dosed_row_leads_over_recommendations_about_the_age_group():
    from dataclasses import replace

    from assistant.followup import Focus

    rec = doc_hit("mdd", 1, "For older adults (65 years and older) with depression, we suggest offering psychotherapy at the maximum "
                            "intensity first.",
                  "recommendation", 1.0, "Weak for")
    row = doc_hit("mdd", 2, "Escitalopram (SSRIs): initial dose 10 mg once daily; max. dose/day 20 mg; 10 mg geriatric",
                  "table_row", 0.1)
    focus = replace(Focus(age_years=70.0), drug=("escitalopram",))
    draft = compose("70 year old with depression, what is the maximum escitalopram dose?", [rec, row], 6, focus=focus,
                    asked=("dose",))
    assert draft.direct[0].hit is row


def test_recommendations_can_be_filtered_by_their_strength():
    from assistant.retrieval import Filters

    strong = Filters(documents=("ha",), kinds=("recommendation",), strengths=("Strong for",))
    assert {"strength": {"$in": ["Strong for"]}} in strong.where()["$and"]
    assert strong.accepts({"doc_id": "ha", "kind": "recommendation", "strength": "Strong for"})
    assert not strong.accepts({"doc_id": "ha", "kind": "recommendation", "strength": "Weak for"})


def test_a_specific_name_is_searched_by_its_other_names_and_a_common_word_never():
    from assistant.vocabulary import specific_equivalents

    assert "viscosupplementation" in specific_equivalents("hyaluronic acid injection for knee pain?")
    assert specific_equivalents("which meds and what treatment for knee pain?") == ()


def test_a_drug_class_the_question_names_is_met_by_its_members():
    screening = doc_hit("ptsd", 1, "We suggest periodic screening for PTSD with validated measures.", "recommendation", 1.0,
                        "Weak for")
    drugs = doc_hit("ptsd", 2, "We recommend paroxetine or fluoxetine as monotherapy for PTSD.", "recommendation", 0.8,
                    "Strong for")
    assert compose("which SSRIs can I use for PTSD?", [screening, drugs], 6).direct[0].hit is drugs
    # Asked which of a class to use, a recommendation naming none of it gives way even when it shares more words.
    measures = doc_hit("ptsd", 3, "We suggest using a self-report measure of PTSD severity to use in treatment planning.",
                       "recommendation", 1.0, "Weak for")
    assert compose("which SSRIs can I use for PTSD?", [measures, drugs], 6).direct[0].hit is drugs


def test_a_drug_class_is_met_by_the_classes_inside_it():
    others = doc_hit("cmi", 1, "There is insufficient evidence for or against mirtazapine or tricyclics for widespread pain in CMI.",
                     "recommendation", 1.0, "Neither for nor against")
    snri = doc_hit("cmi", 2, "We suggest offering a trial of serotonin-norepinephrine reuptake inhibitors for widespread pain in "
                             "CMI.", "recommendation", 0.9, "Weak for")
    assert compose("CMI with widespread pain. which antidepressant class should I offer?", [others, snri], 6).direct[0].hit is snri


def test_an_age_bound_in_the_question_selects_the_recommendation_for_that_age_group():
    from pathlib import Path

    from assistant.followup import focus_of
    from assistant.vocabulary import load_vocabulary

    corpus = Path(__file__).resolve().parents[2] / "corpus"
    general = doc_hit("chol", 1, "For adults with cardiovascular risk factors, we suggest offering a moderate-intensity statin for "
                                 "primary prevention.", "recommendation", 1.0, "Weak for")
    older = doc_hit("chol", 2, "For adults older than 75 years, there is insufficient evidence to recommend for or against a statin "
                               "for primary prevention.", "recommendation", 0.85, "Neither for nor against")
    question = "statin for primary prevention in adults over 80?"
    focus = focus_of(question, load_vocabulary(corpus / "rules", corpus / "lexicon.yaml"))
    assert compose(question, [general, older], 6, focus=focus).direct[0].hit is older


def test_asked_which_has_the_strongest_recommendation_the_strong_one_leads():
    weak = doc_hit("ha", 1, "We suggest drugolol for the prevention of episodic migraine.", "recommendation", 1.0, "Weak for")
    strong = doc_hit("ha", 2, "We recommend drugesartan for the prevention of migraine.", "recommendation", 0.9, "Strong for")
    question = "episodic migraine, wants daily prevention. which preventive has the strongest rec?"
    assert compose(question, [weak, strong], 6).direct[0].hit is strong
    assert compose("episodic migraine, wants daily prevention. which preventive?", [weak, strong], 6).direct[0].hit is weak
