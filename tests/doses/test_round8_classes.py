"""Round 8 of issue 14: classes of correct doses withheld (and their unsafe twins) in texts checked against dosage
table rows and guideline sentences. Rows are written here in the form ingest/tables.py renders them, in our own words;
each class has safe members that must pass and unsafe ones that must be caught."""

from __future__ import annotations

import pytest

from assistant.doses import check_report
from assistant.doses.cadence import cadence


def _caught(book, text, sources=None, **kw) -> bool:
    report = check_report(text, book, sources=sources, **kw)
    return report.blocked or any(f.flags for f in report.findings)


# ---- a span of doses a day: "once or twice daily", "three to four times daily", "TID – QID" ------------------------
@pytest.mark.parametrize("words, interval", [
    ("once or twice daily", (0.5, 1.0)),
    ("three to four times daily", (0.25, 1 / 3)),
    ("2-3 times a day", (1 / 3, 0.5)),
    ("TID – QID", (0.25, 1 / 3)),
    ("BID-TID", (1 / 3, 0.5)),
    ("twice daily", (0.5, 0.5)),
])
def test_a_span_of_doses_a_day_is_a_span_of_intervals(words, interval):
    got = cadence(words, "", None).interval
    assert got is not None and abs(got[0] - interval[0]) < 1e-9 and abs(got[1] - interval[1]) < 1e-9


RELAXANT = ("Muscle relaxants: generic Methocarbamol; starting dose 1.5 gm TID – QID; max/day 8 gm (<3 days) 4 gm (>3 days); "
            "half-life (hrs) 1 – 2\n")


@pytest.mark.parametrize("text, caught", [
    ("Methocarbamol starts at 1.5 g three to four times daily.", False),
    ("Methocarbamol: 1.5 g TID-QID, at most 8 g per day for the first 3 days.", False),
    ("Methocarbamol starts at 1.5 g six times daily.", True),             # more often than the row gives
    ("Methocarbamol: at most 8 g per day for 2 weeks.", True),            # the row's (<3 days) course limit
])
def test_a_frequency_range_and_a_bracketed_course_limit_in_a_row(corpus_book, text, caught):
    assert _caught(corpus_book, text, [RELAXANT]) is caught


# ---- a column's second value for a circumstance: "max. dose/day 40 mg; 20 mg geriatric" ----------------------------
SSRI = ("Citalopram (SSRIs): initial dose 20 mg once daily; titration schedule 20 mg weekly; max. dose/day 40 mg; "
        "20 mg geriatric; renal: CrCl <20 ml/min: 10 mg daily\n")


@pytest.mark.parametrize("text, caught", [
    ("In older adults, citalopram should not go above 20 mg per day.", False),
    ("In geriatric patients, citalopram should not go above 40 mg per day.", True),
    ("Citalopram may go up to 40 mg per day.", False),
])
def test_a_column_value_continued_for_a_circumstance_keeps_the_columns_role(corpus_book, text, caught):
    assert _caught(corpus_book, text, [SSRI]) is caught


# ---- "avoid doses >X": a ceiling, not a floor; brands in parentheses after a product are that product ---------------
NSAID = ("Naproxen sodium (Aleve®, Anaprox®) (NSAIDs): dose 550 – 825 mg at onset; can repeat 220 mg in 3 – 4 hours; "
         "comments Avoid doses >1.375 g/day\n")


@pytest.mark.parametrize("text, caught", [
    ("For a migraine attack, naproxen sodium 550-825 mg at onset, avoiding more than 1,375 mg in a day.", False),
    ("Naproxen sodium: no more than 1.375 g per day.", False),
    ("Naproxen sodium: no more than 2,750 mg per day.", True),
    ("Naproxen sodium 1,100 mg at onset.", True),
])
def test_avoid_above_is_a_ceiling_and_bracketed_brands_are_the_product(corpus_book, text, caught):
    assert _caught(corpus_book, text, [NSAID]) is caught


# ---- a drug taken alongside, named before the dose: "taking X, use the 5 mg dose of Y" ------------------------------
TRIPTAN = ("Rizatriptan (Triptans): dose: 5 or 10 mg at onset; can repeat after 2 hours if needed; comments: Maximum "
           "daily dose is 30 mg, Use 5 mg dose (15 mg/day maximum) in patients receiving propranolol\n")
TRIPTAN_PROSE = ("Doses of 5 mg or 10 mg are used with a\nmaximum dose of 30 mg. The dose of rizatriptan must be reduced "
                 "to 5 mg in patients taking propranolol.")


@pytest.mark.parametrize("text, sources, caught", [
    ("In a patient taking propranolol, use the 5 mg dose of rizatriptan, with no more than 15 mg in a day.", [TRIPTAN],
     False),
    ("In a patient taking propranolol, use the 10 mg dose of rizatriptan.", [TRIPTAN], True),
    ("Pt takes propranolol: rizatriptan 10 mg at onset, no adjustment needed.", ["Rizatriptan. " + TRIPTAN_PROSE], True),
    ("Pt takes propranolol: rizatriptan 5 mg at onset.", ["Rizatriptan. " + TRIPTAN_PROSE], False),
])
def test_a_drug_taken_alongside_is_a_circumstance_of_the_dose(corpus_book, text, sources, caught):
    assert _caught(corpus_book, text, sources) is caught


# ---- inhaler strengths: a count before the strength, a combination's strength ----------------------------------------
INHALERS = ("Devices Tiotropium Spiriva Respimat: delivery SMI; strength 2.5 mcg; dosing: 2 inhalations once daily "
            "(Max: 5 mcg/day); doses per unit 60\n"
            "Glycopyrrolate/Formoterol Bevespi Aerosphere: delivery MDI; strength 9/4.8 mcg; dosing: 2 inhalations "
            "twice daily (Max: 4 inhalations/day); doses per unit 120\n")


@pytest.mark.parametrize("text, caught", [
    ("Tiotropium (Spiriva Respimat): 2 inhalations of 2.5 mcg once daily, max 5 mcg/day.", False),
    ("Tiotropium (Spiriva Respimat): 4 inhalations of 2.5 mcg once daily.", True),
    ("Glycopyrrolate/formoterol (Bevespi Aerosphere) 9/4.8 mcg: 2 inhalations twice daily.", False),
    ("Glycopyrrolate/formoterol (Bevespi Aerosphere) 9/4.8 mcg: 4 inhalations twice daily.", True),
])
def test_a_count_of_inhalations_multiplies_the_strength(corpus_book, text, caught):
    assert _caught(corpus_book, text, [INHALERS]) is caught


# ---- a daily cap in a row, against a span of doses a day -------------------------------------------------------------
COXIB = ("Celecoxib (COX-2 Selective NSAIDs): usual starting dose 100 – 200 mg; max single dose 200 mg; frequency Once "
         "or twice daily; notes Max 200 mg/day for OA\n")


@pytest.mark.parametrize("text, caught", [
    ("Celecoxib for OA: 100-200 mg once or twice daily, not exceeding 200 mg per day for OA.", False),
    ("Celecoxib for OA: 200 mg twice daily.", True),
])
def test_a_rows_daily_cap_holds_at_the_least_frequent_repeat(corpus_book, text, caught):
    assert _caught(corpus_book, text, [COXIB]) is caught


# ---- a titration's target keeps the repeat of the dose it titrates ("increase the daily dose by ... to 3 mg") --------
GLP1 = ("Liraglutide (Saxenda®): dosing: Initiate dose titration with 0.6 mg daily, subcutaneously for 1 week; "
        "increase daily dose by 0.6 mg per week until reaching a target dose of 3 mg; slow titration if not tolerated\n")


@pytest.mark.parametrize("text, caught", [
    ("Liraglutide (Saxenda): start 0.6 mg daily for 1 week, then increase by 0.6 mg per week to a target of 3 mg daily.",
     False),
    ("Liraglutide (Saxenda): increase by 0.6 mg per week to a target of 3 mg weekly.", True),
])
def test_a_titration_target_keeps_the_titrated_doses_repeat(corpus_book, text, caught):
    assert _caught(corpus_book, text, [GLP1]) is caught


# ---- course words: "across the course" is a total; "three days of IVIG at X/day" is a course of three days ----------
@pytest.mark.parametrize("text, caught", [
    ("Guillain-Barré syndrome, adult: IVIG 0.4 g/kg each day for five consecutive days (2 g/kg across the course).", False),
    ("GBS: five days of IVIG at 0.4 g/kg/day completes the course.", False),
    ("GBS: three days of IVIG at 0.4 g/kg/day completes the course.", True),
])
def test_course_words_before_and_after_the_dose(corpus_book, text, caught):
    assert _caught(corpus_book, text) is caught


# ---- intravenous fluids are named drugs: their rates are never checked against another drug's rules ----------------
def test_a_fluid_rate_is_not_an_immunoglobulin_rate(corpus_book):
    report = check_report("Isotonic saline 1 mL/kg/h during the procedure.", corpus_book)
    assert [f.drug for f in report.findings] == ["saline"]
    assert not any(f.rule_id for f in report.findings)


# ---- a circumstance named in a clause that turns away from a dose is the next dose's, not this one's ----------------
@pytest.mark.parametrize("text, caught", [
    ("Rizatriptan for an acute migraine: 5 or 10 mg per dose - but if he's on propranolol, the dose has to drop to 5 mg.",
     False),
    ("Rizatriptan for an acute migraine: 5 or 10 mg per dose - but if he's on propranolol, the dose stays at 10 mg.",
     True),
])
def test_a_turning_clause_binds_its_circumstance_to_the_dose_after_it(corpus_book, text, caught):
    assert _caught(corpus_book, text, ["Rizatriptan. " + TRIPTAN_PROSE]) is caught
