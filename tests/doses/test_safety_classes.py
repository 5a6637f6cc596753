"""Issue 14: one test per failure class (unsafe shown, safe withheld, other drugs, withheld doses in quotes)."""

from __future__ import annotations

import dataclasses
import time

import pytest

from assistant.doses import AnswerContext, check_answer, check_report, check_text
from assistant.doses.policy import frame_for
from assistant.models import PASSING_VERDICTS, Answer, Citation, Section, Statement


def blocked(book, text, **kw) -> bool:
    report = check_report(text, book, **kw)
    return report.blocked or any(f.flags for f in report.findings)


# ---- unsafe and shown -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text", [
    "For GBS give IVIG 0.4 g/kg daily for 2 days.",                        # a course too short
    "The CIDP loading dose of 2 g/kg is spread over 7 to 10 days.",        # a course too long
    "Kawasaki disease: 2 g/kg IVIG as a single infusion over 1 to 2 hours.",  # an infusion far too fast
    "For Cuvitru, multiply the weekly-equivalent dose by 1.37.",           # another product's factor
    "For EU SCIG products, multiply the weekly IVIG equivalent by 1.3.",   # a US factor under EU labelling
    "For myasthenia gravis crisis, give IVIG 0.4 g/kg/day for 5 days, as in GBS.",  # a borrowed rule
    "Dermatomyositis: IVIG 2 g/kg as a single infusion, the same as Kawasaki disease.",
    "Kidney transplant recipients with antibody-mediated rejection: 0.4-0.6 g/kg every 4 weeks.",
    "Start Privigen at 4 mg/kg/min.",                                      # a starting rate inside the range
    "EU labelling: run at 6 mL/kg/h for the first 30 minutes.",
    "Privigen: increase to a maximum of 4 mg/kg/min.",                     # a ceiling below the rule's
    "For Kawasaki disease, give IVIG up to 1 g/kg.",
])
def test_unsafe_is_caught(corpus_book, text):
    assert blocked(corpus_book, text)


def test_a_borrowed_rule_never_verifies(corpus_book):
    f = check_text("For myasthenia gravis, give IVIG 2 g/kg over 2-5 days.", corpus_book)[0]
    assert f.verdict == "ungrounded" and "myasthenia_gravis" in f.message
    quoted = "In myasthenic crisis IVIG 2 g/kg over 2-5 days is used."
    assert check_text("For myasthenia gravis, give IVIG 2 g/kg over 2-5 days.", corpus_book,
                      sources=[quoted])[0].verdict == "grounded"


def test_the_frame_decides_the_indication(corpus_book):
    kawasaki = AnswerContext(drug="immunoglobulin", indication="kawasaki", population="child")
    assert check_text("Give 2 g/kg as a single infusion.", corpus_book, frame=kawasaki)[0].verdict == "verified"
    # Another disease than the question's: no rule may verify it, unless the question compares indications.
    other = check_text("In ITP give 1 g/kg once.", corpus_book, frame=kawasaki)[0]
    assert other.verdict == "ungrounded"
    comparing = dataclasses.replace(kawasaki, comparison=True, population="adult")
    assert check_text("In ITP give 1 g/kg once.", corpus_book, frame=comparing)[0].verdict == "verified"


def test_a_population_does_not_leak_into_the_next_sentence(corpus_book):
    text = "Adults with PID on Ontario dosing: 0.4-0.6 g/kg every 4 weeks. In Kawasaki disease give 2 g/kg once."
    findings = check_text(text, corpus_book)
    assert [f.verdict for f in findings] == ["verified", "verified"]
    assert findings[1].rule_id == "kawasaki-aha-2017"  # a child's rule: "adults" held only for its own sentence


def test_a_rate_and_its_hourly_volume_are_rechecked(corpus_book):
    assert blocked(corpus_book, "This patient's initial Privigen rate of 0.3 mL/kg/h is 210 mL/h.", weight_kg=70)
    assert blocked(corpus_book, "A 60 kg patient at 8 mg/kg/min of Privigen 10% runs at 480 mL/h.")
    assert not blocked(corpus_book, "A 60 kg patient at 8 mg/kg/min of Privigen 10% runs at 288 mL/h.")
    assert blocked(corpus_book, "For a 10% product, 8 mg/kg/min is 8 mL/kg/h.")


# ---- safe and withheld ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text", [
    "For Kawasaki disease, give IVIG two grams per kilogram as a single infusion.",
    "For primary immunodeficiency, IVIG 0.4 g/kg every three to four weeks.",
    "Privigen starts at zero point five mg/kg/min.",
    "For GBS, IVIG 2 g/kg in total, divided over 5 days.",
    "For GBS, a total of 2 g/kg is given over 5 days.",                    # no drug repeated: the disease names it
    "For PID, IVIG 1,000 mg every 4 weeks is not enough for a 70 kg adult; give 28 g (0.4 g/kg).",
    "For Kawasaki disease, give 20 mL/kg of a 10% IVIG solution as a single infusion.",
    "Kawasaki disease, 18 kg: give 36 g (360 mL of 10%) as one infusion.",
    "For PID in an obese adult with an adjusted body weight of 80 kg, IVIG 0.4 g/kg is 32 g, rounded to the nearest "
    "5 g: 30 g every 4 weeks.",
    "CIDP loading for a 75 kg adult: 2 g/kg × 75 = 150 g, given as 30 g a day over 5 days.",
    "BMI 41 kg/m2, IBW 62 kg, actual 118 kg: dosing weight 62 + 0.4 × 56 = 84.4 kg.",
    "For GBS, give IVIG 2 g/kg over 5 days instead of 1 g/kg daily.",
    "Never give 2 g/kg as a daily dose in GBS; that is the course total of 0.4 g/kg per day for 5 days.",
    "The ITP dose of 1 g/kg must not be used for replacement in PID; use 400-600 mg/kg every 3-4 weeks instead.",
    "Most PID patients on Privigen can be titrated to 8 mg/kg/min. Patients at risk of thrombosis should stay "
    "below 2 mg/kg/min.",
    "In a patient with a previous DVT, keep the IVIG rate below 2 mg/kg/min, which is under 1.2 mL/kg/h for a 10% "
    "product.",
])
def test_safe_passes(corpus_book, text):
    assert not blocked(corpus_book, text), check_text(text, corpus_book)


def test_right_arithmetic_on_checked_numbers_verifies_its_result(corpus_book):
    text = "Cuvitru (US) conversion for 45 g every 3 weeks: 15 g/week × 1.3 = 19.5 g weekly."
    assert not blocked(corpus_book, text, weight_kg=90)
    assert blocked(corpus_book, "75 kg adult on 30 g IVIG every 4 weeks: Hizentra 30 g × 1.37 = 41.1 g weekly.")


def test_a_sentence_that_does_not_repeat_the_drug_takes_it_from_the_frame(corpus_book):
    frame = frame_for("What acetaminophen dose is used as premedication before IVIG in adults?", corpus_book)
    assert frame.drug == "acetaminophen" and frame.population == "adult" and frame.indication == "premedication"
    findings = check_text("325-650 mg by mouth, keeping the daily total at or below 4 g.", corpus_book, frame=frame)
    assert [f.verdict for f in findings] == ["verified", "verified"]


def test_a_decimal_comma_is_read_as_a_decimal_point(corpus_book):
    # Policy (session 11): an unambiguous decimal comma is read as a point and checked like any dose, not flagged.
    f = check_text("IVIG 0,4 g/kg every 4 weeks for PID.", corpus_book)[0]
    assert f.value == 0.4 and f.verdict == "verified" and f.flags == []


# ---- outside the demo drugs -------------------------------------------------------------------------------------
def test_any_drug_is_named_and_grounding_decides(corpus_book):
    source = "For acute tension-type headache, ibuprofen 400 mg or acetaminophen 1,000 mg."
    findings = check_text("Acute tension-type headache: ibuprofen 400 mg or acetaminophen 1,000 mg.", corpus_book,
                          sources=[source])
    assert [(f.drug, f.verdict) for f in findings] == [("ibuprofen", "grounded"), ("acetaminophen", "grounded")]
    assert check_text("Metformin 500 mg twice daily.", corpus_book)[0].verdict == "ungrounded"
    assert check_text("Metformin 500 mg twice daily.", corpus_book,
                      sources=["Metformin 500 mg once daily with meals."])[0].verdict == "ungrounded"  # frequency


def test_grounding_needs_the_same_population(corpus_book):
    source = ("Fluticasone furoate DPI is once daily; for 12 years and older high dose 200 mcg/day; "
              "children 5-11 years 50 mcg daily.")
    text = "Fluticasone furoate (Arnuity) for a 9-year-old: {} once daily."
    assert check_text(text.format("200 mcg"), corpus_book, sources=[source])[0].verdict == "ungrounded"
    assert check_text(text.format("50 mcg"), corpus_book, sources=[source])[0].verdict == "grounded"


@pytest.mark.parametrize("text", [
    "Start empagliflozin only if eGFR is at least 30 mL/min/1.73 m2.",
    "Target HbA1c below 7% and blood pressure below 130/80 mmHg; LDL below 100 mg/dL.",
    "Creatinine clearance 45 mL/min: no change.",
    "Keep the vancomycin trough at 15-20 mg/L.",
    "IgG trough 4.2 g/L on 0.4 g/kg every 4 weeks for PID; the aim is at least 6 g/L.",
])
def test_lab_values_are_not_doses(corpus_book, text):
    assert not check_report(text, corpus_book).blocked, check_text(text, corpus_book)


def test_a_dose_belongs_to_its_own_sentence_drug(corpus_book):
    findings = check_text("Stop aspirin. Sertraline 50 mg daily.", corpus_book,
                          sources=["Sertraline: start 50 mg daily."])
    assert [(f.drug, f.verdict) for f in findings] == [("sertraline", "grounded")]


# ---- nothing withheld stays visible -----------------------------------------------------------------------------
def test_a_withheld_dose_is_removed_from_its_quote(corpus_book):
    quote = "In PID give IVIG 4 g/kg every 4 weeks. Check the trough before each infusion."  # a slip in the source
    bad = Statement(text="In PID give IVIG 4 g/kg every 4 weeks.", citations=[1])
    answer = Answer(question="IVIG dose for PID?", standalone_question="IVIG dose for PID?",
                    status="answered", summary="IVIG replaces antibodies [1].",
                    sections=[Section(heading="Dosing", statements=[bad])],
                    citations=[Citation(n=1, chunk_id="c", document_id="d", title="t", quote=quote)],
                    index_version="test", generator="extractive", latency_ms=1.0)
    frame = AnswerContext(drug="immunoglobulin", indication="primary_immunodeficiency")
    checked = check_answer(answer, {1: quote}, corpus_book, frame=frame)
    assert checked.sections[0].statements[0].withheld
    assert checked.citations[0].quote == "[dose withheld] Check the trough before each infusion."


def test_the_check_stays_fast(corpus_book):
    text = ("For primary immunodeficiency give IVIG 0.4-0.6 g/kg every 3-4 weeks; for a 70 kg adult that is 28-42 g. "
            "Premedicate with acetaminophen 650 mg PO. Start at 0.5 mg/kg/min and increase to at most 8 mg/kg/min.")
    check_text(text, corpus_book)
    start = time.perf_counter()
    for k in range(20):
        check_text(text + " " * (k + 1), corpus_book, sources=[text])  # a new text each time: no cache hit
    assert (time.perf_counter() - start) / 20 < 0.05
    assert all(f.verdict in PASSING_VERDICTS for f in check_text(text, corpus_book, sources=[text]))


def test_answer_context_interface():
    frame = AnswerContext(drug="immunoglobulin", indication="itp", population="elderly", weight_kg=70.0)
    assert dataclasses.is_dataclass(frame) and frame.comparison is False and frame.age == "adult"
    with pytest.raises(dataclasses.FrozenInstanceError):
        frame.drug = "other"  # type: ignore[misc]


@pytest.mark.parametrize("question, population", [
    ("IVIG dose for a 9-year-old with ITP?", "child"), ("IVIG for an 80 year old with CIDP?", "elderly"),
    ("ITP in pregnancy: IVIG dose?", "pregnancy"), ("Kawasaki disease dose in children?", "child"),
])
def test_a_frame_read_from_the_question(corpus_book, question, population):
    frame = frame_for(question, corpus_book)
    assert frame.population == population and frame.drug in (None, "immunoglobulin")
    assert frame_for("IVIG in ITP versus Kawasaki disease?", corpus_book).comparison
