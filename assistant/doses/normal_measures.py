"""A circumstance named only by a normal measured value ("CrCl 90") is not the patient's (data/normal-measures.yaml)."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml

from assistant.doses.numbers import DIGNUM, number

NORMAL_FILE = Path(__file__).parent / "data" / "normal-measures.yaml"


@lru_cache(maxsize=1)
def _measures() -> dict[str, tuple[re.Pattern, float]]:
    data = yaml.safe_load(NORMAL_FILE.read_text(encoding="utf-8")) or {}
    out = {}
    for name, entry in data.items():
        words = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(entry["measures"], key=len, reverse=True))
        out[name] = (re.compile(rf"(?i)(?<![A-Za-z])(?:{words})(?![A-Za-z])(?:\s*(?:of|is|was|=|:|~|≈|at))?\s*"
                                rf"(?P<n>{DIGNUM})?"), float(entry["normal_from"]))
    return out


def only_normal(name: str, pattern: re.Pattern, text: str) -> bool:
    """Whether every mention of a circumstance in text is a measure of it with a value in the normal range."""
    entry = _measures().get(name)
    if entry is None:
        return False
    measure, normal_from = entry
    spans = [m.span() for m in pattern.finditer(text)]
    if not spans:
        return False
    for start, end in spans:
        m = measure.match(text, start)
        if m is None or not m.group("n"):
            return False
        value, problem = number(m.group("n"))
        if problem or value < normal_from:
            return False
    return True
