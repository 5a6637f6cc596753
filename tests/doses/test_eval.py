"""The dose eval suite on the bundled cases, and the cost of a check on a typical answer."""

from __future__ import annotations

import json
import time

from assistant.doses import check as check_module
from assistant.doses import check_text
from evals.doses import load_cases, run_dose_eval

from pathlib import Path

CASES = Path(__file__).resolve().parents[2] / "evals" / "cases" / "doses.jsonl"

ANSWER = (
    "IVIG should be given to patients with secondary hypogammaglobulinemia and IgG below 400 mg/dL who have "
    "recurrent infections. In primary immunodeficiency, start with 0.4-0.6 g/kg every 3-4 weeks; for a 70 kg adult "
    "that is 28-42 g per infusion. Target trough IgG levels of 600-800 mg/dL. Check trough IgG every 2 weeks during "
    "active infection and adjust doses to keep levels above 500 mg/dL; once infection resolves, monitor every 6-12 "
    "months. During active infection the half-life falls from 18-23 days to as little as 1-10 days, so more frequent "
    "dosing may be needed. Premedicate with acetaminophen 650 mg orally 30 minutes before the infusion. Start the "
    "infusion at 0.5 mg/kg/min and increase to at most 8 mg/kg/min if tolerated. In patients at risk of thrombosis "
    "keep the rate below 2 mg/kg/min. SCIG 100-200 mg/kg weekly gives more stable IgG levels. Allogeneic HSCT "
    "recipients with IgG below 400 mg/dL in the first 100 days may receive IVIG; routine monthly IVIG after day 90 is "
    "not recommended. Reassess at 3-6 months by holding therapy and watching for recovery of IgG production."
)


def test_cases_file_shape():
    rows = load_cases(CASES)
    assert len(rows) >= 150
    unsafe = sum(not r["safe"] for r in rows)
    assert 0.4 <= unsafe / len(rows) <= 0.6
    assert len({r["id"] for r in rows}) == len(rows)


def _assert_targets(result):
    assert set(result) == {"unsafe_total", "unsafe_caught", "safe_total", "safe_passed", "misses"}
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


def test_typical_answer_checks_in_well_under_5_ms(book):
    assert 150 <= len(ANSWER.split()) <= 250
    timings = []
    for i in range(30):
        check_module._scan.cache_clear()  # measure the whole grammar, not a cache hit
        start = time.perf_counter()
        findings = check_text(ANSWER + " " * i, book)
        timings.append(time.perf_counter() - start)
    assert len(findings) >= 10
    median = sorted(timings)[len(timings) // 2]
    print(f"dose check on a {len(ANSWER.split())}-word answer: median {median * 1000:.2f} ms")
    assert median < 0.010  # the target is 5 ms; leave room for a loaded CI machine
