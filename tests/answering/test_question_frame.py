"""The question frame: slots and patient facts read from clinicians' typing, follow-ups by slot, patient arithmetic."""

from __future__ import annotations

import pytest

from assistant.calculate import calculations, dosing_weight
from assistant.doses import load_rulebook
from assistant.question import Patient, QuestionFrame, Regimen, patient_facts, read_question
from assistant.vocabulary import load_vocabulary
from tests.conftest import CORPUS

VOCAB = load_vocabulary(CORPUS / "rules", CORPUS / "lexicon.yaml")
BOOK = load_rulebook(CORPUS / "rules")


@pytest.mark.parametrize("question, indication, population", [
    ("ivig dose kawasakki 18kg child?", "kawasaki", ["child"]),
    ("guillan barre ivig dose 80kg", "gbs", []),
    ("immunoglobin for hypogamma in CLL?", "secondary_immunodeficiency", []),
    ("kawasaki vs itp dose in kids", "kawasaki", ["child"]),
    ("7 yo boy with ITP, how many grams?", "itp", ["child"]),
    ("IVIG in pregnancy for PID", "primary_immunodeficiency", ["pregnancy"]),
])
def test_indication_and_population_survive_typos_and_shorthand(question, indication, population):
    frame = read_question(question, VOCAB)
    assert frame.indication == indication
    assert frame.population == population


@pytest.mark.parametrize("text, kept", [
    ("he keeps getting otitis though", "though"),
    ("kid starts shivering halfway through", "through"),
])
def test_common_english_words_are_never_corrected_to_corpus_words(text, kept):
    assert kept in VOCAB.normalise(text, lambda word: False).split()
    assert "trough" not in VOCAB.normalise(text, lambda word: False)
    assert VOCAB.normalise("kawasakki disease", lambda word: False) == "kawasaki disease"  # a real misspelling still is


def test_modifier_words_are_aspects_not_conditions():
    frame = read_question("premed for ivig in CIDP?", VOCAB)
    assert frame.indication == "cidp" and "premedication" in frame.aspects


@pytest.mark.parametrize("text, expected", [
    ("wt 22 kg", {"weight_kg": 22}),
    ("154 lb man", {"weight_kg": 69.9, "sex": "male"}),
    ("obese woman 110 kg, IBW 60 kg", {"weight_kg": 110, "ideal_weight_kg": 60, "sex": "female"}),
    ("18 month old", {"age_years": 1.5}),
    ("a 7 yo", {"age_years": 7}),
    ("IgG 320 mg/dL", {"igg_g_per_l": 3.2}),
    ("170 cm, 95 kg", {"height_cm": 170, "weight_kg": 95}),
])
def test_patient_facts(text, expected):
    facts = patient_facts(text).model_dump(exclude_none=True)
    assert {k: facts.get(k) for k in expected} == expected


def test_a_dose_per_kg_is_not_a_weight():
    assert patient_facts("Kawasaki: 2 g/kg once").weight_kg is None


def test_current_regimen_with_product_and_interval():
    regimen = patient_facts("pt on 30g IVIG q4w wants Hizentra").regimen
    assert regimen == Regimen(value=30, unit="g", interval_weeks=4, product="IVIG")


def test_follow_up_replaces_what_it_names_and_keeps_the_patient():
    first = read_question("IVIG dose for ITP in a 22 kg child?", VOCAB)
    second = first.followed_by(read_question("and for Kawasaki?", VOCAB))
    assert second.indication == "kawasaki" and second.population == ["child"] and second.patient.weight_kg == 22
    assert second.aspects == ["dose"]
    third = second.followed_by(read_question("what about monitoring?", VOCAB))
    assert third.aspects == ["monitoring"] and third.indication == "kawasaki"
    heavier = third.followed_by(read_question("she is 30 kg now", VOCAB))
    assert heavier.patient.weight_kg == 30 and heavier.patient.sex == "female"


def test_describe_shows_what_was_understood():
    line = read_question("kawasaki dose for 18 kg kid", VOCAB).describe()
    assert line == "Kawasaki disease · child · 18 kg · dose"


def test_weight_from_the_caller_overrides_the_text():
    assert read_question("ITP dose 50 kg", VOCAB, weight_kg=62).patient.weight_kg == 62


class FakeHit:
    def __init__(self, doc_id: str, text: str) -> None:
        self.doc_id, self.text, self.chunk_id, self.meta, self.score, self.heading_path = doc_id, text, doc_id, {}, 1.0, []


KAWASAKI = FakeHit("ig-immunomodulatory-kawasaki", "In children with Kawasaki disease, IVIG is given as 2 g/kg in a single infusion.")


def test_total_in_grams_from_the_rule_for_this_indication_and_population():
    frame = read_question("kawasaki dose for 18 kg kid", VOCAB)
    (calc,) = calculations(BOOK, frame, [KAWASAKI])
    assert calc.formula == "2 g/kg × 18 kg = 36 g" and calc.rule_id == "kawasaki-aha-2017" and calc.hit is KAWASAKI


def test_no_calculation_without_a_passage_stating_the_rule():
    frame = read_question("kawasaki dose for 18 kg kid", VOCAB)
    other = FakeHit("ig-immunomodulatory-itp", "Child with ITP: IVIG 0.8-1 g/kg once.")
    assert calculations(BOOK, frame, [other]) == []


def test_no_calculation_for_a_rule_of_another_indication():
    frame = read_question("CIDP dose for 70 kg man", VOCAB)
    assert all(c.rule_id.startswith("cidp") for c in calculations(BOOK, frame, [KAWASAKI]))
    assert calculations(BOOK, frame, [KAWASAKI]) == []


def test_adjusted_dosing_weight_in_obesity():
    frame = QuestionFrame(indication="primary_immunodeficiency", population=["obesity", "adult"],
                          patient=Patient(weight_kg=110, ideal_weight_kg=60), aspects=["dose"])
    weight, formula, rule = dosing_weight(BOOK, frame)
    assert weight == pytest.approx(80) and "0.4 × (110 kg − 60 kg)" in formula and rule.rule.kind == "conversion_factor"


def test_no_dosing_weight_without_an_ideal_weight():
    frame = QuestionFrame(population=["obesity"], patient=Patient(weight_kg=110), aspects=["dose"])
    assert dosing_weight(BOOK, frame) is None
    frame = QuestionFrame(patient=Patient(weight_kg=70, ideal_weight_kg=60, bmi_stated=24), aspects=["dose"])
    assert dosing_weight(BOOK, frame) is None


def test_ivig_to_scig_with_the_named_products_factor():
    frame = read_question("pt with CVID on 30g IVIG q4w wants to switch to Hizentra, weekly dose?", VOCAB)
    hit = FakeHit("ig-ivig-to-scig-conversion", "Hizentra (US): weekly SCIG = IVIG grams / weeks between doses x 1.37.")
    (calc,) = calculations(BOOK, frame, [hit])
    assert calc.formula == "30 g ÷ 4 weeks × 1.37 = 10.3 g" and calc.rule_id == "scig-factor-hizentra-us"


def test_ivig_to_scig_from_a_per_kg_regimen_and_the_weight():
    frame = read_question("80 kg pt on 0.4 g/kg IVIG every 4 weeks -> Hizentra weekly?", VOCAB)
    hit = FakeHit("ig-ivig-to-scig-conversion", "Hizentra (US): weekly SCIG = IVIG grams / weeks between doses x 1.37.")
    (calc,) = calculations(BOOK, frame, [hit], question="80 kg pt on 0.4 g/kg IVIG every 4 weeks -> Hizentra weekly?")
    assert calc.formula == "32 g ÷ 4 weeks × 1.37 = 11 g" and "32 g every 4 weeks" in calc.text


RATES = FakeHit("ig-administration-infusion-rates",
                "Privigen starts at 0.5 mg/kg/min, which is 0.3 mL/kg/h, and may be increased to 8 mg/kg/min, which is 4.8 mL/kg/h. "
                "At risk of thrombosis, keep below 2 mg/kg/min, which is 1.2 mL/kg/h.")


@pytest.mark.parametrize("question, formula", [
    ("70kg pt starting privigen for PID, initial rate in mL/h?", "0.3 mL/kg/h × 70 kg = 21 mL/h"),
    ("58 kg lady on Privigen for CVID, max rate in mL/h?", "4.8 mL/kg/h × 58 kg = 278.4 mL/h"),
    ("82 kg pt w prior DVT, 10% IVIG — ceiling rate in mL/hr?", "1.2 mL/kg/h × 82 kg = 98.4 mL/h"),
])
def test_infusion_rates_in_ml_per_hour_for_the_patients_weight(question, formula):
    frame = read_question(question, VOCAB)
    calcs = calculations(BOOK, frame, [RATES], question=question)
    assert [c.formula for c in calcs] == [formula]


def test_a_calculated_rate_is_recomputed_by_the_dose_checker():
    from assistant.doses.calculated import recompute
    from assistant.models import Calculation

    assert recompute(Calculation(formula="0.3 mL/kg/h × 70 kg = 21 mL/h", rule_id="rate-privigen-pid-initial-ml"), BOOK)
    assert recompute(Calculation(formula="0.3 mL/kg/h × 70 kg = 30 mL/h", rule_id="rate-privigen-pid-initial-ml"), BOOK) is None
    assert recompute(Calculation(formula="0.9 mL/kg/h × 70 kg = 63 mL/h", rule_id="rate-privigen-pid-initial-ml"), BOOK) is None


def test_a_frame_read_back_from_json_round_trips():
    from assistant.models import Answer

    frame = read_question("kawasaki dose for 18 kg kid", VOCAB)
    data = frame.model_dump(mode="json")
    assert data["description"] == frame.describe()
    assert QuestionFrame.model_validate(data) == frame
    answer = Answer(question="q", standalone_question="q", status="abstained", summary="s", index_version="v",
                    generator="extractive", latency_ms=1.0, question_frame=frame)
    assert Answer.model_validate_json(answer.model_dump_json()) == answer


def test_a_treatment_qualifier_is_not_a_dose_question():
    assert "dose" not in read_question("mild asthma on low-dose ICS. written action plan?", VOCAB).aspects
    assert "dose" in read_question("what is the usual dose of IVIG in ITP?", VOCAB).aspects


def test_a_condition_from_a_gathering_row_is_shown_as_written():
    frame = read_question("IVIG for asthma?", VOCAB)
    assert frame.indication_label == "asthma" and "asthma" in frame.description


def test_a_setting_of_care_yields_to_the_condition_treated_in_it():
    frame = read_question("kidney transplant pt with antibody-mediated rejection, IVIG dose?", VOCAB)
    assert frame.indication == "transplant_rejection" and "solid_organ_transplant" in frame.other_indications


def test_a_weight_and_a_treatment_alone_ask_for_the_dose():
    assert read_question("75 kg man with GBS, ivig please", VOCAB).aspects == ["dose"]


def test_a_vaccine_response_names_no_condition():
    frame = read_question("14 mo boy, IgG 2.8 g/L, normal tetanus and pneumococcal responses, frequent colds. IVIG?", VOCAB)
    assert frame.indication is None and "child" in frame.population
    assert read_question("IVIG for tetanus?", VOCAB).indication == "other_infection"


TROUGH = FakeHit("ig-trough-monitoring", "A trough of 6 g/L is 600 mg/dL: multiply g/L by 100 to give mg/dL.")
CONVERSION = FakeHit("ig-administration-infusion-rates",
                     "For a 10% product, a rate in mg/kg/min times 60 divided by 100 mg/mL gives mL/kg/h, so 0.5 mg/kg/min is 0.3 mL/kg/h.")


@pytest.mark.parametrize("question, hit, formula", [
    ("trough 520 mg/dL — what is that in g/L?", TROUGH, "520 mg/dL = 5.2 g/L"),
    ("IgG 4.8 g/L, what is that in mg/dL?", TROUGH, "4.8 g/L = 480 mg/dL"),
    ("convert 4 mg/kg/min to mL/kg/h for a 10% IVIG", CONVERSION, "4 mg/kg/min × 60 ÷ 100 mg/mL = 2.4 mL/kg/h"),
    ("5% IVIG product: what is 0.5 mg/kg/min in mL/kg/h?", CONVERSION, "0.5 mg/kg/min × 60 ÷ 50 mg/mL = 0.6 mL/kg/h"),
])
def test_the_questions_own_numbers_in_the_unit_it_asks_for(question, hit, formula):
    from assistant.doses.calculated import recompute
    from assistant.models import Calculation

    (calc,) = calculations(BOOK, read_question(question, VOCAB), [hit], question=question)
    assert calc.formula == formula and calc.hit is hit
    assert recompute(Calculation(formula=calc.formula, rule_id=calc.rule_id), BOOK) is not None
    wrong = formula.rsplit("=", 1)[0] + "= 99 " + formula.rsplit(" ", 1)[1]
    assert recompute(Calculation(formula=wrong, rule_id=calc.rule_id), BOOK) is None


@pytest.mark.parametrize("text, expected", [
    ("GBS 135 kg, IBW 65, BMI 44", {"weight_kg": 135, "ideal_weight_kg": 65, "bmi_stated": 44}),
    ("ideal body weight 70 and 130 kg actual", {"ideal_weight_kg": 70, "weight_kg": 130}),
    ("IBW 65%", {"ideal_weight_kg": None}),
    ("24 g every 3 weeks IVIG -> hizentra every 2 weeks", {"target_interval_weeks": 2}),
    ("if we end up at 48 g every 4 weeks, Hizentra weekly?", {"target_interval_weeks": None}),
    ("loading over 4 days - how much per day?", {"course_days": 4}),
    ("10% product over 12 h - pump rate mL/h?", {"infusion_hours": 12, "concentration_percent": 10}),
    ("sats 85% 2 h after IVIG", {"concentration_percent": None, "infusion_hours": None}),
])
def test_patient_facts_clinicians_leave_half_written(text, expected):
    facts = patient_facts(text).model_dump()
    assert {k: facts.get(k) for k in expected} == expected


def test_a_regimen_with_its_interval_is_read_however_it_is_introduced():
    r = patient_facts("if we end up at 48 g every 4 weeks, Hizentra weekly equivalent (US)?").regimen
    assert r is not None and (r.value, r.unit, r.interval_weeks) == (48, "g", 4)
    assert patient_facts("Kawasaki 2 g/kg, over how long?").regimen is None  # a dose, not a regimen the patient is on


@pytest.mark.parametrize("question, aspect", [
    ("ITP 12 kg toddler, nosebleeds that won't stop - IVIG g?", "dose"),
    ("8 kg, 10% over 12 hours - mL/h?", "administration"),
    ("total for the course?", "dose"),
])
def test_a_question_ending_in_a_unit_asks_for_that_amount(question, aspect):
    assert aspect in read_question(question, VOCAB).aspects


def test_what_a_turn_asks_to_work_out_does_not_carry_into_the_next():
    first = read_question("70 kg, 24 g every 3 weeks, hizentra every 2 weeks?", VOCAB)
    assert first.patient.target_interval_weeks == 2
    later = first.followed_by(read_question("and the trough target?", VOCAB))
    assert later.patient.weight_kg == 70 and later.patient.regimen is not None
    assert later.patient.target_interval_weeks is None


@pytest.mark.parametrize("question, context", [
    ("CVID, infections settled nicely on IVIG. can we stop?", None),
    ("XLA teen, no infections for 3 yrs on SCIG, wants a break. ok?", None),
    ("CVID pt admitted with pneumonia, start IVIG?", "active_infection"),
])
def test_a_circumstance_the_question_says_is_absent_or_over_is_not_one(question, context):
    assert read_question(question, VOCAB).context == context


def test_a_rule_for_a_circumstance_not_asked_comes_after_the_general_rules():
    from assistant.calculate import _primary_rules

    frame = read_question("myeloma, 80 kg, ontario IVIG dose", VOCAB)
    ids = [n.rule.id for n in _primary_rules(BOOK, frame, words=("ontario", "ivig", "dose"))]
    assert ids and "extra" not in ids[0]
    asked = [n.rule.id for n in _primary_rules(BOOK, frame, words=("ontario", "extra", "dose", "month", "start"))]
    assert any("extra" in i for i in asked[:2])


def test_a_follow_up_asking_nothing_new_keeps_the_aspect_and_why_is_an_aspect():
    assert read_question("why the fudge factor at all?", VOCAB).aspects == ["explanation"]


@pytest.mark.parametrize("question", ["unvaccinated 30 kg child exposed to measles - IG dose for PEP?",
                                      "measles exposure in unvaccinated infant, IG post-exposure dose?"])
def test_an_exposure_is_read_as_post_exposure_prophylaxis(question):
    assert read_question(question, VOCAB).indication == "post_exposure_prophylaxis"
