"""The vadod suite's dose figures (issue 14): doses shown when the cited passage states them, lab values as doses."""

from __future__ import annotations

from assistant.doses import check_answer
from assistant.models import Answer, Citation, DoseFinding, Section, Statement
from evals.vadod import dose_shares, lab_spans, recording_dose_checks, stated_in


def _dose(text: str, verdict: str = "grounded", start: int = 0) -> DoseFinding:
    return DoseFinding(text=text, start=start, end=start + len(text), value=1.0, unit="mg", per_kg=False,
                       verdict=verdict, message="")


def test_a_passage_states_a_dose_with_the_same_numbers_and_unit():
    assert stated_in(_dose("12.5-25 mg"), ["chlorthalidone 12.5 to 25 mg daily"])
    assert stated_in(_dose("1,000 mg"), ["acetaminophen 1000 mg"])
    assert stated_in(_dose("400 mcg"), ["folic acid 400 micrograms daily"])
    assert not stated_in(_dose("12.5 mg"), ["12.5-25 mg daily"])  # one end of a range is not the range
    assert not stated_in(_dose("50 mg"), ["50 mg/kg"])
    assert not stated_in(_dose("5 mg"), ["5 mL"])


def test_lab_values_are_found_by_unit_or_by_the_test_named():
    text = "eGFR 45 mL/min/1.73 m2 and HbA1c 7.2%; LDL-C of 190 mg/dL; metformin 500 mg twice daily."
    assert [text[a:b] for a, b in lab_spans(text)] == ["45 mL/min/1.73 m2", "7.2%", "190 mg/dL"]


def test_shares_count_each_dose_once_and_labs_checked_as_doses():
    text = "With eGFR 40 mL/min/1.73 m2, metformin 500 mg twice daily."
    passages = ["Metformin 500 mg twice daily; reduce when eGFR is below 45 mL/min/1.73 m2."]
    shown = [_dose("500 mg", start=text.index("500"))]
    lab = [_dose("40 mL/min/1.73 m2", "ambiguous", start=text.index("40"))]
    assert dose_shares([(text, passages, shown), (text, passages, shown)]) | {"stated_withheld": []} == {
        "doses_stated": 1, "doses_stated_shown": 1, "lab_values": 1, "lab_values_as_doses": 0, "stated_withheld": []}
    withheld = dose_shares([(text, passages, [_dose("500 mg", "ungrounded", text.index("500")), *lab])])
    assert (withheld["doses_stated_shown"], withheld["lab_values_as_doses"]) == (0, 1)


def test_the_recorder_reads_the_statements_before_they_are_withheld(corpus_book):
    answer = Answer(question="q", standalone_question="Lisinopril dose for hypertension?", status="answered",
                    summary="Lisinopril 10-40 mg daily [1].",
                    sections=[Section(heading="Dose", statements=[Statement(text="Lisinopril 100 mg daily.",
                                                                            citations=[1])])],
                    citations=[Citation(n=1, chunk_id="c", document_id="d", title="t", quote="q")],
                    index_version="v", generator="g", latency_ms=0.0)
    with recording_dose_checks() as calls:
        out = check_answer(answer, {1: "Lisinopril 10-40 mg daily."}, corpus_book)
    assert out.sections[0].statements[0].withheld
    assert len(calls) == 1 and [t for t, _, _ in calls[0]] == ["Lisinopril 10-40 mg daily [1].", "Lisinopril 100 mg daily."]
    assert dose_shares(calls[0])["doses_stated"] == 1  # the withheld 100 mg is not stated in the passage
