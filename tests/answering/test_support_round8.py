"""Classes of round 8 of the support check (issue #15), with statements and passages written for the test: a daily
total's basis, a word negated as its prefixed form negates it, the same act stopped under a shared negation, a widened
scope, a column of names broken by the rest of a name or a class's subheading, a word of opposite meaning next to the
claim's words while the word itself stands elsewhere, a count of other things than the passage's numbers, and a
vocabulary term written in another order."""

from __future__ import annotations

from assistant.support_bound import bound_quantities
from assistant.support_table import block_rows
from tests.answering.support_pairs import assert_pair, check


# ---- the basis of a daily total -----------------------------------------------------------------------------------
def test_a_total_daily_dose_is_a_daily_amount_and_a_bare_total_a_course():
    assert bound_quantities("The herb is started at a total daily dose of 600 mg.")[0].basis == {"day"}
    assert bound_quantities("A daily total dose of 600 mg is usual.")[0].basis == {"day"}
    assert bound_quantities("The total dose of 2 g/kg is split over two days.")[0].basis == {"course"}


def test_a_total_per_day_is_supported_by_a_total_daily_dose():
    passage = "The herbal extract is usually taken three times a day and started at a total daily dose of 600 mg."
    assert_pair(passage,
                supported="The extract is taken tid, starting at a total of 600 mg per day.",
                unsupported="The extract is taken tid, starting at a total of 600 mg per dose.")


# ---- a word negated as its prefixed form negates it ---------------------------------------------------------------
def test_a_word_negated_by_a_negator_before_it_says_what_its_prefixed_form_says():
    passage = ("We suggest the following individual, structured non-exposure-based therapies for adults with panic "
               "disorder: relaxation training and supportive counselling.")
    said = "For panic disorder in adults, relaxation training or supportive counselling is suggested, none of which is exposure-based."
    assert_pair(passage,
                supported=said,
                unsupported=("For panic disorder in adults, relaxation training or supportive counselling is "
                             "suggested, both of which are exposure-based."))


# ---- the same act stopped under a shared negation -------------------------------------------------------------------
def test_stopping_under_a_negation_the_source_shares_is_its_withdrawal():
    passage = ("We suggest considering withdrawal of inhaled corticosteroids in adults with asthma without severe "
               "attacks in the last two years.")
    assert check("Stopping inhaled corticosteroids may be considered in asthmatic adults who had no severe attacks in "
                 "the past two years.", passage).supported


# ---- a widened scope ------------------------------------------------------------------------------------------------
def test_a_statement_that_lifts_the_sources_condition_is_unsupported():
    passage = ("- Antibody replacement is generally not recommended for transient low antibody levels in infants when "
               "vaccine responses are normal")
    widened = check("Antibody replacement is not recommended for transient low antibody levels in infants even when "
                    "vaccine responses are impaired.", passage)
    assert not widened.supported
    assert any(r.startswith("scope:") for r in widened.reasons)
    assert check("Antibody replacement is generally not recommended for transient low antibody levels in infants "
                 "when vaccine responses are normal.", passage).supported


def test_a_lifted_condition_the_source_lifts_too_is_supported():
    passage = "We suggest continuing the splint at night even if the patient wears it for less than 4 hours a night."
    assert check("The night splint should be continued even when the patient wears it under 4 hours a night.",
                 passage).supported


# ---- a column of names broken by the rest of a name or a subheading -------------------------------------------------
TABLE = """Blockers
Group A
Amlodipine
Felodipine
Nifedipine
extended release
Group B
Verapamil
extended release
Diltiazem extended
release
2.5-10 mg daily
5-10 mg daily
30-90 mg daily
180-360 mg daily
120-360 mg daily"""


def test_names_with_their_rest_and_a_subheading_between_them_keep_their_column_order():
    assert {q.text for q in block_rows("nifedipine", TABLE)} == {"30-90 mg"}
    assert {q.text for q in block_rows("diltiazem", TABLE)} == {"120-360 mg"}
    assert not check("Extended-release nifedipine is usually dosed at 120-360 mg daily.", TABLE).supported


# ---- a word of opposite meaning while the word stands elsewhere -------------------------------------------------------
def test_an_opposite_word_next_to_the_claims_words_counts_though_the_word_stands_elsewhere():
    passage = ("A trial by Smith studied 120 adults with chronic tinnitus. Adults with hearing aids were excluded "
               "from the trial. Follow-up lasted six months, with visits at the clinic every four weeks for the whole group. "
               "Outcomes were rated by blinded assessors who had no part in the treatment of any of the participants. "
               "Interventions included eight weeks of sound therapy.")
    assert_pair(passage,
                supported="The Smith trial excluded adults with hearing aids.",
                unsupported="The Smith trial included adults with hearing aids.")


def test_continuing_is_the_opposite_of_pausing():
    passage = "- Checking the patient's own antibody level requires pausing replacement for several weeks"
    assert not check("The patient's own antibody level can be checked while replacement continues.", passage).supported


# ---- a count of other things than the passage's numbers ---------------------------------------------------------------
def test_a_count_before_a_noun_is_not_held_by_the_same_number_with_a_unit():
    passage = ("The programme consists of nine follow-up calls after discharge, at 1, 2 and 6 weeks and at 3, 6 and 12 "
               "months.")
    verdict = check("The programme includes twelve follow-up calls after discharge.", passage)
    assert not verdict.supported and any("counts" in r for r in verdict.reasons)
    assert check("The programme includes nine follow-up calls after discharge.", passage).supported


def test_an_age_or_a_bound_after_a_count_is_no_counted_noun():
    passage = "In adults aged 60 years or older, we recommend a systolic blood pressure goal below 150 mm Hg."
    assert check("In adults aged 60 or older, a systolic goal under 150 mm Hg is recommended.", passage).supported


# ---- a vocabulary term in another order ------------------------------------------------------------------------------
def test_a_vocabulary_term_written_in_another_order_is_named():
    passage = ("- Immunoglobulin replacement is usually not recommended for transient hypogammaglobulinemia of infancy "
               "if specific antibody responses are normal")
    assert check("In transient hypogammaglobulinemia of infancy with normal specific antibody responses, immunoglobulin "
                 "replacement is usually not advised.", passage).supported
