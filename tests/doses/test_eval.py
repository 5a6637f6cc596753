"""The dose eval suite on the bundled cases (check time is measured by `guideqa bench query`)."""

from __future__ import annotations

import json

from evals.doses import load_cases, run_dose_eval

from pathlib import Path

CASES = Path(__file__).resolve().parents[2] / "evals" / "cases" / "doses.jsonl"

def test_cases_file_shape():
    rows = load_cases(CASES)
    assert len(rows) >= 150
    unsafe = sum(not r["safe"] for r in rows)
    assert 0.4 <= unsafe / len(rows) <= 0.6
    assert len({r["id"] for r in rows}) == len(rows)


def _assert_targets(result):
    assert set(result) == {"unsafe_total", "unsafe_caught", "safe_total", "safe_passed", "misses", "per_category"}
    assert result["unsafe_caught"] == result["unsafe_total"], result["misses"]
    assert result["safe_passed"] >= 0.95 * result["safe_total"], result["misses"]
    for miss in result["misses"]:
        assert set(miss) == {"id", "safe", "blocked", "flags"}


def test_eval_on_fixture_rules(book):
    _assert_targets(run_dose_eval(CASES, book))


def test_eval_on_corpus_rules(corpus_book):
    _assert_targets(run_dose_eval(CASES, corpus_book))


def test_eval_reports_misses(book, tmp_path):
    cases = tmp_path / "cases.jsonl"
    cases.write_text("\n".join(json.dumps(r) for r in [
        {"id": "a", "text": "IVIG 4 g/kg every 4 weeks for PID.", "safe": False},
        {"id": "b", "text": "IVIG 4 g/kg every 4 weeks for PID.", "safe": True},
        {"id": "c", "text": "No dose here.", "safe": False},
    ]), encoding="utf-8")
    result = run_dose_eval(cases, book)
    assert result["unsafe_total"] == 2 and result["unsafe_caught"] == 1
    assert result["safe_total"] == 1 and result["safe_passed"] == 0
    assert [m["id"] for m in result["misses"]] == ["b", "c"]


def test_a_pdf_source_given_with_its_folder_path_is_read_as_the_pages_text():
    from evals.doses import VADOD_PDFS, resolve_sources

    source = f"{VADOD_PDFS}/VADoDMDDCPGFinal508.pdf, page 132 (Appendix J, Table J-1)"
    (text, *_) = resolve_sources([source])
    assert text != source and "Antidepressant" in text
