"""Hybrid retrieval: dense (Chroma + MiniLM) and BM25, fused on normalised scores; a LangChain BaseRetriever.

Fusion, per query, over the union of both candidate lists (each candidate gets both scores: the
cosine of a BM25-only candidate comes from its stored embedding, the BM25 score of a dense-only
one from the full BM25 score vector):
  1. each score list is min-max normalised over the candidates;
  2. the list that is more peaked for this query (its best candidate stands further above its
     fifth) gets the larger weight: the dense weight is `dense_weight_confident` when the dense
     list is the more peaked one (its margin scaled by `dense_peak_factor`), else `dense_weight_unsure`;
  3. two small features separate candidates that share the same words: the BM25 score of the
     answer words of the question's type (a "symptoms" question prefers a passage about signs and
     symptoms over one about causes of the same disease), and the share of the candidate's document
     title that the query names. Each is min-max normalised and weighs nothing when it cannot tell
     the candidates apart.
Nothing is keyed on a corpus: per-corpus differences come from each query's score distributions.
"""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from assistant.embeddings import Embedder
from assistant.index import Index
from assistant.lexical import tokenize
from assistant.models import ANSWERABLE_KINDS
from assistant.query import expand_query, lexical_terms
from assistant.text import neutralise
from assistant.vocabulary import expand_lexicon_acronyms

log = logging.getLogger(__name__)
Mode = Literal["hybrid", "dense", "bm25"]
EXACT_FILTER_MAX = 3000  # a filter leaving at most this many chunks is scored exactly over them


@dataclass(frozen=True)
class Filters:
    """Metadata filters: any of these documents and kinds, and every population and topic named."""

    documents: tuple[str, ...] = ()
    population: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()  # chunk kinds (recommendation, table_row, ...)
    strengths: tuple[str, ...] = ()  # recommendation strengths ("Strong for", ...)

    def where(self) -> dict | None:
        """The same filter as a Chroma `where` clause."""
        clauses: list[dict] = []
        if self.documents:
            clauses.append({"doc_id": {"$in": list(self.documents)}})
        if self.kinds:
            clauses.append({"kind": {"$in": list(self.kinds)}})
        if self.strengths:
            clauses.append({"strength": {"$in": list(self.strengths)}})
        clauses += [{f"population:{_slug(p)}": True} for p in self.population]
        clauses += [{f"topics:{_slug(t)}": True} for t in self.topics]
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}

    def accepts(self, meta: dict) -> bool:
        if self.documents and meta.get("doc_id") not in self.documents:
            return False
        if self.kinds and meta.get("kind", "text") not in self.kinds:
            return False
        if self.strengths and meta.get("strength") not in self.strengths:
            return False
        return all(meta.get(f"population:{_slug(p)}") for p in self.population) and all(
            meta.get(f"topics:{_slug(t)}") for t in self.topics
        )

    def __bool__(self) -> bool:
        return bool(self.documents or self.population or self.topics or self.kinds or self.strengths)


def _slug(value: str) -> str:
    return "-".join("".join(c if c.isalnum() else " " for c in value.lower()).split())


def _answerable(order: list[int], metas: list[dict[str, Any]]) -> list[int]:
    """Candidates that may back a statement, one per recommendation of a document."""
    out, seen = [], set()
    for i in order:
        meta = metas[i]
        if meta.get("kind", "text") not in ANSWERABLE_KINDS:
            continue
        rec = (meta.get("doc_id"), meta.get("rec_number")) if meta.get("rec_number") else None
        if rec is not None and rec in seen:
            continue
        seen.add(rec)
        out.append(i)
    return out


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


@dataclass(frozen=True)
class Fusion:
    """How dense and BM25 scores are combined (see the module docstring)."""

    adaptive: bool = True
    dense_weight: float = 0.5  # fixed dense weight when not adaptive
    dense_weight_confident: float = 0.75
    dense_weight_unsure: float = 0.1
    dense_peak_factor: float = 1.5
    peak_rank: int = 5
    title_weight: float = 0.3
    type_weight: float = 0.3  # BM25 weight of question-type words when gathering candidates
    type_fusion_weight: float = 0.15


def minmax(values: np.ndarray) -> np.ndarray:
    span = float(values.max() - values.min()) if values.size else 0.0
    return (values - values.min()) / span if span > 1e-9 else np.zeros_like(values, dtype=np.float32)


def peak(scores: np.ndarray, rank: int = 5) -> float:
    """How far the best of a score list stands above its rank-th best, after min-max normalisation (0 to 1)."""
    if scores.size < 2:
        return 0.0
    normalised = np.sort(minmax(scores))[::-1]
    return float(normalised[0] - normalised[min(rank, normalised.size) - 1])


def fuse(dense: np.ndarray, lexical: np.ndarray, typed: np.ndarray, title: np.ndarray, fusion: Fusion) -> np.ndarray:
    """Fused score of each candidate from its cosine, BM25 score, question-type BM25 score and title coverage."""
    weight = fusion.dense_weight
    if fusion.adaptive:
        dense_leads = fusion.dense_peak_factor * peak(dense, fusion.peak_rank) > peak(lexical, fusion.peak_rank)
        weight = fusion.dense_weight_confident if dense_leads else fusion.dense_weight_unsure
    return weight * minmax(dense) + (1 - weight) * minmax(lexical) + fusion.type_fusion_weight * minmax(typed) + fusion.title_weight * title


@dataclass
class Candidates:
    """Everything fusion needs about one query's candidates (also what the eval caches to tune fusion)."""

    ids: list[str]
    dense: np.ndarray
    lexical: np.ndarray
    typed: np.ndarray
    title: np.ndarray
    stored: dict[str, tuple[str, dict]]
    stats: dict[str, float] = field(default_factory=dict)


@dataclass
class Retriever:
    """Search one index by dense, BM25 or fused scores."""

    index: Index
    embedder: Embedder
    fetch_k: int = 50
    fusion: Fusion = field(default_factory=Fusion)
    stats: dict[str, float] = field(default_factory=dict)
    _vectors: dict[str, np.ndarray] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def from_settings(cls, index: Index, embedder: Embedder, settings: Any, fetch_k: int | None = None) -> "Retriever":
        """A retriever configured by RetrievalSettings."""
        fusion = Fusion(
            adaptive=settings.adaptive_fusion, dense_weight=settings.dense_weight,
            dense_weight_confident=settings.dense_weight_confident, dense_weight_unsure=settings.dense_weight_unsure,
            dense_peak_factor=settings.dense_peak_factor, title_weight=settings.title_weight,
            type_weight=settings.question_type_weight, type_fusion_weight=settings.question_type_fusion_weight,
        )
        return cls(index, embedder, fetch_k=fetch_k or settings.fetch_k, fusion=fusion)

    def search(self, query: str, k: int = 8, mode: Mode = "hybrid", filters: Filters | None = None) -> list[Hit]:
        """The k best chunks for a query, best first (`stats` then describes this search)."""
        hits, self.stats = self.retrieve(query, k, mode, filters)
        return hits

    def retrieve(
        self, query: str, k: int = 8, mode: Mode = "hybrid", filters: Filters | None = None, *, reuse_vector: bool = False,
        answerable: bool = False,
    ) -> tuple[list[Hit], dict[str, float]]:
        """The k best chunks and the search's statistics (best cosine, BM25, vocabulary coverage); safe across threads.

        `reuse_vector` lets a second search of a question just searched (e.g. with a filter) skip embedding it again.
        With `answerable`, only chunks that may back an answer statement compete (no bibliography, search strategy,
        table of contents or superseded recommendation), and one recommendation stated twice (its table row and its
        text) takes one place.
        """
        if filters and filters.kinds:
            # Among a document's recommendations, "rTMS" also searches the words they spell it out in (the open search
            # keeps the question's own words, so what the documents are about decides which come first).
            query = expand_lexicon_acronyms(query)
        found = self.candidates(query, max(self.fetch_k, k), mode, filters or Filters(), reuse_vector=reuse_vector)
        if mode == "dense":
            scores = found.dense
        elif mode == "bm25":
            scores = found.lexical
        else:
            scores = fuse(found.dense, found.lexical, found.typed, found.title, self.fusion)
        order = sorted(range(len(found.ids)), key=lambda i: (-scores[i], found.ids[i]))
        if answerable:
            order = _answerable(order, [found.stored[cid][1] for cid in found.ids])
        places = k
        if mode == "hybrid" and filters:
            order, places = _with_each_best(order, k, found.dense, found.lexical)
        order = order[:places]
        hits = [
            Hit(found.ids[i], neutralise(found.stored[found.ids[i]][0]), found.stored[found.ids[i]][1], float(scores[i]),
                float(found.dense[i]), float(found.lexical[i]))  # a source's own "[2]" never reads as a guideqa citation
            for i in order
        ]
        return hits, found.stats

    def candidates(self, query: str, fetch: int, mode: Mode, filters: Filters, *, reuse_vector: bool = False) -> Candidates:
        """Union of the dense and BM25 top lists, each candidate with both scores."""
        lexical_index = self.index.lexical()
        vector: np.ndarray | None = None
        dense: dict[str, float] = {}
        # A filter that leaves few chunks (some documents, a topic) is scored exactly over those chunks: a filtered
        # approximate search would scan the store's metadata on every query (slow at 100k+ chunks) and see only its top.
        subset = None
        if filters.documents and not (filters.population or filters.topics or filters.kinds):
            subset = sorted(self.index.chunks_of(filters.documents))
        elif filters:
            subset = sorted(self.index.filtered_ids(filters.where()))
        if subset is not None and len(subset) > EXACT_FILTER_MAX:
            subset, fetch = None, fetch * 3
        if mode in ("hybrid", "dense"):
            vector = self._embed(expand_query(query), reuse=reuse_vector)
            if subset is None:
                dense = dict(self.index.dense(vector.tolist(), fetch, where=filters.where()))
        bm25_all: np.ndarray | None = None
        typed_all: np.ndarray | None = None
        lexical_top: list[str] = []
        if mode in ("hybrid", "bm25"):
            own = lexical_terms(query, 0.0)
            bm25_all = lexical_index.weighted_scores(own)
            gather = bm25_all
            if mode == "hybrid":
                # The question-type words: a feature of their own, and (at a low weight) a help in gathering candidates.
                typed = {t: 1.0 for t in lexical_terms(query, 1.0) if t not in own}
                typed_all = lexical_index.weighted_scores(typed) if typed else None
                if typed_all is not None:
                    gather = bm25_all + self.fusion.type_weight * typed_all
            lexical_top = [lexical_index.ids[i] for i in _top(gather, fetch)] if subset is None else []
        ids = list(dict.fromkeys([*dense, *lexical_top])) if subset is None else subset
        chunks = self.index.stored(ids)
        stored = {cid: (c.text, c.meta) for cid, c in chunks.items()}
        ids = [cid for cid in ids if cid in stored and (not filters or filters.accepts(stored[cid][1]))]
        if vector is not None:
            for cid in ids:
                if cid not in dense:
                    dense[cid] = float(np.dot(vector, chunks[cid].vector))
        position = lexical_index.position()
        rows = [position.get(cid, -1) for cid in ids]
        lexical = _pick(bm25_all, rows)
        typed_arr = _pick(typed_all, rows)
        dense_arr = np.array([dense.get(cid, 0.0) for cid in ids], dtype=np.float32)
        title = self._title_coverage(query, [stored[cid][1] for cid in ids])
        stats = {
            "best_dense": float(dense_arr.max()) if dense_arr.size else 0.0,
            "best_lexical": float(lexical.max()) if lexical.size else 0.0,
            "coverage": lexical_index.known_share(query),
        }
        return Candidates(ids, dense_arr, lexical, typed_arr, title, stored, stats)

    def _embed(self, text: str, reuse: bool = False) -> np.ndarray:
        """The query vector; with `reuse`, a vector remembered from a recent search of the same text."""
        with self._lock:
            vector = self._vectors.get(text) if reuse else None
        if vector is None:
            vector = np.asarray(self.embedder.embed_query(text), dtype=np.float32)
            with self._lock:
                if len(self._vectors) >= 64:
                    self._vectors.pop(next(iter(self._vectors)))
                self._vectors[text] = vector
        return vector

    @staticmethod
    def evidence(stats: dict[str, float]) -> float:
        """How well the corpus covers the last query: best cosine, scaled by the share of its words the corpus knows."""
        return stats.get("best_dense", 0.0) * stats.get("coverage", 1.0)

    @staticmethod
    def _title_coverage(query: str, metas: list[dict]) -> np.ndarray:
        """Share of each candidate's document title that the query names; zero when it cannot tell candidates apart."""
        words = set(tokenize(query))
        cover = []
        for meta in metas:
            title = set(tokenize(str(meta.get("title", ""))))
            cover.append(len(title & words) / len(title) if title else 0.0)
        arr = np.asarray(cover, dtype=np.float32)
        return arr if arr.size and float(arr.max() - arr.min()) > 1e-9 else np.zeros_like(arr)


def _with_each_best(order: list[int], k: int, dense: np.ndarray, lexical: np.ndarray) -> tuple[list[int], int]:
    """The fused order with the best candidate of each list (dense, BM25) placed among the first k, and how many places
    that takes: in a filtered search over a few chunks (one document's recommendations) one peaked list can bury the
    other's clear best, the passage sharing every word of the question ("we recommend inhaled corticosteroids as initial
    controller medication"). A best left out by fusion takes a place beside the k, never one of theirs."""
    if k < 1 or len(order) <= k:
        return order, k
    position = {i: n for n, i in enumerate(order)}
    bests = [max(order, key=lambda i: (float(scores[i]), -position[i]))
             for scores in (lexical, dense) if scores.size and float(scores.max()) > 0]
    extra = [i for i in dict.fromkeys(bests) if position[i] >= k]
    top = [*order[:k], *extra]
    return [*top, *(i for i in order if i not in set(top))], len(top)


def _pick(scores: np.ndarray | None, rows: list[int]) -> np.ndarray:
    """Scores at the given rows (0 for a row of -1 or when there are no scores)."""
    if scores is None:
        return np.zeros(len(rows), dtype=np.float32)
    return np.array([scores[r] if r >= 0 else 0.0 for r in rows], dtype=np.float32)


def _top(scores: np.ndarray, k: int) -> np.ndarray:
    """Indices of the k highest positive scores, best first."""
    k = min(k, scores.size)
    if k == 0:
        return np.zeros(0, dtype=int)
    top = np.argpartition(-scores, k - 1)[:k]
    top = top[np.argsort(-scores[top], kind="stable")]
    return top[scores[top] > 0]


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


def document_glossaries(index: Index) -> dict[str, dict[str, str]]:
    """Per document, the entries of the abbreviation lists it prints (long form -> abbreviation): the front-matter
    chunks whose own heading names an abbreviation list (document-reading.yaml `abbreviation_sections`)."""
    import re

    from assistant.vocabulary import glossary, reading

    words = [str(w).lower() for w in reading().get("abbreviation_sections") or ()]
    if not words:
        return {}
    ids = sorted(index.filtered_ids({"kind": "front_matter"}))
    out: dict[str, dict[str, str]] = {}
    for text, meta in index.get(ids).values() if ids else ():
        path = json.loads(meta.get("heading_path") or "[]")
        if not path or not any(re.search(rf"(?i)\b{re.escape(w)}", str(path[-1])) for w in words):
            continue
        entries = out.setdefault(str(meta.get("doc_id", "")), {})
        for long, short in glossary(text).items():
            entries.setdefault(long, short)
    return out


SCOPE_CHUNKS = 80  # a guideline states its scope in its opening sections
_SCOPES: dict[tuple[int, str], dict[str, list[str]]] = {}


def document_scope_exclusions(index: Index) -> dict[str, list[str]]:
    """Per document, the sentences of its opening sections that say whom or what it does not address (per index
    version)."""
    from assistant.vocabulary import scope_exclusions

    key = (id(index), index.version)
    if key not in _SCOPES:
        out: dict[str, list[str]] = {}
        for entry in index.manifest().files.values():
            for text, meta in index.get(entry.chunk_ids[:SCOPE_CHUNKS]).values():
                if meta.get("kind", "text") == "text" and (found := scope_exclusions(text)):
                    out.setdefault(str(meta.get("doc_id", "")), []).extend(found)
        if len(_SCOPES) > 8:
            _SCOPES.clear()
        _SCOPES[key] = out
    return _SCOPES[key]


def out_of_scope(index: Index, vocab: Any, frame: Any, question: str, hits: list["Hit"]) -> str | None:
    """What of the question the scope of the guideline it is about excludes ("children younger than four years are not
    included in the scope of this CPG" for a 3-year-old; "pregnant women are excluded" for a pregnant patient; "does
    not address ... bipolar disorder" for a bipolar depression question), or None. The guideline is the one whose own
    condition the frame names, else the best passage's."""
    import re

    from assistant.vocabulary import age_asked, excluded_by_scope

    canonical = str(frame.indication or "")
    doc = canonical.split(":")[1] if canonical.startswith("doc:") else (str(hits[0].meta.get("doc_id", "")) if hits else "")
    sentences = document_scope_exclusions(index).get(doc) if doc else None
    if not sentences:
        return None
    term = vocab.term("indications", frame.indication) if frame.indication else None
    title = next((str(h.meta.get("title", "")) for h in hits if str(h.meta.get("doc_id", "")) == doc), "")
    own = (*(term.terms if term else ()), *re.findall(r"[a-z][a-z0-9'-]+", title.lower()))
    others = tuple(t for t in vocab.indications if t.canonical.startswith("doc:") and t.canonical.split(":")[1] != doc
                   for t in t.terms)
    populations = tuple((p.label or name, p.terms) for name in frame.population if (p := vocab.term("populations", name)))
    age = frame.patient.age_years if frame.patient.age_years is not None else age_asked(question)
    return excluded_by_scope(question, sentences, age, populations, frozenset(
        (p.label or p.canonical) for p in vocab.populations if p.canonical in vocab.exclusive_populations), own, others)
