"""Policy: what the answer looks like after the dose check (withheld statements, blocked summary)."""

from __future__ import annotations

from assistant.doses import check_answer, check_report
from assistant.models import Answer, Section, Statement

PASSAGES = {
    1: "In primary immunodeficiency start IVIG at 400-600 mg/kg every 3-4 weeks and keep the trough at or above 6 g/L.",
    2: "Premedication: acetaminophen 650 mg orally before the infusion.",
}


def _answer(summary: str, statements: list[Statement]) -> Answer:
    return Answer(question="IVIG dose for primary immunodeficiency?", standalone_question="IVIG dose for PID?",
                  status="answered", summary=summary, sections=[Section(heading="Dosing", statements=statements)],
                  index_version="test", generator="extractive", latency_ms=1.0)


def test_failing_statement_is_withheld_with_a_notice(book):
    good = Statement(text="Give 0.4-0.6 g/kg every 3-4 weeks.", citations=[1])
    bad = Statement(text="Give 4 g/kg every 3-4 weeks.", citations=[1])
    answer = _answer("IVIG replaces antibodies [1].", [good, bad])
    checked = check_answer(answer, PASSAGES, book)
    kept, withheld = checked.sections[0].statements
    assert not kept.withheld and kept.text == good.text
    assert withheld.withheld and withheld.text.startswith("Dose withheld: ")
    assert "did you mean 0.4 g/kg" in withheld.text and "rule source: " in withheld.text
    assert checked.status == "answered" and checked.summary == answer.summary
    verdicts = [f.verdict for f in checked.dose_checks]
    assert verdicts == ["verified", "unit_error"]
    failing = checked.dose_checks[1]
    assert bad.text[failing.start:failing.end] == "4 g/kg"  # spans relative to the statement's own text
    assert answer.sections[0].statements[1].text == bad.text  # the input is never mutated


def test_failing_summary_blocks_the_answer(book):
    answer = _answer("IVIG 400-600 g/kg every 3-4 weeks [1].", [])
    checked = check_answer(answer, PASSAGES, book)
    assert checked.status == "blocked" and checked.summary.startswith("Dose withheld: ")
    assert checked.dose_checks[0].verdict == "unit_error"


def test_grounding_uses_only_the_cited_passages(book):
    statement = Statement(text="Acetaminophen 650 mg orally before the infusion.", citations=[2])
    checked = check_answer(_answer("Premedication helps [2].", [statement]), PASSAGES, book)
    assert checked.dose_checks[0].verdict == "verified"
    wrong_cite = statement.model_copy(update={"citations": [1]})
    checked = check_answer(_answer("Premedication helps [2].", [wrong_cite]), PASSAGES, book)
    assert checked.dose_checks[0].verdict == "ungrounded" and checked.sections[0].statements[0].withheld


def test_question_supplies_drug_and_indication(book):
    statement = Statement(text="Keep the trough at or above 6 g/L; start at 400-600 mg/kg every 3-4 weeks.",
                          citations=[1])
    checked = check_answer(_answer("See dosing [1].", [statement]), PASSAGES, book)
    assert [f.verdict for f in checked.dose_checks] == ["verified", "verified"]


def test_answer_without_doses_is_untouched(book):
    answer = _answer("IVIG is first-line replacement therapy [1].",
                     [Statement(text="Check trough IgG every 6-12 months.", citations=[1])])
    checked = check_answer(answer, PASSAGES, book)
    assert checked.dose_checks == [] and checked.status == "answered"
    assert checked.sections == answer.sections


def test_report_blocks_on_any_failing_finding(book):
    assert check_report("IVIG 0.4 g/kg every 4 weeks for PID.", book).blocked is False
    report = check_report("IVIG 0.4 g/kg every 4 weeks for PID, or 4 g/kg.", book)
    assert report.blocked is True and {f.verdict for f in report.findings} == {"verified", "unit_error"}
