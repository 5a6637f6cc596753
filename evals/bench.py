"""Benchmarks (`guideqa bench ingest|query`): numbers measured as ratios against a baseline in the same run."""

from __future__ import annotations

import resource
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from assistant.settings import Settings
from ingest.run import ingest


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_ingest(paths: list[Path], settings: Settings) -> dict:
    """Ingest into a scratch index, then encode the same chunk texts with the raw model, then re-ingest unchanged."""
    from assistant.embeddings import get_embedder
    from assistant.index import read_manifest
    from ingest.store import Store

    scratch = Path(tempfile.mkdtemp(prefix="guideqa-bench-"))
    try:
        bench = settings.model_copy(update={"data_dir": scratch})
        get_embedder(bench.embedding.model, bench.embedding.batch_size)  # model load is not ingest work
        first = ingest(paths, bench)
        ids = read_manifest(bench.index_dir()).chunk_ids()
        texts = list(Store(bench).texts(ids).values())
        model = get_embedder(bench.embedding.model, bench.embedding.batch_size)._model
        started = time.perf_counter()
        model.encode(texts, batch_size=bench.embedding.batch_size, normalize_embeddings=True, show_progress_bar=False)
        raw_seconds = time.perf_counter() - started
        second = ingest(paths, bench)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    pipeline_rate = first.chunks_total / first.seconds if first.seconds else 0.0
    raw_rate = len(texts) / raw_seconds if raw_seconds else 0.0
    return {
        "files": first.files_seen,
        "pages": first.pages,
        "chunks": first.chunks_total,
        "seconds": round(first.seconds, 2),
        "embed_seconds": round(first.embed_seconds, 2),
        "chunks_per_s": round(pipeline_rate, 2),
        "raw_encode_seconds": round(raw_seconds, 2),
        "raw_chunks_per_s": round(raw_rate, 2),
        "pipeline_over_raw": round(pipeline_rate / raw_rate, 3) if raw_rate else None,
        "reingest_seconds": round(second.seconds, 3),
        "reingest_chunks_embedded": second.chunks_embedded,
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "errors": first.errors,
    }


def percentiles(samples: list[float]) -> dict[str, float]:
    """p50 and p95 in milliseconds."""
    if not samples:
        return {"p50_ms": 0.0, "p95_ms": 0.0}
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return {"p50_ms": round(statistics.median(ordered) * 1000, 2), "p95_ms": round(p95 * 1000, 2)}
