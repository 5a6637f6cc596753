"""How a cited passage frames a dose beyond its value: as a reference point for another use ("lower than the
FDA-recommended dosage of 150-800 mg/day"), or with the hours an infusion runs before and after a procedure
(assistant/doses/data/passage-cues.yaml)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from assistant.doses.parse import Amount, Scan

CUES_FILE = Path(__file__).parent / "data" / "passage-cues.yaml"


@dataclass(frozen=True)
class _Cues:
    reference_point: re.Pattern
    window: int
    before: tuple[re.Pattern, ...]
    after: tuple[re.Pattern, ...]


@lru_cache(maxsize=1)
def cues() -> _Cues:
    data = yaml.safe_load(CUES_FILE.read_text(encoding="utf-8"))
    times = data["procedure_times"]
    n = times["number"]

    def compiled(patterns: list[str]) -> tuple[re.Pattern, ...]:
        return tuple(re.compile(r"(?i)\b" + p.replace("{n}", n)) for p in patterns)

    return _Cues(reference_point=re.compile(data["reference_point"]), window=int(times["window"]),
                 before=compiled(times["before"]), after=compiled(times["after"]))


def _clause_before(sc: Scan, a: Amount) -> str:
    start, _ = sc.sentences[a.sentence]
    return re.split(r"[;:]", sc.text[start:a.start])[-1]


def is_reference_point(sc: Scan, a: Amount) -> bool:
    """Whether the amount is the object of a comparison in its clause ("lower than the labelled dose of X")."""
    return bool(cues().reference_point.search(_clause_before(sc, a)))


def same_amount(a: Amount, b: Amount) -> bool:
    """The same dimension and value (a range and the same range)."""
    if a.info is None or b.info is None or a.info.dim != b.info.dim:
        return False
    return all(abs(x - y) <= 1e-6 * max(1.0, abs(x)) for x, y in zip(a.canon, b.canon))


def stated_as_reference(a: Amount, srcs: list[Scan]) -> bool:
    """Whether every cited passage that states the amount gives it only as a reference point for another use."""
    found = [(s, b) for s in srcs for b in s.amounts if same_amount(a, b)]
    return bool(found) and all(is_reference_point(s, b) for s, b in found)


@dataclass(frozen=True)
class Period:
    side: str  # "before" or "after" the procedure
    lo: float  # hours
    hi: float
    at_least: bool


def procedure_times(sc: Scan, a: Amount) -> list[Period]:
    """The hours before and after a procedure the sentence gives right after the amount (until the next amount)."""
    _, s_end = sc.sentences[a.sentence]
    nxt = min([b.start for b in sc.amounts if b.start > a.start and b.sentence == a.sentence] + [s_end])
    span = sc.text[a.end:min(nxt, a.end + cues().window)]
    out: list[Period] = []
    for side, patterns in (("before", cues().before), ("after", cues().after)):
        seen: set[int] = set()
        for p in patterns:
            for m in p.finditer(span):
                if m.start("lo") in seen:
                    continue
                seen.add(m.start("lo"))
                scale = 1 / 60 if m.group("unit").lower().startswith("m") else 1.0
                lo = float(m.group("lo")) * scale
                hi = float(m.group("hi")) * scale if m.group("hi") else lo
                out.append(Period(side, lo, hi, bool(m.group("least"))))
    return out


def too_short(text_periods: list[Period], source_periods: list[Period]) -> str | None:
    """Why the text's hours before or after a procedure are shorter than the passage's for that side, else None."""
    for side in ("before", "after"):
        mine = [p for p in text_periods if p.side == side]
        theirs = [p for p in source_periods if p.side == side]
        if not mine or not theirs:
            continue
        floor = min(p.lo for p in theirs)
        if any(p.lo < floor * (1 - 1e-6) for p in mine):
            shortest = min(p.lo for p in mine)
            return f"{shortest:g} hours {side} the procedure is shorter than the {floor:g} hours the cited passage gives"
    return None


def shorter_than_sources(sc: Scan, a: Amount, srcs: list[Scan]) -> str | None:
    """Why the text runs the amount for less time around a procedure than every cited passage stating it, else None."""
    mine = procedure_times(sc, a)
    if not mine:
        return None
    theirs = [procedure_times(s, b) for s in srcs for b in s.amounts if same_amount(a, b)]
    theirs = [t for t in theirs if t]
    if not theirs:
        return None
    why = [too_short(mine, t) for t in theirs]
    return why[0] if all(why) else None
