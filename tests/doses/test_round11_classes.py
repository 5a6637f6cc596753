"""Round 11 of issue 14: numbers that are not doses but that a wrong value makes unsafe (a treatment's target level, a
waiting time, a contraindication threshold, the body weight doses are calculated on), held to the cited passage; a
passage dose for a circumstance the question names, or per kg of the patient's weight; a factor ruled out for another
labelling; words of zero time; a dietary intake advised in drug units; mmol restated as mg; a drug named after its
dose; a parenthesis judging a dose of its own. The classes are data (tests/doses/classes/round11.yaml, passages in our
own words)."""

from __future__ import annotations

import pytest

from assistant.doses import check_report
from tests.doses.conftest import class_members, member_caught


@pytest.mark.parametrize("member", class_members("round11"))
def test_round11_class_member(corpus_book, member):
    assert member_caught(corpus_book, member) is member.caught


@pytest.mark.parametrize("text, drug", [
    ("Naproxen sodium 550 mg at onset.", "naproxen"),
    ("Sodium bicarbonate 650 mg three times daily.", "sodium bicarbonate"),
    ("Aim for 2,000 mg of sodium a day.", "dietary_sodium"),
])
def test_a_salt_of_a_drug_is_the_drug_and_a_dietary_intake_is_its_own(corpus_book, text, drug):
    assert [f.drug for f in check_report(text, corpus_book).findings] == [drug]


def test_a_target_with_no_recommendation_in_the_passage_is_left_to_the_other_checks(corpus_book):
    report = check_report("On an insulin drip: titrate to 80-110 mg/dL.", corpus_book,
                          sources=["Insulin infusions are run by a nurse-driven protocol."])
    assert not report.findings


def test_the_finding_names_the_passages_recommendation(corpus_book):
    sources = [p.values[0].sources[0] for p in class_members("round11") if "80-110" in p.values[0].text]
    report = check_report("Post-MI patient on an insulin drip: titrate to a tight 80-110 mg/dL.", corpus_book,
                          sources=list(sources))
    found = [f for f in report.findings if f.verdict == "out_of_range"]
    assert found and "recommend" in found[0].message and found[0].text == "80-110 mg/dL"
