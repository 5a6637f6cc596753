"""What the patient has already tried, and the recommendations written for the patient it did not help.

A question naming a drug only as the patient's history ("amitriptyline didn't help. neuro wants botox - supported?",
"sertraline and venlafaxine both failed. what med is next?") is not about that drug: the frame's drug is the one asked
about (or none), and a recommendation for the patient in whom earlier treatment failed ("if recommended pharmacotherapy
... is ineffective", "for whom first-line pharmacotherapy is contraindicated or ineffective") answers before the
first-line recommendation listing what was already tried. The words are data (data/after-failure.yaml)."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from assistant.vocabulary import history_drugs

AFTER_FAILURE_FILE = Path(__file__).parent / "data" / "after-failure.yaml"


@lru_cache(maxsize=1)
def _data() -> dict:
    return yaml.safe_load(AFTER_FAILURE_FILE.read_text(encoding="utf-8")) or {}


@lru_cache(maxsize=1)
def _statements() -> re.Pattern | None:
    rows = [str(p) for p in _data().get("after_failure_statements") or ()]
    return re.compile("|".join(f"(?:{p})" for p in rows), re.IGNORECASE) if rows else None


@lru_cache(maxsize=8192)
def after_failure(text: str) -> bool:
    """Whether a statement is written for the patient whom earlier treatment did not help."""
    pattern = _statements()
    return bool(pattern and pattern.search(text))


def offered(text: str) -> str:
    """The part of a statement before its after-failure condition: what it offers ("duloxetine ... for patients with an
    inadequate response or contraindications to acetaminophen" offers duloxetine, not acetaminophen)."""
    pattern = _statements()
    found = pattern.search(text) if pattern else None
    return text[:found.start()] if found else text


def after_failure_query() -> str:
    return str(_data().get("after_failure_query") or "")


def names_tried(text: str, question: str) -> bool:
    """Whether a statement names a drug the question says the patient already tried."""
    low = text.lower()
    return any(re.search(rf"(?<![a-z0-9]){re.escape(name)}(?![a-z0-9])", low) for name in history_drugs(question))


def without_tried_drug(frame: Any, text: str) -> Any:
    """The frame with its drug the one the question asks about: a drug named only as tried is not it; the next product
    named that was not tried is (none, for "what med is next?")."""
    if not frame.drug:
        return frame
    history = set(history_drugs(text))
    if not history or not ({frame.drug.lower(), (frame.product or "").lower()} & history):
        return frame
    from assistant.doses.drugnames import dictionary_drugs

    rest = [p for p in frame.products if p.lower() not in history]
    if not rest:  # a dictionary drug named beside the corpus's own words ("acetaminophen not enough. duloxetine?")
        rest = [m.surface for m in dictionary_drugs(text)
                if m.surface.lower() not in history and m.canonical.lower() not in history]
    if not rest:
        return frame.model_copy(update={"drug": None, "product": None})
    found = dictionary_drugs(rest[0])
    return frame.model_copy(update={"drug": found[0].canonical if found else rest[0], "product": rest[0]})


def add_after_failure(retriever: Any, settings: Any, question: str, hits: list, documents: int = 1, k: int = 8) -> list:
    """Asked what next after a treatment the patient tried, the recommendations of the document found first that are
    written for the patient whom earlier treatment did not help, beside those the question's words found."""
    from assistant.retrieval import Filters

    docs = tuple(dict.fromkeys(h.doc_id for h in hits))[:documents]
    if not docs or not history_drugs(question):
        return hits
    # (searched without the names of what was tried: those find the first-line row the patient already had)
    asked = question
    for name in sorted(history_drugs(question), key=len, reverse=True):
        asked = re.sub(rf"(?i)(?<![a-z0-9]){re.escape(name)}(?![a-z0-9])", " ", asked)
    more, _ = retriever.retrieve(f"{asked} ({after_failure_query()})", k=k, mode=settings.retrieval.retriever,
                                 filters=Filters(documents=docs, kinds=("recommendation",)), answerable=True)
    seen = {h.chunk_id for h in hits}
    return hits + [h for h in more if h.chunk_id not in seen and after_failure(h.text)]
