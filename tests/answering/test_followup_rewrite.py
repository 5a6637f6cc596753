"""Deterministic follow-up rewriting: carry the topic, replace what changes, leave self-contained questions alone."""

from __future__ import annotations

import pytest

from assistant.followup import focus_of, standalone_question, topic_of
from assistant.vocabulary import load_vocabulary
from tests.conftest import CORPUS

VOCAB = load_vocabulary(CORPUS / "rules", CORPUS / "lexicon.yaml")
UNKNOWN = {"bicycle", "tyre", "flat", "fix", "migraine", "sourdough"}


def known(word: str) -> bool:
    return word not in UNKNOWN


def rewrite(*turns: str) -> list[str]:
    """Standalone questions of a conversation, each turn seeing the earlier standalone questions."""
    history: list[str] = []
    for turn in turns:
        history.append(standalone_question(turn, history, VOCAB, known=known))
    return history


def test_first_question_is_left_alone():
    assert rewrite("What is the IVIG dose for ITP in children?") == ["What is the IVIG dose for ITP in children?"]


def test_new_population_replaces_the_old_one():
    _, adults = rewrite("What is the IVIG dose for ITP in children?", "and in adults?")
    assert adults == "What is the IVIG dose for ITP in adults?"


def test_new_condition_replaces_the_old_one_and_keeps_the_question():
    *_, kawasaki = rewrite("What is the IVIG dose for ITP in children?", "what about Kawasaki?")
    assert "Kawasaki" in kawasaki and "ITP" not in kawasaki and "dose" in kawasaki and "children" in kawasaki


@pytest.mark.parametrize("follow_up", ["what dose?", "how long?", "how should it be monitored?"])
def test_aspect_follow_up_carries_drug_condition_and_context(follow_up):
    _, rituximab, standalone = rewrite("When should immunoglobulin replacement start in CLL?", "what if she had rituximab?", follow_up)
    assert rituximab == "When should immunoglobulin replacement start in CLL after rituximab?"
    assert "CLL" in standalone and "rituximab" in standalone and "immunoglobulin" in standalone
    assert standalone.lower().startswith(follow_up.rstrip("?").lower())


def test_population_is_carried_into_a_new_aspect():
    *_, standalone = rewrite("What is the IVIG dose for ITP in children?", "what should be monitored?")
    assert "ITP" in standalone and "children" in standalone and "monitored" in standalone


def test_affirmation_repeats_the_previous_question():
    first, yes = rewrite("How is IVIG dosed in obese patients?", "yes")
    assert yes == first


def test_self_contained_question_is_left_alone():
    _, second = rewrite("What IVIG dose is used for Kawasaki disease?", "What trough IgG should be targeted in CVID?")
    assert second == "What trough IgG should be targeted in CVID?"


def test_topic_the_corpus_does_not_know_is_not_glued_to_the_conversation():
    _, bike, migraine = rewrite("What IVIG dose is used for Kawasaki disease?", "how do I fix a flat bicycle tyre?", "and for migraine?")
    assert bike == "how do I fix a flat bicycle tyre?"
    assert migraine == "and for migraine?"


def test_topic_slots_keep_the_words_the_question_used():
    topic = topic_of("What SCIG dose after rituximab in CLL for children?", VOCAB)
    assert topic.drug.surface == "SCIG" and topic.condition.surface == "CLL"
    assert topic.context.name == "rituximab" and topic.population.name == "child" and topic.aspect.name == "dose"


def test_focus_names_condition_synonyms_and_the_other_population():
    focus = focus_of("IVIG dose for immune thrombocytopenia in children?", VOCAB)
    assert "itp" in focus.condition and "children" in focus.population and "adults" in focus.other_populations


def test_a_patients_circumstance_carries_only_into_follow_ups_it_changes():
    *_, trough = rewrite("72M CLL on ivig with renal impairment - dose?", "what trough do we want for him")
    assert "CLL" in trough and "renal" not in trough
    *_, rate = rewrite("72M CLL on ivig with renal impairment - dose?", "what infusion rate for him then")
    assert "renal impairment" in rate


def test_an_age_in_the_follow_up_replaces_the_earlier_age_group():
    *_, child = rewrite("pt had chills with last IVIG. premed doses for an adult?", "what if the pt is an 8yo, 25 kg — same premed doses?")
    assert "adult" not in child


def test_a_turn_about_a_different_patient_starts_over(assistant):
    session = assistant.sessions.create("local")
    first = assistant.ask("XLA teen, 50 kg, no infections for 3 yrs on SCIG, wants a break. ok?", session_id=session)
    assert first.question_frame.indication == "primary_immunodeficiency"
    other = assistant.ask("different pt - DLBCL treated with R-CHOP 2 yrs ago, on IVIG for 1 yr, remission. can we trial off?",
                          session_id=session)
    frame = other.question_frame
    assert frame.indication != "primary_immunodeficiency" and frame.patient.weight_kg is None  # nothing of the first patient
    assert "primary immunodeficiency" not in other.standalone_question.lower()


def test_a_follow_up_naming_another_product_converts_the_same_regimen(assistant):
    session = assistant.sessions.create("local")
    first = assistant.ask("70 kg PID pt on IVIG 35 g every 4 weeks, moving to hizentra - weekly dose?", session_id=session)
    assert "35 g ÷ 4 weeks × 1.37 = 12 g" in first.summary
    other = assistant.ask("what if cuvitru instead", session_id=session)  # its words retrieve no conversion passage
    assert "35 g ÷ 4 weeks × 1.3 = 11.4 g" in other.summary
    calculated = [st for sec in other.sections for st in sec.statements if st.calculated]
    assert calculated and not any(st.withheld for st in calculated)


def test_another_drug_instead_asks_about_that_drug_not_for_the_earlier_drugs_dose():
    _, dose, other = rewrite("What premedication is used before IVIG?", "what dose of diphenhydramine?",
                             "what about cetirizine instead?")
    assert "diphenhydramine" in dose and "dose" in dose.lower()
    assert "cetirizine" in other.lower() and "diphenhydramine" not in other and "dose" not in other.lower()
    # Asked again in words, the new drug's dose is asked.
    *_, asked = rewrite("What premedication is used before IVIG?", "what dose of diphenhydramine?", "and the cetirizine dose?")
    assert "cetirizine" in asked.lower() and "dose" in asked.lower()


def test_another_product_of_the_same_drug_keeps_the_dose_question():
    _, product = rewrite("What is the IVIG dose for ITP in adults?", "what about SCIG instead?")
    assert "dose" in product.lower()


def test_a_follow_up_naming_another_drug_does_not_carry_the_earlier_drugs_dose_in_its_frame(assistant):
    session = assistant.sessions.create("local")
    first = assistant.ask("what diphenhydramine dose before an IVIG infusion?", session_id=session)
    assert "dose" in first.question_frame.aspects
    other = assistant.ask("what about cetirizine instead?", session_id=session)
    assert other.question_frame.drug == "cetirizine" and "dose" not in other.question_frame.aspects


def test_a_drug_the_patient_has_already_tried_is_not_carried_into_follow_ups():
    _, follow = rewrite("CLL, tried diphenhydramine and still had chills with the infusion. what premedication next?",
                        "how long before the infusion?")
    assert "diphenhydramine" not in follow.lower()
    _, follow = rewrite("CLL with chills during the infusion: is diphenhydramine a good premedication?",
                        "how long before the infusion?")
    assert "diphenhydramine" in follow.lower()


@pytest.mark.parametrize("question, age", [("IVIG for women over 44?", 45.0), ("ITP in patients 65 and older?", 65.0),
                                           ("IVIG dose for a 7 year old?", 7.0), ("IVIG dose for ITP?", None)])
def test_focus_carries_the_patients_age_or_the_age_the_question_bounds(question, age):
    assert focus_of(question, VOCAB).age_years == age
