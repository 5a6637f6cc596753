"""Issue 14, round 7: a dose attributed to a named source is verified by that source's rules only; counts of tablets
read as doses when the cited passage gives one tablet's strength; a day's total worked out from a right dose; a
product's verified SCIG factor marks a conversion. Passages are written here in our own words."""

from __future__ import annotations

import pytest

from assistant.doses import check_report, check_text
from assistant.doses.authorities import attributed, named_sources
from assistant.doses.counts import counts, strengths
from assistant.doses.parse import scan


def _blocked(book, text, sources=None) -> bool:
    return check_report(text, book, sources=sources).blocked


# ---- a named source picks its own rule --------------------------------------------------------------------------
@pytest.mark.parametrize("text, blocked", [
    # Ontario's adult range starts at 0.4 g/kg: a lower bound taken from elsewhere is wrong when Ontario is named.
    ("For an adult with PID, per Ontario, IVIG maintenance is 0.3-0.6 g/kg every 4 weeks.", True),
    ("For an adult with PID, per Ontario, IVIG maintenance is 0.4-0.6 g/kg every 4 weeks.", False),
    # The same 0.3-0.6 g/kg with no source named: another rule (the EU range) holds it.
    ("For an adult with PID, IVIG maintenance is 0.3-0.6 g/kg every 4 weeks.", False),
    # AAAAI's starting range is 400-600 mg/kg; the EU maintenance range would hold 300 mg/kg.
    ("In PID the AAAAI guiding principles start IVIG at 300 mg/kg every 4 weeks.", True),
    ("In PID the AAAAI guiding principles start IVIG at 400-600 mg/kg every 3-4 weeks.", False),
])
def test_a_dose_attributed_to_a_source_needs_that_sources_rule(corpus_book, text, blocked):
    assert _blocked(corpus_book, text) is blocked


def test_the_nearest_named_source_before_a_dose_is_its_source():
    text = "Ontario gives adults 0.4-0.6 g/kg, whereas the EU SmPC allows 0.2-0.8 g/kg."
    first, second = text.index("0.4"), text.index("0.2")
    assert attributed(text, 0, len(text), first) == "ontario"
    assert attributed(text, 0, len(text), second) == "eu"
    # "American Academy of Allergy" is AAAAI, not an American (US) label.
    assert [k for _, _, k in named_sources("the American Academy of Allergy, Asthma & Immunology")] == ["aaaai"]
    assert attributed("IVIG 0.4 g/kg every 4 weeks.", 0, 30, 5, context="What does Ontario give?") == "ontario"


def test_a_named_source_with_no_rule_for_the_indication_does_not_withhold(corpus_book):
    # The US labels here give no dose for primary immunodeficiency without a product named: the rules still apply.
    assert not _blocked(corpus_book, "US practice for PID: IVIG 400-600 mg/kg every 3-4 weeks.")


# ---- counts of tablets -------------------------------------------------------------------------------------------
TABLE = ("Phentermine-like combination (Examplo): tablets (5 mg/50 mg) titrated weekly; maintenance 2 tablets twice daily "
         "(alphadrine 10 mg/betazine 100 mg); Renal impairment: maximum 1 tablet twice a day.")


def _row(text: str) -> str:
    return text.replace("alphadrine", "naltrexone").replace("betazine", "bupropion").replace(
        "Phentermine-like combination (Examplo)", "Naltrexone/bupropion ER")


def test_counts_and_strengths_are_read(corpus_book):
    assert [(c.lo, c.hi) for c in counts("take one or two capsules, then 3 tablets")] == [(1.0, 2.0), (3.0, 3.0)]
    src = scan(_row(TABLE), corpus_book.lexicon)
    (strength, dim), = strengths(src, "naltrexone/bupropion")
    assert dim == "mass" and strength == pytest.approx(0.005)  # grams: 5 mg per tablet


@pytest.mark.parametrize("text, blocked", [
    ("Naltrexone/bupropion ER maintenance is 2 tablets twice daily.", False),
    ("Naltrexone/bupropion ER maintenance is 4 tablets twice daily.", True),
    ("Naltrexone/bupropion ER in renal impairment stays at 2 tablets twice daily.", True),   # the passage's renal cap
    ("In renal impairment, naltrexone/bupropion ER is limited to a maximum of 1 tablet twice a day.", False),
])
def test_a_tablet_count_is_a_dose_when_the_passage_gives_the_strength(corpus_book, text, blocked):
    assert _blocked(corpus_book, text, [_row(TABLE)]) is blocked


def test_a_count_whose_strength_no_passage_gives_is_not_read(corpus_book):
    found = check_text("Take 2 tablets twice daily of naltrexone/bupropion ER.", corpus_book,
                       sources=["Naltrexone/bupropion ER is used for weight management."])
    assert not any(f.text.endswith("tablets") for f in found)


# ---- a day's total worked out from a right dose ------------------------------------------------------------------
@pytest.mark.parametrize("text, blocked", [
    ("Naltrexone/bupropion ER 2 tablets twice daily gives naltrexone 20 mg and bupropion 200 mg a day.", False),
    ("Naltrexone/bupropion ER 2 tablets twice daily gives naltrexone 40 mg and bupropion 400 mg a day.", True),
])
def test_a_days_total_of_a_counted_dose(corpus_book, text, blocked):
    assert _blocked(corpus_book, text, [_row(TABLE)]) is blocked


ROW = "Acamprosate: 666 mg three times daily; CrCl 30-50 mL/min: 333 mg three times daily."


@pytest.mark.parametrize("text, blocked", [
    ("Acamprosate 666 mg three times daily comes to 1,998 mg per day.", False),
    ("Acamprosate 666 mg three times daily comes to 2,664 mg per day.", True),     # four doses' worth
    ("Acamprosate 999 mg three times daily comes to 2,997 mg per day.", True),     # the dose itself is wrong
])
def test_a_days_total_is_as_right_as_the_dose_it_sums(corpus_book, text, blocked):
    assert _blocked(corpus_book, text, [ROW]) is blocked


# ---- a verified SCIG factor marks a conversion ------------------------------------------------------------------
@pytest.mark.parametrize("text, blocked", [
    ("Hizentra (US label): IVIG 36 g every 4 weeks gives 9 g per week; × 1.37 ≈ 12.3 g weekly.", False),
    ("Hizentra (US label): IVIG 36 g every 4 weeks gives 9 g per week; × 1.37 ≈ 15 g weekly.", True),
    ("Hizentra (US label): IVIG 36 g every 4 weeks gives 12 g per week; × 1.37 ≈ 16.4 g weekly.", True),
])
def test_a_products_factor_applied_makes_a_conversion(corpus_book, text, blocked):
    assert _blocked(corpus_book, text, ["US labels: weekly SCIG dose = IVIG grams / weeks between doses x 1.37 for "
                                        "Hizentra."]) is blocked
