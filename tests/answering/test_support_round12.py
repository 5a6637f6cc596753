"""Classes of round 12 of the support check (issue #15), with statements and passages written for the test: a PDF's
symbol-font bullet glyph (U+F0A1 and kin) ends a list item, so that one item's negation does not run on into the next;
a negation by a negative prefix ("non-preferred") is the same negation a negator makes ("not preferred"); a negation
of a word is its WordNet antonym ("lack of strong evidence" is "weak evidence"); and a word a vocabulary term of the span
holds as written ("transplant recipients") counts for coverage, unless it is clinically specific."""

from __future__ import annotations

from assistant.support_cues import BULLETS, wordnet_antonyms
from assistant.support_text import _prefix_negated, plain_words
from tests.answering.support_pairs import VOCAB, assert_pair, check, needs_wordnet
from assistant.support_text import _lexicon, _passage_units


# ---- symbol-font bullets end a list item ---------------------------------------------------------------------------
def test_a_symbol_font_bullet_ends_a_unit():
    assert "\uf0a1" in BULLETS and "\uf0b7" in BULLETS
    text = "\uf0a1 Drug A may be used alone (not \npreferred) for mild disease\n\uf0a1 Drug B may be used for exercise symptoms"
    units = _passage_units(text, _lexicon(VOCAB))
    assert len(units) == 2
    assert all("Drug B" not in u.text for u in units[:1])


@needs_wordnet
def test_one_bullets_negation_does_not_reach_the_next():
    passage = ("\uf0a1 Bisoprolol may be given as an \nalternative (not \npreferred) to atenolol\n"
               "\uf0a1 Bisoprolol may be used \nfor rate control in atrial fibrillation")
    units = _passage_units(passage, _lexicon(VOCAB))
    assert [c.polarity for c in units[-1].clauses] == ["positive"]  # before: the "(not preferred)" clause ran on into it


# ---- a negative prefix negates as a negator does ---------------------------------------------------------------------
@needs_wordnet
def test_a_prefix_negates_what_a_negator_does():
    assert _prefix_negated("a non-preferred option") & _prefix_negated("a nonpreferred option")
    assert not _prefix_negated("an interval of four weeks")  # "terval" is no word
    passage = "Bisoprolol may be given as an alternative (not preferred) to atenolol for stable angina."
    assert check("For stable angina, bisoprolol is a non-preferred alternative to atenolol.", passage).supported
    assert not check("For stable angina, bisoprolol is the preferred alternative to atenolol.", passage).supported


# ---- a negated word is its antonym -------------------------------------------------------------------------------
@needs_wordnet
def test_a_negated_word_is_its_wordnet_antonym():
    assert "weak" in wordnet_antonyms().get("strong", ())
    passage = ("We suggest against bisoprolol for stable angina due to the lack of strong evidence for its efficacy "
               "and its known adverse effects. (Weak Against)")
    assert_pair(passage, supported="VA/DoD suggests against bisoprolol for stable angina (Weak Against), citing weak efficacy evidence and "
                          "its adverse effects.",
                unsupported="VA/DoD suggests bisoprolol for stable angina (Weak For), citing strong efficacy evidence.")


# ---- a term's words as written count for coverage ------------------------------------------------------------------
def test_a_terms_own_words_count_for_coverage_but_not_a_specific_one():
    assert "recipi" in plain_words("In transplant recipients receiving immunoglobulin replacement")
    passage = ("In transplant recipients receiving immunoglobulin replacement, trough IgG is checked alongside infection "
               "frequency, and renal function is monitored.")
    assert check("In SOT recipients on immunoglobulin replacement, trough IgG is checked with infection frequency and "
                 "renal function is monitored.", passage).supported
    knee = "We suggest an image-guided corticosteroid injection for hip osteoarthritis."
    assert not check("We suggest an image-guided corticosteroid injection for knee osteoarthritis.", knee).supported
