"""Benchmarks (`guideqa bench ingest|query`): numbers measured as ratios against a baseline in the same run."""

from __future__ import annotations

import resource
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

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
        "kind": "ingest",
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
    from ingest.store import Store, index_version

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
        new_ids = copy_chunks(store.collection, store.collection, base,
                              lambda cid, meta, n=copy: (f"r{n}/{cid}", {**meta, "doc_id": f"r{n}/{meta.get('doc_id')}"}))
        manifest.files[key] = FileEntry(hash=key, doc_ids=[], chunk_ids=new_ids)
        count = len(manifest.chunk_ids())
    manifest.version = index_version(manifest)
    manifest.bm25_dir = store.build_lexical(manifest.chunk_ids(), manifest.version)
    store.commit(manifest)
    return count


def copy_chunks(source: Any, target: Any, ids: list[str], rename: Callable[[str, dict], tuple[str, dict]] | None = None) -> list[str]:
    """Copy stored chunks (vector, text, metadata) between collections in batches, without re-embedding;
    `rename` gives each copy a new id and metadata. Returns the ids written."""
    from ingest.store import GET_BATCH

    written: list[str] = []
    for i in range(0, len(ids), GET_BATCH):
        got = source.get(ids=ids[i : i + GET_BATCH], include=["embeddings", "documents", "metadatas"])
        pairs = [rename(cid, meta) if rename else (cid, meta) for cid, meta in zip(got["ids"], got["metadatas"])]
        new_ids = [cid for cid, _ in pairs]
        target.upsert(ids=new_ids, embeddings=got["embeddings"], documents=got["documents"], metadatas=[m for _, m in pairs])
        written += new_ids
    return written


def copy_to_server(settings: Settings, namespace: str, server: Settings, *, target: str | None = None,
                   skip: set[str] | None = None) -> set[str]:
    """Copy an embedded index into a Chroma server (as namespace `target`, by default the same), with its manifest
    and BM25 folder. Ids in `skip` are already on the server and are not sent again; returns every id sent so far."""
    from assistant.index import read_manifest, write_manifest
    from ingest.store import Store

    source = Store(settings, namespace)
    remote = Store(server, target or namespace)
    manifest = read_manifest(source.dir)
    ids = [cid for cid in manifest.chunk_ids() if cid not in (skip or set())]
    copy_chunks(source.collection, remote.collection, ids)
    if remote.dir != source.dir:
        shutil.copytree(source.dir / manifest.bm25_dir, remote.dir / manifest.bm25_dir, dirs_exist_ok=True)
        write_manifest(remote.dir, manifest.model_copy(update={"collection": remote.name}))
    return (skip or set()) | set(ids)


def current_rss_mb(pid: int | None = None) -> float:
    """Resident memory of a process (this one by default) and its children, in MB."""
    import psutil

    proc = psutil.Process(pid)
    return sum(p.memory_info().rss for p in [proc, *proc.children(recursive=True)]) / 2**20


def time_queries(settings: Settings, namespace: str, rounds: int = 2) -> dict:
    """Warm p50/p95 of retrieval alone, of the dose check, and of whole extractive answers."""
    from assistant.chain import Assistant
    from assistant.index import Index

    assistant = Assistant(settings, index=Index(settings, namespace))
    assistant.warm()  # as a server does before it reports ready: model, rules, BM25 and topic filters loaded
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


class ChromaServer:
    """A real `chroma run` on a free 127.0.0.1 port with a scratch folder, for the server side of the benchmark."""

    def __init__(self, settings: Settings) -> None:
        import socket

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.folder = Path(tempfile.mkdtemp(prefix="guideqa-bench-chroma-"))
        self.settings = settings.model_copy(update={
            "chroma": settings.chroma.model_copy(update={"host": "127.0.0.1", "port": self.port}),
            "data_dir": self.folder / "data",
        })
        self.copied: set[str] = set()
        self.proc = None

    def __enter__(self) -> "ChromaServer":
        import socket
        import subprocess
        import sys

        exe = shutil.which("chroma") or str(Path(sys.executable).with_name("chroma"))
        self.proc = subprocess.Popen([exe, "run", "--host", "127.0.0.1", "--port", str(self.port), "--path", str(self.folder / "chroma")],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return self
            except OSError:
                time.sleep(0.2)
        self.__exit__()
        raise RuntimeError(f"chroma run did not listen on 127.0.0.1:{self.port} within 60 s")

    def __exit__(self, *exc: object) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=30)
        shutil.rmtree(self.folder, ignore_errors=True)

    namespace = "bench-query-server"  # one collection on the server, grown step by step

    def sync(self, settings: Settings, namespace: str) -> None:
        """Bring the server's collection to exactly what `namespace` holds (steps only ever add chunks)."""
        self.copied = copy_to_server(settings, namespace, self.settings, target=self.namespace, skip=self.copied)

    def rss_mb(self) -> float:
        return current_rss_mb(self.proc.pid) if self.proc else 0.0


TARGET_P95_ANSWER_MS = 250.0


def seed(settings: Settings, source: str, target: str, paths: list[Path]) -> int:
    """Copy the stored vectors of the files under `paths` from one namespace into another, so that ingesting those
    files there embeds nothing again; returns how many chunks were copied."""
    from assistant.index import read_manifest
    from ingest.store import Store

    roots = [p.resolve() for p in paths]
    manifest = read_manifest(settings.index_dir(source))
    if manifest is None:
        return 0
    wanted = [cid for key, entry in manifest.files.items() if not key.startswith("replica:")
              and any(Path(key) == r or r in Path(key).parents for r in roots) for cid in entry.chunk_ids]
    src, dst = Store(settings, source), Store(settings, target)
    present = dst.existing(wanted)
    wanted = [cid for cid in wanted if cid not in present]
    copy_chunks(src.collection, dst.collection, wanted)
    return len(wanted)


def time_in_child(settings: Settings, namespace: str, rounds: int) -> dict:
    """time_queries in a fresh process (one torch thread, as a serving worker), with that process's resident memory:
    what one index of this size costs, without the indexes timed before it."""
    import json
    import os
    import subprocess
    import sys

    env = {**os.environ, "GUIDEQA_BENCH_SETTINGS": settings.model_dump_json(), "HF_HUB_OFFLINE": "1"}
    code = "import sys; from evals.bench import _child_main; _child_main(sys.argv[1], int(sys.argv[2]))"
    done = subprocess.run([sys.executable, "-c", code, namespace, str(rounds)], env=env, capture_output=True, text=True,
                          timeout=3600)
    if done.returncode != 0:
        raise RuntimeError(f"timing {namespace} failed: {done.stderr[-1500:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _child_main(namespace: str, rounds: int) -> None:
    import json
    import os

    import torch

    from assistant.embeddings import set_threads

    set_threads(1)
    torch.set_num_threads(1)
    settings = Settings.model_validate(json.loads(os.environ["GUIDEQA_BENCH_SETTINGS"]))
    result = time_queries(settings, namespace, rounds)
    result["process_rss_mb"] = round(current_rss_mb(), 1)
    print(json.dumps(result))


def bench_query(settings: Settings, *, sources: list[tuple[str, list[Path]]], replicate_to: int = 100_000,
                server: bool = True, rounds: int = 2) -> dict:
    """Latency at growing index sizes, each size its own index (each step adds a source; the last replicates to 100k+),
    with the embedded store and a real Chroma server side by side at every size, and memory per 100k chunks.

    Every source is embedded once, into a namespace kept between runs; each step's index is seeded with those
    vectors, so later runs embed nothing. Each size is timed in a fresh process."""
    import contextlib

    full = "bench-query"
    ingest([p for _, extra in sources for p in extra], settings, namespace=full)
    steps: list[dict] = []
    paths: list[Path] = []
    namespace = full
    with ChromaServer(settings) if server else contextlib.nullcontext() as chroma:

        def measure(label: str) -> None:
            steps.append({"step": label, "store": "embedded", **time_in_child(settings, namespace, rounds)})
            if chroma is not None:
                chroma.sync(settings, namespace)
                row = {"step": label, "store": "server", **time_in_child(chroma.settings, chroma.namespace, rounds)}
                steps.append({**row, "server_rss_mb": round(chroma.rss_mb(), 1)})

        for k, (label, extra) in enumerate(sources, start=1):
            paths += extra
            namespace = f"bench-query-{k}"
            seed(settings, full, namespace, paths)
            ingest(paths, settings, namespace=namespace)
            measure(label)
        if replicate_to:
            count = replicate(settings, namespace, replicate_to)
            measure(f"replicated to {count}")
    largest = max((s for s in steps if s["store"] == "embedded"), key=lambda s: s["chunks"])
    return {
        "kind": "query",
        "questions": len(BENCH_QUESTIONS),
        "rounds": rounds,
        "steps": steps,
        "memory_mb_per_100k_chunks": memory_per_100k(steps),
        "target_p95_answer_ms": TARGET_P95_ANSWER_MS,
        "target_met_at_largest": all(s["answer"]["p95_ms"] < TARGET_P95_ANSWER_MS for s in steps if s["chunks"] == largest["chunks"]),
    }


def memory_per_100k(steps: list[dict]) -> dict[str, float | None]:
    """Growth of resident memory per 100k chunks between the smallest and largest index (least squares slope)."""
    out: dict[str, float | None] = {}
    for store, key in (("embedded", "process_rss_mb"), ("server", "server_rss_mb")):
        points = [(s["chunks"], s[key]) for s in steps if s["store"] == store and key in s]
        if len(points) < 2:
            continue
        mean_x = statistics.fmean(x for x, _ in points)
        mean_y = statistics.fmean(y for _, y in points)
        var = sum((x - mean_x) ** 2 for x, _ in points)
        out[store] = round(100_000 * sum((x - mean_x) * (y - mean_y) for x, y in points) / var, 1) if var else None
    return out


def save_result(settings: Settings, result: dict) -> Path:
    """Write a benchmark result to DATA_DIR/bench/<kind>.json (the latest) for the eval report."""
    import json

    folder = settings.data_dir / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{result['kind']}.json"
    path.write_text(json.dumps(result, indent=1), encoding="utf-8")
    return path


def table_rows(result: dict) -> list[dict]:
    """A benchmark result as flat rows for a printed or reported table."""
    if result["kind"] == "query":
        return [
            {
                "step": s["step"], "store": s["store"], "chunks": s["chunks"],
                "retr p50": s["retrieval"]["p50_ms"], "retr p95": s["retrieval"]["p95_ms"],
                "answer p50": s["answer"]["p50_ms"], "answer p95": s["answer"]["p95_ms"],
                "ans/retr": s["answer_over_retrieval_p50"], "dose share": s["dose_check_share_of_answer_p50"],
                "RSS MB": s.get("server_rss_mb", s["process_rss_mb"]),
            }
            for s in result["steps"]
        ]
    if result["kind"] == "load":
        return [
            {
                "clients": r["clients"], "seconds": r["seconds"], "answers/s": r["answers_per_s"], "errors": r["errors"],
                "p50 ms": r["latency_ms"]["p50"], "p95 ms": r["latency_ms"]["p95"], "p99 ms": r["latency_ms"]["p99"],
                "follow-ups": r["follow_ups"], "RSS before MB": r["memory_mb"]["before"], "RSS after MB": r["memory_mb"]["after"],
            }
            for r in result["runs"]
        ]
    return [{"metric": k, "value": v} for k, v in result.items() if not isinstance(v, (list, dict)) and k != "kind"]
