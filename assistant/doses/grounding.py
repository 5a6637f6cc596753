"""Grounding: whether a dose (or its per-kg form) stands in a cited passage with the same frequency and population."""

from __future__ import annotations

import re

from assistant.doses.matching import INTERVAL_TOLERANCE, Stated
from assistant.doses.parse import Amount, Scan


def in_sources(a: Amount, sources: list[Scan] | None, age: str | None = None) -> bool:
    """True when the same value, unit, frequency and population stand in one of the passages."""
    if not sources or a.info is None:
        return False
    lo, hi = a.canon
    for src in sources:
        for b in src.amounts:
            if b.info is None or b.info.dim != a.info.dim or b.problem:
                continue
            blo, bhi = b.canon
            if not (blo * (1 - 1e-3) <= lo and hi <= bhi * (1 + 1e-3)):
                continue
            ta, tb = a.cadence.interval, b.cadence.interval
            if ta and not tb or ta and tb and not (ta[0] >= tb[0] / INTERVAL_TOLERANCE
                                                   and ta[1] <= tb[1] * INTERVAL_TOLERANCE):
                continue  # "6 mg every hour" is not grounded by "6 mg, repeated once"
            if a.is_max != b.is_max:
                continue  # a maximum is not grounded by a starting dose of the same size, nor the other way round
            da, db = a.cadence.duration, b.cadence.duration
            if da and db and not (da[0] >= db[0] / INTERVAL_TOLERANCE and da[1] <= db[1] * INTERVAL_TOLERANCE):
                continue  # "for 14 days" is not grounded by "for 7 days"
            ages = {m.canonical for m in src.in_sentence(src.ages, b.sentence)}
            if age and ages and age not in ages:
                continue  # a child's dose is not grounded by the adult dose of the same passage
            if a.cadence.kind != b.cadence.kind and (ta or tb):
                continue
            if a.comparator and b.comparator and a.comparator[0] != b.comparator[0]:
                continue
            return True
    return False


def variant_grounded(s: Stated, sources: list[Scan]) -> bool:
    """The per-kg (or total) equivalent of a dose for the patient's weight stands in a cited passage: a total worked out
    for this patient from the passage's own per-kg dose."""
    for src in sources:
        for b in src.amounts:
            if b.info is not None and not b.problem and b.info.dim == s.dim:
                blo, bhi = b.canon
                if blo * (1 - 1e-3) <= s.lo and s.hi <= bhi * (1 + 1e-3):
                    return True
    return False


def _normal(text: str) -> str:
    """Lower case, citation markers ([1], [2, 3]) and punctuation other than dose notation removed."""
    text = re.sub(r"\[\s*\d+(?:\s*[,;–-]\s*\d+)*\s*\]", " ", text.lower())
    return " ".join(re.sub(r"[^\w/.%-]+", " ", text).split())


def quoted(sc: Scan, a: Amount, sources: list[str] | None) -> bool:
    """Whether the sentence holding the amount stands word for word in a cited passage."""
    start, end = sc.sentences[a.sentence]
    sentence = _normal(sc.text[start:end]).strip(". ")
    return bool(sources and sentence and any(sentence in _normal(src) for src in sources))
