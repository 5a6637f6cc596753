"""The extraction grammar: values, ranges, words, units, cadence, comparators, weights."""

from __future__ import annotations

import pytest

from assistant.doses.numbers import number
from assistant.doses.parse import scan


def amounts(book, text):
    return scan(text, book.lexicon).amounts


@pytest.mark.parametrize("text, low, high, unit", [
    ("IVIG 0.4-0.6 g/kg", 0.4, 0.6, "g/kg"),
    ("IVIG 0.2 to 0.4 g/kg", 0.2, 0.4, "g/kg"),
    ("IVIG 400–600 mg/kg", 400, 600, "mg/kg"),
    ("IVIG between 0.4 and 0.6 g/kg", 0.4, 0.6, "g/kg"),
    ("IVIG from 200 to 800 mg/kg", 200, 800, "mg/kg"),
    ("IVIG 400 mg/kg to 0.6 g/kg", 0.4, 0.6, "g/kg"),
    ("one gram per kilogram of IVIG", 1, 1, "g/kg"),
    ("IVIG two hundred milligrams per kilogram", 200, 200, "mg/kg"),
    ("IgG < 400 mg/dL", 400, 400, "mg/dL"),
    ("rate 4.8 mL/kg/hr", 4.8, 4.8, "mL/kg/h"),
    ("acetaminophen 1,000 mg", 1000, 1000, "mg"),
    ("SCIG 100 mg/kg per week", 100, 100, "mg/kg/week"),
])
def test_values_ranges_and_units(book, text, low, high, unit):
    (a,) = amounts(book, text)
    assert (a.low, a.high, a.unit) == (pytest.approx(low), pytest.approx(high), unit)
    assert a.text.strip() in text


def test_number_words():
    assert number("three")[0] == 3
    assert number("twenty-five")[0] == 25
    assert number("four hundred")[0] == 400
    assert number("one and a half")[0] == 1.5


@pytest.mark.parametrize("text, interval, kind", [
    ("IVIG 0.4 g/kg every 3-4 weeks", (21, 28), "dose"),
    ("IVIG 0.4 g/kg every three to four weeks", (21, 28), "dose"),
    ("IVIG 0.4 g/kg q4w", (28, 28), "dose"),
    ("IVIG 0.4 g/kg weekly", (7, 7), "dose"),
    ("IVIG 0.4 g/kg monthly", (30.4375, 30.4375), "dose"),
    ("IVIG 0.4 g/kg daily for 5 days", (1, 1), "dose"),
    ("IVIG 0.4 g/kg/day for 5 days", (1, 1), "dose"),
    ("IVIG 2 g/kg over 2-5 days", None, "course"),
    ("IVIG 2 g/kg total", None, "course"),
    ("acetaminophen 650 mg every 4-6 hours", (1 / 6, 1 / 4), "dose"),
    ("every 3 weeks: IVIG 1 g/kg", (21, 21), "dose"),  # named before the amount
    ("IVIG every 4 weeks, then weekly SCIG 0.1 g/kg", (7, 7), "dose"),  # before it, the nearest phrase counts
])
def test_cadence(book, text, interval, kind):
    (a,) = amounts(book, text)
    assert a.cadence.kind == kind
    if interval is None:
        assert a.cadence.interval is None
    else:
        assert a.cadence.interval == pytest.approx(interval)


def test_course_words_clear_the_interval_and_its_words(book):
    (a,) = amounts(book, "1 g/kg per day is a daily dose, so the 2 g/kg total")[1:]
    assert a.cadence.kind == "course" and a.cadence.interval is None and a.cadence.text is None


def test_duration_single_and_infusion_time(book):
    (a,) = amounts(book, "IVIG 0.4 g/kg daily for 5 days")
    assert a.cadence.duration == (5, 5)
    (k,) = amounts(book, "IVIG 2 g/kg as a single infusion over 10-12 hours")
    assert k.cadence.single and k.cadence.duration is None


@pytest.mark.parametrize("text, comparator", [
    ("IgG < 400 mg/dL", "<"), ("IgG below 4 g/L", "<"), ("IgG above 6 g/L", ">"),
    ("IgG at least 6 g/L", ">="), ("IgG >= 6 g/L", ">="), ("IgG ≥ 6 g/L", ">="), ("IgG 6 g/L", None),
])
def test_comparators(book, text, comparator):
    (a,) = amounts(book, text)
    assert a.comparator == comparator


def test_weights_drugs_and_indications(book):
    s = scan("A 70 kg adult with CVID gets IVIG 0.4 g/kg; ideal body weight 60 kg.", book.lexicon)
    assert [w.kg for w in s.weights] == [70, 60]
    assert [w.kind for w in s.weights] == ["plain", "ideal"]
    assert [d.canonical for d in s.drugs] == ["immunoglobulin"]
    assert [i.canonical for i in s.indications] == ["primary_immunodeficiency"]
    assert [a.unit for a in s.amounts] == ["g/kg"]  # "70 kg" is a weight, never a dose


def test_non_dose_numbers_are_not_amounts(book):
    text = ("Patients aged 65 years; 100 days; 27% fewer; p=0.003; hazard ratio 0.47; day 90; in 2011; "
            "half-life 18-23 days; every 6-12 months.")
    assert amounts(book, text) == ()


def test_counted_number_words_are_not_amounts(book):
    assert [a.text for a in amounts(book, "600 mg/dL is 6 g/L in the other of the two units")] == ["600 mg/dL", "6 g/L"]
    assert [a.text for a in amounts(book, "give ten units of insulin")] == ["ten units"]


@pytest.mark.parametrize("text, factors", [
    ("converted by multiplying by 60 minutes per hour, the same as multiplying by 0.6", [0.6]),
    ("the dose adjustment factor for Hizentra is 1.37", [1.37]),
    ("weekly dose = 30 g / 4 x 1.37", [1.37]),
])
def test_stated_factors(book, text, factors):
    assert [f for _, _, f in scan(text, book.lexicon).factors] == factors


def test_companions_share_the_cadence(book):
    first, second = amounts(book, "IVIG 400 mg/kg (0.4 g/kg) every 4 weeks")
    assert second.head == 0 and second.cadence.interval == (28, 28) == first.cadence.interval


@pytest.mark.parametrize("text, flag", [
    ("IVIG 1.0 g/kg", "trailing_zero"), ("IVIG .4 g/kg", "naked_decimal"), ("IVIG400mg/kg", "run_together"),
    ("heparin 5000 U", "U"), ("HBIG 10000 IU", "IU"), ("hydrocortisone 100 ug", "ug"), ("vitamin 50 µg", "µg"),
    ("saline 50 cc", "cc"),
])
def test_notation_flags_on_amounts(book, text, flag):
    (a,) = amounts(book, text)
    assert flag in a.flags


@pytest.mark.parametrize("text, flag", [("acetaminophen 650 mg QD", "QD"), ("SCIG 100 mg/kg QOD", "QOD")])
def test_notation_flags_on_frequency(book, text, flag):
    (a,) = amounts(book, text)
    assert flag in a.cadence.flags


def test_decimal_comma_is_read_and_unreadable_parts_are_problems(book):
    (comma,) = amounts(book, "IVIG 0,4 g/kg")
    assert comma.problem is None and comma.low == 0.4
    (tail,) = amounts(book, "IVIG 0.4 g/kg/fortnight")
    assert tail.problem
