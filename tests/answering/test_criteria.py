"""Criteria judged against the patient's history: infections, antibiotics and vaccine responses read from the question,
each criterion met, not met or not stated, and the judgement leading the answer to "does he qualify?"."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.criteria import judge, load_criteria
from assistant.errors import ConfigError
from assistant.history import history_of
from assistant.question import Patient, QuestionFrame, read_question
from assistant.vocabulary import load_vocabulary
from tests.conftest import CORPUS

VOCAB = load_vocabulary(CORPUS / "rules", CORPUS / "lexicon.yaml")
CRITERIA = load_criteria(CORPUS / "rules")


@pytest.mark.parametrize("text, expected", [
    ("CLL pt, IgG 3.2 g/L, hasn't really had infections", {"infections": "none"}),
    ("3 pneumonias this yr despite abx prophylaxis", {"infections": "severe", "infections_said": "3 pneumonias",
                                                      "despite_antibiotics": True}),
    ("a few sinus infections", {"infections": "recurrent", "infections_said": "a few sinus infections"}),
    ("had one UTI last year", {"infections": "single"}),
    ("he keeps getting otitis", {"infections": "recurrent"}),
    ("a couple of colds", {"infections": "minor", "infections_said": "a couple of colds"}),
    # The quality word nearest the response decides: the IgG is low, the vaccine titres are normal.
    ("14 mo w low IgG, normal vaccine titres", {"vaccine_response": "normal"}),
    ("poor response to pneumovax", {"vaccine_response": "impaired"}),
    # "pneumococcal responses" are vaccine responses, not infections.
    ("normal tetanus and pneumococcal responses", {"vaccine_response": "normal"}),
    ("IVIG dose for a 70 kg man", {}),
])
def test_history_read_from_the_question(text, expected):
    read = history_of(text).model_dump(exclude_none=True)
    assert {k: read.get(k) for k in expected} == expected
    assert bool(read) == bool(expected)


def _statuses(frame: QuestionFrame) -> dict[str, list[tuple[str, str]]]:
    return {j.criteria.id: [(label, status) for label, status, _ in j.statuses] for j in judge(CRITERIA, frame)}


def test_criteria_met_not_met_and_not_stated():
    frame = read_question("CLL, IgG 2.8 g/L, 3 pneumonias this yr despite abx prophylaxis. IVIG indicated?", VOCAB)
    judged = judge(CRITERIA, frame)
    assert [j.criteria.id for j in judged] == ["sid-start-eu"]
    assert {s for _, s, _ in judged[0].statuses} == {"met"}
    assert "eligible" in judged[0].text and "IgG 2.8 g/L" in judged[0].text
    # No infections: the IgG criterion is met, the infection criterion is not, the antibiotics one is not stated.
    frame = read_question("CLL pt, IgG 3.2 g/L, hasn't really had infections. start IVIG?", VOCAB)
    statuses = _statuses(frame)["sid-start-eu"]
    assert [s for _, s in statuses] == ["not met", "not stated", "met"]
    assert "not indicated" in judge(CRITERIA, frame)[0].text


def test_nothing_is_concluded_without_facts_or_from_criteria_not_stated():
    assert judge(CRITERIA, read_question("is IVIG indicated in CLL?", VOCAB)) == []
    # Only the antibiotics fact is given: nothing is met or failed, so the judgement lists what to check.
    frame = QuestionFrame(drug="immunoglobulin", indication="secondary_immunodeficiency", aspects=["indication"],
                          patient=Patient(igg_g_per_l=3.0))
    text = judge(CRITERIA, frame)[0].text
    assert "Not stated in the question" in text and "eligible" not in text and "not indicated" not in text


def test_the_criteria_of_the_context_come_first():
    frame = QuestionFrame(drug="immunoglobulin", indication="secondary_immunodeficiency", context="rituximab",
                          aspects=["indication"], patient=Patient(igg_g_per_l=3.0, infections="recurrent"))
    assert [j.criteria.id for j in judge(CRITERIA, frame)] == ["bcell-start-aaaai"]


def test_a_set_against_treatment_shows_only_when_all_its_criteria_hold():
    frame = read_question("14 mo boy, IgG 2.8 g/L, normal tetanus and pneumococcal responses, frequent colds. IVIG?", VOCAB)
    assert "normal-vaccine-responses" in _statuses(frame)
    # Recurrent bacterial infections: the set against treatment no longer holds.
    frame = read_question("14 mo boy, IgG 2.8 g/L, normal vaccine responses, keeps getting otitis. IVIG?", VOCAB)
    assert "normal-vaccine-responses" not in _statuses(frame)
    # A profoundly low IgG stated: not "not indicated", whatever the vaccine responses.
    frame = read_question("45F IgG 1.2 g/L, normal vaccine responses, no infections. IVIG?", VOCAB)
    assert "normal-vaccine-responses" not in _statuses(frame)


def test_a_malformed_criteria_file_is_a_clear_error(tmp_path: Path):
    (tmp_path / "criteria").mkdir()
    (tmp_path / "criteria" / "bad.yaml").write_text("criteria:\n  - id: x\n    decision: start\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not a criteria file"):
        load_criteria(tmp_path)
    assert load_criteria(tmp_path / "nowhere") == ()


def test_the_judgement_leads_the_answer_cited_to_the_criteria_passage(assistant):
    answer = assistant.ask("72M CLL, IgG 3.2 g/L, 3 pneumonias in a year despite prophylactic abx. does he qualify for ivig?")
    assert answer.summary.startswith("Criteria for starting IVIG in secondary immunodeficiency")
    first = answer.sections[0].statements[0]
    assert first.calculated is not None and first.calculated.rule_id == "sid-start-eu"
    cited = next(c for c in answer.citations if c.n == first.citations[0])
    assert cited.document_id == "ig-secondary-immunodeficiency" and "below 4 g/L" in cited.quote
    assert answer.question_frame.patient.infections == "severe"
    # Asked for a dose, the same patient gets the dose, not the judgement.
    dosed = assistant.ask("72M CLL, 80 kg, IgG 3.2 g/L, 3 pneumonias despite abx. EU IVIG dose in grams?")
    assert not dosed.summary.startswith("Criteria for")


@pytest.mark.parametrize("text, days, said", [
    ("allo HSCT day +45, IgG 310 mg/dL", 45, "day +45"),
    ("allo HSCT d60, IgG 350 mg/dL. IVIG?", 60, "d60"),
    ("now day 120, still on monthly IVIG", 120, "day 120"),
    ("6 wks after transplant, IgG 3.1 g/L", 42, "6 wks after"),
    ("3 mo post CVA, 72 yo", 91.2, "3 mo post"),
    ("day 2 of 5 of the GBS course", None, None),
    ("D5W at 100 mL/h", None, None),
])
def test_time_since_the_event_is_read_and_never_taken_for_an_age(text, days, said):
    patient = read_question(text, VOCAB).patient
    assert patient.days_since_event == days
    assert (patient.since_said or "").split()[:1] == (said or "").split()[:1]  # the question's words (abbreviations expanded)
    if "72 yo" in text:
        assert patient.age_years == 72


@pytest.mark.parametrize("text, g_per_l", [
    ("now she's day 140, IgG 380, no infections", 3.8),  # no unit: a number in the hundreds is mg/dL
    ("trough was 7.1", 7.1),  # a number below 25 is g/L
    ("IgG 35", None),  # neither: not read
    ("IgG subclass 2 deficiency", None),  # another number near the word is no level
])
def test_an_igg_level_without_its_unit_is_read_from_its_size(text, g_per_l):
    assert read_question(text, VOCAB).patient.igg_g_per_l == g_per_l


def test_criteria_for_a_period_after_an_event_apply_only_in_that_period():
    early = read_question("allo HSCT day +45, IgG 310 mg/dL. ok to give ivig?", VOCAB)
    judged = judge(CRITERIA, early)
    assert [j.criteria.id for j in judged] == ["hsct-early-tomblyn"] and "may be given" in judged[0].text
    # Beyond day 90 without infections: the late criteria, not met, say routine IVIG is not recommended.
    late = read_question("allo HSCT, now day 120, IgG 350 mg/dL, no infections. continue IVIG?", VOCAB)
    judged = judge(CRITERIA, late)
    assert [j.criteria.id for j in judged] == ["hsct-late-tomblyn"] and "not recommended" in judged[0].text
    # The same patient with recurrent sinus infections: continued IVIG can be considered.
    again = read_question("allo HSCT day 140, IgG 350 mg/dL, keeps getting sinus infections. keep IVIG going?", VOCAB)
    assert "can be considered" in judge(CRITERIA, again)[0].text


def test_asked_whether_to_continue_the_period_criteria_lead(assistant):
    answer = assistant.ask("allo SCT, now day 120, IgG 350 mg/dL, on monthly IVIG, no infections. continue?")
    assert answer.summary.startswith("Criteria for continuing IVIG beyond day 90"), answer.summary
    assert "not recommended" in answer.summary.split("[")[0]
    # Asked how long, no judgement: the duration passages answer.
    asked = assistant.ask("allo SCT day 120, IgG 350 mg/dL. how long do we continue IVIG?")
    assert not asked.summary.startswith("Criteria for")


def test_a_products_own_criteria_for_a_switch_apply_when_it_is_named():
    early = read_question("CVID pt had first ivig 6 wks ago, only 2 infusions so far. can we switch him to hizentra now?", VOCAB)
    assert early.patient.days_since_event == 42
    judged = judge(CRITERIA, early, decision="switch")
    assert [j.criteria.id for j in judged] == ["hizentra-switch-us"] and "at least 3 months" in judged[0].text
    later = read_question("CVID pt on IVIG since 5 months ago. can we switch him to hizentra now?", VOCAB)
    assert "within the label" in judge(CRITERIA, later, decision="switch")[0].text
    # Another product named: the Hizentra label's rule is not borrowed.
    other = read_question("CVID pt had first ivig 6 wks ago. can we switch him to cuvitru now?", VOCAB)
    assert judge(CRITERIA, other, decision="switch") == []


def test_low_igg_from_protein_loss_is_answered_by_treating_the_cause(assistant):
    answer = assistant.ask("dad is nephrotic, IgG 2.8 g/L. IVIG?")
    assert "underlying condition" in answer.summary.split("[")[0]
