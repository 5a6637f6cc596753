"""`eval doses` reads a case's sources written as references (a corpus document's sections, a guideline PDF's pages)
as the passages they name: the checker compares a dose with the cited text, never with a note about it."""

from __future__ import annotations

from pathlib import Path

import pytest

from evals.doses import VADOD_PDFS, resolve_sources


def test_a_passage_in_words_stays_as_written():
    passage = "Amlodipine 2.5-10 mg daily (VA/DoD HTN CPG)"
    assert resolve_sources([passage], pdfs=Path("/nonexistent")) == [passage]
    assert resolve_sources(["Amlodipine 2.5-10 mg daily."]) == ["Amlodipine 2.5-10 mg daily."]
    assert resolve_sources(None) is None


def test_a_passage_in_words_is_followed_by_the_document_it_names():
    # The case's note keeps its words and the section it points to is read too: the note may not restate every dose.
    found = resolve_sources(["Ontario rounds to the nearest 5 g (ig-dosing-weight-obesity.md, Worked example)"])
    assert found[0].startswith("Ontario rounds") and len(found) == 2 and found[1].startswith("## Worked example")


@pytest.mark.skipif(not (VADOD_PDFS / "VADoDHypertensionCPG508Corrected792020.pdf").is_file(),
                    reason="needs ../shared/corpora/vadod")
def test_a_passage_in_words_naming_a_guideline_page_is_followed_by_that_page():
    # "HTN" is the hypertension guideline's short name; the page is read as the ingest renders it.
    found = resolve_sources(["Amlodipine 2.5-10 mg daily (VA/DoD HTN CPG, p.99)"])
    assert len(found) == 2 and "Valsartan" in found[1] and "Amlodipine" in found[1]


def test_a_corpus_reference_reads_the_sections_it_names_and_not_its_note():
    found = resolve_sources(["corpus/guidelines/ig-immunomodulatory-itp.md, Pitfalls; Adults: 9 g/kg"])
    assert [p.splitlines()[0] for p in found] == ["## Adults", "## Pitfalls"]
    assert not any("9 g/kg" in p for p in found)


def test_a_corpus_reference_naming_no_heading_reads_the_whole_document():
    found = resolve_sources(["corpus/guidelines/ig-primary-antibody-deficiency.md, the AAAAI starting dose"])
    assert len(found) == 1 and "## Dosing" in found[0] and "## Pitfalls" in found[0]


def test_a_reference_to_a_missing_file_is_an_error_naming_it():
    # Checking against the reference's words instead would silently undercount (tests/doses/test_round14_sources.py).
    from assistant.errors import InputError

    with pytest.raises(InputError, match="no-such-document.md"):
        resolve_sources(["corpus/guidelines/no-such-document.md, Dosing"])
    with pytest.raises(InputError, match="/nonexistent/NoSuchCPG.pdf"):
        resolve_sources(["VA/DoD NoSuchCPG.pdf p12"], pdfs=Path("/nonexistent"))


@pytest.mark.skipif(not (VADOD_PDFS / "VADoDLBPCPGFinal508.pdf").is_file(), reason="needs ../shared/corpora/vadod")
def test_a_pdf_reference_reads_its_page_as_the_ingest_does():
    (page,) = resolve_sources(["VA/DoD VADoDLBPCPGFinal508.pdf p104, Appendix E ketorolac max 400 mg"])
    assert "Ketorolac" in page and "max/day 40 mg" in page and "400 mg" not in page.split("Ketorolac")[1][:80]
