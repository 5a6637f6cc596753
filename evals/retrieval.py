"""The `retrieval` suite: index a BEIR set in a collection of its own and score the retrievers."""

from __future__ import annotations

import csv
import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import InputError
from assistant.index import Index
from assistant.retrieval import Mode, Retriever
from assistant.settings import Settings
from evals.metrics import summarise
from assistant.progress import Progress
from ingest.run import ingest


@dataclass(frozen=True)
class BeirSet:
    """Queries and judgements of one split of a BEIR folder."""

    root: Path
    queries: dict[str, str]
    qrels: dict[str, dict[str, int]]


def load_beir(root: Path, split: str = "dev", limit: int | None = None) -> BeirSet:
    """Read queries.jsonl and qrels/SPLIT.tsv (corpus.jsonl is read by ingest)."""
    corpus, queries_path, qrels_path = root / "corpus.jsonl", root / "queries.jsonl", root / "qrels" / f"{split}.tsv"
    for path in (corpus, queries_path, qrels_path):
        if not path.exists():
            raise InputError(f"{path} is missing: a BEIR folder holds corpus.jsonl, queries.jsonl and qrels/{split}.tsv.")
    qrels: dict[str, dict[str, int]] = {}
    with qrels_path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            qrels.setdefault(row["query-id"], {})[row["corpus-id"]] = int(float(row["score"]))
    queries: dict[str, str] = {}
    with queries_path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                row = json.loads(line)
                if row["_id"] in qrels:
                    queries[row["_id"]] = row["text"]
    if limit:
        queries = dict(sorted(queries.items())[:limit])
    return BeirSet(root, queries, qrels)


def namespace_for(root: Path) -> str:
    """The eval's own index namespace, never the user's."""
    return "beir-" + hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:10]


def rank_documents(retriever: Retriever, query: str, mode: Mode, k: int) -> list[str]:
    """Document ids best first (a document ranks by its best chunk)."""
    hits = retriever.search(query, k=k * 3, mode=mode)
    return list(dict.fromkeys(h.doc_id for h in hits))[:k]


def evaluate(
    root: Path,
    settings: Settings,
    *,
    split: str = "dev",
    modes: tuple[Mode, ...] = ("hybrid",),
    k: int = 10,
    limit: int | None = None,
    progress: Progress | None = None,
    misses_path: Path | None = None,
) -> dict[str, dict]:
    """Metrics per retriever for one BEIR split; the set is indexed in its own namespace."""
    data = load_beir(root, split, limit)
    namespace = namespace_for(root)
    ingest([root / "corpus.jsonl"], settings, namespace=namespace, progress=progress)
    from assistant.embeddings import get_embedder, set_threads

    set_threads(settings.embedding.threads or 1)  # queries run one at a time, as when serving

    retriever = Retriever.from_settings(
        Index(settings, namespace), get_embedder(settings.embedding.model), settings.retrieval, fetch_k=max(settings.retrieval.fetch_k, k * 3)
    )
    results: dict[str, dict] = {}
    misses: list[dict] = []
    for mode in modes:
        started = time.perf_counter()
        runs = {qid: rank_documents(retriever, text, mode, k) for qid, text in data.queries.items()}
        seconds = time.perf_counter() - started
        results[mode] = {**summarise(runs, data.qrels), "retriever": mode, "ms_per_query": round(1000 * seconds / max(1, len(runs)), 2)}
        misses += [
            {"retriever": mode, "query_id": qid, "query": data.queries[qid], "expected": sorted(data.qrels[qid]), "got": ranked[:5]}
            for qid, ranked in runs.items()
            if not set(ranked[:1]) & set(data.qrels[qid])
        ]
    if misses_path:
        misses_path.parent.mkdir(parents=True, exist_ok=True)
        misses_path.write_text("\n".join(json.dumps(m) for m in misses) + "\n", encoding="utf-8")
    return results
