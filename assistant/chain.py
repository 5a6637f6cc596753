"""The answering chain: standalone question -> retrieve -> compose -> citation guard -> dose check -> Answer.

`Assistant.events()` yields progress and parts as they are ready (the SSE endpoint streams them);
`Assistant.runnable()` is the same pipeline as a LangChain Runnable (invoke, stream, batch).
"""

from __future__ import annotations

import logging
import time
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from langchain_core.runnables import Runnable, RunnableLambda

from assistant.citations import Numbering, guard
from assistant.compose import compose
from assistant.errors import InputError
from assistant.followup import standalone_question
from assistant.index import Index
from assistant.models import Answer, Section, Statement
from assistant.retrieval import Filters, GuidelineRetriever, Hit, Retriever
from assistant.sessions import SessionStore
from assistant.settings import Settings

log = logging.getLogger(__name__)
DISCLAIMER = "For clinicians. Decision support from guideline text only; verify against the cited sources and clinical judgment."


@dataclass(frozen=True)
class Question:
    """A validated request to answer."""

    text: str
    session_id: str | None = None
    filters: Filters = Filters()
    weight_kg: float | None = None
    key_id: str = "local"


def clean_question(text: Any, limit: int) -> str:
    """The question with control characters removed; InputError if empty or too long."""
    if not isinstance(text, str):
        raise InputError("The question must be text.")
    text = "".join(ch if ch in "\n\t" or unicodedata.category(ch)[0] != "C" else " " for ch in text)
    text = " ".join(text.split())
    if not text:
        raise InputError("The question is empty.")
    if len(text) > limit:
        raise InputError(f"The question is {len(text)} characters long; the limit is {limit}.")
    return text


class Assistant:
    """Answers questions from one index, with sessions for follow-ups."""

    def __init__(self, settings: Settings, *, index: Index | None = None, sessions: SessionStore | None = None) -> None:
        self.settings = settings
        self.index = index or Index(settings)
        self._sessions = sessions

    @cached_property
    def retriever(self) -> Retriever:
        from assistant.embeddings import get_embedder

        return Retriever(
            self.index,
            get_embedder(self.settings.embedding.model, self.settings.embedding.batch_size),
            fetch_k=self.settings.retrieval.fetch_k,
            dense_weight=self.settings.retrieval.dense_weight,
        )

    @cached_property
    def rulebook(self) -> Any:
        from assistant.doses import load_rulebook

        return load_rulebook(self.settings.doses.rules_dir)

    @property
    def sessions(self) -> SessionStore:
        if self._sessions is None:
            self._sessions = SessionStore(self.settings.data_dir / "sessions.sqlite3")
        return self._sessions

    def langchain_retriever(self, filters: Filters | None = None) -> GuidelineRetriever:
        """The retriever as a LangChain BaseRetriever."""
        return GuidelineRetriever(retriever=self.retriever, k=self.settings.retrieval.k, mode=self.settings.retrieval.retriever, filters=filters)

    def ask(self, question: str, **kwargs: Any) -> Answer:
        """Answer one question (and record it in its session)."""
        answer = None
        for kind, payload in self.events(question, **kwargs):
            if kind == "done":
                answer = payload
        assert answer is not None
        return answer

    def events(
        self,
        question: str,
        *,
        session_id: str | None = None,
        filters: Filters | None = None,
        weight_kg: float | None = None,
        key_id: str = "local",
    ) -> Iterator[tuple[str, Any]]:
        """Yield ("status", stage), ("statement", {...}), ("citations", [...]), ("dose_checks", [...]), ("done", Answer)."""
        started = time.perf_counter()
        text = clean_question(question, self.settings.answer.max_question_chars)
        history: list[str] = []
        if session_id:
            self.sessions.check(session_id, key_id)
            history = self.sessions.history(session_id)
        standalone = standalone_question(text, history, self.settings.doses.rules_dir)
        yield "status", "retrieving"
        hits = self.retriever.search(standalone, k=self.settings.retrieval.k, mode=self.settings.retrieval.retriever, filters=filters)
        best_dense = self.retriever.stats.get("best_dense", 0.0)
        base = {"question": text, "standalone_question": standalone, "session_id": session_id,
                "index_version": self.index.version, "generator": self.generator}
        if not hits or best_dense < self.settings.retrieval.abstain_below:
            answer = Answer(**base, status="abstained", summary=self._abstain_message(hits), latency_ms=0.0)
        else:
            yield "status", "composing"
            answer, passages = self._compose(standalone, hits, base)
            for i, section in enumerate(answer.sections):
                for statement in section.statements:
                    yield "statement", {"section": section.heading, "section_index": i, "statement": statement.model_dump()}
            yield "status", "checking doses"
            answer = self._check_doses(answer, passages, weight_kg)
            yield "citations", [c.model_dump() for c in answer.citations]
            yield "dose_checks", [f.model_dump() for f in answer.dose_checks]
        answer = answer.model_copy(update={"latency_ms": round((time.perf_counter() - started) * 1000, 1)})
        if session_id:
            self.sessions.add_turn(session_id, text, standalone, answer.model_dump_json())
        log.info("answered status=%s hits=%d latency_ms=%.0f", answer.status, len(hits), answer.latency_ms)
        yield "done", answer

    @property
    def generator(self) -> str:
        return "extractive"

    def _compose(self, question: str, hits: list[Hit], base: dict) -> tuple[Answer, dict[int, str]]:
        numbering = Numbering(hits, self.settings.corpus_dir / "references.yaml")
        draft = compose(question, hits, self.settings.answer.max_statements)
        summary_parts = []
        for cand in draft.direct:
            n = numbering.cite(cand.hit, cand.text)
            summary_parts.append(f"{cand.text} [{n}]")
        sections = [
            Section(
                heading=name,
                statements=[
                    Statement(text=c.text, citations=[numbering.cite(c.hit, c.text)], grade=c.hit.meta.get("grade"))
                    for c in cands
                ],
            )
            for name, cands in draft.sections
        ]
        sections, _ = guard(sections, set(numbering.numbers.values()))
        answer = Answer(**base, status="answered", summary=" ".join(summary_parts), sections=sections,
                        citations=numbering.citations(), latency_ms=0.0)
        return answer, numbering.passages()

    def _check_doses(self, answer: Answer, passages: dict[int, str], weight_kg: float | None) -> Answer:
        from assistant.doses import check_answer

        return check_answer(answer, passages, self.rulebook, weight_kg=weight_kg, question=answer.standalone_question)

    def _abstain_message(self, hits: list[Hit]) -> str:
        titles = list(dict.fromkeys(str(h.meta.get("title", h.doc_id)) for h in hits))[:3]
        nearest = f" The nearest topics it covers: {'; '.join(titles)}." if titles else ""
        return "The guideline corpus does not cover this question well enough to answer it." + nearest

    def runnable(self) -> Runnable:
        """The pipeline as a LangChain Runnable taking {"question", "session_id"?, "weight_kg"?}."""
        return RunnableLambda(lambda inp: self.ask(inp["question"], **{k: v for k, v in inp.items() if k != "question"}))
