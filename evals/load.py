"""Bounded load benchmark of a running guideqa server (127.0.0.1): N concurrent clients for a fixed
time, mixing POST /v1/ask and POST /v1/ask/stream, with follow-ups in the same session.

`run_load(base_url, key, clients, seconds)` returns throughput, latency percentiles, errors and the
server's memory before and after (when its pid is given). `bench_load` (`guideqa bench load`) starts a real
server and runs it at 16 and 64 clients.
"""

from __future__ import annotations

import asyncio
import json
import random
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import httpx

if TYPE_CHECKING:
    from assistant.settings import Settings

QUESTIONS = [
    "What IVIG dose is used for Kawasaki disease?",
    "What is the IVIG dose for ITP in children?",
    "How is trough IgG monitored during immunoglobulin replacement?",
    "What is the replacement dose of IVIG in primary antibody deficiency?",
    "How should IVIG be dosed during an active infection in severe hypogammaglobulinemia?",
    "How are 0.4 g/kg and 400 mg/kg related?",
]
FOLLOW_UPS = ["and in children?", "how often should it be repeated?", "what are the pitfalls?", "and for adults?"]


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=lambda: {"ask": [], "stream": []})
    statuses: Counter = field(default_factory=Counter)
    answer_status: Counter = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    follow_ups: int = 0


def percentiles(values: list[float]) -> dict[str, float | None]:
    """p50/p95/p99/max in ms (None when there is nothing to measure)."""
    if not values:
        return {"p50": None, "p95": None, "p99": None, "max": None}
    ordered = sorted(values)
    q = statistics.quantiles(ordered, n=100, method="inclusive") if len(ordered) > 1 else ordered * 99
    return {"p50": round(q[49], 1), "p95": round(q[94], 1), "p99": round(q[98], 1), "max": round(ordered[-1], 1)}


def rss_mb(pid: int | None) -> float | None:
    """Resident memory of the server process (and its children), in MB."""
    from evals.bench import current_rss_mb

    return None if pid is None else round(current_rss_mb(pid), 1)


async def _ask(http: httpx.AsyncClient, body: dict, tally: Tally) -> dict | None:
    response = await http.post("/v1/ask", json=body)
    tally.statuses[response.status_code] += 1
    if response.status_code != 200:
        tally.errors.append(f"ask {response.status_code}: {response.text[:200]}")
        return None
    return response.json()


async def _stream(http: httpx.AsyncClient, body: dict, tally: Tally) -> dict | None:
    done, event = None, None
    async with http.stream("POST", "/v1/ask/stream", json=body) as response:
        tally.statuses[response.status_code] += 1
        if response.status_code != 200:
            tally.errors.append(f"stream {response.status_code}: {(await response.aread())[:200]!r}")
            return None
        async for line in response.aiter_lines():
            if line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:") and event in ("done", "error"):
                payload = json.loads(line[5:])
                if event == "error":
                    tally.errors.append(f"stream error event: {payload}")
                    return None
                done = payload
    if done is None:
        tally.errors.append("stream ended without a done event")
    return done


async def _client(n: int, http: httpx.AsyncClient, deadline: float, tally: Tally, stream_share: float,
                  follow_up_share: float, max_requests: int | None, counter: list[int]) -> None:
    rng = random.Random(n)
    session: str | None = None
    while time.monotonic() < deadline and (max_requests is None or counter[0] < max_requests):
        counter[0] += 1
        kind = "stream" if rng.random() < stream_share else "ask"
        if session and rng.random() < follow_up_share:
            body = {"question": rng.choice(FOLLOW_UPS), "session_id": session}
            tally.follow_ups += 1
        else:
            body = {"question": rng.choice(QUESTIONS), "start_session": True}
        started = time.perf_counter()
        try:
            answer = await (_stream if kind == "stream" else _ask)(http, body, tally)
        except (httpx.HTTPError, ValueError) as exc:
            tally.errors.append(f"{kind} {type(exc).__name__}: {str(exc)[:200]}")
            answer = None
        if answer is not None:
            tally.latencies[kind].append((time.perf_counter() - started) * 1000)
            tally.answer_status[answer.get("status", "?")] += 1
            session = answer.get("session_id") or session


async def _run(base_url: str, key: str, clients: int, seconds: float, stream_share: float, follow_up_share: float,
               max_requests: int | None, origin: str | None, timeout: float) -> tuple[Tally, float, int]:
    headers = {"Authorization": f"Bearer {key}"}
    if origin:
        headers["Origin"] = origin
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    tally, counter = Tally(), [0]
    async with httpx.AsyncClient(base_url=base_url, headers=headers, timeout=timeout, limits=limits) as http:
        started = time.monotonic()
        deadline = started + seconds
        await asyncio.gather(*(_client(i, http, deadline, tally, stream_share, follow_up_share, max_requests, counter)
                               for i in range(clients)))
        return tally, time.monotonic() - started, counter[0]


def run_load(
    base_url: str,
    key: str,
    clients: int = 16,
    seconds: float = 60.0,
    *,
    stream_share: float = 0.5,
    follow_up_share: float = 0.3,
    max_requests: int | None = None,
    server_pid: int | None = None,
    origin: str | None = None,
    timeout: float = 120.0,
) -> dict:
    """Drive a server with `clients` concurrent clients for `seconds` (or `max_requests`); report the figures."""
    if not base_url.startswith(("http://127.0.0.1", "http://localhost", "http://[::1]")):
        raise ValueError("run_load only targets a server on this machine (127.0.0.1).")
    memory_before = rss_mb(server_pid)
    tally, elapsed, requests = asyncio.run(_run(base_url, key, clients, seconds, stream_share, follow_up_share, max_requests, origin, timeout))
    memory_after = rss_mb(server_pid)
    all_latencies = tally.latencies["ask"] + tally.latencies["stream"]
    answers = len(all_latencies)
    return {
        "clients": clients,
        "seconds": round(elapsed, 1),
        "requests": requests,
        "answers": answers,
        "answers_per_s": round(answers / elapsed, 2) if elapsed else 0.0,
        "errors": len(tally.errors),
        "error_samples": tally.errors[:5],
        "http_status": {str(k): v for k, v in sorted(tally.statuses.items())},
        "answer_status": dict(tally.answer_status),
        "follow_ups": tally.follow_ups,
        "latency_ms": percentiles(all_latencies),
        "latency_ms_ask": percentiles(tally.latencies["ask"]),
        "latency_ms_stream": percentiles(tally.latencies["stream"]),
        "memory_mb": {"before": memory_before, "after": memory_after,
                      "growth": round(memory_after - memory_before, 1) if memory_before is not None and memory_after is not None else None},
    }


def bench_load(settings: "Settings", clients: tuple[int, ...] = (16, 64), seconds: float = 60.0, warmup_s: float = 5.0) -> dict:
    """Start a real `guideqa serve` on a free 127.0.0.1 port over the data dir's index (the bundled corpus is ingested
    when there is none), with a one-off server key, and run the load at each client count; memory is the server's."""
    import os
    import secrets
    import socket
    import subprocess
    import sys
    from pathlib import Path

    from assistant.index import read_manifest
    from assistant.server.auth import hash_key
    from ingest.run import ingest

    if read_manifest(settings.index_dir()) is None:
        ingest([settings.corpus_dir], settings)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    key = "sk_bench_" + secrets.token_urlsafe(24)
    keys = [{"id": "bench", "kind": "server", "sha256": hash_key(key), "rate_limit_per_minute": 1_000_000}]
    env = {**os.environ, "GUIDEQA_DATA_DIR": str(settings.data_dir.absolute()), "GUIDEQA_SERVER__KEYS": json.dumps(keys),
           "HF_HUB_OFFLINE": "1"}
    exe = str(Path(sys.executable).with_name("guideqa"))
    proc = subprocess.Popen([exe, "serve", "--host", "127.0.0.1", "--port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"guideqa serve exited: {(proc.stderr.read() if proc.stderr else '')[-500:]}")
            try:
                if httpx.get(f"{base}/v1/ready", headers={"Authorization": f"Bearer {key}"}, timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("guideqa serve was not ready within 180 s")
            time.sleep(0.5)
        run_load(base, key, clients=2, seconds=warmup_s)  # model, rules and BM25 loaded before memory is measured
        runs = [run_load(base, key, clients=n, seconds=seconds, server_pid=proc.pid) for n in clients]
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
    return {"kind": "load", "seconds_per_run": seconds, "runs": runs}
