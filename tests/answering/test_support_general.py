"""The support check made general rather than fitted to one set's wording: WordNet synonyms, clinically specific words
(WordNet lexicographer files, wordfreq), values bound to the drug or product they are given for, dosing-interval
shorthand, ranges written "between X and Y", limits and contrastive negation, and the sweep over several dev sets."""

from __future__ import annotations

import pytest

from assistant.quantities import quantities
from assistant.support_cues import normal
from assistant.support_entities import value_names
from assistant.support_polarity import polarity
from tests.answering.support_pairs import check, needs_wordnet


@needs_wordnet
def test_a_synonym_wordnet_knows_counts_as_covered():
    passage = "For weekly dosing, the first subcutaneous dose is given one week after the last IVIG infusion."
    strict = {"min_coverage": 1.0, "max_uncovered": 0}
    assert check("For weekly dosing, the first subcutaneous dose is given one week after the final IVIG infusion.",
                 passage, **strict).supported
    assert not check("For weekly dosing, the first subcutaneous dose is given one week after the failed IVIG infusion.",
                     passage, **strict).supported


def test_the_words_of_a_quantity_are_left_to_the_quantity_check():
    passage = "In GBS, IVIG is given as 0.4 g/kg on each of five days."
    assert check("In GBS, IVIG is given as 400 mg/kg on each of five days.", passage,
                 min_coverage=1.0, max_uncovered=0).supported  # "mg" is not a word the passage lacks
    assert [q.text for q in quantities("five daily 0.4 g/kg doses")][-1] == "0.4 g/kg"
    assert [q.text for q in quantities("7.5 g/week times 1.37")][0] == "7.5 g/week"


@needs_wordnet
@pytest.mark.parametrize("statement, word", [
    ("We suggest a rigid or semi-rigid dressing to promote healing after transfemoral amputation.", "transfemor"),
    ("We suggest a rigid or semi-rigid dressing to promote healing after transtibial amputation in fungal wounds.", "fungal"),
])
def test_a_clinically_specific_word_the_passage_lacks_makes_it_unsupported(statement, word):
    passage = ("We suggest the use of a rigid or semi-rigid dressing to promote healing and early prosthetic use as soon "
               "as feasible post-amputation in transtibial amputation.")
    assert check("A rigid or semi-rigid dressing is suggested to promote healing after transtibial amputation.",
                 passage).supported
    verdict = check(statement, passage)
    assert not verdict.supported and f"names '{word}' which the source does not" in verdict.reasons, verdict.reasons


def test_an_abbreviation_in_capitals_is_no_specific_word():
    passage = "IVIG is a first-line treatment for Guillain-Barre syndrome and is about as effective as plasma exchange."
    assert check("IVIG is a first-line treatment for Guillain-Barre syndrome, as effective as plasma exchange (PLEX).",
                 passage).supported


def test_a_value_given_for_one_product_is_not_supported_for_another():
    passage = "The US dose adjustment factor for Hizentra is 1.37 and the US factor for Cuvitru is 1.30."
    assert check("In the US, Hizentra has the 1.37 adjustment factor and Cuvitru the 1.30 factor.", passage).supported
    swapped = check("In the US, Cuvitru carries the 1.37 adjustment factor and Hizentra the 1.30 factor.", passage)
    assert not swapped.supported and any(r.startswith("binding: '1.37'") for r in swapped.reasons), swapped.reasons
    # a run of names before their values (a PDF column) binds nothing; a later clause is not the name's
    assert value_names("Chlorthalidone HCTZ Indapamide 12.5-25 mg daily 25-50 mg daily") == ()
    assert value_names("Lorazepam 2 mg equals diazepam 10 mg; it has a half-life of 10-20 hours")[-1][1] == "diazepam"
    assert len(value_names("Lorazepam 2 mg equals diazepam 10 mg; it has a half-life of 10-20 hours")) == 2


def test_a_possessive_drug_name_is_still_the_drug():
    table = ("Category Generic Starting Dose Max/Day Muscle Relaxants Baclofen 5 mg TID 80 mg Cyclobenzaprine 5 mg TID "
             "30 mg Metaxalone 800 mg TID 3,200 mg")
    assert check("Baclofen's daily maximum is 80 mg.", table).supported
    assert not check("Baclofen's daily maximum is 30 mg.", table).supported


@pytest.mark.parametrize("short, words", [("0.4 g/kg q3w", "3 weeks"), ("5 mg q4h", "4 hours"), ("10 mg q2wk", "2 weeks")])
def test_interval_shorthand_reads_as_an_interval(short, words):
    assert words in [q.text for q in quantities(normal(short))]
    passage = f"For primary immunodeficiency, IVIG is given at {short}."
    assert check(f"For primary immunodeficiency, IVIG is given at {short.split()[0]} {short.split()[1]} every {words}.",
                 passage).supported


def test_between_x_and_y_is_a_range():
    (q,) = quantities("between 110 and 180 mg/dL")
    assert (q.raw, q.dim) == ((110.0, 180.0), "[mass] / [volume]")
    passage = "We recommend insulin be adjusted to maintain a blood glucose level between 110 and 180 mg/dL."
    assert check("Insulin should be adjusted to keep blood glucose at 110-180 mg/dL.", passage).supported
    assert not check("Insulin should be adjusted to keep blood glucose at 110-140 mg/dL.", passage).supported


def test_a_limit_with_words_between_is_no_negation_and_rather_than_is():
    assert polarity("Adults should not take more than 4000 mg of acetaminophen a day.") == "positive"
    assert polarity("Adults should not take acetaminophen.") == "negative"
    assert polarity("This dose comes from order sets rather than a primary guideline.") == "negative"
    passage = "This dose comes from order sets rather than a primary guideline."
    assert check("That figure comes from order sets, not from a primary guideline.", passage).supported


def test_a_value_is_found_where_it_stands_not_inside_a_longer_one():
    table = "Agent Initial dose Aripiprazole 2-5 mg once daily 15 mg Asenapine 5 mg twice daily 20 mg"
    assert [name for _, name in value_names(table)][-2:] == ["asenapine", "asenapine"]
