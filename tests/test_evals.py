"""Eval reports and thresholds; a smoke run of every suite through the real CLI (CI asserts the thresholds)."""

from __future__ import annotations

import json

import pytest
import yaml

from assistant.errors import InputError
from evals.bench import memory_per_100k
from evals.report import check_thresholds, compare, flatten, load_bench, write_report
from tests.conftest import PROJECT_ROOT, SHARED, guideqa

RESULTS = {
    "meta": {"created": "2026-11-23T00:00:00+00:00", "limit": 5},
    "suites": {
        "retrieval": {"cpgqa": {m: {"recall@1": r, "recall@5": r + 0.1, "recall@10": r + 0.15, "ndcg@10": r + 0.05, "mrr@10": r,
                                    "n": 5, "retriever": m} for m, r in (("hybrid", 0.8), ("dense", 0.5), ("bm25", 0.7))}},
        "doses": {"unsafe_total": 4, "unsafe_caught": 4, "safe_total": 4, "safe_passed": 3, "unsafe_caught_rate": 1.0, "safe_passed_rate": 0.75, "misses": []},
        "answers": {"citation_validity": 1.0, "latencies_ms": [12.0, 15.0, 30.0]},
    },
}


def test_thresholds_pass_fail_and_skip_missing_sets(tmp_path):
    spec = tmp_path / "t.yaml"
    spec.write_text(yaml.safe_dump({"minimum": {
        "retrieval.cpgqa.hybrid.recall@1": 0.75,
        "doses.safe_passed_rate": 0.95,
        "retrieval.medquad.hybrid.recall@1": 0.3,  # not in this run: skipped, not failed
        "answers.expected_document_recall": 0.9,    # in a suite that ran but absent: a failure
    }}))
    failures = check_thresholds(RESULTS, spec)
    assert sorted(failures) == [
        "answers.expected_document_recall: missing from the results",
        "doses.safe_passed_rate: 0.7500 is below the threshold 0.95",
    ]


def test_flatten_and_compare_against_a_baseline():
    assert flatten(RESULTS["suites"])["retrieval.cpgqa.bm25.recall@1"] == 0.7
    older = json.loads(json.dumps(RESULTS))
    older["suites"]["retrieval"]["cpgqa"]["hybrid"]["recall@1"] = 0.7
    diff = compare(RESULTS, older)
    assert diff == [{"metric": "retrieval.cpgqa.hybrid.recall@1", "baseline": 0.7, "current": 0.8, "delta": 0.1}]


def test_report_files_are_written_and_self_contained(tmp_path):
    paths = write_report(RESULTS, tmp_path / "report", baseline=RESULTS, failures=["x: below"])
    assert [p.name for p in paths] == ["results.json", "report.html", "report.md"]
    page = (tmp_path / "report" / "report.html").read_text()
    assert page.count("data:image/png;base64,") == 3  # recall curves, latency histogram, pass rates
    assert "Thresholds: FAIL" in page and "<script" not in page
    assert "recall_at_k.png" in (tmp_path / "report" / "report.md").read_text()


def _step(store: str, chunks: int, p95: float, rss: float) -> dict:
    timing = {"p50_ms": p95 / 2, "p95_ms": p95}
    row = {"step": f"{chunks} chunks", "store": store, "chunks": chunks, "retrieval": timing, "answer": timing, "dose_check": timing,
           "answer_over_retrieval_p50": 1.0, "dose_check_share_of_answer_p50": 0.01, "process_rss_mb": rss}
    return {**row, "server_rss_mb": rss} if store == "server" else row


def test_memory_per_100k_chunks_is_the_slope_of_rss_over_size():
    steps = [_step("embedded", 1_000, 10, 500.0), _step("embedded", 101_000, 20, 700.0),
             _step("server", 1_000, 12, 100.0), _step("server", 101_000, 30, 400.0)]
    assert memory_per_100k(steps) == {"embedded": 200.0, "server": 300.0}


def test_report_includes_benchmarks_and_rejects_files_that_are_not_one(tmp_path):
    bench = {"kind": "query", "steps": [_step("embedded", 1_000, 10, 500.0), _step("server", 1_000, 12, 100.0)], "target_p95_answer_ms": 250}
    (tmp_path / "query.json").write_text(json.dumps(bench))
    results = {**RESULTS, "bench": load_bench([tmp_path / "query.json"])}
    write_report(results, tmp_path / "report")
    page = (tmp_path / "report" / "report.html").read_text()
    assert page.count("data:image/png;base64,") == 4 and "Benchmark: query" in page
    assert "<td>server</td>" in page
    (tmp_path / "other.json").write_text(json.dumps({"suites": {}}))
    with pytest.raises(InputError, match="not a `guideqa bench` result"):
        load_bench([tmp_path / "other.json"])


@pytest.mark.slow
def test_smoke_run_of_every_suite_meets_the_thresholds(tmp_path):
    """CI's smoke run: small slices of cpgQA and PubMedQA plus every bundled suite, against evals/thresholds.yaml,
    with a quick `bench query` (bundled corpus, embedded and a real Chroma server) in the report."""
    assert (SHARED / "datasets" / "cpgqa").exists(), "../shared must sit beside the checkout"
    env = {"GUIDEQA_DATA_DIR": str(tmp_path / "data")}
    bench = guideqa("bench", "query", "--quick", "--rounds", "1", "--json", env=env, timeout=900)
    assert bench.returncode == 0, bench.stderr[-2000:]
    timing = json.loads(bench.stdout)
    assert [s["store"] for s in timing["steps"]] == ["embedded", "server"]
    assert timing["steps"][0]["chunks"] == timing["steps"][1]["chunks"] > 50
    assert all(0 < s["retrieval"]["p50_ms"] and 0 < s["answer"]["p95_ms"] for s in timing["steps"])
    saved = tmp_path / "data" / "bench" / "query.json"
    assert json.loads(saved.read_text()) == timing

    result = guideqa("eval", "all", "--report", str(tmp_path / "report"), "--sets", "cpgqa,pubmedqa", "--limit", "60",
                     "--thresholds", str(PROJECT_ROOT / "evals" / "thresholds-smoke.yaml"), "--bench", str(saved), "--json",
                     env=env, timeout=1800)
    assert result.returncode in (0, 4), result.stderr[-2000:]
    summary = json.loads(result.stdout)
    assert summary["failures"] == []
    results = json.loads((tmp_path / "report" / "results.json").read_text())
    assert set(results["suites"]) >= {"retrieval", "doses", "answers", "conversation", "cpgqa_spans", "clinician_dev",
                                      "clinician_test"}
    assert results["bench"]["query"] == timing
    misses = [json.loads(line) for line in (tmp_path / "report" / "retrieval-misses-cpgqa.jsonl").read_text().splitlines() if line]
    hybrid = [m for m in misses if m["retriever"] == "hybrid"]
    recall1 = results["suites"]["retrieval"]["cpgqa"]["hybrid"]["recall@1"]
    assert len(hybrid) == round((1 - recall1) * 60)  # one line per query whose top document is wrong
    assert all(set(m) >= {"query_id", "query", "expected", "got"} for m in misses)


@pytest.mark.slow
def test_smoke_run_of_the_vadod_suite_over_one_guideline_pdf(tmp_path):
    """CI's smoke run of the questions over a site's own PDFs: one VA/DoD guideline indexed from ../shared."""
    pdf = "VADoDSleepCPGFinal508.pdf"
    assert (SHARED / "corpora" / "vadod" / pdf).exists(), "../shared must sit beside the checkout"
    env = {"GUIDEQA_DATA_DIR": str(tmp_path / "data")}
    result = guideqa("eval", "vadod", "--cases", str(PROJECT_ROOT / "evals" / "cases" / "vadod-dev.jsonl"), "--only", pdf,
                     "--json", env=env, timeout=1200)
    assert result.returncode == 0, result.stderr[-2000:]
    summary = json.loads(result.stdout)
    assert summary["pdfs"] == 1 and summary["turns"] >= 8
    # Regression guards under the figures measured when the suite was added (lead 0.6, passage 0.71, grade 0.5).
    assert summary["debris_shown"] == 0
    assert summary["right_passage"] >= 0.55 and summary["lead_correct"] >= 0.45 and summary["grade_right"] >= 0.3
