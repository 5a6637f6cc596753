"""A circumstance the question names only by a normal measured value ("CrCl 90"), or only as absent ("no liver
disease"), is not the patient's (data/normal-measures.yaml)."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml

from assistant.doses.numbers import DIGNUM, number

NORMAL_FILE = Path(__file__).parent / "data" / "normal-measures.yaml"


@lru_cache(maxsize=1)
def _data() -> dict:
    return yaml.safe_load(NORMAL_FILE.read_text(encoding="utf-8")) or {}


@lru_cache(maxsize=1)
def _negated_before() -> re.Pattern:
    return re.compile(_data()["negated_before"], re.I)


@lru_cache(maxsize=1)
def _measures() -> dict[str, tuple[re.Pattern, float]]:
    out = {}
    for name, entry in (_data().get("measures") or {}).items():
        words = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(entry["measures"], key=len, reverse=True))
        out[name] = (re.compile(rf"(?i)(?<![A-Za-z])(?:{words})(?![A-Za-z])(?:\s*(?:of|is|was|=|:|~|≈|at))?\s*"
                                rf"(?P<n>{DIGNUM})?"), float(entry["normal_from"]))
    return out


def only_normal(name: str, pattern: re.Pattern, text: str) -> bool:
    """Whether every mention of a circumstance in text is a measure of it with a value in the normal range, or names it
    as absent ("no kidney or liver disease")."""
    entry = _measures().get(name)
    spans = [m.span() for m in pattern.finditer(text)]
    if not spans:
        return False
    for start, end in spans:
        if _negated_before().search(text[max(0, start - 40):start]):
            continue
        if entry is None:
            return False
        measure, normal_from = entry
        m = measure.match(text, start)
        if m is None or not m.group("n"):
            return False
        value, problem = number(m.group("n"))
        if problem or value < normal_from:
            return False
    return True
