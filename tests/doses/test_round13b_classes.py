"""Round 13 of issue 14, second part: a volume given as "or" a mass of a stated concentration; a rounded dose that is
not the nearest multiple of its step; a course total named before the amount; a conversion factor in words; a drug's
class in parentheses in a dosage table; the dose a titration raises to; a table row's repeat in its next part; a daily
ceiling stated beside a dose repeated within the day; a right dose of one drug set aside with "rather than"; more
than four doses a day. The classes are data (tests/doses/classes/round13b.yaml)."""

from __future__ import annotations

import pytest

from assistant.doses import check_report
from assistant.doses.drugnames import dictionary_drugs
from tests.doses.conftest import class_members, member_caught


@pytest.mark.parametrize("member", class_members("round13b"))
def test_round13b_class_member(corpus_book, member):
    assert member_caught(corpus_book, member) is member.caught


def test_a_misrounded_dose_is_the_rounded_dose_withheld(corpus_book):
    report = check_report("For an 80 kg adult with PID, IVIG 0.4 g/kg every 4 weeks is 32 g; rounded to the nearest 5 g, "
                          "35 g.", corpus_book, weight_kg=80)
    bad = [f for f in report.findings if f.verdict not in ("verified", "grounded")]
    assert [f.text for f in bad] == ["35 g"] and "rounded" in bad[0].message


def test_a_factor_in_words_is_read_with_its_value(corpus_book):
    report = check_report("For Cuvitru, multiply the weekly IVIG equivalent by one point three seven.", corpus_book)
    factors = [f for f in report.findings if f.unit == "1"]
    assert [(f.text, f.value, f.verdict) for f in factors] == [("one point three seven", 1.37, "out_of_range")]


def test_a_class_in_parentheses_after_a_drug_is_no_drug():
    assert [m.canonical for m in dictionary_drugs("Metformin (Biguanides): 500 mg once daily")] == ["metformin"]
    # Not in parentheses right after a drug: the word stands as the dictionary reads it.
    assert "biguanides" in [m.canonical for m in dictionary_drugs("Biguanides lower glucose")]


def test_more_than_four_doses_a_day_is_read_as_their_interval():
    from assistant.doses.cadence import cadence

    assert cadence("six times daily", "", None).interval == (1 / 6, 1 / 6)
    assert cadence("10 times a day", "", None).interval == (0.1, 0.1)
