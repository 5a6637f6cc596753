"""What a quantity is bound to (assistant/support_bound.py): the basis it is given per, the side of a bound it stands
on and the route it is given by; multiplier words; list labels that are no quantity; analytes written in mass or in
moles. Passages and statements are written here for the purpose (no case of the eval sets)."""

from __future__ import annotations

import pytest

from assistant.support_bound import analyte_equal, bound_quantities, multipliers, strip_labels, without_bounds
from assistant.quantities import quantities
from tests.answering.support_pairs import check


def _one(text: str):
    (b,) = [b for b in bound_quantities(text) if b.q.dim is not None][:1]
    return b


# ---- the basis a quantity is given per ------------------------------------------------------------------------------
@pytest.mark.parametrize("text, basis", [
    ("the label allows 1,200 mg per day", {"day"}),
    ("each single dose is limited to 600 mg", {"dose"}),
    ("give 500 mg 2 times daily", {"dose"}),
    ("give 500 mg twice daily", {"dose"}),
    ("take 10 mg once daily", {"day", "dose"}),
    ("sodium 1,500 mg a meal", {"meal"}),
    ("a daily total of 3 g", {"day"}),
    ("0.4 g/kg", set()),
])
def test_the_basis_of_a_quantity(text, basis):
    assert set(_one(text).basis) == basis


def test_a_value_given_per_day_is_not_supported_per_dose():
    passage = "In adults, the label sets a maximum of 1,200 mg of ibuprofen per day for self-care use."
    assert check("For adults, the label limits ibuprofen for self-care use to at most 1,200 mg a day.", passage).supported
    out = check("For adults, the label limits each ibuprofen dose for self-care use to 1,200 mg.", passage)
    assert not out.supported and any(r.startswith("unit:") for r in out.reasons)


def test_a_table_column_headed_per_day_gives_its_values_that_basis():
    passage = "Agent Start Dose Max/Day Tizanidine 2 mg TID 36 mg"
    assert check("Tizanidine may be increased to no more than 36 mg a day.", passage, heading=("Guideline", "Dosing table")).supported
    assert not check("Tizanidine may be taken up to 36 mg per dose.", passage, heading=("Guideline", "Dosing table")).supported


# ---- the side of a bound --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, side", [
    ("a score of more than 10", "lower"), ("a score above 10", "lower"), ("a score of at least 10", "lower"),
    ("no more than 10 mg", "upper"), ("should not exceed 10 mg", "upper"), ("up to 10 mg", "upper"),
    ("10 mg or less", "upper"), ("10 mg or more", "lower"), ("within the first 10 days", "upper"),
    ("after day 10", "lower"), ("10 mg", None),
])
def test_the_side_of_a_bound(text, side):
    assert bound_quantities(text)[0].side == side


def test_a_threshold_on_the_other_side_is_not_supported():
    passage = "Start treatment when the score is 12 or higher on two visits."
    assert check("Treatment starts when the score reaches at least 12 on two visits.", passage).supported
    assert not check("Treatment starts when the score is below 12 on two visits.", passage).supported


def test_the_words_of_a_bound_are_compared_with_their_quantity_not_as_opposites():
    assert "less" not in without_bounds("keep intake to 2 g a day or less")
    passage = "Intake should be limited to no more than 2 g per day in these patients."
    assert check("In these patients, intake should be kept to 2 g a day or less.", passage).supported


# ---- the route a quantity is given by -------------------------------------------------------------------------------
def test_a_dose_given_by_another_route_is_not_supported():
    passage = "For nausea before the infusion, ondansetron 8 mg by mouth may be given to adults."
    assert check("Adults may receive ondansetron 8 mg orally for nausea before the infusion.", passage).supported
    out = check("Adults may receive ondansetron 8 mg intravenously for nausea before the infusion.", passage)
    assert not out.supported


def test_a_product_named_by_its_route_is_no_route_of_the_dose_beside_it():
    (b,) = bound_quantities("oral cetirizine 10 mg before IVIG")
    assert set(b.routes) == {"oral"}


# ---- multipliers ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, values", [
    ("this doubles the exposure", {2.0}), ("a threefold rise", {3.0}), ("a 10-fold difference", {10.0}),
    ("reduce the dose by half", {0.5}), ("the half-life is 21 days", set()), ("a double-blind trial", set()),
    ("given twice daily", set()), ("a factor of 100", {100.0}),
])
def test_multiplier_words(text, values):
    assert set(multipliers(text)) == values


def test_a_multiplier_the_passage_does_not_state_is_not_supported():
    passage = "Confusing the weekly total with the daily amount gives a sevenfold overdose."
    assert check("Mistaking the weekly total for the daily amount leads to a sevenfold overdose.", passage).supported
    assert not check("Mistaking the weekly total for the daily amount leads to a doubled overdose.", passage).supported
    assert not check("Review whether the dose can be reduced by half before long-term use.",
                     "Review whether the dose can be reduced before long-term use.").supported


# ---- list labels ----------------------------------------------------------------------------------------------------
def test_a_recommendation_number_is_no_quantity():
    assert strip_labels("12.") == ""
    assert strip_labels("Weak for Reviewed, Amended 7.") == "Weak for Reviewed, Amended"
    passage = "11. We suggest offering the program for patients with a score above 20 (e.g., severe symptoms)."
    assert not check("The program is suggested for patients with a score above 11.", passage).supported
    assert check("The program is suggested for patients whose score is above 20.", passage).supported


# ---- analytes in mass and in moles ----------------------------------------------------------------------------------
def test_an_analyte_in_moles_equals_its_mass():
    (a,), (b,) = quantities("7.0 mmol/L"), quantities("126 mg/dL")
    assert analyte_equal(a, [b], "fasting plasma glucose")
    assert not analyte_equal(a, [b], "fasting plasma potassium")
    passage = "Diabetes is diagnosed with a fasting plasma glucose of 126 mg/dL or higher."
    assert check("A fasting plasma glucose of 7.0 mmol/L or more establishes diabetes.", passage).supported
    assert not check("A fasting plasma glucose of 8.0 mmol/L or more establishes diabetes.", passage).supported


def test_a_lay_name_reads_as_the_clinical_one():
    passage = "In patients with hypertension, we suggest a diet rich in potassium."
    assert check("People with high blood pressure are advised to eat a potassium-rich diet.", passage).supported
