"""Clinician questions round 13 (#12): a phase said to be over in more wordings, infections counted as none, where a
reported value came from, and criteria the question partly rules out. One test per class; the words are data (the
shared lexicon, patient-history.yaml) and the rules are the corpus's.

- "done with her load", "finished the loading course", "loading dose completed": the loading phase is over, so the
  grams worked out are the maintenance dose's, and a statement about the loading phase gives way for a dose question;
- "zero infections" reports none (not one), and "3 ear infections so far" is history, not an active infection;
- "IgG 420 on routine labs" says where a value came from: no monitoring asked;
- a criterion group the question partly rules out says which part ("serum IgG below 4 g/L: not met (IgG 4.2 g/L)").
"""

from __future__ import annotations

import json

from assistant.calculate import calculations
from assistant.compose import candidates
from assistant.criteria import judge, load_criteria
from assistant.doses.rules import load_rulebook
from assistant.followup import focus_of
from assistant.question import read_question
from assistant.retrieval import Hit
from assistant.vocabulary import load_vocabulary, phases_over
from tests.conftest import CORPUS

VOCAB = load_vocabulary(CORPUS / "rules", CORPUS / "lexicon.yaml")
BOOK = load_rulebook(CORPUS / "rules")

_LOADING = "In adults with CIDP, the Privigen US label gives a loading dose of IVIG 2 g/kg divided over 2-5 consecutive days."
_MAINTENANCE = ("In adults with CIDP, the Privigen US label gives a maintenance dose of IVIG 1 g/kg every 3 weeks, given in "
                "1 or 2 infusions on consecutive days.")


def _hit(n: int, text: str, section: str = "Dosing", doc: str = "ig-immunomodulatory-cidp",
         title: str = "IVIG in CIDP") -> Hit:
    meta = {"doc_id": doc, "title": title, "topics": "", "heading_path": json.dumps([title, section])}
    return Hit(f"{doc}:{n:04d}:x", text, meta, 1.0)


# ---- a phase said to be over ----------------------------------------------------------------------------------------
def test_a_phase_over_is_read_in_its_wordings_and_named_by_its_first_word():
    assert phases_over("CIDP 82kg, done with her load last week. maintenance in grams?") == {"load"}
    assert phases_over("CIDP pt 70 kg finished the loading course, how many grams next?") == {"loading"}
    assert phases_over("cidp 90kg, loading dose completed on friday - grams?") == {"loading"}
    assert phases_over("her load is done, next?") == {"load"}
    assert phases_over("the maintenance dose after loading") == {"loading"}
    # a weight before "finished" names no phase; a question naming no phase over has none
    assert phases_over("70 kg finished") == set()
    assert phases_over("CIDP 75 kg, what's the loading dose in grams?") == set()


def test_the_grams_worked_out_after_the_loading_phase_are_the_maintenance_dose():
    hits = [_hit(1, _LOADING), _hit(2, _MAINTENANCE)]
    for question in ("CIDP pt 70 kg finished the loading course, how many grams next?",
                     "cidp 70kg, loading dose completed on friday - grams for the next infusion?",
                     "CIDP 70kg, done with her load last week. grams?",
                     "CIDP 70 kg. we're done with the loading course (2 g/kg over 5 days) - how much now?"):
        frame = read_question(question, VOCAB)
        worked = calculations(BOOK, frame, hits, question=question)
        assert worked and all("70 g every 3 weeks" in c.text for c in worked), (question, [c.text for c in worked])
    question = "CIDP 70 kg, what's the loading dose in grams?"
    worked = calculations(BOOK, read_question(question, VOCAB), hits, question=question)
    assert any("140 g" in c.text for c in worked)  # the loading dose itself, when it is what is asked


def test_a_statement_about_the_phase_over_gives_way_in_a_dose_question():
    hits = [_hit(1, _LOADING), _hit(2, _MAINTENANCE)]

    def scores(question: str) -> dict[str, float]:
        frame = read_question(question, VOCAB)
        return {c.text[:60]: c.score for c in candidates(question, hits, focus=focus_of(question, VOCAB), asked=tuple(frame.aspects))}

    over = scores("CIDP 70kg, loading course completed. dose now?")
    assert over[_MAINTENANCE[:60]] > over[_LOADING[:60]]
    asked = scores("CIDP 70kg, loading course dose now?")
    assert asked[_LOADING[:60]] > asked[_MAINTENANCE[:60]]  # the same words, the phase not said to be over


# ---- infections counted, where a value came from ---------------------------------------------------------------------
def test_zero_infections_are_none_and_a_count_of_past_infections_is_no_active_infection():
    frame = read_question("MGUS progressed to myeloma, IgG 420 mg/dL, zero infections. start IVIG?", VOCAB)
    assert frame.patient.infections == "none" and frame.context is None
    child = read_question("14 mo old, IgG low for age, normal Hib + tetanus responses, 3 ear infections so far. start IVIG?",
                          VOCAB)
    assert child.patient.infections == "recurrent" and child.context is None
    # an infection now is still one
    assert read_question("XLA, admitted with pneumonia now. hold IVIG?", VOCAB).context == "active_infection"


def test_where_a_reported_value_came_from_asks_no_monitoring():
    assert read_question("myeloma, IgG 420 mg/dL on routine labs. start IVIG?", VOCAB).aspects == ["indication"]
    assert "monitoring" in read_question("myeloma on IVIG - which labs do we follow?", VOCAB).aspects


def test_a_criterion_group_the_question_partly_rules_out_says_which_part():
    frame = read_question("myeloma, IgG 420 mg/dL, zero infections. start IVIG?", VOCAB)
    judged = judge(load_criteria(CORPUS / "rules"), frame)
    assert judged, "the secondary-immunodeficiency criteria apply"
    text = judged[0].text
    assert "not met (zero infections)" in text
    assert "serum IgG below 4 g/L: not met (IgG 4.2 g/L)" in text
    assert "immunoglobulin replacement is not indicated" in text


# ---- the labelling named decides the rate rule ------------------------------------------------------------------------
def test_the_labelling_named_gives_its_own_starting_rate_when_the_indication_has_another_labels():
    us = _hit(1, "For Privigen 10% in primary immunodeficiency, the US label starts the infusion at 0.5 mg/kg/min, which "
                 "is 0.3 mL/kg/h.", section="Infusion rates", doc="ig-administration-infusion-rates", title="IVIG administration")
    eu = _hit(2, "In EU labelling, IVIG is started at 0.5 mL/kg/h for the first 30 minutes.", section="Infusion rates",
              doc="ig-administration-infusion-rates", title="IVIG administration")
    question = "CVID 60 kg, getting an EU-licensed 10% IVIG product. her starting rate in mL/h?"
    worked = calculations(BOOK, read_question(question, VOCAB), [us, eu], question=question)
    assert [c.formula for c in worked] == ["0.5 mL/kg/h × 60 kg = 30 mL/h"]
    question = "CVID 60 kg, privigen. her starting rate in mL/h?"
    worked = calculations(BOOK, read_question(question, VOCAB), [us, eu], question=question)
    assert [c.formula for c in worked] == ["0.3 mL/kg/h × 60 kg = 18 mL/h"]


def test_only_a_word_naming_a_treatment_phase_says_which_phase_is_over():
    assert phases_over("after the EU loading dose, 55 kg - maintenance?") == {"loading"}
    assert phases_over("post IVIG headache, what now?") == set()
    assert phases_over("after rituximab, IgG 3.1 g/L, dose?") == set()


# ---- a range named is no regimen; a finding written the other way round; the trough expected --------------------------
def test_a_dose_range_named_is_not_the_patients_regimen():
    frame = read_question("CVID 152 kg, IBW 68 kg. Ontario dosing wt, and the 0.4-0.6 g/kg q4w dose?", VOCAB)
    assert frame.patient.regimen is None
    assert read_question("CVID 70 kg, 0.4 to 0.6 g/kg q4w - grams?", VOCAB).patient.regimen is None
    assert read_question("CVID 70 kg, 0.4 g/kg q4w, trough 5 g/L", VOCAB).patient.regimen.value == 0.4


def test_a_vaccine_named_in_a_response_is_no_drug_asked_about(assistant):
    text = "42M, IgG 3.4 g/L, 3 pneumonias despite abx, no response to pneumovax. eligible under EU? dose at 75 kg?"
    frame, _ = assistant.frame(text, [], None, followed=False)
    assert frame.drug != "pneumovax" and frame.patient.vaccine_response == "impaired"
    assert "monitoring" not in frame.aspects


def test_the_trough_expected_after_a_change_of_dose_asks_the_levels_response():
    from assistant.answer_aspects import RESPONSE_ASKED

    assert RESPONSE_ASKED.search("if we bump her to 0.5 g/kg, roughly what trough do we expect?")
    assert RESPONSE_ASKED.search("what would the expected trough be on 600 mg/kg?")
    assert not RESPONSE_ASKED.search("what trough target do we aim for?")


def test_a_dose_stated_for_a_phase_over_is_not_the_dose_worked_out():
    from assistant.calculate import _of_phase_over

    q = "PID adult 55kg got the EU loading dose (0.8 g/kg) 4 wks ago. maintenance now - EU minimum per dose?"
    assert _of_phase_over(q, q.index("0.8 g/kg"))
    q = "PID adult 55kg, EU loading dose 0.8 g/kg - grams?"
    assert not _of_phase_over(q, q.index("0.8 g/kg"))


def test_a_dose_asked_for_the_first_infusion_is_a_dose_not_a_rate():
    eu = _hit(2, "In EU labelling, IVIG is started at 0.5 mL/kg/h for the first 30 minutes.", section="Infusion rates",
              doc="ig-administration-infusion-rates", title="IVIG administration")
    question = "XLA, 14yo, 48kg. EU smpc loading dose for first infusion?"
    worked = calculations(BOOK, read_question(question, VOCAB), [eu], question=question)
    assert not any("mL/h" in c.formula for c in worked)
    question = "XLA, 14yo, 48kg. EU starting rate for first infusion?"
    worked = calculations(BOOK, read_question(question, VOCAB), [eu], question=question)
    assert [c.formula for c in worked] == ["0.5 mL/kg/h × 48 kg = 24 mL/h"]


# ---- what the patient has tried, said after the drug ---------------------------------------------------------------
def test_a_drug_said_to_have_failed_after_its_name_is_the_patients_history():
    from assistant.vocabulary import history_drugs

    assert history_drugs("chronic tension-type HA, amitriptyline didnt help. neuro wants botox. does the VA/DoD support "
                         "that?") == ("amitriptyline",)
    assert set(history_drugs("PTSD, adequate trials of sertraline and venlafaxine both failed. what med is next?")) \
        == {"sertraline", "venlafaxine"}
    assert set(history_drugs("AUD, relapsed on naltrexone, topiramate gave him bad cognitive fog. next med?")) \
        == {"naltrexone", "topiramate"}
    # a drug asked about is no history
    assert history_drugs("what is the sertraline dose?") == ()
    assert history_drugs("sertraline or venlafaxine first for PTSD?") == ()
