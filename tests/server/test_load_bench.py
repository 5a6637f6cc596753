"""evals/load.run_load against a real uvicorn server (a short run; `guideqa bench load` does the long one)."""

from __future__ import annotations

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
