"""What the indexed documents mean by a word wins over the bundled vocabulary's other meaning: an acronym a guideline
defines ("PAD" as peripheral artery disease) is not the bundled corpus's condition of the same acronym (primary antibody
deficiency), and a score named after a person ("Child-Pugh A") names no population."""

from __future__ import annotations

from dataclasses import replace

from assistant.question import mentions_of
from assistant.vocabulary import load_vocabulary
from tests.conftest import CORPUS

VOCAB = load_vocabulary(CORPUS / "rules", CORPUS / "lexicon.yaml")


def test_an_acronym_the_documents_define_otherwise_is_not_the_vocabularys_condition():
    question = "70yo s/p BKA for PAD, stable for discharge. SNF or inpatient rehab?"
    assert mentions_of(question, VOCAB).condition.name == "primary_immunodeficiency"  # the bundled meaning alone
    sites = replace(VOCAB, acronyms=(("PAD", "peripheral artery disease"),))
    found = mentions_of(question, sites).condition
    assert found is None or found.name != "primary_immunodeficiency"
    both = replace(VOCAB, acronyms=(("PAD", "peripheral artery disease"), ("PAD", "primary antibody deficiency")))
    assert mentions_of(question, both).condition.name == "primary_immunodeficiency"  # a document means it so too


def test_child_pugh_names_no_child():
    for question in ("Contrave for a BMI 36 patient with cirrhosis, Child-Pugh A: max dose?",
                     "contrave for BMI 36 pt with child pugh B cirrhosis"):
        assert "child" not in {m.name for m in mentions_of(question, VOCAB).populations}, question
    assert "child" in {m.name for m in mentions_of("IVIG dose for a child with ITP", VOCAB).populations}


def test_an_accented_long_form_is_the_same_term():
    sites = replace(VOCAB, acronyms=(("GBS", "Guillain-Barré syndrome"),))
    assert mentions_of("GBS, 68M, 92 kg. daily IVIG dose + total?", sites).condition.name == "gbs"
    lost = replace(VOCAB, acronyms=(("GBS", "guillain-barr syndrome"),))  # a definition whose accented letter was lost
    assert mentions_of("GBS, 68M, 92 kg. daily IVIG dose + total?", lost).condition.name == "gbs"
