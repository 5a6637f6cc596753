"""A dose the cited passage states word for word is grounded in an answer; a dose that breaks a rule is not rescued."""

from __future__ import annotations

from assistant.doses.policy import verbatim
from assistant.models import DoseFinding


def _finding(text: str, dose: str, verdict: str) -> DoseFinding:
    start = text.index(dose)
    return DoseFinding(text=dose, start=start, end=start + len(dose), value=2.0, unit="mg", per_kg=False, verdict=verdict,
                       message="No rule for naloxone covers this dose, and no cited passage states it.")


def test_an_ungrounded_dose_in_a_sentence_the_passage_holds_is_grounded():
    passage = "Suboxone (buprenorphine/naloxone film): strengths 8 mg/2 mg and 2 mg/0.5 mg; induction 2-4 mg first dose."
    text = "Suboxone (buprenorphine/naloxone film): strengths 8 mg/2 mg and 2 mg/0.5 mg; induction 2-4 mg first dose [1]."
    (found,) = verbatim(text, [_finding(text, "2 mg", "ungrounded")], [passage])
    assert found.verdict == "grounded" and "word for word" in found.message


def test_a_reworded_sentence_or_a_broken_rule_keeps_its_verdict():
    passage = "Suboxone induction: 2-4 mg first dose."
    reworded = "Start Suboxone with 2 mg twice daily."
    (found,) = verbatim(reworded, [_finding(reworded, "2 mg", "ungrounded")], [passage])
    assert found.verdict == "ungrounded"
    text = "Suboxone induction: 2-4 mg first dose."
    (broken,) = verbatim(text, [_finding(text, "2-4 mg", "out_of_range")], [passage])
    assert broken.verdict == "out_of_range"
