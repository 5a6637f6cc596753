"""Round 6 of issue #15: a value of a table or of a "label: value" list supports a statement only when its row, column,
formulation label and number of doses a day fit the statement's drug and quantity; and the false positives of the
third independent set (the issuer's acronyms in a document title, a PDF table row swallowed by the bullet above it,
a bound the source says to avoid). Statements and passages are written for the test."""

from __future__ import annotations

from assistant.support import check_support
from assistant.support_table import block_values, cadence_problems, column_problems, label_problems
from tests.answering.support_pairs import VOCAB, check


# ---- rows: a PDF column of names before their values, column by column ------------------------------------------
COLUMNS = ("Agent Starting Dose Usual Range Notes\nAnticonvulsants\n• Gabapentin*\n• Pregabalin*\n• Topiramate*\n"
           "100-300 mg at night\n50 mg twice daily\n25 mg daily\n900-3,600 mg daily\n150-600 mg daily\n100-400 mg daily")


def test_a_column_by_column_block_binds_each_value_to_its_row():
    bound = {(q.text.strip(), name) for q, name in block_values(COLUMNS)}
    assert ("150-600 mg", "pregabalin") in bound and ("100-400 mg", "topiramate") in bound
    assert ("150-600 mg", "gabapentin") not in bound


def test_another_rows_value_in_a_column_block_is_unsupported():
    assert check("The usual topiramate range is 100-400 mg a day.", COLUMNS).supported
    verdict = check("The usual gabapentin range is 150-600 mg a day.", COLUMNS)
    assert not verdict.supported


def test_a_value_whose_lines_were_not_joined_still_finds_its_row():
    text = ("Agent Start Range\n• Duloxetine*\n• Desvenlafaxine*\n30 mg daily\nIR: 50 mg twice a day\nER: 50 mg once daily\n"
            "60-120 mg daily\n100-200 mg in 2 divided doses\n50-100 mg once daily")
    bound = {(q.text.strip(), name) for q, name in block_values(text)}
    assert ("60-120 mg", "duloxetine") in bound and ("50-100 mg", "desvenlafaxine") in bound


# ---- columns: the ingest's rendered rows ----------------------------------------------------------------------
RENDERED = ("Gabapentin (Anticonvulsants): initial dose 300 mg at bedtime; maximum dose 3,600 mg daily; "
            "renal dosing 200-700 mg daily\nPregabalin (Anticonvulsants): initial dose 75 mg twice daily; "
            "maximum dose 600 mg daily; renal dosing 25-150 mg daily")


def test_a_renal_columns_value_is_not_the_standard_dose():
    assert column_problems("Gabapentin is usually given at 200-700 mg daily.", RENDERED)
    assert not column_problems("With reduced kidney function, gabapentin is given at 200-700 mg daily.", RENDERED)
    assert not check("Gabapentin is usually given at 200-700 mg daily.", RENDERED).supported


def test_a_population_named_takes_that_columns_value():
    assert column_problems("In renal impairment, pregabalin may be given up to 600 mg daily.", RENDERED)


def test_the_initial_dose_is_not_the_maximum_columns_value():
    assert column_problems("The starting dose of pregabalin is 600 mg daily.", RENDERED)
    assert not column_problems("Pregabalin may be raised to a maximum of 600 mg daily.", RENDERED)


# ---- formulation labels and doses a day ------------------------------------------------------------------------
def test_a_frequency_given_under_another_formulation_label_is_unsupported():
    text = "Nifedipine: give the short-acting form three times a day and the extended-release form once daily."
    assert label_problems("Extended-release nifedipine is taken three times a day.", text)
    assert not label_problems("Extended-release nifedipine is taken once daily.", text)


def test_a_divided_total_is_not_a_once_daily_dose():
    text = "Quetiapine 150-750 mg in 2-3 divided doses; extended release 300-800 mg once daily"
    assert cadence_problems("Quetiapine is given as 150-750 mg once daily.", [text])
    assert not cadence_problems("Quetiapine is given as 150-750 mg split into two or three doses.", [text])
    assert not cadence_problems("Quetiapine extended release is given as 300-800 mg once daily.", [text])


# ---- false positives -------------------------------------------------------------------------------------------
def test_the_issuers_acronyms_in_the_title_bind_no_claim():
    text = ("In patients with moderate heart failure, we suggest a structured exercise programme. Each session is "
            "supervised by a physiotherapist (PT).")
    heading = ("VA/DoD Clinical Practice Guideline (CPG) for the Management of Heart Failure", "Rehabilitation")
    verdict = check_support("VA/DoD suggests a structured exercise programme for patients with moderate heart failure.",
                            [(list(heading), text)], VOCAB,
                            acronyms={"veterans affairs": "VA", "department of defense": "DoD", "physiotherapist": "PT"})
    assert verdict.supported, verdict.reasons


def test_a_table_row_after_a_bulleted_comment_is_a_row_of_its_own():
    text = ("Drug Dose Comments\nRizatriptan (Maxalt®) 5 or 10 mg at onset\n• Maximum daily dose is 30 mg\n(three doses)\n"
            "Zolmitriptan (Zomig®) \nnasal spray\n2.5 mg at onset; can repeat after 2-hours • Maximum daily dose is 10 mg")
    verdict = check("The most rizatriptan a day is 30 mg, that is three doses.", text)
    assert verdict.supported, verdict.reasons


def test_a_bound_the_source_says_to_avoid_is_a_maximum():
    text = "Ketoprofen 50 mg every 6-8 hours • Avoid doses >300 mg/day"
    from assistant.support_bound import binding_problems

    assert not [r for r in binding_problems("Keep ketoprofen below 300 mg/day.", [text], text, frozenset()) if "minimum" in r]
    assert [r for r in binding_problems("Give ketoprofen at more than 300 mg/day.", [text], text, frozenset()) if "maximum" in r]
