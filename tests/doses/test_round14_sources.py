"""Round 14 of issue 14: `eval doses` reads a case's sources from the corpus and the VA/DoD guideline PDFs
(../shared/corpora/vadod). A source it cannot read is an error naming the missing path, never a silent undercount
(the reference's own words checked as if they were the passage)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.doses import load_rulebook
from assistant.errors import InputError
from evals.doses import VADOD_PDFS, resolve_sources, run_dose_eval

ROOT = Path(__file__).resolve().parents[2]
MDD = "VADoDMDDCPGFinal508.pdf"
needs_pdfs = pytest.mark.skipif(not (VADOD_PDFS / MDD).is_file(), reason="needs ../shared/corpora/vadod")


def test_a_missing_pdf_folder_is_an_error_naming_the_pdf(tmp_path):
    gone = tmp_path / "vadod"
    with pytest.raises(InputError) as err:
        resolve_sources([f"VA/DoD {MDD}, page 132 (Appendix J)"], pdfs=gone)
    assert str(gone / MDD) in str(err.value)


def test_a_missing_pdf_in_a_present_folder_is_an_error(tmp_path):
    (tmp_path / "VADoDOther.pdf").write_bytes(b"%PDF-1.4\n")
    with pytest.raises(InputError, match=str(tmp_path / MDD)):
        resolve_sources([f"{tmp_path}/{MDD}, page 132"], pdfs=tmp_path)


def test_a_note_naming_guideline_pages_without_the_pdf_folder_is_an_error(tmp_path):
    with pytest.raises(InputError, match=str(tmp_path / "vadod")):
        resolve_sources(["Sertraline 50-200 mg daily (VA/DoD MDD CPG, p.132)"], pdfs=tmp_path / "vadod")


def test_a_missing_corpus_document_is_an_error_naming_it():
    with pytest.raises(InputError, match=r"corpus/guidelines/ig-not-a-document\.md"):
        resolve_sources(["corpus/guidelines/ig-not-a-document.md, Dosing"])


@needs_pdfs
def test_the_eval_fails_instead_of_undercounting_when_the_pdfs_are_missing(tmp_path, monkeypatch):
    cases = tmp_path / "cases.jsonl"
    cases.write_text(json.dumps({"id": "x", "text": "Sertraline 50 mg daily for depression.", "safe": True,
                                 "sources": [f"VA/DoD {MDD}, page 132"]}) + "\n", encoding="utf-8")
    book = load_rulebook(ROOT / "corpus" / "rules")
    # With the PDFs present the page is read and the case counts as usual.
    assert run_dose_eval(cases, book)["safe_total"] == 1
    # Without them the eval stops, naming the file it could not read.
    empty = tmp_path / "no-pdfs"
    empty.mkdir()
    # The folder is the settings' (GUIDEQA_VADOD_PDFS), or the one the caller passes.
    with pytest.raises(InputError, match=str(empty / MDD)):
        run_dose_eval(cases, book, empty)
    from assistant.settings import get_settings

    monkeypatch.setenv("GUIDEQA_VADOD_PDFS", str(empty))
    get_settings.cache_clear()
    try:
        with pytest.raises(InputError, match=str(empty / MDD)):
            run_dose_eval(cases, book)
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()


@needs_pdfs
def test_the_cli_exits_with_the_missing_path(tmp_path):
    # The real command line: a case citing a PDF that is not in the folder fails with the path on stderr, and prints
    # no counts.
    cases = tmp_path / "cases.jsonl"
    cases.write_text(json.dumps({"id": "x", "text": "Sertraline 50 mg daily.", "safe": True,
                                 "sources": ["VA/DoD VADoDNoSuchGuideline.pdf, page 3"]}) + "\n", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "assistant.cli", "eval", "doses", "--cases", str(cases), "--json"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300,
                          env={**__import__("os").environ, "HF_HUB_OFFLINE": "1",
                               "GUIDEQA_DATA_DIR": str(tmp_path / "data")})
    assert proc.returncode != 0
    assert str(VADOD_PDFS / "VADoDNoSuchGuideline.pdf") in proc.stdout + proc.stderr
    assert "unsafe_caught" not in proc.stdout
