"""Round 14 of issue 14: ages written short ("4 yo") and a patient's age over compared bands; the question's condition
choosing the guideline that grounds; a measured level and its restatement after a dash; a formulation in the drug's
name kept across ';' clauses; the question's weights in an adjusted-weight formula; a trial length of stopping for
want of benefit; bare alternatives ("5 or 10 mg"); sums in words, chained, or in the question's bare numbers. The
classes are data (tests/doses/classes/round14.yaml)."""

from __future__ import annotations

import pytest

from assistant.doses.check import scan_text
from assistant.doses.arithmetic import calculations, evaluate
from evals.doses import VADOD_PDFS
from tests.doses.conftest import class_members, member_caught

pytestmark = pytest.mark.skipif(not VADOD_PDFS.is_dir(), reason="needs ../shared/corpora/vadod")


@pytest.mark.parametrize("member", class_members("round14") if VADOD_PDFS.is_dir() else [])
def test_round14_class_member(corpus_book, member):
    assert member_caught(corpus_book, member) is member.caught


@pytest.mark.parametrize(("text", "band"), [("4 yo, 16 kg", "child"), ("a 72 y/o man", "adult"), ("a 7-yr-old", "child"),
                                             ("3 y.o. boy", "child"), ("65yo", "adult"), ("kids", "child")])
def test_ages_written_short(corpus_book, text, band):
    assert [m.canonical for m in scan_text(text, corpus_book.lexicon).ages] == [band]


def test_yoga_is_no_age(corpus_book):
    assert scan_text("4 yoga classes", corpus_book.lexicon).ages == ()


def test_bare_alternatives_take_the_amounts_unit(corpus_book):
    sc = scan_text("dose: 5, 10, or 20 mg at onset", corpus_book.lexicon)
    assert [(a.low, a.unit) for a in sc.amounts] == [(5.0, "mg"), (10.0, "mg"), (20.0, "mg")]
    # Counts of something else before an amount are not alternatives of it.
    assert [a.low for a in scan_text("Take 1 or 2 tablets of 50 mg", corpus_book.lexicon).amounts] == [50.0]


def test_operators_in_words_and_a_chained_sum(corpus_book):
    assert evaluate("9 g times 1.30")[0].magnitude == pytest.approx(11.7)
    assert evaluate("36 divided by 4")[0].magnitude == pytest.approx(9)
    sc = scan_text("36 g / 4 = 9 g per week, times 1.30 = 15 g weekly.", corpus_book.lexicon)
    calc = calculations(sc)
    assert [sc.amounts[i].text for kind, i in calc.problems] == ["15 g"]
