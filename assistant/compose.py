"""The default composer: extractive and deterministic. Every statement is a sentence or bullet
taken verbatim from a retrieved chunk, chosen by relevance with MMR so statements do not repeat."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.lexical import tokenize
from assistant.retrieval import Hit
from assistant.text import split_sentences

# Seed-style section names, chosen from a chunk's heading path.
SECTION_KEYWORDS: list[tuple[str, tuple[str, ...]]] = [
    ("Dosing", ("dos", "regimen", "administration", "infusion rate", "conversion", "weight")),
    ("Monitoring", ("monitor", "trough", "follow-up", "laboratory")),
    ("Indications", ("indication", "when to start", "criteria", "eligib", "who should", "threshold", "diagnos")),
    ("Special populations", ("special", "population", "child", "pediatric", "paediatric", "pregnan", "obes", "elderly")),
    ("Adverse effects and reactions", ("adverse", "reaction", "safety", "thrombo", "renal", "haemoly", "hemoly", "meningitis", "premedic")),
    ("Pitfalls", ("pitfall", "avoid", "not indicated", "caution", "mistake", "do not")),
    ("Duration and reassessment", ("duration", "reassess", "stop", "discontinu", "how long")),
]


@dataclass(frozen=True)
class Candidate:
    """A sentence or bullet of a retrieved chunk, scored against the question."""

    text: str
    hit: Hit
    rank: int
    score: float
    tokens: frozenset[str]


def section_name(hit: Hit) -> str:
    """Seed-style section for a chunk, from its heading path."""
    path = " ".join(hit.heading_path[1:] or hit.heading_path).lower()
    for name, keys in SECTION_KEYWORDS:
        if any(key in path for key in keys):
            return name
    headings = hit.heading_path
    return headings[-1] if headings else "Details"


def statements_of(hit: Hit) -> list[str]:
    """Bullets and sentences of a chunk, as they stand in it."""
    out: list[str] = []
    for line in hit.text.splitlines():
        line = line.strip()
        if not line:
            continue
        if line.startswith("- "):
            out.append(line[2:].strip())
        else:
            out.extend(split_sentences(line))
    return [s for s in out if len(s) >= 20 and re.search(r"[a-z]", s)]


def candidates(question: str, hits: list[Hit]) -> list[Candidate]:
    """Every statement of the hits, scored by its chunk's rank and its overlap with the question."""
    q_tokens = set(tokenize(question))
    top = hits[0].score if hits and hits[0].score > 0 else 1.0
    out: list[Candidate] = []
    for rank, hit in enumerate(hits):
        for order, text in enumerate(statements_of(hit)):
            tokens = frozenset(tokenize(text))
            overlap = len(q_tokens & tokens) / (len(q_tokens) or 1)
            score = (hit.score / top) * (0.6 + overlap) - 0.01 * order
            out.append(Candidate(text, hit, rank, score, tokens))
    return out


def mmr(pool: list[Candidate], limit: int, diversity: float = 0.35) -> list[Candidate]:
    """Pick statements by relevance minus redundancy with those already picked."""
    chosen: list[Candidate] = []
    remaining = sorted(pool, key=lambda c: -c.score)
    while remaining and len(chosen) < limit:
        def value(c: Candidate) -> float:
            overlap = max((_jaccard(c.tokens, p.tokens) for p in chosen), default=0.0)
            return (1 - diversity) * c.score - diversity * overlap

        best = max(remaining, key=value)
        remaining.remove(best)
        if any(_jaccard(best.tokens, p.tokens) > 0.7 for p in chosen):
            continue  # a near-duplicate from another chunk says nothing new
        chosen.append(best)
    return chosen


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / (len(a | b) or 1)


@dataclass(frozen=True)
class Draft:
    """A composed answer before citations are numbered: (section, statement, hit) triples."""

    direct: list[Candidate]
    sections: list[tuple[str, list[Candidate]]]


def compose(question: str, hits: list[Hit], max_statements: int) -> Draft:
    """Direct answer first (the best one or two statements), then seed-style sections."""
    picked = mmr(candidates(question, hits), max_statements)
    direct = picked[:1]
    if len(picked) > 1 and picked[1].score >= 0.85 * picked[0].score and picked[1].hit.chunk_id == picked[0].hit.chunk_id:
        direct = picked[:2]
    grouped: dict[str, list[Candidate]] = {}
    for cand in picked[len(direct) :]:
        grouped.setdefault(section_name(cand.hit), []).append(cand)
    order = [name for name, _ in SECTION_KEYWORDS]
    sections = sorted(grouped.items(), key=lambda item: order.index(item[0]) if item[0] in order else len(order))
    return Draft(direct, sections)
