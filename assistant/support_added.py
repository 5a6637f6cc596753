"""A claim a statement adds to its source: a phrase of its content words the supporting span says nothing of. The run
length and the words that carry no claim in it are data (assistant/data/support-added.yaml)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from assistant.support_cues import _stemmer, cues

ADDED_FILE = Path(__file__).parent / "data" / "support-added.yaml"
_COMPOUND = re.compile(r"\b([A-Za-z]+)-([A-Za-z]+)\b")


@dataclass(frozen=True)
class _Added:
    min_run: int
    ignore: frozenset[str]


@lru_cache(maxsize=1)
def _added() -> _Added:
    data = yaml.safe_load(ADDED_FILE.read_text(encoding="utf-8")) or {}
    stem, syn = _stemmer().stemWord, cues().synonyms
    return _Added(int(data.get("min_run", 3)),
                  frozenset(syn.get(stem(str(w).lower()), stem(str(w).lower())) for w in data.get("ignore", ())))


def _compounds(text: str) -> frozenset[tuple[str, str]]:
    """The hyphenated compounds of a text as pairs of the checks' words ("cut-off": (cut, off)): one word of a run."""
    stem, syn = _stemmer().stemWord, cues().synonyms
    word = lambda w: syn.get(stem(w.lower()), stem(w.lower()))  # noqa: E731
    return frozenset((word(a), word(b)) for a, b in _COMPOUND.findall(text))


def added_run(sequence: Sequence[str], content: set[str] | frozenset[str], held, text: str) -> list[str]:
    """The longest run of a statement's content words (`sequence` in its order) that `held(word)` says the span holds
    none of, if it is at least `min_run` words long (a hyphenated compound of the statement counting as one word, a word
    of `ignore` as none), else []."""
    c = _added()
    compounds = _compounds(text)
    best: list[str] = []
    run: list[str] = []
    for w in sequence:
        if w not in content or w in c.ignore:
            continue
        if held(w):
            run = []
            continue
        run.append(w)
        if len(run) > len(best):
            best = list(run)
    size = len(best) - sum((a, b) in compounds for a, b in zip(best, best[1:]))
    return best if size >= c.min_run else []
