"""Classes of unsafe text that passed the checker (written for these tests, not copied from eval cases): each test
states the class, gives unsafe members that must be caught and safe twins that must pass."""

from __future__ import annotations

import pytest

from assistant.doses import check_report, check_text
from assistant.doses.rules import RuleFileError, load_rulebook
from assistant.models import PASSING_VERDICTS


def caught(book, text, **kw) -> bool:
    report = check_report(text, book, **kw)
    return report.blocked or any(f.flags for f in report.findings)


# ---- a stated time with a timing rule: waits, intervals, windows, definitions ----------------------------------
@pytest.mark.parametrize("text, safe", [
    # how the wait is phrased does not matter: "can be given N after" is the deferral too
    ("Live vaccines can be given 11 months after Kawasaki IVIG.", True),
    ("Measles vaccine can be given 6 weeks after high-dose IVIG for Kawasaki disease.", False),
    ("MMR may follow 4 months after the Kawasaki infusion.", False),
    # monitoring intervals by circumstance: an active infection vs a stable patient
    ("During an active infection, check trough IgG about every 2 weeks.", True),
    ("During an active infection, check trough IgG every 6 months.", False),
    ("Once stable and free of serious infections, check trough IgG every 6-12 months.", True),
    ("In stable patients, check trough IgG every 2 weeks.", False),
    # the circumstance carries over a ';' ("instead") but not into a 'then' clause (the next circumstance)
    ("Do not wait for the routine check during an active infection; recheck trough IgG after 6-12 months instead.",
     False),
    ("Check trough IgG every 2 weeks during an active infection, then every 6-12 months.", True),
    # definitions and windows in hours and days
    ("IVIG resistance in Kawasaki disease is fever persisting at least 36 hours after the infusion ends.", True),
    ("IVIG resistance in Kawasaki disease is fever persisting 12 hours after the infusion ends.", False),
    ("After allogeneic HSCT, IVIG may be given for IgG below 400 mg/dL during the first 100 days.", True),
    ("After allogeneic HSCT, IVIG may be given for IgG below 400 mg/dL during the first 365 days.", False),
    ("IgG takes 3-6 months to reach a new steady state after a dose change.", True),
    ("IgG takes 2 weeks to reach a new steady state after a dose change.", False),
])
def test_a_stated_time_is_held_to_its_timing_rule(corpus_book, text, safe):
    assert caught(corpus_book, text) is not safe


def test_a_time_that_is_a_doses_own_cadence_is_left_to_the_dose_checks(corpus_book):
    # "over 10-12 hours" is the infusion of the Kawasaki dose, not the vaccine deferral of its sentence
    text = "After Kawasaki IVIG 2 g/kg over 10-12 hours, defer MMR for 11 months."
    assert all(f.verdict in PASSING_VERDICTS for f in check_text(text, corpus_book))
    assert not any(f.text.startswith("10-12") for f in check_text(text, corpus_book))


def test_a_weak_sources_time_withholds_a_disagreeing_time_but_verifies_nothing(corpus_book):
    found = check_text("During an active infection, check trough IgG about every 2 weeks.", corpus_book)
    assert not any(f.verdict == "verified" for f in found)


def test_a_circumstance_group_is_validated_as_timing_cues(tmp_path):
    # unless/circumstance are part of a timing rule's cues; they are no fields of other rules
    (tmp_path / "vocabulary.yaml").write_text("drugs: [{canonical: x}]\nindications: [{canonical: y}]\n")
    (tmp_path / "r.yaml").write_text(
        "rules:\n  - {id: t, drug: x, indication: y, kind: dose, min: 1, max: 2, unit: mg,\n"
        "     circumstance: [[a]], source: {document: d, reference: r}}\n")
    with pytest.raises(RuleFileError):
        load_rulebook(tmp_path)


# ---- a product's own factor: the product may be named anywhere the answer names it -------------------------------
@pytest.mark.parametrize("text, safe", [
    ("Do not use the Hizentra factor for Cuvitru; in the US, Cuvitru uses 1.53 instead.", False),
    ("Do not use the Hizentra factor for Cuvitru; in the US, Cuvitru uses 1.30 instead.", True),
    ("For Hizentra, the US factor is 1.30.", False),
    ("For Cuvitru, the US factor is 1.30.", True),
    ("Switching to Cuvitru in the US. Multiply the weekly equivalent by 1.37.", False),
    ("Switching to Cuvitru in the US. Multiply the weekly equivalent by 1.30.", True),
    ("Under EU labels. Multiply the weekly SCIG equivalent by 1.37.", False),
    ("Hizentra uses 1.37. Cuvitru uses 1.30.", True),
    ("Hizentra 1.37 and Cuvitru 1.30 under US labels, 1:1 for EU products.", True),
])
def test_a_factor_is_held_to_the_product_the_answer_names(corpus_book, text, safe):
    assert caught(corpus_book, text) is not safe


# ---- a restatement worked at a stated concentration ---------------------------------------------------------------
@pytest.mark.parametrize("text, safe", [
    ("0.5 mg/kg/min of a 10% product is 0.3 mL/kg/h.", True),
    ("0.5 mg/kg/min of a 10% product is 3 mL/kg/h.", False),
    ("4 mg/kg/min for a 10% IVIG equals 4.8 mL/kg/h.", False),
])
def test_a_restatement_across_a_concentration_is_rechecked(corpus_book, text, safe):
    assert caught(corpus_book, text) is not safe


# ---- one product's label range never verifies a generic statement -------------------------------------------------
def test_a_product_label_range_verifies_only_where_the_product_is_named(corpus_book):
    (f,) = check_text("The Privigen US label allows 200-800 mg/kg every 3-4 weeks in PID.", corpus_book)
    assert f.verdict == "verified" and f.rule_id == "pid-ivig-privigen-label"
    found = check_text("For PID, IVIG 200-800 mg/kg every 3-4 weeks.", corpus_book)
    assert found and all(f.rule_id != "pid-ivig-privigen-label" for f in found)  # (the EU maintenance range holds it)
    # a label rule with brand_named and no brand is a rule-file error
    with pytest.raises(ValueError):
        from assistant.doses.schema import DoseRule
        DoseRule.model_validate({"id": "x", "drug": "d", "indication": "i", "min": 1, "max": 2, "unit": "mg",
                                 "brand_named": True, "source": {"document": "a", "reference": "b"}})


# ---- a drug with no rule: the infusion time is part of what the passage must state ------------------------------
PASSAGE = "Ketamine 0.5 mg/kg IV over 40 minutes, twice weekly for up to 4 weeks."


@pytest.mark.parametrize("text, safe", [
    ("Ketamine 0.5 mg/kg IV over 40 minutes.", True),
    ("Ketamine 0.5 mg/kg IV over 4 minutes.", False),
    ("Ketamine 0.5 mg/kg IV over 4 hours.", False),
])
def test_a_grounded_dose_keeps_the_passages_infusion_time(corpus_book, text, safe):
    assert caught(corpus_book, text, sources=[PASSAGE]) is not safe


# ---- a weight written with decimals after a multiplication sign is an operand, never a factor ---------------------
@pytest.mark.parametrize("text, safe", [
    ("In secondary immunodeficiency (Ontario), IVIG for this patient (82.4 kg adjusted body weight): "
     "0.4 g/kg × 82.4 kg = 33 g every 4 weeks.", True),
    ("In secondary immunodeficiency (Ontario), IVIG for this patient (82.4 kg adjusted body weight): "
     "0.4 g/kg × 82.4 kg = 43 g every 4 weeks.", False),
])
def test_a_decimal_weight_after_a_times_sign_is_an_operand(corpus_book, text, safe):
    findings = check_text(text, corpus_book)
    assert not any("factor 82" in f.message.lower() for f in findings)
    assert caught(corpus_book, text) is not safe
