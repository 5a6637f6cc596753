"""Clinician questions round 11 (#12): the patient's state, how often to check, the section an aspect is answered in,
the target asked, and whom a statement is for. One test per class; the words are the shared lexicon's.

- a question places its patient in a state (stable, an active infection, infections that keep coming); a state it
  supposes ("once he's better") wins, a state it negates ("not stable") does not count;
- a statement whose condition only holds in a state the patient's rules out gives way to one that holds for the patient;
- asked how often to check, the interval of a check answers, not another interval;
- an aspect answered in a section of its own (monitoring, adverse effects) names that section to retrieval;
- asked a target, a statement stating a level to keep answers before one on when to measure it;
- a population phrase that names no condition or population the vocabulary knows ("in healthy adults") places no
  patient elsewhere.
"""

from __future__ import annotations

import json

from assistant.compose import UNASKED_POPULATION_PENALTY, aspect_sections, candidates, compose, names_any
from assistant.followup import concept_tokens, focus_of
from assistant.retrieval import Hit
from assistant.vocabulary import condition_states, excluded_states, load_vocabulary, patient_states
from assistant.whom import unasked_population
from tests.conftest import CORPUS

VOCAB = load_vocabulary(CORPUS / "rules", CORPUS / "lexicon.yaml")


def _hit(n: int, text: str, section: str = "Monitoring", score: float = 1.0, doc: str = "trough",
         title: str = "Trough IgG monitoring") -> Hit:
    meta = {"doc_id": doc, "title": title, "heading_path": json.dumps([title, section])}
    return Hit(f"{doc}:{n:04d}:x", text, meta, score)


# ---- the patient's state -------------------------------------------------------------------------------------------
def test_a_question_places_its_patient_in_a_state():
    assert patient_states("CVID on IVIG, stable for 3 yrs, no serious infx. ok to trial off?") == ("stable",)
    assert patient_states("admitted with pneumonia, should we hold the ivig?") == ("active_infection",)
    assert patient_states("still getting sinusitis despite a trough of 7, go up?") == ("breakthrough_infections",)
    assert patient_states("IVIG 0.4 g/kg every 4 weeks for CVID, what trough?") == ()


def test_a_supposed_state_wins_and_a_negated_one_does_not_count():
    assert patient_states("on abx for pneumonia now; once the infection clears, restart the usual dose?") == ("stable",)
    assert "stable" not in patient_states("pt not stable, infections keep coming")
    assert excluded_states(("stable",)) == {"active_infection", "breakthrough_infections"}


def test_a_statements_condition_names_a_state():
    assert condition_states("During an active infection, trough IgG is checked about every 2 weeks.") == {"active_infection"}
    assert condition_states("Once the infection has resolved, resume the usual schedule.") == {"stable"}
    assert condition_states("If infections continue despite a trough above 7 g/L, raise the dose.") == {"breakthrough_infections"}
    assert condition_states("Active infection speeds IgG consumption.") == frozenset()  # no condition clause


ACTIVE = "During an active infection, trough IgG is checked about every 2 weeks because IgG is consumed faster."
STABLE = "Once replacement is stable and the patient is free of serious infections, trough IgG is checked every 6-12 months."


def test_a_statement_for_another_state_gives_way_to_the_patients():
    hits = [_hit(1, ACTIVE, score=1.0), _hit(2, STABLE, score=0.95)]
    assert compose("CVID, stable 3 yrs, no serious infx. how often to check the trough?", hits, 6).direct[0].text == STABLE
    assert compose("CVID pt admitted with pneumonia. how often to check the trough?", hits, 6).direct[0].text == ACTIVE


# ---- how often to check ---------------------------------------------------------------------------------------------
def test_asked_how_often_to_check_the_interval_of_a_check_answers():
    other = "Infusions are given every 3 weeks in some patients to smooth out the troughs."
    hits = [_hit(1, other, score=1.0), _hit(2, "Trough IgG levels are measured every 6-12 months.", score=0.9)]
    draft = compose("how often do we check trough levels?", hits, 6, asked=("monitoring",))
    assert draft.direct[0].text.startswith("Trough IgG levels are measured")


# ---- the section an aspect is answered in ---------------------------------------------------------------------------
def test_an_aspect_answered_in_its_own_section_names_that_section():
    assert aspect_sections("how often do we check the trough?") == ("Monitoring",)
    assert aspect_sections("any side effects to watch for?") == ("Adverse effects",)
    assert aspect_sections("what dose for CIDP?") == ()  # a dose is found where the question's words find it
    assert aspect_sections("ivig 0.4 g/kg, how often to monitor and what dose?") == ()


def test_a_term_is_named_whatever_its_case():
    assert names_any("Trough IgG is measured before the infusion.", ("trough IgG",))


# ---- the target asked -----------------------------------------------------------------------------------------------
def test_asked_a_target_a_level_to_keep_answers():
    when = "Trough IgG is measured just before the next infusion, every 6-12 months once stable."
    aim = "In bronchiectasis the aim is a trough IgG of at least 8 g/L."
    hits = [_hit(1, when, score=1.0), _hit(2, aim, score=0.9)]
    draft = compose("bronchiectasis on IVIG - what trough target?", hits, 6, asked=("target",))
    assert draft.direct[0].text == aim


# ---- whom a statement is for ----------------------------------------------------------------------------------------
def test_a_population_phrase_naming_no_known_concept_places_no_patient_elsewhere():
    concepts = concept_tokens(VOCAB)
    healthy = "In healthy adults the half-life of IgG is about 18-23 days."
    assert unasked_population(healthy, frozenset({"half", "life"}))  # without the vocabulary, any phrase places someone
    assert not unasked_population(healthy, frozenset({"half", "life"}), concepts)
    cll = "In patients with chronic lymphocytic leukaemia, IgG below 4 g/L with recurrent infections supports replacement."
    assert unasked_population(cll, frozenset({"kawasaki"}), concepts)  # a known condition the question does not name


def test_a_statement_naming_the_questions_condition_is_about_its_patient():
    question = "myeloma pt starting IVIG - any special precautions?"
    focus = focus_of(question, VOCAB)
    MYELOMA = "Immunoglobulin in multiple myeloma"
    own = "In multiple myeloma, IVIG is given at the minimum practicable rate in patients at risk of thrombosis."
    other = "In our experience, IVIG is given at the minimum practicable rate in patients at risk of thrombosis."
    scores = {c.text: c.score for c in candidates(question, [_hit(1, own, title=MYELOMA), _hit(2, other, title=MYELOMA)], focus)}
    # the same precaution, the one naming the patient's myeloma unpenalised, the other placed on patients at risk of
    # thrombosis (a population the vocabulary knows and the question does not name)
    assert scores[own] - scores[other] >= UNASKED_POPULATION_PENALTY
