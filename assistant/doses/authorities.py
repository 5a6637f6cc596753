"""The source a text attributes a dose to by name ("Ontario maintenance: IVIG 0.4-0.6 g/kg", "per the EU SmPC"), and
which rules are that source's (names and references in assistant/doses/data/authorities.yaml)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

AUTHORITIES_FILE = Path(__file__).parent / "data" / "authorities.yaml"


@dataclass(frozen=True)
class Authority:
    key: str
    names: tuple[re.Pattern, ...]
    references: frozenset[str]
    jurisdiction: str | None

    def owns(self, rule) -> bool:
        """Whether a dose rule is this source's: its reference is listed, or its labelling is this one."""
        return rule.source.reference in self.references or (
            self.jurisdiction is not None and rule.jurisdiction == self.jurisdiction)


@lru_cache(maxsize=1)
def authorities() -> tuple[Authority, ...]:
    data = yaml.safe_load(AUTHORITIES_FILE.read_text(encoding="utf-8")) or {}
    return tuple(Authority(key=row["key"], names=tuple(re.compile(p) for p in row.get("names", ())),
                           references=frozenset(row.get("references", ())), jurisdiction=row.get("jurisdiction"))
                 for row in data.get("authorities", ()))


def by_key(key: str | None) -> Authority | None:
    return next((a for a in authorities() if a.key == key), None)


@lru_cache(maxsize=2048)
def named_sources(text: str) -> tuple[tuple[int, int, str], ...]:
    """(start, end, key) of every source a text names, left to right; of overlapping names the longer one."""
    found = sorted(((m.start(), m.end(), a.key) for a in authorities() for p in a.names for m in p.finditer(text)),
                   key=lambda f: (f[0], -(f[1] - f[0])))
    out: list[tuple[int, int, str]] = []
    for start, end, key in sorted(found, key=lambda f: -(f[1] - f[0])):
        if not any(start < e and s < end for s, e, _ in out):
            out.append((start, end, key))
    return tuple(sorted(out))


def attributed(text: str, s_start: int, s_end: int, start: int, context: str | None = None) -> str | None:
    """The source a dose at `start` is attributed to: the one its sentence names (the nearest before the dose when it
    names several, else the nearest after), else the one the question names; None when neither names one alone."""
    inside = [f for f in named_sources(text) if s_start <= f[0] < s_end]
    if len({k for _, _, k in inside}) == 1:
        return inside[0][2]
    if inside:
        before = [f for f in inside if f[1] <= start]
        return (before[-1] if before else min(inside, key=lambda f: f[0]))[2]
    if context:
        keys = {k for _, _, k in named_sources(context)}
        if len(keys) == 1:
            return keys.pop()
    return None
