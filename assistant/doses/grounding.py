"""Grounding: whether a dose (or its per-kg form) stands in a cited passage with the same frequency and population."""

from __future__ import annotations

import re
from functools import lru_cache

from assistant.doses.matching import INTERVAL_TOLERANCE, Stated
from assistant.doses.cadence import scan_cadence
from assistant.doses.lexicon import Lexicon, mentions
from assistant.doses.parse import Amount, Scan


_FOLLOW = re.compile(r"(?i)\s*(?:of\s+)?(?:(?:oral|iv|intravenous|subcutaneous)\s+)?")
_JOIN = re.compile(r"(?i)^[\s,]*(?:and|or|and/or|/|,)?[\s,]*$")


def amount_drug(sc: Scan, k: int) -> str | None:
    """The drug a passage's k-th amount is of: named right after it ("50 mg of X"), the last one named before it in
    its sentence, else the first after it; None when its sentence names none."""
    b = sc.amounts[k]
    in_sent = sc.in_sentence(sc.drugs, b.sentence)
    follow = [d for d in in_sent if b.end <= d.start <= b.end + 20 and _FOLLOW.fullmatch(sc.text[b.end:d.start])]
    before = [d for d in in_sent if d.end <= b.start]
    after = [d for d in in_sent if d.start >= b.end]
    for group in (follow, before[-1:], after[:1]):
        if group:
            return group[0].canonical
    return None  # an earlier sentence's drug may not be this one's ("Start at 0.5 mg/kg/min" after acetaminophen)


def amount_ages(sc: Scan, k: int) -> set[str]:
    """The age bands a passage's k-th amount is for: the nearest population named before it in its sentence (with
    those listed beside it, "adults and children"), else the nearest after it; empty when the sentence names none."""
    b = sc.amounts[k]
    in_sent = sc.in_sentence(sc.ages, b.sentence)
    before = [m for m in in_sent if m.end <= b.start][::-1]
    after = [m for m in in_sent if m.start >= b.end]
    for group in (before, after):
        if not group:
            continue
        found = {group[0].canonical}
        for prev, nxt in zip(group, group[1:]):
            gap = sc.text[nxt.end:prev.start] if group is before else sc.text[prev.end:nxt.start]
            if not _JOIN.match(gap):
                break
            found.add(nxt.canonical)
        return found
    return set()


@lru_cache(maxsize=1024)
def same_drug(x: str, y: str, lex: Lexicon | None) -> bool:
    """Whether two drug names name one drug: equal, or one's name holds a vocabulary name of the other
    ("hepatitis b immune globulin" is a form of immunoglobulin)."""
    if x == y:
        return True
    if lex is None:
        return False
    return x in {m.canonical for m in mentions(y, lex).drugs} or y in {m.canonical for m in mentions(x, lex).drugs}


def listed_interval(sc: Scan, k: int) -> tuple[float, float] | None:
    """For a passage amount that names no repeat of its own, the one its list names before it ("daily
    supplementation includes vitamin B12 350-1,000 micrograms, folate 400-800 micrograms"); None when the sentence
    names none or another amount of the list names its own."""
    b = sc.amounts[k]
    if not b.cadence.bare:
        return None
    s_start, _ = sc.sentences[b.sentence]
    if any(o.sentence == b.sentence and o.start < b.start and not o.cadence.bare for o in sc.amounts):
        return None
    return scan_cadence(sc.text[s_start:b.start]).interval


def in_sources(a: Amount, sources: list[Scan] | None, age: str | None = None, drug: str | None = None,
               lex: Lexicon | None = None) -> bool:
    """True when the same value, unit, frequency and population stand in one of the passages, for the same drug."""
    if not sources or a.info is None:
        return False
    lo, hi = a.canon
    for src in sources:
        for k, b in enumerate(src.amounts):
            if b.info is None or b.info.dim != a.info.dim or b.problem:
                continue
            blo, bhi = b.canon
            ta = a.cadence.interval
            tb = b.cadence.interval or (listed_interval(src, k) if ta else None)
            if not (blo * (1 - 1e-3) <= lo and hi <= bhi * (1 + 1e-3)):
                # "100 mg twice daily" is the "200 mg a day in two divided doses" of the passage: same daily total.
                if not (ta and tb and ta[0] == ta[1] and tb[0] == tb[1] and ta[0] < 1 and abs(tb[0] - 1) < 1e-9
                        and blo * (1 - 1e-3) <= lo / ta[0] and hi / ta[0] <= bhi * (1 + 1e-3)):
                    continue
                tb = ta
            if ta and not tb or ta and tb and not (ta[0] >= tb[0] / INTERVAL_TOLERANCE
                                                   and ta[1] <= tb[1] * INTERVAL_TOLERANCE):
                continue  # "6 mg every hour" is not grounded by "6 mg, repeated once"
            if a.is_max != b.is_max:
                continue  # a maximum is not grounded by a starting dose of the same size, nor the other way round
            da, db = a.cadence.duration, b.cadence.duration
            if da and db and not (da[0] >= db[0] / INTERVAL_TOLERANCE and da[1] <= db[1] * INTERVAL_TOLERANCE):
                continue  # "for 14 days" is not grounded by "for 7 days"
            ages = amount_ages(src, k)
            if age and ages and age not in ages:
                continue  # a child's dose is not grounded by the adult dose of the same passage
            if drug and (other := amount_drug(src, k)) and not same_drug(drug, other, lex):
                continue  # "paroxetine 50-200 mg" is not grounded by the sertraline range of the same passage
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
