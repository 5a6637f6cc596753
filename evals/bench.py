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


BENCH_QUESTIONS = [
    "What IVIG dose is used for Kawasaki disease?",
    "How do I convert IVIG to weekly subcutaneous immunoglobulin?",
    "What trough IgG level should be targeted in primary immunodeficiency?",
    "Should IVIG be given during an active infection in severe hypogammaglobulinemia?",
    "What premedication helps prevent infusion reactions?",
    "How is the dosing weight calculated in obese patients?",
    "When is IVIG not indicated?",
    "What is the IVIG dose for immune thrombocytopenia in children?",
    "How long should replacement continue after rituximab?",
    "What infusion rate limits thrombosis risk?",
    "What is the recommended first-line treatment for hypertension?",
    "How should opioids be tapered in chronic pain?",
    "What are the symptoms of asthma?",
    "How is major depressive disorder treated in primary care?",
    "What causes chronic kidney disease?",
    "When should IgG replacement start after CAR-T therapy?",
    "What are the adverse effects of IVIG on the kidneys?",
    "What is the IVIG regimen for Guillain-Barre syndrome?",
    "Is IVIG recommended after autologous stem cell transplant?",
    "What is the maintenance dose for CIDP?",
]


def replicate(settings: Settings, namespace: str, target: int) -> int:
    """Grow an index to at least `target` chunks by copying stored vectors under new ids (no re-embedding)."""
    from assistant.index import FileEntry, read_manifest
    from ingest.store import GET_BATCH, Store, index_version

    store = Store(settings, namespace)
    manifest = read_manifest(store.dir)
    base = [cid for key, entry in manifest.files.items() if not key.startswith("replica:") for cid in entry.chunk_ids]
    count = len(manifest.chunk_ids())
    copy = 0
    while count < target:
        copy += 1
        key = f"replica:{copy}"
        if key in manifest.files:
            count = len(manifest.chunk_ids())
            continue
        new_ids: list[str] = []
        for i in range(0, len(base), GET_BATCH):
            got = store.collection.get(ids=base[i : i + GET_BATCH], include=["embeddings", "documents", "metadatas"])
            ids = [f"r{copy}/{cid}" for cid in got["ids"]]
            metas = [{**meta, "doc_id": f"r{copy}/{meta.get('doc_id')}"} for meta in got["metadatas"]]
            store.collection.upsert(ids=ids, embeddings=got["embeddings"], documents=got["documents"], metadatas=metas)
            new_ids += ids
        manifest.files[key] = FileEntry(hash=key, doc_ids=[], chunk_ids=new_ids)
        count = len(manifest.chunk_ids())
    manifest.version = index_version(manifest.chunk_ids())
    manifest.bm25_dir = store.build_lexical(manifest.chunk_ids(), manifest.version)
    store.commit(manifest)
    return count


def copy_to_server(settings: Settings, namespace: str, server: Settings) -> None:
    """Copy an embedded index's collection into a Chroma server, with the same manifest and BM25 folder."""
    from assistant.index import read_manifest, write_manifest
    from ingest.store import GET_BATCH, Store

    source = Store(settings, namespace)
    target = Store(server, namespace)
    manifest = read_manifest(source.dir)
    ids = manifest.chunk_ids()
    for i in range(0, len(ids), GET_BATCH):
        got = source.collection.get(ids=ids[i : i + GET_BATCH], include=["embeddings", "documents", "metadatas"])
        target.collection.upsert(ids=got["ids"], embeddings=got["embeddings"], documents=got["documents"], metadatas=got["metadatas"])
    if target.dir != source.dir:
        shutil.copytree(source.dir / manifest.bm25_dir, target.dir / manifest.bm25_dir, dirs_exist_ok=True)
        write_manifest(target.dir, manifest)


def time_queries(settings: Settings, namespace: str, rounds: int = 2) -> dict:
    """Warm p50/p95 of retrieval alone, of the dose check, and of whole extractive answers."""
    from assistant.chain import Assistant
    from assistant.index import Index

    assistant = Assistant(settings, index=Index(settings, namespace))
    assistant.ask(BENCH_QUESTIONS[0])  # warm: model, rules, BM25 loaded
    from assistant.doses import check_text

    retrieval, whole, doses = [], [], []
    for _ in range(rounds):
        for question in BENCH_QUESTIONS:
            t0 = time.perf_counter()
            assistant.retriever.search(question, k=settings.retrieval.k)
            retrieval.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            answer = assistant.ask(question)
            whole.append(time.perf_counter() - t0)
            text = " ".join([answer.summary] + [s.text for sec in answer.sections for s in sec.statements])
            t0 = time.perf_counter()
            check_text(text + " " * len(doses), assistant.rulebook, context=question)  # new text: no cache hit
            doses.append(time.perf_counter() - t0)
    r, w, d = percentiles(retrieval), percentiles(whole), percentiles(doses)
    return {
        "chunks": assistant.index.count(),
        "retrieval": r,
        "answer": w,
        "dose_check": d,
        "answer_over_retrieval_p50": round(w["p50_ms"] / r["p50_ms"], 2) if r["p50_ms"] else None,
        "dose_check_share_of_answer_p50": round(d["p50_ms"] / w["p50_ms"], 3) if w["p50_ms"] else None,
    }


def bench_query(settings: Settings, *, sources: list[tuple[str, list[Path]]], replicate_to: int = 100_000, server: bool = True) -> dict:
    """Latency at growing index sizes (each step adds a source; the last replicates to 100k+), embedded and server."""
    import torch

    from assistant.embeddings import set_threads

    set_threads(1)  # as when serving: one intra-op thread per worker
    torch.set_num_threads(1)
    namespace = "bench-query"
    steps: list[dict] = []
    paths: list[Path] = []
    for label, extra in sources:
        paths += extra
        ingest(paths, settings, namespace=namespace)
        steps.append({"step": label, "store": "embedded", **time_queries(settings, namespace)})
    if replicate_to:
        rss_before = peak_rss_mb()
        count = replicate(settings, namespace, replicate_to)
        steps.append({"step": f"replicated to {count}", "store": "embedded", **time_queries(settings, namespace)})
        steps[-1]["peak_rss_mb"] = round(peak_rss_mb(), 1)
        steps[-1]["rss_growth_mb"] = round(peak_rss_mb() - rss_before, 1)
    if server:
        steps += _server_steps(settings, namespace)
    return {"steps": steps, "questions": len(BENCH_QUESTIONS)}


def _server_steps(settings: Settings, namespace: str) -> list[dict]:
    import socket
    import subprocess
    import sys

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    folder = Path(tempfile.mkdtemp(prefix="guideqa-bench-chroma-"))
    exe = shutil.which("chroma") or str(Path(sys.executable).with_name("chroma"))
    proc = subprocess.Popen([exe, "run", "--host", "127.0.0.1", "--port", str(port), "--path", str(folder)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.2)
        remote = settings.model_copy(update={"chroma": settings.chroma.model_copy(update={"host": "127.0.0.1", "port": port}),
                                             "data_dir": folder / "data"})
        copy_to_server(settings, namespace, remote)
        return [{"step": "largest", "store": "server", **time_queries(remote, namespace)}]
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        shutil.rmtree(folder, ignore_errors=True)
