"""A dose is grounded by a table cell only when the cell is bound as the text binds the dose (issue 14, round 6): the
row's formulation, the column's repeat (a daily total divided over the day), the row's footnotes (a course limit),
the population the cell is for (an age threshold), the condition of the guideline holding the table, and a dose the
passage says brought no benefit. Rows are written here in the form ingest/tables.py renders them, in our own words."""

from __future__ import annotations

import pytest

from assistant.doses import check_report
from assistant.doses.binding import cited_passage, divided_counts, passage_formulations, split_passage

FORMS = ("Venlafaxine IR (SNRIs): starting dose 37.5 mg twice daily; max. dose/day 375 mg\n\n"
         "Venlafaxine ER (SNRIs): starting dose 75 mg once daily; max. dose/day 225 mg\n")
SPLIT = ("Clonidine (Central alpha agonists): usual dose range 0.1-0.8 mg/day (divided bid or tid)\n\n"
         "Amlodipine (Calcium channel blockers): usual dose range 2.5-10 mg/day (daily)\n\n"
         "Nifedipine (Calcium channel blockers): usual dose range: Immediate release: 30-60 mg/day (divided tid) "
         "Extended release: 30-90 mg daily\n")
NOTED = ("Analgesics: generic Tramadolc; starting dose 50 mg q 6H; max/day 400 mg\n"
         "Analgesics: generic Ibuprofen; starting dose 400 mg q 6H; max/day 2,400 mg\n"
         "a Check the label.\nc Reserved for short courses (up to 7 days in adults).\n")
AGED = ("Escitalopram: dose in adults: 10 – 20 mg/d; raise at weekly intervals, Trial length: 6 – 8 weeks, "
        "For patients >65 years of age the maximum dose is 10 mg/d; comments: check sodium\n")
NO_GAIN = ("Duloxetine: dose in adults: 60 mg/d, starting at 30 mg/d for one week; comments: 120 mg/d was studied and "
           "gave no additional benefit over 60 mg/d\n")


def _blocked(book, text, sources) -> bool:
    return check_report(text, book, sources=sources).blocked


@pytest.mark.parametrize("text, blocked", [
    ("Venlafaxine IR may go up to 225 mg a day.", True),           # the ER row's maximum
    ("Immediate-release venlafaxine: at most 225 mg per day.", True),
    ("Venlafaxine ER may go up to 225 mg a day.", False),
    ("Extended-release venlafaxine can be raised to at most 225 mg daily.", False),
    ("Venlafaxine IR starts at 37.5 mg twice daily.", False),
])
def test_a_formulation_named_in_the_text_needs_that_formulations_row(corpus_book, text, blocked):
    assert _blocked(corpus_book, text, [FORMS]) is blocked


def test_a_formulation_label_inside_a_cell_binds_the_value_after_it():
    row = SPLIT.splitlines()[4]
    first, second = row.index("30-60"), row.index("30-90")
    assert passage_formulations(row, first, first + 11, None) == {"immediate release"}
    assert passage_formulations(row, second, second + 8, None) == {"extended release"}


@pytest.mark.parametrize("text, blocked", [
    ("Clonidine 0.1-0.8 mg once daily.", True),      # the day's total is divided two or three times
    ("Clonidine 0.1-0.8 mg/day in divided doses.", False),
    ("Clonidine 0.1-0.8 mg a day.", False),
    ("Amlodipine 2.5-10 mg once daily.", False),
    ("Extended-release nifedipine 30-90 mg once daily.", False),
    ("Immediate-release nifedipine 30-60 mg once daily.", True),
])
def test_a_total_the_table_divides_is_not_a_once_daily_dose(corpus_book, text, blocked):
    assert _blocked(corpus_book, text, [SPLIT]) is blocked


def test_divided_counts_read_the_words_after_the_amount():
    text = "10 mg/day (divided bid or tid); 5 mg/day (daily or divided bid); 8 mg/day in 1-2 divided doses; 4 mg/day"
    assert divided_counts(text, text.index("10 mg/day") + 9) == {2, 3}
    assert 1 in divided_counts(text, text.index("5 mg/day") + 8)
    assert 1 in divided_counts(text, text.index("8 mg/day") + 8)
    assert divided_counts(text, len(text)) is None


@pytest.mark.parametrize("text, blocked", [
    ("Tramadol 50 mg every 6 hours for up to 21 days.", True),    # the footnote allows 7 days
    ("Tramadol may be continued for 10 days at 50 mg every 6 hours.", True),
    ("Tramadol 50 mg every 6 hours for up to 7 days.", False),
    ("Tramadol 50 mg every 6 hours for 4 days.", False),
    ("Tramadol 50 mg every 6 hours.", False),
])
def test_a_footnote_course_limit_binds_its_rows_drug(corpus_book, text, blocked):
    assert _blocked(corpus_book, text, [NOTED]) is blocked


@pytest.mark.parametrize("text, blocked", [
    ("Escitalopram in a 72-year-old: up to 20 mg/d.", True),      # above 65 the ceiling is 10 mg/d
    ("Escitalopram for a patient older than 65: no more than 10 mg/d.", False),
    ("Escitalopram in a 40-year-old: 10 to 20 mg/d.", False),
    ("Escitalopram 10-20 mg/d.", False),
])
def test_an_age_threshold_in_a_cell_binds_the_dose_after_it(corpus_book, text, blocked):
    assert _blocked(corpus_book, text, [AGED]) is blocked


@pytest.mark.parametrize("text, blocked", [
    ("Escitalopram 10-20 mg/d; review the response after 2 weeks.", False),  # no labelled length
    ("Escitalopram 10-20 mg/d; an adequate trial is 3 weeks.", True),
    ("Escitalopram 10-20 mg/d; an adequate trial is 6 weeks.", False),
])
def test_a_labelled_trial_length_must_be_the_passages(corpus_book, text, blocked):
    assert _blocked(corpus_book, text, [AGED.replace("Trial length", "Adequate trial")]) is blocked


def test_a_dose_the_passage_found_no_benefit_in_grounds_nothing(corpus_book):
    assert _blocked(corpus_book, "Duloxetine can be raised to 120 mg/d.", [NO_GAIN])
    assert not _blocked(corpus_book, "Duloxetine 60 mg/d, starting at 30 mg/d for one week.", [NO_GAIN])


TOPIC_A = cited_passage("Metoprolol tartrate (Beta blockers): initial dose 50 mg/day in divided doses; usual range "
                        "50 – 200 mg/day", "Guideline for the Management of Headache in Primary Care", "Appendix")
TOPIC_B = cited_passage("Metoprolol tartrate (Beta blockers): usual dose range: 100-400 mg/day (divided bid)",
                        "Guideline for the Management of Hypertension", "Appendix")


@pytest.mark.parametrize("text, blocked", [
    ("For migraine prevention, metoprolol tartrate may be taken up to 400 mg/day.", True),  # the hypertension table's
    ("For migraine prevention, metoprolol tartrate 50-200 mg/day.", False),
    ("For high blood pressure, metoprolol tartrate 100-400 mg/day.", False),
    ("Metoprolol tartrate 100-400 mg/day.", False),                # no condition named: either table may hold
])
def test_another_conditions_guideline_does_not_ground_a_dose(corpus_book, text, blocked):
    assert _blocked(corpus_book, text, [TOPIC_A, TOPIC_B]) is blocked


def test_a_passage_header_is_read_apart_from_its_text():
    head, text = split_passage(cited_passage("Drug X 5 mg daily.", "A guideline", "page 3"))
    assert head == "A guideline | page 3" and text == "Drug X 5 mg daily."
    assert split_passage("No header here.") == ("", "No header here.")
