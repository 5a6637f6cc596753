"""Verdicts: one example per verdict and flag, arithmetic, conversions, grounding, and properties."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.doses import check_report, check_text
from assistant.doses.units import unit_info


def only(book, text, **kw):
    findings = check_text(text, book, **kw)
    assert len(findings) == 1, findings
    return findings[0]


def test_verified_carries_rule_source_and_span(book):
    text = "For primary immunodeficiency give IVIG 0.4-0.6 g/kg every 3-4 weeks."
    f = only(book, text)
    assert f.verdict == "verified" and f.rule_id and f.source
    assert text[f.start:f.end] == f.text == "0.4-0.6 g/kg"
    assert f.value == [0.4, 0.6] and f.unit == "g/kg" and f.per_kg and f.drug == "immunoglobulin"
    assert f.frequency == "every 3-4 weeks"


def test_unit_error_says_what_was_meant(book):
    f = only(book, "IVIG 4 g/kg every 3-4 weeks for primary immunodeficiency.")
    assert f.verdict == "unit_error"
    assert "10x" in f.message and "did you mean 0.4 g/kg?" in f.message


@pytest.mark.parametrize("text, meant", [
    ("IVIG 400 g/kg every 4 weeks for PID.", "400 mg/kg"),
    ("IVIG 0.4 mg/kg every 4 weeks for PID.", "0.4 g/kg"),
    ("In secondary immunodeficiency replace when IgG < 4 mg/dL.", "4 g/L"),
    ("In secondary immunodeficiency replace when IgG < 400 g/L.", "400 mg/dL"),
])
def test_mg_g_and_lab_factor_slips(book, text, meant):
    f = only(book, text)
    assert f.verdict == "unit_error" and meant in f.message


def test_out_of_range_both_ends_of_a_range(book):
    assert only(book, "IVIG 0.4-1.2 g/kg every 3-4 weeks for PID.").verdict == "out_of_range"
    assert only(book, "IVIG 0.1-0.5 g/kg every 3-4 weeks for PID.").verdict in ("out_of_range", "unit_error")


def test_interval_checked_against_rule(book):
    assert only(book, "IVIG 0.4 g/kg every 8 weeks for PID.").verdict == "out_of_range"
    assert only(book, "IVIG 0.4 g/kg every four weeks for PID.").verdict == "verified"


def test_per_day_versus_per_course(book):
    assert only(book, "GBS: IVIG 0.4 g/kg/day for 5 days.").verdict == "verified"
    assert only(book, "GBS: IVIG 2 g/kg in total over 5 days.").verdict == "verified"
    assert only(book, "GBS: IVIG 2 g/kg/day for 5 days.").verdict == "out_of_range"
    assert only(book, "GBS: IVIG 0.4 g/kg/day for 10 days.").verdict == "out_of_range"


def test_known_indication_restricts_rules(book):
    # 0.4 g/kg every 4 weeks is a replacement dose: fine in PID, wrong for Kawasaki disease.
    f = only(book, "For Kawasaki disease give IVIG 0.4 g/kg every 4 weeks.")
    assert f.verdict == "out_of_range" and "kawasaki" in f.message
    assert only(book, "IVIG 0.4 g/kg every 4 weeks.").verdict == "verified"


def test_question_context_supplies_drug_and_indication(book):
    text = "Give 1 g/kg every 3 weeks."
    assert only(book, text).verdict == "ambiguous"  # no drug: fail closed
    assert only(book, text, context="IVIG maintenance in CIDP?").verdict == "verified"
    assert only(book, text, context="IVIG for primary immunodeficiency?").verdict == "out_of_range"


def test_weak_rule_never_verifies(book):
    f = only(book, "Diphenhydramine 25 mg before the infusion.")
    assert f.verdict == "ungrounded" and "weak" in f.message
    assert only(book, "Diphenhydramine 500 mg before the infusion.").verdict in ("out_of_range", "unit_error")


def test_grounded_only_when_the_cited_passage_states_it(book):
    text = "Hepatitis B immune globulin 10,000 international units is given at transplant."
    assert only(book, text).verdict == "ungrounded"
    assert only(book, text, sources=["HBIG 10000 international units at the anhepatic phase."]).verdict == "grounded"
    assert only(book, text, sources=["HBIG 5000 international units."]).verdict == "ungrounded"


def test_verified_needs_the_cited_passage_when_one_is_given(book):
    text = "IVIG 0.4 g/kg every 4 weeks for PID."
    assert only(book, text, sources=["Start at 400-600 mg/kg every 3-4 weeks."]).verdict == "verified"
    assert only(book, text, sources=["Check trough IgG levels."]).verdict == "ungrounded"


def test_ambiguous_when_half_understood(book):
    comma = only(book, "IVIG 0,4 g/kg every 4 weeks.")
    assert comma.value == 0.4 and comma.flags == []  # a decimal comma is read as a decimal point
    assert only(book, "Give 0.4 g/kg every 4 weeks.").verdict == "ambiguous"
    f = check_text("IVIG rate 0.5 mg/kg/min (0.3 mL/kg/h).", book)
    assert [x.verdict for x in f] == ["verified", "ambiguous"]  # no concentration stated: no conversion


def test_volume_to_mass_rate_with_concentration(book):
    ok = check_text("IVIG 10% at 0.5 mg/kg/min (0.3 mL/kg/h).", book)
    assert [x.verdict for x in ok] == ["verified", "verified"]
    bad = check_text("IVIG 10% at 0.5 mg/kg/min (3 mL/kg/h).", book)
    assert bad[1].verdict == "unit_error"


@pytest.mark.parametrize("text, weight, verdict", [
    ("For a 70 kg adult with PID, IVIG 0.4 g/kg every 4 weeks is 28 g.", None, "verified"),
    ("For a 70 kg adult with PID, IVIG 0.4 g/kg every 4 weeks is 280 g.", None, "unit_error"),
    ("For a 70 kg adult with PID, IVIG 0.4 g/kg every 4 weeks is 35 g.", None, "out_of_range"),
    ("IVIG 28 g every 4 weeks for PID.", 70, "verified"),
    ("IVIG 280 g every 4 weeks for PID.", 70, "unit_error"),
])
def test_arithmetic_with_weight(book, text, weight, verdict):
    findings = check_text(text, book, weight_kg=weight)
    assert findings[-1].verdict == verdict


def test_stated_calculation_is_recomputed(book):
    ok = check_text("For a 75 kg adult on IVIG 30 g every 4 weeks, weekly SCIG = 30 g / 4 × 1.37 = 10.3 g.", book)
    assert all(f.verdict == "verified" for f in ok)
    bad = check_text("For a 75 kg adult on IVIG 30 g every 4 weeks, weekly SCIG = 30 g / 4 × 1.37 = 13.7 g.", book)
    assert bad[-1].verdict == "out_of_range" and "10.28" in bad[-1].message


def test_ivig_to_scig_conversion_without_formula(book):
    text = "Switching to SCIG, a 75 kg adult on IVIG 30 g every 4 weeks needs {} g weekly."
    assert check_report(text.format("10.3"), book).blocked is False
    assert check_report(text.format("41"), book).blocked is True


def test_lab_conversions(book):
    assert [f.verdict for f in check_text("A trough of 600 mg/dL (6 g/L) in PID.", book)] == ["verified"] * 2
    assert check_text("A trough of 600 mg/dL (60 g/L) in PID.", book)[1].verdict == "unit_error"


def test_obesity_dosing_weight(book):
    ok = "Dosing weight = 60 + 0.4 × (110 − 60) = 80 kg."
    assert not check_report(ok, book).blocked
    assert check_report(ok.replace("80 kg", "90 kg"), book).blocked
    assert check_report("Adjusted body weight = IBW + 0.6 × (actual − IBW).", book).blocked


@pytest.mark.parametrize("text, flag", [
    ("IVIG 1.0 g/kg once for adult ITP.", "trailing_zero"), ("IVIG .4 g/kg every 4 weeks for PID.", "naked_decimal"),
    ("IVIG400mg/kg every 4 weeks for PID.", "run_together"), ("Heparin 5000 U with IVIG.", "U"),
    ("Hepatitis B immune globulin 10000 IU.", "IU"), ("Hydrocortisone 100 ug/kg.", "ug"),
    ("Hydrocortisone 100 µg.", "µg"), ("IVIG 50 cc.", "cc"), ("Acetaminophen 650 mg QD.", "QD"),
    ("SCIG 100 mg/kg QOD.", "QOD"),
])
def test_each_flag_reaches_the_finding(book, text, flag):
    assert any(flag in f.flags for f in check_text(text, book))


@pytest.mark.parametrize("text", [
    "Patients aged 65 years or older had more renal events.",
    "IgG half-life is 18-23 days, as short as 1-10 days in active infection.",
    "Serious infections fell (hazard ratio 0.47, p = 0.003); 27% fewer pneumonias.",
    "No routine monthly IVIG after day 90; reassess at 3-6 months; guideline from 2011.",
    "Hold IVIG if serum creatinine rises above 1.5 mg/dL.",
    "",
])
def test_texts_without_doses(book, text):
    report = check_report(text, book)
    assert report.findings == [] and report.blocked is False


# ---- properties -------------------------------------------------------------------------------------
PID_RULES = [("pid-adult-ontario", 0.4, 0.6), ("pid-us-label", 0.2, 0.8)]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.floats(min_value=0.2, max_value=0.8, exclude_min=True, exclude_max=True), st.sampled_from([3, 4]),
       st.sampled_from(["g/kg", "mg/kg"]))
def test_value_inside_a_rule_is_never_out_of_range(book, value, weeks, unit):
    shown = value if unit == "g/kg" else value * 1000
    f = only(book, f"IVIG {shown:.4g} {unit} every {weeks} weeks for primary immunodeficiency.")
    assert f.verdict == "verified"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(st.floats(min_value=0.001, max_value=0.1999), st.floats(min_value=0.8001, max_value=500)),
       st.sampled_from([3, 4]))
def test_value_outside_every_rule_is_never_verified(book, value, weeks):
    f = only(book, f"IVIG {value:.4f} g/kg every {weeks} weeks for primary immunodeficiency.")
    assert f.verdict != "verified"


UNITS = ["g/kg", "mg/kg", "g", "mg", "mcg/kg", "g/L", "mg/dL", "mL/kg/h", "mg/kg/min", "IU", "U", "cc",
         "g/kg/day", "mg/kg/week", "mg/m2", "µg", "%", "kg", "units"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.floats(min_value=0, max_value=1e6, allow_nan=False), st.sampled_from(UNITS),
       st.sampled_from(["", " ", "  ", "\u00a0"]), st.sampled_from(["", "every 3-4 weeks", "daily for 5 days", "q4w",
                                                                    "over 2-5 days", "once", "every 2 hours"]),
       st.sampled_from(["IVIG", "SCIG", "acetaminophen", "IgG", ""]), st.sampled_from(["", "for PID", "in ITP"]))
def test_fuzz_never_crashes_and_never_verifies_outside_its_rule(book, value, unit, space, cadence, drug, where):
    text = f"{drug} {value:.6g}{space}{unit} {cadence} {where}."
    for f in check_text(text, book):
        assert text[f.start:f.end] == f.text
        if f.verdict == "verified" and f.rule_id and f.unit != "1":
            rule = next(r for r in book.rules if r.id == f.rule_id)
            info, rinfo = unit_info(f.unit), unit_info(rule.unit)
            if info.dim != rinfo.dim:
                continue  # checked after a weight conversion
            values = f.value if isinstance(f.value, list) else [f.value]
            for v in values:
                canon = v * info.factor / rinfo.factor
                assert rule.min is None or canon >= rule.min * 0.999
                if rule.max is not None and rule.per not in ("course",) and rule.kind in ("dose", "rate"):
                    assert canon <= rule.max * 1.001 or rule.duration is not None


@pytest.mark.parametrize("text", [
    "The CIDP loading dose of IVIG 2 g/kg is a total for the course, not a daily dose.",
    "The five daily IVIG doses of 0.4 g/kg in GBS add up to 2 g/kg for the whole course.",
    "The IVIG regimen for GBS is 0.4 g/kg per day for 5 days, a total of 2 g/kg per course.",
    "Round the calculated IVIG dose to the nearest multiple of five grams.",
    "In secondary immunodeficiency after rituximab, the 150 mg/dL threshold marks profound deficiency.",
])
def test_course_words_rounding_and_analyte_after_the_value(book, text):
    assert check_report(text, book).blocked is False


def test_concentration_may_come_from_the_question(book):
    text = "Increase IVIG to 8 mg/kg/min, which is 4.8 mL/kg/h."
    assert check_report(text, book).blocked is True
    assert [f.verdict for f in check_text(text, book, context="Privigen 10% infusion rate?")] == ["verified"] * 2


def test_a_context_naming_two_products_leaves_the_product_open(corpus_book):
    text = "The weekly equivalent of 30 g every 4 weeks is 30 g divided by 4, which is 7.5 g per week"
    context = "Switching from IVIG to SCIG - dose conversion\nWorked example"
    assert {f.verdict for f in check_text(text, corpus_book, context=context)} == {"verified"}


def test_which_conversion_a_factor_is_for_comes_from_sentence_text_or_context(corpus_book):
    text = "Applying the US factor of 1.37 to a European product label gives a different starting dose"
    assert only(corpus_book, text, context="Switching from IVIG to SCIG").verdict == "verified"
    assert only(corpus_book, text).verdict == "out_of_range"  # no cue: read as a unit conversion, which 1.37 is not
    rate = "For a 10% product, mg/kg/min is converted to mL/kg/h by multiplying by {}"
    assert only(corpus_book, rate.format("0.6")).rule_id == "rate-conversion-10-percent"
    assert only(corpus_book, rate.format("6")).verdict == "out_of_range"


def test_a_threshold_is_not_verified_by_a_trough_target(corpus_book):
    f = only(corpus_book, "The IgG cut-off for starting replacement after rituximab is 650 mg/dL.")
    assert f.verdict == "ungrounded" and f.rule_id == "threshold-bcell-depletion-secondary-summary"
    assert only(corpus_book, "In PID, keep the IgG trough at 6 g/L.").verdict == "verified"


@pytest.mark.parametrize("text, rule_id", [
    ("In PID the Ontario guidelines aim for a trough IgG above 500 mg/dL.", "trough-ontario-minimum"),
    ("In patients at risk of thrombosis keep the IVIG infusion rate below 2 mg/kg/min.",
     "rate-thrombosis-risk-bivigam-mg"),
    ("In EU labelling, IVIG is started at 0.5 mL/kg/h for the first 30 minutes.", "rate-eu-initial"),
])
def test_the_finding_cites_the_rule_that_says_what_the_text_says(corpus_book, text, rule_id):
    f = only(corpus_book, text)
    assert f.verdict == "verified" and f.rule_id == rule_id


@pytest.mark.parametrize("text", [
    "Do not give IVIG 2 g/kg to children with Kawasaki disease.",
    "In Kawasaki disease, IVIG 2 g/kg is not recommended.",
    "Avoid IVIG 2 g/kg in children with Kawasaki disease.",
    "Give aspirin rather than IVIG 2 g/kg in Kawasaki disease.",
])
def test_a_negated_dose_is_never_verified(corpus_book, text):
    (found,) = check_text(text, corpus_book)
    assert found.verdict == "ambiguous" and "negated" in found.message
    (quoted,) = check_text(text, corpus_book, sources=["Some context. " + text.upper() + " More context."])
    assert quoted.verdict == "grounded"  # the same sentence stands in the cited passage
    (elsewhere,) = check_text(text, corpus_book, sources=["Kawasaki disease: IVIG 2 g/kg as one infusion."])
    assert elsewhere.verdict == "ambiguous"  # the value alone in a source does not ground what the sentence rules out


@pytest.mark.parametrize("text", [
    "In Kawasaki disease give IVIG 2 g/kg once; do not exceed 2 g/kg for that infusion.",
    "If platelets do not rise, adults with ITP may receive a further IVIG dose of 1 g/kg.",
    "Kawasaki disease is treated with IVIG 2 g/kg, not with steroids alone.",
])
def test_limits_and_negations_elsewhere_in_the_sentence_do_not_negate_the_dose(corpus_book, text):
    assert {f.verdict for f in check_text(text, corpus_book)} == {"verified"}
