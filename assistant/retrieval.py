"""Hybrid retrieval: dense (Chroma + MiniLM) and BM25, fused on normalised scores; a LangChain BaseRetriever."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from assistant.embeddings import Embedder
from assistant.index import Index
from assistant.query import expand_query

log = logging.getLogger(__name__)
Mode = Literal["hybrid", "dense", "bm25"]


@dataclass(frozen=True)
class Filters:
    """Metadata filters: any of these documents, and every population and topic named."""

    documents: tuple[str, ...] = ()
    population: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()

    def where(self) -> dict | None:
        """The same filter as a Chroma `where` clause."""
        clauses: list[dict] = []
        if self.documents:
            clauses.append({"doc_id": {"$in": list(self.documents)}})
        clauses += [{f"population:{_slug(p)}": True} for p in self.population]
        clauses += [{f"topics:{_slug(t)}": True} for t in self.topics]
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}

    def accepts(self, meta: dict) -> bool:
        if self.documents and meta.get("doc_id") not in self.documents:
            return False
        return all(meta.get(f"population:{_slug(p)}") for p in self.population) and all(
            meta.get(f"topics:{_slug(t)}") for t in self.topics
        )

    def __bool__(self) -> bool:
        return bool(self.documents or self.population or self.topics)


def _slug(value: str) -> str:
    return "-".join("".join(c if c.isalnum() else " " for c in value.lower()).split())


@dataclass(frozen=True)
class Hit:
    """One retrieved chunk with its scores."""

    chunk_id: str
    text: str
    meta: dict[str, Any]
    score: float
    dense: float = 0.0
    lexical: float = 0.0

    @property
    def doc_id(self) -> str:
        return str(self.meta.get("doc_id", self.chunk_id.split(":")[0]))

    @property
    def heading_path(self) -> list[str]:
        return json.loads(self.meta.get("heading_path") or "[]")


@dataclass
class Retriever:
    """Search one index by dense, BM25 or fused scores."""

    index: Index
    embedder: Embedder
    fetch_k: int = 50
    dense_weight: float = 0.5
    stats: dict[str, float] = field(default_factory=dict)

    def search(self, query: str, k: int = 8, mode: Mode = "hybrid", filters: Filters | None = None) -> list[Hit]:
        """The k best chunks for a query, best first."""
        filters = filters or Filters()
        expanded = expand_query(query)
        vector = np.asarray(self.embedder.embed_query(expanded), dtype=np.float32)
        dense: dict[str, float] = {}
        lexical: dict[str, float] = {}
        fetch = max(self.fetch_k, k) * (3 if filters else 1)
        if mode in ("hybrid", "dense"):
            dense = dict(self.index.dense(vector.tolist(), fetch, where=filters.where()))
        if mode in ("hybrid", "bm25"):
            lexical = dict(self.index.lexical().search(expanded, fetch))
        candidates = list(dict.fromkeys([*dense, *lexical]))
        stored = self.index.get(candidates)
        if filters:
            candidates = [cid for cid in candidates if cid in stored and filters.accepts(stored[cid][1])]
        if mode == "hybrid":
            missing = [cid for cid in candidates if cid not in dense]
            dense.update(self._cosines(vector, missing))
        self.stats = {"best_dense": max(dense.values(), default=0.0), "best_lexical": max(lexical.values(), default=0.0)}
        scored = [(self._fuse(cid, dense, lexical, mode), cid) for cid in candidates if cid in stored]
        scored.sort(key=lambda pair: (-pair[0], pair[1]))
        return [
            Hit(cid, stored[cid][0], stored[cid][1], score, dense.get(cid, 0.0), lexical.get(cid, 0.0))
            for score, cid in scored[:k]
        ]

    def _cosines(self, vector: np.ndarray, ids: list[str]) -> dict[str, float]:
        if not ids:
            return {}
        got = self.index.collection().get(ids=ids, include=["embeddings"])
        return {cid: float(np.dot(vector, np.asarray(emb, dtype=np.float32))) for cid, emb in zip(got["ids"], got["embeddings"])}

    def _fuse(self, cid: str, dense: dict[str, float], lexical: dict[str, float], mode: Mode) -> float:
        if mode == "dense":
            return dense.get(cid, 0.0)
        if mode == "bm25":
            return lexical.get(cid, 0.0)
        top_lex = max(lexical.values(), default=0.0) or 1.0
        return self.dense_weight * dense.get(cid, 0.0) + (1 - self.dense_weight) * lexical.get(cid, 0.0) / top_lex


class GuidelineRetriever(BaseRetriever):
    """The hybrid retriever as a LangChain BaseRetriever (Documents carry chunk metadata)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    retriever: Any
    k: int = 8
    mode: str = "hybrid"
    filters: Any = None

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        hits = self.retriever.search(query, k=self.k, mode=self.mode, filters=self.filters)
        return [
            Document(page_content=h.text, id=h.chunk_id, metadata={**h.meta, "chunk_id": h.chunk_id, "score": h.score})
            for h in hits
        ]
