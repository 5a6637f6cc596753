"""evals/load.run_load against a real uvicorn server (a short run; `guideqa bench load` does the long one)."""

from __future__ import annotations

import json
import os

import pytest

from evals.load import percentiles, run_load
from tests.server.conftest import SK_ALPHA


def test_a_short_mixed_load_run_has_no_errors(live_server):
    result = run_load(live_server.url, SK_ALPHA, clients=4, seconds=4, server_pid=os.getpid())
    assert result["errors"] == 0, result["error_samples"]
    assert result["answers"] >= 4 and result["answers_per_s"] > 0
    assert result["http_status"] == {"200": result["requests"]}
    assert result["latency_ms_ask"]["p50"] and result["latency_ms_stream"]["p50"]
    assert result["latency_ms"]["p50"] <= result["latency_ms"]["p95"] <= result["latency_ms"]["p99"] <= result["latency_ms"]["max"]
    assert result["follow_ups"] > 0
    assert result["memory_mb"]["before"] > 0 and result["memory_mb"]["after"] > 0


def test_errors_are_counted(live_server):
    result = run_load(live_server.url, "sk_wrong_" + "x" * 30, clients=2, seconds=1, max_requests=6)
    assert result["errors"] == result["requests"] == 6 and result["answers"] == 0
    assert result["http_status"] == {"401": 6}


def test_only_local_servers():
    with pytest.raises(ValueError):
        run_load("https://example.org", SK_ALPHA, clients=1, seconds=1)


def test_percentiles():
    values = [float(v) for v in range(1, 101)]
    assert percentiles(values) == {"p50": 50.5, "p95": 95.0, "p99": 99.0, "max": 100.0}
    assert percentiles([]) == {"p50": None, "p95": None, "p99": None, "max": None}


@pytest.mark.slow
def test_bench_load_runs_a_real_server_and_saves_its_figures(tmp_path):
    """`guideqa bench load`: a real `guideqa serve` (bundled corpus ingested first), a one-off key, two short runs."""
    from tests.conftest import guideqa

    done = guideqa("bench", "load", "--clients", "2,4", "--seconds", "3", "--json",
                   env={"GUIDEQA_DATA_DIR": str(tmp_path / "data")}, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout)
    assert result["kind"] == "load" and [r["clients"] for r in result["runs"]] == [2, 4]
    for run in result["runs"]:
        assert run["errors"] == 0, run["error_samples"]
        assert run["answers"] > 0 and run["http_status"] == {"200": run["requests"]}
        assert run["memory_mb"]["before"] > 100 and run["memory_mb"]["after"] > 100  # the server process, model loaded
    assert json.loads((tmp_path / "data" / "bench" / "load.json").read_text()) == result
    bad = guideqa("bench", "load", "--clients", "two", "--json", env={"GUIDEQA_DATA_DIR": str(tmp_path / "data")})
    assert bad.returncode != 0 and json.loads(bad.stdout)["error"]["code"] == "invalid_input"
