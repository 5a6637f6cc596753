"""Round 17 (issue #14): a count of doses in a period is held to the most the cited passage allows the same drug."""

from __future__ import annotations

import pytest

from assistant.doses import check_report, load_rulebook
from assistant.doses.dose_counts import counts
from assistant.settings import get_settings

# A dosage-table row as the ingest renders it (column names before their values), written for these tests.
ROW = ("Lasmiditan (Reyvow) (serotonin 1F agonist): dose: 50 mg, maximum of one dose per 24 hours; comments: 50 - 200 mg "
       "per 24 hours as a single dose\n"
       "Naproxen sodium: dose: 550 mg; comments: may repeat once after 12 hours")
NSAID = "Diclofenac potassium: tablet 50 mg; 2 - 3 times daily; max total daily dose is 150 mg; may divide up to 3 times daily"


@pytest.fixture(scope="module")
def book():
    return load_rulebook(get_settings().doses.rules_dir)


def _blocked(book, text, passage, context=None) -> bool:
    return check_report(text, book, sources=[passage], context=context).blocked


@pytest.mark.parametrize("text, n, per_day", [
    ("two doses a day are fine", 2, 2), ("no more than 1 dose per 24 hours", 1, 1), ("twice daily", 2, 2),
    ("up to 3 times a day", 3, 3), ("three doses in 24-hours", 3, 3), ("4 doses a week", 4, 4 / 7),
])
def test_counts_read_the_number_of_doses_and_their_period(text, n, per_day):
    (c,) = counts(text)
    assert c.n == n and c.per_day == pytest.approx(per_day)


def test_a_count_that_is_not_of_doses_is_not_read():
    assert counts("50 mg per 24 hours") == [] and counts("eight attacks a day") == []


def test_more_doses_a_day_than_the_rows_maximum_are_withheld_for_the_questions_drug(book):
    # The text names no drug: the question's drug is the row's.
    assert _blocked(book, "Repeat 50 mg now; two doses a day are fine.", ROW, context="lasmiditan 50 mg, pain back at 3 h")
    assert _blocked(book, "Reyvow 100 mg, may take up to 2 doses a day.", ROW)
    assert _blocked(book, "Lasmiditan 50 mg every 12 hours as needed.", ROW)  # a repeat within the day: 2 a day


def test_the_rows_own_maximum_and_a_ruled_out_count_pass(book):
    assert not _blocked(book, "Lasmiditan is limited to one dose in 24 hours, so do not repeat it today.", ROW)
    assert not _blocked(book, "Reyvow 50 mg; never take two doses a day.", ROW)


def test_another_drugs_maximum_does_not_limit_this_drug(book):
    # The row's maximum is lasmiditan's: naproxen's repeat on the next row is not held to it.
    report = check_report("Naproxen sodium 550 mg, twice a day at most.", book, sources=[ROW])
    assert not [f for f in report.findings if f.unit == "dose"]
    assert [f for f in check_report("Lasmiditan 50 mg, twice a day at most.", book, sources=[ROW]).findings
            if f.unit == "dose" and f.verdict == "out_of_range"]


def test_an_up_to_frequency_in_a_row_is_a_most(book):
    def limited(text):
        return [f for f in check_report(text, book, sources=[NSAID]).findings if f.unit == "dose"]

    assert _blocked(book, "Diclofenac potassium 50 mg four times daily.", NSAID)
    assert limited("Diclofenac potassium 50 mg four times daily.")
    assert not limited("Diclofenac potassium 50 mg three times daily.")
