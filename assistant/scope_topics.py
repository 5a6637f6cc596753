"""A topic the guideline itself says is outside it, wherever it says so.

"T2DM on basal insulin - should I get him a dexcom CGM?": the diabetes guideline says "continuous glucose monitoring is
out of the scope of this CPG" in its discussion of glycemic markers, far from its scope section. A question naming that
topic (its words, or the acronym of its words: CGM) is not covered by that guideline. The wording is data
(data/scope-statements.yaml)."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

SCOPE_FILE = Path(__file__).parent / "data" / "scope-statements.yaml"
_SMALL = {"the", "of", "and", "or", "for", "in", "a", "an", "to", "with", "on", "by"}


@lru_cache(maxsize=1)
def _data() -> tuple[re.Pattern | None, re.Pattern | None]:
    data = yaml.safe_load(SCOPE_FILE.read_text(encoding="utf-8")) or {}
    statement = re.compile(str(data["statement"]), re.IGNORECASE) if data.get("statement") else None
    openers = [str(w) for w in data.get("clause_openers") or ()]
    opener = re.compile(r"(?i)^(?:.*[,;:]\s*|.*\b(?:" + "|".join(map(re.escape, openers)) + r")\s+)") if openers else None
    return statement, opener


@lru_cache(maxsize=1)
def _not_first() -> frozenset[str]:
    data = yaml.safe_load(SCOPE_FILE.read_text(encoding="utf-8")) or {}
    return frozenset(str(w).lower() for w in data.get("not_topic_first_words") or ())


def scoped_out_topics(text: str) -> list[str]:
    """The topics a passage says are outside its guideline ("continuous glucose monitoring")."""
    statement, opener = _data()
    out = []
    for m in statement.finditer(text) if statement else ():
        topic = m.group("topic")
        if opener is not None:
            topic = opener.sub("", topic, count=1)
        topic = re.sub(r"(?i)^(?:the|a|an)\s+", "", topic.strip())
        words = topic.lower().split()
        if words and words[0] not in _not_first() and words[-1] not in _not_first():
            out.append(topic)
    return out


def names_topic(question: str, topic: str) -> bool:
    """Whether a question names a topic: all its content words, or the acronym of its words ("CGM")."""
    words = [w for w in re.findall(r"[a-z][a-z0-9-]*", topic.lower()) if w not in _SMALL]
    if not words:
        return False
    low = question.lower()
    if all(re.search(rf"(?<![a-z0-9]){re.escape(w)}", low) for w in words):
        return True
    acronym = "".join(w[0] for w in words)
    return len(acronym) >= 2 and bool(re.search(rf"(?<![A-Za-z0-9]){re.escape(acronym)}s?(?![A-Za-z0-9])", question,
                                                 re.IGNORECASE))


_TOPICS: dict[tuple, dict[str, list[tuple[str, str]]]] = {}
SCOPE_CANDIDATES = 400


def document_scoped_out(index: Any) -> dict[str, list[tuple[str, str]]]:
    """Per document, (topic, title) for every topic its passages say is outside it (read once per index version)."""
    key = (id(index), index.version)
    if key not in _TOPICS:
        statement = _data()[0]
        out: dict[str, list[tuple[str, str]]] = {}
        # (the passages that say "scope" at all, found by the lexical index: reading every chunk is slow)
        try:
            ids = [cid for cid, score in index.lexical().search("scope", k=SCOPE_CANDIDATES) if score > 0]
        except Exception:  # no lexical index: nothing read
            ids = []
        if ids:
            for text, meta in index.get(ids).values():
                if statement is not None and statement.search(text):
                    out.setdefault(str(meta.get("doc_id", "")), []).extend(
                        (t, str(meta.get("title") or "")) for t in scoped_out_topics(text))
        if len(_TOPICS) > 8:
            _TOPICS.clear()
        _TOPICS[key] = out
    return _TOPICS[key]


def outside_guideline(index: Any, question: str, hits: list) -> str | None:
    """'The sources do not cover X: T says it is outside its scope' when the document the question found says X is
    outside it and the question names X; None otherwise."""
    if not hits:
        return None
    for topic, title in document_scoped_out(index).get(hits[0].doc_id, ()):
        if names_topic(question, topic):
            return f"The sources do not cover {topic}: {title or 'the guideline'} says it is outside its scope."
    return None
