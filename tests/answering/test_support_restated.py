"""Round 7 of the support check (#15): supported statements that restate their passage in other notation or other words
are not flagged, and the same statements changed in their claim still are. Ranges against lists of whole numbers,
weeks against months, changes of a value ("dropped by"), limits said as something to avoid, the comma-separated piece
that carries a claim, an act both sides name (stopping), yearly intervals, "a year and a half", "consecutive", "under the
label", negated adherence, lay and clinical names, and a dose divided over a course."""

from __future__ import annotations

from assistant.quantities import quantities
from assistant.support_cues import normal
from assistant.support_polarity import polarity
from assistant.support_quantity import held
from tests.answering.support_pairs import assert_pair, check


def test_a_range_of_whole_numbers_and_the_list_of_its_members_say_the_same():
    listed = quantities("stages 3 and 4")
    assert held(quantities("stage 3-4")[0], listed)
    assert not held(quantities("stage 3-5")[0], listed)  # 5 is not listed
    assert not held(quantities("stage 2-4")[0], quantities("stages 2 and 4"))  # 3 is not listed
    assert all(held(q, quantities("stage 3-4")) for q in listed)
    assert not held(quantities("stages 3 and 5")[1], quantities("stage 3-4"))
    passage = "In selected patients with stage 3 and 4 kidney disease, we suggest a protein intake of 0.6 to 0.8 g/kg/day."
    assert check("A protein intake of 0.6-0.8 g/kg/day is suggested for selected patients with stage 3-4 kidney disease.",
                 passage).supported
    assert not check("A protein intake of 0.6-0.8 g/kg/day is suggested for selected patients with stage 2-4 kidney disease.",
                     passage).supported


def test_weeks_and_months_agree_within_a_calendar_month():
    months = quantities("at least three months")
    assert held(quantities("12 weeks")[0], months)
    assert held(quantities("13 weeks")[0], months)
    assert not held(quantities("10 weeks")[0], months)
    assert not held(quantities("5 weeks")[0], quantities("1 month"))
    assert held(quantities("4 weeks")[0], quantities("1 month"))
    assert not held(quantities("12 days")[0], months)
    passage = "Dose should be titrated and maintained for at least three months before assessment of response."
    assert check("The dose should be titrated and maintained for at least 12 weeks before its response is assessed.",
                 passage).supported
    assert not check("The dose should be titrated and maintained for at least 8 weeks before its response is assessed.",
                     passage).supported


def test_a_value_that_dropped_changed_and_a_limit_to_avoid_is_a_bound():
    assert polarity("Pneumonia incidence dropped by 27% for each 1 g/L rise in trough IgG.") == "positive"
    assert polarity("Saturation dropped below 88% during the walk test.") == "positive"
    assert polarity("The drug was dropped from the guideline.") == "negative"
    assert polarity("Ibuprofen 200-800 mg every 6 hours; avoid doses >2.4 g/day") == "positive"
    assert polarity("Doses above 1,375 mg a day should be avoided.") == "positive"
    assert polarity("Avoid NSAIDs in kidney disease.") == "negative"
    passage = "In patients on IVIG, pneumonia incidence fell by 27% for each 100 mg/dL rise in trough IgG."
    assert_pair(passage,
                supported=("In patients on IVIG, pneumonia incidence dropped by 27% for every 1 g/L rise in trough "
                           "IgG."),
                unsupported=("In patients on IVIG, pneumonia incidence dropped by 37% for every 1 g/L rise in trough "
                             "IgG."))


def test_the_comma_separated_piece_that_carries_the_claim_gives_its_polarity():
    passage = ("Guidance from the FDA advised initiation of ESA treatment when hemoglobin falls below 10 g/dL, lowering or "
               "stopping ESA when hemoglobin rises above 10 g/dL and individualizing ESA dosing.")
    assert_pair(passage,
                supported=["Under the FDA guidance, ESA treatment is initiated when hemoglobin falls below 100 g/L.",
                           ("The FDA guidance advised starting an ESA once hemoglobin falls below 10 g/dL and "
                            "lowering or stopping it when hemoglobin rises above 10 g/dL.")])
    assert not check("Under the FDA guidance, ESA treatment should not be initiated when hemoglobin falls below 10 g/dL.",
                     passage).supported


def test_restated_intervals_durations_and_courses_read_alike():
    assert "every 12 months" in normal("A foot risk assessment is recommended on an annual basis.")
    assert "every 12 months" in normal("Assess the feet once a year.")
    assert [q.text for q in quantities(normal("nine contacts over a year and a half"))][-1].strip() == "1.5 years"
    assert "2-5 days" in normal("2 g/kg divided over 2-5 consecutive days")
    assert "consecutive" in normal("given on 5 days in a row")
    assert "according to" in normal("Under the US label, patients need 3 months of IVIG.")
    assert "under 10" in normal("a level under 10 g/dL")  # (a bound, not a label: left as written)
    assert "nonadherent" in normal("patients who cannot adhere to positive airway pressure")
    assert "inadequately relieved" in normal("pain not adequately relieved by other treatments")
    assert "from 25 to 200 mg" in normal("from 25 up to 200 mg")
    assert "maximum 300 mg" in normal("100 mg every 3 months up to 300 mg")
    assert "3 times daily" in normal("given three times daily")
    passage = "The test is repeated on an annual basis."
    assert_pair(passage,
                supported="The test is repeated every 12 months.",
                unsupported="The test is repeated every 6 months.")


def test_a_dose_divided_over_a_course_is_not_a_daily_dose():
    passage = "In adults with CIDP, the label gives a loading dose of IVIG 2 g/kg divided over 2-5 consecutive days."
    assert check("In adults with CIDP, the label's IVIG loading dose is 2 g/kg divided across 2 to 5 days in a row.",
                 passage).supported
    assert not check("In adults with CIDP, the label's IVIG loading dose is 2 g/kg per day for 2-5 days.", passage).supported


def test_clinical_and_lay_names_read_alike():
    passage = ("Aseptic meningitis after IVIG usually presents with severe headache, neck stiffness, fever and photophobia.")
    assert_pair(passage,
                supported=("Aseptic meningitis after IVIG usually presents with severe headache, nuchal rigidity, "
                           "fever and light sensitivity."),
                unsupported=("Aseptic meningitis after IVIG usually presents with severe headache, nuchal rigidity, "
                             "fever and a petechial rash."))
    sleep = ("For patients with obstructive sleep apnea who cannot adhere to positive airway pressure therapy, we suggest "
             "evaluation for hypoglossal nerve stimulation.")
    assert check("Evaluation for hypoglossal nerve stimulation is suggested in obstructive sleep apnea for patients who are "
                 "nonadherent to positive airway pressure therapy.", sleep).supported
    assert not check("Evaluation for hypoglossal nerve stimulation is suggested in obstructive sleep apnea for patients who "
                     "are adherent to positive airway pressure therapy.", sleep).supported
