"""Who a turn is about: another person keeps none of the earlier patient, "back to the girl" answers for her again,
and what a turn asks of its own ("now what?", "premed?") leads for that patient."""

from __future__ import annotations

import re

import pytest

from assistant.people import about_another_person, audience, keeps_subject, returns_to_earlier_patient


@pytest.mark.parametrize("text", [
    "her 7 yo brother has XLA as well, 22 kg",
    "the pt's husband also has CVID",
    "next patient is a 40 kg woman with ITP",
    "another pt: 3yo with Kawasaki",
    "his mum has CVID too - dose for her?",
])
def test_another_person(text):
    assert about_another_person(text)


@pytest.mark.parametrize("text", [
    "she is 7 years old and 22 kg",
    "what if he weighs 60 kg instead?",
    "brother? no family history",  # a relative named without "his"/"her"/"the" is not a person the turn is about
    "is there another option for him?",
])
def test_the_same_person(text):
    assert not about_another_person(text)


def test_what_a_turn_about_another_person_carries():
    assert keeps_subject("his mum has CVID too - dose for her?") and keeps_subject("same regimen for the next pt?")
    assert not keeps_subject("next pt: 40 kg woman with ITP, IVIG dose?")


def test_back_to_a_person_not_a_topic():
    assert returns_to_earlier_patient("ok, going back to the girl: when is her next trough due?")
    assert returns_to_earlier_patient("back to our first pt - rate?")
    assert not returns_to_earlier_patient("back to replacement - what to monitor?")


def test_the_turns_a_turn_follows_on_from():
    turns = [{"question": "CVID girl 8 yo 25 kg, IVIG dose?"}, {"question": "trough target?"},
             {"question": "her dad has CVID too, 80 kg, same dose?"}, {"question": "and his trough target?"}]
    assert audience("back to the girl, when do we check?", turns).turns == turns[:2]
    moved = audience("her mum has CVID as well, 65 kg - same?", turns)
    assert moved.new_person and moved.turns == turns
    assert audience("next pt: 3 yo with Kawasaki, 14 kg", turns).turns == []
    assert audience("and the rate?", turns).turns == turns


def test_another_person_keeps_the_question_but_not_the_patient(assistant):
    session = assistant.sessions.create("local")
    first = assistant.ask("CVID girl, 8 yo, 25 kg - AAAAI IVIG starting dose?", session_id=session)
    assert first.question_frame.patient.weight_kg == 25 and "child" in first.question_frame.population
    other = assistant.ask("her dad has CVID as well, 80 kg - same range for him?", session_id=session)
    frame = other.question_frame
    assert frame.patient.weight_kg == 80 and frame.patient.age_years is None and "child" not in frame.population
    assert frame.indication == "primary_immunodeficiency" and "dose" in frame.aspects
    assert "25 kg" not in other.summary
    back = assistant.ask("back to the girl - what trough do we aim for?", session_id=session)
    assert back.question_frame.patient.weight_kg == 25 and "child" in back.question_frame.population


def test_another_person_said_to_be_the_same_is_asked_the_same_question(assistant):
    session = assistant.sessions.create("local")
    assistant.ask("GBS, 70 kg man - IVIG dose?", session_id=session)
    other = assistant.ask("his brother has GBS as well - same?", session_id=session)
    frame = other.question_frame
    assert "dose" in frame.aspects and frame.patient.weight_kg is None
    assert "70 kg" not in other.summary


def test_a_child_is_not_given_the_adult_premedication_doses(assistant):
    answer = assistant.ask("IVIG premedication doses for a 7 year old?")
    assert "child" in answer.question_frame.population
    shown = [st.text for sec in answer.sections for st in sec.statements] + [answer.summary]
    for text in shown:
        if re.search(r"\d\s*mg\b", text):
            assert not re.search(r"(?i)\badults?\b", text) or re.search(r"(?i)\bchild", text), text


def test_a_follow_up_in_shorthand_searches_the_drug_and_aspect_it_means(assistant):
    session = assistant.sessions.create("local")
    assistant.ask("rigors and headache with her last IVIG infusion", session_id=session)
    premed = assistant.ask("premed next time? adult, 60 kg", session_id=session)
    assert premed.status == "answered"
    assert re.search(r"(?i)diphenhydramine|acetaminophen|paracetamol|antihistamine", premed.summary)


def test_now_what_is_answered_by_what_to_do(assistant):
    answer = assistant.ask("chills and flushing 30 min into the IVIG - now what?")
    assert "what_to_do" in answer.question_frame.aspects
    assert re.search(r"(?i)\b(slow|paus|stop)", answer.summary.split(". ")[0])
