"""Classes of round 13 of the support check (issue #15), with statements and passages written for the test:
"before"/"after" open a condition only at a clause's start; "instead of" and its kin name one alternative; "over" before
a span of time prefers nothing; a verbal negation ends at "to"; "should not receive" recommends against; a statement
joining in one clause a negation the span makes in another; durations across calendar units and in fractions; a
multiplier "x"; a prefixed form the stemmer cut short; an identifier with other digits."""

from __future__ import annotations

from assistant.quantities import quantities
from assistant.support_cues import normal
from assistant.support_entities import identifier_swaps
from tests.answering.support_pairs import assert_pair, check, needs_wordnet


# ---- "before" inside a clause is a preposition, not a condition ---------------------------------------------------
@needs_wordnet
def test_before_inside_a_clause_keeps_the_clause_predicate():
    passage = "Before the infusion in patients with heart failure, fluid overload should be corrected and weight checked daily."
    assert_pair(passage,
                supported="In heart failure, fluid overload should be corrected before the infusion.",
                unsupported="Correcting fluid overload before the infusion is unnecessary in heart failure, provided weight is checked daily.")


# ---- an alternative: its scope is one thing, and its kin are alternatives too ------------------------------------
@needs_wordnet
def test_instead_of_and_as_an_alternative_to_say_the_same():
    passage = ("In selected patients with mild asthma, we suggest offering a leukotriene antagonist as an alternative to "
               "inhaled corticosteroids.")
    assert check("A leukotriene antagonist can be considered instead of inhaled corticosteroids for selected patients "
                 "with mild asthma.", passage).supported  # before: "instead of" reached "selected patients" through "for"
    assert not check("Inhaled corticosteroids should not be offered to patients with mild asthma.", passage).supported


@needs_wordnet
def test_over_a_span_of_time_prefers_nothing():
    passage = "We suggest offering a nicotine patch as an adjunct for short-term reduction in cravings."
    assert check("Adding a nicotine patch is suggested to lessen cravings over the short term.", passage).supported
    assert "over" not in normal("over the short term").replace("over the short term", "")  # (the text is kept)


# ---- a verbal negation ends at "to" once it holds a claim word ----------------------------------------------------
@needs_wordnet
def test_a_negation_ends_at_to():
    passage = "For patients who have not responded to two adequate trials of an SSRI, we suggest switching to bupropion."
    assert_pair(passage,
                supported="After two adequate SSRI trials have failed, switching to bupropion is suggested.",
                unsupported="After two adequate SSRI trials have failed, switching to bupropion is not suggested.")


# ---- "should not receive" is a recommendation against ---------------------------------------------------------------
@needs_wordnet
def test_should_not_receive_recommends_against():
    passage = "In patients with gout, we recommend against using a thiazide diuretic as first-line therapy for hypertension."
    assert_pair(passage,
                supported="Patients with gout should not receive a thiazide diuretic as first-line antihypertensive therapy.",
                unsupported="Patients with gout should receive a thiazide diuretic as first-line antihypertensive therapy.")


# ---- one clause of the statement, two of the span -----------------------------------------------------------------
@needs_wordnet
def test_a_negation_the_span_makes_in_another_clause():
    passage = ("Once replacement has started, the measured level mostly reflects the infused product, so it cannot show "
               "whether the patient's own production has recovered")
    assert check("The measured level largely reflects the infused product and cannot reveal whether the patient's own "
                 "production has recovered.", passage).supported
    assert not check("The measured level reveals whether the patient's own production has recovered.", passage).supported


# ---- durations across calendar units, fractions of a unit, a multiplier ------------------------------------------
def test_durations_in_other_calendar_units_and_fractions():
    assert normal("up to half a year") == "maximum 6 months"
    assert [q.text for q in quantities(normal("a quarter of an hour to 20 minutes"))] == ["15 minutes to 20 minutes"]
    assert_pair("Follow-up lasted up to 730 days.", supported="Follow-up lasted up to two years.",
                unsupported="Follow-up lasted up to three years.")
    assert_pair("Weight loss was measured over up to six months.", supported="Weight loss was measured over up to half a year.",
                unsupported="Weight loss was measured over up to a year and a half.")


def test_a_multiplier_written_x_is_the_bare_number_beside_a_times_sign():
    passage = "The adjusted weight equals ideal body weight (IBW) plus 0.4 × (actual body weight minus IBW)."
    assert_pair(passage, supported="The adjusted weight is IBW + 0.4 x (actual body weight - IBW).",
                unsupported="The adjusted weight is IBW + 0.6 x (actual body weight - IBW).")


# ---- a prefixed form the stemmer cut short; "outside" negates as a prefix ----------------------------------------
@needs_wordnet
def test_non_critically_ill_is_not_critically_ill():
    passage = "We suggest basal plus correction insulin for non-critically ill hospitalized patients with diabetes."
    assert_pair(passage,
                supported="Basal plus correction insulin is suggested for hospitalized patients with diabetes who are not critically ill.",
                unsupported="Basal plus correction insulin is suggested for critically ill hospitalized patients with diabetes.")


# ---- an identifier with other digits names another entity ----------------------------------------------------------
def test_an_identifier_with_other_digits_is_another_entity():
    assert identifier_swaps("CD20-directed therapy", "CD19-directed therapy") == ["names CD20 where the source names CD19"]
    assert identifier_swaps("IL-6 blockade", "IL-1 or IL-6 blockade") == []
    assert identifier_swaps("HbA1c below 7%", "HbA1c of 6.0-7.0%") == []  # (a name with digits inside is no identifier)
    assert_pair("Prolonged B-cell aplasia is an expected effect of CD19-directed cell therapy.",
                supported="Long-lasting B-cell aplasia is an expected effect of CD19-directed cell therapy.",
                unsupported="Long-lasting B-cell aplasia is an expected effect of CD20-directed cell therapy.")


# ---- an acronym the span writes out, and the reverse ----------------------------------------------------------------
def test_an_acronym_the_span_writes_out_is_covered():
    from assistant.support_coverage import initialisms

    assert {"cfs", "me"} <= initialisms("fatigue that fits ME/CFS", "myalgic encephalomyelitis/chronic fatigue syndrome")
    assert "trali" in initialisms("TRALI within hours", "transfusion-related acute lung injury within hours")
    assert not initialisms("TRALI within hours", "acute lung injury within hours")
    passage = "We recommend against stimulants for fatigue in patients with myalgic encephalomyelitis/chronic fatigue syndrome."
    assert check("Stimulants are not recommended for fatigue in ME/CFS.", passage).supported
    assert not check("Stimulants are recommended for fatigue in ME/CFS.", passage).supported


# ---- a widened scope: "whether X or Y" against a condition the span sets ------------------------------------------
@needs_wordnet
def test_whether_alone_or_combined_widens_monotherapy():
    passage = "In patients with gout, we recommend against using a thiazide diuretic as monotherapy for hypertension."
    assert_pair(passage,
                supported="A thiazide diuretic alone is not recommended for hypertension in patients with gout.",
                unsupported="A thiazide diuretic is not recommended for hypertension in patients with gout, whether used alone or in combination.")
    passage = "Replacement continues while the cause persists and the patient still has serious infections."
    assert not check("Replacement continues while the cause persists, whether or not the patient has serious infections.",
                     passage).supported


# ---- a span of time without a number, in another unit ---------------------------------------------------------------
def test_hours_are_not_days():
    from assistant.support_contrast import vague_duration_problems

    passage = "Acute lung injury after the infusion presents with breathing difficulty and fever, usually within hours."
    assert check("Acute lung injury after the infusion usually presents within hours, with breathing difficulty and fever.",
                 passage).supported
    assert not check("Acute lung injury after the infusion usually presents several days later, with breathing difficulty "
                     "and fever.", passage).supported
    assert vague_duration_problems("it appears within days", "it appears within 48 hours") == []  # a number decides there


# ---- an age of 65 or more names the older population -----------------------------------------------------------------
def test_adults_65_or_older_are_older_adults():
    passage = "For older adults (65 years or more) with mild depression, we suggest psychotherapy first."
    assert check("For adults 65 or older with mild depression, psychotherapy first is suggested.", passage).supported
    assert normal("adults 18 or older") == "adults 18 minimum"


# ---- British spelling, lay names, a postponement -------------------------------------------------------------------
def test_british_spelling_and_lay_names_read_as_the_clinical_terms():
    assert normal("Hypoxaemia in paediatric patients") == "Hypoxemia in pediatric patients"
    passage = "Lung injury after the infusion presents with breathing difficulty, fever and hypoxaemia."
    assert check("Lung injury after the infusion presents with shortness of breath, fever and low blood oxygen.", passage).supported
    assert normal("shortness of breath and low oxygen levels") == "dyspnea and hypoxemia"


@needs_wordnet
def test_a_reason_to_postpone_is_not_a_go_ahead():
    passage = "An active infection does not contraindicate starting the infusion in a patient with severe antibody deficiency."
    assert not check("An active infection is a reason to postpone starting the infusion in a patient with severe antibody "
                     "deficiency.", passage).supported
