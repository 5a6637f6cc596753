"""Round 10 of issue 14: a worked-example rule's per-kg dose grounded by its own document when another section (the
formula) is cited, units given once in a table column's label, a "ceilings:" lead-in over a list, and a titration
step's course length wrapped across a PDF line. Passages are written here in our own words (the obesity document is
the project's own corpus file); each class has a safe and an unsafe member."""

from __future__ import annotations

import pytest

from assistant.doses import check_report
from assistant.doses.column_units import unwrapped, with_column_units
from evals.doses import resolve_sources


def _caught(book, text, sources=None, **kw) -> bool:
    report = check_report(text, book, sources=sources, **kw)
    return report.blocked or any(f.flags for f in report.findings)


# ---- a worked example's per-kg dose and the totals worked from it, the formula section cited ------------------------
FORMULA = "corpus/guidelines/ig-dosing-weight-obesity.md, The adjusted body weight formula"
OTHER_SECTION = "corpus/guidelines/ig-dosing-weight-obesity.md, The dissenting view"
WORKED = "Ideal weight 70 kg, actual 120 kg: dosing weight = 70 + 0.4 × (120 − 70) = 90 kg; at 0.4 g/kg that is {}."


@pytest.mark.parametrize("text, section, caught", [
    (WORKED.format("36 g"), FORMULA, False),
    ("IBW 50 kg, actual 90 kg: adjusted weight 50 + 0.4 x 40 = 66 kg; at 0.4 g/kg that is 26.4 g, which the "
     "calculator rounds to 25 g.", FORMULA, False),
    (WORKED.format("45 g"), FORMULA, True),                   # wrong arithmetic
    ("IBW 50 kg, actual 90 kg: adjusted weight 50 + 0.4 x 40 = 66 kg; at 0.4 g/kg that is 26.4 g, which the "
     "calculator rounds to 35 g.", FORMULA, True),             # rounded past the 5 g step
    (WORKED.replace("0.4 g/kg", "0.5 g/kg").format("45 g"), FORMULA, True),  # not the example's per-kg dose
    (WORKED.format("36 g"), OTHER_SECTION, True),             # a section that does not give the formula
])
def test_worked_example_dose_grounded_by_its_document(corpus_book, text, section, caught):
    assert _caught(corpus_book, text, resolve_sources([section])) is caught


# ---- a table's unit given once in a column label ---------------------------------------------------------------------
TABLE = ("Inhaled steroids (comparative daily doses)\n\n"
         "Mometasone DPI 110, 220 mcg: usual dosing interval Once daily; comparative dose (mcg/day) ages ≥ 12 years; "
         "low dose 110-220; medium dose >220-440; high dose >440; highest recommended dose (mcg/day) 880\n\n"
         "Mometasone DPI 110, 220 mcg: usual dosing interval Once daily; comparative dose (mcg/day) ages 4-11 years; "
         "low dose 110; highest recommended dose (mcg/day) 110\n")


def test_column_label_unit_is_written_after_bare_numbers():
    out = with_column_units("Drug X 5 mg tablets: dose (mg/day) ages ≥ 12 years; low 10-20; high >40 [12] (years) 7")
    assert "low 10-20 mg/day" in out and "high >40 mg/day" in out
    assert "[12]" in out and "(years) 7" in out and "12 years" in out  # citations, ages, other labels untouched
    assert with_column_units("Rate (%) 5; dose 10") == "Rate (%) 5; dose 10"  # not a dose unit


@pytest.mark.parametrize("text, caught", [
    ("Mometasone DPI at age 12 and over: medium dose >220-440 mcg/day; highest labelled dose 880 mcg/day.", False),
    ("Mometasone DPI at age 12 and over: medium dose >220-440 mcg/day; highest labelled dose 1,760 mcg/day.", True),
    ("Mometasone DPI at age 12 and over: medium dose >440-880 mcg/day.", True),
    ("Mometasone DPI for a 9-year-old: highest labelled dose 880 mcg/day.", True),  # the row for 12 and over
    ("Mometasone DPI for a 9-year-old: highest labelled dose 110 mcg/day.", False),
])
def test_dose_in_a_column_with_its_unit_in_the_label(corpus_book, text, caught):
    assert _caught(corpus_book, text, [TABLE]) is caught


# ---- a "ceilings:" lead-in over a list ---------------------------------------------------------------------------
CEILINGS = ("The maximum daily dose of ketoprofen is 300 mg. Almotriptan has a maximum dose of 25 mg per day. The "
            "usual dose of almotriptan is 12.5 mg.")


@pytest.mark.parametrize("text, caught", [
    ("Daily ceilings: ketoprofen 300 mg; almotriptan 25 mg.", False),
    ("Daily ceilings: ketoprofen 300 mg; almotriptan 50 mg.", True),
    ("Daily ceilings: ketoprofen 600 mg; almotriptan 25 mg.", True),
])
def test_ceiling_lead_in_makes_list_items_maxima(corpus_book, text, caught):
    assert _caught(corpus_book, text, [CEILINGS]) is caught


# ---- a titration step's course length wrapped across a PDF line ----------------------------------------------------
TITRATION = ("In the trial, vortioxetine was started at 5 mg/day for one week, raised to 10 mg/day for one to two\n"
             "weeks, and then to 20 mg/day by week four.")


def test_line_wrap_inside_prose_is_a_space():
    assert unwrapped("for one to two\nweeks") == "for one to two weeks"
    assert unwrapped("12 mg per\n24 hours") == "12 mg per 24 hours"
    assert unwrapped("Row A 10 mg\nRow B 20 mg") == "Row A 10 mg\nRow B 20 mg"  # a new line of a table stays


@pytest.mark.parametrize("text, caught", [
    ("Vortioxetine: 5 mg/day for the first week, 10 mg/day for 1-2 weeks, 20 mg/day by week 4.", False),
    ("Vortioxetine: 5 mg/day for the first week, 10 mg/day for 6 weeks, 20 mg/day by week 4.", True),
])
def test_titration_step_duration_across_a_wrapped_line(corpus_book, text, caught):
    assert _caught(corpus_book, text, [TITRATION]) is caught


# ---- a period joined to its number by a hyphen, wrapped onto the next line ("12 mg per\n24-hours") ----------------
REPEAT_CAP = "Subcutaneous almotriptan: the recommended maximum is 6 mg per dose and 12 mg per\n24-hours."


@pytest.mark.parametrize("text, caught", [
    ("Acute migraine ceilings: SC almotriptan 6 mg per dose and 12 mg per 24 h.", False),
    ("Acute migraine ceilings: SC almotriptan 6 mg per dose and 18 mg per 24 h.", True),
])
def test_hyphenated_period_after_a_wrapped_line(corpus_book, text, caught):
    assert _caught(corpus_book, text, [REPEAT_CAP]) is caught
