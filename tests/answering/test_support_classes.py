"""Classes of unsupported statements the support check must catch in any wording (round 5 of issue #15), each with
statements and passages written for the test: a condition the corpus vocabulary does not know swapped in (WordNet), a
drug class read as its substance, a product named by a brand the vocabulary folds into a class, polarity said by
paraphrase ("has no role", "offers no benefit", "is not indicated" and the reverse), a population qualified otherwise
than the claim's, a relative clause coordinated on, and the order of treatments reversed."""

from __future__ import annotations

import pytest

from assistant.support_drugs import _substance_mentions
from assistant.support_entities import conditions, proper_names
from tests.answering.support_pairs import check, needs_wordnet


# ---- a condition the vocabulary does not know -------------------------------------------------------------------
@needs_wordnet
def test_conditions_come_from_wordnet_and_leave_out_general_words():
    named = {phrase for phrase, _ in conditions("Children with measles or mumps, and adults with chronic diarrhoea.")}
    assert {"measles", "mumps", "diarrhea"} <= named  # (British spelling read as American)
    assert not conditions("The breakdown of the dose, and any need for a second dose.")  # words that are also general


@needs_wordnet
@pytest.mark.parametrize("statement, condition", [
    ("Vitamin A is given on two consecutive days to children with mumps.", "mumps"),
    ("For adults with chronic diarrhoea, a daily fibre supplement is advised first.", "diarrhea"),  # (read as American)
])
def test_a_condition_swapped_for_one_the_vocabulary_does_not_know_is_unsupported(statement, condition):
    passage = ("Children with measles receive vitamin A on two consecutive days. For adults with chronic constipation, "
               "a daily fibre supplement is advised as the first step.")
    assert check("Children with measles are given vitamin A on two consecutive days.", passage).supported
    assert check("A daily fibre supplement is the first step for adults with chronic constipation.", passage).supported
    verdict = check(statement, passage)
    assert not verdict.supported and f"names {condition} which the source does not" in verdict.reasons, verdict.reasons


# ---- a drug class is no substance, and a brand is its own product ---------------------------------------------------
def test_a_substance_name_before_a_class_word_names_the_class():
    assert [m[0] for m in _substance_mentions("Dopamine agonists are listed; levodopa is given with carbidopa.")] == \
        ["levodopa", "carbidopa"]


def test_a_class_named_by_its_substance_is_read_against_its_table_comment():
    table = ("Drug Dose Comments\nDopamine agonists\nPramipexole\nRopinirole\n0.125-1.5 mg/day\n0.25-4 mg/day\n"
             "• Do not use if there is a history of psychosis or impulse control disorder\n• Take with food")
    verdict = check("Dopamine agonists are a good choice in patients with a history of psychosis.", table)
    assert not verdict.supported and any(r.startswith("polarity") for r in verdict.reasons), verdict.reasons


@needs_wordnet
def test_a_brand_the_vocabulary_folds_into_a_class_is_its_own_product():
    assert {"xembify", "cutaquig"} <= proper_names("Xembify is given weekly; Cutaquig may be given every other week.")
    assert "louzon" not in proper_names("Most patients improved.")  # (no capitalised word: nothing)
    passage = ("- For Xembify, the weekly dose is the previous IVIG dose divided by the number of weeks between infusions\n"
               "- Cutaquig is started one week after the last IVIG infusion")
    assert check("With Xembify, the previous IVIG dose is divided by the weeks between infusions to give the weekly dose.",
                 passage).supported
    verdict = check("With Cutaquig, the previous IVIG dose is divided by the weeks between infusions to give the weekly dose.",
                    passage)
    assert not verdict.supported and any("cutaquig" in r for r in verdict.reasons), verdict.reasons


# ---- polarity said by paraphrase ----------------------------------------------------------------------------------
FOR = "In adults with an acute gout flare, colchicine is recommended as a first-line option to relieve joint pain."
AGAINST = "In adults with an acute gout flare, colchicine should not be used as a first-line option to relieve joint pain."
DENIED = [
    "There is no role for colchicine as a first-line option for joint pain in adults with an acute gout flare.",
    "Colchicine offers no benefit as a first-line option for joint pain in adults with an acute gout flare.",
    "Colchicine has no place as a first-line option for joint pain in adults with an acute gout flare.",
    "Colchicine is not indicated as a first-line option for joint pain in adults with an acute gout flare.",
    "Using colchicine as a first-line option for joint pain in adults with an acute gout flare is not advised.",
    "Colchicine is of no value as a first-line option for joint pain in adults with an acute gout flare.",
    "Colchicine is not appropriate as a first-line option for joint pain in adults with an acute gout flare.",
    "Colchicine fails to relieve joint pain as a first-line option in adults with an acute gout flare.",
    "Colchicine is unsuitable as a first-line option for joint pain in adults with an acute gout flare.",
    "Colchicine should never be used as a first-line option for joint pain in adults with an acute gout flare.",
]
AFFIRMED = [
    "Colchicine is a good first-line option to relieve joint pain in adults with an acute gout flare.",
    "In adults with an acute gout flare, colchicine is appropriate as a first-line option to relieve joint pain.",
    "Colchicine is beneficial as a first-line option to relieve joint pain in adults with an acute gout flare.",
    "Colchicine has a role as a first-line option to relieve joint pain in adults with an acute gout flare.",
    "Colchicine is indicated first-line to relieve joint pain in adults with an acute gout flare.",
]


@pytest.mark.parametrize("statement", DENIED)
def test_a_denial_in_other_words_is_not_supported_by_a_recommendation(statement):
    assert check(statement, AGAINST).supported, check(statement, AGAINST).reasons
    verdict = check(statement, FOR)
    assert not verdict.supported and any(r.startswith("polarity") for r in verdict.reasons), verdict.reasons


@pytest.mark.parametrize("statement", AFFIRMED)
def test_an_endorsement_in_other_words_is_not_supported_by_a_recommendation_against(statement):
    assert check(statement, FOR).supported, check(statement, FOR).reasons
    verdict = check(statement, AGAINST)
    assert not verdict.supported and any(r.startswith("polarity") for r in verdict.reasons), verdict.reasons


def test_a_relative_clause_coordinated_on_belongs_to_the_population():
    passage = "Adults who cannot swallow tablets or who are not candidates for oral therapy may receive the drug by injection."
    assert check("Adults who cannot swallow tablets, or are unsuitable for oral therapy, may receive the drug by injection.",
                 passage).supported


# ---- the population a claim is made for ---------------------------------------------------------------------------
@pytest.mark.parametrize("statement", [
    "Compression stockings are advised during long flights for all patients.",
    "Compression stockings are advised during long flights for patients taking oral contraceptives.",
])
def test_a_claim_given_to_another_or_a_whole_population_is_unsupported(statement):
    passage = ("Travel advice is given before every long trip. Compression stockings are advised during long flights for "
               "patients with a previous deep vein thrombosis. Oral contraceptives are reviewed at each visit.")
    assert check("For patients with a past deep vein thrombosis, compression stockings are advised on long flights.",
                 passage).supported
    verdict = check(statement, passage)
    assert not verdict.supported and any(r.startswith("population") for r in verdict.reasons), verdict.reasons


# ---- the order of treatments --------------------------------------------------------------------------------------
def test_a_treatment_put_before_the_one_it_follows_is_unsupported():
    passage = "We suggest offering a biologic to adults with plaque psoriasis who do not respond to methotrexate."
    assert check("Adults with plaque psoriasis who fail to respond to methotrexate may be offered a biologic.",
                 passage).supported
    verdict = check("A biologic is suggested for adults with plaque psoriasis before any trial of methotrexate.", passage)
    assert not verdict.supported and any(r.startswith("sequence") for r in verdict.reasons), verdict.reasons
