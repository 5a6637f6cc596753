"""Classes of failure seen on the independent dose cases: one test per class, each on sentences written for the test
(not copied from the eval cases), with the unsafe twin that must still be caught."""

from __future__ import annotations

import pytest

from assistant.doses import check_report, check_text
from assistant.doses.lexicon import unlisted_conditions
from assistant.models import PASSING_VERDICTS


def blocked(book, text, **kw) -> bool:
    report = check_report(text, book, **kw)
    return report.blocked or any(f.flags for f in report.findings)


def verdicts(book, text, **kw) -> list[str]:
    return [f.verdict for f in check_text(text, book, **kw)]


# ---- a weak rule stands for its own source passage when no passage is cited -------------------------------------
def test_a_weak_rule_grounds_what_its_source_passage_states(corpus_book):
    (f,) = check_text("Give diphenhydramine 50 mg by mouth before the IVIG infusion in adults.", corpus_book)
    assert f.verdict == "grounded" and "weak" in f.message  # shown, never verified
    (cap,) = check_text("In adults, oral diphenhydramine is limited to 300 mg per day.", corpus_book)
    assert cap.verdict == "grounded"
    # Outside what the source states, or for a population it does not name, it is still withheld.
    assert blocked(corpus_book, "Give diphenhydramine 75 mg by mouth before the IVIG infusion in adults.")
    assert blocked(corpus_book, "Give diphenhydramine 50 mg IV before IVIG to a 4-year-old child.")
    # With a cited passage at hand, that passage decides.
    assert verdicts(corpus_book, "Diphenhydramine 50 mg before the infusion.",
                    sources=["Check IgG troughs before each infusion."]) == ["ungrounded"]


def test_a_secondary_unreviewed_source_grounds_nothing(corpus_book):
    # The 650 mg/dL cut-off after rituximab rests only on a secondary web summary (peer_reviewed: false).
    assert blocked(corpus_book, "After rituximab, the cut-off for starting IgG replacement is 650 mg/dL.")


# ---- grounding needs the same drug and the population of the passage's clause ------------------------------------
PASSAGE = ("Dose ranges: citalopram 20-40 mg daily, duloxetine 40-60 mg daily; for 12 years and older 200 mcg/day "
           "of fluticasone furoate, children 5-11 years 50 mcg daily.")


def test_grounding_needs_the_drug_the_passage_gives_the_value_for(corpus_book):
    assert verdicts(corpus_book, "Duloxetine 40-60 mg daily.", sources=[PASSAGE]) == ["grounded"]
    assert verdicts(corpus_book, "Duloxetine 20-40 mg daily.", sources=[PASSAGE]) == ["ungrounded"]  # citalopram's


def test_grounding_reads_the_population_of_the_values_clause(corpus_book):
    assert verdicts(corpus_book, "Fluticasone furoate 50 mcg daily for a child of 8.", sources=[PASSAGE]) == ["grounded"]
    assert verdicts(corpus_book, "Fluticasone furoate 200 mcg daily for a child of 8.",
                    sources=[PASSAGE]) == ["ungrounded"]  # the 12-and-older dose of the same sentence


# ---- a dose split into equal infusions ---------------------------------------------------------------------------
def test_parts_of_a_split_dose_are_checked_against_the_dose(corpus_book):
    text = "In CIDP the maintenance dose is 1 g/kg every 3 weeks, or it may be divided into two infusions of 0.5 g/kg."
    assert verdicts(corpus_book, text) == ["verified", "verified"]
    assert blocked(corpus_book, text.replace("0.5 g/kg", "1 g/kg"))        # the parts add up to twice the dose
    assert blocked(corpus_book, text.replace("two infusions of 0.5", "four infusions of 0.25"))  # more than allowed
    assert blocked(corpus_book, "Kawasaki disease: IVIG 2 g/kg, divided into two infusions of 1 g/kg.")


# ---- the stage of a rate and a contrast between doses ------------------------------------------------------------
def test_after_the_first_minutes_is_past_the_start(corpus_book):
    text = "Under EU labelling the rate may be raised after the first 30 minutes to at most 6 mL/kg/h."
    assert verdicts(corpus_book, text) == ["verified"]
    assert blocked(corpus_book, "Under EU labelling, run at 6 mL/kg/h for the first 30 minutes.")


def test_a_right_dose_set_aside_for_another_dose_of_the_drug_is_shown(corpus_book):
    text = "Instead of keeping IVIG at 0.5 mL/kg/h for the whole infusion, EU labelling allows up to 6 mL/kg/h."
    assert not blocked(corpus_book, text)
    assert blocked(corpus_book, "Give acetaminophen rather than IVIG 2 g/kg in Kawasaki disease.")  # another therapy
    assert blocked(corpus_book, "Instead of 0.5 mL/kg/h, EU labelling allows IVIG up to 16 mL/kg/h.")


# ---- negated limits and ruled-out doses --------------------------------------------------------------------------
@pytest.mark.parametrize("text", [
    "In patients at risk of thrombosis, avoid IVIG rates above 2 mg/kg/min.",
    "Never exceed 4 g of acetaminophen per day.",
    "2 g/kg is the GBS course total, not a daily dose.",
    "Do not give the Kawasaki dose of 2 g/kg to adults with ITP; they receive 1 g/kg once.",
])
def test_a_correct_negated_or_limiting_statement_is_shown(corpus_book, text):
    assert not blocked(corpus_book, text)


@pytest.mark.parametrize("text", [
    "In patients at risk of thrombosis, avoid IVIG rates above 8 mg/kg/min.",
    "Never exceed 8 g of acetaminophen per day.",
    "0.4 g/kg is the GBS course total.",
])
def test_a_wrong_limit_or_course_total_is_withheld(corpus_book, text):
    assert blocked(corpus_book, text)


# ---- conversion factors in every phrasing ------------------------------------------------------------------------
@pytest.mark.parametrize("text", [
    "The weekly Hizentra dose is 1.73 times the weekly IVIG equivalent.",
    "Multiply the weekly IVIG equivalent by 1.37 for Hizentra (US) or by 1.73 for Cuvitru (US).",
    "Do not divide first: multiply the whole 30 g by 1.73 for Hizentra.",
])
def test_a_wrong_factor_is_caught_however_it_is_written(corpus_book, text):
    assert blocked(corpus_book, text)


def test_a_worked_conversion_without_a_weight_is_checked_by_its_example(corpus_book):
    text = ("IVIG 30 g every 4 weeks is 7.5 g per week; applying the Hizentra factor of 1.37 gives a weekly SCIG dose "
            "of about 10.3 g.")
    assert not blocked(corpus_book, text)
    assert blocked(corpus_book, text.replace("10.3 g", "13.7 g"))
    assert blocked(corpus_book, text.replace("Hizentra", "Cuvitru"))  # Cuvitru's factor is 1.30


# ---- diseases with no rule -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("text", [
    "Transient hypogammaglobulinemia of infancy: IVIG 0.4 g/kg every 4 weeks.",       # not indicated (vocabulary)
    "An adult with low IgG but normal vaccine responses: IVIG 0.4 g/kg every 4 weeks.",
    "For Miller Fisher syndrome, give IVIG 0.4 g/kg/day for 5 days.",                  # not in the vocabulary
    "Evans syndrome: IVIG 1 g/kg once.",
    "For vasculitic neuropathy, IVIG 2 g/kg over 5 days.",
    "Give IVIG 0.4 g/kg every 4 weeks for recurrent otitis media.",
])
def test_no_other_diseases_rule_verifies_a_dose_for_a_disease_without_one(corpus_book, text):
    assert "verified" not in verdicts(corpus_book, text)


def test_a_dose_for_an_unlisted_disease_is_shown_when_the_cited_passage_states_it(corpus_book):
    text = "For Evans syndrome, IVIG 1 g/kg once."
    assert verdicts(corpus_book, text, sources=["Evans syndrome: IVIG 1 g/kg once has been used."]) == ["grounded"]


@pytest.mark.parametrize("text", [
    "To reduce the risk of aseptic meningitis, start Privigen at 0.5 mg/kg/min.",
    "Severe hypogammaglobulinemia with recurrent bacterial infections: IVIG 0.4-0.6 g/kg every 4 weeks.",
    "Trough 7 g/L on 0.4 g/kg every 4 weeks and no infections: keep the same dose.",
    "IVIG 0.4 g/kg every 4 weeks for PID, which may also prevent sinusitis.",
])
def test_risks_findings_and_outcomes_are_not_unlisted_diseases(corpus_book, text):
    assert not blocked(corpus_book, text)


def test_unlisted_conditions_are_read_by_their_form(corpus_book):
    lex = corpus_book.lexicon
    assert [m.canonical for m in unlisted_conditions("Adult Still's disease: IVIG", lex, ())] == \
        ["unlisted:still's disease"]
    assert unlisted_conditions("the disease and this syndrome", lex, ()) == ()


# ---- waits and prerequisites (timing rules) ----------------------------------------------------------------------
@pytest.mark.parametrize("text, ok", [
    ("Live vaccines such as MMR should be delayed for 11 months after high-dose IVIG for Kawasaki disease.", True),
    ("Live vaccines such as MMR should be delayed for 11 weeks after high-dose IVIG for Kawasaki disease.", False),
    ("Under the US label, Hizentra needs IVIG at regular intervals for at least 3 months before the switch.", True),
    ("Under the US label, Hizentra needs IVIG at regular intervals for at least 3 weeks before the switch.", False),
    ("Kawasaki disease is treated within the first 10 days of illness.", True),
    ("Kawasaki disease is treated within the first 10 weeks of illness.", False),
])
def test_a_wait_or_prerequisite_is_the_rules(corpus_book, text, ok):
    assert blocked(corpus_book, text) is not ok
    assert all(f.verdict in PASSING_VERDICTS for f in check_text(text, corpus_book)) is ok


def test_a_time_no_timing_rule_speaks_for_is_not_checked(corpus_book):
    assert check_text("Reassess the need for IVIG after 6-12 months.", corpus_book) == []


# ---- other drugs: what a passage's list and daily totals say -----------------------------------------------------
LIST = ("Lifelong daily supplementation after bariatric surgery includes vitamin B12 350-1,000 micrograms, "
        "folate 400-800 micrograms and vitamin D3 3,000 international units.")
TABLE = ("Topiramate starts at 25 mg a day, increased weekly to 200 mg a day in two divided doses; sumatriptan "
         "maximum 6 mg per dose and 12 mg per 24 hours.")


def test_a_listed_value_takes_the_lists_repeat(corpus_book):
    assert verdicts(corpus_book, "Vitamin B12 500 mcg daily after bariatric surgery.", sources=[LIST]) == ["grounded"]
    assert verdicts(corpus_book, "Vitamin B12 500 mcg every hour.", sources=[LIST]) == ["ungrounded"]


def test_a_dose_several_times_a_day_is_grounded_by_its_daily_total(corpus_book):
    assert verdicts(corpus_book, "Topiramate 100 mg twice daily.", sources=[TABLE]) == ["grounded"]
    assert verdicts(corpus_book, "Topiramate 200 mg twice daily.", sources=[TABLE]) == ["ungrounded"]
    assert verdicts(corpus_book, "Topiramate 100 mg three times daily.", sources=[TABLE]) == ["ungrounded"]


def test_every_maximum_of_a_list_is_a_maximum(corpus_book):
    assert verdicts(corpus_book, "Sumatriptan: no more than 12 mg in 24 hours.", sources=[TABLE]) == ["grounded"]
    assert verdicts(corpus_book, "Sumatriptan: no more than 24 mg in 24 hours.", sources=[TABLE]) == ["ungrounded"]


# ---- an answer that is only the factor asked for -----------------------------------------------------------------
@pytest.mark.parametrize("text, ok", [
    ("1.37, applied to the weekly equivalent of the IVIG dose.", True),
    ("1.73, applied to the weekly equivalent of the IVIG dose.", False),
    ("It is 1.73 for Hizentra.", False),
])
def test_a_bare_number_answering_a_factor_question_is_the_factor(corpus_book, text, ok):
    question = "What is the Hizentra (US) dose adjustment factor when switching from IVIG?"
    assert blocked(corpus_book, text, context=question) is not ok


def test_never_more_than_is_a_limit(corpus_book):
    assert not blocked(corpus_book, "Acetaminophen: never more than 4 g a day from all sources.")
    assert blocked(corpus_book, "Acetaminophen: never more than 6 g a day from all sources.")
