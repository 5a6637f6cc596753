"""Round 13 of issue 14: a product's factor written "times 1.37"; a rounding step larger than the rules allow; a
titration step held to the same drug's steps; "instead of" for a population; a negated arithmetic operation; a lab
level restated in another unit as an example; a dose repeated sooner than the passage allows; a combination product
that is not a circumstance; a circumstance named as an exception; a daily ceiling below a single dose; a dose taken
with a drug class; a negated deficiency; a frequency past a long formulation name. The classes are data
(tests/doses/classes/round13.yaml, passages in our own words)."""

from __future__ import annotations

import pytest

from assistant.doses import check_report
from tests.doses.conftest import class_members, member_caught


@pytest.mark.parametrize("member", class_members("round13"))
def test_round13_class_member(corpus_book, member):
    assert member_caught(corpus_book, member) is member.caught


def test_a_factor_finding_names_the_factor_not_the_amount_before_it(corpus_book):
    report = check_report("Hizentra: do not multiply the whole 30 g by 1.37; use 7.5 g × 1.37 ≈ 10.3 g weekly.",
                          corpus_book)
    factors = [f for f in report.findings if f.unit == "1"]
    assert [f.text for f in factors] == ["1.37", "1.37"] and len({f.start for f in factors}) == 2


def test_a_rounding_step_too_large_names_the_rule(corpus_book):
    report = check_report("IVIG 0.5 g/kg every 4 weeks = 32 g; rounding to the nearest 10 g gives 30 g.", corpus_book,
                          weight_kg=64)
    step = [f for f in report.findings if f.text == "10 g"]
    assert step and step[0].verdict == "out_of_range" and step[0].rule_id == "rounding-ontario-5g"


def test_a_repeat_too_soon_is_the_time_withheld(corpus_book):
    sources = [p.values[0].sources[0] for p in class_members("round13") if "Naratriptan" in p.values[0].text]
    report = check_report("Naratriptan 2.5 mg at onset; can repeat after 1 hour; maximum 5 mg per day.", corpus_book,
                          sources=[sources[0]])
    assert [f.text for f in report.findings if f.verdict not in ("verified", "grounded")] == ["1 hour"]


def test_a_ceiling_below_the_dose_is_the_ceiling_withheld(corpus_book):
    sources = [p.values[0].sources[0] for p in class_members("round13") if "Sumatriptan nasal" in p.values[0].text]
    report = check_report("Sumatriptan nasal spray: 20 mg in one nostril at onset, maximum 12 mg per day.", corpus_book,
                          sources=[sources[0]])
    bad = [f for f in report.findings if f.verdict == "out_of_range"]
    assert [f.text for f in bad] == ["12 mg per day"] and "below" in bad[0].message
